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
import { decodePcm } from "../pcm.js";

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
      for (const v of decodePcm(bytes, encoding)) {
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
