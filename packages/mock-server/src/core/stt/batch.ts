/**
 * `POST /stt` (PROTOCOL.md §4): the scenario's whole script as one transcript. The audio is not
 * recognised; it only sets `duration` (from a WAV header when there is one, else the raw bytes at the
 * query's encoding and sample rate, default 16-bit 16 kHz mono).
 */
import { bytesPerSample, isSttEncoding, type sttBatch } from "@speechwire/protocol";
import type { Scenario } from "../../scenario/schema.js";
import { compileScript, roundTime } from "./script.js";

/** What a WAV header says about its audio. */
export interface WavInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Bytes of audio in the `data` chunk (clipped to the bytes present). */
  dataBytes: number;
  /** Seconds of audio. */
  duration: number;
}

const ascii = (bytes: Uint8Array, at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));

/** Reads a RIFF/WAVE header; `undefined` when the bytes are not a WAV file. */
export function readWavHeader(bytes: Uint8Array): WavInfo | undefined {
  if (bytes.length < 12 || ascii(bytes, 0) !== "RIFF" || ascii(bytes, 8) !== "WAVE") return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: { channels: number; sampleRate: number; byteRate: number; bitsPerSample: number } | undefined;
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = ascii(bytes, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === "fmt " && body + 16 <= bytes.length) {
      fmt = {
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        byteRate: view.getUint32(body + 8, true),
        bitsPerSample: view.getUint16(body + 14, true),
      };
    } else if (id === "data") {
      if (!fmt || fmt.byteRate === 0) return undefined;
      // Streamed WAVs write a placeholder size (0 or 0xFFFFFFFF): count the bytes present instead.
      const present = bytes.length - body;
      const dataBytes = size === 0 || size > present ? present : size;
      return {
        sampleRate: fmt.sampleRate,
        channels: fmt.channels,
        bitsPerSample: fmt.bitsPerSample,
        dataBytes,
        duration: dataBytes / fmt.byteRate,
      };
    }
    // Chunks are padded to an even size.
    at = body + size + (size % 2);
  }
  return undefined;
}

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
  const script = compileScript(scenario.stt);
  const wav = readWavHeader(audio);
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
