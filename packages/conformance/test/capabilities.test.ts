/** Capabilities shape the case matrix: a client is only given the cases it can express. */
import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SPEECHWIRE_CAPABILITIES } from "../src/adapter/speechwire.js";
import { capabilitiesSchema, type Capabilities } from "../src/adapter/schema.js";
import { caseArb, fixedCases } from "../src/runner/cases.js";
import { caseApplies } from "../src/runner/run.js";
import { RUNS, SEED } from "./helpers.js";

describe("sttModels: a client that picks the endpoint from the model", () => {
  // LiveKit's Python plugin opens /stt/websocket only for ink-whisper models; every other model goes to the turns socket.
  const onlyWhisperOnV1: Capabilities = { ...SPEECHWIRE_CAPABILITIES, sttModels: { "stt-v1": ["ink-whisper"] } };

  it("gets only the v1 cases of the models it lists, and every turns case", () => {
    const v1 = fixedCases("stt-v1");
    expect(v1.filter((c) => caseApplies(c, onlyWhisperOnV1)).map((c) => c.id)).toEqual(
      v1.filter((c) => c.stt?.model === "ink-whisper").map((c) => c.id),
    );
    // The fixed set keeps cases on other models, so the list really removes some (the test would be empty otherwise).
    expect(v1.filter((c) => c.stt?.model !== "ink-whisper").map((c) => c.id)).toEqual(["v1-config", "v1-config-drop", "v1-config-refused"]);
    expect(fixedCases("stt-turns").filter((c) => caseApplies(c, onlyWhisperOnV1))).toEqual(fixedCases("stt-turns").filter((c) => caseApplies(c, SPEECHWIRE_CAPABILITIES)));
  });

  it("holds for generated cases of both STT suites", () => {
    fc.assert(
      fc.property(fc.constantFrom("stt-v1" as const, "stt-turns" as const).chain((suite) => caseArb(suite)), (c) => {
        const expected = caseApplies(c, SPEECHWIRE_CAPABILITIES) && (c.suite !== "stt-v1" || c.stt?.model === "ink-whisper");
        return caseApplies(c, onlyWhisperOnV1) === expected;
      }),
      { seed: SEED, numRuns: Math.max(RUNS, 100) },
    );
  });

  it("is optional, per suite, and refuses an empty model id", () => {
    const base = { name: "x", suites: ["stt-v1"] };
    expect(capabilitiesSchema.parse(base).sttModels).toBeUndefined();
    expect(capabilitiesSchema.parse({ ...base, sttModels: { "stt-turns": ["ink-2"] } }).sttModels).toEqual({ "stt-turns": ["ink-2"] });
    expect(capabilitiesSchema.safeParse({ ...base, sttModels: { "stt-v1": [""] } }).success).toBe(false);
    expect(capabilitiesSchema.safeParse({ ...base, sttModels: { tts: ["sonic-3"] } }).success).toBe(false);
  });
});
