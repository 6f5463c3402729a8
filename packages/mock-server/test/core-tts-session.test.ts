import fc from "fast-check";
import { TTS_ENCODINGS, TTS_SAMPLE_RATES, tts } from "@speechwire/protocol";
import { ttsSessionArb } from "@speechwire/protocol/arbitraries";
import { describe, expect, it } from "vitest";
import { createTtsCore } from "../src/core/tts/index.js";
import type { CoreOutput } from "../src/core/types.js";
import { base, cancel, concat, Driver, fcOptions, fromBase64, parsedSends, request, sameBytes, scenario, strictServer, timestampsOf } from "./core-tts-helpers.js";

const types = (messages: readonly Record<string, unknown>[]) => messages.map((m) => m.type);

describe("contexts", () => {
  it("interleaves three contexts: cancel on one, two flushes on another, done only after continue:false", () => {
    const d = new Driver();
    const zero = { max_buffer_delay_ms: 0 };
    d.send(request("a", "First context, first words ", { ...zero, continue: true }));
    d.send(request("b", "Second context ", { ...zero, continue: true }));
    d.send(request("c", "Third ", { ...zero, continue: true }));
    d.send(request("b", "", { ...zero, continue: true, flush: true }));
    d.send(request("a", "still buffered because it has no end", { continue: true })); // default delay: waits
    d.send(request("b", "more text ", { ...zero, continue: true }));
    d.send(cancel("a"));
    d.send(request("b", "", { ...zero, continue: true, flush: true }));
    d.send(request("c", "context ends here.", { ...zero, continue: false }));
    d.send(request("b", "the last piece", { ...zero, continue: true }));
    // No done for b yet: its input has not ended.
    expect(types(d.of("b"))).not.toContain("done");
    d.send(request("b", "", { ...zero, continue: false }));

    const a = d.of("a");
    const b = d.of("b");
    const c = d.of("c");
    // a: its first words were generated; the buffered text was dropped by the cancel; then done.
    expect(a.at(-1)?.type).toBe("done");
    expect(types(a).filter((t) => t === "done")).toHaveLength(1);
    const aWords = timestampsOf(a).words.words;
    expect(aWords).toEqual([]); // no timestamps asked
    expect(d.audio("a").length).toBeGreaterThan(0);
    // b: flush_done 1 then 2; chunks carry flush_id 1, then 2, then 3; done last.
    const flushes = b.filter((m) => m.type === "flush_done").map((m) => m.flush_id);
    expect(flushes).toEqual([1, 2]);
    const chunkIds = b.filter((m) => m.type === "chunk").map((m) => m.flush_id);
    expect([...new Set(chunkIds)]).toEqual([1, 2, 3]);
    const firstFlush = b.findIndex((m) => m.type === "flush_done");
    expect(b.slice(0, firstFlush).every((m) => m.flush_id === 1)).toBe(true);
    expect(b.at(-1)?.type).toBe("done");
    // c: done is its last message.
    expect(c.at(-1)?.type).toBe("done");
    // Every server message names its context.
    for (const m of d.messages()) expect(typeof m.context_id).toBe("string");
    expect(d.lint()).toEqual([]);
  });

  it("answers a cancel with done only for a context that is open", () => {
    const d = new Driver();
    expect(d.send(cancel("nobody"))).toEqual([]);
    d.send(request("x", "Hello.", { continue: false }));
    expect(d.send(cancel("x"))).toEqual([]);
    expect(d.lint()).toEqual([]);
  });

  it("ends a context with an empty transcript or livekit's single space", () => {
    for (const last of ["", " "]) {
      const d = new Driver("2025-04-16");
      d.send(request("lk", "Hello from livekit. ", { max_buffer_delay_ms: 0, add_timestamps: true, continue: true }));
      const before = d.audio("lk").length;
      d.send(request("lk", last, { max_buffer_delay_ms: 0, add_timestamps: true, continue: false }));
      const msgs = d.of("lk");
      expect(msgs.at(-1)).toEqual({ type: "done", done: true, status_code: 206, context_id: "lk" });
      // The trailing space was held and goes out at the end: 40 ms of silence.
      expect(d.audio("lk").length - before).toBe(0.04 * 24000 * 2);
      expect(d.lint()).toEqual([]);
    }
  });

  it("produces chunk messages of the documented shape, cut every chunkMs of audio", () => {
    const d = new Driver("2026-03-01", scenario({ tts: { chunkMs: 20 } }));
    d.send(request("c", "Hello world.", { continue: false }, base("pcm_f32le", 16000)));
    const chunks = d.of("c").filter((m) => m.type === "chunk");
    for (const [i, m] of chunks.entries()) {
      expect(Object.keys(m).sort()).toEqual(["context_id", "data", "done", "flush_id", "status_code", "step_time", "type"]);
      expect(m).toMatchObject({ type: "chunk", done: false, status_code: 206, context_id: "c", flush_id: 1 });
      const samples = fromBase64(m.data as string).length / 4;
      if (i < chunks.length - 1) expect(samples).toBe(320);
      expect(m.step_time).toBe(Math.round((samples * 100_000) / 16000) / 1000);
    }
  });

  it("reports the audio it generated in audioSeconds", () => {
    const d = new Driver();
    d.send(request("c", "Hello world.", { continue: false }));
    d.send(request("e", "Hello world.", { continue: false }, base("pcm_mulaw", 8000)));
    expect(d.core.audioSeconds).toBeCloseTo(d.audio("c").length / 2 / 24000 + d.audio("e").length / 8000, 9);
  });
});

describe("continuations", () => {
  const pieceArb = fc.constantFrom("Hello", " ", "world", ", ", ". ", "again", "!", '"', ")", '<break time="120ms"/>', '<speed ratio="1.3"/>', "<spell>A1</spell>", "😀", "naïve", "\n");
  /** Punctuation that may be glued to a word (marks, and closers after them). */
  const GLUED = /^[,;:.!?…"')]+$/;
  /** Text before a cut that ends a sentence (tags aside): a piece ending so lets its last word go. */
  const ENDS_SENTENCE = /[.!?…][,;:.!?…"')]*$/;

  it("any split of the same text gives byte-identical audio and timestamps per context", () => {
    fc.assert(
      fc.property(
        fc.array(pieceArb, { minLength: 1, maxLength: 16 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.constantFrom(...TTS_ENCODINGS),
        fc.constantFrom(...TTS_SAMPLE_RATES),
        fc.constantFrom(0, 3000),
        (parts, cuts, encoding, rate, delay) => {
          const text = parts.join("");
          const fields = base(encoding, rate);
          const extra = { max_buffer_delay_ms: delay, add_timestamps: true };
          const whole = new Driver();
          whole.send(request("w", text, { ...extra, continue: false }, fields));
          const split = new Driver();
          const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          let last = 0;
          for (const p of points) {
            split.send(request("s", text.slice(last, p), { ...extra, continue: true }, fields));
            last = p;
          }
          split.send(request("s", text.slice(last), { ...extra, continue: false }, fields));
          expect(sameBytes(split.audio("s"), whole.audio("w"))).toBe(true);
          const got = timestampsOf(split.of("s"));
          const want = timestampsOf(whole.of("w"));
          expect(got.phonemes).toEqual(want.phonemes);
          expect({ start: got.words.start, end: got.words.end }).toEqual({ start: want.words.start, end: want.words.end });
          // The written words are the same, except where a piece ended a sentence and the next one
          // glued more punctuation on (`Hi!` + `!`): that word went out with what it had (the
          // service generates at sentence punctuation), at most one word per cut.
          if (!points.some((p) => ENDS_SENTENCE.test(text.slice(0, p).replace(/<[^<>]*>/g, "")))) expect(got.words.words).toEqual(want.words.words);
          let cutShort = 0;
          got.words.words.forEach((word, i) => {
            const full = want.words.words[i] as string;
            if (word === full) return;
            cutShort += 1;
            expect(full.startsWith(word) && GLUED.test(full.slice(word.length)) && ENDS_SENTENCE.test(word)).toBe(true);
          });
          expect(cutShort).toBeLessThanOrEqual(points.length);
          expect(split.lint()).toEqual([]);
        },
      ),
      fcOptions,
    );
  });

  it('concatenates verbatim: "Hel" + "lo world" is "Hello world"', () => {
    const d = new Driver();
    d.send(request("c", "Hel", { max_buffer_delay_ms: 0, add_timestamps: true, continue: true }));
    d.send(request("c", "lo world", { max_buffer_delay_ms: 0, add_timestamps: true, continue: false }));
    expect(timestampsOf(d.of("c")).words.words).toEqual(["Hello", "world"]);
  });

  it("does not read a tag split across continuations aloud", () => {
    const d = new Driver();
    const x = { max_buffer_delay_ms: 0, add_timestamps: true };
    d.send(request("c", "Wait <brea", { ...x, continue: true }));
    d.send(request("c", 'k time="300', { ...x, continue: true }));
    d.send(request("c", 'ms"/>now', { ...x, continue: false }));
    const whole = new Driver();
    whole.send(request("c", 'Wait <break time="300ms"/>now', { ...x, continue: false }));
    expect(timestampsOf(d.of("c")).words.words).toEqual(["Wait", "now"]);
    expect(sameBytes(d.audio("c"), whole.audio("c"))).toBe(true);
  });

  it("keeps timestamps cumulative across generations of a context", () => {
    const d = new Driver();
    const x = { max_buffer_delay_ms: 0, add_timestamps: true };
    d.send(request("c", "One. ", { ...x, continue: true }));
    const afterFirst = d.audio("c").length / 2 / 24000;
    d.send(request("c", "", { ...x, continue: true, flush: true }));
    d.send(request("c", "Two.", { ...x, continue: false }));
    const { words } = timestampsOf(d.of("c"));
    expect(words.words).toEqual(["One.", "Two."]);
    // "Two" starts after the first generation's audio plus the held space (40 ms).
    expect(words.start[1]).toBeCloseTo(afterFirst + 0.04, 9);
  });
});

describe("buffering (max_buffer_delay_ms)", () => {
  it("waits for sentence punctuation, asking the edge for a timer; the tick generates the rest", () => {
    const d = new Driver();
    const out = d.send(request("c", "Hello there", { continue: true }));
    expect(out).toEqual([{ kind: "timer", afterMs: 3000, key: "buffer:c" }]);
    // More text does not re-arm the timer: the delay counts from the first waiting text.
    expect(d.send(request("c", " friend", { continue: true }))).toEqual([]);
    const tick = parsedSends(d.tick("c"));
    expect(types(tick).filter((t) => t === "chunk").length).toBeGreaterThan(0);
    expect(types(d.tick("c"))).toEqual([]);
    expect(d.send(request("c", "", { continue: false })).map((o) => o.kind)).toEqual(["send"]);
    expect(d.lint()).toEqual([]);
  });

  it("generates at once up to the last sentence end and waits with the rest", () => {
    const d = new Driver();
    const out = d.send(request("c", "Done here. And then", { continue: true, add_timestamps: true, max_buffer_delay_ms: 1000 }));
    expect(out.filter((o) => o.kind === "timer")).toEqual([{ kind: "timer", afterMs: 1000, key: "buffer:c" }]);
    expect(timestampsOf(parsedSends(out)).words.words).toEqual(["Done", "here."]);
    const tick = parsedSends(d.tick("c"));
    expect(timestampsOf(tick).words.words).toEqual(["And", "then"]);
  });

  it("with 0 generates every complete word at once (no timer)", () => {
    const d = new Driver();
    const out = d.send(request("c", "no punctuation at all", { continue: true, max_buffer_delay_ms: 0, add_timestamps: true }));
    expect(out.some((o) => o.kind === "timer")).toBe(false);
    expect(timestampsOf(parsedSends(out)).words.words).toEqual(["no", "punctuation", "at"]);
  });

  it("a flush generates buffered text, then flush_done", () => {
    const d = new Driver();
    d.send(request("c", "buffered words", { continue: true, add_timestamps: true }));
    const out = parsedSends(d.send(request("c", "", { continue: true, flush: true, add_timestamps: true })));
    expect(timestampsOf(out).words.words).toEqual(["buffered", "words"]);
    expect(out.at(-1)).toEqual({ type: "flush_done", done: false, flush_done: true, flush_id: 1, status_code: 206, context_id: "c" });
  });

  it("gives each waiting context its own timer, and a tick releases only its context", () => {
    const d = new Driver();
    expect(d.send(request("a", "alpha", { continue: true, max_buffer_delay_ms: 3000 }))).toEqual([{ kind: "timer", afterMs: 3000, key: "buffer:a" }]);
    expect(d.send(request("b", "beta", { continue: true, max_buffer_delay_ms: 4000 }))).toEqual([{ kind: "timer", afterMs: 4000, key: "buffer:b" }]);
    expect(d.send(request("c", "gamma", { continue: true, max_buffer_delay_ms: 500 }))).toEqual([{ kind: "timer", afterMs: 500, key: "buffer:c" }]);
    expect([...new Set(parsedSends(d.tick("c")).map((m) => m.context_id))]).toEqual(["c"]);
    expect([...new Set(parsedSends(d.tick("a")).map((m) => m.context_id))]).toEqual(["a"]);
    // After its tick, new waiting text on a context asks for a new timer.
    expect(d.send(request("a", " more", { continue: true, max_buffer_delay_ms: 3000 }))).toEqual([{ kind: "timer", afterMs: 3000, key: "buffer:a" }]);
    // A tick for a context that is not waiting, or an unknown key, does nothing.
    expect(d.tick("nobody")).toEqual([]);
    expect([...new Set(parsedSends(d.tick("b")).map((m) => m.context_id))]).toEqual(["b"]);
  });

  it("a tick releases a word but keeps an unfinished tag until more text comes", () => {
    const d = new Driver();
    d.send(request("c", "Hi <brea", { continue: true, add_timestamps: true }));
    expect(timestampsOf(parsedSends(d.tick("c"))).words.words).toEqual(["Hi"]);
    d.send(request("c", 'k time="100ms"/>there', { continue: false, add_timestamps: true }));
    expect(timestampsOf(d.of("c")).words.words).toEqual(["Hi", "there"]);
  });
});

describe("errors", () => {
  const structured = "2026-03-01";
  const legacy = "2025-04-16";

  /** The single error an input produced, checked against the version's strict schema. */
  function errorOf(d: Driver, out: CoreOutput[]) {
    const sends = out.filter((o) => o.kind === "send");
    expect(sends).toHaveLength(1);
    expect(out.some((o) => o.kind === "close" || o.kind === "drop")).toBe(false);
    const frame = (sends[0] as { data: string }).data;
    const parsed = strictServer(frame, d.version);
    expect(parsed.ok, JSON.stringify(parsed)).toBe(true);
    return JSON.parse(frame) as Record<string, unknown>;
  }

  const cases: { name: string; run: (d: Driver) => CoreOutput[]; status: number; code: string; context?: string; message?: RegExp }[] = [
    { name: "binary frame", run: (d) => d.binary(new Uint8Array([1, 2, 3])), status: 400, code: "invalid_request", message: /binary/ },
    { name: "non-JSON text", run: (d) => d.send("hello?"), status: 400, code: "invalid_request", message: /not JSON/ },
    { name: "unknown shape", run: (d) => d.send(JSON.stringify({ hello: "world" })), status: 400, code: "invalid_request", message: /model_id/ },
    {
      name: "unknown model",
      run: (d) => d.send(request("m", "Hi.", { model_id: "sonic-9000" })),
      status: 400,
      code: "model_not_found",
      context: "m",
      // The docs' own words (update D15).
      message: /The model is not valid, make sure it is a valid model ID\.$/,
    },
    {
      name: "empty voice id",
      run: (d) => d.send(request("v", "Hi.", { voice: { mode: "id", id: "" } })),
      status: 404,
      code: "voice_not_found",
      context: "v",
    },
    {
      name: "out-of-range field",
      run: (d) => d.send(request("r", "Hi.", { max_buffer_delay_ms: 99_999 })),
      status: 400,
      code: "invalid_request",
      context: "r",
      message: /max_buffer_delay_ms/,
    },
    {
      name: "unsupported sample rate",
      run: (d) => d.send(request("s", "Hi.", {}, base("pcm_s16le", 12345))),
      status: 400,
      code: "invalid_request",
      context: "s",
      message: /output_format\.sample_rate/,
    },
    {
      name: "input after continue:false",
      run: (d) => {
        d.send(request("e", "Hello.", { continue: false }));
        return d.send(request("e", "more", { continue: true }));
      },
      status: 400,
      code: "invalid_request",
      context: "e",
      message: /already ended/,
    },
    {
      name: "a repeated field that changes",
      run: (d) => {
        d.send(request("f", "Hello ", { continue: true }));
        return d.send(request("f", "there.", { continue: false, model_id: "sonic-3.5" }));
      },
      status: 400,
      code: "invalid_request",
      context: "f",
      message: /model_id/,
    },
    {
      name: "a different output_format on the same context",
      run: (d) => {
        d.send(request("g", "Hello ", { continue: true }));
        return d.send(request("g", "there.", { continue: false }, base("pcm_f32le", 24000)));
      },
      status: 400,
      code: "invalid_request",
      context: "g",
      message: /output_format/,
    },
  ];

  for (const c of cases) {
    it(`${c.name} → ${c.status} error, structured (2026-03-01)`, () => {
      const d = new Driver(structured);
      const e = errorOf(d, c.run(d));
      expect(e).toMatchObject({ type: "error", done: true, status_code: c.status, error_code: c.code, request_id: "req-1" });
      expect(typeof e.title).toBe("string");
      if (c.message) expect(e.message).toMatch(c.message);
      if (c.context) expect(e.context_id).toBe(c.context);
      else expect(e).not.toHaveProperty("context_id");
    });

    it(`${c.name} → ${c.status} error, legacy (2025-04-16)`, () => {
      const d = new Driver(legacy);
      const e = errorOf(d, c.run(d));
      expect(Object.keys(e).sort()).toEqual(["context_id", "done", "error", "status_code", "type"]);
      expect(e).toMatchObject({ type: "error", done: true, status_code: c.status, context_id: c.context ?? "" });
      expect(e.error).toMatch(/^[^:]+: /);
      if (c.message) expect(e.error).toMatch(c.message);
    });
  }

  it("2026-08-14 string voices: an empty one is 404 voice_not_found, a valid one works", () => {
    const d = new Driver("2026-08-14");
    const fields = { ...base(), voice: "" };
    const e = errorOf(d, d.send(request("s", "Hi.", {}, fields)));
    expect(e).toMatchObject({ type: "error", status_code: 404, error_code: "voice_not_found", context_id: "s" });
    d.send(request("ok", "Hi.", {}, { ...base(), voice: "voice-1" }));
    expect(d.of("ok").at(-1)?.type).toBe("done");
  });

  it("an error ends only its context: the socket and other contexts go on", () => {
    const d = new Driver();
    d.send(request("ok", "Hello ", { continue: true, max_buffer_delay_ms: 0 }));
    d.send(request("bad", "Hi.", { model_id: "nope" }));
    d.binary(new Uint8Array(4));
    d.send("garbage");
    d.send(request("ok", "world.", { continue: false, max_buffer_delay_ms: 0 }));
    expect(d.of("ok").at(-1)?.type).toBe("done");
    expect(d.outputs.some((o) => o.kind === "close" || o.kind === "drop")).toBe(false);
    // Only the client's own bad frames are flagged; the server's answers (errors without a context) are valid.
    const violations = d.lint();
    expect(violations).toHaveLength(3);
    for (const v of violations) expect(v).toMatchObject({ rule: "tts/valid-message", message: expect.stringMatching(/^client frame/) });
  });

  it("an error on an open context drops its buffered text and ends it", () => {
    const d = new Driver();
    d.send(request("c", "buffered", { continue: true }));
    const out = parsedSends(d.send(request("c", "more", { continue: true, voice: { mode: "id", id: "another" } })));
    expect(types(out)).toEqual(["error"]);
    // Its pending timer finds nothing to do.
    expect(d.tick("c")).toEqual([]);
    const again = parsedSends(d.send(request("c", "again", { continue: false })));
    expect(again[0]).toMatchObject({ type: "error", status_code: 400, context_id: "c" });
  });

  it("never throws on hostile input", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.json(), fc.uint8Array().map((b) => b as Uint8Array | string)), { maxLength: 10 }), (frames) => {
        const d = new Driver();
        for (const f of frames) {
          const out = typeof f === "string" ? d.send(f) : d.binary(f);
          for (const o of out) if (o.kind === "send") expect(strictServer(o.data, d.version).ok).toBe(true);
        }
      }),
      fcOptions,
    );
  });
});

describe("faults", () => {
  const fault = (f: object) => scenario({ faults: [f as never] });

  it("an error on the client's n-th message (from 0), fatal: error event then close 1011 (5xx) / 1008 (4xx)", () => {
    for (const [status, code] of [
      [503, 1011],
      [429, 1008],
    ] as const) {
      const d = new Driver("2026-03-01", fault({ at: { message: 1 }, action: { type: "error", status, code: "scripted", title: "Boom" } }));
      d.send(request("a", "Hello ", { continue: true, max_buffer_delay_ms: 0 }));
      const out = d.send(request("a", "world.", { continue: false }));
      expect(out.map((o) => o.kind)).toEqual(["send", "close"]);
      expect(parsedSends(out)[0]).toMatchObject({ type: "error", status_code: status, error_code: "scripted", title: "Boom", context_id: "a" });
      expect(out[1]).toEqual({ kind: "close", code, reason: "Boom" });
      // Dead after the close.
      expect(d.send(request("b", "x", { continue: false }))).toEqual([]);
      expect(d.tick("a")).toEqual([]);
    }
  });

  it("a non-fatal error ends only that context", () => {
    const d = new Driver("2026-03-01", fault({ at: { message: 0 }, action: { type: "error", status: 500, fatal: false } }));
    expect(types(parsedSends(d.send(request("a", "Hi.", { continue: false }))))).toEqual(["error"]);
    expect(d.send(request("b", "Hi.", { continue: false })).length).toBeGreaterThan(1);
  });

  it("a context that an error ended on its first message stays ended: no audio or done after the error", () => {
    const d = new Driver("2026-03-01", fault({ at: { message: 0 }, action: { type: "error", status: 500, fatal: false } }));
    expect(types(parsedSends(d.send(request("a", "Hi ", { continue: true }))))).toEqual(["error"]);
    const later = parsedSends(d.send(request("a", "there.", { continue: false })));
    expect(types(later)).toEqual(["error"]);
    expect(later[0]).toMatchObject({ context_id: "a", message: expect.stringMatching(/already ended/) });
  });

  it("an error after the n-th chunk (from 0) stops that context's audio", () => {
    const d = new Driver("2026-03-01", fault({ at: { event: "chunk", index: 1 }, action: { type: "error", status: 500, fatal: false } }));
    const out = parsedSends(d.send(request("a", "A long enough sentence for many chunks.", { continue: false })));
    expect(types(out)).toEqual(["chunk", "chunk", "error"]);
    expect(d.lint()).toEqual([]);
  });

  it("close with a code, and drop", () => {
    const closing = new Driver("2026-03-01", fault({ at: { event: "chunk", index: 0 }, action: { type: "close", code: 4001, reason: "bye" } }));
    const out = closing.send(request("a", "Hello there.", { continue: false }));
    expect(out.map((o) => o.kind)).toEqual(["send", "close"]);
    expect(out[1]).toEqual({ kind: "close", code: 4001, reason: "bye" });

    const dropping = new Driver("2026-03-01", fault({ at: { message: 0 }, action: { type: "drop" } }));
    expect(dropping.send(request("a", "Hello.", { continue: false }))).toEqual([{ kind: "drop" }]);
  });

  it("a stall delays the outputs that follow", () => {
    const d = new Driver("2026-03-01", fault({ at: { event: "chunk", index: 0 }, action: { type: "stall", seconds: 2 } }));
    const out = d.send(request("a", "Hello there, world.", { continue: false }));
    expect(out[0]).not.toHaveProperty("delayMs");
    expect(out[1]).toMatchObject({ kind: "send", delayMs: 2000 });
    expect(out.slice(2).every((o) => !("delayMs" in o))).toBe(true);
  });

  it("respects endpoints and connections", () => {
    const f = { at: { message: 0 }, action: { type: "drop" } };
    expect(new Driver("2026-03-01", fault({ ...f, endpoints: ["stt-v1"] })).send(request("a", "Hi.")).length).toBeGreaterThan(1);
    expect(new Driver("2026-03-01", fault({ ...f, connections: 1 }), { connection: 1 }).send(request("a", "Hi."))).toEqual([{ kind: "drop" }]);
    expect(new Driver("2026-03-01", fault({ ...f, connections: 1 }), { connection: 2 }).send(request("a", "Hi.")).length).toBeGreaterThan(1);
  });
});

describe("latency and pacing", () => {
  it("delays the first output of each generation by the scenario's ttsFirstChunk", () => {
    const d = new Driver("2026-03-01", scenario({ latency: { ttsFirstChunk: 250 } }));
    const first = d.send(request("a", "One. ", { continue: true, add_timestamps: true }));
    expect(first[0]).toMatchObject({ kind: "send", delayMs: 250 });
    expect(JSON.parse((first[0] as { data: string }).data).type).toBe("timestamps");
    expect(first.slice(1).every((o) => !("delayMs" in o))).toBe(true);
    const second = d.send(request("a", "Two.", { continue: false }));
    expect(second[0]).toMatchObject({ delayMs: 250 });
  });

  it("draws named profiles from the seed: same seed, same delays", () => {
    const run = (seed: number) => {
      const d = new Driver("2026-03-01", scenario({ latency: { ttsFirstChunk: "sonic-3.5-first-audio" } }), { seed });
      for (let i = 0; i < 5; i += 1) d.send(request(`c${i}`, "Hi.", { continue: false }));
      return d.outputs.flatMap((o) => ("delayMs" in o && o.delayMs !== undefined ? [o.delayMs] : []));
    };
    const a = run(1);
    expect(a).toHaveLength(5);
    for (const ms of a) expect(ms).toBeGreaterThanOrEqual(230);
    expect(run(1)).toEqual(a);
    expect(run(2)).not.toEqual(a);
  });

  it("paces chunks at tts.pace × real time: delays are cumulative from the request", () => {
    const d = new Driver("2026-03-01", scenario({ tts: { chunkMs: 100, pace: 2 } }));
    const out = d.send(request("a", "Hello there, world.", { continue: false }));
    const chunks = out.filter((o) => o.kind === "send" && JSON.parse(o.data).type === "chunk");
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks[0]).not.toHaveProperty("delayMs");
    // Chunk k is due k × 100 ms ÷ 2 after the request (each delay counts from when it was produced).
    chunks.slice(1).forEach((c, i) => expect((c as { delayMs: number }).delayMs).toBeCloseTo(50 * (i + 1), 9));
  });

  it("adds the first-chunk latency and a stall to every later paced chunk of the generation", () => {
    const paced = (faults: unknown[] = []) => {
      const d = new Driver("2026-03-01", scenario({ tts: { chunkMs: 100, pace: 2 }, latency: { ttsFirstChunk: 300 }, faults } as never));
      const out = d.send(request("a", "Hello there, world.", { continue: false }));
      return out.flatMap((o) => (o.kind === "send" && JSON.parse(o.data).type === "chunk" ? [o.delayMs ?? 0] : []));
    };
    const plain = paced();
    plain.forEach((ms, k) => expect(ms).toBeCloseTo(300 + 50 * k, 9));
    // A stall after chunk 1 pushes chunk 2 and, pacing kept, every chunk after it by 2 s.
    const stalled = paced([{ at: { event: "chunk", index: 1 }, action: { type: "stall", seconds: 2 } }]);
    expect(stalled).toHaveLength(plain.length);
    stalled.forEach((ms, k) => expect(ms).toBeCloseTo((plain[k] as number) + (k >= 2 ? 2000 : 0), 9));
  });

  it("a stall that lands inside a paced piece (after its timestamps) counts from that piece's due time", () => {
    const run = (faults: unknown[]) => {
      const d = new Driver("2026-03-01", scenario({ tts: { chunkMs: 100, pace: 2 }, latency: { ttsFirstChunk: 300 }, faults } as never));
      const out = d.send(request("a", "Hello there, world.", { continue: false, add_timestamps: true }));
      return out.flatMap((o) => (o.kind === "send" ? [{ type: JSON.parse(o.data).type as string, delay: o.delayMs ?? 0 }] : []));
    };
    const plain = run([]);
    const stalled = run([{ at: { event: "timestamps", index: 1 }, action: { type: "stall", seconds: 2 } }]);
    expect(stalled.map((m) => m.type)).toEqual(plain.map((m) => m.type));
    const j = plain.map((m, i) => (m.type === "timestamps" ? i : -1)).filter((i) => i >= 0)[1] as number;
    expect(plain[j + 1]).toEqual({ type: "chunk", delay: 0 }); // a chunk follows its timestamps by lane order
    stalled.forEach((m, i) => {
      const before = (plain[i] as { delay: number }).delay;
      // Up to the stall: unchanged. The chunk it lands on: its piece's due offset + 2 s. After: paced, + 2 s.
      const want = i <= j ? before : i === j + 1 ? (plain[j] as { delay: number }).delay + 2000 : before > 0 ? before + 2000 : 0;
      expect(m.delay).toBeCloseTo(want, 9);
    });
    expect(stalled.filter((m, i) => i > j + 1 && m.delay > 0).length).toBeGreaterThan(0);
  });

  it("puts each context's frames in the lane of its context_id; a frame with no context has no lane", () => {
    const d = new Driver();
    d.send(request("a", "One.", { continue: false }));
    d.send(request("b", "Two.", { continue: false }));
    d.binary(new Uint8Array([1, 2]));
    for (const o of d.outputs) {
      if (o.kind !== "send") continue;
      const m = JSON.parse(o.data) as { context_id?: string };
      if (m.context_id === undefined) expect(o).not.toHaveProperty("lane");
      else expect(o.lane).toBe(m.context_id);
    }
    const lanes = d.outputs.map((o) => (o.kind === "send" ? (o.lane ?? null) : o.kind));
    expect(lanes).toContain("a");
    expect(lanes).toContain("b");
    expect(lanes.at(-1)).toBeNull(); // the binary frame's error: no context
  });
});

describe("determinism and the grammar", () => {
  it("any grammar-valid session: same inputs twice → identical outputs, and the traffic lints clean", () => {
    fc.assert(
      fc.property(ttsSessionArb(), fc.constantFrom("2025-04-16", "2026-03-01"), (session, version) => {
        const frames = session.events.flatMap((e) => (e.from === "client" && "message" in e ? [tts.encodeClientMessage(e.message)] : []));
        const run = () => {
          const d = new Driver(version);
          for (const f of frames) d.send(f);
          for (const id of new Set(session.contexts.map((c) => c.id))) d.tick(id);
          return d;
        };
        const a = run();
        const b = run();
        expect(b.outputs).toEqual(a.outputs);
        expect(a.lint()).toEqual([]);
        for (const c of session.contexts) expect(a.of(c.id).at(-1)?.type).toBe("done");
      }),
      fcOptions,
    );
  });

  it("two cores never share state", () => {
    const frames = [request("a", "Hello ", { continue: true }), request("a", "world.", { continue: false })];
    const one = createTtsCore({ version: "2026-03-01", requestId: "r", scenario: scenario(), seed: 1, connection: 1 });
    const two = createTtsCore({ version: "2026-03-01", requestId: "r", scenario: scenario(), seed: 1, connection: 1 });
    const a = frames.flatMap((f) => one.step({ kind: "text", data: f }));
    two.step({ kind: "text", data: request("other", "noise.", { continue: false }) });
    const b = frames.flatMap((f) => two.step({ kind: "text", data: f }));
    const audio = (out: CoreOutput[]) => concat(parsedSends(out).filter((m) => m.type === "chunk").map((m) => fromBase64(m.data as string)));
    expect(sameBytes(audio(b), audio(a))).toBe(true);
  });
});
