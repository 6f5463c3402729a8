/**
 * The lazy renderer against the reference: `LazyGeneration` (what the servers send, one chunk at a
 * time) gives exactly the pieces `renderGeneration` (the whole-generation renderer) gives, and the
 * streamed `/tts/bytes` body is exactly the whole-buffer one, for generated transcripts with tags in
 * every encoding, sample rate, chunk size and speed.
 */
import fc from "fast-check";
import { bytesPerSample, TTS_ENCODINGS, TTS_SAMPLE_RATES, type TtsEncoding } from "@speechwire/protocol";
import { describe, expect, it } from "vitest";
import {
  clearToneCache,
  encodeMp3,
  initialSynthState,
  initialTextState,
  parseTranscript,
  planGeneration,
  planSynthesis,
  PlanRenderer,
  renderGeneration,
  streamGeneration,
  synthesize,
  synthesizeBytes,
  TextPlanner,
  tokenize,
  TONE_CACHE,
  toneCacheStats,
  wavHeader,
  type GenerationPiece,
  type SynthConfig,
} from "../src/core/tts/index.js";
import { encodePcm } from "../src/core/pcm.js";
import { concat, fcOptions, sameBytes, scenario } from "./core-tts-helpers.js";

const wordArb = fc.oneof(fc.stringMatching(/^[A-Za-z0-9']{1,9}$/), fc.constantFrom("héllo", "日本語", "naïve", "😀ok", "Straße", "-", "ça"));
const gapArb = fc.constantFrom(" ", "  ", ", ", ". ", "! ", "? ", "\n", "; ", " — ", "");
const tagArb = fc.oneof(
  fc.integer({ min: 0, max: 900 }).map((ms) => `<break time="${ms}ms"/>`),
  fc.integer({ min: 6, max: 15 }).map((r) => `<speed ratio="${r / 10}"/>`),
  fc.integer({ min: 5, max: 20 }).map((r) => `<volume ratio="${r / 10}"/>`),
  fc.constant('<emotion value="excited"/>'),
  fc.constant("<pause>"),
  fc.constant("<brea"),
  fc.stringMatching(/^[A-Z0-9-]{1,5}$/).map((s) => `<spell>${s}</spell>`),
);
/** Transcripts of words, gaps and tags (tags may touch words; one may be malformed). */
const textArb = fc
  .array(fc.tuple(wordArb, gapArb, fc.option(tagArb, { freq: 3 })), { minLength: 0, maxLength: 24 })
  .map((parts) => parts.map(([w, g, t]) => `${t ?? ""}${w}${g}`).join(""));
const configArb = fc.record({
  speed: fc.integer({ min: 6, max: 15 }).map((r) => r / 10),
  volume: fc.integer({ min: 5, max: 20 }).map((r) => r / 10),
});
/** Chunk lengths in ms: tiny, odd, the defaults, and longer than most generations. */
const chunkArb = fc.oneof(fc.constantFrom(1, 7, 20, 100, 333, 5000), fc.integer({ min: 1, max: 400 }));
const wantArb = fc.record({ words: fc.boolean(), phonemes: fc.boolean() });

/** Every piece of a lazy generation. */
function lazyPieces(text: string, rate: number, config: SynthConfig, encoding: TtsEncoding, chunkMs: number, want: { words: boolean; phonemes: boolean }) {
  const state = initialSynthState(rate);
  const lazy = planGeneration(parseTranscript(text), state, config, { encoding, sampleRate: rate }, chunkMs, want);
  const pieces: GenerationPiece[] = [];
  for (let p = lazy.next(); p; p = lazy.next()) pieces.push(p);
  return { lazy, pieces, state };
}

describe("LazyGeneration", () => {
  it("gives exactly renderGeneration's pieces: data, samples, step_time, word and phoneme timestamps; and the same synth state after", () => {
    fc.assert(
      fc.property(textArb, configArb, fc.constantFrom(...TTS_ENCODINGS), fc.constantFrom(...TTS_SAMPLE_RATES), chunkArb, wantArb, (text, config, encoding, rate, chunkMs, want) => {
        const refState = initialSynthState(rate);
        const ref = renderGeneration(parseTranscript(text), refState, config, { encoding, sampleRate: rate }, chunkMs, want);
        const { lazy, pieces, state } = lazyPieces(text, rate, config, encoding, chunkMs, want);
        expect(lazy.samples).toBe(ref.samples);
        expect(lazy.pieceCount).toBe(ref.pieces.length);
        expect(pieces).toEqual(ref.pieces);
        expect(state).toEqual(refState);
        // The outline (for counting messages ahead) matches the pieces.
        expect([...lazy.outline()]).toEqual(ref.pieces.map((p) => ({ samples: p.samples, words: p.words !== undefined, phonemes: p.phonemes !== undefined })));
      }),
      fcOptions,
    );
  });

  it("continues a context's timeline: a second generation on the same state matches the reference too", () => {
    fc.assert(
      fc.property(textArb, textArb, fc.constantFrom(...TTS_SAMPLE_RATES), chunkArb, (first, second, rate, chunkMs) => {
        const want = { words: true, phonemes: true };
        const format = { encoding: "pcm_s16le" as const, sampleRate: rate };
        const refState = initialSynthState(rate);
        const lazyState = initialSynthState(rate);
        for (const text of [first, second]) {
          const ref = renderGeneration(parseTranscript(text), refState, { speed: 1, volume: 1 }, format, chunkMs, want);
          const lazy = planGeneration(parseTranscript(text), lazyState, { speed: 1, volume: 1 }, format, chunkMs, want);
          const pieces: GenerationPiece[] = [];
          for (let p = lazy.next(); p; p = lazy.next()) pieces.push(p);
          expect(pieces).toEqual(ref.pieces);
        }
        expect(lazyState).toEqual(refState);
      }),
      fcOptions,
    );
  });

  it("PlanRenderer renders synthesize's samples bit for bit, however the stretches are cut", () => {
    fc.assert(
      fc.property(textArb, configArb, fc.constantFrom(...TTS_SAMPLE_RATES), fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 6 }), (text, config, rate, cuts) => {
        const whole = synthesize(parseTranscript(text), initialSynthState(rate), config).samples;
        const renderer = new PlanRenderer(planSynthesis(parseTranscript(text), initialSynthState(rate), config));
        const parts: Float32Array[] = [];
        for (let i = 0; renderer.rendered < whole.length; i += 1) parts.push(renderer.next(cuts[i % cuts.length] as number));
        expect(renderer.next(10).length).toBe(0);
        expect(renderer.more()).toBe(false);
        const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
        expect(sameBytes(concat(parts.map(bytes)), bytes(whole))).toBe(true);
      }),
      fcOptions,
    );
  });
});

describe("the tone cache", () => {
  /** Renders a text with the lazy renderer in stretches of `cut` samples: as floats, or encoded (`nextEncoded`). */
  const render = (text: string, config: SynthConfig, rate: number, cut: number, encoding?: TtsEncoding) => {
    const renderer = new PlanRenderer(planSynthesis(parseTranscript(text), initialSynthState(rate), config));
    const parts: Uint8Array[] = [];
    while (renderer.more()) {
      const p = encoding ? renderer.nextEncoded(cut, encoding) : renderer.next(cut);
      // A copy: `nextEncoded` reuses its memory on the next call.
      parts.push(new Uint8Array(p.buffer.slice(p.byteOffset, p.byteOffset + p.byteLength)));
    }
    return concat(parts);
  };

  it("changes no byte: cold, warm, evicting at every tone and not caching at all render what synthesize and encodePcm give", () => {
    const limits = { ...TONE_CACHE };
    try {
      fc.assert(
        fc.property(textArb, configArb, fc.constantFrom(...TTS_SAMPLE_RATES), fc.integer({ min: 1, max: 3000 }), fc.constantFrom(...TTS_ENCODINGS), (text, config, rate, cut, encoding) => {
          const whole = synthesize(parseTranscript(text), initialSynthState(rate), config).samples;
          const floats = new Uint8Array(whole.buffer, whole.byteOffset, whole.byteLength);
          const encoded = encodePcm(whole, encoding);
          const check = () => {
            expect(sameBytes(render(text, config, rate, cut), floats)).toBe(true);
            expect(sameBytes(render(text, config, rate, cut, encoding), encoded)).toBe(true);
          };
          Object.assign(TONE_CACHE, limits);
          clearToneCache();
          check(); // cold: each tone seen once, then cached on the second rendering
          check(); // warm: samples and bytes copied from the cache
          Object.assign(TONE_CACHE, { maxBytes: 1 }); // each new tone or encoding evicts the ones before
          check();
          check();
          Object.assign(TONE_CACHE, { maxToneSamples: 0 }); // no tone cached: rendered sample by sample
          check();
        }),
        fcOptions,
      );
    } finally {
      Object.assign(TONE_CACHE, limits);
    }
  });

  it("stays within its budget however many different words it is asked for, in however many encodings", () => {
    clearToneCache();
    const words = Array.from({ length: 4000 }, (_, i) => `w${i.toString(36)}x${(i * 7919).toString(36)}`).join(" ");
    const config = { speed: 1, volume: 1 };
    render(words, config, 48000, 4800, "pcm_s16le");
    // Asked for once, nothing is cached; the second time, every tone is.
    expect(toneCacheStats()).toMatchObject({ tones: 0, bytes: 0 });
    for (const encoding of TTS_ENCODINGS) render(words, config, 48000, 4800, encoding);
    const { tones, bytes } = toneCacheStats();
    expect(bytes).toBeLessThanOrEqual(TONE_CACHE.maxBytes);
    // Full, not emptied: the most recent tones are kept (a tone with all four encodings is at most 11 bytes a sample).
    expect(bytes).toBeGreaterThan(TONE_CACHE.maxBytes - 11 * TONE_CACHE.maxToneSamples);
    expect(tones).toBeLessThan(4000);
    expect(tones).toBeGreaterThan(0);
  });

  it("stops churning on text that does not repeat, and still takes in text that starts to", () => {
    clearToneCache();
    const config = { speed: 1, volume: 1 };
    const novel = (from: number, count: number) => Array.from({ length: count }, (_, i) => `n${(from + i).toString(36)}q`).join(" ");
    // Fill the cache: every word twice (the second time caches it).
    for (let batch = 0; toneCacheStats().bytes < TONE_CACHE.maxBytes - 4 * TONE_CACHE.maxToneSamples; batch += 1) {
      render(novel(batch * 500, 500), config, 48000, 4800);
      render(novel(batch * 500, 500), config, 48000, 4800);
    }
    // Full, and missing: 2,000 more words seen twice each would each have evicted a tone or more; about
    // one in 16 is taken in (a tone may evict two smaller ones).
    const before = toneCacheStats().evictions;
    render(novel(1e6, 2000), config, 48000, 4800);
    render(novel(1e6, 2000), config, 48000, 4800);
    const churned = toneCacheStats().evictions - before;
    expect(churned).toBeLessThanOrEqual(2000 / 8);
    // A text that repeats gets in anyway, and then hits.
    const repeated = "the parts shipped this morning and should arrive by friday";
    for (let i = 0; i < 60; i += 1) render(repeated, config, 48000, 4800);
    const { lookups, hits } = toneCacheStats();
    const after = toneCacheStats();
    render(repeated, config, 48000, 4800);
    expect(toneCacheStats().hits - after.hits).toBe(repeated.split(" ").length);
    expect(hits).toBeGreaterThan(0);
    expect(lookups).toBeGreaterThan(hits);
  });
});

describe("planning a window at a time (TextPlanner, streamGeneration)", () => {
  /** Window sizes down to one character, so words, spaces and tags are cut at every place. */
  const windowArb = fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 13, max: 400 }));

  it("gives renderGeneration's pieces and the same tokenizer and synth states after, whatever the window", () => {
    fc.assert(
      fc.property(textArb, configArb, fc.constantFrom(...TTS_ENCODINGS), fc.constantFrom(...TTS_SAMPLE_RATES), chunkArb, wantArb, windowArb, (text, config, encoding, rate, chunkMs, want, window) => {
        const refState = initialSynthState(rate);
        const tokenized = tokenize(text, initialTextState(), "final");
        const ref = renderGeneration(tokenized.tokens, refState, config, { encoding, sampleRate: rate }, chunkMs, want);
        const { generation, planner } = streamGeneration(text, initialTextState(), initialSynthState(rate), config, { encoding, sampleRate: rate }, chunkMs, want, window);
        expect(generation.hasAudio()).toBe(ref.samples > 0);
        const pieces: GenerationPiece[] = [];
        for (let p = generation.next(); p; p = generation.next()) pieces.push(p);
        expect(pieces).toEqual(ref.pieces);
        expect(planner.done).toBe(true);
        expect(planner.planned).toBe(ref.samples);
        expect(planner.synth).toEqual(refState);
        expect(planner.textState).toEqual(tokenized.state);
      }),
      fcOptions,
    );
  });

  it("endStates() works out the states after the text midway, without moving the planner", () => {
    fc.assert(
      fc.property(textArb, textArb, windowArb, fc.nat(6), (first, second, window, taken) => {
        const text = first + second;
        const rate = 16000;
        const whole = tokenize(text, initialTextState(), "final");
        const refState = initialSynthState(rate);
        planSynthesis(whole.tokens, refState, { speed: 1, volume: 1 });
        const planner = new TextPlanner(text, initialTextState(), initialSynthState(rate), { speed: 1, volume: 1 }, window);
        for (let i = 0; i < taken; i += 1) planner.next();
        const before = { planned: planner.planned, synth: { ...planner.synth }, text: { ...planner.textState } };
        const end = planner.endStates();
        expect(end.synth).toEqual(refState);
        expect(end.textState).toEqual(whole.state);
        expect({ planned: planner.planned, synth: planner.synth, text: planner.textState }).toEqual(before);
      }),
      fcOptions,
    );
  });
});

/** A validated-enough `/tts/bytes` request (the core takes parsed requests). */
function bytesRequest(transcript: string, outputFormat: Record<string, unknown>, config: SynthConfig) {
  return { model_id: "sonic-3", transcript, voice: { mode: "id", id: "v" }, output_format: outputFormat, generation_config: config } as never;
}

describe("streamed /tts/bytes against the whole-buffer body", () => {
  it("raw and WAV: the same bytes in the same chunks as encoding the whole synthesis at once", () => {
    fc.assert(
      fc.property(textArb, configArb, fc.constantFrom(...TTS_ENCODINGS), fc.constantFrom(...TTS_SAMPLE_RATES), chunkArb, fc.constantFrom("raw", "wav"), (text, config, encoding, rate, chunkMs, container) => {
        const whole = encodePcm(synthesize(parseTranscript(text), initialSynthState(rate), config).samples, encoding);
        const out = synthesizeBytes(bytesRequest(text, { container, encoding, sample_rate: rate }, config), scenario({ tts: { chunkMs } }));
        const chunks = [...out.chunks];
        const step = Math.max(1, Math.round((chunkMs * rate) / 1000)) * bytesPerSample(encoding);
        const expected: Uint8Array[] = container === "wav" ? [wavHeader(encoding, rate, whole.length)] : [];
        for (let at = 0; at < whole.length; at += step) expected.push(whole.subarray(at, at + step));
        expect(chunks.length).toBe(expected.length);
        chunks.forEach((c, i) => expect(sameBytes(c, expected[i] as Uint8Array)).toBe(true));
      }),
      { ...fcOptions, numRuns: Math.min(fcOptions.numRuns, 60) },
    );
  });

  it("MP3: LAME fed block by block gives the bytes of encoding the whole synthesis at once", () => {
    fc.assert(
      fc.property(textArb, configArb, fc.constantFrom(8000, 16000, 22050, 24000, 44100, 48000), fc.constantFrom(32000, 64000, 128000), (text, config, rate, bitRate) => {
        const whole = concat(encodeMp3(synthesize(parseTranscript(text), initialSynthState(rate), config).samples, rate, bitRate));
        const out = synthesizeBytes(bytesRequest(text, { container: "mp3", sample_rate: rate, bit_rate: bitRate }, config), scenario());
        expect(sameBytes(concat([...out.chunks]), whole)).toBe(true);
      }),
      { ...fcOptions, numRuns: Math.min(fcOptions.numRuns, 12) },
    );
  });
});
