import { sttBatch } from "@speechwire/protocol";
import { describe, expect, it } from "vitest";
import { compileScript, transcribeBatch } from "../src/core/stt/index.js";
import { parseWav } from "../src/core/wav.js";
import { BUILTIN_SCENARIOS } from "../src/scenario/builtin.js";
import type { Scenario } from "../src/scenario/schema.js";

const scenario = BUILTIN_SCENARIOS.find((s) => s.name === "default") as Scenario;

/** A PCM WAV file: `fmt ` (after an odd-sized `LIST` chunk, to test padding) and `data`. */
function wav(seconds: number, rate: number, channels = 1, bits = 16, dataSize?: number): Uint8Array {
  const data = Math.round(seconds * rate) * channels * (bits / 8);
  const bytes = new Uint8Array(12 + 8 + 3 + 1 + 8 + 16 + 8 + data);
  const view = new DataView(bytes.buffer);
  const ascii = (at: number, s: string) => [...s].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
  ascii(0, "RIFF");
  view.setUint32(4, bytes.length - 8, true);
  ascii(8, "WAVE");
  ascii(12, "LIST");
  view.setUint32(16, 3, true);
  ascii(24, "fmt ");
  view.setUint32(28, 16, true);
  view.setUint16(32, 1, true);
  view.setUint16(34, channels, true);
  view.setUint32(36, rate, true);
  view.setUint32(40, rate * channels * (bits / 8), true);
  view.setUint16(44, channels * (bits / 8), true);
  view.setUint16(46, bits, true);
  ascii(48, "data");
  view.setUint32(52, dataSize ?? data, true);
  return bytes;
}

describe("transcribeBatch", () => {
  const form: sttBatch.Form = { model: "ink-whisper", language: "en" };

  it("returns the script's whole text with the WAV's duration", () => {
    const response = transcribeBatch(form, wav(1.5, 16000), scenario, "req-9");
    expect(response).toEqual({ type: "transcript", text: compileScript(scenario.stt).text, language: "en", duration: 1.5, request_id: "req-9" });
    const strict = sttBatch.parseResponse(sttBatch.encodeResponse(response), { strictness: "strict" });
    expect(strict.ok).toBe(true);
  });

  it("reads stereo, 24-bit and streamed (placeholder size) WAV headers", () => {
    expect(parseWav(wav(2, 44100, 2, 24))).toMatchObject({ channels: 2, sampleRate: 44100, bitsPerSample: 24, duration: 2 });
    expect(parseWav(wav(0.5, 8000, 1, 16, 0xffffffff))?.duration).toBe(0.5);
    expect(parseWav(new Uint8Array(100))).toBeUndefined();
  });

  it("takes headerless audio as 16-bit 16 kHz, or the query's raw format", () => {
    expect(transcribeBatch(form, new Uint8Array(48000), scenario, "r").duration).toBe(1.5);
    expect(transcribeBatch(form, new Uint8Array(8000), scenario, "r", { encoding: "pcm_mulaw", sample_rate: 8000 }).duration).toBe(1);
  });

  it("adds word timestamps only when asked for, and uses the scenario's language by default", () => {
    const plain = transcribeBatch({ model: "ink-whisper" }, new Uint8Array(0), scenario, "r");
    expect(plain.words).toBeUndefined();
    expect(plain.language).toBe("en");
    const parsedForm = sttBatch.parseForm({ model: "ink-whisper", language: "fr", "timestamp_granularities[]": "word" }, { strictness: "validating" });
    if (!parsedForm.ok) throw new Error(parsedForm.error.message);
    const timed = transcribeBatch(parsedForm.value, wav(8, 16000), scenario, "r");
    expect(timed.language).toBe("fr");
    expect(timed.words?.map((w) => w.word).join(" ")).toBe(timed.text);
    expect(timed.words?.[0]).toEqual({ word: "Hi,", start: 0.3, end: 0.6 });
  });
});
