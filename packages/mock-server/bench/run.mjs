#!/usr/bin/env node
/**
 * The mock server's performance benchmark (a script, never a test: machines are shared and noisy, so
 * nothing here asserts; it prints whether each goal was met). Measures, side by side in one run:
 *
 *  (a) finalize → final transcript latency over a real WebSocket (stt-v1), against a bare `ws` echo
 *      round trip with the same client and message sizes;
 *  (b) how many concurrent real-time turns streams (16 kHz s16le, 20 ms chunks) one mock process
 *      serves with p99 event lateness under 10 ms (clients in worker threads, the mock in a child);
 *  (c) TTS synthesis speed as a multiple of real time, in process and end to end over /tts/websocket;
 *      end to end (bench/tts-contexts.mjs): 100 contexts sent at once vs one context, first chunk p50
 *      and max (and the same on a bare replay server), and one context at a time with the journal and
 *      linter on and off (their share of the mock's CPU), over --runs runs;
 *  (d) memory per idle turns session (RSS and heap of the mock's process);
 *  (e) one long TTS request against everyone else: the first chunk of 10,000 words, the peak RSS growth
 *      of 40,000 words, and — while a client that does not read asks for 4,000 words — the mock's
 *      event-loop delay (sampled inside it by bench/loop-delay.mjs), the lateness of a concurrent turns
 *      session's events and how long a fresh session waits for `connected`; each over --runs runs,
 *      reported as min / median / max. `--mock-cli` runs it (or any part) against another build.
 *
 * Usage: pnpm --filter @speechwire/mock-server bench [--quick] [--out DIR] [--cpu-prof] (--help: all options)
 * Needs the built package (`pnpm --filter @speechwire/protocol build && pnpm --filter
 * @speechwire/mock-server build`). Writes latest.json and latest.md into --out (default: a temp dir).
 */
import { once } from "node:events";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import WebSocket from "ws";
import { scenarioSchema } from "../dist/index.js";
import { compileScript, LoopCursor } from "../dist/core/stt/index.js";
import { DEFAULT_SYNTH_CONFIG, initialSynthState, parseTranscript, renderGeneration, synthesize, synthesizeBytes } from "../dist/core/tts/index.js";
import {
  CHUNK_BYTES,
  CHUNK_MS,
  CLI,
  cpuSeconds,
  cpuTimes,
  DEFAULT_SERVER_NODE_FLAGS,
  firstFailing,
  flagsText,
  fmt,
  fmtInt,
  histogram,
  largest,
  mdTable,
  mergeHistograms,
  pool,
  recordMs,
  refinementStep,
  rssOf,
  SAMPLE_RATE,
  serverFlags,
  setServerNodeFlags,
  sleep,
  spawnEcho,
  spawnMock as spawnMockOf,
  spread,
  STT_V1_QUERY,
  summary,
  table,
  TURNS_QUERY,
  TURNS_SCENARIO,
  WORD_SCENARIO,
} from "./lib.mjs";
import { benchContextsAtOnce, benchThroughput, ttsRequestText } from "./tts-contexts.mjs";

// ------------------------------------------------------------------ options

// `pnpm bench -- --quick` hands the script a literal "--" first.
const argv = process.argv.slice(2);
const { values: args } = parseArgs({
  args: argv[0] === "--" ? argv.slice(1) : argv,
  options: {
    quick: { type: "boolean", default: false },
    out: { type: "string" },
    "cpu-prof": { type: "boolean", default: false },
    only: { type: "string" },
    ramp: { type: "string" },
    "step-seconds": { type: "string" },
    workers: { type: "string" },
    iterations: { type: "string" },
    warmup: { type: "string" },
    "idle-sessions": { type: "string" },
    "mock-node-args": { type: "string" },
    "node-flags": { type: "string" },
    "no-baseline": { type: "boolean", default: false },
    "no-refine": { type: "boolean", default: false },
    pin: { type: "boolean", default: false },
    runs: { type: "string" },
    "mock-cli": { type: "string" },
    help: { type: "boolean", default: false },
  },
  strict: true,
});
if (args.help) {
  process.stdout.write(`node --expose-gc bench/run.mjs [options]
  --quick             ~40 s instead of ~4 min (fewer iterations, shorter ramp steps)
  --out DIR           where latest.json and latest.md go (default: a new temp dir)
  --cpu-prof          profile the mock's child processes (.cpuprofile files in DIR/cpu-prof)
  --only a,b,c,d,e    run only these parts
  --ramp 50,100,...   stream counts of part (b)
  --step-seconds S    length of each step of part (b)
  --workers W         load-generating worker threads of part (b) (default 2)
  --iterations N      finalize iterations of part (a), per side
  --warmup N          part (a)'s warm-up iterations per side before them (default 3000, --quick 600; reported too)
  --idle-sessions N   idle sessions of part (d)
  --no-baseline       part (b) without the bare ws baseline
  --no-refine         part (b): stop at the ramp's steps (by default a side that stopped is narrowed
                      between its last passing and first failing N, halving down to 1/8 of the passing N)
  --pin               part (a): pin both servers to the last CPU (taskset) for equal placement
  --mock-node-args A  extra node flags for the mock's processes, e.g. "--trace-gc" (their output goes to DIR/mock-output.log)
  --node-flags F      Node flags of every server, the mock and its baselines (default "${DEFAULT_SERVER_NODE_FLAGS}",
                      the mock's launchers'; --node-flags= for none)
  --runs N            runs of each measure of parts (c) (contexts at once, journal on / off) and (e) (default 3)
  --mock-cli FILE     run the mock from this built CLI instead of ../dist/cli.js (e.g. a build of an older commit)
`);
  process.exit(0);
}
if (args["node-flags"] !== undefined) setServerNodeFlags(args["node-flags"]);
const quick = args.quick;
const only = new Set((args.only ?? "a,b,c,d,e").split(",").map((s) => s.trim()));
const config = {
  quick,
  latency: { iterations: Number(args.iterations ?? (quick ? 600 : 3000)), warmup: Number(args.warmup ?? (quick ? 600 : 3000)), block: 100, connections: 4 },
  turns: {
    ramp: (args.ramp ?? (quick ? "25,50,100,200" : "25,50,100,200,300,400,600,800,1000,1200,1600")).split(",").map(Number),
    stepSeconds: Number(args["step-seconds"] ?? (quick ? 3 : 8)),
    spreadSeconds: 1,
    /** The ramp stops starting new steps after this long (the whole run should stay near 3–4 min / 40 s). */
    budgetSeconds: quick ? 30 : 200,
    /**
     * A step whose load generator sent its chunks late (client send lag p99 above this) measured the
     * machine, not the server: it fails, marked as the generator's. Lateness is timed from the actual
     * send, so a lagging generator mostly hides load instead of adding lateness: half the budget.
     */
    sendLagBoundMs: 5,
    /** A failing step is run again this many times before its side stops (one noisy step is not a verdict)… */
    retries: 1,
    /** …and up to this many times while only its load generator lagged (that says nothing of the server). */
    generatorRetries: 3,
    workers: Number(args.workers ?? 2),
    /** Narrow each side's limit between the ramp's steps (see benchTurns); `--no-refine` turns it off. */
    refine: !args["no-refine"],
    /** Extra seconds the refinement may take past the ramp's budget. */
    refineSeconds: quick ? 20 : 120,
    budgetMs: 10,
  },
  tts: { seconds: quick ? 0.5 : 1.5, connections: [1, 4], contexts: 100, warm: 20, throughputSeconds: quick ? 1 : 3 },
  memory: { sessions: Number(args["idle-sessions"] ?? (quick ? 300 : 1000)) },
  ttsLoad: {
    runs: Number(args.runs ?? 3),
    firstChunkWords: 10_000,
    rssWords: 40_000,
    stallWords: 4_000,
    /** Turns streams running through the stall, their spread and measured window (s), and when the stall starts. */
    streams: 10,
    spreadSeconds: 0.5,
    windowSeconds: quick ? 3 : 5,
    stallAfterSeconds: 1,
  },
};
/** The mock's CLI: this build's, or another one given with --mock-cli. */
const mockCli = args["mock-cli"] ? resolve(args["mock-cli"]) : CLI;
const spawnMock = (options) => spawnMockOf({ ...options, cli: mockCli });

const outDir = resolve(args.out ?? mkdtempSync(join(os.tmpdir(), "speechwire-bench-")));
mkdirSync(outDir, { recursive: true });
const profDir = join(outDir, "cpu-prof");
if (args["cpu-prof"]) mkdirSync(profDir, { recursive: true });
/** Node flags of a mock child: a CPU profile per child when asked. */
const extraMockArgs = (args["mock-node-args"] ?? "").split(" ").filter(Boolean);
const profArgs = (name) => [...extraMockArgs, ...(args["cpu-prof"] ? ["--cpu-prof", `--cpu-prof-dir=${profDir}`, `--cpu-prof-name=${name}.cpuprofile`] : [])];
/** With extra mock flags, the mock's own output (e.g. GC traces) is kept in DIR/mock-output.log. */
const mockOutput = extraMockArgs.length > 0 ? (text) => appendFileSync(join(outDir, "mock-output.log"), text) : undefined;

const workDir = mkdtempSync(join(os.tmpdir(), "speechwire-bench-work-"));
const scenariosDir = join(workDir, "scenarios");
mkdirSync(scenariosDir);
for (const s of [WORD_SCENARIO, TURNS_SCENARIO]) writeFileSync(join(scenariosDir, `${s.name}.json`), JSON.stringify(s, null, 2));

const log = (text) => process.stderr.write(`${text}\n`);
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)}s`;

// ------------------------------------------------------------------ a small recording client

/**
 * A WebSocket whose messages resolve waiters (`until`), each stamped with its arrival time. `first` is
 * the first message, whenever it came (the server may send it in the same read as the handshake).
 */
async function openClient(url) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const waiters = [];
  let onFirst;
  const first = new Promise((resolve) => {
    onFirst = resolve;
  });
  ws.on("message", (data, isBinary) => {
    const t = performance.now();
    const m = isBinary ? { binary: true, size: data.length } : { binary: false, text: data.toString() };
    if (!isBinary) m.json = JSON.parse(m.text);
    if (m.json?.type === "error") log(`  ! error from ${url}: ${m.text}`);
    onFirst({ t, m });
    for (let i = 0; i < waiters.length; i += 1) {
      if (waiters[i].pred(m)) {
        waiters[i].resolve({ t, m });
        waiters.splice(i, 1);
        i -= 1;
      }
    }
  });
  ws.on("close", () => {
    for (const w of waiters.splice(0)) w.reject(new Error(`${url} closed`));
  });
  await once(ws, "open");
  const until = (pred) => {
    const p = new Promise((resolve, reject) => waiters.push({ pred, resolve, reject }));
    p.catch(() => {});
    return p;
  };
  return { ws, first, until };
}

// ------------------------------------------------------------------ (a) finalize latency

const AUDIO_CHUNK = Buffer.alloc(CHUNK_BYTES);
/** One pass of the bench-word scenario: 0.4 s = 20 chunks, one word. */
const WORD_CHUNKS = 20;

async function mockFinalize(c) {
  const heard = c.until((m) => m.json?.type === "transcript" && m.json.is_final === false);
  for (let i = 0; i < WORD_CHUNKS; i += 1) c.ws.send(AUDIO_CHUNK);
  await heard;
  const final = c.until((m) => m.json?.type === "transcript" && m.json.is_final === true);
  const flushed = c.until((m) => m.json?.type === "flush_done");
  const t0 = performance.now();
  c.ws.send("finalize");
  const { t, m } = await final;
  await flushed;
  return { ms: t - t0, size: m.text.length };
}

async function echoRoundTrip(c, padded) {
  let echoed = 0;
  const back = c.until((m) => m.binary && ++echoed === WORD_CHUNKS);
  for (let i = 0; i < WORD_CHUNKS; i += 1) c.ws.send(AUDIO_CHUNK);
  await back;
  const reply = c.until((m) => m.json?.type === "echo");
  const t0 = performance.now();
  c.ws.send(padded);
  const { t } = await reply;
  return { ms: t - t0 };
}

async function benchLatency() {
  const { iterations, warmup, block, connections } = config.latency;
  log(`[${elapsed()}] (a) finalize → final: ${iterations} iterations per side over ${connections} connections, interleaved in blocks of ${block}`);
  // --pin: both servers on the last CPU. Unpinned, the scheduler sometimes keeps the light echo server
  // on the client's CPU (a ~30 µs round trip instead of ~90 µs) and the p50 ratio follows placement;
  // pinned, the mock's GC threads share its one CPU, which inflates its tail instead.
  const cpu = args.pin && os.cpus().length > 1 ? os.cpus().length - 1 : undefined;
  const mock = await spawnMock({ scenariosDir, onOutput: mockOutput, nodeArgs: profArgs("a-mock"), cpu });
  const echo = await spawnEcho({ cpu });
  try {
    const mockClients = await Promise.all(
      Array.from({ length: connections }, () => openClient(`${mock.info.ws}/s/${WORD_SCENARIO.name}/stt/websocket?${STT_V1_QUERY}`)),
    );
    const echoClients = await Promise.all(Array.from({ length: connections }, () => openClient(echo.info.ws)));
    // A warm-up as long as the measured run: with 300 iterations (10 % of it) V8 was still compiling the
    // mock's code, which has far more of it than the echo (p50 ratio 1.23–1.24× against 1.11–1.13× after
    // 3,000; p99 1.79–1.81× against 0.49–0.77×; 2 runs each, 2026-12-07). Its latencies are reported too.
    const warmMock = histogram();
    const warmEcho = histogram();
    let finalSize = 0;
    for (let i = 0; i < warmup; i += 1) {
      const { ms, size } = await mockFinalize(mockClients[i % connections]);
      recordMs(warmMock, ms);
      finalSize = size;
    }
    // The echo's text frame is exactly as long as the mock's final transcript frame.
    const head = '{"type":"echo","pad":"';
    const padded = `${head}${"x".repeat(Math.max(0, finalSize - head.length - 2))}"}`;
    for (let i = 0; i < warmup; i += 1) recordMs(warmEcho, (await echoRoundTrip(echoClients[i % connections], padded)).ms);

    const hMock = histogram();
    const hEcho = histogram();
    let i = 0;
    const mockCpu0 = cpuSeconds(mock.pid);
    const echoCpu0 = cpuSeconds(echo.pid);
    for (let done = 0; done < iterations; done += block) {
      const n = Math.min(block, iterations - done);
      for (let k = 0; k < n; k += 1, i += 1) recordMs(hMock, (await mockFinalize(mockClients[i % connections])).ms);
      for (let k = 0; k < n; k += 1) recordMs(hEcho, (await echoRoundTrip(echoClients[k % connections], padded)).ms);
    }
    const mockCpu = cpuSeconds(mock.pid) - mockCpu0;
    const echoCpu = cpuSeconds(echo.pid) - echoCpu0;
    for (const c of [...mockClients, ...echoClients]) c.ws.terminate();
    const m = summary(hMock);
    const e = summary(hEcho);
    const wm = summary(warmMock);
    const we = summary(warmEcho);
    return {
      iterations,
      warmup: { iterations: warmup, mock: wm, echo: we, ratioP50: wm.p50 / we.p50, ratioP99: wm.p99 / we.p99 },
      connections,
      pinned: cpu !== undefined,
      messageBytes: { audioChunk: CHUNK_BYTES, audioChunksPerIteration: WORD_CHUNKS, finalFrame: finalSize, echoFrame: padded.length },
      mock: m,
      echo: e,
      ratioP50: m.p50 / e.p50,
      ratioP99: m.p99 / e.p99,
      serverCpuPerIterationMs: { mock: (mockCpu * 1000) / iterations, echo: (echoCpu * 1000) / iterations },
    };
  } finally {
    await Promise.all([mock.stop(), echo.stop()]);
  }
}

// ------------------------------------------------------------------ (b) concurrent turns streams

/** Chunks of 20 ms needed before the audio clock reaches `at` seconds (whole samples, as the mock counts). */
function chunksToReach(at) {
  const samplesPerChunk = (SAMPLE_RATE * CHUNK_MS) / 1000;
  let m = Math.max(1, Math.ceil((at * 1000) / CHUNK_MS));
  while (m > 1 && ((m - 1) * samplesPerChunk) / SAMPLE_RATE >= at) m -= 1;
  while ((m * samplesPerChunk) / SAMPLE_RATE < at) m += 1;
  return m;
}

/** The turn events of `chunks` chunks of the looping scenario, each with the chunk that triggers it. */
function turnTimeline(chunks) {
  const compiled = compileScript(scenarioSchema.parse(TURNS_SCENARIO).stt);
  const cursor = new LoopCursor(compiled.events, compiled.duration, compiled.loop);
  const events = [];
  for (let e = cursor.shift(); e; e = cursor.shift()) {
    const m = chunksToReach(e.at);
    if (m > chunks) break;
    events.push({ type: e.item.type, at: e.at, chunk: m - 1, ...(e.item.transcript !== undefined ? { transcript: e.item.transcript } : {}) });
  }
  return { events, scriptSeconds: compiled.duration };
}

/** One step of the ramp: `n` streams for the step's length against the mock or the bare baseline. */
async function turnsStep(server, n, timeline, chunks) {
  const { workers: w, spreadSeconds, stepSeconds } = config.turns;
  const mock =
    server === "mock"
      ? await spawnMock({ scenariosDir, onOutput: mockOutput, nodeArgs: profArgs(`b-mock-${n}`) })
      : await spawnEcho({ timeline: timeline.file });
  const url = server === "mock" ? `${mock.info.ws}/s/${TURNS_SCENARIO.name}/stt/turns/websocket?${TURNS_QUERY}` : mock.info.ws;
  try {
    const connectStart = performance.now();
    const workers = Array.from({ length: Math.min(w, n) }, (_, k) => {
      const indices = [];
      for (let g = k; g < n; g += w) indices.push(g);
      return new Worker(new URL("./turns-worker.mjs", import.meta.url), {
        workerData: {
          url,
          indices,
          total: n,
          spreadMs: spreadSeconds * 1000,
          measureMs: stepSeconds * 1000,
          events: timeline.events,
          connectConcurrency: 32,
        },
      });
    });
    const message = (worker, kind) =>
      new Promise((resolve, reject) => {
        const onMessage = (m) => {
          if (m.kind === kind) {
            worker.off("message", onMessage);
            resolve(m);
          }
        };
        worker.on("message", onMessage);
        worker.once("error", reject);
      });
    await Promise.all(workers.map((wk) => message(wk, "ready")));
    const connectSeconds = (performance.now() - connectStart) / 1000;
    const cpu0 = cpuTimes(mock.pid);
    const load0 = process.cpuUsage();
    const wall0 = performance.now();
    const results = workers.map((wk) => message(wk, "result"));
    for (const wk of workers) wk.postMessage("start");
    const parts = await Promise.all(results);
    const wall = (performance.now() - wall0) / 1000;
    const cpu1 = cpuTimes(mock.pid);
    const mockCpu = cpu1.user + cpu1.system - cpu0.user - cpu0.system;
    const load = process.cpuUsage(load0);
    await Promise.all(workers.map((wk) => wk.terminate()));
    const lateness = summary(mergeHistograms(parts.map((p) => p.lateness)));
    const sendLag = summary(mergeHistograms(parts.map((p) => p.sendLag)));
    const sum = (key) => parts.reduce((a, p) => a + p[key], 0);
    const step = {
      server,
      streams: n,
      connected: sum("streams"),
      connectSeconds,
      lateness,
      sendLag,
      events: sum("events"),
      measured: sum("measured"),
      missing: sum("missing"),
      mismatches: sum("mismatches"),
      unexpected: sum("unexpected"),
      errors: sum("errors"),
      connectFailures: sum("connectFailures"),
      closedEarly: sum("closedEarly"),
      mockCpuPercent: (100 * mockCpu) / wall,
      mockSystemCpuPercent: (100 * (cpu1.system - cpu0.system)) / wall,
      loadCpuPercent: (100 * (load.user + load.system)) / 1e6 / wall,
    };
    if (server === "mock") step.mockMemoryAfter = (await (await fetch(`${mock.info.http}/_speechwire/health`)).json()).memory;
    step.clean = step.connected === n && step.missing === 0 && step.mismatches === 0 && step.errors === 0 && step.closedEarly === 0;
    step.generatorLagged = !(sendLag.p99 <= config.turns.sendLagBoundMs);
    step.pass = step.clean && lateness.p99 < config.turns.budgetMs && !step.generatorLagged;
    // Why a step failed: the load generator (the machine), or the server (lateness, lost events).
    step.failedBy = step.pass ? undefined : step.generatorLagged ? "generator" : "server";
    return step;
  } finally {
    await mock.stop();
  }
}

async function benchTurns() {
  const { ramp, stepSeconds, workers, budgetMs, sendLagBoundMs, retries } = config.turns;
  const chunks = Math.ceil(((config.turns.spreadSeconds + stepSeconds) * 1000) / CHUNK_MS);
  const timeline = turnTimeline(chunks);
  timeline.file = join(workDir, "timeline.json");
  writeFileSync(timeline.file, JSON.stringify(timeline.events));
  log(
    `[${elapsed()}] (b) turns streams: ramp ${ramp.join(", ")}; streams start over ${config.turns.spreadSeconds} s, then ${stepSeconds} s measured; ${workers} client worker threads; ` +
      `a step passes with p99 lateness < ${budgetMs} ms, no lost events and client send lag p99 ≤ ${sendLagBoundMs} ms; a failing step runs again (${retries}×; up to ${config.turns.generatorRetries}× while only the generator lagged) before its side stops; at most ~${config.turns.budgetSeconds} s`,
  );
  // Every attempt of every step, and per side the steps' verdicts (a step passes if one attempt passed).
  const steps = { mock: [], baseline: [] };
  const verdicts = { mock: [], baseline: [] };
  const stopped = new Map(args["no-baseline"] ? [["baseline", "not run"]] : []);
  const partStart = performance.now();
  let outOfTime = false;
  /** Runs a step of `n` streams against `server` (again while it fails, see `retries`) and records its verdict. */
  const stepVerdict = async (server, n) => {
    const attempts = [];
    for (let attempt = 0; attempt <= (attempts.every((a) => a.failedBy === "generator") ? config.turns.generatorRetries : retries); attempt += 1) {
      const step = await turnsStep(server, n, timeline, chunks);
      step.attempt = attempt + 1;
      steps[server].push(step);
      attempts.push(step);
      log(
        `  ${server.padEnd(8)} N=${n}${attempt > 0 ? ` (again, ${attempt + 1})` : ""}: lateness p50 ${fmt(step.lateness.p50)} p99 ${fmt(step.lateness.p99)} max ${fmt(step.lateness.max)} ms; ` +
          `client send lag p99 ${fmt(step.sendLag.p99)} ms; server CPU ${fmt(step.mockCpuPercent, 0)}%; ${step.measured} events measured, ${step.missing} missing, ${step.mismatches} mismatched → ` +
          `${step.pass ? "ok" : step.failedBy === "generator" ? "generator lagged (the machine's limit, not the server's)" : "over budget"}`,
      );
      if (step.pass) break;
    }
    const pass = attempts.some((a) => a.pass);
    // A step failed because of the server only if its server failed in an attempt whose generator kept time.
    const failedBy = pass ? undefined : attempts.some((a) => a.failedBy === "server") ? "server" : "generator";
    const verdict = { streams: n, pass, failedBy, attempts: attempts.length };
    verdicts[server].push(verdict);
    return verdict;
  };
  for (const n of ramp) {
    if (stopped.has("mock") && stopped.has("baseline")) break;
    // Both sides of one N run together: the budget is checked before each new N only.
    if ((performance.now() - partStart) / 1000 > config.turns.budgetSeconds) {
      outOfTime = true;
      log(`  (time budget of ${config.turns.budgetSeconds} s spent: no more steps)`);
      break;
    }
    for (const server of ["mock", "baseline"]) {
      if (stopped.has(server)) continue;
      const verdict = await stepVerdict(server, n);
      if (!verdict.pass) stopped.set(server, verdict.failedBy);
    }
  }
  // A side that stopped lies between its last passing and its first failing N of the ramp (400 and
  // 600, say): halve that interval (refinementStep) so that the capacity and the ratio are not read at
  // the ramp's coarse steps. What stopped the side is then what failed it at its first failing N: a
  // load generator that lagged at 600 may keep time at 500, where the server alone is tested.
  const refined = { mock: [], baseline: [] };
  for (const server of ["mock", "baseline"]) {
    if (!config.turns.refine || !["server", "generator"].includes(stopped.get(server))) continue;
    for (let mid = refinementStep(verdicts[server]); mid !== undefined; mid = refinementStep(verdicts[server])) {
      if ((performance.now() - partStart) / 1000 > config.turns.budgetSeconds + config.turns.refineSeconds) {
        log(`  (time budget of the refinement spent: ${server} left between ${largest(verdicts[server])} and ${firstFailing(verdicts[server])})`);
        break;
      }
      await stepVerdict(server, mid);
      refined[server].push(mid);
    }
    const limit = firstFailing(verdicts[server]);
    stopped.set(server, verdicts[server].find((v) => v.streams === limit && !v.pass).failedBy);
  }
  const limitOf = (side) => {
    const why = stopped.get(side);
    if (why === "server") return "server";
    if (why === "generator") return "generator";
    if (why === "not run") return "not run";
    return outOfTime ? "time budget" : "ramp exhausted";
  };
  const maxStreams = largest(verdicts.mock);
  const baselineMaxStreams = largest(verdicts.baseline);
  const limits = { mock: limitOf("mock"), baseline: limitOf("baseline") };
  // The ratio is a measure of the mock only if the mock stopped at its own limit and the baseline did not stop first for the machine's.
  const ratio = baselineMaxStreams > 0 ? maxStreams / baselineMaxStreams : NaN;
  let verdict;
  if (limits.mock === "generator") verdict = `the machine (load generator) is the limit at N=${firstFailing(verdicts.mock)}: the mock serves at least ${maxStreams}; the ratio is a lower bound`;
  else if (limits.baseline === "generator") verdict = `the baseline stopped at the machine's limit (load generator) at N=${firstFailing(verdicts.baseline)}: its ${baselineMaxStreams} is a lower bound, so the ratio is an upper bound`;
  else if (limits.mock !== "server" || limits.baseline !== "server") verdict = `not both sides reached their limit (mock: ${limits.mock}; baseline: ${limits.baseline}): the ratio is not a capacity ratio`;
  else verdict = "both sides stopped at their server's limit with the load generator keeping time";
  return {
    stepSeconds,
    spreadSeconds: config.turns.spreadSeconds,
    workers,
    scenarioSeconds: timeline.scriptSeconds,
    eventsPerStream: timeline.events.length,
    budgetMs,
    sendLagBoundMs,
    retries,
    steps: steps.mock,
    baselineSteps: steps.baseline,
    verdicts,
    /** The N each side's refinement tried after the ramp (see refinementStep). */
    refined,
    maxStreams,
    baselineMaxStreams,
    ratio,
    limits,
    verdict,
    rampExhausted: limits.mock === "ramp exhausted",
    baselineRampExhausted: limits.baseline === "ramp exhausted",
    stoppedForTime: outOfTime,
  };
}

// ------------------------------------------------------------------ (c) TTS speed

const TTS_TEXT =
  "The replacement parts shipped this morning and should arrive by Friday. Please call our service line if anything is missing from the box, " +
  "and keep your order number handy. Thanks again for your patience while we sorted this out.";
const VOICE_ID = "6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81";

/** Runs `once()` (returns audio seconds) repeatedly for `seconds` of wall time. */
function timeLoop(seconds, fn) {
  for (let i = 0; i < 3; i += 1) fn();
  // `pnpm bench` runs with --expose-gc: start each measurement from a collected heap.
  globalThis.gc?.();
  let audio = 0;
  let calls = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    audio += fn();
    calls += 1;
  }
  const wall = (performance.now() - t0) / 1000;
  return { calls, audioSeconds: audio, wallSeconds: wall, xRealtime: audio / wall };
}

function benchTtsCore() {
  const tokens = parseTranscript(TTS_TEXT);
  const { seconds } = config.tts;
  const gen = (encoding, sampleRate, want) => () =>
    renderGeneration(tokens, initialSynthState(sampleRate), DEFAULT_SYNTH_CONFIG, { encoding, sampleRate }, 100, want).samples / sampleRate;
  const bytes = (container, encoding, sampleRate) => () => {
    const request = {
      model_id: "sonic-3",
      transcript: TTS_TEXT,
      voice: { mode: "id", id: VOICE_ID },
      output_format: { container, encoding, sample_rate: sampleRate, ...(container === "mp3" ? { bit_rate: 128000 } : {}) },
      language: "en",
    };
    const out = synthesizeBytes(request, { tts: { chunkMs: 100, pace: 0 } });
    let n = 0;
    for (const c of out.chunks) n += c.byteLength;
    return container === "mp3" ? NaN : n / (2 * sampleRate);
  };
  const rows = [
    ["synthesize (float samples, 24 kHz)", () => synthesize(tokens, initialSynthState(24000)).samples.length / 24000],
    ["renderGeneration s16le 24 kHz (WS/SSE path)", gen("pcm_s16le", 24000, { words: false, phonemes: false })],
    ["renderGeneration f32le 44.1 kHz + word timestamps", gen("pcm_f32le", 44100, { words: true, phonemes: false })],
    ["synthesizeBytes raw s16le 24 kHz (/tts/bytes)", bytes("raw", "pcm_s16le", 24000)],
  ];
  const results = rows.map(([name, fn]) => ({ name, ...timeLoop(seconds, fn) }));
  // MP3 has no byte ↔ seconds rule: time it by the same text's duration.
  const textSeconds = synthesize(tokens, initialSynthState(24000)).samples.length / 24000;
  const mp3 = bytes("mp3", undefined, 24000);
  results.push({ name: "synthesizeBytes mp3 24 kHz 128 kb/s (/tts/bytes)", ...timeLoop(seconds, () => (mp3(), textSeconds)) });
  return results;
}

async function benchTtsWs() {
  const mock = await spawnMock({ scenariosDir, onOutput: mockOutput, nodeArgs: profArgs("c-mock-tts") });
  const url = `${mock.info.ws}/s/tts-basic/tts/websocket`;
  const results = [];
  try {
    for (const connections of config.tts.connections) {
      const clients = await Promise.all(Array.from({ length: connections }, () => openClient(url)));
      const run = async (c, k, seconds) => {
        let bytes = 0;
        let requests = 0;
        const t0 = performance.now();
        while (performance.now() - t0 < seconds * 1000) {
          const id = `ctx-${k}-${requests}`;
          const chunkOrDone = (m) => {
            const j = m.json;
            if (j?.context_id !== id) return false;
            if (j.type === "chunk") {
              const d = j.data;
              bytes += (d.length / 4) * 3 - (d.endsWith("==") ? 2 : d.endsWith("=") ? 1 : 0);
              return false;
            }
            return j.type === "done" || j.type === "error";
          };
          const done = c.until(chunkOrDone);
          c.ws.send(
            JSON.stringify({
              model_id: "sonic-3",
              voice: { mode: "id", id: VOICE_ID },
              output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: 24000 },
              language: "en",
              context_id: id,
              transcript: TTS_TEXT,
              continue: false,
            }),
          );
          const { m } = await done;
          if (m.json.type === "error") throw new Error(`TTS error: ${m.text}`);
          requests += 1;
        }
        return { bytes, requests };
      };
      await Promise.all(clients.map((c, k) => run(c, `w${k}`, 0.3)));
      const cpu0 = cpuSeconds(mock.pid);
      const t0 = performance.now();
      const parts = await Promise.all(clients.map((c, k) => run(c, k, config.tts.seconds)));
      const wall = (performance.now() - t0) / 1000;
      const mockCpu = cpuSeconds(mock.pid) - cpu0;
      for (const c of clients) c.ws.terminate();
      const audioSeconds = parts.reduce((a, p) => a + p.bytes, 0) / (2 * 24000);
      results.push({
        name: `/tts/websocket, ${connections} connection${connections > 1 ? "s" : ""} (s16le 24 kHz)`,
        connections,
        requests: parts.reduce((a, p) => a + p.requests, 0),
        audioSeconds,
        wallSeconds: wall,
        xRealtime: audioSeconds / wall,
        mockCpuSeconds: mockCpu,
        xRealtimePerMockCpu: audioSeconds / mockCpu,
      });
    }
  } finally {
    await mock.stop();
  }
  return results;
}

async function benchTts() {
  log(`[${elapsed()}] (c) TTS speed: core in process, then end to end over /tts/websocket`);
  const textSeconds = synthesize(parseTranscript(TTS_TEXT), initialSynthState(24000)).samples.length / 24000;
  const core = benchTtsCore();
  const websocket = await benchTtsWs();
  const runs = config.ttsLoad.runs;
  const url = (mock) => `${mock.info.ws}/s/tts-basic/tts/websocket`;
  const spawn = (name, nodeArgs = []) => spawnMock({ scenariosDir, onOutput: mockOutput, nodeArgs: [...nodeArgs, ...profArgs(name)] });
  log(`[${elapsed()}] (c) ${config.tts.contexts} contexts sent at once vs 1 context, ${runs} runs`);
  const contexts = await benchContextsAtOnce({ spawnMock: spawn, url, text: TTS_TEXT, runs, contexts: config.tts.contexts, warm: config.tts.warm, log });
  log(`[${elapsed()}] (c) one context at a time, journal + linter on and off, ${runs} runs of ${config.tts.throughputSeconds} s each`);
  const throughput = await benchThroughput({ spawnMock: spawn, url, text: TTS_TEXT, runs, seconds: config.tts.throughputSeconds, log });
  return { text: TTS_TEXT, textSeconds, core, websocket, contexts, throughput };
}

// ------------------------------------------------------------------ (d) memory per idle session

/** Connects to the child's inspector (it printed the URL on stderr) to force a full GC before sampling. */
async function inspectorGc(mock) {
  const match = /ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/.exec(mock.stderr());
  if (!match) return undefined;
  const ws = new WebSocket(match[0], { perMessageDeflate: false });
  await once(ws, "open");
  let id = 0;
  const call = (method) =>
    new Promise((resolve) => {
      const mine = (id += 1);
      const onMessage = (data) => {
        if (JSON.parse(data.toString()).id === mine) {
          ws.off("message", onMessage);
          resolve();
        }
      };
      ws.on("message", onMessage);
      ws.send(JSON.stringify({ id: mine, method }));
    });
  return { gc: () => call("HeapProfiler.collectGarbage"), close: () => ws.terminate() };
}

async function benchMemory() {
  const n = config.memory.sessions;
  log(`[${elapsed()}] (d) memory: ${n} idle turns sessions`);
  const mock = await spawnMock({ scenariosDir, nodeArgs: ["--inspect=127.0.0.1:0"] });
  const inspector = await inspectorGc(mock).catch(() => undefined);
  const url = `${mock.info.ws}/s/${TURNS_SCENARIO.name}/stt/turns/websocket?${TURNS_QUERY}`;
  const sample = async () => {
    await sleep(300);
    if (inspector) {
      await inspector.gc();
      await inspector.gc();
    }
    const health = await (await fetch(`${mock.info.http}/_speechwire/health`)).json();
    if (!health.memory) throw new Error("the mock's health route has no `memory` field (rebuild the package)");
    return { ...health.memory, openSessions: health.openSessions };
  };
  const openSessions = async (count) =>
    pool(count, 32, async () => {
      const c = await openClient(url);
      const { m } = await c.first;
      if (m.json?.type !== "connected") throw new Error(`expected "connected", got ${m.text}`);
      return c;
    });
  try {
    // Warm up the handshake and session code paths so that their one-off costs are not counted per session.
    for (const c of await openSessions(50)) c.ws.close();
    await sleep(300);
    const before = await sample();
    const clients = await openSessions(n);
    const during = await sample();
    for (const c of clients) c.ws.close();
    while ((await sample()).openSessions > 0) await sleep(200);
    const after = await sample();
    return {
      sessions: n,
      forcedGc: Boolean(inspector),
      before,
      during,
      afterClose: after,
      perSession: { rss: (during.rss - before.rss) / n, heapUsed: (during.heapUsed - before.heapUsed) / n },
    };
  } finally {
    inspector?.close();
    await mock.stop();
  }
}

// ------------------------------------------------------------------ (e) one long TTS request and everyone else

const LOOP_DELAY_HOOK = new URL("./loop-delay.mjs", import.meta.url).href;
const TTS_WORDS = TTS_TEXT.split(/\s+/);
/** The first `n` words of TTS_TEXT, repeated as often as needed (sentences, commas and all). */
const wordsOf = (n) => Array.from({ length: n }, (_, i) => TTS_WORDS[i % TTS_WORDS.length]).join(" ");

/**
 * A TTS client on a fresh mock that has served a few ordinary requests first (the (c) paragraph,
 * `WARM_REQUESTS` times), so what is measured is a running mock, not the compiler warming up.
 */
async function warmTts(mock) {
  const c = await openClient(`${mock.info.ws}/tts/websocket`);
  for (let i = 0; i < WARM_REQUESTS; i += 1) {
    const done = c.until((m) => m.json?.type === "done" && m.json.context_id === `warm-${i}`);
    c.ws.send(ttsRequestText(`warm-${i}`, TTS_TEXT));
    await done;
  }
  return c;
}
const WARM_REQUESTS = 20;

/** The last loop-delay line the hook prints after a SIGUSR2 (it also starts a new window). */
async function loopDelay(mock) {
  const lines = () => mock.stderr().match(/^speechwire-loop-delay .*$/gm) ?? [];
  const before = lines().length;
  mock.child.kill("SIGUSR2");
  for (const deadline = performance.now() + 120_000; performance.now() < deadline; await sleep(20)) {
    const now = lines();
    if (now.length > before) return JSON.parse(now.at(-1).slice("speechwire-loop-delay ".length));
  }
  throw new Error("the loop-delay hook did not answer (is bench/loop-delay.mjs loaded?)");
}

/** (e1) Request → first chunk of a `firstChunkWords` request, on a fresh (warmed) mock. */
async function firstChunkRun() {
  const mock = await spawnMock({ scenariosDir, onOutput: mockOutput, nodeArgs: profArgs("e-first-chunk") });
  try {
    const c = await warmTts(mock);
    const first = c.until((m) => m.json?.type === "chunk" && m.json.context_id === "long");
    const t0 = performance.now();
    c.ws.send(ttsRequestText("long", wordsOf(config.ttsLoad.firstChunkWords)));
    const { t } = await first;
    c.ws.terminate();
    return t - t0;
  } finally {
    await mock.stop();
  }
}

/** (e2) Peak RSS growth of the mock while a reading client takes a whole `rssWords` request (`args`: more CLI flags). */
async function rssRun(args = []) {
  const mock = await spawnMock({ scenariosDir, onOutput: mockOutput, nodeArgs: profArgs("e-rss"), args });
  try {
    const c = await warmTts(mock);
    await sleep(200);
    const before = rssOf(mock.pid);
    let chunks = 0;
    const done = c.until((m) => {
      if (m.json?.context_id !== "long") return false;
      if (m.json.type === "chunk") chunks += 1;
      return m.json.type === "done" || m.json.type === "error";
    });
    const t0 = performance.now();
    c.ws.send(ttsRequestText("long", wordsOf(config.ttsLoad.rssWords)));
    const { m } = await done;
    const seconds = (performance.now() - t0) / 1000;
    if (m.json.type === "error") throw new Error(`TTS error: ${m.text}`);
    const after = rssOf(mock.pid);
    c.ws.terminate();
    return { growthMiB: (after.peak - before.rss) / 1048576, rssBeforeMiB: before.rss / 1048576, peakMiB: after.peak / 1048576, seconds, chunks };
  } finally {
    await mock.stop();
  }
}

/**
 * (e3) Turns streams in real time (worker thread, as in (b)); `stallAfterSeconds` into the measured
 * window a client that does not read asks for `stallWords` words (unless `control`: the same run
 * without it, for the machine's own noise), and a fresh turns session opens right after. Returns the
 * mock's loop delay over the run, the turns events' lateness, and the fresh session's wait for
 * `connected`.
 */
async function stallRun(control = false) {
  const { streams, spreadSeconds, windowSeconds, stallAfterSeconds, stallWords } = config.ttsLoad;
  const mock = await spawnMock({ scenariosDir, onOutput: mockOutput, nodeArgs: ["--import", LOOP_DELAY_HOOK, ...profArgs("e-stall")] });
  const turnsUrl = `${mock.info.ws}/s/${TURNS_SCENARIO.name}/stt/turns/websocket?${TURNS_QUERY}`;
  let worker;
  try {
    const warm = await warmTts(mock);
    warm.ws.terminate();
    const chunks = Math.ceil(((spreadSeconds + windowSeconds) * 1000) / CHUNK_MS);
    const timeline = turnTimeline(chunks);
    worker = new Worker(new URL("./turns-worker.mjs", import.meta.url), {
      workerData: {
        url: turnsUrl,
        indices: Array.from({ length: streams }, (_, i) => i),
        total: streams,
        spreadMs: spreadSeconds * 1000,
        measureMs: windowSeconds * 1000,
        events: timeline.events,
        connectConcurrency: 8,
      },
    });
    const message = (kind) =>
      new Promise((resolve, reject) => {
        const onMessage = (m) => {
          if (m.kind === kind) {
            worker.off("message", onMessage);
            resolve(m);
          }
        };
        worker.on("message", onMessage);
        worker.once("error", reject);
      });
    await message("ready");
    const result = message("result");
    await loopDelay(mock);
    worker.postMessage("start");
    await sleep((spreadSeconds + stallAfterSeconds) * 1000);
    const stalled = await openClient(`${mock.info.ws}/tts/websocket`);
    stalled.ws._socket.pause();
    if (!control) stalled.ws.send(ttsRequestText("stalled", wordsOf(stallWords)));
    const t1 = performance.now();
    const fresh = await openClient(turnsUrl);
    const { t } = await fresh.first;
    const freshMs = t - t1;
    const parts = await result;
    const loop = await loopDelay(mock);
    for (const c of [stalled, fresh]) c.ws.terminate();
    const lateness = summary(mergeHistograms([parts.lateness]));
    return { loop, lateness, freshMs, measured: parts.measured, missing: parts.missing + parts.mismatches + parts.errors };
  } finally {
    await worker?.terminate();
    await mock.stop();
  }
}

async function benchTtsLoad() {
  const { runs, firstChunkWords, rssWords, stallWords, streams } = config.ttsLoad;
  log(`[${elapsed()}] (e) one long TTS request: ${runs} runs each of ${firstChunkWords} words → first chunk, ${rssWords} words → peak RSS, ${stallWords} words to a client that does not read → loop delay and ${streams} turns streams`);
  const firstChunk = [];
  const rss = [];
  const stall = [];
  for (let i = 0; i < runs; i += 1) {
    firstChunk.push(await firstChunkRun());
    log(`  run ${i + 1}: first chunk of ${firstChunkWords} words after ${fmt(firstChunk.at(-1), 1)} ms`);
  }
  // Twice: as by default, and with the journal's text clip at 256 characters (its 20,000 frames of
  // the session then take ~5 MB instead of ~80 MB), which leaves what the TTS path itself takes.
  const rssSmallJournal = [];
  for (const [list, flags, label] of [
    [rss, [], "journal as by default"],
    [rssSmallJournal, ["--journal-text-chars", "256"], "--journal-text-chars 256"],
  ]) {
    for (let i = 0; i < runs; i += 1) {
      list.push(await rssRun(flags));
      const r = list.at(-1);
      log(`  run ${i + 1} (${label}): ${rssWords} words: peak RSS ${fmt(r.peakMiB, 0)} MiB, +${fmt(r.growthMiB, 1)} MiB over ${fmt(r.rssBeforeMiB, 0)}; done after ${fmt(r.seconds, 1)} s`);
    }
  }
  const control = [];
  for (let i = 0; i < runs; i += 1) {
    for (const [list, label] of [
      [control, "without the stall"],
      [stall, `${stallWords} words to a client that does not read`],
    ]) {
      list.push(await stallRun(list === control));
      const r = list.at(-1);
      log(`  run ${i + 1} (${label}): loop delay p99 ${fmt(r.loop.p99)} max ${fmt(r.loop.max)} ms; turns lateness p99 ${fmt(r.lateness.p99)} max ${fmt(r.lateness.max)} ms (${r.measured} events, ${r.missing} missing); fresh session connected after ${fmt(r.freshMs, 1)} ms`);
    }
  }
  return {
    // Relative to the package, so a committed results file names no machine's folders.
    cli: relative(fileURLToPath(new URL("..", import.meta.url)), mockCli),
    runs,
    firstChunkWords,
    rssWords,
    stallWords,
    streams,
    firstChunkMs: spread(firstChunk),
    rssGrowthMiB: spread(rss.map((r) => r.growthMiB)),
    rssGrowthSmallJournalMiB: spread(rssSmallJournal.map((r) => r.growthMiB)),
    rssSeconds: spread(rss.map((r) => r.seconds)),
    rssChunks: rss[0]?.chunks,
    loopDelayP99: spread(stall.map((r) => r.loop.p99)),
    loopDelayMax: spread(stall.map((r) => r.loop.max)),
    latenessP99: spread(stall.map((r) => r.lateness.p99)),
    latenessMax: spread(stall.map((r) => r.lateness.max)),
    freshConnectedMs: spread(stall.map((r) => r.freshMs)),
    control: {
      loopDelayP99: spread(control.map((r) => r.loop.p99)),
      loopDelayMax: spread(control.map((r) => r.loop.max)),
      latenessP99: spread(control.map((r) => r.lateness.p99)),
      latenessMax: spread(control.map((r) => r.lateness.max)),
      freshConnectedMs: spread(control.map((r) => r.freshMs)),
    },
    raw: { firstChunk, rss, rssSmallJournal, stall, control },
  };
}

// ------------------------------------------------------------------ report

const GOALS = {
  a50: { text: "finalize→final p50 within 1.2× of the echo round trip", ok: (r) => r.a && r.a.ratioP50 <= 1.2 },
  a99: { text: "finalize→final p99 within 2× of the echo round trip", ok: (r) => r.a && r.a.ratioP99 <= 2 },
  b: {
    text: "largest N of real-time turns streams with p99 lateness < 10 ms ≥ 0.8× the bare ws server's in the same run (with both sides stopped by their server, not the load generator)",
    ok: (r) => r.b && r.b.ratio >= 0.8 && r.b.limits.mock === "server" && r.b.limits.baseline === "server",
  },
  e1: { text: "TTS first chunk of a 10,000-word request < 50 ms (median of the runs)", ok: (r) => r.e && r.e.firstChunkMs.median < 50 },
  e2: { text: "peak RSS growth of a 40,000-word request < 100 MB (median of the runs), journal as by default", ok: (r) => r.e && r.e.rssGrowthMiB.median * 1.048576 < 100 },
  e2s: {
    text: "the same with --journal-text-chars 256 (the journal's share out of the figure)",
    ok: (r) => r.e && r.e.rssGrowthSmallJournalMiB.median * 1.048576 < 100,
  },
  e3: {
    text: "while a client that does not read asks for 4,000 words: the mock's loop delay p99 and a turns session's event lateness p99 < 20 ms (median of the runs)",
    ok: (r) => r.e && r.e.loopDelayP99.median < 20 && r.e.latenessP99.median < 20,
  },
  c: {
    text: "TTS ≥ 1,000× real time per context over /tts/websocket with the journal and linter on (median of the runs)",
    ok: (r) => r.c && r.c.throughput.onXRealtime.median >= 1000,
  },
  c2: {
    text: "TTS first chunk p50 with 100 contexts sent at once ≤ 3× a single context's (median of the runs' ratios)",
    ok: (r) => r.c && r.c.contexts.mock.ratioP50.median <= 3,
  },
  c3: {
    text: "journal + linter ≤ 15% of the mock's CPU during TTS (on vs off, median of the runs)",
    ok: (r) => r.c && r.c.throughput.journalShare.median <= 0.15,
  },
};

function report(r) {
  const sections = [];
  const add = (title, headers, rows, notes = []) => sections.push({ title, headers, rows, notes });
  const ms = (s, d = 2) => [fmt(s.p50, d), fmt(s.p90, d), fmt(s.p99, d), fmt(s.max, d)];
  if (r.a) {
    add(
      "(a) finalize → final transcript latency, stt-v1 over ws on 127.0.0.1 (ms)",
      ["path", "n", "p50", "p90", "p99", "max", "server CPU/iter (ms)"],
      [
        ["bare ws echo (baseline)", r.a.echo.count, ...ms(r.a.echo, 3), fmt(r.a.serverCpuPerIterationMs.echo, 3)],
        ["mock: finalize → is_final", r.a.mock.count, ...ms(r.a.mock, 3), fmt(r.a.serverCpuPerIterationMs.mock, 3)],
        ["ratio mock / echo", "", fmt(r.a.ratioP50, 3), "", fmt(r.a.ratioP99, 3), "", ""],
        ...(r.a.warmup ? [["warm-up before them: echo", r.a.warmup.echo.count, ...ms(r.a.warmup.echo, 3), ""], ["warm-up: mock", r.a.warmup.mock.count, ...ms(r.a.warmup.mock, 3), ""], ["warm-up ratio mock / echo", "", fmt(r.a.warmup.ratioP50, 3), "", fmt(r.a.warmup.ratioP99, 3), "", ""]] : []),
      ],
      [
        `Each iteration sends ${r.a.messageBytes.audioChunksPerIteration} × ${r.a.messageBytes.audioChunk} B of audio (one word), waits for it to be processed (the interim / the echoes), then times \`finalize\` → first \`is_final:true\` (${r.a.messageBytes.finalFrame} B frame) against an echoed text frame of the same size. ${r.a.connections} connections per side, blocks of ${config.latency.block} alternating${r.a.pinned ? "; both servers pinned to one CPU" : ""}. At these sizes the p50 depends on where the scheduler puts each process (a round trip within one CPU is ~30 µs, across CPUs ~90 µs): compare runs, or use --pin. The goal is judged on the measured iterations, after ${r.a.warmup?.iterations ?? "the"} warm-up ones (mock first, then echo) during which V8 compiles the mock's code; the warm-up rows show what a fresh process pays.`,
      ],
    );
  }
  if (r.b) {
    const row = (s) => [
      s.server === "mock" ? "mock" : "bare ws",
      s.streams,
      ...ms(s.lateness),
      fmt(s.sendLag.p99),
      fmt(s.mockCpuPercent, 0),
      s.mockMemoryAfter ? fmt(s.mockMemoryAfter.heapUsed / 1048576, 0) : "",
      fmt(s.loadCpuPercent, 0),
      fmtInt(s.measured),
      s.missing + s.mismatches + s.errors + s.closedEarly + (s.streams - s.connected),
      s.pass ? "yes" : s.failedBy === "generator" ? "no (generator lagged)" : "no",
    ];
    const byN = [...r.b.steps, ...r.b.baselineSteps].sort((x, y) => x.streams - y.streams || (x.server === "mock" ? -1 : 1));
    const ratioAt = r.b.steps
      .filter((m) => r.b.baselineSteps.some((b) => b.streams === m.streams))
      .map((m) => `${m.streams}: ${fmt(m.lateness.p99 / r.b.baselineSteps.find((b) => b.streams === m.streams).lateness.p99, 1)}×`);
    const most = (n, limit) => `${n} (stopped by: ${limit})`;
    add(
      `(b) concurrent real-time turns streams (16 kHz s16le, 20 ms chunks; lateness in ms over ${r.b.stepSeconds} s with all N streaming)`,
      ["server", "streams", "p50", "p90", "p99", "max", "client send lag p99", "server CPU %", "mock heap MiB", "load CPU %", "events timed", "missing", "p99 < 10 ms"],
      byN.map(row),
      [
        `Largest N with p99 lateness < ${r.b.budgetMs} ms (and client send lag p99 ≤ ${r.b.sendLagBoundMs} ms): mock ${most(r.b.maxStreams, r.b.limits.mock)}; bare ws baseline ${most(r.b.baselineMaxStreams, r.b.limits.baseline)}; ratio ${fmt(r.b.ratio, 2)}×. Verdict: ${r.b.verdict}. p99 ratio mock / baseline by N: ${ratioAt.join(", ") || "n/a"}.`,
        `Lateness = arrival of a turn event − when the client sent the chunk that brought the audio clock to the event's position on the compiled timeline (scenario ${TURNS_SCENARIO.name}: the default conversation, ${fmt(r.b.scenarioSeconds, 2)} s, looping). Streams start evenly over ${r.b.spreadSeconds} s (so they are not in lockstep) and only events after all N are streaming count. Both sides climb the same ramp${r.b.refined ? `; a side that stopped is then narrowed between its last passing and first failing N, halving the interval down to an eighth of the passing N (tried: mock ${r.b.refined.mock.join(", ") || "none"}; baseline ${r.b.refined.baseline.join(", ") || "none"})` : ""}; a failing step is run again (${r.b.retries}×, up to ${config.turns.generatorRetries}× while only the load generator lagged) before that side stops, and a step whose load generator sent late (client send lag p99 > ${r.b.sendLagBoundMs} ms) fails as the machine's limit, not the server's. Each server runs in its own process (the mock through its CLI; the baseline is a bare \`ws\` server that counts chunks and sends the same events); ${r.b.workers} worker threads generate the load on the same ${r.machine.cpus} cores. "server CPU %" is of one core; "mock heap MiB" is the mock's heap used at the end of the step (mostly its session journals); "load CPU %" is the whole benchmark process (client workers); "client send lag" is how late chunks left against their real-time schedule; "missing" counts missing, mismatched and error events and streams that failed or closed.`,
      ],
    );
  }
  if (r.c) {
    add(
      "(c) TTS synthesis speed (audio seconds per wall second)",
      ["path", "× real time", "audio s", "wall s", "× per mock CPU s"],
      [
        ...r.c.core.map((x) => [`core: ${x.name}`, fmtInt(x.xRealtime), fmt(x.audioSeconds, 1), fmt(x.wallSeconds), ""]),
        ...r.c.websocket.map((x) => [`e2e: ${x.name}`, fmtInt(x.xRealtime), fmt(x.audioSeconds, 1), fmt(x.wallSeconds), fmtInt(x.xRealtimePerMockCpu)]),
      ],
      [
        `Baseline is real time (1×). Core: in this process, one ${fmt(r.c.textSeconds, 1)} s text per call. e2e: a mock process; each connection sends that text as one request (\`continue:false\`) and waits for \`done\` before the next; 100 ms chunks (scenario tts-basic); the client parses every frame. "× per mock CPU s": audio seconds per CPU second of the mock's process.`,
      ],
    );
    const row = (name, x, digits = 1, goal = "") => [name, fmt(x.min, digits), fmt(x.median, digits), fmt(x.max, digits), goal];
    const { contexts: k, throughput: t } = r.c;
    add(
      `(c) end to end over /tts/websocket: ${k.contexts} contexts at once, and one context at a time with the journal on and off (${k.runs.length} runs)`,
      ["measure", "min", "median", "max", "goal"],
      [
        row("mock: 1 context, first chunk p50 (ms)", k.mock.singleP50, 2),
        row(`mock: ${k.contexts} contexts at once, first chunk p50 (ms)`, k.mock.burstP50, 1),
        row(`mock: ${k.contexts} contexts at once, first chunk max (ms)`, k.mock.burstMax, 1),
        row(`mock: ratio ${k.contexts} at once / 1 (p50)`, k.mock.ratioP50, 1, "≤ 3"),
        row("replay baseline: 1 context, first chunk p50 (ms)", k.replay.singleP50, 2),
        row(`replay baseline: ${k.contexts} contexts at once, first chunk p50 (ms)`, k.replay.burstP50, 1),
        row(`replay baseline: ratio ${k.contexts} at once / 1 (p50)`, k.replay.ratioP50, 1),
        row(`mock / replay, ${k.contexts} at once p50`, k.burstP50VsReplay, 1),
        row(`mock: ${k.contexts} contexts all done (s)`, k.mock.burstSeconds, 2),
        row("1 context at a time, journal + linter on (× real time)", t.onXRealtime, 0, "≥ 1,000"),
        row("  … off (× real time)", t.offXRealtime, 0),
        row("  … mock CPU ms per audio second, on", t.onCpuMsPerAudioSecond, 3),
        row("  … mock CPU ms per audio second, off", t.offCpuMsPerAudioSecond, 3),
        row("  … journal + linter share of the mock's CPU (%)", { min: t.journalShare.min * 100, median: t.journalShare.median * 100, max: t.journalShare.max * 100 }, 1, "≤ 15"),
        ...(t.onNewWordsXRealtime
          ? [
              row("  … journal on, every request's words new (× real time)", t.onNewWordsXRealtime, 0),
              row("  … mock CPU ms per audio second, journal on, words new", t.onNewWordsCpuMsPerAudioSecond, 3),
            ]
          : []),
      ],
      [
        `Text: the paragraph above (${fmt(r.c.textSeconds, 1)} s of audio, 150 chunks of 100 ms, scenario tts-basic), s16le 24 kHz, \`continue:false\`. Contexts at once: per run a fresh mock (journal and linter on, as by default) and a fresh replay server (bench/tts-replay-server.mjs: a bare \`ws\` server that answers each request with the mock's recorded frames of that text, a context's first frame as its request is read and the rest a frame per context in turn, 32 a turn; no synthesis, journal or linter), one after the other, each warmed with ${config.tts.warm} requests; on each, ${k.rounds} rounds of ${k.singles} single requests (one after another) then ${k.contexts} requests sent in one go on the same socket; first chunk = request sent → that context's first \`chunk\` at the client (which reads each frame's type and context id). Journal on / off: two mock processes (off: bench/no-journal.mjs, loaded with --import, makes the journal's frame recording a no-op), ${t.seconds} s each per run on a new socket (session), turn about; share = 1 − (CPU per audio s off) / (CPU per audio s on), CPU from /proc (10 ms ticks). The text is the same every request, so from the second one its words come from the mock's tone cache; "words new": the journal-on mock again, every request's words made new (three letters appended, bench/tts-contexts.mjs \`newWordsText\`), which the cache cannot help.`,
      ],
    );
  }
  if (r.d) {
    const mb = (b) => fmt(b / 1048576, 1);
    add(
      `(d) memory of the mock process, ${r.d.sessions} idle turns sessions${r.d.forcedGc ? " (full GC before each sample)" : " (no forced GC)"}`,
      ["", "RSS MiB", "heap used MiB", "open sessions"],
      [
        ["before", mb(r.d.before.rss), mb(r.d.before.heapUsed), r.d.before.openSessions],
        [`with ${r.d.sessions} idle sessions`, mb(r.d.during.rss), mb(r.d.during.heapUsed), r.d.during.openSessions],
        ["after closing them", mb(r.d.afterClose.rss), mb(r.d.afterClose.heapUsed), r.d.afterClose.openSessions],
        ["per session (KiB)", fmt(r.d.perSession.rss / 1024, 1), fmt(r.d.perSession.heapUsed / 1024, 1), ""],
      ],
    );
  }
  if (r.e) {
    const row = (name, x, digits = 1, goal = "") => [name, fmt(x.min, digits), fmt(x.median, digits), fmt(x.max, digits), goal];
    add(
      `(e) one long TTS request and everyone else (${r.e.runs} runs each; mock: ${r.e.cli === CLI ? "this build" : r.e.cli})`,
      ["measure", "min", "median", "max", "goal"],
      [
        row(`first chunk of ${fmtInt(r.e.firstChunkWords)} words over /tts/websocket (ms)`, r.e.firstChunkMs, 1, "< 50"),
        row(`peak RSS growth, ${fmtInt(r.e.rssWords)} words read to \`done\` (MiB)`, r.e.rssGrowthMiB, 1, "< 95.4 (100 MB)"),
        row("  … the same with --journal-text-chars 256 (MiB)", r.e.rssGrowthSmallJournalMiB, 1, "< 95.4 (100 MB)"),
        row(`  … time to \`done\` (s, ${fmtInt(r.e.rssChunks)} chunks)`, r.e.rssSeconds, 1),
        row(`mock loop delay p99, ${fmtInt(r.e.stallWords)} words to a client that does not read (ms)`, r.e.loopDelayP99, 2, "< 20"),
        row("  … without that request, same runs (ms)", r.e.control.loopDelayP99, 2),
        row("  … loop delay max (ms)", r.e.loopDelayMax, 1),
        row("  … max without that request (ms)", r.e.control.loopDelayMax, 1),
        row(`turns events' lateness p99, ${r.e.streams} real-time streams meanwhile (ms)`, r.e.latenessP99, 2, "< 20"),
        row("  … without that request (ms)", r.e.control.latenessP99, 2),
        row("  … lateness max (ms)", r.e.latenessMax, 1),
        row("  … max without that request (ms)", r.e.control.latenessMax, 1),
        row("a fresh turns session: handshake → `connected` (ms)", r.e.freshConnectedMs, 1),
        row("  … without that request (ms)", r.e.control.freshConnectedMs, 1),
      ],
      [
        `Each run starts a fresh mock process (default scenario: 100 ms chunks of s16le 24 kHz; the journal on, as by default) that first serves ${WARM_REQUESTS} requests of the (c) paragraph. Text: the (c) paragraph's words repeated. First chunk: request sent → first \`chunk\` at the client. Peak RSS: the mock's VmHWM (Linux /proc) at \`done\` minus its VmRSS before the request; the journal's text for the session is in that figure (its first 20,000 entries: chunk frames clipped in their audio to about 175 characters each, ~3.5 M characters; before 2026-12-07 18:00 UTC chunk frames kept their first 4,096 characters, ~11 M in all); the second row clips every frame at 256. Loop delay: \`perf_hooks.monitorEventLoopDelay\` (1 ms resolution) inside the mock (bench/loop-delay.mjs, loaded with --import), over the whole run (streams starting, the stall, the fresh session). Lateness: as in (b), for ${r.e.streams} turns streams of the looping default conversation; the stall starts ${config.ttsLoad.stallAfterSeconds} s into the ${config.ttsLoad.windowSeconds} s measured window, and the fresh session opens right after it. Each run also does the same without the TTS request ("without that request"): what the machine itself adds. A loop held for seconds shows in the max and in the lateness, hardly in the loop delay's p99 (few samples are taken while it is held).`,
      ],
    );
  }
  const goals = Object.values(GOALS)
    .filter((g) => g.ok(r) !== undefined)
    .map((g) => [g.text, g.ok(r) ? "met" : "NOT met"]);
  add("Goals (informational: nothing fails on them)", ["goal", "result"], goals);
  const header = `speechwire mock benchmark — ${r.machine.cpus} × ${r.machine.cpuModel}, Node ${r.machine.node} (servers: ${flagsText(r.machine.serverNodeFlags)}), ${r.quick ? "--quick" : "default"} run, ${r.date}`;
  const text = [header, "", ...sections.flatMap((s) => [s.title, table(s.headers, s.rows), ...s.notes.map((n) => `  ${n}`), ""])].join("\n");
  const md = [`# ${header}`, "", ...sections.flatMap((s) => [`## ${s.title}`, "", mdTable(s.headers, s.rows), "", ...s.notes.map((n) => `${n}\n`)])].join("\n");
  return { text, md };
}

// ------------------------------------------------------------------ main

const results = {
  date: new Date().toISOString(),
  quick,
  config,
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? "?", node: process.version, serverNodeFlags: serverFlags(), loadavg: os.loadavg(), totalMemMiB: Math.round(os.totalmem() / 1048576) },
};
log(`speechwire mock benchmark (${quick ? "--quick" : "default"}); results go to ${outDir}`);
if (only.has("a")) results.a = await benchLatency();
if (only.has("c")) results.c = await benchTts();
if (only.has("d")) results.d = await benchMemory();
if (only.has("b")) results.b = await benchTurns();
if (only.has("e")) results.e = await benchTtsLoad();
results.totalSeconds = (performance.now() - started) / 1000;
results.goals = Object.fromEntries(Object.entries(GOALS).map(([k, g]) => [k, { goal: g.text, met: g.ok(results) ?? null }]));

rmSync(workDir, { recursive: true, force: true });
const { text, md } = report(results);
writeFileSync(join(outDir, "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(outDir, "latest.md"), `${md}\n`);
process.stdout.write(`\n${text}\nTotal ${results.totalSeconds.toFixed(0)} s. Wrote ${join(outDir, "latest.json")} and ${join(outDir, "latest.md")}${args["cpu-prof"] ? `; CPU profiles in ${profDir}` : ""}\n`);
