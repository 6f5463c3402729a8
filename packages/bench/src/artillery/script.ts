/**
 * `speechwire-bench artillery init`: a ready artillery.yml for the `speechwire` engine, and the bench's
 * scenarios as files for `speechwire-mock --scenarios DIR` (every worker of `--workers N` loads them at
 * start; a scenario posted at run time would reach one worker only).
 */
import type { Scenario } from "@speechwire/mock-server";
import type { ClientName } from "../drivers/types.js";
import type { Endpoint } from "../metrics/definitions.js";
import type { Pacing } from "../run/sessions.js";
import { BENCH_SCENARIOS, DEFAULT_SCENARIO } from "../targets/scenarios.js";

/** What `artillery init` writes. */
export interface InitOptions {
  /** http(s) base URL of the mock (or endpoint) under load. */
  target: string;
  /** Seconds of the arrival phase. */
  duration: number;
  /** Virtual users arriving over the phase (one session each). */
  vusers: number;
  /** Weight of each endpoint in the scenario mix (0: left out), or "sequence": every virtual user runs one session of each endpoint in turn. */
  mix: Record<Endpoint, number> | "sequence";
  client: ClientName;
  pacing: Pacing;
  rounds: number;
  requests: number;
  /** The mock's `--latency` (none, milliseconds or a profile name), recorded in the results. */
  latency: string;
  /** The folder of the bench's scenarios, as the mock command should name it. */
  scenariosDir: string;
  /** Processes of the mock (`speechwire-mock --workers N`). */
  mockWorkers: number;
}

const q = (s: string) => JSON.stringify(s);

/** The command that starts a mock ready for the script. */
export function mockCommand(o: Pick<InitOptions, "target" | "scenariosDir" | "latency" | "mockWorkers">): string {
  const url = new URL(o.target);
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return `speechwire-mock --host ${url.hostname} --port ${port} --tls-port off --workers ${o.mockWorkers} --scenarios ${o.scenariosDir}${o.latency === "none" ? "" : ` --latency ${o.latency}`}`;
}

/** The artillery.yml text (YAML; strings JSON-quoted, which YAML reads as they are). */
export function artilleryScript(o: InitOptions): string {
  const mix = o.mix;
  const endpoints = mix === "sequence" ? (["stt-v1", "stt-turns", "tts"] as Endpoint[]) : (Object.keys(mix) as Endpoint[]).filter((e) => mix[e] > 0);
  if (endpoints.length === 0) throw new Error("the scenario mix needs at least one endpoint with a weight above 0");
  const lines = [
    "# Written by `speechwire-bench artillery init`: the bench's sessions on Artillery's `speechwire` engine.",
    "# 1. Start the target (a mock with the bench's scenarios; its latency is set here, not by Artillery):",
    `#      ${mockCommand(o)}`,
    "# 2. Run (telemetry off, engine on the module path, outside hosts refused):",
    "#      speechwire-bench artillery run artillery.yml --output report.json",
    "# 3. Turn Artillery's report into the bench's results.json / results.md / charts:",
    "#      speechwire-bench artillery report report.json --out results/",
    "config:",
    `  target: ${q(o.target)}`,
    "  phases:",
    `    - name: ${q(`${o.vusers} virtual users over ${o.duration} s`)}`,
    `      duration: ${o.duration}`,
    `      arrivalCount: ${o.vusers}`,
    "  engines:",
    "    speechwire: {}",
    "  speechwire:",
    `    client: ${q(o.client)}`,
    `    pacing: ${q(o.pacing)}`,
    `    rounds: ${o.rounds}`,
    `    requests: ${o.requests}`,
    `    latency: ${q(o.latency)}`,
    "scenarios:",
  ];
  if (mix === "sequence") {
    lines.push(`  - name: "every endpoint in turn"`, "    engine: speechwire", "    flow:", ...endpoints.map((e) => `      - ${e}: {}`));
  } else {
    for (const e of endpoints) lines.push(`  - name: ${q(`${e} (${DEFAULT_SCENARIO[e]})`)}`, "    engine: speechwire", `    weight: ${mix[e]}`, "    flow:", `      - ${e}: {}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The bench's scenarios as `[file name, JSON text]`, for `speechwire-mock --scenarios DIR`. */
export function scenarioFiles(scenarios: readonly Scenario[] = BENCH_SCENARIOS): [string, string][] {
  return scenarios.map((s) => [`${s.name}.json`, `${JSON.stringify(s, null, 2)}\n`]);
}
