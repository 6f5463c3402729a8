/** Audio formats of PROTOCOL.md §8: what STT accepts and TTS produces. */

/** Encodings the realtime STT endpoints read from binary frames (§8). */
export const STT_ENCODINGS = ["pcm_s16le", "pcm_s32le", "pcm_f16le", "pcm_f32le", "pcm_mulaw", "pcm_alaw"] as const;
/** An STT input encoding. */
export type SttEncoding = (typeof STT_ENCODINGS)[number];

/** Encodings TTS produces (§8: TTS has no s32le or f16le). */
export const TTS_ENCODINGS = ["pcm_f32le", "pcm_s16le", "pcm_mulaw", "pcm_alaw"] as const;
/** A TTS output encoding. */
export type TtsEncoding = (typeof TTS_ENCODINGS)[number];

/** Any PCM encoding of either direction. */
export type Encoding = SttEncoding;

/** Sample rates TTS can produce (§8). */
export const TTS_SAMPLE_RATES = [8000, 16000, 22050, 24000, 44100, 48000] as const;
/** A TTS output sample rate. */
export type TtsSampleRate = (typeof TTS_SAMPLE_RATES)[number];

/** Typical STT sample rates (§8 guidance; the API takes any rate that matches the audio). */
export const STT_SAMPLE_RATES = [8000, 16000, 22050, 24000, 44100, 48000] as const;

/** TTS containers: WebSocket and SSE support only `raw`; `/tts/bytes` all three (§8). */
export const TTS_CONTAINERS = ["raw", "wav", "mp3"] as const;
/** A TTS container. */
export type TtsContainer = (typeof TTS_CONTAINERS)[number];

/** MP3 bit rates for `/tts/bytes` (§6.1). */
export const MP3_BIT_RATES = [32000, 64000, 96000, 128000, 192000] as const;

const BYTES_PER_SAMPLE: Record<Encoding, number> = {
  pcm_s16le: 2,
  pcm_s32le: 4,
  pcm_f16le: 2,
  pcm_f32le: 4,
  pcm_mulaw: 1,
  pcm_alaw: 1,
};

/** Bytes per (mono) sample of an encoding, from the table in §8. */
export function bytesPerSample(encoding: Encoding): number {
  return BYTES_PER_SAMPLE[encoding];
}

/** True when `value` names an STT encoding. */
export function isSttEncoding(value: string): value is SttEncoding {
  return (STT_ENCODINGS as readonly string[]).includes(value);
}

/** True when `value` names a TTS encoding. */
export function isTtsEncoding(value: string): value is TtsEncoding {
  return (TTS_ENCODINGS as readonly string[]).includes(value);
}

/**
 * Byte count of `seconds` of mono audio, rounded to whole samples.
 * @example bytesForDuration(0.1, "pcm_s16le", 16000) // 3200
 */
export function bytesForDuration(seconds: number, encoding: Encoding, sampleRate: number): number {
  return Math.round(seconds * sampleRate) * bytesPerSample(encoding);
}

/**
 * Duration in seconds of `byteCount` bytes of mono audio; a trailing partial sample is not counted.
 * @example durationOfBytes(3200, "pcm_s16le", 16000) // 0.1
 */
export function durationOfBytes(byteCount: number, encoding: Encoding, sampleRate: number): number {
  return samplesInBytes(byteCount, encoding) / sampleRate;
}

/** Whole samples contained in `byteCount` bytes. */
export function samplesInBytes(byteCount: number, encoding: Encoding): number {
  return Math.floor(byteCount / bytesPerSample(encoding));
}
