/**
 * The Python template (`adapters/python/websockets_adapter.py`) through the kit: it passes every check of the
 * suites it declares against the mock. It needs `python3` (part of the base of the machines the
 * tests run on): without it the test fails and says so.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createCommandAdapter } from "../src/adapter/command.js";
import { runConformance } from "../src/runner/run.js";
import { SEED } from "./helpers.js";

const EXAMPLE = fileURLToPath(new URL("../adapters/python/websockets_adapter.py", import.meta.url));

describe("the Python adapter template", () => {
  it("declares its capabilities honestly: everything it declares passes (--runs 2)", async () => {
    const python = spawnSync("python3", ["--version"], { encoding: "utf8" });
    if (python.error || python.status !== 0) {
      throw new Error(`python3 is needed to test adapters/python/websockets_adapter.py and did not run: ${python.error?.message ?? python.stderr}`);
    }
    // No __pycache__ written into examples/ (the package ships that folder).
    const adapter = createCommandAdapter(`python3 ${JSON.stringify(EXAMPLE)}`, { env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" } });
    const report = await runConformance({ adapter, runs: 2, seed: SEED });
    expect(report.adapter).toBe("example-python-adapter");
    // Its version names the WebSocket client it used: the websockets package, or the stdlib fallback.
    expect(report.capabilities.version).toMatch(/^adapters\/python\/websockets_adapter\.py \(Python 3\.\d+\.\d+\S*, (websockets \d+\S*|stdlib_websocket\.py)\)$/u);
    expect(report.capabilities.suites).toEqual(["stt-v1", "stt-turns", "tts", "tts-http", "stt-batch"]);
    const notPassing = report.checks.filter((c) => c.grade !== "pass" && c.suite !== "access-token").map((c) => `${c.id}: ${c.grade} (${c.reason ?? ""})`);
    // It declares no keep-alive (and no reconnect: those cases are not run), so keep-alive is skipped.
    expect(notPassing).toEqual(["v1/keep-alive: skipped (capability not declared: keepAlive)", "turns/keep-alive: skipped (capability not declared: keepAlive)"]);
    // It does not declare the access-token suite: skipped whole.
    expect(report.checks.filter((c) => c.suite === "access-token").map((c) => c.grade)).toEqual(Array(7).fill("skipped"));
    expect(report.counterexamples).toEqual([]);
    expect(report.cases).toBeGreaterThan(30);
  });
});
