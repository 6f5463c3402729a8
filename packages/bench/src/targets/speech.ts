/**
 * Speech for STT from the target's own TTS. A real recognizer needs real speech, and the bench needs
 * to know where that speech ends: it asks the endpoint's `/tts/sse` for a fixed transcript as raw
 * pcm_s16le at the STT sample rate with `add_timestamps: true`, and takes the last word's `end` as the
 * end of speech. Synthesis runs before any timed span and is cached per target, transcript, model,
 * voice and sample rate for the run.
 */
import { createClient } from "@speechwire/client";
import type { Connection } from "../drivers/types.js";
import { FRAME_BYTES, SAMPLE_RATE, TTS_MODEL, TTS_VOICE, type TurnsPlan, type V1Plan } from "./scenarios.js";

/** Where STT audio comes from: the mock's scripted silence, or speech synthesized by the target's TTS. */
export type SpeechSource = "scripted" | "tts";

/** The STT speech sources. */
export const SPEECH_SOURCES = ["scripted", "tts"] as const;

/** TTS settings of the synthesized speech. */
export interface SpeechVoice {
  /** `model_id` of the TTS request (default `sonic-3`). */
  model: string;
  /** Voice id (default: the voice the bench's TTS benchmark uses). */
  voice: string;
}

/** The default TTS model and voice of synthesized STT speech. */
export const DEFAULT_SPEECH_VOICE: SpeechVoice = { model: TTS_MODEL, voice: TTS_VOICE };

/** The transcripts spoken to each STT endpoint: one utterance per v1 round, three turns per turns session. */
export const SPEECH_TRANSCRIPTS = {
  "stt-v1": ["Please book a table for two tonight."],
  "stt-turns": ["I'd like to book a table for two.", "Is seven o'clock free? Or eight.", "Thanks, that's all."],
} as const;

/**
 * Silence the bench puts around synthesized speech, in seconds. v1: before each utterance (longer than
 * the 0.8 s default `max_silence_duration_secs`, so the previous utterance has ended) and after it
 * (short, so the final comes from `finalize`). Turns: before the first turn, and after every turn (long
 * enough for an endpointer to fire: the mock's waits 0.4 s).
 */
export const SPEECH_SILENCE = { v1Lead: 1.0, v1Tail: 0.1, turnsLead: 0.3, turnsAfter: 1.2 } as const;

/** One synthesized utterance. */
export interface SynthesizedSpeech {
  transcript: string;
  /** Mono pcm_s16le at `sampleRate`. */
  audio: Uint8Array;
  sampleRate: number;
  /** Word timestamps from the TTS response, seconds from the start of `audio`. */
  words: { word: string; start: number; end: number }[];
  /** The last word's `end`, seconds: where speech ends. */
  speechEnd: number;
}

const toBytes = (seconds: number, rate = SAMPLE_RATE) => Math.round(seconds * rate) * 2;

/**
 * Synthesizes `transcript` with the target's `/tts/sse` (raw pcm_s16le, word timestamps). Rejects with
 * a clear message when the target answers with an error, no audio or no word timestamps.
 */
export async function synthesizeSpeech(connection: Connection, transcript: string, voice: SpeechVoice = DEFAULT_SPEECH_VOICE, sampleRate = SAMPLE_RATE, timeoutMs = 60_000): Promise<SynthesizedSpeech> {
  const client = createClient({ apiKey: connection.apiKey, baseUrl: connection.baseUrl, version: connection.version });
  const chunks: Uint8Array[] = [];
  const words: SynthesizedSpeech["words"] = [];
  let done = false;
  try {
    const events = await client.tts.sse(
      {
        model_id: voice.model,
        transcript,
        voice: { mode: "id", id: voice.voice },
        output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: sampleRate },
        language: "en",
        add_timestamps: true,
      },
      { signal: AbortSignal.timeout(timeoutMs) },
    );
    for await (const e of events) {
      if (e.type === "audio") chunks.push(e.audio);
      else if (e.type === "timestamps") {
        e.words.words.forEach((word, i) => words.push({ word, start: e.words.start[i] ?? Number.NaN, end: e.words.end[i] ?? Number.NaN }));
      } else if (e.type === "error") throw e.error;
      else if (e.type === "done") done = true;
    }
  } catch (error) {
    throw new Error(`synthesizing STT speech ("${transcript}") with ${voice.model} at ${connection.baseUrl} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const bytes = chunks.reduce((n, c) => n + c.byteLength, 0);
  const audio = new Uint8Array(bytes - (bytes % 2));
  let at = 0;
  for (const c of chunks) {
    audio.set(c.subarray(0, Math.max(0, Math.min(c.byteLength, audio.length - at))), at);
    at += c.byteLength;
  }
  const speechEnd = Math.max(...words.map((w) => w.end));
  const problem = !done
    ? "the response ended without done"
    : audio.length === 0
      ? "no audio"
      : words.length === 0
        ? "no word timestamps (add_timestamps: true was asked for)"
        : !Number.isFinite(speechEnd) || speechEnd <= 0
          ? "word timestamps without a usable end"
          : toBytes(speechEnd, sampleRate) > audio.length + FRAME_BYTES
            ? `the last word ends at ${speechEnd} s, after the ${(audio.length / 2 / sampleRate).toFixed(3)} s of audio`
            : undefined;
  if (problem) throw new Error(`synthesizing STT speech ("${transcript}") with ${voice.model} at ${connection.baseUrl}: ${problem}`);
  return { transcript, audio, sampleRate, words, speechEnd };
}

/** Synthesized speech cached for a run, keyed by target, transcript, model, voice and sample rate. */
export class SpeechCache {
  readonly #entries = new Map<string, Promise<SynthesizedSpeech>>();

  /** The speech of `transcript` on `target` (a stable name of the target), synthesized once. */
  get(target: string, connection: Connection, transcript: string, voice: SpeechVoice, sampleRate = SAMPLE_RATE): Promise<SynthesizedSpeech> {
    const key = JSON.stringify([target, transcript, voice.model, voice.voice, sampleRate]);
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = synthesizeSpeech(connection, transcript, voice, sampleRate);
      // A failure is not cached: the next endpoint (or client) tries again.
      entry.catch(() => this.#entries.delete(key));
      this.#entries.set(key, entry);
    }
    return entry;
  }

  /** How many utterances are cached (or being synthesized). */
  get size(): number {
    return this.#entries.size;
  }
}

/** Concatenates silence and speech clips into one buffer; returns it and each clip's start offset. */
function lay(parts: ({ silence: number } | { speech: SynthesizedSpeech })[]): { audio: Uint8Array; starts: number[] } {
  const sizes = parts.map((p) => ("silence" in p ? toBytes(p.silence) : p.speech.audio.length));
  const audio = new Uint8Array(sizes.reduce((a, b) => a + b, 0));
  const starts: number[] = [];
  let at = 0;
  parts.forEach((p, i) => {
    if ("speech" in p) {
      starts.push(at);
      audio.set(p.speech.audio, at);
    }
    at += sizes[i] as number;
  });
  return { audio, starts };
}

/**
 * The turns plan of synthesized turns: lead silence, then each turn's speech followed by silence.
 * Turn k's speech ends at its clip's offset plus its last word's `end`; its `turn.end` is due, at the
 * latest, by the end of the silence after it.
 */
export function speechTurnsPlan(turns: readonly SynthesizedSpeech[]): TurnsPlan & { audio: Uint8Array } {
  const parts: ({ silence: number } | { speech: SynthesizedSpeech })[] = [{ silence: SPEECH_SILENCE.turnsLead }];
  for (const speech of turns) parts.push({ speech }, { silence: SPEECH_SILENCE.turnsAfter });
  const { audio, starts } = lay(parts);
  const speechEnds = turns.map((t, k) => (starts[k] as number) + Math.min(t.audio.length, toBytes(t.speechEnd, t.sampleRate)));
  const turnEndsDue = turns.map((t, k) => (starts[k] as number) + t.audio.length + toBytes(SPEECH_SILENCE.turnsAfter));
  return {
    bytes: audio.length,
    audio,
    speechEnds,
    turnEndsDue,
    turns: turns.length,
    description: `${turns.length} synthesized turns, ${(audio.length / 2 / SAMPLE_RATE).toFixed(2)} s of audio`,
  };
}

/** The v1 plan of synthesized utterances: per round, lead silence, the utterance, a short tail (rounds cycle). */
export function speechV1Plan(utterances: readonly SynthesizedSpeech[]): V1Plan & { roundAudio: Uint8Array[] } {
  const roundAudio = utterances.map((speech) => lay([{ silence: SPEECH_SILENCE.v1Lead }, { speech }, { silence: SPEECH_SILENCE.v1Tail }]).audio);
  return { roundBytes: roundAudio.map((a) => a.length), roundAudio, loop: true };
}
