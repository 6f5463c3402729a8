/**
 * The playground's pure parts, in Node: the generated sample, PCM conversions (G.711 tables checked at
 * known points, round trips as properties), issue paths → editor lines, and journal entry lookup.
 * Properties honour FC_SEED / FC_NUM_RUNS.
 */
import fc from "fast-check";
import { LineCounter, parseDocument } from "yaml";
import { describe, expect, it } from "vitest";
import { decodeToFloat, floatToS16le } from "../src/audio/pcm.js";
import { generateSample, SAMPLE_LAYOUT, SAMPLE_SECONDS, speechEnds } from "../src/audio/sample.js";
import { findModel, MODEL_TABLE, servedModels } from "@speechwire/protocol";
import { entryIndexOf } from "../src/journal.js";
import { defaultModel, modelOptions, takesLanguageParam } from "../src/models.js";
import { issueLine, parseIssuePath } from "../src/scenarios.js";

const fcOptions = {
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
  numRuns: Number(process.env.FC_NUM_RUNS ?? 100),
};

describe("the bundled sample", () => {
  it("is the same every run, as long as its layout, and loud where voiced, faint where not", () => {
    const a = generateSample(16000);
    expect(a).toEqual(generateSample(16000));
    expect(a.length).toBe(Math.round(SAMPLE_SECONDS * 16000));
    let at = 0;
    for (const segment of SAMPLE_LAYOUT) {
      const n = Math.round(segment.seconds * 16000);
      const slice = a.subarray(at, at + n);
      const rms = Math.sqrt(slice.reduce((s, x) => s + x * x, 0) / slice.length);
      if (segment.voiced) expect(rms).toBeGreaterThan(0.05);
      else expect(rms).toBeLessThan(0.005);
      at += n;
    }
    expect(Math.max(...a.map(Math.abs))).toBeLessThanOrEqual(1);
  });

  it("matches eager-resume's speech: two words, a 0.6 s pause, two words; speech ends where the words do", () => {
    expect(speechEnds().map((s) => Number(s.toFixed(2)))).toEqual([0.9, 1.68, 2.78, 3.36]);
    expect(SAMPLE_LAYOUT.filter((s) => s.voiced)).toHaveLength(4);
  });
});

describe("PCM", () => {
  it("decodes G.711 at known points (µ-law and A-law silence, extremes)", () => {
    const mulaw = decodeToFloat(Uint8Array.of(0xff, 0x7f, 0x00, 0x80), "pcm_mulaw");
    expect(Array.from(mulaw, (x) => Math.round(x * 0x8000))).toEqual([0, 0, -32124, 32124]);
    const alaw = decodeToFloat(Uint8Array.of(0xd5, 0x55, 0x2a, 0xaa), "pcm_alaw");
    expect(Array.from(alaw, (x) => Math.round(x * 0x8000))).toEqual([8, -8, -32256, 32256]);
  });

  it("round-trips any float in [-1, 1] through pcm_s16le within one step", () => {
    fc.assert(
      fc.property(fc.array(fc.float({ min: -1, max: 1, noNaN: true }), { maxLength: 200 }), (values) => {
        const bytes = floatToS16le(Float32Array.from(values));
        expect(bytes.byteLength).toBe(values.length * 2);
        const back = decodeToFloat(bytes, "pcm_s16le");
        back.forEach((x, i) => expect(Math.abs(x - (values[i] as number))).toBeLessThanOrEqual(1 / 0x8000));
      }),
      fcOptions,
    );
  });

  it("decodes pcm_f32le exactly, from unaligned views too", () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noNaN: true }), { maxLength: 50 }), (values) => {
        const source = Float32Array.from(values);
        const padded = new Uint8Array(source.byteLength + 1);
        padded.set(new Uint8Array(source.buffer), 1);
        expect(decodeToFloat(padded.subarray(1), "pcm_f32le")).toEqual(source);
      }),
      fcOptions,
    );
  });

  it("clips out-of-range floats instead of wrapping", () => {
    expect(Array.from(new Int16Array(floatToS16le(Float32Array.of(2, -2, 1, -1)).buffer))).toEqual([32767, -32768, 32767, -32768]);
  });
});

describe("scenario issues at their lines", () => {
  const text = ["name: Bad Name", "stt:", "  turns:", "    - segments:", '        - say: "hi"', "        - pause: -1", "      endSilence:", ""].join("\n");
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });

  it("splits issue paths into keys and indices", () => {
    expect(parseIssuePath("stt.turns[0].segments[11].pause")).toEqual(["stt", "turns", 0, "segments", 11, "pause"]);
    expect(parseIssuePath("(root)")).toEqual([]);
    expect(parseIssuePath("name")).toEqual(["name"]);
  });

  it("finds the line of the field, of a key with no value, and of the nearest parent for a missing field", () => {
    expect(issueLine(doc, counter, ["name"])).toBe(1);
    expect(issueLine(doc, counter, ["stt", "turns", 0, "segments", 1, "pause"])).toBe(6);
    expect(issueLine(doc, counter, ["stt", "turns", 0, "endSilence"])).toBe(7);
    expect(issueLine(doc, counter, ["stt", "turns", 0, "segments", 1, "missing"])).toBe(6);
    expect(issueLine(doc, counter, [])).toBe(1);
  });

  it("works on JSON text too", () => {
    const json = '{\n  "name": "x",\n  "stt": {\n    "turns": [\n      { "segments": [ { "pause": -1 } ] }\n    ]\n  }\n}\n';
    const c = new LineCounter();
    expect(issueLine(parseDocument(json, { lineCounter: c }), c, ["stt", "turns", 0, "segments", 0, "pause"])).toBe(5);
  });
});

describe("journal entries", () => {
  it("maps linter event indices onto entries that fold audio runs", () => {
    const entries = [{ kind: "text" as const }, { kind: "binary" as const, frames: 3 }, { kind: "text" as const }, { kind: "close" as const }];
    expect([0, 1, 2, 3, 4, 5, 6].map((i) => entryIndexOf(entries, i))).toEqual([0, 1, 1, 1, 2, 3, undefined]);
  });

  it("gives every event index exactly one entry, in order (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant({ kind: "text" as const }), fc.integer({ min: 1, max: 20 }).map((frames) => ({ kind: "binary" as const, frames })))), (entries) => {
        const total = entries.reduce((n, e) => n + (e.kind === "binary" ? e.frames : 1), 0);
        let last = -1;
        for (let i = 0; i < total; i += 1) {
          const at = entryIndexOf(entries, i);
          expect(at).toBeGreaterThanOrEqual(last);
          last = at as number;
        }
        expect(entryIndexOf(entries, total)).toBeUndefined();
      }),
      fcOptions,
    );
  });
});

describe("the model pickers", () => {
  it("offer what the model table serves, labelled with their standing, and start on the preferred or newest stable model", () => {
    const tts = modelOptions("tts");
    expect(tts.map(([id]) => id)).toEqual(servedModels("tts"));
    for (const [id, label] of tts) {
      const status = findModel(id)?.status;
      expect(status).not.toBe("sunset");
      expect(label).toBe(status === "stable" ? id : `${id} (${status})`);
    }
    expect(tts).toContainEqual(["sonic-lite", "sonic-lite (unverified)"]);
    expect(defaultModel("tts")).toBe(MODEL_TABLE.find((m) => m.kind === "tts" && m.status === "stable")?.id);
    expect(defaultModel("tts")).toBe("sonic-3.6");
    expect(defaultModel("stt-turns", "ink-2")).toBe("ink-2");
    expect(defaultModel("stt-turns", "sonic-3")).toBe("ink-2"); // not served there: the first stable one
    expect(modelOptions("stt-turns")).toContainEqual(["ink-preview", "ink-preview (preview)"]);
    expect(takesLanguageParam("ink-whisper")).toBe(true);
    expect(takesLanguageParam("ink-preview")).toBe(false);
  });
});
