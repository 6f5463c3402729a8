/**
 * The Python clients people use, unchanged, through the kit: pipecat's four Cartesia services and
 * LiveKit Agents' `livekit-plugins-cartesia`, each behind its adapter in `adapters/python/`, plus
 * the `websockets` template under a real `websockets` (the host test runs it on the stdlib fallback).
 * Fixed cases plus two generated runs per suite, against the committed baselines: a new failure, or a
 * baseline entry that starts passing, fails. Without a Python that imports both clients (see
 * python-clients.ts) every test here is skipped with the reason.
 */
import { describe, expect, it } from "vitest";
import { createCommandAdapter } from "../src/adapter/command.js";
import { readBaseline, type BaselineEntry } from "../src/report/baseline.js";
import { runConformance, type AdapterReport } from "../src/runner/run.js";
import { SEED } from "./helpers.js";
import { PACKAGE_DIR, findPythonClients } from "./python-clients.js";

const found = findPythonClients();
// The reason reaches the log as well as the skipped tests' notes.
if ("skip" in found) console.warn(`python clients: skipped: ${found.skip}`);

/** Runs one adapter file under the found Python; stderr (pipecat's and LiveKit's logs) is kept for a failure message. */
async function certify(file: string, baseline: BaselineEntry[]): Promise<{ report: AdapterReport; stderr: string }> {
  if ("skip" in found) throw new Error(found.skip);
  let stderr = "";
  const adapter = createCommandAdapter(`${found.python} ${file}`, {
    cwd: PACKAGE_DIR,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
    // Importing livekit.agents in the chroot takes ~1.5 s; a loaded machine can take much longer.
    helloTimeoutMs: 60_000,
    stderr: (chunk) => {
      stderr = (stderr + chunk).slice(-20_000);
    },
  });
  try {
    return { report: await runConformance({ adapter, runs: 2, seed: SEED, baseline, caseTimeoutMs: 60_000 }), stderr };
  } finally {
    await adapter.dispose?.();
  }
}

/** Every non-passing grade that is not a skip by a suite or capability the adapter does not declare. */
function graded(report: AdapterReport): string[] {
  return report.checks
    .filter((c) => c.grade !== "pass" && !(c.grade === "skipped" && /^(the adapter does not support|capability not declared)/u.test(c.reason ?? "")))
    .map((c) => `${c.id} ${c.grade}`);
}

const baselineOf = (name: string) => readBaseline(`${PACKAGE_DIR}baselines/${name}.json`);

describe.each([
  { title: "pipecat (CartesiaSTTService, CartesiaTurnsSTTService, CartesiaTTSService, CartesiaHttpTTSService)", file: "adapters/python/pipecat_adapter.py", name: "pipecat" },
  { title: "LiveKit Agents' livekit-plugins-cartesia (STT, TTS)", file: "adapters/python/livekit_adapter.py", name: "livekit-python" },
])("$title", ({ file, name }) => {
  it(`matches baselines/${name}.json: every failure listed with its reason, no entry stale`, { timeout: 300_000 }, async (ctx) => {
    if ("skip" in found) ctx.skip(found.skip);
    const baseline = baselineOf(name);
    const { report, stderr } = await certify(file, baseline);
    const crashes = report.checks.flatMap((c) => c.cases.filter((v) => /crash|did not finish/u.test(v.message ?? "")).map((v) => `${c.id} ${v.case}: ${v.message}`));
    expect({ unexpected: report.unexpected, stale: report.stale, crashes }, `adapter stderr (last 20 kB):\n${stderr}`).toEqual({ unexpected: [], stale: [], crashes: [] });
    expect(report.adapter).toBe(name);
    // Every failure, warning or unexercised check has its entry (with a reason); the baseline lists nothing else.
    expect(graded(report).sort()).toEqual(baseline.filter((b) => b.adapter === name).map((b) => `${b.check} ${b.grade}`).sort());
    // Each reason says who is at fault first: "client: …", "client (allowed): …", "mock: …".
    expect(baseline.filter((b) => b.adapter !== name || !/^(client|mock|protocol)( \([a-z ]+\))?: /u.test(b.reason ?? "")).map((b) => b.check)).toEqual([]);
    // Each declared suite ran its cases and passed something (an adapter that reports nothing cannot pass).
    for (const suite of report.capabilities.suites) {
      expect(report.checks.filter((c) => c.suite === suite && c.grade === "pass").length, suite).toBeGreaterThan(0);
    }
    expect(report.counterexamples).toEqual([]);
  });
});

describe("the websockets template under the kit's Python (websockets 15)", () => {
  it("passes every check it declares, with the websockets package (not the stdlib fallback)", { timeout: 300_000 }, async (ctx) => {
    if ("skip" in found) ctx.skip(found.skip);
    const { report } = await certify("adapters/python/websockets_adapter.py", []);
    expect(report.capabilities.version).toMatch(/, websockets \d+\.\d+/u);
    expect(graded(report)).toEqual([]);
    expect(report.unexpected).toEqual([]);
    expect(report.cases).toBeGreaterThan(30);
  });
});

describe("finding the Python clients", () => {
  it("a Python named by SPEECHWIRE_PYTHON_CLIENTS that cannot import them is an error, not a skip", () => {
    // The host's python3 has neither client (they are not on any index this machine reaches).
    expect(() => findPythonClients({ ...process.env, SPEECHWIRE_PYTHON_CLIENTS: "python3 -S" })).toThrow(/SPEECHWIRE_PYTHON_CLIENTS=python3 -S cannot import the clients \(exit 1\): ModuleNotFoundError: No module named 'pipecat'/u);
  });

  it("no variable and no kit: a skip that says what to set", () => {
    const { SPEECHWIRE_PYTHON_CLIENTS: _, ...rest } = process.env;
    expect(findPythonClients({ ...rest, SPEECHWIRE_PYTHON_CLIENTS_KIT: "/nonexistent/python-clients" })).toEqual({
      skip: "no Python clients: SPEECHWIRE_PYTHON_CLIENTS is not set and there is no kit at /nonexistent/python-clients (set SPEECHWIRE_PYTHON_CLIENTS_KIT)",
    });
  });
});
