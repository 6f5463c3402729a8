/** Unit tests of the pieces under the sessions: replay log, queue, word shapes, silence, and the browser path's imports. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { audioFormat, silence } from "../src/stt/audio.js";
import { configFrame, mergeConfig, type SttConfig } from "../src/stt/config.js";
import { ReplayLog } from "../src/stt/replay.js";
import { normalizeWords } from "../src/stt/words.js";
import { decodeBase64 } from "../src/util/bytes.js";
import { AsyncQueue } from "../src/util/queue.js";

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

describe("ReplayLog", () => {
  it("keeps sent frames until confirmed, cuts a straddling frame, and replays the rest in order", () => {
    const log = new ReplayLog(true, 1 << 20);
    const sent: (string | Uint8Array)[] = [];
    const send = (f: string | Uint8Array) => (sent.push(f), true);
    log.appendAudio(bytes(100, 1));
    const fin = log.appendCommand("finalize");
    log.appendAudio(bytes(100, 2));
    log.flush(send);
    expect(sent).toHaveLength(3);
    expect(log.sentOffset).toBe(200);
    // A boundary inside the second frame (e.g. a final word's end): audio before it goes, commands stay.
    log.confirm(150);
    expect(log.base).toBe(150);
    expect(log.retained).toBe(50);
    sent.length = 0;
    expect(log.rewind()).toBe(50);
    log.flush(send);
    expect(sent.map((f) => (typeof f === "string" ? f : f.length))).toEqual(["finalize", 50]);
    // The flush_done of that finalize drops the command.
    log.confirm(100, (e) => e === fin);
    sent.length = 0;
    log.rewind();
    log.flush(send);
    expect(sent.map((f) => (typeof f === "string" ? f : f.length))).toEqual([50]);
  });

  it("never confirms what was not sent, and without reconnects keeps only unsent frames", () => {
    const log = new ReplayLog(true, 1 << 20);
    log.appendAudio(bytes(100, 1));
    log.confirm(100);
    expect(log.base).toBe(0);
    const plain = new ReplayLog(false, 1 << 20);
    plain.appendAudio(bytes(10, 1));
    plain.flush(() => false);
    expect(plain.retained).toBe(10);
    plain.flush(() => true);
    expect(plain.retained).toBe(0);
    expect(plain.sentOffset).toBe(10);
  });

  it("drops the oldest sent audio past its cap and counts it as lost", () => {
    const log = new ReplayLog(true, 150);
    for (let i = 0; i < 4; i += 1) log.appendAudio(bytes(100, i));
    log.flush(() => true);
    expect(log.retained).toBe(100);
    expect(log.lost).toBe(300);
    expect(log.base).toBe(300);
  });
});

describe("AsyncQueue", () => {
  it("delivers pushed items in order, ends after the queued ones, and drops items after the consumer breaks", async () => {
    const q = new AsyncQueue<number>();
    q.push(1);
    const next = q.next();
    q.push(2);
    q.end();
    q.push(3);
    const out: number[] = [];
    for await (const n of q) out.push(n);
    expect(await next).toEqual({ value: 1, done: false });
    expect(out).toEqual([2]);
    const r = new AsyncQueue<number>();
    r.push(1);
    for await (const _ of r) break;
    r.push(2);
    expect(r.size).toBe(0);
  });
});

describe("helpers", () => {
  it("reads both word shapes (§10.6: the docs' list, the SDKs' array of groups) and shifts them to stream time", () => {
    expect(normalizeWords([{ word: "a", start: 0.1, end: 0.2 }], 1)).toEqual([{ word: "a", start: 1.1, end: 1.2 }]);
    expect(normalizeWords([{ words: ["a"], start: [0], end: [0.4] }, { words: ["b"], start: [0.5], end: [0.9] }], 0)).toEqual([
      { word: "a", start: 0, end: 0.4 },
      { word: "b", start: 0.5, end: 0.9 },
    ]);
    expect(normalizeWords(undefined, 0)).toEqual([]);
  });

  it("makes silence in every encoding, and decodes base64 into its own buffer", () => {
    expect([...silence(audioFormat("pcm_mulaw", 8000), 1)]).toEqual(new Array(8).fill(0xff));
    expect([...silence(audioFormat("pcm_alaw", 8000), 1)]).toEqual(new Array(8).fill(0xd5));
    expect(silence(audioFormat("pcm_f32le", 16000), 10).length).toBe(640);
    const decoded = decodeBase64("AAECAw==");
    expect([...decoded]).toEqual([0, 1, 2, 3]);
    expect(decoded.buffer.byteLength).toBe(4);
  });
});

describe("browser path", () => {
  it("imports no Node built-in and no `ws` statically anywhere in src", () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith(".ts")) files.push(path);
      }
    };
    walk(new URL("../src", import.meta.url).pathname);
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      const specifiers = [...text.matchAll(/^\s*(?:import|export)[^;]*?from\s+"([^"]+)"/gm)].map((m) => m[1]);
      for (const s of specifiers) {
        expect(s, `${file} imports ${s}`).not.toMatch(/^(node:|ws$|fs$|path$|crypto$|http$|https$|net$|stream$|buffer$)/);
      }
    }
  });
});

describe("config lists", () => {
  const runs = { numRuns: Number(process.env.FC_NUM_RUNS ?? 25) * 20 };

  it("merges like the server: a list replaces, [] clears, null or omitted keeps, turn settings merge one by one", () => {
    const list = fc.option(fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }), { nil: undefined });
    const nullable = fc.oneof(list, fc.constant(null));
    const turn = fc.option(fc.record({ end_threshold: fc.constantFrom(0.1, 0.2), end_timeout_ms: fc.constantFrom(700, 2000) }, { requiredKeys: [] }), { nil: undefined });
    const config = fc.record({ turn, keyterms: nullable, language_hints: nullable }, { requiredKeys: [] }) as fc.Arbitrary<SttConfig>;
    fc.assert(
      fc.property(fc.array(config, { maxLength: 6 }), (configs) => {
        const merged = configs.reduce(mergeConfig, {} as SttConfig);
        // The last list given wins; a field never given is not in the merged config.
        for (const key of ["keyterms", "language_hints"] as const) {
          const given = configs.map((c) => c[key]).filter((v) => v != null);
          expect(merged[key]).toEqual(given.at(-1));
        }
        const turns = configs.map((c) => c.turn).filter((t) => t != null);
        expect(merged.turn).toEqual(turns.length > 0 ? Object.assign({}, ...turns) : undefined);
        // The frame carries what is set and nothing else.
        const frame = JSON.parse(configFrame(merged)) as Record<string, unknown>;
        expect(Object.keys(frame).sort()).toEqual(["type", ...Object.keys(merged).filter((k) => merged[k as keyof SttConfig] != null)].sort());
      }),
      runs,
    );
  });
});
