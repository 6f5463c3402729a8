/**
 * One generation: tokens → audio → chunks with their word/phoneme timestamps. Shared by the WebSocket
 * core and `/tts/sse` (and, for the audio itself, `/tts/bytes`), so every path gives the same bytes.
 */
import { bytesPerSample, type TtsEncoding } from "@speechwire/protocol";
import { encodePcm } from "../pcm.js";
import { phonemeSpans, synthesize, toBase64, type SynthConfig, type SynthState, type WordSpan } from "./synth.js";
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
