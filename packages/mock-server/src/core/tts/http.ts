/**
 * `POST /tts/bytes` and `POST /tts/sse` (PROTOCOL.md §6): the whole transcript as one generation,
 * synthesized exactly as a WebSocket context with a single `continue:false` request would be, so the
 * same text and format give the same audio bytes on every path.
 */
import { bytesPerSample, toErrorEvent, ttsBytes, ttsSse, type ErrorShape, type TtsEncoding } from "@speechwire/protocol";
import type { Fault, Scenario } from "../../scenario/schema.js";
import { encodeMp3Stream, MP3_BLOCK_SAMPLES, wavHeader } from "./containers.js";
import { chunkSamples, streamGeneration, synthConfigOf } from "./generate.js";
import { encodePcm } from "../pcm.js";
import { initialSynthState, PlanRenderer, TextPlanner } from "./synth.js";
import { initialTextState } from "./text.js";
import { findRecordings, hasTtsReplay, recordedAudio, replayFrames, unrecordedMessage } from "./replay.js";

/** The warning for a request a recorded scenario has no recording for (undefined: recorded, or no recordings). */
export function ttsReplayMiss(scenario: Scenario, endpoint: "tts-bytes" | "tts-sse", request: object): string | undefined {
  if (!hasTtsReplay(scenario) || findRecordings(scenario, endpoint, request).length > 0) return undefined;
  return unrecordedMessage(endpoint, request);
}

/** What `/tts/bytes` sends: the `Content-Type` and the body in the pieces to write. */
export interface BytesResponse {
  contentType: string;
  /**
   * Work to do before the first chunk, a step at a time (a WAV header carries the length, so its
   * text is planned through once first, a window per step): iterate it first, yielding to other
   * work between steps as you like. Iterating `chunks` does what is left of it at once.
   */
  prepare: Iterable<void>;
  /** Rendered one at a time as they are iterated (once): memory is one piece, however long the audio. */
  chunks: Iterable<Uint8Array>;
}

/**
 * The `/tts/bytes` response for a parsed request: raw PCM or WAV (header first) in chunks of the
 * scenario's `tts.chunkMs`, or MP3 frames from LAME at the request's sample and bit rate. The text is
 * planned a window at a time as it renders (for WAV, also once ahead to count its samples).
 */
export function synthesizeBytes(request: ttsBytes.Request, scenario: Scenario): BytesResponse {
  // A recorded request gets the recorded body, byte for byte (issue 18).
  const recording = hasTtsReplay(scenario) ? findRecordings(scenario, "tts-bytes", request)[0] : undefined;
  const recorded = recording && recordedAudio(recording);
  if (recording && recorded) return { contentType: recording.contentType ?? ttsBytes.contentTypeFor(request.output_format.container), prepare: [], chunks: [recorded] };
  const format = request.output_format;
  const rate = format.sample_rate;
  const contentType = ttsBytes.contentTypeFor(format.container);
  const config = synthConfigOf(request);
  const planner = () => new TextPlanner(request.transcript, initialTextState(), initialSynthState(rate), config);
  if (format.container === "mp3") {
    return { contentType, prepare: [], chunks: encodeMp3Stream(blocks(planner(), rate, MP3_BLOCK_SAMPLES), rate, format.bit_rate) };
  }
  // Validated against TTS_ENCODINGS by the validating schema.
  const encoding = format.encoding as TtsEncoding;
  const size = chunkSamples(scenario.tts.chunkMs, rate);
  if (format.container !== "wav") return { contentType, prepare: [], chunks: blocksAs(planner(), rate, size, encoding) };
  const counting = planner();
  const count = function* (): Generator<void> {
    while (counting.next() !== undefined) yield;
  };
  const prepare = count();
  const chunks = function* (): Generator<Uint8Array> {
    for (const _ of prepare);
    yield wavHeader(encoding, rate, counting.planned * bytesPerSample(encoding));
    yield* blocksAs(planner(), rate, size, encoding);
  };
  return { contentType, prepare, chunks: chunks() };
}

/** A planner's samples in blocks of `size` (the last one shorter). */
function* blocks(planner: TextPlanner, rate: number, size: number): Generator<Float32Array> {
  const renderer = new PlanRenderer(planner, rate);
  while (renderer.more()) yield renderer.next(size);
}

/** A planner's samples as PCM in chunks of `size` samples. */
function* blocksAs(planner: TextPlanner, rate: number, size: number, encoding: TtsEncoding): Generator<Uint8Array> {
  for (const block of blocks(planner, rate, size)) yield encodePcm(block, encoding);
}

/** What shapes a `/tts/sse` response besides its request: the error shape, and its connection number (fault `connections`). */
export interface SseSession {
  shape: ErrorShape;
  /** 1-based number of this request among its scenario's connections (faults with `connections` use it). */
  connection: number;
}

/** A scenario fault's effect on an SSE stream between two events: a pause, or the connection cut. */
export type SseControl = { stallMs: number } | { drop: true };

/** The scenario's faults that apply to `/tts/sse` (`endpoints` absent or naming `tts-sse`), whatever the connection. */
export function sseFaults(scenario: Scenario): Fault[] {
  return scenario.faults.filter((f) => f.endpoints === undefined || f.endpoints.includes("tts-sse"));
}

/**
 * The SSE framing of an error event (§6.2, docs `api-errors`: "SSE errors are sent with `event:
 * error` and JSON in the `data:` line"); the other events have no `event:` line.
 */
export function sseErrorEvent(event: ttsSse.ErrorEvent): string {
  return `event: error\n${ttsSse.encodeEvent(event)}`;
}

/**
 * The `/tts/sse` events for a parsed request, each framed `data: <json>\n\n`: per chunk its
 * `timestamps` / `phoneme_timestamps` (when asked) then the `chunk`, and a final `done`. Events carry
 * the request's `context_id`, or the request id when it has none (clients can still route on it).
 * Planned and rendered a chunk at a time as the events are taken.
 *
 * The scenario's faults for `tts-sse` act as on the TTS WebSocket: `{message: 0}` (the request, the
 * one client message) fires in place of handling it, `{event, index}` right after the server's
 * index-th event of that type (`chunk`, `timestamps`, `phoneme_timestamps`, `done`); `{audio}` and
 * later messages never come. An `error` is written as `event: error` with the error (done: true) in
 * the session's shape, and ends the stream, fatal or not; `close` ends it without `done` (HTTP has no
 * close code); `drop` and `stall` come out as an `SseControl` for the writer.
 */
export function* sseEvents(
  request: ttsSse.Request,
  scenario: Scenario,
  requestId: string,
  session: SseSession = { shape: "structured", connection: 1 },
): Generator<string | SseControl> {
  const contextId = request.context_id ?? requestId;
  // A recorded request gets the recorded events, byte for byte, with this request's context id (issue 18).
  const recording = hasTtsReplay(scenario) ? findRecordings(scenario, "tts-sse", request)[0] : undefined;
  if (recording) {
    for (const f of replayFrames(recording, 0, contextId)) yield `data: ${f.data}\n\n`;
    return;
  }
  const format = { encoding: request.output_format.encoding as TtsEncoding, sampleRate: request.output_format.sample_rate };
  const status = 206;
  const armed = sseFaults(scenario)
    .filter((f) => f.connections === undefined || session.connection <= f.connections)
    .map((fault) => ({ fault, fired: false }));
  const counts = new Map<string, number>();
  /** What a fault writes; true when it ends the stream. */
  function* fire(fault: Fault): Generator<string | SseControl, boolean> {
    const action = fault.action;
    switch (action.type) {
      case "error": {
        const error = { status: action.status, code: action.code, title: action.title, message: action.message, requestId, contextId };
        // toErrorEvent builds the TTS error in the session's shape; on SSE it is an error event by construction.
        yield sseErrorEvent(toErrorEvent(error, "tts", session.shape) as ttsSse.ErrorEvent);
        return true;
      }
      case "close":
        return true;
      case "drop":
        yield { drop: true };
        return true;
      case "stall":
        yield { stallMs: action.seconds * 1000 };
        return false;
    }
  }
  /** Writes an event, then fires the `{event, index}` faults it meets; true when one ended the stream. */
  function* emit(event: ttsSse.Event): Generator<string | SseControl, boolean> {
    yield ttsSse.encodeEvent(event);
    const index = counts.get(event.type) ?? 0;
    counts.set(event.type, index + 1);
    for (const a of armed) {
      const at = a.fault.at;
      if (a.fired || !("event" in at) || at.event !== event.type || at.index !== index) continue;
      a.fired = true;
      if (yield* fire(a.fault)) return true;
    }
    return false;
  }
  for (const a of armed) {
    const at = a.fault.at;
    if (a.fired || !("message" in at) || at.message !== 0) continue;
    a.fired = true;
    if (yield* fire(a.fault)) return;
    // A stall only delays: the request is still handled (the TTS WebSocket does the same).
  }
  const { generation } = streamGeneration(
    request.transcript,
    initialTextState(),
    initialSynthState(format.sampleRate),
    synthConfigOf(request),
    format,
    scenario.tts.chunkMs,
    { words: request.add_timestamps === true, phonemes: request.add_phoneme_timestamps === true },
  );
  for (let piece = generation.next(); piece; piece = generation.next()) {
    if (piece.words && (yield* emit({ type: "timestamps", done: false, status_code: status, word_timestamps: piece.words, context_id: contextId }))) return;
    if (piece.phonemes && (yield* emit({ type: "phoneme_timestamps", done: false, status_code: status, phoneme_timestamps: piece.phonemes, context_id: contextId }))) return;
    if (yield* emit({ type: "chunk", data: piece.data, done: false, status_code: status, step_time: piece.stepTime, context_id: contextId })) return;
  }
  yield* emit({ type: "done", done: true, status_code: status, context_id: contextId });
}
