/**
 * The helper outside vitest: `node --test` runs a plain .mjs file that imports
 * `@speechwire/mock-server/testing` through the package's exports (the built dist), as a user would.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

/** Runs `node --test` on the fixture; resolves with its exit code and output. */
function nodeTest(env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--test", "test/node-test/turns.mjs"], {
      cwd: packageDir,
      env: { ...process.env, ...env, NODE_OPTIONS: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("with node:test", () => {
  it("passes a file of tests that use listen, use, nextSession and reset in the runner's hooks", async () => {
    const { code, output } = await nodeTest();
    expect(output).toMatch(/^# pass 3$/m);
    expect(output).toMatch(/^# fail 0$/m);
    expect(output).toMatch(/^ok 1 - the session's typed journal$/m);
    expect(output).toMatch(/^ok 2 - use\(\) picks this test's scenario$/m);
    expect(output).toMatch(/^ok 3 - the scenario is back to the file's after reset\(\)$/m);
    expect(code).toBe(0);
  });

  it("fails the test whose client broke a rule, from the afterEach hook, naming the rule; the others still pass", async () => {
    const { code, output } = await nodeTest({ SPEECHWIRE_BREAK_RULE: "1" });
    expect(output).toMatch(/^not ok 3 - a client that breaks a rule$/m);
    expect(output).toMatch(/failureType: 'hookFailed'/);
    expect(output).toMatch(/stt-turns\/valid-message \(§3\.2–§3\.3\): client frame: turn\.end_threshold/);
    expect(output).toMatch(/^# pass 3$/m);
    expect(output).toMatch(/^# fail 1$/m);
    expect(code).toBe(1);
  });
});
