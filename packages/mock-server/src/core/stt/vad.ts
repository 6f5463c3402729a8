/**
 * `timing: vad`: a simple energy detector on the audio the client really sends, and a tracker that
 * turns what it hears into turns (or stt-v1 utterances) filled with the script's words.
 *
 * Detector: samples are decoded from any STT encoding (§8) to [-1, 1]; the RMS of each 20 ms frame is
 * compared with a threshold. A stretch of speech starts after `minSpeechMs` of consecutive loud
 * frames (so a click is not speech) and, for `detectSpeech`, ends at the last loud frame once
 * `hangoverMs` of quiet frames followed (so the gaps between words do not split it).
 *
 * Tracker: the i-th stretch of speech is the i-th scripted turn (cycling when the script loops; after
 * the script, with `afterScript: stop`, speech is ignored: the speaker "says nothing"). Its words are
 * revealed as voiced audio accumulates (word k once the voiced time reaches the scripted durations of
 * words 0..k). Silence measured from the end of the last loud frame drives the rest, with the same
 * timings as audio mode: `turn.eager_end` after `eagerAfter` of silence, `turn.resume` `resumeDelay`
 * after speech restarts, and the end after `endAfter` of silence, carrying every word of the turn
 * (those not yet revealed are spread over the last stretch of speech). Everything is decided at frame
 * ends, so the output depends on the frames only, never on how the bytes were chunked.
 */
import { bytesPerSample, type SttEncoding } from "@speechwire/protocol";
import type { CompiledScript, TimedWord, TurnEventType } from "./script.js";
import { roundTime } from "./script.js";

/** Energy detector settings. */
export interface VadOptions {
  /** Frame length in milliseconds (default 20). */
  frameMs?: number;
  /** RMS of a loud frame, on samples scaled to [-1, 1] (default 0.02, about -34 dBFS). */
  threshold?: number;
  /** Consecutive loud audio that starts speech, in ms (default 40). */
  minSpeechMs?: number;
  /** Quiet audio that ends a stretch in `detectSpeech`, and below which a pause is "mid-speech" at close (default 200). */
  hangoverMs?: number;
}

/** Resolved detector settings. */
interface VadSettings {
  frameMs: number;
  threshold: number;
  minSpeechMs: number;
  hangoverMs: number;
}

function settingsOf(options: VadOptions = {}): VadSettings {
  return {
    frameMs: options.frameMs ?? 20,
    threshold: options.threshold ?? 0.02,
    minSpeechMs: options.minSpeechMs ?? 40,
    hangoverMs: options.hangoverMs ?? 200,
  };
}

// ------------------------------------------------------------------ decoding and encoding

/** Decodes one IEEE 754 half-precision value. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Encodes one value as IEEE 754 half precision (round to nearest even). */
function floatToHalf(value: number): number {
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  f32[0] = value;
  const x = u32[0] as number;
  const sign = (x >>> 16) & 0x8000;
  const exponent = ((x >>> 23) & 0xff) - 127 + 15;
  const mantissa = x & 0x7fffff;
  if (((x >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  if (exponent >= 0x1f) return sign | 0x7c00;
  if (exponent <= 0) {
    if (exponent < -10) return sign;
    const m = (mantissa | 0x800000) >>> (1 - exponent);
    const rounded = (m + 0xfff + ((m >>> 13) & 1)) >>> 13;
    return sign | rounded;
  }
  const rounded = (mantissa + 0xfff + ((mantissa >>> 13) & 1)) >>> 13;
  return (sign | (exponent << 10)) + rounded;
}

/** G.711 µ-law byte → 16-bit linear. */
export function mulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  let t = ((u & 0x0f) << 3) + 0x84;
  t <<= (u & 0x70) >> 4;
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

/** G.711 A-law byte → 16-bit linear. */
export function alawToLinear(byte: number): number {
  const a = byte ^ 0x55;
  let t = (a & 0x0f) << 4;
  const segment = (a & 0x70) >> 4;
  if (segment === 0) t += 8;
  else if (segment === 1) t += 0x108;
  else t = (t + 0x108) << (segment - 1);
  return a & 0x80 ? t : -t;
}

const MULAW_SEGMENT_ENDS = [0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff, 0x3fff, 0x7fff];
const ALAW_SEGMENT_ENDS = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];

function segmentOf(value: number, ends: readonly number[]): number {
  const i = ends.findIndex((end) => value <= end);
  return i < 0 ? ends.length : i;
}

/** 16-bit linear → G.711 µ-law byte. */
export function linearToMulaw(sample: number): number {
  let pcm = Math.max(-32768, Math.min(32767, Math.round(sample))) >> 2;
  let mask = 0xff;
  if (pcm < 0) {
    pcm = -pcm;
    mask = 0x7f;
  }
  pcm = Math.min(pcm + (0x84 >> 2), 0x1fff);
  const segment = segmentOf(pcm, MULAW_SEGMENT_ENDS.map((e) => e >> 2));
  if (segment >= 8) return 0x7f ^ mask;
  return (((segment << 4) | ((pcm >> (segment + 1)) & 0x0f)) ^ mask) & 0xff;
}

/** 16-bit linear → G.711 A-law byte. */
export function linearToAlaw(sample: number): number {
  let pcm = Math.max(-32768, Math.min(32767, Math.round(sample))) >> 3;
  let mask = 0xd5;
  if (pcm < 0) {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  const segment = segmentOf(pcm, ALAW_SEGMENT_ENDS);
  if (segment >= 8) return 0x7f ^ mask;
  let a = segment << 4;
  a |= segment < 2 ? (pcm >> 1) & 0x0f : (pcm >> segment) & 0x0f;
  return (a ^ mask) & 0xff;
}

/** Decodes whole samples of an STT encoding to floats in [-1, 1] (NaN reads as 0, infinities clamp). */
export function decodeSamples(bytes: Uint8Array, encoding: SttEncoding): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = (n: number, read: (i: number) => number) => {
    const samples = new Float32Array(n);
    for (let i = 0; i < n; i += 1) {
      const v = read(i);
      samples[i] = Number.isNaN(v) ? 0 : Math.max(-1, Math.min(1, v));
    }
    return samples;
  };
  switch (encoding) {
    case "pcm_s16le":
      return out(bytes.length >> 1, (i) => view.getInt16(i * 2, true) / 32768);
    case "pcm_s32le":
      return out(bytes.length >> 2, (i) => view.getInt32(i * 4, true) / 2147483648);
    case "pcm_f16le":
      return out(bytes.length >> 1, (i) => halfToFloat(view.getUint16(i * 2, true)));
    case "pcm_f32le":
      return out(bytes.length >> 2, (i) => view.getFloat32(i * 4, true));
    case "pcm_mulaw":
      return out(bytes.length, (i) => mulawToLinear(bytes[i] as number) / 32768);
    case "pcm_alaw":
      return out(bytes.length, (i) => alawToLinear(bytes[i] as number) / 32768);
  }
}

/** Encodes floats in [-1, 1] in an STT encoding (for synthetic test audio and samples). */
export function encodeSamples(samples: ArrayLike<number>, encoding: SttEncoding): Uint8Array {
  const n = samples.length;
  const clamp = (v: number) => Math.max(-1, Math.min(1, v));
  const s16 = (v: number) => Math.max(-32768, Math.min(32767, Math.round(clamp(v) * 32768)));
  switch (encoding) {
    case "pcm_s16le": {
      const view = new DataView(new ArrayBuffer(n * 2));
      for (let i = 0; i < n; i += 1) view.setInt16(i * 2, s16(samples[i] as number), true);
      return new Uint8Array(view.buffer);
    }
    case "pcm_s32le": {
      const view = new DataView(new ArrayBuffer(n * 4));
      for (let i = 0; i < n; i += 1) {
        view.setInt32(i * 4, Math.max(-2147483648, Math.min(2147483647, Math.round(clamp(samples[i] as number) * 2147483648))), true);
      }
      return new Uint8Array(view.buffer);
    }
    case "pcm_f16le": {
      const view = new DataView(new ArrayBuffer(n * 2));
      for (let i = 0; i < n; i += 1) view.setUint16(i * 2, floatToHalf(clamp(samples[i] as number)), true);
      return new Uint8Array(view.buffer);
    }
    case "pcm_f32le": {
      const view = new DataView(new ArrayBuffer(n * 4));
      for (let i = 0; i < n; i += 1) view.setFloat32(i * 4, clamp(samples[i] as number), true);
      return new Uint8Array(view.buffer);
    }
    case "pcm_mulaw":
      return Uint8Array.from({ length: n }, (_, i) => linearToMulaw(s16(samples[i] as number)));
    case "pcm_alaw":
      return Uint8Array.from({ length: n }, (_, i) => linearToAlaw(s16(samples[i] as number)));
  }
}

// ------------------------------------------------------------------ energy detector

/** One analysed frame. */
export interface VadFrame {
  /** Frame number from 0. */
  index: number;
  /** Start and end in seconds of audio. */
  start: number;
  end: number;
  rms: number;
  /** RMS at or above the threshold. */
  loud: boolean;
}

/** A streaming energy detector: push whole-sample bytes, get every frame they complete. */
export interface EnergyDetector {
  readonly frameSeconds: number;
  push(bytes: Uint8Array): VadFrame[];
}

/** Creates an energy detector for one stream. */
export function createEnergyDetector(encoding: SttEncoding, sampleRate: number, options?: VadOptions): EnergyDetector {
  const s = settingsOf(options);
  const frameSamples = Math.max(1, Math.round((sampleRate * s.frameMs) / 1000));
  let sumSquares = 0;
  let filled = 0;
  let index = 0;
  return {
    frameSeconds: frameSamples / sampleRate,
    push(bytes) {
      const frames: VadFrame[] = [];
      for (const v of decodeSamples(bytes, encoding)) {
        sumSquares += v * v;
        filled += 1;
        if (filled === frameSamples) {
          const rms = Math.sqrt(sumSquares / frameSamples);
          frames.push({
            index,
            start: roundTime((index * frameSamples) / sampleRate),
            end: roundTime(((index + 1) * frameSamples) / sampleRate),
            rms,
            loud: rms >= s.threshold,
          });
          index += 1;
          sumSquares = 0;
          filled = 0;
        }
      }
      return frames;
    },
  };
}

/** A stretch of detected speech, in seconds. */
export interface SpeechSegment {
  start: number;
  end: number;
}

/**
 * Finds the stretches of speech in a whole recording: loud runs of at least `minSpeechMs`, merged
 * across quiet gaps shorter than `hangoverMs`.
 */
export function detectSpeech(audio: Uint8Array, encoding: SttEncoding, sampleRate: number, options?: VadOptions): SpeechSegment[] {
  const s = settingsOf(options);
  const detector = createEnergyDetector(encoding, sampleRate, options);
  const bps = bytesPerSample(encoding);
  const frames = detector.push(audio.subarray(0, audio.length - (audio.length % bps)));
  const minRun = Math.max(1, Math.ceil(s.minSpeechMs / s.frameMs));
  const hangover = Math.max(1, Math.ceil(s.hangoverMs / s.frameMs));
  const segments: SpeechSegment[] = [];
  let current: SpeechSegment | undefined;
  let run = 0;
  let quiet = 0;
  for (const frame of frames) {
    if (frame.loud) {
      run += 1;
      quiet = 0;
      if (current) current.end = frame.end;
      else if (run >= minRun) current = { start: (frames[frame.index - run + 1] as VadFrame).start, end: frame.end };
    } else {
      run = 0;
      quiet += 1;
      if (current && quiet >= hangover) {
        segments.push(current);
        current = undefined;
      }
    }
  }
  if (current) segments.push(current);
  return segments;
}

// ------------------------------------------------------------------ turn tracker

/** An event the tracker schedules, in logical order with non-decreasing `at`. */
export interface TrackedEvent {
  type: TurnEventType;
  at: number;
  /** Ordinal of the stretch (the turn) in the session, from 0. */
  turn: number;
  transcript?: string;
  /** `turn.update`: the word just revealed. */
  word?: TimedWord;
  /** `turn.end`: the words revealed at the end (not revealed by speech before). */
  rest?: TimedWord[];
}

/** How silence maps to events. */
export interface TrackerTimings {
  turnStartDelay: number;
  /** Silence before `turn.eager_end`; `undefined`: never (stt-v1). */
  eagerAfter: number | undefined;
  resumeDelay: number;
  /** Silence that ends the turn. */
  endAfter: number;
}

/** Follows speech frame by frame and schedules the events of each turn. */
export interface SpeechTracker {
  /** Feeds one frame. */
  push(frame: VadFrame): void;
  /** The next scheduled event without consuming it. */
  peek(): TrackedEvent | undefined;
  /** Consumes the next scheduled event. */
  shift(): TrackedEvent | undefined;
  /**
   * Ends the open stretch at close: every word if its speech already ended (at least `hangoverMs` of
   * silence), else the words revealed so far. Returns the `turn.end` (`undefined` if no stretch is open).
   */
  cut(): TrackedEvent | undefined;
}

interface Stretch {
  turn: number;
  words: { word: string; duration: number }[];
  speechStart: number;
  revealed: TimedWord[];
  voiced: number;
  lastLoudEnd: number;
  silence: number;
  eager: boolean;
}

/** Creates a tracker that fills detected speech with the script's words. */
export function createSpeechTracker(script: CompiledScript, timings: TrackerTimings, options?: VadOptions): SpeechTracker {
  const s = settingsOf(options);
  const minRun = Math.max(1, Math.ceil(s.minSpeechMs / s.frameMs));
  const queue: TrackedEvent[] = [];
  let last = 0;
  let stretchCount = 0;
  let run: VadFrame[] = [];
  let open: Stretch | undefined;

  const schedule = (event: TrackedEvent) => {
    last = Math.max(last, roundTime(event.at));
    queue.push({ ...event, at: last });
  };
  const transcript = (st: Stretch) => st.revealed.map((w) => w.word).join(" ");

  const scriptTurn = (ordinal: number) => {
    const n = script.turns.length;
    if (n === 0 || (!script.loop && ordinal >= n)) return undefined;
    return script.turns[ordinal % n];
  };

  const reveal = (st: Stretch, at: number) => {
    let needed = st.words.slice(0, st.revealed.length + 1).reduce((sum, w) => sum + w.duration, 0);
    while (st.revealed.length < st.words.length && st.voiced + 1e-9 >= needed) {
      const w = st.words[st.revealed.length] as { word: string };
      const prev = st.revealed[st.revealed.length - 1];
      const word = { word: w.word, start: prev ? prev.end : st.speechStart, end: roundTime(at) };
      st.revealed.push(word);
      schedule({ type: "turn.update", at, turn: st.turn, transcript: transcript(st), word });
      needed += st.words[st.revealed.length]?.duration ?? 0;
    }
  };

  const finish = (st: Stretch, at: number, allWords: boolean): TrackedEvent => {
    const rest: TimedWord[] = [];
    if (allWords) {
      // Words the speech did not reveal are spread over what is left of it.
      const missing = st.words.slice(st.revealed.length);
      const base = st.revealed[st.revealed.length - 1]?.end ?? st.speechStart;
      const span = Math.max(0, st.lastLoudEnd - base);
      missing.forEach((w, j) => {
        rest.push({
          word: w.word,
          start: roundTime(base + (span * j) / missing.length),
          end: roundTime(base + (span * (j + 1)) / missing.length),
        });
      });
    }
    const text = [...st.revealed, ...rest].map((w) => w.word).join(" ");
    return { type: "turn.end", at, turn: st.turn, transcript: text, rest };
  };

  return {
    push(frame) {
      if (!open) {
        run = frame.loud ? [...run, frame] : [];
        if (run.length < minRun) return;
        const first = run[0] as VadFrame;
        const ordinal = stretchCount;
        stretchCount += 1;
        const turn = scriptTurn(ordinal);
        run = [];
        if (!turn) return;
        open = {
          turn: ordinal,
          words: turn.words.map((w) => ({ word: w.word, duration: roundTime(w.end - w.start) })),
          speechStart: first.start,
          revealed: [],
          voiced: roundTime(frame.end - first.start),
          lastLoudEnd: frame.end,
          silence: 0,
          eager: false,
        };
        schedule({ type: "turn.start", at: first.start + timings.turnStartDelay, turn: ordinal });
        reveal(open, frame.end);
        return;
      }
      const st = open;
      if (frame.loud) {
        if (st.eager) {
          st.eager = false;
          schedule({ type: "turn.resume", at: frame.start + timings.resumeDelay, turn: st.turn });
        }
        st.voiced = roundTime(st.voiced + (frame.end - frame.start));
        st.lastLoudEnd = frame.end;
        st.silence = 0;
        reveal(st, frame.end);
        return;
      }
      st.silence = roundTime(frame.end - st.lastLoudEnd);
      if (st.silence + 1e-9 >= timings.endAfter) {
        schedule(finish(st, frame.end, true));
        open = undefined;
        run = [];
        return;
      }
      if (timings.eagerAfter !== undefined && !st.eager && st.silence + 1e-9 >= timings.eagerAfter) {
        st.eager = true;
        schedule({ type: "turn.eager_end", at: frame.end, turn: st.turn, transcript: transcript(st) });
      }
    },
    peek: () => queue[0],
    shift: () => queue.shift(),
    cut() {
      if (!open) return undefined;
      const st = open;
      open = undefined;
      return finish(st, last, st.silence * 1000 + 1e-6 >= s.hangoverMs);
    },
  };
}
