import { lintSession, STT_ENCODINGS, type SttEncoding } from "@speechwire/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chunkBytes, createSttTurnsCore, createSttV1Core, detectSpeech, driveCore } from "../src/core/stt/index.js";
import { alawDecode, decodePcm, encodePcm, alawEncode, mulawEncode, mulawDecode } from "../src/core/pcm.js";
import type { CoreInput } from "../src/core/types.js";
import { scenarioSchema, type Scenario, type ScenarioInput } from "../src/scenario/schema.js";

const fcOptions = {
  numRuns: Number(process.env.FC_NUM_RUNS ?? 100),
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
};

/** Tone bursts (300 Hz, amplitude 0.3) over faint deterministic noise; `bursts` are [start, end] seconds. */
function tones(bursts: [number, number][], total: number, rate: number): Float32Array {
  const samples = new Float32Array(Math.round(total * rate));
  let seed = 12345;
  for (let i = 0; i < samples.length; i += 1) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const t = i / rate;
    const noise = ((seed / 2 ** 32) * 2 - 1) * 0.002;
    const loud = bursts.some(([a, b]) => t >= a && t < b);
    samples[i] = noise + (loud ? 0.3 * Math.sin(2 * Math.PI * 300 * t) : 0);
  }
  return samples;
}

const inputs = (bytes: Uint8Array, sizes: number[] = [640]): CoreInput[] => chunkBytes(bytes, sizes).map((data) => ({ kind: "audio", data }));
const vadScenario = (stt: Omit<NonNullable<ScenarioInput["stt"]>, "timing">): Scenario => scenarioSchema.parse({ name: "vad", stt: { timing: "vad", ...stt } });

describe("decoding every STT encoding", () => {
  it("decodes G.711 µ-law and A-law to the standard values", () => {
    expect([0xff, 0x7f, 0x00, 0x80, 0xf0].map(mulawDecode)).toEqual([0, 0, -32124, 32124, 120]);
    expect([0xd5, 0x55, 0xaa, 0x2a].map(alawDecode)).toEqual([8, -8, 32256, -32256]);
    for (let b = 0; b < 256; b += 1) {
      expect(mulawEncode(mulawDecode(b))).toBe(b === 0x7f ? 0xff : b); // −0 and +0 are the same level
      expect(alawEncode(alawDecode(b))).toBe(b);
    }
  });

  it("decodes half floats, 32-bit ints and floats, clamping and zeroing NaN", () => {
    const half = new Uint8Array([0x00, 0x3c, 0x00, 0x38, 0x00, 0xbc, 0x00, 0x7e, 0x00, 0x7c, 0x01, 0x00]);
    const h = [...decodePcm(half, "pcm_f16le")];
    expect(h.slice(0, 5)).toEqual([1, 0.5, -1, 0, 1]);
    expect(h[5]).toBeCloseTo(2 ** -24, 12);
    const s32 = new Uint8Array(new Int32Array([2 ** 30, -(2 ** 31)]).buffer);
    expect([...decodePcm(s32, "pcm_s32le")]).toEqual([0.5, -1]);
    const f32 = new Uint8Array(new Float32Array([0.25, 3, NaN]).buffer);
    expect([...decodePcm(f32, "pcm_f32le")]).toEqual([0.25, 1, 0]);
  });

  it("round-trips samples through every encoding within its precision", () => {
    const tolerance: Record<SttEncoding, number> = { pcm_s16le: 1e-4, pcm_s32le: 1e-7, pcm_f16le: 1e-3, pcm_f32le: 1e-7, pcm_mulaw: 0.02, pcm_alaw: 0.02 };
    fc.assert(
      fc.property(fc.constantFrom(...STT_ENCODINGS), fc.array(fc.double({ min: -0.99, max: 0.99, noNaN: true }), { maxLength: 64 }), (encoding, values) => {
        const back = decodePcm(encodePcm(values, encoding), encoding);
        expect(back).toHaveLength(values.length);
        values.forEach((v, i) => expect(Math.abs((back[i] as number) - v)).toBeLessThanOrEqual(tolerance[encoding] * Math.max(1, Math.abs(v) * 8)));
      }),
      fcOptions,
    );
  });
});

describe("detectSpeech", () => {
  const bursts: [number, number][] = [
    [0.5, 1],
    [1.6, 2.4],
    [3, 3.3],
  ];
  for (const [encoding, rate] of [
    ["pcm_s16le", 16000],
    ["pcm_mulaw", 8000],
    ["pcm_alaw", 8000],
    ["pcm_f32le", 24000],
    ["pcm_f16le", 16000],
    ["pcm_s32le", 16000],
  ] as const) {
    it(`finds tone bursts in ${encoding} at ${rate} Hz`, () => {
      const found = detectSpeech(encodePcm(tones(bursts, 4, rate), encoding), encoding, rate);
      expect(found).toHaveLength(3);
      found.forEach((segment, i) => {
        const [start, end] = bursts[i] as [number, number];
        expect(Math.abs(segment.start - start)).toBeLessThanOrEqual(0.021);
        expect(Math.abs(segment.end - end)).toBeLessThanOrEqual(0.021);
      });
    });
  }

  it("ignores a click shorter than the minimum speech and merges gaps shorter than the hangover", () => {
    const rate = 16000;
    const audio = encodePcm(
      tones(
        [
          [0.2, 0.21],
          [1, 1.5],
          [1.6, 2],
        ],
        3,
        rate,
      ),
      "pcm_s16le",
    );
    expect(detectSpeech(audio, "pcm_s16le", rate)).toEqual([{ start: 1, end: 2 }]);
    expect(detectSpeech(audio, "pcm_s16le", rate, { hangoverMs: 60 })).toEqual([
      { start: 1, end: 1.5 },
      { start: 1.6, end: 2 },
    ]);
  });
});

describe("timing: vad", () => {
  const RATE = 16000;
  const turnsQuery = { model: "ink-2", encoding: "pcm_s16le", sample_rate: RATE } as const;
  const turns = (s: Scenario, q: { encoding: string; sample_rate: number } = turnsQuery) =>
    createSttTurnsCore({ query: { ...turnsQuery, ...q }, version: "2026-03-01", requestId: "r", scenario: s, seed: 1, connection: 1 });
  const v1 = (s: Scenario, extra: { min_volume?: number } = {}) =>
    createSttV1Core({ query: { model: "ink-whisper", encoding: "pcm_s16le", sample_rate: RATE, ...extra }, version: "2026-03-01", requestId: "r", scenario: s, seed: 1, connection: 1 });
  const script = vadScenario({ turns: [{ segments: [{ say: "hello there" }] }, { segments: [{ say: "how are you today" }] }] });
  const speech = (bursts: [number, number][], total: number, encoding: SttEncoding = "pcm_s16le", rate = RATE) => encodePcm(tones(bursts, total, rate), encoding);
  const close: CoreInput = { kind: "text", data: '{"type":"close"}' };
  const events = (sent: string[]) => sent.map((f) => JSON.parse(f) as { type: string; transcript?: string });

  it("turns the i-th stretch of speech into the i-th turn, its words spread over the speech", () => {
    const result = driveCore(turns(script), [...inputs(speech([[0.5, 1.5], [2.5, 3.2]], 4.2)), close]);
    expect(events(result.sent)).toEqual([
      { type: "connected", request_id: "r" },
      { type: "turn.start", request_id: "r" },
      { type: "turn.update", transcript: "hello", request_id: "r" },
      { type: "turn.update", transcript: "hello there", request_id: "r" },
      { type: "turn.eager_end", transcript: "hello there", request_id: "r" },
      { type: "turn.end", transcript: "hello there", request_id: "r" },
      { type: "turn.start", request_id: "r" },
      { type: "turn.update", transcript: "how", request_id: "r" },
      { type: "turn.update", transcript: "how are", request_id: "r" },
      { type: "turn.eager_end", transcript: "how are", request_id: "r" },
      // The speech ended before every word was revealed: the end carries them all.
      { type: "turn.end", transcript: "how are you today", request_id: "r" },
    ]);
    expect(lintSession("stt-turns", result.events, { strictness: "strict" })).toEqual([]);
  });

  it("sends eager_end on a short pause and resume when speech comes back", () => {
    const result = driveCore(turns(script), [...inputs(speech([[0.5, 1], [1.3, 2]], 3)), close]);
    expect(events(result.sent).map((e) => e.type)).toEqual([
      "connected",
      "turn.start",
      "turn.update",
      "turn.eager_end",
      "turn.resume",
      "turn.update",
      "turn.eager_end",
      "turn.end",
    ]);
    expect(lintSession("stt-turns", result.events, { strictness: "strict" })).toEqual([]);
  });

  it("ignores speech after a script that stops, and sends nothing without speech", () => {
    const three = driveCore(turns(script), [...inputs(speech([[0.5, 1.5], [2.5, 3.5], [4.5, 5.5]], 6.5)), close]);
    expect(events(three.sent).filter((e) => e.type === "turn.end").map((e) => e.transcript)).toEqual(["hello there", "how are you today"]);
    expect(driveCore(turns(script), [...inputs(speech([], 3)), close]).sent).toHaveLength(1);
  });

  it("drains at close: mid-speech keeps the words revealed, after the speech all the words", () => {
    const mid = driveCore(turns(script), [...inputs(speech([[0.5, 2]], 0.9)), close]);
    expect(events(mid.sent).at(-1)).toMatchObject({ type: "turn.end", transcript: "hello" });
    const after = driveCore(turns(vadScenario({ turns: [{ segments: [{ say: "a b c d e" }] }] })), [...inputs(speech([[0.5, 1]], 1.25)), close]);
    expect(events(after.sent).at(-1)).toMatchObject({ type: "turn.end", transcript: "a b c d e" });
    for (const r of [mid, after]) expect(lintSession("stt-turns", r.events, { strictness: "strict" })).toEqual([]);
  });

  it("stt-v1: an utterance per stretch, finalized after max_silence of silence", () => {
    const result = driveCore(v1(script), [...inputs(speech([[0.5, 1.5], [2.5, 3.2]], 4.2)), { kind: "text", data: "close" }]);
    const finals = result.sent.map((f) => JSON.parse(f)).filter((m) => m.type === "transcript" && m.is_final);
    expect(finals.map((f) => f.text)).toEqual(["hello there", " how are you today"]);
    expect(finals[1].words.map((w: { word: string }) => w.word)).toEqual(["how", "are", "you", "today"]);
    for (const f of finals) for (const w of f.words) expect(w.end).toBeGreaterThanOrEqual(w.start);
    expect(lintSession("stt-v1", result.events, { strictness: "strict" })).toEqual([]);
    // min_volume (ink-whisper) raises the threshold above the tones: nothing is heard.
    expect(driveCore(v1(script, { min_volume: 0.5 }), inputs(speech([[0.5, 1.5]], 3))).sent).toEqual([]);
  });

  it("gives the same frames for any chunking, in any encoding", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<[SttEncoding, number]>(["pcm_s16le", 16000], ["pcm_mulaw", 8000], ["pcm_f32le", 8000], ["pcm_alaw", 8000]),
        fc.array(fc.integer({ min: 1, max: 4000 }), { minLength: 1, maxLength: 5 }).map((s) => [...s, 2000]),
        ([encoding, rate], sizes) => {
          const bytes = speech([[0.3, 1.1], [1.4, 2.2], [3, 3.5]], 4.5, encoding, rate);
          const q = { encoding, sample_rate: rate };
          const reference = driveCore(turns(script, q), [{ kind: "audio", data: bytes }, close]).outputs;
          expect(driveCore(turns(script, q), [...inputs(bytes, sizes), close]).outputs).toEqual(reference);
          expect(reference.length).toBeGreaterThan(5);
        },
      ),
      { ...fcOptions, numRuns: Math.min(fcOptions.numRuns, 40) },
    );
  });
});
