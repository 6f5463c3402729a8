/**
 * `POST /tts/bytes` and `POST /tts/sse` (PROTOCOL.md §6): the whole transcript as one generation,
 * synthesized exactly as a WebSocket context with a single `continue:false` request would be, so the
 * same text and format give the same audio bytes on every path.
 */
import { bytesPerSample, ttsBytes, ttsSse, type TtsEncoding } from "@speechwire/protocol";
import type { Scenario } from "../../scenario/schema.js";
import { encodeMp3, wavHeader } from "./containers.js";
import { chunkSamples, renderGeneration, synthConfigOf } from "./generate.js";
import { encodePcm } from "../pcm.js";
import { initialSynthState, synthesize } from "./synth.js";
import { parseTranscript } from "./text.js";

/** What `/tts/bytes` sends: the `Content-Type` and the body in the pieces to write. */
export interface BytesResponse {
  contentType: string;
  chunks: Uint8Array[];
}

/**
 * The `/tts/bytes` response for a parsed request: raw PCM or WAV (header first) in chunks of the
 * scenario's `tts.chunkMs`, or MP3 frames from LAME at the request's sample and bit rate.
 */
export function synthesizeBytes(request: ttsBytes.Request, scenario: Scenario): BytesResponse {
  const format = request.output_format;
  const rate = format.sample_rate;
  const contentType = ttsBytes.contentTypeFor(format.container);
  const synth = synthesize(parseTranscript(request.transcript), initialSynthState(rate), synthConfigOf(request));
  if (format.container === "mp3") {
    return { contentType, chunks: encodeMp3(synth.samples, rate, format.bit_rate) };
  }
  // Validated against TTS_ENCODINGS by the validating schema.
  const encoding = format.encoding as TtsEncoding;
  const bytes = encodePcm(synth.samples, encoding);
  const step = chunkSamples(scenario.tts.chunkMs, rate) * bytesPerSample(encoding);
  const chunks: Uint8Array[] = format.container === "wav" ? [wavHeader(encoding, rate, bytes.length)] : [];
  for (let at = 0; at < bytes.length; at += step) chunks.push(bytes.subarray(at, at + step));
  return { contentType, chunks };
}

/**
 * The `/tts/sse` events for a parsed request, each framed `data: <json>\n\n`: per chunk its
 * `timestamps` / `phoneme_timestamps` (when asked) then the `chunk`, and a final `done`. Events carry
 * the request's `context_id`, or the request id when it has none (clients can still route on it).
 */
export function sseEvents(request: ttsSse.Request, scenario: Scenario, requestId: string): string[] {
  const format = { encoding: request.output_format.encoding as TtsEncoding, sampleRate: request.output_format.sample_rate };
  const contextId = request.context_id ?? requestId;
  const status = 206;
  const generation = renderGeneration(
    parseTranscript(request.transcript),
    initialSynthState(format.sampleRate),
    synthConfigOf(request),
    format,
    scenario.tts.chunkMs,
    { words: request.add_timestamps === true, phonemes: request.add_phoneme_timestamps === true },
  );
  const events: string[] = [];
  for (const piece of generation.pieces) {
    if (piece.words) {
      events.push(ttsSse.encodeEvent({ type: "timestamps", done: false, status_code: status, word_timestamps: piece.words, context_id: contextId }));
    }
    if (piece.phonemes) {
      events.push(
        ttsSse.encodeEvent({ type: "phoneme_timestamps", done: false, status_code: status, phoneme_timestamps: piece.phonemes, context_id: contextId }),
      );
    }
    events.push(ttsSse.encodeEvent({ type: "chunk", data: piece.data, done: false, status_code: status, step_time: piece.stepTime, context_id: contextId }));
  }
  events.push(ttsSse.encodeEvent({ type: "done", done: true, status_code: status, context_id: contextId }));
  return events;
}
