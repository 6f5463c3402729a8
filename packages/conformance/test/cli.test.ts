/** The CLI: catalogue, run with reports and baselines, usage errors, server mode. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { CHECKS } from "../src/checks/catalogue.js";
import { fixedCases } from "../src/runner/cases.js";
import { runCli, tempDir } from "./helpers.js";

describe("speechwire-conformance", () => {
  it("--list prints the catalogue", async () => {
    const { code, stdout } = await runCli(["--list"]);
    expect(code).toBe(0);
    for (const c of CHECKS) expect(stdout).toContain(`| \`${c.id}\` | ${c.suite} |`);
  });

  it("rejects bad usage with exit code 2 and a clear message", async () => {
    expect(await runCli(["run"])).toMatchObject({ code: 2, stderr: expect.stringContaining("--adapter") });
    expect(await runCli(["run", "--adapter", "speechwire", "--suite", "stt-v3"])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown suite "stt-v3"') });
    expect(await runCli(["run", "--adapter", "nope-not-here"])).toMatchObject({ code: 2, stderr: expect.stringContaining("not a built-in") });
    expect(await runCli(["run", "--adapter", "speechwire", "--runs", "-1"])).toMatchObject({ code: 2, stderr: expect.stringContaining("--runs") });
    expect(await runCli(["run", "--bogus"])).toMatchObject({ code: 2 });
    expect(await runCli(["frobnicate"])).toMatchObject({ code: 2, stderr: expect.stringContaining("unknown command") });
    expect(await runCli(["replay", "/nonexistent.json", "--adapter", "speechwire"])).toMatchObject({ code: 2 });
  });

  it("runs, writes the three reports, and fails on a stale baseline entry", async () => {
    const out = tempDir();
    const ok = await runCli(["run", "--adapter", "speechwire", "--suite", "tts", "--runs", "1", "--seed", "3", "--out", out]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^speechwire-client: 13 pass, 0 fail, 0 warning, 0 skipped over \d+ cases — OK\n$/u);
    expect(ok.stderr).toContain("[1/5] tts-interleaved: ok");
    for (const f of ["checks.json", "junit.xml", "summary.md"]) expect(existsSync(join(out, f))).toBe(true);
    const doc = JSON.parse(readFileSync(join(out, "checks.json"), "utf8")) as { ok: boolean; seed: number; adapters: unknown[] };
    expect(doc).toMatchObject({ ok: true, seed: 3 });

    const baseline = join(out, "baseline.json");
    writeFileSync(baseline, JSON.stringify([{ adapter: "speechwire-client", check: "tts/cancel", grade: "fail", reason: "fixed since" }]));
    const stale = await runCli(["run", "--adapter", "speechwire", "--suite", "tts", "--runs", "0", "--out", out, "--baseline", baseline]);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain("stale baseline: tts/cancel");
    expect(readFileSync(join(out, "junit.xml"), "utf8")).toContain("stale baseline entry");
  });

  it("a listed failure is expected; an unlisted one fails the run", async () => {
    const out = tempDir();
    const adapter = join(out, "swallow.mjs");
    // A module adapter: the real client, errors swallowed.
    writeFileSync(
      adapter,
      `import { createSpeechwireAdapter } from ${JSON.stringify(new URL("../src/adapter/speechwire.ts", import.meta.url).pathname)};\n` +
        `export default () => { const a = createSpeechwireAdapter({ observe: (e) => (e.type === "error" ? undefined : e) }); return { ...a, capabilities: async () => ({ ...(await a.capabilities()), name: "swallow" }) }; };\n`,
    );
    const failing = await runCli(["run", "--adapter", adapter, "--suite", "tts", "--runs", "0", "--out", out]);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain("unexpected: tts/errors-surfaced");
    const baseline = join(out, "baseline.json");
    writeFileSync(baseline, JSON.stringify([{ adapter: "swallow", check: "tts/errors-surfaced", grade: "fail" }]));
    const known = await runCli(["run", "--adapter", adapter, "--suite", "tts", "--runs", "0", "--out", out, "--baseline", baseline]);
    expect(known.code).toBe(0);
    expect(readFileSync(join(out, "summary.md"), "utf8")).toContain("| `tts/errors-surfaced` | ❌ fail | known |");
  });

  it("replays a case written as YAML", async () => {
    const out = tempDir();
    const file = join(out, "case.yaml");
    writeFileSync(file, stringify({ case: fixedCases("stt-turns").find((c) => c.id === "turns-eager-resume") }));
    const r = await runCli(["replay", file, "--adapter", "speechwire", "--out", out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("[1/1] turns-eager-resume: ok");
    writeFileSync(file, "case: { id: x }\n");
    expect(await runCli(["replay", file, "--adapter", "speechwire"])).toMatchObject({ code: 2, stderr: expect.stringContaining("not a counterexample") });
  });

  it("server mode holds the mock to the protocol's schemas and grammars", async () => {
    const out = tempDir();
    const { code, stdout } = await runCli(["server", "--out", out]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^server mock: 35 pass, 0 fail, 0 warning, 0 skipped/u);
    const doc = JSON.parse(readFileSync(join(out, "checks.json"), "utf8")) as { adapters: { checks: { id: string }[] }[] };
    expect(doc.adapters[0]?.checks.map((c) => c.id)).toContain("server/stt-turns/eager-end-resolved");
    expect(await runCli(["server", "--url", "http://127.0.0.1:9"])).toMatchObject({ code: 2, stderr: expect.stringContaining("--api-key") });
  });
});
