/**
 * Containers for `/tts/bytes` (PROTOCOL.md §6.1, §8): WAV (RIFF) in all four encodings and MP3 through
 * the real LAME encoder (`@breezystack/lamejs`), plus the small readers the tests and clients need.
 */
import { Mp3Encoder } from "@breezystack/lamejs";
import { bytesPerSample as bytesPerSampleOf, type TtsEncoding } from "@speechwire/protocol";
import { encodePcm } from "../pcm.js";
import { toInt16 } from "./synth.js";

/** WAVE format codes: 1 PCM, 3 IEEE float, 6 A-law, 7 µ-law. */
export const WAV_FORMAT_CODES: Record<TtsEncoding, number> = { pcm_s16le: 1, pcm_f32le: 3, pcm_alaw: 6, pcm_mulaw: 7 };

/**
 * The RIFF/WAVE header for mono audio of `dataBytes` bytes. Integer PCM gets the 16-byte `fmt `
 * chunk; the other formats the 18-byte one (cbSize 0) and a `fact` chunk with the sample count, as
 * the WAVE spec asks of non-PCM formats.
 */
export function wavHeader(encoding: TtsEncoding, sampleRate: number, dataBytes: number): Uint8Array {
  const format = WAV_FORMAT_CODES[encoding];
  const bytesPerSample = bytesPerSampleOf(encoding);
  const pcm = format === 1;
  const fmtSize = pcm ? 16 : 18;
  const factSize = pcm ? 0 : 12;
  const size = 12 + 8 + fmtSize + factSize + 8;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  const ascii = (at: number, text: string) => {
    for (let i = 0; i < text.length; i += 1) out[at + i] = text.charCodeAt(i);
  };
  ascii(0, "RIFF");
  view.setUint32(4, size - 8 + dataBytes, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, fmtSize, true);
  view.setUint16(20, format, true);
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * bytesPerSample, true); // byte rate
  view.setUint16(32, bytesPerSample, true); // block align
  view.setUint16(34, bytesPerSample * 8, true); // bits per sample
  let at = 36;
  if (!pcm) {
    view.setUint16(at, 0, true); // cbSize
    at += 2;
    ascii(at, "fact");
    view.setUint32(at + 4, 4, true);
    view.setUint32(at + 8, Math.floor(dataBytes / bytesPerSample), true);
    at += 12;
  }
  ascii(at, "data");
  view.setUint32(at + 4, dataBytes, true);
  return out;
}

/** A whole WAV file of float samples in an encoding. */
export function encodeWav(samples: Float32Array, encoding: TtsEncoding, sampleRate: number): Uint8Array {
  const data = encodePcm(samples, encoding);
  const header = wavHeader(encoding, sampleRate, data.length);
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}


/**
 * MP3 (MPEG-1/2/2.5 Layer III, mono, CBR) through LAME, fed `blockSamples` at a time; returns the
 * encoder's output per block (empty outputs skipped), then its flush. LAME picks what MPEG allows:
 * bit rates above a sample rate's maximum are clamped (8 kHz: 64 kbps; 16–24 kHz: 160 kbps) and at
 * 32 kbps it resamples 44.1/48 kHz input to 22.05 kHz.
 */
export function encodeMp3(samples: Float32Array, sampleRate: number, bitRate: number, blockSamples = MP3_BLOCK_SAMPLES): Uint8Array[] {
  const encoder = new Mp3Encoder(1, sampleRate, Math.round(bitRate / 1000));
  const pcm = toInt16(samples);
  const out: Uint8Array[] = [];
  // lamejs returns an Int8Array view of its reused work buffer: copy into fresh unsigned bytes.
  const take = (part: ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }) => {
    if (part.byteLength > 0) out.push(new Uint8Array(part.buffer, part.byteOffset, part.byteLength).slice());
  };
  for (let i = 0; i < pcm.length; i += blockSamples) take(encoder.encodeBuffer(pcm.subarray(i, i + blockSamples)));
  take(encoder.flush());
  return out;
}

/** Samples LAME is fed at a time by `encodeMp3` and `encodeMp3Stream` (the blocks must match for equal bytes). */
export const MP3_BLOCK_SAMPLES = 1152 * 8;

/**
 * `encodeMp3` for audio that arrives a block at a time: LAME gets each block as it comes (pass blocks of
 * `MP3_BLOCK_SAMPLES`, the last one shorter, for `encodeMp3`'s bytes) and its output is given as it is
 * made, then its flush. Memory is one block, however long the audio.
 */
export function* encodeMp3Stream(blocks: Iterable<Float32Array>, sampleRate: number, bitRate: number): Generator<Uint8Array> {
  const encoder = new Mp3Encoder(1, sampleRate, Math.round(bitRate / 1000));
  // lamejs returns an Int8Array view of its reused work buffer: copy into fresh unsigned bytes.
  const copy = (part: ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }) =>
    new Uint8Array(part.buffer, part.byteOffset, part.byteLength).slice();
  for (const block of blocks) {
    const part = encoder.encodeBuffer(toInt16(block));
    if (part.byteLength > 0) yield copy(part);
  }
  const last = encoder.flush();
  if (last.byteLength > 0) yield copy(last);
}

/** One MP3 frame header, as read by `mp3Frames`. */
export interface Mp3Frame {
  offset: number;
  length: number;
  /** 1 (MPEG-1), 2 (MPEG-2) or 2.5. */
  version: 1 | 2 | 2.5;
  bitRate: number;
  sampleRate: number;
  /** Samples per frame: 1152 (MPEG-1) or 576 (MPEG-2/2.5). */
  samples: number;
}

const MP3_BITRATES_V1 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const MP3_BITRATES_V2 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const MP3_RATES: Record<string, readonly number[]> = { "1": [44100, 48000, 32000], "2": [22050, 24000, 16000], "2.5": [11025, 12000, 8000] };

/**
 * Walks Layer III frames from the start: each must begin with the 11-bit sync 0xFFE and a valid
 * header. Returns the frames and where the walk stopped (`end === bytes.length` for a clean file).
 */
export function mp3Frames(bytes: Uint8Array): { frames: Mp3Frame[]; end: number } {
  const frames: Mp3Frame[] = [];
  let at = 0;
  while (at + 4 <= bytes.length) {
    const b1 = bytes[at + 1] as number;
    const b2 = bytes[at + 2] as number;
    if (bytes[at] !== 0xff || (b1 & 0xe0) !== 0xe0) break;
    const versionBits = (b1 >> 3) & 0x03;
    const layerBits = (b1 >> 1) & 0x03;
    if (versionBits === 1 || layerBits !== 1) break; // reserved version, or not Layer III
    const version = versionBits === 3 ? 1 : versionBits === 2 ? 2 : 2.5;
    const bitRate = ((version === 1 ? MP3_BITRATES_V1 : MP3_BITRATES_V2)[b2 >> 4] ?? 0) * 1000;
    const sampleRate = MP3_RATES[String(version)]?.[(b2 >> 2) & 0x03];
    if (!bitRate || sampleRate === undefined) break;
    const padding = (b2 >> 1) & 0x01;
    const samples = version === 1 ? 1152 : 576;
    const length = Math.floor(((samples / 8) * bitRate) / sampleRate) + padding;
    if (at + length > bytes.length) break;
    frames.push({ offset: at, length, version, bitRate, sampleRate, samples });
    at += length;
  }
  return { frames, end: at };
}
