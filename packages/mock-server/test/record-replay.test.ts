/**
 * Issue 18 end to end over real sockets on 127.0.0.1: mock A (a scenario with a fixed latency) plays
 * the upstream, sessions are recorded through the recording proxy, the recordings are replayed by
 * mock B without A, and what the client gets is compared: event types, order, transcripts, word
 * times, TTS bytes, latency on the audio clock, and upstream failures (401, a mid-turn error, a drop)
 * replayed as those faults.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import type { WebSocket } from "ws";
import { BUILTIN_SCENARIOS } from "../src/scenario/builtin.js";
import { startRecordProxy, type RecordProxy } from "../src/record/proxy.js";
import type { MockServer } from "../src/server/server.js";
import { connect, silence, startTestServer, TTS_REQUEST, TURNS_PATH, V1_PATH } from "./helpers.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const KEY = "sk_car_recordtestkey0123456789";

/** Streams 16 kHz s16le audio in 20 ms frames at `speed` × real time (absolute schedule, no drift). */
async function stream(ws: WebSocket, audio: Buffer, speed: number): Promise<number> {
  const frame = 640;
  const start = performance.now();
  for (let i = 0, k = 0; i < audio.length; i += frame, k++) {
    const due = start + (k * 20) / speed;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    ws.send(audio.subarray(i, i + frame));
  }
  return start;
}

/** A deterministic, non-silent test signal (the bytes matter for `match: digest`). */
function signal(seconds: number): Buffer {
  const b = Buffer.alloc(Math.round(seconds * 16000) * 2);
  for (let i = 0; i < b.length / 2; i++) b.writeInt16LE(Math.round(3000 * Math.sin(i / 7) + ((i * 7919) % 200) - 100), i * 2);
  return b;
}

interface Seen {
  frames: Record<string, unknown>[];
  /** ms after the first audio frame went out. */
  times: number[];
  close: { code: number; reason: string };
}

/** One turns or v1 session: stream the audio, then the closing command; everything seen. */
async function sttSession(url: string, audio: Buffer, speed: number, closing: string[]): Promise<Seen> {
  const rec = await connect(url, { headers: { "x-api-key": KEY } });
  const times: number[] = [];
  let start = performance.now();
  rec.ws.on("message", () => times.push(performance.now() - start));
  start = performance.now();
  await stream(rec.ws, audio, speed);
  for (const c of closing) rec.ws.send(c);
  const close = await rec.closed;
  return { frames: rec.messages as Record<string, unknown>[], times: times.slice(-rec.messages.length), close };
}

const shape = (frames: Record<string, unknown>[]) => frames.map((f) => ({ ...f, request_id: undefined }));

let upstream: MockServer;
let replayer: MockServer | undefined;
let out: string;
const proxies: RecordProxy[] = [];
const recorded: Record<string, Seen> = {};
let ttsRecorded: string[] = [];
let bytesRecorded: Buffer;
let sseRecorded: string;

const eager = BUILTIN_SCENARIOS.find((s) => s.name === "eager-resume");
if (!eager) throw new Error("eager-resume missing");
const duration = 7;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), "speechwire-record-"));
  upstream = await startTestServer({
    scenarios: [{ ...eager, name: "upstream", latency: { turnEnd: 150, finalize: 90 } }],
    scenario: "upstream",
    seed: 3,
  });
}, 30_000);

afterAll(async () => {
  for (const p of proxies) await p.close();
  await upstream?.close();
  await replayer?.close();
  if (out) await rm(out, { recursive: true, force: true });
});

async function proxy(path = "", prefix = "rec", match?: "digest"): Promise<RecordProxy> {
  const p = await startRecordProxy({ upstream: `${upstream.urls.http}${path}`, out, port: 0, prefix, ...(match ? { match } : {}) });
  proxies.push(p);
  return p;
}

describe("record through the proxy, replay without the upstream", () => {
  it("records turns, v1, TTS WebSocket and /tts/bytes sessions and the failures", async () => {
    const p = await proxy();
    const ws = p.url.replace("http", "ws");
    recorded.turns = await sttSession(`${ws}/s/anything${TURNS_PATH}`, signal(duration), 1, [JSON.stringify({ type: "close" })]);
    recorded.v1 = await sttSession(`${ws}${V1_PATH}`, signal(duration), 4, ["finalize", "close"]);
    const t = await connect(`${ws}/tts/websocket?cartesia_version=2025-04-16`, { headers: { "x-api-key": KEY } });
    t.ws.send(TTS_REQUEST("c1", "Hello there. This is a recorded voice.", { add_timestamps: true, continue: false }));
    await t.waitUntil((m) => (m as { type?: string }).type === "done");
    t.ws.close();
    await t.closed;
    ttsRecorded = t.texts;
    const body = JSON.parse(TTS_REQUEST("x", "Bytes, recorded once.")) as Record<string, unknown>;
    delete body.context_id;
    const res = await fetch(`${p.url}/tts/bytes`, { method: "POST", headers: { "x-api-key": KEY, "content-type": "application/json" }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    bytesRecorded = Buffer.from(await res.arrayBuffer());
    const sse = await fetch(`${p.url}/tts/sse`, { method: "POST", headers: { "x-api-key": KEY }, body: TTS_REQUEST("sse-1", "Events, recorded.", { add_timestamps: true }) });
    sseRecorded = await sse.text();
    expect(sseRecorded).toContain('"type":"done"');
    await p.close();

    const p401 = await proxy("/s/auth-401", "f401");
    await expect(connect(`${p401.url.replace("http", "ws")}${TURNS_PATH}`)).rejects.toMatchObject({ status: 401 });
    const pErr = await proxy("/s/error-mid-turn", "ferr");
    recorded.error = await sttSession(`${pErr.url.replace("http", "ws")}${TURNS_PATH}`, silence(3), 4, []);
    const pDrop = await proxy("/s/drop-mid-turn", "fdrop");
    recorded.drop = await sttSession(`${pDrop.url.replace("http", "ws")}${TURNS_PATH}`, silence(3), 4, []);
    for (const x of [p401, pErr, pDrop]) await x.close();
    expect(recorded.error.close.code).toBe(1011);
    expect(recorded.drop.close.code).toBe(1006);

    const files = (await readdir(out)).sort();
    expect(files.filter((f) => f.endsWith(".yaml"))).toEqual([
      "fdrop-0001-stt-turns.yaml",
      "ferr-0001-stt-turns.yaml",
      "f401-0001-stt-turns.yaml",
      "rec-0001-stt-turns.yaml",
      "rec-0002-stt-v1.yaml",
      "rec-0003-tts.yaml",
      "rec-0004-tts-bytes.yaml",
      "rec-0005-tts-sse.yaml",
    ].sort());
    // No credential in any file.
    for (const f of files) expect((await readFile(join(out, f))).includes(KEY)).toBe(false);
  }, 60_000);

  it("re-recording the same TTS exchanges writes the same files, byte for byte, with latencies left out (diff-clean)", async () => {
    const dirs: string[] = [];
    for (let run = 0; run < 2; run++) {
      const dir = await mkdtemp(join(tmpdir(), "speechwire-rerecord-"));
      dirs.push(dir);
      const p = await startRecordProxy({ upstream: upstream.urls.http, out: dir, port: 0, prefix: "again", latencyStepMs: 0 });
      const t = await connect(`${p.url.replace("http", "ws")}/tts/websocket`, { headers: { "x-api-key": `${KEY}-${run}` } });
      // A random context id each run, as SDKs make them: it must not reach the files.
      t.ws.send(TTS_REQUEST(`ctx-${Math.random()}`, "Same words, same bytes.", { add_timestamps: true, continue: false }));
      await t.waitUntil((m) => (m as { type?: string }).type === "done");
      t.ws.close();
      await t.closed;
      await p.close();
    }
    const [a, b] = dirs as [string, string];
    const files = (await readdir(a)).sort();
    expect(files).toEqual(["again-0001-tts.tts-01.raw", "again-0001-tts.yaml"]);
    expect((await readdir(b)).sort()).toEqual(files);
    for (const f of files) expect((await readFile(join(a, f), "utf8"))).toEqual(await readFile(join(b, f), "utf8"));
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }, 60_000);

  it("replays every recording on mock B alone: the same events, transcripts, word times, bytes and latency", async () => {
    await upstream.close();
    replayer = await startTestServer({ scenariosDir: out, seed: 9 });
    const ws = replayer.urls.ws;
    const turns = await sttSession(`${ws}/s/rec-0001-stt-turns${TURNS_PATH}`, signal(duration), 1, [JSON.stringify({ type: "close" })]);
    expect(turns.frames.map((f) => f.type)).toEqual(recorded.turns?.frames.map((f) => f.type));
    expect(turns.frames.map((f) => f.type)).toContain("turn.eager_end");
    expect(shape(turns.frames)).toEqual(shape(recorded.turns?.frames ?? []));
    expect(turns.close).toEqual(recorded.turns?.close);
    // Latency, on the audio clock: the recording holds each event at the audio position it came through
    // the proxy at (the upstream's 150 ms `turnEnd` latency is in it), and the replay sends it once that
    // much audio has arrived, within the 20 ms frame that got there. (Measured on the audio clock, not
    // by the wall clock: a loaded machine makes timers late, never the audio position move.)
    const recording = parseYaml(await readFile(join(out, "rec-0001-stt-turns.yaml"), "utf8")) as { replay: { stt: { events: { at: number; after?: number }[] }[] } };
    const streamed = recording.replay.stt[0]!.events.filter((e) => e.after === undefined);
    expect(streamed.length).toBeGreaterThan(3);
    const replayed = replayer.sessions().find((r) => r.scenario === "rec-0001-stt-turns")!.entries.filter((e) => e.dir === "server" && e.kind === "text");
    streamed.forEach((e, i) => {
      expect(replayed[i]!.audio).toBeGreaterThanOrEqual(e.at - 1e-9);
      expect(replayed[i]!.audio - e.at).toBeLessThanOrEqual(0.02 + 1e-9);
    });

    // v1 at another speed: the same frames (words and their times included).
    const v1 = await sttSession(`${ws}/s/rec-0002-stt-v1${V1_PATH}`, signal(duration), 20, ["finalize", "close"]);
    expect(shape(v1.frames)).toEqual(shape(recorded.v1?.frames ?? []));
    expect(v1.frames.some((f) => Array.isArray(f.words) && f.words.length > 0)).toBe(true);

    const t = await connect(`${ws}/s/rec-0003-tts/tts/websocket?cartesia_version=2025-04-16`);
    t.ws.send(TTS_REQUEST("c1", "Hello there. This is a recorded voice.", { add_timestamps: true, continue: false }));
    await t.waitUntil((m) => (m as { type?: string }).type === "done");
    expect(t.texts).toEqual(ttsRecorded);
    // An unknown request falls back to synthesis, with a warning in the journal.
    t.ws.send(TTS_REQUEST("c2", "Never recorded.", { continue: false }));
    await t.waitUntil((m) => (m as { type?: string; context_id?: string }).type === "done" && (m as { context_id?: string }).context_id === "c2");
    t.ws.close();
    await t.closed;
    await sleep(50);
    const session = replayer.sessions().find((s) => s.scenario === "rec-0003-tts");
    expect(session?.violations.filter((v) => v.rule === "replay/unrecorded-request")).toHaveLength(1);

    const body = JSON.parse(TTS_REQUEST("x", "Bytes, recorded once.")) as Record<string, unknown>;
    delete body.context_id;
    const res = await fetch(`${replayer.urls.http}/s/rec-0004-tts-bytes/tts/bytes`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect(Buffer.from(await res.arrayBuffer()).equals(bytesRecorded)).toBe(true);
    const sse = await fetch(`${replayer.urls.http}/s/rec-0005-tts-sse/tts/sse`, { method: "POST", body: TTS_REQUEST("sse-1", "Events, recorded.", { add_timestamps: true }) });
    expect(await sse.text()).toBe(sseRecorded);
    expect(replayer.sessions().filter((s) => s.endpoint === "tts-sse" || s.endpoint === "tts-bytes").flatMap((s) => s.violations.filter((v) => v.rule.startsWith("replay/")))).toEqual([]);
    // Another SSE request on that scenario is synthesized, with the warning.
    const other = await fetch(`${replayer.urls.http}/s/rec-0005-tts-sse/tts/sse`, { method: "POST", body: TTS_REQUEST("sse-2", "Not recorded.") });
    expect(other.status).toBe(200);
    expect(await other.text()).toContain('"type":"done"');
    const warned = replayer.sessions().filter((s) => s.endpoint === "tts-sse").flatMap((s) => s.violations.map((v) => v.rule));
    expect(warned).toEqual(["replay/unrecorded-request"]);
  }, 60_000);

  it("replays the upstream's failures as those faults: a 401, a mid-turn error, a drop", async () => {
    const ws = replayer?.urls.ws as string;
    await expect(connect(`${ws}/s/f401-0001-stt-turns${TURNS_PATH}`)).rejects.toMatchObject({ status: 401 });
    const error = await sttSession(`${ws}/s/ferr-0001-stt-turns${TURNS_PATH}`, silence(3), 4, []);
    expect(shape(error.frames)).toEqual(shape(recorded.error?.frames ?? []));
    expect(error.frames.at(-1)?.type).toBe("error");
    expect(error.close).toEqual(recorded.error?.close);
    const drop = await sttSession(`${ws}/s/fdrop-0001-stt-turns${TURNS_PATH}`, silence(3), 4, []);
    expect(shape(drop.frames)).toEqual(shape(recorded.drop?.frames ?? []));
    expect(drop.close.code).toBe(1006);
  }, 60_000);
});
