import { ttsBytes, ttsSse, TTS_ENCODINGS, TTS_SAMPLE_RATES } from "@speechwire/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mp3Frames, sseEvents, synthesizeBytes, WAV_FORMAT_CODES, type SseControl } from "../src/core/tts/index.js";
import { decodePcm } from "../src/core/pcm.js";
import { parseWav } from "../src/core/wav.js";
import { base, concat, Driver, fcOptions, fromBase64, request, sameBytes, scenario, timestampsOf } from "./core-tts-helpers.js";

const TEXT = 'Hello there, <spell>A1</spell>. <break time="200ms"/>Bye!';

/** A validated `/tts/bytes` request. */
function bytesRequest(transcript: string, outputFormat: object, extra: object = {}): ttsBytes.Request {
  const parsed = ttsBytes.parseRequest(
    JSON.stringify({ model_id: "sonic-3", transcript, voice: { mode: "id", id: "v" }, output_format: outputFormat, ...extra }),
    { strictness: "validating" },
  );
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}

/** The event texts of an SSE stream (a scenario without faults has nothing else). */
const texts = (stream: Iterable<string | SseControl>) => [...stream].map((e) => (typeof e === "string" ? e : `control ${JSON.stringify(e)}`));

/** A validated `/tts/sse` request. */
function sseRequest(transcript: string, extra: object = {}, encoding = "pcm_s16le", sampleRate = 24000): ttsSse.Request {
  const parsed = ttsSse.parseRequest(
    JSON.stringify({ model_id: "sonic-3", transcript, voice: { mode: "id", id: "v" }, output_format: { container: "raw", encoding, sample_rate: sampleRate }, ...extra }),
    { strictness: "validating" },
  );
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}

/** The same text over the WebSocket core, as one `continue:false` request. */
function wsAudio(transcript: string, encoding: (typeof TTS_ENCODINGS)[number], sampleRate: number, extra: object = {}) {
  const d = new Driver();
  d.send(request("c", transcript, { continue: false, ...extra }, base(encoding, sampleRate)));
  return d;
}

describe("POST /tts/bytes", () => {
  it("raw: the same bytes, in the same chunks, as the WebSocket path", () => {
    fc.assert(
      fc.property(fc.constantFrom(...TTS_ENCODINGS), fc.constantFrom(...TTS_SAMPLE_RATES), (encoding, rate) => {
        const out = synthesizeBytes(bytesRequest(TEXT, { container: "raw", encoding, sample_rate: rate }), scenario());
        expect(out.contentType).toBe("application/octet-stream");
        const ws = wsAudio(TEXT, encoding, rate);
        const wsChunks = ws.of("c").filter((m) => m.type === "chunk").map((m) => fromBase64(m.data as string));
        const chunks = [...out.chunks];
        expect(chunks.length).toBe(wsChunks.length);
        chunks.forEach((c, i) => expect(sameBytes(c, wsChunks[i] as Uint8Array)).toBe(true));
      }),
      { ...fcOptions, numRuns: Math.min(fcOptions.numRuns, 24) },
    );
  });

  for (const encoding of TTS_ENCODINGS) {
    it(`wav (${encoding}): the header comes first, then the WebSocket audio`, () => {
      const out = synthesizeBytes(bytesRequest(TEXT, { container: "wav", encoding, sample_rate: 16000 }), scenario());
      expect(out.contentType).toBe("audio/wav");
      const chunks = [...out.chunks];
      const header = chunks[0] as Uint8Array;
      const whole = concat(chunks);
      const info = parseWav(whole);
      expect(info?.format).toBe(WAV_FORMAT_CODES[encoding]);
      expect(info?.sampleRate).toBe(16000);
      expect(info?.dataOffset).toBe(header.length);
      expect(info?.dataBytes).toBe(whole.length - header.length);
      expect(sameBytes(whole.subarray(header.length), wsAudio(TEXT, encoding, 16000).audio("c"))).toBe(true);
    });
  }

  it("mp3: valid frames at the requested rates, as long as the audio", () => {
    for (const [rate, bitRate] of [
      [24000, 128000],
      [22050, 64000],
      [44100, 96000],
    ] as const) {
      const out = synthesizeBytes(bytesRequest(TEXT, { container: "mp3", sample_rate: rate, bit_rate: bitRate }), scenario());
      expect(out.contentType).toBe("audio/mpeg");
      const mp3 = concat([...out.chunks]);
      const { frames, end } = mp3Frames(mp3);
      expect(end).toBe(mp3.length);
      expect(frames.every((f) => f.sampleRate === rate && f.bitRate === bitRate)).toBe(true);
      const seconds = wsAudio(TEXT, "pcm_s16le", rate).audio("c").length / 2 / rate;
      const mp3Seconds = (frames.length * (frames[0]?.samples ?? 0)) / rate;
      expect(mp3Seconds).toBeGreaterThanOrEqual(seconds);
      expect(mp3Seconds - seconds).toBeLessThan(0.2);
    }
  });

  it("honours generation_config like the WebSocket path", () => {
    const gc = { generation_config: { speed: 1.5, volume: 2 } };
    const out = synthesizeBytes(bytesRequest(TEXT, { container: "raw", encoding: "pcm_f32le", sample_rate: 24000 }, gc), scenario());
    const audio = concat([...out.chunks]);
    expect(sameBytes(audio, wsAudio(TEXT, "pcm_f32le", 24000, gc).audio("c"))).toBe(true);
    const plain = synthesizeBytes(bytesRequest(TEXT, { container: "raw", encoding: "pcm_f32le", sample_rate: 24000 }), scenario());
    expect(audio.length).toBeLessThan(concat([...plain.chunks]).length);
  });
});

describe("POST /tts/sse", () => {
  it("data: <json> events — timestamps, phoneme timestamps and chunks — ending with done; the WebSocket audio", () => {
    const events = texts(sseEvents(sseRequest(TEXT, { context_id: "sse-1", add_timestamps: true, add_phoneme_timestamps: true }), scenario(), "req-9"));
    const decoder = new ttsSse.SseDecoder();
    const data = events.flatMap((e) => {
      expect(e).toMatch(/^data: \{.*\}\n\n$/s);
      return decoder.push(e);
    });
    expect(data).toHaveLength(events.length);
    const parsed = data.map((d) => {
      const r = ttsSse.parseEvent(d, { strictness: "strict" });
      expect(r.ok, d).toBe(true);
      return JSON.parse(d) as Record<string, unknown>;
    });
    expect(parsed.at(-1)).toEqual({ type: "done", done: true, status_code: 206, context_id: "sse-1" });
    expect(parsed.every((p) => p.context_id === "sse-1")).toBe(true);
    expect(new Set(parsed.map((p) => p.type))).toEqual(new Set(["timestamps", "phoneme_timestamps", "chunk", "done"]));
    const audio = concat(parsed.filter((p) => p.type === "chunk").map((p) => fromBase64(p.data as string)));
    const ws = wsAudio(TEXT, "pcm_s16le", 24000, { add_timestamps: true, add_phoneme_timestamps: true });
    expect(sameBytes(audio, ws.audio("c"))).toBe(true);
    expect(timestampsOf(parsed)).toEqual(timestampsOf(ws.of("c")));
    expect(decodePcm(audio, "pcm_s16le").length).toBeGreaterThan(0);
  });

  it("without timestamps: only chunks and done; the request id stands in for a missing context_id", () => {
    const parsed = texts(sseEvents(sseRequest("Hi."), scenario(), "req-9")).map((e) => JSON.parse(e.slice(6)) as Record<string, unknown>);
    expect(new Set(parsed.map((p) => p.type))).toEqual(new Set(["chunk", "done"]));
    expect(parsed.every((p) => p.context_id === "req-9")).toBe(true);
  });

  describe("scenario faults for tts-sse", () => {
    const error = { type: "error" as const, status: 503, code: "overloaded", title: "Overloaded", message: "Try again.", fatal: false };
    const run = (faults: object[], shape: "structured" | "legacy" = "structured", connection = 1) =>
      [...sseEvents(sseRequest(TEXT, { context_id: "f" }), scenario({ faults: faults as never }), "req-9", { shape, connection })];
    const typeOf = (e: string | SseControl) => (typeof e === "string" ? (JSON.parse(e.slice(e.indexOf("data: ") + 6)) as { type: string }).type : e);

    it("an error after the n-th event of a type: `event: error` then the error, in the session's shape, and the stream ends", () => {
      const out = run([{ at: { event: "chunk", index: 1 }, action: error }]);
      expect(out.map(typeOf)).toEqual(["chunk", "chunk", "error"]);
      const last = out.at(-1) as string;
      expect(last).toMatch(/^event: error\ndata: \{.*\}\n\n$/s);
      const data = last.slice("event: error\ndata: ".length);
      expect(JSON.parse(data)).toEqual({ type: "error", done: true, status_code: 503, error_code: "overloaded", title: "Overloaded", message: "Try again.", request_id: "req-9", context_id: "f" });
      expect(ttsSse.parseEvent(data, { strictness: "strict", version: "2026-03-01" }).ok).toBe(true);
      const legacy = run([{ at: { event: "chunk", index: 1 }, action: error }], "legacy").at(-1) as string;
      const legacyData = legacy.slice("event: error\ndata: ".length);
      expect(JSON.parse(legacyData)).toEqual({ type: "error", done: true, error: "Overloaded: Try again.", status_code: 503, context_id: "f" });
      expect(ttsSse.parseEvent(legacyData, { strictness: "strict", version: "2025-04-16" }).ok).toBe(true);
    });

    it("{message: 0} fires in place of the request; close ends without done; drop and stall come out for the writer", () => {
      expect(run([{ at: { message: 0 }, action: error }]).map(typeOf)).toEqual(["error"]);
      expect(run([{ at: { event: "chunk", index: 0 }, action: { type: "close", code: 1000 } }]).map(typeOf)).toEqual(["chunk"]);
      expect(run([{ at: { event: "chunk", index: 0 }, action: { type: "drop" } }]).map(typeOf)).toEqual(["chunk", { drop: true }]);
      const stalled = run([{ at: { event: "chunk", index: 0 }, action: { type: "stall", seconds: 0.5 } }]).map(typeOf);
      expect(stalled.slice(0, 2)).toEqual(["chunk", { stallMs: 500 }]);
      expect(stalled.at(-1)).toBe("done");
    });

    it("keeps to faults for tts-sse (or for every endpoint) and to their first connections", () => {
      const at = { event: "chunk", index: 0 };
      expect(run([{ at, action: error, endpoints: ["tts"] }]).map(typeOf).at(-1)).toBe("done");
      expect(run([{ at, action: error, endpoints: ["tts-sse"] }]).map(typeOf).at(-1)).toBe("error");
      expect(run([{ at, action: error, connections: 1 }], "structured", 2).map(typeOf).at(-1)).toBe("done");
    });
  });
});
