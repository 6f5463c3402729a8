/** WAV files of decoded audio, for the TTS view's download: 16-bit PCM, or 32-bit float to keep `pcm_f32le` exact. */

/** The bytes of a mono WAV file holding `samples` (floats in [-1, 1]) at `sampleRate`. */
export function wavBytes(samples: Float32Array, sampleRate: number, format: "pcm16" | "float32" = "pcm16"): Uint8Array {
  const bytesPerSample = format === "pcm16" ? 2 : 4;
  const dataBytes = samples.length * bytesPerSample;
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  const ascii = (offset: number, text: string) => [...text].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  ascii(0, "RIFF");
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, format === "pcm16" ? 1 : 3, true); // 1: integer PCM, 3: IEEE float
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * bytesPerSample, true);
  view.setUint16(32, bytesPerSample, true);
  view.setUint16(34, bytesPerSample * 8, true);
  ascii(36, "data");
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < samples.length; i += 1) {
    const v = samples[i]!;
    if (format === "float32") view.setFloat32(44 + i * 4, v, true);
    // The scale pcm.ts decodes 16-bit audio with (÷ 32768), so s16 → float → WAV gives the same samples back.
    else view.setInt16(44 + i * 2, Math.max(-0x8000, Math.min(0x7fff, Math.round((Number.isNaN(v) ? 0 : v) * 0x8000))), true);
  }
  return out;
}
