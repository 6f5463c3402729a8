/** TTS events, shared by the WebSocket contexts and SSE: decoded audio, timestamps, flushes, the end. */
import type { ParseFailure, tts, ttsSse } from "@speechwire/protocol";
import { CartesiaApiError } from "../errors.js";
import type { UnknownEvent } from "../events.js";
import { decodeBase64 } from "../util/bytes.js";

/** Word timings in seconds: parallel arrays `words`, `start`, `end` (§5.3). */
export type WordTimestamps = NonNullable<tts.Timestamps["word_timestamps"]>;
/** Phoneme timings in seconds: parallel arrays `phonemes`, `start`, `end`. */
export type PhonemeTimestamps = NonNullable<tts.PhonemeTimestamps["phoneme_timestamps"]>;

/** Decoded audio in the requested `output_format` (raw bytes; see `pcmSamples` for typed arrays). */
export interface AudioEvent {
  type: "audio";
  audio: Uint8Array;
  /** The flush this audio belongs to (1 before the first flush, 2 after it, …), when the server says. */
  flushId: number | undefined;
  /** Server-side generation time of the chunk, ms. */
  stepTime: number;
}
/** Word timestamps (`add_timestamps`). */
export interface TimestampsEvent {
  type: "timestamps";
  words: WordTimestamps;
  flushId: number | undefined;
}
/** Phoneme timestamps (`add_phoneme_timestamps`). */
export interface PhonemesEvent {
  type: "phonemes";
  phonemes: PhonemeTimestamps;
  flushId: number | undefined;
}
/** A flush is complete: everything pushed before it has been generated. */
export interface FlushDoneEvent {
  type: "flushDone";
  flushId: number;
}
/** All output of the context (or SSE request) has been sent. */
export interface TtsDoneEvent {
  type: "done";
}
/** The context was cancelled by the client: the last event of a cancelled context. */
export interface CancelledEvent {
  type: "cancelled";
}
/** An error ended the context (a `CartesiaApiError`, or a `ConnectionError` when the socket went away). */
export interface TtsErrorEvent {
  type: "error";
  error: Error;
}

/** Every event of a TTS WebSocket context. */
export type TtsContextEvent = AudioEvent | TimestampsEvent | PhonemesEvent | FlushDoneEvent | TtsDoneEvent | CancelledEvent | TtsErrorEvent;
/** Every event of a TTS SSE response. */
export type TtsSseEvent = AudioEvent | TimestampsEvent | PhonemesEvent | FlushDoneEvent | TtsDoneEvent | TtsErrorEvent | UnknownEvent;

type ServerMessage = tts.ServerMessage | ttsSse.Event;

/** Maps a parsed server message to its event (audio decoded, error typed). */
export function toTtsEvent(message: ServerMessage): AudioEvent | TimestampsEvent | PhonemesEvent | FlushDoneEvent | TtsDoneEvent | TtsErrorEvent {
  switch (message.type) {
    case "chunk":
      return { type: "audio", audio: decodeBase64(message.data), flushId: flushIdOf(message), stepTime: message.step_time };
    case "timestamps":
      return {
        type: "timestamps",
        words: message.word_timestamps ?? { words: [], start: [], end: [] },
        flushId: flushIdOf(message),
      };
    case "phoneme_timestamps":
      return {
        type: "phonemes",
        phonemes: message.phoneme_timestamps ?? { phonemes: [], start: [], end: [] },
        flushId: flushIdOf(message),
      };
    case "flush_done":
      return { type: "flushDone", flushId: message.flush_id };
    case "done":
      return { type: "done" };
    case "error":
      return { type: "error", error: CartesiaApiError.fromEvent({ ...message, context_id: message.context_id ?? undefined } as Parameters<typeof CartesiaApiError.fromEvent>[0]) };
  }
}

/** A message's `flush_id` when the server gave one (absent and `null` alike are undefined). */
function flushIdOf(message: ServerMessage): number | undefined {
  return (message as { flush_id?: number | null }).flush_id ?? undefined;
}

/** An `unknown` event for a frame that did not parse. */
export function unknownEvent(data: string | Uint8Array, failure: ParseFailure): UnknownEvent {
  return { type: "unknown", data, reason: failure.reason, message: failure.message };
}

/**
 * A typed view of raw PCM audio: `Int16Array` for `pcm_s16le`, `Float32Array` for `pcm_f32le`,
 * the bytes themselves for 8-bit µ-law / A-law. Copies when the bytes are not aligned.
 */
export function pcmSamples(audio: Uint8Array, encoding: "pcm_s16le" | "pcm_f32le" | "pcm_mulaw" | "pcm_alaw" | (string & {})): Int16Array | Float32Array | Uint8Array {
  const width = encoding === "pcm_s16le" ? 2 : encoding === "pcm_f32le" ? 4 : 1;
  if (width === 1) return audio;
  const bytes = audio.byteOffset % width === 0 ? audio : audio.slice();
  const length = Math.floor(bytes.byteLength / width);
  return width === 2 ? new Int16Array(bytes.buffer, bytes.byteOffset, length) : new Float32Array(bytes.buffer, bytes.byteOffset, length);
}
