#!/usr/bin/env node
/**
 * speechwire-bench: stt-v1 | stt-turns | tts | all | calibrate | compare A.json B.json | schema.
 * Argument parsing is `node:util` parseArgs; the progress bar is cli-progress on stderr (off when
 * stderr is not a TTY, or with --quiet / --json).
 */
import { readFile, writeFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { LATENCY_PROFILES, parseLatencyArg, type Latency } from "@speechwire/mock-server";
import { artilleryResults } from "./artillery/report.js";
import { runArtillery } from "./artillery/run.js";
import { artilleryScript, mockCommand, scenarioFiles } from "./artillery/script.js";
import { compareResults, formatComparison } from "./compare.js";
import { CLIENTS, type ClientName } from "./drivers/types.js";
import { ENDPOINTS, type Endpoint } from "./metrics/definitions.js";
import { consoleReport, fmt, textTable } from "./report/format.js";
import { parseResults, resultsJsonSchema } from "./report/schema.js";
import { writeReport } from "./report/write.js";
import { runBench } from "./run/bench.js";
import { commandLine } from "./command.js";
import { TTS_MODEL, TTS_VOICE } from "./targets/scenarios.js";
import { calibrateFixed, calibrateProfile, type FixedRow, type ProfileRow } from "./run/calibrate.js";

const HELP = `speechwire-bench — latency of Cartesia's realtime speech APIs, each metric defined

usage:
  speechwire-bench stt-v1|stt-turns|tts|all [options]
  speechwire-bench calibrate [--latencies 5,20,60] [--profile ink-2-30d] [--sessions N] [--out DIR]
  speechwire-bench compare A.json B.json
  speechwire-bench schema            print the JSON Schema of results.json
  speechwire-bench artillery init [--target URL] [--out artillery.yml] [--vusers 20] [--duration 20]
                   [--mix stt-v1=1,stt-turns=1,tts=1|sequence] [--client NAME] [--pacing P] [--rounds N]
                   [--requests N] [--latency P|MS] [--mock-workers N]
                                     write artillery.yml and the bench's scenarios for the mock
  speechwire-bench artillery run FILE [artillery run options]
                                     Artillery's run (pinned version), telemetry off, loopback only
  speechwire-bench artillery report ARTILLERY.json [--out DIR] [--json]
                                     Artillery's JSON report as results.json / results.md / charts

options:
  --target mock|URL      mock (default): an embedded mock on 127.0.0.1; or an http(s) base URL
  --api-key KEY          for a URL target (default: env CARTESIA_API_KEY)
  --admin-key KEY        a speechwire mock in strict mode at a URL target: its admin key, to load the
                         bench's scenarios (default: env SPEECHWIRE_ADMIN_KEY)
  --client NAME[,NAME]   speechwire (default), cartesia-js, raw; a list runs each, side by side
  --sessions N           measured sessions per endpoint and client (default 50)
  --concurrency N        sessions at once (default 4)
  --warmup N             sessions run first and excluded (default 3)
  --pacing realtime|fast audio at 1 s per second, or as fast as possible (default fast)
  --latency P|MS         mock latency: none, milliseconds, or ${Object.keys(LATENCY_PROFILES).join(", ")} (default none)
  --seed N               mock seed (default 1)
  --rounds N             finalize rounds per stt-v1 session (default 5)
  --requests N           TTS requests per session (default 3)
  --scenario NAME        mock scenario for every endpoint (default: bench-v1, bench-turns, bench-tts;
                         with --speech tts: bench-v1-speech, bench-turns-speech)
  --speech scripted|tts  STT audio: the mock's scripted audio (default on a mock), or speech synthesized
                         by the target's own TTS with word timestamps (default on any other URL)
  --voice ID             voice id of synthesized STT speech (default ${TTS_VOICE})
  --tts-model ID         TTS model of synthesized STT speech (default ${TTS_MODEL})
  --out DIR              write results.json, results.md and chart-<metric>.svg there
  --mock-process         run the embedded mock in a child process of its own (127.0.0.1), not the bench's
  --overhead-runs N      runs of the mock-overhead measurement, for its spread (default 3; 0 skips it)
  --overhead-sessions N  sessions on each server per overhead run and endpoint (default 30)
  --json                 print results.json to stdout instead of the table
  --quiet                no progress bar
  -h, --help`;

class UsageError extends Error {}

function positiveInt(name: string, text: string | undefined, fallback: number, min = 1): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min) throw new UsageError(`--${name} takes an integer ≥ ${min}, got "${text}"`);
  return Number(text);
}

async function main(argv: string[]): Promise<number> {
  // Everything after `artillery run FILE` is Artillery's own: not parsed here.
  if (argv[0] === "artillery" && argv[1] === "run") {
    if (argv[2] === undefined || argv[2].startsWith("-")) throw new UsageError("artillery run takes the script first: speechwire-bench artillery run artillery.yml [artillery run options]");
    try {
      return await runArtillery(["run", ...argv.slice(2)]);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        target: { type: "string" },
        "api-key": { type: "string" },
        "admin-key": { type: "string" },
        client: { type: "string" },
        sessions: { type: "string" },
        concurrency: { type: "string" },
        warmup: { type: "string" },
        pacing: { type: "string" },
        latency: { type: "string" },
        latencies: { type: "string" },
        profile: { type: "string" },
        seed: { type: "string" },
        rounds: { type: "string" },
        requests: { type: "string" },
        scenario: { type: "string" },
        speech: { type: "string" },
        voice: { type: "string" },
        "tts-model": { type: "string" },
        out: { type: "string" },
        json: { type: "boolean" },
        "mock-process": { type: "boolean" },
        "overhead-runs": { type: "string" },
        "overhead-sessions": { type: "string" },
        vusers: { type: "string" },
        duration: { type: "string" },
        mix: { type: "string" },
        "mock-workers": { type: "string" },
        quiet: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values: v, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (v.help || command === undefined) {
    process.stdout.write(`${HELP}\n`);
    return command === undefined && !v.help ? 2 : 0;
  }

  if (command === "schema") {
    process.stdout.write(`${JSON.stringify(resultsJsonSchema(), null, 2)}\n`);
    return 0;
  }

  if (command === "compare") {
    if (rest.length !== 2) throw new UsageError("compare takes two results.json files");
    const [fa, fb] = rest as [string, string];
    const read = async (f: string) => {
      let text: string;
      try {
        text = await readFile(f, "utf8");
      } catch (error) {
        throw new UsageError(`cannot read ${f}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
      const r = parseResults(text, f);
      if (!r.ok) throw new UsageError(r.error);
      return r.value;
    };
    const [a, b] = [await read(fa), await read(fb)];
    const c = compareResults(a, b);
    process.stdout.write(v.json ? `${JSON.stringify(c, null, 2)}\n` : `${formatComparison(c, [fa, fb])}\n`);
    return 0;
  }

  if (command === "artillery") return artilleryCommand(rest, v);

  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  const seed = positiveInt("seed", v.seed, 1, 0);
  const showProgress = !v.quiet && !v.json && process.stderr.isTTY === true;

  if (command === "calibrate") {
    const latencies = (v.latencies ?? "5,20,60").split(",").map((t) => {
      if (!/^\d+(\.\d+)?$/.test(t)) throw new UsageError(`--latencies takes milliseconds separated by commas, got "${t}"`);
      return Number(t);
    });
    const profile = v.profile ?? "ink-2-30d";
    if (!(profile in LATENCY_PROFILES)) throw new UsageError(`--profile takes one of ${Object.keys(LATENCY_PROFILES).join(", ")}`);
    const client = (v.client ?? "raw") as ClientName;
    if (!CLIENTS.includes(client)) throw new UsageError(`--client takes one of ${CLIENTS.join(", ")}`);
    const load = { client, sessions: positiveInt("sessions", v.sessions, 10), concurrency: positiveInt("concurrency", v.concurrency, 1), rounds: positiveInt("rounds", v.rounds, 20), requests: positiveInt("requests", v.requests, 20), seed };
    const step = (s: string) => {
      if (!v.quiet && !v.json) process.stderr.write(`calibrating ${s}\n`);
    };
    const fixed = await calibrateFixed([...ENDPOINTS], latencies, load, step);
    const stt = await calibrateProfile("stt-v1", profile as keyof typeof LATENCY_PROFILES, { ...load, rounds: 150 }, 4, step);
    const tts = await calibrateProfile("tts", "sonic-3.5-first-audio", { ...load, sessions: 10, requests: 30 }, 1, step);
    const report = { fixed, profiles: [...stt, ...tts] };
    const text = formatCalibration(fixed, report.profiles);
    if (v.out) {
      await mkdir(v.out, { recursive: true });
      await writeFile(join(v.out, "calibration.json"), `${JSON.stringify(report, null, 2)}\n`);
      await writeFile(join(v.out, "calibration.md"), `# speechwire-bench calibrate\n\n\`\`\`\n${text}\n\`\`\`\n`);
    }
    process.stdout.write(v.json ? `${JSON.stringify(report, null, 2)}\n` : `${text}\n`);
    return report.profiles.every((r) => r.within) ? 0 : 1;
  }

  const endpoints: Endpoint[] = command === "all" ? [...ENDPOINTS] : ENDPOINTS.includes(command as Endpoint) ? [command as Endpoint] : [];
  if (endpoints.length === 0) throw new UsageError(`unknown command "${command}" (stt-v1, stt-turns, tts, all, calibrate, compare, schema, artillery)`);
  const clients = (v.client ?? "speechwire").split(",").map((c) => c.trim());
  for (const c of clients) if (!CLIENTS.includes(c as ClientName)) throw new UsageError(`--client takes ${CLIENTS.join(", ")} (comma-separated), got "${c}"`);
  const pacing = v.pacing ?? "fast";
  if (pacing !== "fast" && pacing !== "realtime") throw new UsageError(`--pacing takes realtime or fast, got "${pacing}"`);
  let latency: Latency = "none";
  if (v.latency !== undefined) {
    const l = parseLatencyArg(v.latency);
    if (l === undefined) throw new UsageError(`--latency takes none, milliseconds or one of ${Object.keys(LATENCY_PROFILES).join(", ")}, got "${v.latency}"`);
    latency = l;
  }
  const target = v.target ?? "mock";
  if (target !== "mock" && !/^https?:\/\//.test(target)) throw new UsageError(`--target takes mock or an http(s) URL, got "${target}"`);
  const apiKey = v["api-key"] ?? process.env.CARTESIA_API_KEY;
  if (target !== "mock" && !apiKey) throw new UsageError("a URL target needs --api-key KEY (or CARTESIA_API_KEY)");
  const adminKey = v["admin-key"] ?? process.env.SPEECHWIRE_ADMIN_KEY;
  const speech = v.speech;
  if (speech !== undefined && speech !== "scripted" && speech !== "tts") throw new UsageError(`--speech takes scripted or tts, got "${speech}"`);
  for (const [flag, value] of [["voice", v.voice], ["tts-model", v["tts-model"]]] as const) {
    if (value !== undefined && !/^\S+$/.test(value)) throw new UsageError(`--${flag} takes an id without spaces, got "${value}"`);
  }
  const voice = { model: v["tts-model"] ?? TTS_MODEL, voice: v.voice ?? TTS_VOICE };
  const bar = showProgress ? new cliProgress.SingleBar({ format: "{phase} |{bar}| {value}/{total} sessions", hideCursor: true, stream: process.stderr }, cliProgress.Presets.shades_classic) : undefined;
  let phase = "";
  let started = false;
  const results = await runBench({
    command: commandLine(argv),
    mockProcess: v["mock-process"] === true,
    overhead: { runs: positiveInt("overhead-runs", v["overhead-runs"], 3, 0), sessions: positiveInt("overhead-sessions", v["overhead-sessions"], 30) },
    endpoints,
    clients: clients as ClientName[],
    target,
    ...(apiKey ? { apiKey } : {}),
    ...(adminKey ? { adminKey } : {}),
    latency,
    seed,
    sessions: positiveInt("sessions", v.sessions, 50),
    concurrency: positiveInt("concurrency", v.concurrency, 4),
    warmup: positiveInt("warmup", v.warmup, 3, 0),
    pacing,
    rounds: positiveInt("rounds", v.rounds, 5),
    requests: positiveInt("requests", v.requests, 3),
    ...(v.scenario ? { scenario: v.scenario } : {}),
    ...(speech ? { speech } : {}),
    voice,
    onPhase: (p) => {
      phase = p;
      if (!showProgress && !v.quiet && !v.json) process.stderr.write(`${p}\n`);
    },
    onProgress: (_ep, done, total) => {
      if (!bar) return;
      if (!started || done === 1) {
        if (started) bar.stop();
        bar.start(total, 0, { phase: phase.padEnd(28) });
        started = true;
      }
      bar.update(done, { phase: phase.padEnd(28) });
    },
  }).finally(() => bar?.stop());
  if (v.out) {
    const files = await writeReport(v.out, results);
    if (!v.quiet && !v.json) process.stderr.write(`wrote ${files.length} files to ${v.out}\n`);
  }
  process.stdout.write(v.json ? `${JSON.stringify(results, null, 2)}\n` : `${consoleReport(results)}\n`);
  const failed = results.runs.some((r) => r.sessions.failed > 0);
  return failed ? 1 : 0;
}

/** `artillery init` and `artillery report`. */
async function artilleryCommand(rest: string[], v: Record<string, string | boolean | undefined>): Promise<number> {
  const str = (k: string) => (typeof v[k] === "string" ? (v[k] as string) : undefined);
  const [sub, ...args] = rest;
  if (sub === "report") {
    if (args.length !== 1) throw new UsageError("artillery report takes one Artillery JSON report (artillery run --output FILE)");
    const file = args[0] as string;
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    let results;
    try {
      results = artilleryResults(text, { command: commandLine(["artillery", "report", ...args, ...(str("out") ? ["--out", str("out") as string] : [])]), source: file });
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const out = str("out");
    if (out) {
      const files = await writeReport(out, results);
      if (!v.quiet && !v.json) process.stderr.write(`wrote ${files.length} files to ${out}\n`);
    }
    process.stdout.write(v.json ? `${JSON.stringify(results, null, 2)}\n` : `${consoleReport(results)}\n`);
    return results.runs.some((r) => r.sessions.failed > 0) ? 1 : 0;
  }
  if (sub !== "init") throw new UsageError(`artillery takes init, run or report, got ${sub === undefined ? "nothing" : `"${sub}"`}`);
  if (args.length > 0) throw new UsageError(`unexpected argument "${args[0]}"`);
  const target = str("target") ?? "http://127.0.0.1:8787";
  if (!/^https?:\/\/[^/]+/.test(target)) throw new UsageError(`--target takes an http(s) URL, got "${target}"`);
  const client = str("client") ?? "speechwire";
  if (!CLIENTS.includes(client as ClientName)) throw new UsageError(`--client takes one of ${CLIENTS.join(", ")}, got "${client}"`);
  const pacing = str("pacing") ?? "fast";
  if (pacing !== "fast" && pacing !== "realtime") throw new UsageError(`--pacing takes realtime or fast, got "${pacing}"`);
  const latency = str("latency") ?? "none";
  if (parseLatencyArg(latency) === undefined) throw new UsageError(`--latency takes none, milliseconds or one of ${Object.keys(LATENCY_PROFILES).join(", ")}, got "${latency}"`);
  const weights: Record<Endpoint, number> = { "stt-v1": 0, "stt-turns": 0, tts: 0 };
  const mixText = str("mix") ?? "stt-v1=1,stt-turns=1,tts=1";
  if (mixText !== "sequence") {
    for (const part of mixText.split(",")) {
      const m = /^(stt-v1|stt-turns|tts)=(\d+)$/.exec(part.trim());
      if (!m) throw new UsageError(`--mix takes endpoint=weight pairs (stt-v1, stt-turns, tts), e.g. stt-v1=2,tts=1, or sequence; got "${part}"`);
      weights[m[1] as Endpoint] = Number(m[2]);
    }
    if (Object.values(weights).every((w) => w === 0)) throw new UsageError("--mix needs at least one endpoint with a weight above 0");
  }
  const mix = mixText === "sequence" ? ("sequence" as const) : weights;
  const outFile = str("out") ?? "artillery.yml";
  const dir = dirname(outFile);
  const scenariosDir = "bench-scenarios";
  const options = {
    target: target.replace(/\/+$/, ""),
    duration: positiveInt("duration", str("duration"), 20),
    vusers: positiveInt("vusers", str("vusers"), 20),
    mix,
    client: client as ClientName,
    pacing: pacing as "fast" | "realtime",
    rounds: positiveInt("rounds", str("rounds"), 5),
    requests: positiveInt("requests", str("requests"), 3),
    latency,
    scenariosDir: join(dir, scenariosDir),
    mockWorkers: positiveInt("mock-workers", str("mock-workers"), 2),
  };
  const yml = artilleryScript(options);
  await mkdir(join(dir, scenariosDir), { recursive: true });
  for (const [name, text] of scenarioFiles()) await writeFile(join(dir, scenariosDir, name), text);
  await writeFile(outFile, yml);
  if (!v.quiet) {
    process.stdout.write(
      [
        `wrote ${outFile} and ${join(dir, scenariosDir)}/ (${scenarioFiles().length} scenarios)`,
        "start the target:",
        `  ${mockCommand(options)}`,
        "then:",
        `  speechwire-bench artillery run ${outFile} --output report.json`,
        "  speechwire-bench artillery report report.json --out results/",
        "",
      ].join("\n"),
    );
  }
  return 0;
}

/** The calibration tables. */
function formatCalibration(fixed: FixedRow[], profiles: ProfileRow[]): string {
  return [
    "fixed latency L (same-run zero-latency figure subtracted): error = (p − p at L=0) − L",
    textTable(
      ["endpoint", "metric", "L ms", "n", "p50", "p99", "p50 @0", "p99 @0", "err p50", "err p99"],
      fixed.map((r) => [r.endpoint, r.metric, String(r.latencyMs), String(r.n), fmt(r.p50), fmt(r.p99), fmt(r.zeroP50), fmt(r.zeroP99), fmt(r.errorP50), fmt(r.errorP99)]),
    ),
    "",
    "fitted profiles: measured − p50 at L=0, against the profile's published point (tolerance: 3 SE of the quantile at n + 1 ms + 0.1 % + the bench's own spread at that percentile at L=0)",
    textTable(
      ["profile", "metric", "n", "pct", "expected", "measured", "corrected", "error", "tolerance", "ok"],
      profiles.map((r) => [r.profile, r.metric, String(r.n), `p${r.percentile}`, fmt(r.expected), fmt(r.measured), fmt(r.corrected), fmt(r.error), `±${fmt(r.tolerance)}`, r.within ? "yes" : "NO"]),
    ),
  ].join("\n");
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`speechwire-bench: ${error.message} (see speechwire-bench --help)\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`speechwire-bench: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
