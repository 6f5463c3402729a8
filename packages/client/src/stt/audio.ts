/** Audio framing for the STT sockets: whole samples per frame, and silence in every encoding. */
import type { SttEncoding } from "@speechwire/protocol";
import { bytesPerSample } from "@speechwire/protocol/reader";

/** The byte value of a zero sample for each encoding (µ-law 0xFF, A-law 0xD5, PCM 0). */
const SILENCE_BYTE: Record<SttEncoding, number> = {
  pcm_s16le: 0,
  pcm_s32le: 0,
  pcm_f16le: 0,
  pcm_f32le: 0,
  pcm_mulaw: 0xff,
  pcm_alaw: 0xd5,
};

/** The audio format of a session. */
export interface AudioFormat {
  encoding: SttEncoding;
  sampleRate: number;
  bytesPerSample: number;
  /** Bytes per second of audio. */
  byteRate: number;
}

/** Reads the format from a handshake query (an unknown encoding is read as 16-bit PCM). */
export function audioFormat(encoding: string, sampleRate: number): AudioFormat {
  const enc = (encoding in SILENCE_BYTE ? encoding : "pcm_s16le") as SttEncoding;
  const bps = bytesPerSample(enc);
  return { encoding: enc, sampleRate, bytesPerSample: bps, byteRate: bps * sampleRate };
}

/** `ms` milliseconds of silence (whole samples, at least one). */
export function silence(format: AudioFormat, ms: number): Uint8Array {
  const samples = Math.max(1, Math.round((ms / 1000) * format.sampleRate));
  const out = new Uint8Array(samples * format.bytesPerSample);
  const byte = SILENCE_BYTE[format.encoding];
  if (byte !== 0) out.fill(byte);
  return out;
}

/** Milliseconds of audio in `bytes` bytes. */
export function durationMs(format: AudioFormat, bytes: number): number {
  return (bytes / format.byteRate) * 1000;
}
