import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { base64Portable, encodeMp3, encodeWav, mp3Frames, parseTranscript, synthesize, initialSynthState, toBase64, WAV_FORMAT_CODES } from "../src/core/tts/index.js";
import { alawDecode, alawEncode, decodePcm, encodePcm, encodePcmInto, float32ToS16, floatToS16, mulawDecode, mulawEncode } from "../src/core/pcm.js";
import { encodeChunkFrame } from "../src/core/tts/chunk-frame.js";
import { parseWav } from "../src/core/wav.js";
import { concat, fcOptions, sameBytes } from "./core-tts-helpers.js";

/** The largest G.711 step at a magnitude (segment width): the round-trip error bound. */
function g711Step(magnitude: number, law: "mu" | "a"): number {
  if (law === "mu") {
    // µ-law segments (16-bit scale): step 8 below 2^8+, doubling each segment.
    const biased = Math.min(magnitude, 32635) + 0x84;
    let exp = 7;
    for (let mask = 0x4000; (biased & mask) === 0 && exp > 0; mask >>= 1) exp -= 1;
    return 8 << exp;
  }
  const m = magnitude >> 3;
  let seg = 0;
  const ends = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];
  while (seg < 8 && m > (ends[seg] as number)) seg += 1;
  return 16 << Math.max(0, seg - 1);
}

describe("G.711 µ-law", () => {
  it("encodes known values", () => {
    expect(mulawEncode(0)).toBe(0xff);
    expect(mulawEncode(-1)).toBe(0x7f);
    expect(mulawEncode(32767)).toBe(0x80);
    expect(mulawEncode(-32768)).toBe(0x00);
    // Segment boundaries from the G.711 tables (16-bit input).
    expect(mulawEncode(1000)).toBe(0xce);
    expect(mulawEncode(-1000)).toBe(0x4e);
  });

  it("decodes known values", () => {
    expect(mulawDecode(0xff)).toBe(0);
    expect(mulawDecode(0x7f)).toBe(0);
    expect(mulawDecode(0x80)).toBe(32124);
    expect(mulawDecode(0x00)).toBe(-32124);
    expect(mulawDecode(0xfe)).toBe(8);
    expect(mulawDecode(0xce)).toBe(988);
  });

  it("round-trips every 16-bit value within half a quantisation step", () => {
    const worst: number[] = [];
    for (let v = -32768; v <= 32767; v += 1) {
      const back = mulawDecode(mulawEncode(v));
      const clipped = Math.max(-32635, Math.min(32635, v));
      // G.711 µ-law decodes to the middle of the interval: error at most half its step (plus the clip).
      if (Math.abs(back - clipped) > g711Step(Math.abs(clipped), "mu") / 2 + 4) worst.push(v);
    }
    expect(worst).toEqual([]);
  });

  it("is monotonic: decode(encode) never decreases", () => {
    let last = -Infinity;
    for (let v = -32768; v <= 32767; v += 7) {
      const back = mulawDecode(mulawEncode(v));
      expect(back).toBeGreaterThanOrEqual(last);
      last = back;
    }
  });

  it("decode then encode is the identity on all 256 codes (except the two zeros)", () => {
    for (let code = 0; code < 256; code += 1) {
      const again = mulawEncode(mulawDecode(code));
      expect(code === 0x7f ? again === 0xff || again === 0x7f : again === code).toBe(true);
    }
  });
});

describe("G.711 A-law", () => {
  it("encodes known values", () => {
    expect(alawEncode(0)).toBe(0xd5);
    expect(alawEncode(-1)).toBe(0x55);
    expect(alawEncode(32767)).toBe(0xaa);
    expect(alawEncode(-32768)).toBe(0x2a);
    expect(alawEncode(1000)).toBe(0xfa);
  });

  it("decodes known values", () => {
    expect(alawDecode(0xd5)).toBe(8);
    expect(alawDecode(0x55)).toBe(-8);
    expect(alawDecode(0xaa)).toBe(32256);
    expect(alawDecode(0x2a)).toBe(-32256);
    expect(alawDecode(0xfa)).toBe(1008);
  });

  it("round-trips every 16-bit value within half a quantisation step", () => {
    const worst: number[] = [];
    for (let v = -32768; v <= 32767; v += 1) {
      // The 16 → 13 bit shift truncates toward −∞: up to 8 more.
      if (Math.abs(alawDecode(alawEncode(v)) - v) > g711Step(Math.abs(v), "a") / 2 + 8) worst.push(v);
    }
    expect(worst).toEqual([]);
  });

  it("decode then encode is the identity on all 256 codes", () => {
    for (let code = 0; code < 256; code += 1) expect(alawEncode(alawDecode(code))).toBe(code);
  });
});

describe("PCM encodings", () => {
  const sampleArb = fc.float({ min: -1, max: 1, noNaN: true });

  it("s16le and f32le round-trip float samples", () => {
    fc.assert(
      fc.property(fc.array(sampleArb, { maxLength: 200 }), (values) => {
        const samples = Float32Array.from(values);
        const f32 = decodePcm(encodePcm(samples, "pcm_f32le"), "pcm_f32le");
        expect(Array.from(f32)).toEqual(Array.from(samples));
        const s16 = decodePcm(encodePcm(samples, "pcm_s16le"), "pcm_s16le");
        s16.forEach((x, i) => expect(Math.abs(x - (samples[i] as number))).toBeLessThan(2 / 32768));
      }),
      fcOptions,
    );
  });

  it("encodePcmInto writes encodePcm's bytes at any offset, aligned or not, and nothing else", () => {
    const encodings = ["pcm_s16le", "pcm_f32le", "pcm_s32le", "pcm_f16le", "pcm_mulaw", "pcm_alaw"] as const;
    fc.assert(
      fc.property(fc.array(fc.float({ min: -2, max: 2, noNaN: true }), { maxLength: 64 }), fc.constantFrom(...encodings), fc.integer({ min: 0, max: 7 }), fc.boolean(), (values, encoding, offset, typed) => {
        const samples = typed ? Float32Array.from(values) : values;
        const expected = encodePcm(samples, encoding);
        const out = new Uint8Array(offset + expected.length + 3).fill(0xaa);
        encodePcmInto(samples, encoding, out, offset);
        expect(Array.from(out.subarray(offset, offset + expected.length))).toEqual(Array.from(expected));
        expect([...out.subarray(0, offset), ...out.subarray(offset + expected.length)].every((b) => b === 0xaa)).toBe(true);
      }),
      fcOptions,
    );
  });

  it("µ-law and A-law bytes decode within quantisation error", () => {
    fc.assert(
      fc.property(fc.array(sampleArb, { maxLength: 200 }), (values) => {
        const samples = Float32Array.from(values);
        for (const [encoding, law] of [
          ["pcm_mulaw", "mu"],
          ["pcm_alaw", "a"],
        ] as const) {
          const back = decodePcm(encodePcm(samples, encoding), encoding);
          back.forEach((x, i) => {
            const v = floatToS16(samples[i] as number);
            expect(Math.abs(x * 32768 - v)).toBeLessThanOrEqual(g711Step(Math.abs(v), law) / 2 + 140);
          });
        }
      }),
      fcOptions,
    );
  });

  it("float32ToS16 (s16le from a Float32Array, without Math.round) gives floatToS16's value for every 32-bit float", () => {
    const check = (values: Float32Array) => {
      const out = new Int16Array(values.length);
      const expected = new Int16Array(values.length);
      float32ToS16(values, out);
      values.forEach((x, i) => (expected[i] = floatToS16(x)));
      const first = out.findIndex((v, i) => v !== expected[i]);
      expect(first === -1 ? undefined : { x: values[first], got: out[first], want: expected[first] }).toBeUndefined();
    };
    // Where rounding decides: the float32 values within 4 ulps of every half step (k + ½) / 32767, and
    // around the fast path's edges (|x·32767| = 2, and the ends of the range).
    const edges: number[] = [];
    const f = new Float32Array(1);
    const bits = new Int32Array(f.buffer);
    for (let k = -32770; k <= 32770; k += 1) {
      for (const center of [(k + 0.5) / 32767, k / 32767]) {
        f[0] = center;
        const b = bits[0] as number;
        for (let d = -4; d <= 4; d += 1) {
          bits[0] = b + d;
          edges.push(f[0] as number);
        }
      }
    }
    check(Float32Array.from(edges));
    check(Float32Array.from([0, -0, 2 / 32767, -2 / 32767, 1, -1, 2, -2, 1e-40, -1e-40, 3.4e38, -3.4e38, Infinity, -Infinity, NaN]));
    // And any 32-bit float at all (NaN, infinities, subnormals and huge values included).
    fc.assert(fc.property(fc.array(fc.float(), { maxLength: 300 }), (values) => check(Float32Array.from(values))), fcOptions);
  });

  it("s16le is little-endian, and both base64 encoders match Node's", () => {
    const bytes = encodePcm(Float32Array.from([0, 1, -1]), "pcm_s16le");
    expect(Array.from(bytes)).toEqual([0, 0, 0xff, 0x7f, 0x01, 0x80]);
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 10 }), fc.uint8Array({ maxLength: 100_000 })), (b) => {
        const expected = Buffer.from(b).toString("base64");
        expect(toBase64(b)).toBe(expected);
        expect(base64Portable(b)).toBe(expected);
      }),
      { ...fcOptions, numRuns: Math.min(fcOptions.numRuns, 30) },
    );
  });
});

describe("WAV", () => {
  const samples = synthesize(parseTranscript("Hello there, world."), initialSynthState(16000)).samples;

  for (const encoding of ["pcm_s16le", "pcm_f32le", "pcm_mulaw", "pcm_alaw"] as const) {
    it(`writes a valid RIFF header for ${encoding}`, () => {
      const wav = encodeWav(samples, encoding, 16000);
      const info = parseWav(wav);
      const bytesPerSample = { pcm_s16le: 2, pcm_f32le: 4, pcm_mulaw: 1, pcm_alaw: 1 }[encoding];
      expect(info).toBeDefined();
      if (!info) return;
      expect(String.fromCharCode(...wav.subarray(0, 4))).toBe("RIFF");
      expect(new DataView(wav.buffer).getUint32(4, true)).toBe(wav.length - 8);
      expect(info.format).toBe(WAV_FORMAT_CODES[encoding]);
      expect(info.format).toBe({ pcm_s16le: 1, pcm_f32le: 3, pcm_mulaw: 7, pcm_alaw: 6 }[encoding]);
      expect(info.channels).toBe(1);
      expect(info.sampleRate).toBe(16000);
      expect(info.bitsPerSample).toBe(bytesPerSample * 8);
      expect(info.blockAlign).toBe(bytesPerSample);
      expect(info.byteRate).toBe(16000 * bytesPerSample);
      expect(info.dataBytes).toBe(samples.length * bytesPerSample);
      expect(info.dataOffset + info.dataBytes).toBe(wav.length);
      if (encoding !== "pcm_s16le") expect(info.factSamples).toBe(samples.length);
      expect(sameBytes(wav.subarray(info.dataOffset), encodePcm(samples, encoding))).toBe(true);
    });
  }
});

describe("MP3 (LAME)", () => {
  const audio = synthesize(parseTranscript("Hello there. This is a longer sentence, for the encoder."), initialSynthState(24000)).samples;

  for (const [rate, bitRate] of [
    [24000, 64000],
    [22050, 128000],
    [16000, 32000],
    [44100, 128000],
    [48000, 192000],
    [8000, 32000],
  ] as const) {
    it(`produces whole Layer III frames at ${rate} Hz / ${bitRate / 1000} kbps`, () => {
      const samples = synthesize(parseTranscript("Hello there. This is a longer sentence, for the encoder."), initialSynthState(rate)).samples;
      const mp3 = concat(encodeMp3(samples, rate, bitRate));
      const { frames, end } = mp3Frames(mp3);
      expect(frames.length).toBeGreaterThan(10);
      expect(end).toBe(mp3.length);
      for (const f of frames) {
        expect(mp3[f.offset]).toBe(0xff);
        expect((mp3[f.offset + 1] as number) & 0xe0).toBe(0xe0);
        expect(f.sampleRate).toBe(rate);
        expect(f.bitRate).toBe(bitRate);
      }
      const duration = (frames.length * (frames[0]?.samples ?? 0)) / rate;
      const expected = samples.length / rate;
      // LAME adds its encoder delay and pads the last frame: a few frames more, never less.
      expect(duration).toBeGreaterThanOrEqual(expected);
      expect(duration - expected).toBeLessThan(0.2);
    });
  }

  it("is deterministic", () => {
    expect(sameBytes(concat(encodeMp3(audio, 24000, 64000)), concat(encodeMp3(audio, 24000, 64000)))).toBe(true);
  });
});

describe("chunk frames", () => {
  it("encodeChunkFrame writes exactly what JSON.stringify writes, for any chunk whose data came from toBase64", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.boolean(),
        fc.integer({ min: -1000, max: 1000 }),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.option(fc.string({ unit: "binary" }), { nil: undefined }),
        fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer({ min: 1, max: 2 ** 31 })),
        (bytes, done, status, stepTime, contextId, flushId) => {
          // Key order as the core writes a chunk (tts/session.ts).
          const chunk = { type: "chunk" as const, data: toBase64(bytes), done, status_code: status, step_time: stepTime, context_id: contextId, flush_id: flushId };
          expect(encodeChunkFrame(chunk)).toBe(JSON.stringify(chunk));
        },
      ),
      fcOptions,
    );
  });
});
