/**
 * `POST /tts/bytes` and `POST /tts/sse` (PROTOCOL.md §6): the whole transcript as one generation,
 * synthesized exactly as a WebSocket context with a single `continue:false` request would be, so the
 * same text and format give the same audio bytes on every path.
 */
import { bytesPerSample, ttsBytes, ttsSse, type TtsEncoding } from "@speechwire/protocol";
import type { Scenario } from "../../scenario/schema.js";
import { encodeMp3Stream, MP3_BLOCK_SAMPLES, wavHeader } from "./containers.js";
import { chunkSamples, planGeneration, synthConfigOf } from "./generate.js";
import { encodePcm } from "../pcm.js";
import { initialSynthState, planSynthesis, PlanRenderer, type PlannedAudio } from "./synth.js";
import { parseTranscript } from "./text.js";

/** What `/tts/bytes` sends: the `Content-Type` and the body in the pieces to write. */
export interface BytesResponse {
  contentType: string;
  /** Rendered one at a time as they are iterated (once): memory is one piece, however long the audio. */
  chunks: Iterable<Uint8Array>;
}

/**
 * The `/tts/bytes` response for a parsed request: raw PCM or WAV (header first) in chunks of the
 * scenario's `tts.chunkMs`, or MP3 frames from LAME at the request's sample and bit rate. Planned at
 * once (the WAV header needs the length), rendered as the chunks are taken.
 */
export function synthesizeBytes(request: ttsBytes.Request, scenario: Scenario): BytesResponse {
  const format = request.output_format;
  const rate = format.sample_rate;
  const contentType = ttsBytes.contentTypeFor(format.container);
  const plan = planSynthesis(parseTranscript(request.transcript), initialSynthState(rate), synthConfigOf(request));
  if (format.container === "mp3") {
    return { contentType, chunks: encodeMp3Stream(blocks(plan, MP3_BLOCK_SAMPLES), rate, format.bit_rate) };
  }
  // Validated against TTS_ENCODINGS by the validating schema.
  const encoding = format.encoding as TtsEncoding;
  return { contentType, chunks: pcmChunks(plan, encoding, chunkSamples(scenario.tts.chunkMs, rate), format.container === "wav") };
}

/** A plan's samples in blocks of `size` (the last one shorter). */
function* blocks(plan: PlannedAudio, size: number): Generator<Float32Array> {
  const renderer = new PlanRenderer(plan);
  while (renderer.rendered < plan.total) yield renderer.next(size);
}

/** A plan as PCM in chunks of `size` samples, after a WAV header when asked. */
function* pcmChunks(plan: PlannedAudio, encoding: TtsEncoding, size: number, wav: boolean): Generator<Uint8Array> {
  if (wav) yield wavHeader(encoding, plan.sampleRate, plan.total * bytesPerSample(encoding));
  for (const block of blocks(plan, size)) yield encodePcm(block, encoding);
}

/**
 * The `/tts/sse` events for a parsed request, each framed `data: <json>\n\n`: per chunk its
 * `timestamps` / `phoneme_timestamps` (when asked) then the `chunk`, and a final `done`. Events carry
 * the request's `context_id`, or the request id when it has none (clients can still route on it).
 * Rendered one chunk at a time as the events are taken.
 */
export function* sseEvents(request: ttsSse.Request, scenario: Scenario, requestId: string): Generator<string> {
  const format = { encoding: request.output_format.encoding as TtsEncoding, sampleRate: request.output_format.sample_rate };
  const contextId = request.context_id ?? requestId;
  const status = 206;
  const generation = planGeneration(
    parseTranscript(request.transcript),
    initialSynthState(format.sampleRate),
    synthConfigOf(request),
    format,
    scenario.tts.chunkMs,
    { words: request.add_timestamps === true, phonemes: request.add_phoneme_timestamps === true },
  );
  for (let piece = generation.next(); piece; piece = generation.next()) {
    if (piece.words) {
      yield ttsSse.encodeEvent({ type: "timestamps", done: false, status_code: status, word_timestamps: piece.words, context_id: contextId });
    }
    if (piece.phonemes) {
      yield ttsSse.encodeEvent({ type: "phoneme_timestamps", done: false, status_code: status, phoneme_timestamps: piece.phonemes, context_id: contextId });
    }
    yield ttsSse.encodeEvent({ type: "chunk", data: piece.data, done: false, status_code: status, step_time: piece.stepTime, context_id: contextId });
  }
  yield ttsSse.encodeEvent({ type: "done", done: true, status_code: status, context_id: contextId });
}
