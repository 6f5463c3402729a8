/**
 * The kit catches broken clients: each deliberately broken adapter (the real client with one fault)
 * fails exactly the checks that its fault breaks, and nothing else.
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Adapter } from "../src/adapter/types.js";
import { runConformance, type RunOptions } from "../src/runner/run.js";
import type { Suite } from "../src/adapter/schema.js";
import * as broken from "./broken-adapters.js";
import { runCli, tempDir } from "./helpers.js";

async function failing(adapter: Adapter, suites: Suite[], reasons?: Map<string, string>): Promise<string[]> {
  const report = await runConformance({ adapter, suites, runs: 0 });
  // Nothing else degrades: the rest passes (no warnings, nothing skipped).
  expect(report.checks.filter((c) => c.grade === "warning" || c.grade === "skipped").map((c) => c.id)).toEqual([]);
  for (const c of report.checks) if (c.reason) reasons?.set(c.id, c.reason);
  return report.checks.filter((c) => c.grade === "fail").map((c) => c.id).sort();
}

describe("broken adapters fail exactly their checks", () => {
  it("concatenating cumulative turn transcripts", async () => {
    expect(await failing(broken.concatenatesCumulative(), ["stt-turns"])).toEqual(["turns/final-text-concatenated", "turns/final-text-per-turn"]);
  });

  it("ignoring turn.resume", async () => {
    expect(await failing(broken.ignoresResume(), ["stt-turns"])).toEqual([
      "turns/eager-resume-order",
      "turns/events-in-order",
      "turns/final-text-concatenated",
      "turns/final-text-per-turn",
    ]);
  });

  it("dropping the audio sent while reconnecting", async () => {
    expect(await failing(broken.dropsAudioWhileReconnecting(), ["stt-v1", "stt-turns"])).toEqual(["v1/audio-exactly-once"]);
  });

  it("closing without waiting for the drain", async () => {
    expect(await failing(broken.closesWithoutDraining(), ["stt-v1", "stt-turns"])).toEqual(["turns/close-drains", "v1/close-drains"]);
  });

  it("mixing TTS contexts", async () => {
    expect(await failing(broken.mixesContexts(), ["tts"])).toEqual(["tts/audio-per-context", "tts/done-surfaced", "tts/timestamps"]);
  });

  it("swallowing errors", async () => {
    expect(await failing(broken.swallowsErrors(), ["stt-v1", "stt-turns", "tts"])).toEqual(["tts/errors-surfaced", "turns/errors-surfaced", "v1/errors-surfaced"]);
  });

  it("dropping the last chunk of a /tts/bytes body", async () => {
    const reasons = new Map<string, string>();
    expect(await failing(broken.dropsLastHttpChunk(), ["tts-http"], reasons)).toEqual(["tts-http/bytes-audio"]);
    // The journal keeps a digest of the body; the mock's re-render of the request locates the loss.
    expect(reasons.get("tts-http/bytes-audio")).toMatch(/(\d+) bytes surfaced \(sha256 [0-9a-f]{12}…\), \d+ expected \(sha256 [0-9a-f]{12}…\); first difference at byte \1$/u);
  });

  it("reporting turn word times in milliseconds", async () => {
    const reasons = new Map<string, string>();
    expect(await failing(broken.wordsInMilliseconds(), ["stt-turns"], reasons)).toEqual(["turns/words-match-transcript"]);
    expect(reasons.get("turns/words-match-transcript")).toMatch(/word "Hi," surfaced at 300–600s; the server sent 0\.3–0\.6s/u);
  });

  it("dropping turn languages", async () => {
    expect(await failing(broken.dropsLanguages(), ["stt-turns"])).toEqual(["turns/languages-surfaced"]);
  });

  it("sending config without its lists", async () => {
    const reasons = new Map<string, string>();
    expect(await failing(broken.configWithoutLists(), ["stt-v1", "stt-turns"], reasons)).toEqual(["turns/config", "v1/config"]);
    expect(reasons.get("v1/config")).toMatch(/holds keyterms \[\] .*asked for \["table","tonight"\]/u);
  });

  it("swallowing HTTP errors", async () => {
    expect(await failing(broken.swallowsHttpErrors(), ["tts-http"])).toEqual(["tts-http/errors-surfaced"]);
  });
});

/** Generated turns cases (seed 3) against a client that concatenates cumulative transcripts: a failure to shrink. */
const shrinkingRun = (options: Partial<RunOptions>) =>
  runConformance({ adapter: broken.concatenatesCumulative(), suites: ["stt-turns"], runs: 10, seed: 3, generatedOnly: true, ...options });

describe("generated cases find the bug, shrink it and write a replayable counterexample", () => {
  it("writes the shrunk case and the replay command, and replay fails the same checks", async () => {
    const out = tempDir();
    const progress: string[] = [];
    const report = await shrinkingRun({ outDir: out, adapterArg: "--adapter test/broken-adapters.ts", onProgress: (line) => progress.push(line) });
    expect(report.counterexamples).toHaveLength(1);
    // Shrinking is not silent: a line per step, saying whether the candidate still fails.
    const steps = progress.filter((l) => l.startsWith("[stt-turns shrinking, step "));
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.some((l) => l.includes("still fails turns/final-text-per-turn"))).toBe(true);
    const cx = report.counterexamples[0]!;
    expect(cx.checks).toContain("turns/final-text-per-turn");
    expect(existsSync(cx.file)).toBe(true);
    expect(cx.replay).toBe(`speechwire-conformance replay ${cx.file} --adapter test/broken-adapters.ts`);
    const file = JSON.parse(readFileSync(cx.file, "utf8")) as { case: { stt: { audio: string } }; checks: string[]; replay: string; seed: number };
    expect(file.replay).toBe(cx.replay);
    expect(file.seed).toBe(3);
    // Shrunk: one turn, whose text needs only two words to show the bug.
    const scenario = (file.case as unknown as { scenario: { stt: { turns: unknown[] } } }).scenario;
    expect(scenario.stt.turns).toHaveLength(1);

    const replayOut = tempDir();
    const replay = await runCli(["replay", cx.file, "--adapter", "test/broken-adapters.ts", "--out", replayOut]);
    expect(replay.code).toBe(1);
    expect(replay.stdout).toMatch(/broken-concatenates-cumulative: \d+ pass, 2 fail, .*over 1 case — FAILED \(unexpected: turns\/final-text-per-turn, turns\/final-text-concatenated/u);
    const doc = JSON.parse(readFileSync(`${replayOut}/checks.json`, "utf8")) as { adapters: { cases: number }[] };
    expect(doc.adapters[0]?.cases).toBe(1);

    // The real client passes the same case.
    const fixed = await runCli(["replay", cx.file, "--adapter", "speechwire", "--out", tempDir()]);
    expect(fixed.code).toBe(0);
  });

  it("bounds shrinking by a step count: the same seed gives the same counterexample, run after run", async () => {
    const shrink = async () => {
      const progress: string[] = [];
      const report = await shrinkingRun({ outDir: tempDir(), shrinkSteps: 3, onProgress: (line) => progress.push(line) });
      expect(report.counterexamples).toHaveLength(1);
      return { progress, file: JSON.parse(readFileSync(report.counterexamples[0]!.file, "utf8")) as { case: unknown; path: string; checks: string[] } };
    };
    const first = await shrink();
    expect(first.progress.filter((l) => l.startsWith("[stt-turns shrinking, step ")).length).toBe(3);
    expect(first.progress).toContain("[stt-turns shrinking stopped after 3 step(s): the step budget (3)]");
    expect(first.file.checks).toContain("turns/final-text-per-turn");
    const second = await shrink();
    expect(second.file.case).toEqual(first.file.case);
    expect(second.file.path).toBe(first.file.path);
  });

  it("bounds shrinking by an optional time budget too: past it, candidates are skipped and the last failing case is reported", async () => {
    const progress: string[] = [];
    const report = await shrinkingRun({ outDir: tempDir(), shrinkBudgetMs: 0, onProgress: (line) => progress.push(line) });
    // With no budget, the first shrink candidate runs (the budget is checked before each run) and no other.
    expect(progress.filter((l) => l.startsWith("[stt-turns shrinking, step ")).length).toBeLessThanOrEqual(1);
    expect(report.counterexamples).toHaveLength(1);
    const file = JSON.parse(readFileSync(report.counterexamples[0]!.file, "utf8")) as { checks: string[] };
    expect(file.checks).toContain("turns/final-text-per-turn");
  });
});
