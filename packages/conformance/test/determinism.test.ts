/**
 * The same case gives the same verdict every run (issue 14): a counterexample replayed 10 times gives 10
 * identical verdicts, also where the outcome could hang on timing — a drop mid-stream with 1-sample
 * chunks and a reconnect (the case that once flipped between pass and fail on `turns/audio-delivered`).
 */
import { describe, expect, it } from "vitest";
import { createSpeechwireAdapter } from "../src/adapter/speechwire.js";
import { fixedCases, sttCase } from "../src/runner/cases.js";
import { runConformance } from "../src/runner/run.js";
import type { Case } from "../src/adapter/schema.js";
import type { Adapter } from "../src/adapter/types.js";
import * as broken from "./broken-adapters.js";

// Short (about 2.5 s of audio), so 10 replays of 1-sample chunks stay cheap.
const SCRIPT = { turns: [{ segments: [{ say: "Hi, I'd like" }, { pause: 0.4, eager: true }, { say: "a table." }] }] };

/** Grades by check id for one run of the given cases. */
async function verdicts(cases: Case[], adapter: Adapter = createSpeechwireAdapter()): Promise<string> {
  const report = await runConformance({ adapter, cases, runs: 0, seed: 0 });
  return report.checks
    .filter((c) => c.grade !== "skipped")
    .map((c) => `${c.id}=${c.grade}${c.grade === "pass" ? "" : ` (${c.reason ?? ""})`}`)
    .join("\n");
}

describe("the same case, the same verdict", () => {
  it("a drop at 1.1 s of audio sent in 2-byte chunks, with reconnect: 10 replays, 10 identical verdicts, all passing", async () => {
    const cases = [
      sttCase({
        id: "turns-drop-2-byte",
        suite: "stt-turns",
        stt: SCRIPT,
        chunkBytes: 2,
        reconnect: true,
        faults: [{ at: { audio: 1.1 }, action: { type: "drop" }, endpoints: ["stt-turns"], connections: 1 }],
        purpose: "a drop mid-turn under 1-sample chunks",
      }),
      sttCase({
        id: "v1-drop-2-byte",
        suite: "stt-v1",
        stt: SCRIPT,
        chunkBytes: 2,
        reconnect: true,
        finalizeAt: [{ at: 16_000, wait: true }],
        faults: [{ at: { audio: 1.1 }, action: { type: "drop" }, endpoints: ["stt-v1"], connections: 1 }],
        purpose: "a drop between finalizes under 1-sample chunks",
      }),
    ];
    const first = await verdicts(cases);
    expect(first).toContain("turns/audio-delivered=pass");
    expect(first).toContain("v1/audio-exactly-once=pass");
    expect(first).not.toMatch(/=fail/u);
    for (let i = 1; i < 10; i += 1) expect(await verdicts(cases), `replay ${i + 1}`).toBe(first);
  }, 300_000);

  it("a counterexample of a broken client: 10 replays, 10 identical failing verdicts", async () => {
    const cases = fixedCases("stt-turns").filter((c) => c.id === "turns-eager-resume");
    expect(cases).toHaveLength(1);
    const first = await verdicts(cases, broken.concatenatesCumulative());
    expect(first).toMatch(/turns\/final-text-per-turn=fail/u);
    for (let i = 1; i < 10; i += 1) expect(await verdicts(cases, broken.concatenatesCumulative()), `replay ${i + 1}`).toBe(first);
  }, 120_000);
});
