/** PCM conversions for the playground: float ↔ 16-bit little-endian, and the four TTS encodings to float. */
import { pcmSamples } from "@speechwire/client";

/** Float samples in [-1, 1] to `pcm_s16le` bytes (clipped). */
export function floatToS16le(samples: Float32Array): Uint8Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i += 1) {
    // The same scale both ways (× and ÷ 32768), clipped: decoding then errs by at most one step.
    out[i] = Math.max(-0x8000, Math.min(0x7fff, Math.round((samples[i] as number) * 0x8000)));
  }
  return new Uint8Array(out.buffer);
}

/** G.711 µ-law byte to a linear 16-bit sample. */
function mulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

/** G.711 A-law byte to a linear 16-bit sample. */
function alawToLinear(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a & 0x70) >> 4;
  let t = (a & 0x0f) << 4;
  t = exponent === 0 ? t + 8 : (t + 0x108) << (exponent - 1);
  return a & 0x80 ? t : -t;
}

/** The TTS encodings the player understands (every raw one the API offers, docs/protocol §8). */
export type PlayableEncoding = "pcm_f32le" | "pcm_s16le" | "pcm_mulaw" | "pcm_alaw";

/** Raw TTS audio in `encoding` to float samples for Web Audio. */
export function decodeToFloat(audio: Uint8Array, encoding: PlayableEncoding): Float32Array {
  switch (encoding) {
    case "pcm_f32le":
      return Float32Array.from(pcmSamples(audio, "pcm_f32le") as Float32Array);
    case "pcm_s16le": {
      const ints = pcmSamples(audio, "pcm_s16le") as Int16Array;
      const out = new Float32Array(ints.length);
      for (let i = 0; i < ints.length; i += 1) out[i] = (ints[i] as number) / 0x8000;
      return out;
    }
    case "pcm_mulaw":
    case "pcm_alaw": {
      const decode = encoding === "pcm_mulaw" ? mulawToLinear : alawToLinear;
      const out = new Float32Array(audio.length);
      for (let i = 0; i < audio.length; i += 1) out[i] = decode(audio[i] as number) / 0x8000;
      return out;
    }
  }
}
