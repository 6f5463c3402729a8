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
  TextPlanner,
  toBase64,
  WordCursor,
  type PhonemeSpan,
  type PlannedAudio,
  type SynthConfig,
  type SynthState,
  type WordSpan,
} from "./synth.js";
import type { TextState, Token } from "./text.js";

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
  // `null` means unset (SDK 4.2 types these `| null`).
  generation_config?: { speed?: number | null | undefined; volume?: number | null | undefined } | null | undefined;
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
 * A generation rendered piece by piece: `next()` gives exactly the pieces `renderGeneration` gives
 * for the same tokens, state and format, one at a time, so memory is one chunk however long the
 * text. Made from a whole plan (`planGeneration`: its length and piece count are known at once) or
 * from a `TextPlanner` (`streamGeneration`: the text is planned a window at a time as it renders, so
 * nothing is known ahead but whether it has any audio).
 */
export class LazyGeneration {
  /** Samples in the whole generation, when made from a whole plan. */
  readonly samples: number | undefined;
  /** Pieces (chunks) in the whole generation, when made from a whole plan. */
  readonly pieceCount: number | undefined;
  readonly #plan: PlannedAudio | undefined;
  readonly #start: number;
  readonly #format: RawFormat;
  readonly #size: number;
  readonly #want: { words: boolean; phonemes: boolean };
  readonly #renderer: PlanRenderer;
  /** Words whose first sample the renderer reached in the piece being rendered. */
  #words: WordSpan[] = [];
  /** Phonemes of the words reached so far that no piece has carried yet (a word's later phonemes may start in a later piece). */
  readonly #phonemes: PhonemeSpan[] = [];
  #phonemeHead = 0;

  constructor(source: PlannedAudio | { planner: TextPlanner; start: number }, format: RawFormat, chunkMs: number, want: { words: boolean; phonemes: boolean }) {
    this.#format = format;
    this.#size = chunkSamples(chunkMs, format.sampleRate);
    this.#want = want;
    if ("segments" in source) {
      this.#plan = source;
      this.#start = source.start;
      this.samples = source.total;
      this.pieceCount = Math.ceil(source.total / this.#size);
      this.#renderer = new PlanRenderer(source);
    } else {
      this.#plan = undefined;
      this.#start = source.start;
      this.samples = undefined;
      this.pieceCount = undefined;
      this.#renderer = new PlanRenderer(source.planner, format.sampleRate);
    }
    if (want.words || want.phonemes) {
      this.#renderer.onWord = (word, offset, samples) => {
        const span = { word: word.written, spoken: word.spoken, start: this.#start + offset, end: this.#start + offset + samples };
        if (want.words) this.#words.push(span);
        if (want.phonemes) this.#phonemes.push(...phonemeSpans(span));
      };
    }
  }

  /** True when it has audio at all (from a planner, this plans until the first sound or the end). */
  hasAudio(): boolean {
    return this.#renderer.rendered > 0 || this.#renderer.more();
  }

  /** Renders the next piece, or undefined after the last. */
  next(): GenerationPiece | undefined {
    const rate = this.#format.sampleRate;
    const before = this.#renderer.rendered;
    const bytes = this.#renderer.nextEncoded(this.#size, this.#format.encoding);
    const n = this.#renderer.rendered - before;
    if (n === 0) return undefined;
    const end = this.#start + this.#renderer.rendered;
    // `bytes` is reused by the renderer's next call: base64 is the copy kept.
    const piece: GenerationPiece = { data: toBase64(bytes), samples: n, stepTime: stepTime(n, rate) };
    if (this.#want.words && this.#words.length > 0) {
      const inChunk = this.#words;
      this.#words = [];
      piece.words = { words: inChunk.map((s) => s.word), start: inChunk.map((s) => s.start / rate), end: inChunk.map((s) => s.end / rate) };
    }
    if (this.#want.phonemes) {
      const first = this.#phonemeHead;
      while (this.#phonemeHead < this.#phonemes.length && (this.#phonemes[this.#phonemeHead] as PhonemeSpan).start < end) this.#phonemeHead += 1;
      if (this.#phonemeHead > first) {
        const inChunk = this.#phonemes.slice(first, this.#phonemeHead);
        piece.phonemes = { phonemes: inChunk.map((s) => s.phoneme), start: inChunk.map((s) => s.start / rate), end: inChunk.map((s) => s.end / rate) };
      }
      // Forget what went out (kept short: a word's phonemes at most).
      if (this.#phonemeHead > 256) {
        this.#phonemes.splice(0, this.#phonemeHead);
        this.#phonemeHead = 0;
      }
    }
    return piece;
  }

  /**
   * Every piece's outline (samples, and whether it carries words / phonemes), from the first, without
   * rendering audio. Only for a generation made from a whole plan (its own pass over the plan).
   */
  *outline(): Generator<PieceOutline> {
    const plan = this.#plan;
    if (!plan) throw new Error("LazyGeneration.outline: only a generation made from a whole plan has one");
    const words = new WordCursor(plan);
    const phonemes = new PhonemeCursor(plan);
    for (let off = 0; off < plan.total; off += this.#size) {
      const n = Math.min(this.#size, plan.total - off);
      const end = plan.start + off + n;
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

/** Plans tokens at once (advancing the context's synth state as `renderGeneration` does) into a `LazyGeneration`. */
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

/**
 * A `LazyGeneration` of a whole transcript (what `tokenize(text, textState, "final")` then
 * `planGeneration` give) that plans the text a window at a time as it renders. The planner works on
 * copies of the states: its `textState` and `synth` (or `endStates()`) are the states after the text.
 */
export function streamGeneration(
  text: string,
  textState: TextState,
  state: SynthState,
  config: SynthConfig,
  format: RawFormat,
  chunkMs: number,
  want: { words: boolean; phonemes: boolean },
  windowChars?: number,
): { generation: LazyGeneration; planner: TextPlanner } {
  const planner = new TextPlanner(text, textState, state, config, windowChars);
  return { generation: new LazyGeneration({ planner, start: state.position }, format, chunkMs, want), planner };
}
