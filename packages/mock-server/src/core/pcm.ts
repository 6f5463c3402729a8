/**
 * PCM codecs for every encoding of PROTOCOL.md §8, shared by the STT side (decoding what clients send,
 * for the energy detector) and the TTS side (encoding synthesized audio). Pure and host-independent.
 */
import { bytesPerSample, type SttEncoding } from "@speechwire/protocol";

/** Decodes one IEEE 754 half-precision value. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Encodes one value as IEEE 754 half precision (round to nearest even). */
function floatToHalf(value: number): number {
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  f32[0] = value;
  const x = u32[0] as number;
  const sign = (x >>> 16) & 0x8000;
  const exponent = ((x >>> 23) & 0xff) - 127 + 15;
  const mantissa = x & 0x7fffff;
  if (((x >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  if (exponent >= 0x1f) return sign | 0x7c00;
  if (exponent <= 0) {
    if (exponent < -10) return sign;
    const m = (mantissa | 0x800000) >>> (1 - exponent);
    const rounded = (m + 0xfff + ((m >>> 13) & 1)) >>> 13;
    return sign | rounded;
  }
  const rounded = (mantissa + 0xfff + ((mantissa >>> 13) & 1)) >>> 13;
  return (sign | (exponent << 10)) + rounded;
}

/** A float sample in [-1, 1] as signed 16-bit (clamped, rounded). */
export function floatToS16(x: number): number {
  const v = Math.round(x * 32767);
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}

/**
 * `floatToS16` of every sample of a `Float32Array` into `out`, the same values without `Math.round`
 * (which cost as much as synthesizing the tone: words not heard before are rendered and encoded
 * sample by sample). For a 32-bit float x with |x·32767| ≥ 2, y = x·32767 + 32768.5 is exact in a
 * double (x has 24 significant bits, none finer than 2^-37, and y < 2^16), so ⌊y⌋ − 32768 is
 * Math.round(x·32767) (half up), and `y | 0` is ⌊y⌋ for y in [0, 2^31). Anything else — near zero,
 * out of range, NaN — goes through `floatToS16`.
 */
export function float32ToS16(samples: Float32Array, out: Int16Array): void {
  for (let i = 0; i < samples.length; i += 1) {
    const x = samples[i] as number;
    const y = x * 32767 + 32768.5;
    out[i] = y >= 0 && y < 65536 && (y <= 32766.5 || y >= 32770.5) ? (y | 0) - 32768 : floatToS16(x);
  }
}

const MULAW_BIAS = 0x84;
const MULAW_CLIP = 32635;

/**
 * G.711 µ-law encoding of a signed 16-bit sample (ITU-T G.711, the Sun reference algorithm).
 * @example mulawEncode(0) // 0xff
 */
export function mulawEncode(sample: number): number {
  let s = sample;
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > MULAW_CLIP) s = MULAW_CLIP;
  s += MULAW_BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent -= 1;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** Decodes a G.711 µ-law byte to a signed 16-bit sample. */
export function mulawDecode(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + MULAW_BIAS) << exponent) - MULAW_BIAS;
  // `0 - m`, not `-m`: code 0x7f ("negative zero") must decode to +0.
  return u & 0x80 ? 0 - magnitude : magnitude;
}

const ALAW_SEGMENT_ENDS = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];

/**
 * G.711 A-law encoding of a signed 16-bit sample (ITU-T G.711, the Sun reference algorithm; even bits inverted).
 * @example alawEncode(0) // 0xd5
 */
export function alawEncode(sample: number): number {
  let pcm = sample >> 3;
  let mask: number;
  if (pcm >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  let seg = 0;
  while (seg < 8 && pcm > (ALAW_SEGMENT_ENDS[seg] as number)) seg += 1;
  if (seg >= 8) return 0x7f ^ mask;
  const aval = (seg << 4) | (seg < 2 ? (pcm >> 1) & 0x0f : (pcm >> seg) & 0x0f);
  return aval ^ mask;
}

/** Decodes a G.711 A-law byte to a signed 16-bit sample. */
export function alawDecode(byte: number): number {
  const a = byte ^ 0x55;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : 0 - t;
}

/** True on little-endian hosts (all common ones): typed arrays can then be written as wire bytes directly. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

let mulawTable: Uint8Array | undefined;
let alawTable: Uint8Array | undefined;

/** A 64 Ki-entry table from a 16-bit sample (offset by 32768) to its G.711 byte: built once, then a lookup per sample. */
function g711Table(encode: (sample: number) => number): Uint8Array {
  const table = new Uint8Array(65536);
  for (let v = -32768; v <= 32767; v += 1) table[v + 32768] = encode(v);
  return table;
}

/**
 * Encodes float samples in [-1, 1] in any encoding (little-endian for the multi-byte ones).
 * @example encodePcm(new Float32Array([0]), "pcm_mulaw") // Uint8Array [0xff]
 */
export function encodePcm(samples: ArrayLike<number>, encoding: SttEncoding): Uint8Array {
  const out = new Uint8Array(samples.length * bytesPerSample(encoding));
  encodePcmInto(samples, encoding, out, 0);
  return out;
}

/**
 * `encodePcm`, written into `out` from byte `offset` (which must have room): for a caller that
 * reuses one buffer instead of allocating one per chunk.
 */
export function encodePcmInto(samples: ArrayLike<number>, encoding: SttEncoding, out: Uint8Array, offset: number): void {
  const n = samples.length;
  const clamp = (v: number) => (v > 1 ? 1 : v < -1 ? -1 : v);
  const at = out.byteOffset + offset;
  switch (encoding) {
    case "pcm_s16le": {
      if (LITTLE_ENDIAN && at % 2 === 0) {
        const view = new Int16Array(out.buffer, at, n);
        if (samples instanceof Float32Array) float32ToS16(samples, view);
        else for (let i = 0; i < n; i += 1) view[i] = floatToS16(samples[i] as number);
      } else {
        const view = new DataView(out.buffer, at, n * 2);
        for (let i = 0; i < n; i += 1) view.setInt16(i * 2, floatToS16(samples[i] as number), true);
      }
      return;
    }
    case "pcm_f32le": {
      if (LITTLE_ENDIAN && samples instanceof Float32Array) {
        out.set(new Uint8Array(samples.buffer, samples.byteOffset, n * 4), offset);
        return;
      }
      const view = new DataView(out.buffer, at, n * 4);
      for (let i = 0; i < n; i += 1) view.setFloat32(i * 4, samples[i] as number, true);
      return;
    }
    case "pcm_s32le": {
      const view = new DataView(out.buffer, at, n * 4);
      for (let i = 0; i < n; i += 1) view.setInt32(i * 4, Math.max(-2147483648, Math.min(2147483647, Math.round(clamp(samples[i] as number) * 2147483648))), true);
      return;
    }
    case "pcm_f16le": {
      const view = new DataView(out.buffer, at, n * 2);
      for (let i = 0; i < n; i += 1) view.setUint16(i * 2, floatToHalf(clamp(samples[i] as number)), true);
      return;
    }
    case "pcm_mulaw":
    case "pcm_alaw": {
      const table = encoding === "pcm_mulaw" ? (mulawTable ??= g711Table(mulawEncode)) : (alawTable ??= g711Table(alawEncode));
      for (let i = 0; i < n; i += 1) out[offset + i] = table[floatToS16(samples[i] as number) + 32768] as number;
      return;
    }
  }
}

/** Decodes whole samples of any encoding to floats in [-1, 1] (a trailing partial sample is ignored; NaN reads as 0). */
export function decodePcm(bytes: Uint8Array, encoding: SttEncoding): Float32Array {
  const n = Math.floor(bytes.length / bytesPerSample(encoding));
  const out = new Float32Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read: (i: number) => number = {
    pcm_s16le: (i: number) => view.getInt16(i * 2, true) / 32768,
    pcm_s32le: (i: number) => view.getInt32(i * 4, true) / 2147483648,
    pcm_f16le: (i: number) => halfToFloat(view.getUint16(i * 2, true)),
    pcm_f32le: (i: number) => view.getFloat32(i * 4, true),
    pcm_mulaw: (i: number) => mulawDecode(bytes[i] as number) / 32768,
    pcm_alaw: (i: number) => alawDecode(bytes[i] as number) / 32768,
  }[encoding];
  for (let i = 0; i < n; i += 1) {
    const v = read(i);
    out[i] = Number.isNaN(v) ? 0 : v > 1 ? 1 : v < -1 ? -1 : v;
  }
  return out;
}
