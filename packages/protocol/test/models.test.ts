import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  API_VERSIONS,
  DEFAULT_VERSION,
  findModel,
  KNOWN_VERSIONS,
  lintSession,
  MODEL_PATTERNS,
  MODEL_TABLE,
  refuseModel,
  servedModels,
  servesModel,
  sttTurns,
  sttV1,
  tts,
  TTS_MODELS,
} from "../src/index.js";
import { fcOptions } from "./fc-options.js";
import { UNVERIFIED_RULES, type Violation } from "../src/index.js";

/** Only the accepted-but-unverified warnings (a one-message session also breaks end-of-session rules). */
const unverified = (violations: Violation[]) => violations.filter((v) => v.rule in UNVERIFIED_RULES);

describe("the model table (docs/protocol §13)", () => {
  it("has one row per id, and every row's family is a family some row serves", () => {
    const ids = MODEL_TABLE.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of MODEL_TABLE) expect(MODEL_TABLE.some((f) => f.family === m.family), m.id).toBe(true);
  });

  it("serves the December 2026 TTS ids and refuses the sunset ones with model_sunsetted (update D1, D8)", () => {
    for (const id of ["sonic-3.6", "sonic-3.6-2026-08-27", "sonic-preview", "sonic-2-2025-04-16", "sonic-2-2025-05-08", "sonic-2-2025-06-11", "sonic-turbo-2025-06-04"]) {
      expect(refuseModel("tts", id), id).toBeUndefined();
      expect(TTS_MODELS).toContain(id);
    }
    for (const id of ["sonic", "sonic-english", "sonic-multilingual", "sonic-2-2025-03-07", "sonic-turbo-2025-03-07"]) {
      expect(refuseModel("tts-bytes", id), id).toEqual({
        status: 400,
        code: "model_sunsetted",
        title: "Model sunsetted",
        message: "The requested model has been sunsetted and is no longer available.",
      });
      expect(TTS_MODELS).not.toContain(id);
    }
  });

  it("refuses any id it does not serve with model_not_found titled Invalid model, on every endpoint", () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom("stt-v1", "stt-turns", "stt-batch", "tts", "tts-bytes", "tts-sse") as fc.Arbitrary<"tts">, (id, endpoint) => {
        const refusal = refuseModel(endpoint, id);
        if (servesModel(endpoint, id)) return refusal === undefined;
        return refusal !== undefined && refusal.title === (refusal.code === "model_sunsetted" ? "Model sunsetted" : "Invalid model");
      }),
      fcOptions(),
    );
    expect(refuseModel("stt-turns", "ink-whisper")?.code).toBe("model_not_found");
    expect(refuseModel("tts", 42)?.code).toBe("model_not_found");
  });

  it("serves ink-preview on both realtime sockets and dated ink-2 snapshots by pattern (update D3, D9)", () => {
    expect(servedModels("stt-turns")).toEqual(expect.arrayContaining(["ink-2", "ink-preview"]));
    expect(servedModels("stt-v1")).toEqual(expect.arrayContaining(["ink-2", "ink-preview", "ink-whisper"]));
    expect(findModel("ink-2-2027-03-01")).toMatchObject({ status: "snapshot", family: "ink-2", features: { autoDetect: true } });
    expect(servesModel("stt-turns", "ink-2-2027-03-01")).toBe(true);
    expect(servesModel("stt-turns", "ink-2-preview")).toBe(false);
    expect(findModel("ink-2")?.languages).toEqual(["en", "fr", "hi", "ja", "es"]);
    expect(findModel("ink-2")?.features.wordTimestamps).toBeFalsy();
    expect(findModel("ink-preview")?.languages).toHaveLength(44);
    expect(findModel("ink-preview")?.features).toMatchObject({ wordTimestamps: true, languageHints: true, autoDetect: true });
  });

  it("drives the schemas: the strict query schemas accept exactly what the table serves", () => {
    const query = (model: string) => `model=${model}&encoding=pcm_s16le&sample_rate=16000`;
    for (const m of MODEL_TABLE.filter((r) => r.kind === "stt")) {
      expect(sttTurns.parseQuery(query(m.id), { strictness: "strict" }).ok, m.id).toBe(servesModel("stt-turns", m.id));
      expect(sttV1.parseQuery(query(m.id), { strictness: "strict" }).ok, m.id).toBe(servesModel("stt-v1", m.id));
    }
    expect(sttV1.MODELS).toEqual(servedModels("stt-v1"));
    expect(sttTurns.MODELS).toEqual(servedModels("stt-turns"));
  });
});

describe("API versions", () => {
  it("lists the versions oldest first, one current, and the default is it (update D12)", () => {
    expect(KNOWN_VERSIONS).toEqual([...KNOWN_VERSIONS].sort());
    expect(API_VERSIONS.filter((v) => v.status === "current").map((v) => v.date)).toEqual([DEFAULT_VERSION]);
    expect(DEFAULT_VERSION).toBe("2026-08-14");
  });
});

describe("accept, and warn in strict linting, where the real behaviour is unknown (update D10)", () => {
  const request = (extra: Record<string, unknown>) =>
    JSON.stringify({ model_id: "sonic-3", transcript: "Hi.", voice: { mode: "id", id: "v" }, output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: 16000 }, context_id: "c", ...extra });

  it("an emotion outside the 58 (LiveKit Python's \"Happy\") parses at every level and lints as a warning", () => {
    for (const strictness of ["lenient", "validating", "strict"] as const) {
      expect(tts.parseClientMessage(request({ generation_config: { emotion: "Happy" } }), { strictness }).ok, strictness).toBe(true);
    }
    const violations = unverified(lintSession("tts", [{ from: "client", frame: request({ generation_config: { emotion: "Happy" } }) }], { strictness: "strict" }));
    expect(violations).toEqual([expect.objectContaining({ rule: "tts/unverified-emotion", severity: "warning", index: 0, contextId: "c" })]);
    expect(unverified(lintSession("tts", [{ from: "client", frame: request({ generation_config: { emotion: "happy" } }) }], { strictness: "strict" }))).toEqual([]);
  });

  it("a model only a client names (sonic-lite) is accepted and warned about", () => {
    expect(tts.parseClientMessage(request({ model_id: "sonic-lite" }), { strictness: "strict" }).ok).toBe(true);
    const violations = unverified(lintSession("tts", [{ from: "client", frame: request({ model_id: "sonic-lite" }) }], { strictness: "strict" }));
    expect(violations.map((v) => v.rule)).toEqual(["tts/unverified-model"]);
  });

  it("a config's language_hint field is accepted, ignored, and warned about on both STT sockets", () => {
    const frame = '{"type":"config","language_hint":"en"}';
    expect(unverified(lintSession("stt-turns", [{ from: "client", frame }], { strictness: "strict" })).map((v) => v.rule)).toEqual(["stt-turns/config-language-hint-ignored"]);
    expect(unverified(lintSession("stt-v1", [{ from: "client", frame }], { strictness: "strict" })).map((v) => v.rule)).toEqual(["stt-v1/config-language-hint-ignored"]);
  });
});

describe("the table and docs/protocol §13 agree", () => {
  const doc = readFileSync(fileURLToPath(new URL("../../../docs/protocol/13-models-and-versions.md", import.meta.url)), "utf8");
  /** The rows of the markdown table under a `## 13.N` heading: cells, trimmed, backticks dropped. */
  const rowsOf = (section: string): string[][] => {
    const body = doc.split(/^## /m).find((part) => part.startsWith(section)) ?? "";
    return body
      .split("\n")
      .filter((line) => /^\| `/.test(line))
      .map((line) => line.split("|").slice(1, -1).map((cell) => cell.trim().replaceAll("`", "")));
  };
  const models = [...rowsOf("13.1"), ...rowsOf("13.2")];

  it("lists every model of the table, and nothing else, with the same endpoints and status", () => {
    const documented = models.map(([id]) => id);
    const patterns = MODEL_PATTERNS.map((p) => p.description);
    expect(documented.filter((id) => !patterns.includes(id!)).sort()).toEqual(MODEL_TABLE.map((m) => m.id).sort());
    expect(documented).toEqual(expect.arrayContaining(patterns));
    for (const [id, endpoints, status, , languages] of models) {
      const row = findModel(id!.replace("YYYY-MM-DD", "2027-01-01"))!;
      expect(row, id).toBeDefined();
      expect(endpoints!.split(", ").sort(), id).toEqual([...row.endpoints].sort());
      expect(status!.split(/[ ,(]/)[0], id).toBe(row.status);
      // A count in the languages column is the table's count; "not listed" is an empty list.
      const count = /^(\d+)/.exec(languages!)?.[1];
      if (count !== undefined) expect(row.languages.length, id).toBe(Number(count));
      if (/not listed/.test(languages!)) expect(row.languages, id).toEqual([]);
      if (/^[a-z]{2}(, [a-z]{2})+/.test(languages!)) expect(languages!.startsWith(row.languages.join(", ")), id).toBe(true);
    }
  });

  it("lists every API version, oldest first, and marks the default", () => {
    const versions = rowsOf("13.3");
    expect(versions.map(([date]) => date)).toEqual([...KNOWN_VERSIONS]);
    expect(versions.find(([date]) => date === DEFAULT_VERSION)!.join(" ")).toContain("the mock's default");
  });
});
