/** The @speechwire/client adapter must pass every check, fixed and generated cases alike. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createSpeechwireAdapter } from "../src/adapter/speechwire.js";
import { CHECKS } from "../src/checks/catalogue.js";
import { runConformance } from "../src/runner/run.js";
import { writeReports } from "../src/report/write.js";
import { RUNS, SEED, tempDir } from "./helpers.js";

describe("@speechwire/client", () => {
  it("passes every check of every suite", async () => {
    const out = tempDir();
    const progress: string[] = [];
    const report = await runConformance({ adapter: createSpeechwireAdapter(), runs: RUNS, seed: SEED, outDir: out, onProgress: (l) => progress.push(l) });
    const notPassing = report.checks.filter((c) => c.grade !== "pass").map((c) => `${c.id}: ${c.grade} ${c.reason ?? ""}`);
    expect(notPassing).toEqual([]);
    expect(report.checks.map((c) => c.id)).toEqual(CHECKS.map((c) => c.id));
    expect(report.unexpected).toEqual([]);
    expect(report.counterexamples).toEqual([]);
    // Fixed cases plus RUNS generated ones per suite.
    expect(report.cases).toBeGreaterThanOrEqual(22 + 3 * RUNS);
    expect(progress.some((l) => l.includes("turns-eager-resume: ok"))).toBe(true);

    const files = writeReports(out, { tool: "@speechwire/conformance", format: 1, startedAt: "", finishedAt: "", seed: SEED, runs: RUNS, suites: ["stt-v1", "stt-turns", "tts"], adapters: [report], ok: true });
    const doc = JSON.parse(readFileSync(files.checks, "utf8")) as { adapters: { checks: { id: string; grade: string }[] }[] };
    expect(doc.adapters[0]?.checks.every((c) => c.grade === "pass")).toBe(true);
    const junit = readFileSync(files.junit, "utf8");
    expect(junit.match(/<testcase /gu)?.length).toBe(CHECKS.length);
    expect(junit).not.toContain("<failure");
    expect(readFileSync(join(out, "summary.md"), "utf8")).toContain("| `turns/eager-resume-order` | ✅ pass |");
  });
});
