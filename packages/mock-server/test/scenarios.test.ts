import { lintSession, sttTurns, sttV1, type GrammarEndpoint } from "@speechwire/protocol";
import { describe, expect, it } from "vitest";
import { chunkBytes, compileScript, createSttTurnsCore, createSttV1Core, driveCore } from "../src/core/stt/index.js";
import type { CoreInput, SessionCore } from "../src/core/types.js";
import { BUILTIN_SCENARIOS } from "../src/scenario/builtin.js";
import { scenarioSchema, type Scenario } from "../src/scenario/schema.js";

const REQUIRED = [
  "default",
  "eager-resume",
  "eager-end",
  "multi-turn",
  "empty-turn",
  "dictation",
  "error-mid-turn",
  "drop-mid-turn",
  "auth-401",
  "rate-limit-429",
  "tts-basic",
];
const RATE = 16000;
const byName = (name: string) => BUILTIN_SCENARIOS.find((s) => s.name === name) as Scenario;

/** Runs a scenario's whole script (at least half a second of audio) on an STT endpoint in 100 ms chunks, then closes. */
function run(endpoint: Exclude<GrammarEndpoint, "tts">, scenario: Scenario, version: string, connection = 1) {
  const common = { version, requestId: "9b2f4c1e-0d3a-4e5f-8a7b-6c5d4e3f2a10", scenario, seed: 42, connection };
  const core: SessionCore =
    endpoint === "stt-v1"
      ? createSttV1Core({ ...common, query: { model: "ink-whisper", encoding: "pcm_s16le", sample_rate: RATE, language: "en" } })
      : createSttTurnsCore({ ...common, query: { model: "ink-2", encoding: "pcm_s16le", sample_rate: RATE } });
  const c = compileScript(scenario.stt);
  const seconds = Math.max(0.5, c.duration, ...c.events.map((e) => e.at));
  const audio: CoreInput[] = chunkBytes(new Uint8Array(Math.ceil(seconds * RATE) * 2), [3200]).map((data) => ({ kind: "audio", data }));
  const close: CoreInput = { kind: "text", data: endpoint === "stt-v1" ? "close" : '{"type":"close"}' };
  return driveCore(core, [...audio, close]);
}

describe("built-in scenarios", () => {
  it("include every required scenario once, each with a one-line description", () => {
    const names = BUILTIN_SCENARIOS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of REQUIRED) expect(names).toContain(name);
    for (const s of BUILTIN_SCENARIOS) {
      expect(s.description.length).toBeGreaterThan(10);
      expect(s.description).not.toMatch(/\n/);
      // Already parsed: parsing again changes nothing.
      expect(scenarioSchema.parse(s)).toEqual(s);
    }
  });

  it("refuse the handshake where they say so, and keep TTS at 100 ms chunks", () => {
    expect(byName("auth-401").handshake?.status).toBe(401);
    expect(byName("rate-limit-429").handshake?.status).toBe(429);
    expect(byName("tts-basic").tts.chunkMs).toBe(100);
    expect(byName("drop-mid-turn").faults[0]).toMatchObject({ action: { type: "drop" }, connections: 1 });
  });

  for (const scenario of BUILTIN_SCENARIOS) {
    for (const endpoint of ["stt-v1", "stt-turns"] as const) {
      it(`${scenario.name} on ${endpoint} passes the strict lint at 2026-03-01 and 2025-04-16`, () => {
        for (const version of ["2026-03-01", "2025-04-16"]) {
          const result = run(endpoint, scenario, version);
          // As the journal lints it: the turns endpoint's errors are structured on 2025-04-16 too.
          expect(lintSession(endpoint, result.events, { strictness: "strict", version })).toEqual([]);
          expect(result.closed).toBeDefined();
        }
      });
    }
  }

  it("turns: the scripted turns come out in order, empty ones included", () => {
    for (const name of ["default", "eager-end", "multi-turn", "empty-turn", "dictation"]) {
      const s = byName(name);
      const ends = run("stt-turns", s, "2026-03-01").sent.flatMap((f) => {
        const m = sttTurns.parseServerMessage(f);
        return m.ok && m.value.type === "turn.end" ? [m.value.transcript] : [];
      });
      expect(ends).toEqual(compileScript(s.stt).turns.map((t) => t.text));
    }
    expect(compileScript(byName("empty-turn").stt).turns.map((t) => t.text)).toContain("");
    const eagerEnd = run("stt-turns", byName("eager-end"), "2026-03-01").sent.map((f) => JSON.parse(f).type);
    expect(eagerEnd.slice(-2)).toEqual(["turn.eager_end", "turn.end"]);
    const multi = run("stt-turns", byName("multi-turn"), "2026-03-01").sent.filter((f) => f.includes('"turn.start"'));
    expect(multi).toHaveLength(4);
  });

  it("dictation: stt-v1 finalizes each sentence on its own silence", () => {
    const finals = run("stt-v1", byName("dictation"), "2026-03-01").sent.flatMap((f) => {
      const m = sttV1.parseServerMessage(f);
      return m.ok && m.value.type === "transcript" && m.value.is_final ? [m.value.text] : [];
    });
    expect(finals).toHaveLength(4);
    expect(finals.join("")).toBe(compileScript(byName("dictation").stt).text);
  });

  it("error-mid-turn: an error (500) inside the first turn, in the version's shape (turns: structured on every version), then close 1011", () => {
    for (const endpoint of ["stt-v1", "stt-turns"] as const) {
      const structured = run(endpoint, byName("error-mid-turn"), "2026-03-01");
      expect(JSON.parse(structured.sent.at(-1) as string)).toMatchObject({ type: "error", status_code: 500, error_code: "internal_error" });
      expect(structured.closed?.code).toBe(1011);
      const legacy = run(endpoint, byName("error-mid-turn"), "2025-04-16");
      expect(JSON.parse(legacy.sent.at(-1) as string)).toEqual(
        endpoint === "stt-v1"
          ? { type: "error", message: "Internal server error: The transcription backend failed mid-stream.", code: 500, request_id: "9b2f4c1e-0d3a-4e5f-8a7b-6c5d4e3f2a10" }
          : JSON.parse(structured.sent.at(-1) as string),
      );
    }
    const turns = run("stt-turns", byName("error-mid-turn"), "2026-03-01").sent.map((f) => JSON.parse(f).type);
    expect(turns).toContain("turn.start");
    expect(turns).not.toContain("turn.end");
  });

  it("drop-mid-turn: drops the first connection mid-turn, then lets the next ones through", () => {
    for (const endpoint of ["stt-v1", "stt-turns"] as const) {
      const first = run(endpoint, byName("drop-mid-turn"), "2026-03-01", 1);
      expect(first.outputs.at(-1)).toEqual({ kind: "drop" });
      expect(first.sent.length).toBeGreaterThan(endpoint === "stt-turns" ? 2 : 1);
      const second = run(endpoint, byName("drop-mid-turn"), "2026-03-01", 2);
      expect(second.closed).toEqual({ code: 1000, reason: "OK" });
      expect(lintSession(endpoint, second.events, { strictness: "strict" })).toEqual([]);
    }
  });
});
