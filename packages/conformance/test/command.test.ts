/** The language-neutral adapter: JSON lines over stdin/stdout, with the plain-Node example adapter. */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createCommandAdapter } from "../src/adapter/command.js";
import { runConformance } from "../src/runner/run.js";
import { fixedCases } from "../src/runner/cases.js";
import { RUNS, SEED } from "./helpers.js";

const EXAMPLE = fileURLToPath(new URL("../examples/node-adapter.mjs", import.meta.url));

describe("command adapters", () => {
  it("runs the plain-Node example adapter: everything it declares passes", async () => {
    const report = await runConformance({ adapter: createCommandAdapter(`node ${EXAMPLE}`), runs: RUNS, seed: SEED });
    expect(report.adapter).toBe("example-node-adapter");
    const notPassing = report.checks.filter((c) => c.grade !== "pass" && c.suite !== "access-token").map((c) => `${c.id}: ${c.grade} (${c.reason ?? ""})`);
    // It does not declare the access-token suite: skipped whole.
    expect(report.checks.filter((c) => c.suite === "access-token").map((c) => c.grade)).toEqual(Array(7).fill("skipped"));
    // It declares no keep-alive (and no reconnect: those cases are not run), so keep-alive is skipped.
    expect(notPassing).toEqual(["v1/keep-alive: skipped (capability not declared: keepAlive)", "turns/keep-alive: skipped (capability not declared: keepAlive)"]);
    expect(report.cases).toBeGreaterThan(10);
  });

  it("reports a command that is not an adapter with a clear error", async () => {
    const notJson = createCommandAdapter(`node -e "console.log('hello there')"`);
    await expect(notJson.capabilities()).rejects.toThrow(/not JSON: hello there/u);
    // Valid JSON, invalid capabilities, and the process stays alive: rejected at once, naming the field.
    const badCaps = createCommandAdapter(`node -e "console.log(JSON.stringify({type:'capabilities',capabilities:{name:'x',suites:['stt-v9']}}));setInterval(()=>{},1000)"`);
    await expect(badCaps.capabilities()).rejects.toThrow(/capabilities\.suites\.0/u);
    await badCaps.dispose?.();
    const missing = createCommandAdapter("definitely-not-a-command-xyz");
    await expect(missing.capabilities()).rejects.toThrow(/exited|failed to start/u);
  });

  it("turns an invalid observation or an exit mid-case into a crash, not a hang", async () => {
    const script = [
      "const rl=require('readline').createInterface({input:process.stdin});",
      "rl.on('line',l=>{const m=JSON.parse(l);",
      "if(m.type==='hello')console.log(JSON.stringify({type:'capabilities',capabilities:{name:'bad',suites:['tts']}}));",
      "else if(m.type==='case'&&m.case.id==='tts-cancel'){console.log(JSON.stringify({type:'observation',case:m.case.id,event:{type:'tts.audio'}}));}",
      "else if(m.type==='case')process.exit(3);});",
    ].join("");
    const adapter = createCommandAdapter(`node -e "${script}"`);
    const caps = await adapter.capabilities();
    expect(caps).toMatchObject({ name: "bad", suites: ["tts"], reconnect: false });
    const [interleaved, cancel] = fixedCases("tts");
    const target = { baseUrl: "http://127.0.0.1:9", apiKey: "k" };
    await expect(adapter.runCase(target, cancel!, () => {})).resolves.toMatchObject({ crashed: true, crash: expect.stringContaining("invalid adapter message") });
    await expect(adapter.runCase(target, interleaved!, () => {})).resolves.toMatchObject({ crashed: true, crash: expect.stringContaining("exited (code 3)") });
    await adapter.dispose?.();
  });
});
