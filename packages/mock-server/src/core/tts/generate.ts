/**
 * One generation: tokens → audio → chunks with their word/phoneme timestamps. Shared by the WebSocket
 * core and `/tts/sse` (and, for the audio itself, `/tts/bytes`), so every path gives the same bytes.
 */
import { bytesPerSample, type TtsEncoding } from "@speechwire/protocol";
import { encodePcm } from "../pcm.js";
import {
  PhonemeCursor,
  phonemeSpans,
  planSynthesis,
  PlanRenderer,
  synthesize,
  toBase64,
  WordCursor,
  type PlannedAudio,
  type SynthConfig,
  type SynthState,
  type WordSpan,
} from "./synth.js";
import type { Token } from "./text.js";

/** Raw output: encoding and sample rate. */
export interface RawFormat {
  encoding: TtsEncoding;
  sampleRate: number;
}

/** Word timings as the wire carries them (seconds, parallel arrays). */
export interface WordTimestamps {
  words: string[];
  start: number[];
  end: number[];
}

/** Phoneme timings as the wire carries them. */
export interface PhonemeTimestamps {
  phonemes: string[];
  start: number[];
  end: number[];
}

/** One chunk of a generation and the timestamps to send just before it. */
export interface GenerationPiece {
  /** The chunk's audio, base64. */
  data: string;
  /** Samples in the chunk. */
  samples: number;
  /** `step_time` in ms: a tenth of the chunk's duration, as if synthesis ran at 10× real time. */
  stepTime: number;
  /** Words whose first sample is in this chunk (only when asked for and not empty). */
  words?: WordTimestamps;
  /** Phonemes whose first sample is in this chunk (only when asked for and not empty). */
  phonemes?: PhonemeTimestamps;
}

/** A rendered generation: its chunks and how many samples it made. */
export interface Generation {
  pieces: GenerationPiece[];
  samples: number;
}

/** The deprecated `speed` field (§5.2) as a multiplier, used when `generation_config.speed` is absent. */
export const LEGACY_SPEED: Readonly<Record<string, number>> = { slow: 0.8, normal: 1, fast: 1.25 };

/** The fields of any TTS request that shape the audio. */
export interface AudioSettings {
  generation_config?: { speed?: number | undefined; volume?: number | undefined } | undefined;
  speed?: string | undefined;
}

/** A request's `generation_config` (or deprecated `speed`) as synth settings; unset values keep `previous`. */
export function synthConfigOf(request: AudioSettings, previous?: SynthConfig): SynthConfig {
  const legacy = request.speed !== undefined ? LEGACY_SPEED[request.speed] : undefined;
  return {
    speed: request.generation_config?.speed ?? legacy ?? previous?.speed ?? 1,
    volume: request.generation_config?.volume ?? previous?.volume ?? 1,
  };
}

/** Samples per chunk for a chunk length in ms (at least one). */
export function chunkSamples(chunkMs: number, sampleRate: number): number {
  return Math.max(1, Math.round((chunkMs * sampleRate) / 1000));
}

/** `step_time` for a chunk of `samples` samples. */
export function stepTime(samples: number, sampleRate: number): number {
  return Math.round((samples * 100_000) / sampleRate) / 1000;
}

/**
 * Synthesizes tokens (advancing the context's synth state) and cuts the audio into chunks of
 * `chunkMs`, counted in samples from the start of this generation, so chunk bytes depend only on the
 * generation's text. Timestamps are seconds on the context's timeline: start = first sample / rate,
 * end = end sample (exclusive) / rate.
 *
 * Renders the whole generation at once (memory grows with the text): the servers use
 * `LazyGeneration`, which gives the same pieces one at a time; this is its reference.
 */
export function renderGeneration(
  tokens: readonly Token[],
  state: SynthState,
  config: SynthConfig,
  format: RawFormat,
  chunkMs: number,
  want: { words: boolean; phonemes: boolean },
): Generation {
  const rate = format.sampleRate;
  const synth = synthesize(tokens, state, config);
  const bytes = encodePcm(synth.samples, format.encoding);
  const bps = bytesPerSample(format.encoding);
  const size = chunkSamples(chunkMs, rate);
  const total = synth.samples.length;
  const phonemes = want.phonemes ? synth.words.flatMap(phonemeSpans) : [];
  let w = 0;
  let p = 0;
  const pieces: GenerationPiece[] = [];
  for (let off = 0; off < total; off += size) {
    const n = Math.min(size, total - off);
    const end = synth.start + off + n;
    const piece: GenerationPiece = { data: toBase64(bytes.subarray(off * bps, (off + n) * bps)), samples: n, stepTime: stepTime(n, rate) };
    if (want.words) {
      const inChunk: WordSpan[] = [];
      while (w < synth.words.length && (synth.words[w] as WordSpan).start < end) inChunk.push(synth.words[w++] as WordSpan);
      if (inChunk.length > 0) {
        piece.words = { words: inChunk.map((s) => s.word), start: inChunk.map((s) => s.start / rate), end: inChunk.map((s) => s.end / rate) };
      }
    }
    if (want.phonemes) {
      const first = p;
      while (p < phonemes.length && (phonemes[p] as { start: number }).start < end) p += 1;
      if (p > first) {
        const inChunk = phonemes.slice(first, p);
        piece.phonemes = { phonemes: inChunk.map((s) => s.phoneme), start: inChunk.map((s) => s.start / rate), end: inChunk.map((s) => s.end / rate) };
      }
    }
    pieces.push(piece);
  }
  return { pieces, samples: total };
}

/** What a piece will carry, known without rendering it (to count a generation's messages ahead). */
export interface PieceOutline {
  samples: number;
  words: boolean;
  phonemes: boolean;
}

/**
 * A generation planned at once and rendered piece by piece: `next()` gives exactly the pieces
 * `renderGeneration` gives for the same tokens, state and format, one at a time, so memory is one
 * chunk however long the text. The plan (and so the synth state after it, the length in samples and
 * the number of pieces) is known as soon as it is made.
 */
export class LazyGeneration {
  /** Samples in the whole generation. */
  readonly samples: number;
  /** Pieces (chunks) in the whole generation. */
  readonly pieceCount: number;
  readonly #plan: PlannedAudio;
  readonly #format: RawFormat;
  readonly #size: number;
  readonly #want: { words: boolean; phonemes: boolean };
  readonly #renderer: PlanRenderer;
  readonly #words: WordCursor;
  readonly #phonemes: PhonemeCursor;
  #offset = 0;

  constructor(plan: PlannedAudio, format: RawFormat, chunkMs: number, want: { words: boolean; phonemes: boolean }) {
    this.#plan = plan;
    this.#format = format;
    this.#size = chunkSamples(chunkMs, format.sampleRate);
    this.#want = want;
    this.samples = plan.total;
    this.pieceCount = Math.ceil(plan.total / this.#size);
    this.#renderer = new PlanRenderer(plan);
    this.#words = new WordCursor(plan);
    this.#phonemes = new PhonemeCursor(plan);
  }

  /** Pieces given so far. */
  get given(): number {
    return Math.ceil(this.#offset / this.#size);
  }

  /** Renders the next piece, or undefined after the last. */
  next(): GenerationPiece | undefined {
    const total = this.samples;
    if (this.#offset >= total) return undefined;
    const rate = this.#format.sampleRate;
    const n = Math.min(this.#size, total - this.#offset);
    const end = this.#plan.start + this.#offset + n;
    const samples = this.#renderer.next(n);
    const piece: GenerationPiece = { data: toBase64(encodePcm(samples, this.#format.encoding)), samples: n, stepTime: stepTime(n, rate) };
    if (this.#want.words) {
      const inChunk: WordSpan[] = [];
      while (this.#words.peek() < end) inChunk.push(this.#words.take());
      if (inChunk.length > 0) {
        piece.words = { words: inChunk.map((s) => s.word), start: inChunk.map((s) => s.start / rate), end: inChunk.map((s) => s.end / rate) };
      }
    }
    if (this.#want.phonemes) {
      const inChunk = [];
      while (this.#phonemes.peek() < end) inChunk.push(this.#phonemes.take());
      if (inChunk.length > 0) {
        piece.phonemes = { phonemes: inChunk.map((s) => s.phoneme), start: inChunk.map((s) => s.start / rate), end: inChunk.map((s) => s.end / rate) };
      }
    }
    this.#offset += n;
    return piece;
  }

  /**
   * Every piece's outline (samples, and whether it carries words / phonemes), from the first, without
   * rendering audio: a pass over the plan with cursors of its own (`next()` is not disturbed).
   */
  *outline(): Generator<PieceOutline> {
    const words = new WordCursor(this.#plan);
    const phonemes = new PhonemeCursor(this.#plan);
    for (let off = 0; off < this.samples; off += this.#size) {
      const n = Math.min(this.#size, this.samples - off);
      const end = this.#plan.start + off + n;
      let hasWords = false;
      let hasPhonemes = false;
      if (this.#want.words) {
        while (words.peek() < end) {
          words.take();
          hasWords = true;
        }
      }
      if (this.#want.phonemes) {
        while (phonemes.peek() < end) {
          phonemes.take();
          hasPhonemes = true;
        }
      }
      yield { samples: n, words: hasWords, phonemes: hasPhonemes };
    }
  }
}

/** Plans tokens (advancing the context's synth state as `renderGeneration` does) into a `LazyGeneration`. */
export function planGeneration(
  tokens: readonly Token[],
  state: SynthState,
  config: SynthConfig,
  format: RawFormat,
  chunkMs: number,
  want: { words: boolean; phonemes: boolean },
): LazyGeneration {
  return new LazyGeneration(planSynthesis(tokens, state, config), format, chunkMs, want);
}
