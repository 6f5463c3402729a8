/** WAV in and out: what is written reads back the same; stereo is mixed down; anything else is refused clearly. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readWav, syntheticSpeech, writeWav } from "../src/index.js";

/** A WAV header for any format (only the fields readWav looks at matter). */
function wavOf(format: { encoding: number; channels: number; sampleRate: number; bits: number }, data: Uint8Array, extraChunk?: Uint8Array): Uint8Array {
  const extra = extraChunk ?? new Uint8Array();
  const out = new Uint8Array(44 + extra.byteLength + data.byteLength);
  const view = new DataView(out.buffer);
  const text = (at: number, s: string) => out.set([...s].map((c) => c.charCodeAt(0)), at);
  text(0, "RIFF");
  view.setUint32(4, out.byteLength - 8, true);
  text(8, "WAVE");
  text(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, format.encoding, true);
  view.setUint16(22, format.channels, true);
  view.setUint32(24, format.sampleRate, true);
  view.setUint16(34, format.bits, true);
  out.set(extra, 36);
  text(36 + extra.byteLength, "data");
  view.setUint32(40 + extra.byteLength, data.byteLength, true);
  out.set(data, 44 + extra.byteLength);
  return out;
}

describe("WAV", () => {
  it("reads back what it writes, for any samples and rate", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -32768, max: 32767 }), { maxLength: 2000 }), fc.integer({ min: 8000, max: 192000 }), (samples, sampleRate) => {
        const pcm = new Uint8Array(new Int16Array(samples).buffer);
        const read = readWav(writeWav({ sampleRate, pcm }));
        expect(read.sampleRate).toBe(sampleRate);
        expect([...read.pcm]).toEqual([...pcm]);
      }),
    );
  });

  it("mixes any number of channels down to their mean, skips other chunks, and drops a partial last frame", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.array(fc.integer({ min: -32768, max: 32767 }), { maxLength: 600 }), fc.boolean(), (channels, samples, withList) => {
        const data = new Uint8Array(new Int16Array(samples).buffer);
        const list = new Uint8Array([..."LIST"].map((c) => c.charCodeAt(0)).concat([3, 0, 0, 0, 1, 2, 3, 0]));
        const read = readWav(wavOf({ encoding: 1, channels, sampleRate: 16000, bits: 16 }, data, withList ? list : undefined));
        const frames = Math.floor(samples.length / channels);
        const expected = Array.from({ length: frames }, (_, f) => Math.round(samples.slice(f * channels, f * channels + channels).reduce((a, b) => a + b, 0) / channels) || 0); // || 0: Math.round gives -0, an Int16Array holds 0
        expect([...new Int16Array(read.pcm.buffer, read.pcm.byteOffset, read.pcm.byteLength / 2)]).toEqual(expected);
      }),
    );
  });

  it("refuses what it cannot stream as pcm_s16le, saying what the file holds", () => {
    expect(() => readWav(new TextEncoder().encode("hello"))).toThrow("not a WAV file (no RIFF/WAVE header)");
    expect(() => readWav(wavOf({ encoding: 1, channels: 1, sampleRate: 16000, bits: 8 }, new Uint8Array(4)))).toThrow(/^WAV holds 8-bit integer PCM; 16-bit integer PCM is needed/);
    expect(() => readWav(wavOf({ encoding: 3, channels: 1, sampleRate: 16000, bits: 32 }, new Uint8Array(4)))).toThrow(/^WAV holds 32-bit format 3;/);
    expect(() => readWav(wavOf({ encoding: 1, channels: 0, sampleRate: 16000, bits: 16 }, new Uint8Array(4)))).toThrow("WAV fmt chunk has no channels or no sample rate");
    expect(() => readWav(writeWav({ sampleRate: 16000, pcm: new Uint8Array(4) }).subarray(0, 36))).toThrow("WAV file has no data chunk");
  });

  it("makes the same synthetic speech every time, with syllable gaps, and refuses a bad length", () => {
    const a = syntheticSpeech(1);
    expect(a.pcm).toEqual(syntheticSpeech(1).pcm);
    expect(a.pcm.byteLength).toBe(32000);
    const samples = new Int16Array(a.pcm.buffer);
    expect(Math.max(...samples)).toBeGreaterThan(4000);
    expect(samples.slice(2000, 4000).every((s) => s === 0)).toBe(true); // between the first two syllables
    expect(() => syntheticSpeech(0)).toThrow(RangeError);
    expect(() => syntheticSpeech(1, 100)).toThrow(/sampleRate must be an integer ≥ 8000/);
  });
});
