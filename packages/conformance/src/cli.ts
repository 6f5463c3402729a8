#!/usr/bin/env node
/**
 * `speechwire-conformance`: run the suites against an adapter, list the catalogue, replay a
 * counterexample, or check a server. See `--help`.
 */
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { startMockServer } from "@speechwire/mock-server";
import { caseSchema, SUITES, type Case, type Suite } from "./adapter/schema.js";
import type { Adapter, AdapterFactory } from "./adapter/types.js";
import { builtinAdapters, loadBuiltinAdapter } from "./adapter/builtin.js";
import { createCommandAdapter } from "./adapter/command.js";
import { catalogueTable } from "./checks/table.js";
import { CHECKS } from "./checks/catalogue.js";
import { readBaseline, type BaselineEntry } from "./report/baseline.js";
import { oneLine, reportOk, writeReports, type RunDocument } from "./report/write.js";
import { runConformance, type AdapterReport } from "./runner/run.js";
import { checkServer } from "./server/probe.js";
import { cliCommand, commandProblem, errorLine, shellQuote, unreachable } from "./cli-helpers.js";
import { driftMarkdown } from "./probe/drift.js";
import { DEFAULT_PROBE_VOICE, ProbeUnreachableError, ProbeUsageError, redactor, runProbe } from "./probe/run.js";
import type { Capabilities } from "./adapter/schema.js";

const HELP = `speechwire-conformance — check a Cartesia realtime speech client against the speechwire mock

Usage:
  speechwire-conformance run (--adapter <builtin|module path> | --command "<cmd>")
                             [--suite ${SUITES.join(",")}] [--runs N] [--seed N]
                             [--baseline FILE] [--out DIR] [--shrink-steps N] [--shrink-seconds N]
  speechwire-conformance --list [--json]             print the check catalogue (--json: for tools)
  speechwire-conformance replay FILE (--adapter … | --command …) [--out DIR]   (FILE: JSON or YAML)
  speechwire-conformance server [--url URL --api-key KEY] [--suite stt-v1,stt-turns,tts] [--version DATE] [--out DIR]
  speechwire-conformance probe --target <http(s) base URL> [--api-key KEY] [--version DATE] [--voice ID]
                               [--reference URL [--reference-api-key KEY]] [--timeout SECONDS] [--out DIR] [--json]

run      starts its own mock on a free port, runs the fixed cases and --runs generated cases per
         suite (default 5; FC_NUM_RUNS / FC_SEED are honoured) of --suite (default: all; the checks of
         suites the adapter does not declare are skipped), prints progress, a one-line summary and
         the command that reruns the run, writes checks.json, junit.xml and summary.md to --out
         (default conformance-report), and exits 1 on an unexpected failure or a stale baseline entry.
         A failing property shrinks for at most --shrink-steps candidates (default 100; the same case on any
         machine), a line per step; --shrink-seconds N bounds it in time as well.
replay   runs exactly the case of a counterexample file written by a failing property.
server   checks a server against the protocol's schemas and grammars (default: a fresh mock).
probe    runs a fixed set of short requests on every endpoint against --target (e.g. the real API;
         key from --api-key or CARTESIA_API_KEY, never written out) and against a reference (default:
         a mock started in-process), and prints the drift table: message types, fields, error shapes
         and close codes that differ. --out writes drift.md and drift.json; --json prints the JSON.
         Exits 0 without drift, 1 with drift, 2 on bad usage or an unreachable target.

Built-in adapters: ${[...builtinAdapters().keys()].join(", ")}
Exit codes: 0 ok, 1 failures, 2 bad usage.`;

class UsageError extends Error {}

const OPTIONS = {
  adapter: { type: "string" },
  command: { type: "string" },
  suite: { type: "string" },
  runs: { type: "string" },
  "shrink-steps": { type: "string" },
  "shrink-seconds": { type: "string" },
  seed: { type: "string" },
  baseline: { type: "string" },
  out: { type: "string" },
  list: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  url: { type: "string" },
  "api-key": { type: "string" },
  version: { type: "string" },
  target: { type: "string" },
  reference: { type: "string" },
  "reference-api-key": { type: "string" },
  voice: { type: "string" },
  timeout: { type: "string" },
  json: { type: "boolean" },
} as const;

function parseSuites(value: string | undefined): Suite[] {
  if (!value) return [...SUITES];
  const list = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  for (const s of list) if (!(SUITES as readonly string[]).includes(s)) throw new UsageError(`unknown suite "${s}" (known: ${SUITES.join(", ")})`);
  return list as Suite[];
}

function parseInt10(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer, got "${value}"`);
  return n;
}

/**
 * A `--command` adapter, its files checked first. Until it has answered `hello` its stderr is held
 * back: a command that fails to start is then one line (a usage error), not its stack trace.
 */
function commandAdapter(command: string): Adapter {
  const problem = commandProblem(command);
  if (problem) throw new UsageError(`--command ${JSON.stringify(command)}: ${problem}`);
  let held: string | undefined = "";
  const adapter = createCommandAdapter(command, {
    stderr: (chunk) => {
      if (held === undefined) process.stderr.write(chunk);
      else held += chunk;
    },
  });
  const hello = async () => {
    try {
      const caps = await adapter.capabilities();
      if (held) process.stderr.write(held);
      held = undefined;
      return caps;
    } catch (error) {
      const said = errorLine(held ?? "");
      held = undefined;
      await adapter.dispose?.(); // one still running (it answered wrongly) is stopped
      const why = error instanceof Error ? error.message : String(error);
      throw new UsageError(`--command ${JSON.stringify(command)}: ${why}${said && !why.includes(said) ? ` — it said: ${said}` : ""}`);
    }
  };
  let answered: Promise<Capabilities> | undefined;
  // Asked once (the CLI asks before its first line, the runner again).
  return { ...adapter, capabilities: () => (answered ??= hello()) };
}

/** Loads the adapter named by --adapter (a built-in or a module) or --command. */
async function resolveAdapter(values: { adapter?: string | undefined; command?: string | undefined }): Promise<{ adapter: Adapter; arg: string }> {
  if (values.adapter && values.command) throw new UsageError("give --adapter or --command, not both");
  if (values.command !== undefined) return { adapter: commandAdapter(values.command), arg: `--command ${shellQuote(values.command)}` };
  if (!values.adapter) throw new UsageError("give --adapter <builtin|module path> or --command \"<cmd>\"");
  if (builtinAdapters().has(values.adapter)) return { adapter: await loadBuiltinAdapter(values.adapter), arg: `--adapter ${values.adapter}` };
  const path = resolve(values.adapter);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`--adapter ${values.adapter}: not a built-in (${[...builtinAdapters().keys()].join(", ")}) and not a loadable module: ${error instanceof Error ? error.message : String(error)}`);
  }
  const exported = mod.default ?? mod.adapter ?? mod.createAdapter;
  const adapter = typeof exported === "function" ? await (exported as AdapterFactory)() : exported;
  if (!adapter || typeof (adapter as Adapter).runCase !== "function" || typeof (adapter as Adapter).capabilities !== "function") {
    throw new UsageError(`--adapter ${values.adapter}: the module must export (default, \`adapter\` or \`createAdapter\`) an Adapter or a function returning one`);
  }
  return { adapter: adapter as Adapter, arg: `--adapter ${shellQuote(path)}` };
}

function defaultSeed(): number {
  const env = Number(process.env.FC_SEED);
  return Number.isInteger(env) ? env : Math.floor(Math.random() * 2 ** 31);
}

function finish(doc: Omit<RunDocument, "ok">, reports: AdapterReport[], out: string): number {
  const ok = reports.every(reportOk);
  const files = writeReports(out, { ...doc, ok });
  for (const r of reports) process.stdout.write(`${oneLine(r)}\n`);
  process.stderr.write(`reports: ${files.checks}, ${files.junit}, ${files.summary}\n`);
  return ok ? 0 : 1;
}

async function run(values: Record<string, string | boolean | undefined>, replaying?: { file: string; cases: Case[] }): Promise<number> {
  const cases = replaying?.cases;
  const suites = parseSuites(values.suite as string | undefined);
  const runs = parseInt10("runs", values.runs as string | undefined, Number(process.env.FC_NUM_RUNS) || 5);
  const shrinkSteps = parseInt10("shrink-steps", values["shrink-steps"] as string | undefined, 100);
  const shrinkSeconds = values["shrink-seconds"] === undefined ? undefined : parseInt10("shrink-seconds", values["shrink-seconds"] as string, 0);
  const seed = parseInt10("seed", values.seed as string | undefined, defaultSeed());
  let baseline: BaselineEntry[] = [];
  if (values.baseline) {
    try {
      baseline = readBaseline(values.baseline as string);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
  }
  const out = (values.out as string | undefined) ?? "conformance-report";
  const { adapter, arg } = await resolveAdapter(values as { adapter?: string; command?: string });
  // A command adapter that does not start is a usage error, reported before anything else.
  if (values.command !== undefined) await adapter.capabilities();
  const startedAt = new Date().toISOString();
  process.stderr.write(`seed ${seed}, ${runs} generated case(s) per suite, suites ${suites.join(", ")}\n`);
  const report = await runConformance({
    adapter,
    suites: cases ? [...new Set(cases.map((c) => c.suite))] : suites,
    runs,
    seed,
    baseline,
    outDir: out,
    adapterArg: arg,
    command: cliCommand(),
    shrinkSteps,
    ...(shrinkSeconds !== undefined ? { shrinkBudgetMs: shrinkSeconds * 1000 } : {}),
    ...(cases ? { cases } : {}),
    onProgress: (line) => process.stderr.write(`${line}\n`),
  });
  // The one command that reruns this run (the seed made explicit), in a form that runs where the user is.
  const given = (name: string) => (typeof values[name] === "string" ? [`--${name}`, shellQuote(values[name] as string)] : []);
  const rerun = (
    replaying
      ? [cliCommand(), "replay", shellQuote(replaying.file), arg, ...given("out")]
      : [cliCommand(), "run", arg, ...given("suite"), "--runs", String(runs), "--seed", String(seed), ...given("baseline"), ...given("out")]
  ).join(" ");
  const code = finish({ tool: "@speechwire/conformance", format: 1, startedAt, finishedAt: new Date().toISOString(), seed, runs, suites, rerun, adapters: [report] }, [report], out);
  process.stderr.write(`rerun: ${rerun}\n`);
  return code;
}

async function replay(file: string | undefined, values: Record<string, string | boolean | undefined>): Promise<number> {
  if (!file) throw new UsageError("replay needs a counterexample FILE");
  let json: { case?: unknown };
  try {
    // YAML is a superset of JSON: a counterexample file, or a case written by hand in either.
    json = parseYaml(readFileSync(file, "utf8")) as { case?: unknown };
  } catch (error) {
    throw new UsageError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = caseSchema.safeParse(json.case ?? json);
  if (!parsed.success) throw new UsageError(`${file}: not a counterexample or case file: ${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}`);
  return run({ ...values, runs: "0", seed: values.seed ?? "0" }, { file, cases: [parsed.data] });
}

async function server(values: Record<string, string | boolean | undefined>): Promise<number> {
  // The grammars cover the WebSocket endpoints; server mode has no rules for TTS over HTTP.
  // A server is checked against the WebSocket grammars: the HTTP and access-token suites grade clients.
  const suites = parseSuites(values.suite as string | undefined).filter((s) => s === "stt-v1" || s === "stt-turns" || s === "tts");
  const url = values.url as string | undefined;
  const apiKey = (values["api-key"] as string | undefined) ?? process.env.CARTESIA_API_KEY;
  if (url && !apiKey) throw new UsageError("--url needs --api-key (or CARTESIA_API_KEY)");
  const version = values.version as string | undefined;
  if (version !== undefined && !/^\d{4}-\d{2}-\d{2}$/u.test(version)) throw new UsageError("--version must be a date YYYY-MM-DD");
  if (url) {
    let protocol: string;
    try {
      protocol = new URL(url).protocol;
    } catch {
      throw new UsageError(`--url ${url}: not a URL`);
    }
    if (!["http:", "https:", "ws:", "wss:"].includes(protocol)) throw new UsageError(`--url ${url}: an http(s) base URL, e.g. https://api.cartesia.ai`);
    // A dead port is a wrong URL, not 31 failed rules.
    const why = await unreachable(url);
    if (why) throw new UsageError(`--url ${url}: ${why}`);
  }
  const mock = url ? undefined : await startMockServer({ port: 0, tlsPort: false });
  const startedAt = new Date().toISOString();
  try {
    const target = url ?? (mock as { urls: { http: string } }).urls.http;
    process.stderr.write(`checking ${url ?? `a fresh mock at ${target}`} (${suites.join(", ")})\n`);
    const r = await checkServer({ url: target, apiKey: apiKey ?? "sk_car_conformance", suites, ...(version ? { version } : {}) });
    const caps: Capabilities = { name: `server ${url ?? "mock"}`, suites, reconnect: false, keepAlive: false, finalize: true, flush: true, cancel: true, timestamps: true, errors: true, turnWords: false, turnLanguages: false, config: false, tls: false, mp3: false, sse: false };
    const report: AdapterReport = {
      adapter: caps.name,
      capabilities: caps,
      checks: r.checks.map((c) => ({ ...c, source: "sent" as const, cases: [], ...(c.grade === "fail" ? { baseline: "unexpected" as const } : {}) })),
      cases: suites.length,
      counterexamples: [],
      stale: [],
      totals: r.totals,
      unexpected: r.checks.filter((c) => c.grade === "fail").map((c) => c.id),
    };
    return finish({ tool: "@speechwire/conformance", format: 1, startedAt, finishedAt: new Date().toISOString(), seed: 0, runs: 0, suites, adapters: [report] }, [report], (values.out as string | undefined) ?? "conformance-report");
  } finally {
    await mock?.close();
  }
}

async function probe(values: Record<string, string | boolean | undefined>): Promise<number> {
  const target = values.target as string | undefined;
  if (!target) throw new UsageError("probe needs --target <http(s) base URL>, e.g. --target https://api.cartesia.ai");
  const apiKey = (values["api-key"] as string | undefined) ?? process.env.CARTESIA_API_KEY;
  const seconds = values.timeout === undefined ? 20 : Number(values.timeout);
  if (!(seconds > 0 && seconds <= 600)) throw new UsageError("--timeout must be a number of seconds in (0, 600]");
  const version = values.version as string | undefined;
  if (version !== undefined && !/^\d{4}-\d{2}-\d{2}$/u.test(version)) throw new UsageError("--version must be a date YYYY-MM-DD");
  const voice = values.voice as string | undefined;
  const reference = values.reference as string | undefined;
  const referenceApiKey = values["reference-api-key"] as string | undefined;
  let report;
  try {
    report = await runProbe({
      target,
      ...(apiKey ? { apiKey } : {}),
      ...(reference ? { reference } : {}),
      ...(referenceApiKey ? { referenceApiKey } : {}),
      ...(version ? { version } : {}),
      voice: voice ?? DEFAULT_PROBE_VOICE,
      timeoutMs: Math.round(seconds * 1000),
      onProgress: (line) => process.stderr.write(`${line}\n`),
    });
  } catch (error) {
    if (error instanceof ProbeUnreachableError || error instanceof ProbeUsageError) throw new UsageError(error.message);
    // Anything else is printed with its stack: without the keys.
    throw new Error(redactor([apiKey, referenceApiKey])(error instanceof Error ? (error.stack ?? error.message) : String(error)));
  }
  const markdown = driftMarkdown(report);
  const out = values.out as string | undefined;
  if (out) {
    mkdirSync(out, { recursive: true });
    writeFileSync(resolve(out, "drift.md"), markdown);
    writeFileSync(resolve(out, "drift.json"), `${JSON.stringify(report, null, 2)}\n`);
    process.stderr.write(`reports: ${resolve(out, "drift.md")}, ${resolve(out, "drift.json")}\n`);
  }
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : markdown);
  return report.drift === 0 ? 0 : 1;
}

/**
 * The catalogue for tools (`--list --json`): every check with what `--list` shows — id, suite,
 * section, statement, what it reads (journal or adapter) and the capabilities it needs — and any
 * other data field of the check.
 */
function catalogueJson(): { tool: string; format: 1; checks: Record<string, unknown>[] } {
  const checks = CHECKS.map((c) => {
    const data = Object.fromEntries(Object.entries(c).filter(([, v]) => typeof v !== "function"));
    return { ...data, reads: c.source === "surfaced" ? "adapter" : "journal", requires: c.requires ?? [] };
  });
  return { tool: "@speechwire/conformance", format: 1, checks };
}

/** Runs the CLI with `argv` (without node and the script); resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    // One line: node's own message, without its advice on positionals.
    const message = (error instanceof Error ? error.message : String(error)).replace(/\. To specify a positional argument.*$/su, "");
    process.stderr.write(`speechwire-conformance: ${message} (see speechwire-conformance --help)\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  try {
    if (values.help) {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }
    if (values.list || positionals[0] === "list") {
      process.stdout.write(values.json ? `${JSON.stringify(catalogueJson(), null, 2)}\n` : `${catalogueTable()}\n`);
      return 0;
    }
    const command = positionals[0] ?? "run";
    if (command === "run") return await run(values);
    if (command === "replay") return await replay(positionals[1], values);
    if (command === "server") return await server(values);
    if (command === "probe") return await probe(values);
    throw new UsageError(`unknown command "${command}"`);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`speechwire-conformance: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`speechwire-conformance: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

/** True when node was started on this file (`node dist/cli.js`), through a symlink to it too: real paths compared. */
function startedAsProgram(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/** Runs the CLI on `process.argv` and sets the exit code: what the `speechwire-conformance` bin (`bin.ts`) does. */
export function runProgram(): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`speechwire-conformance: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}

if (startedAsProgram()) runProgram();
