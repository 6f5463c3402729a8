/**
 * `POST /stt` (PROTOCOL.md §4): the scenario's whole script as one transcript. The audio is not
 * recognised; it only sets `duration` (from a WAV header when there is one, else the raw bytes at the
 * query's encoding and sample rate, default 16-bit 16 kHz mono).
 */
import { bytesPerSample, isSttEncoding, type sttBatch } from "@speechwire/protocol";
import type { Scenario } from "../../scenario/schema.js";
import { roundTime, sharedScript } from "./script.js";
import { parseWav } from "../wav.js";


/** Raw-PCM details from the batch query (§4): only used for headerless audio. */
export interface BatchAudioFormat {
  encoding?: string | undefined;
  sample_rate?: number | undefined;
}

/**
 * Answers a batch transcription: the script's full text, its language, the audio's duration and,
 * when `timestamp_granularities[]` includes `word`, the script's words with their times.
 */
export function transcribeBatch(
  form: sttBatch.Form,
  audio: Uint8Array,
  scenario: Scenario,
  requestId: string,
  format: BatchAudioFormat = {},
): sttBatch.Response {
  const script = sharedScript(scenario.stt);
  const wav = parseWav(audio);
  const bps = format.encoding !== undefined && isSttEncoding(format.encoding) ? bytesPerSample(format.encoding) : 2;
  const rate = format.sample_rate ?? 16000;
  const duration = roundTime(wav ? wav.duration : audio.length / (bps * rate));
  const withWords = form["timestamp_granularities[]"]?.includes("word") ?? false;
  return {
    type: "transcript",
    text: script.text,
    language: form.language ?? script.language,
    duration,
    request_id: requestId,
    ...(withWords ? { words: script.words.map((w) => ({ word: w.word, start: w.start, end: w.end })) } : {}),
  };
}
