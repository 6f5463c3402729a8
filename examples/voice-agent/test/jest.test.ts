/**
 * The mock's test helper under jest (30, native ESM mode): `test/jest/agent.jest.mjs` uses jest's own
 * hooks and expect against the built agent; a rule broken by a client fails that test from afterEach.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const dir = fileURLToPath(new URL("..", import.meta.url));
// The package's bin (its exports map does not expose bin/jest.js to resolve()).
const jestBin = join(dir, "node_modules", "jest", "bin", "jest.js");

/** Runs jest on the fixture; resolves with its exit code and output. */
function jest(env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--experimental-vm-modules", jestBin, "--config", "test/jest/jest.config.mjs", "--ci", "--colors=false"], {
      cwd: dir,
      env: { ...process.env, ...env, NODE_OPTIONS: "", FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("with jest", () => {
  it("passes a file that uses listen, use, nextSession and reset in jest's hooks", async () => {
    const { code, output } = await jest();
    expect(output).toMatch(/✓ answers the eager-end turn with the reply it started early/);
    expect(output).toMatch(/✓ uses this test's scenario/);
    expect(output).toMatch(/^Tests: {7}2 passed, 2 total$/m);
    expect(code).toBe(0);
  });

  it("fails the test whose client broke a rule, from afterEach, naming the rule", async () => {
    const { code, output } = await jest({ SPEECHWIRE_BREAK_RULE: "1" });
    expect(output).toMatch(/✕ a client that breaks a rule/);
    expect(output).toMatch(/stt-turns\/valid-message \(§3\.2–§3\.3\): client frame: turn\.end_threshold/);
    expect(output).toMatch(/^Tests: {7}1 failed, 2 passed, 3 total$/m);
    expect(code).toBe(1);
  });
});
