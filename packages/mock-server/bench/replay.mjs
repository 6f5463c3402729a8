#!/usr/bin/env node
/**
 * The mock's STT path against a replay baseline (issue 19). A recording run first takes the frames the
 * mock sends for the bench's client audio from its journal; then bench/replay-server.mjs, a bare `ws`
 * server, sends exactly those frames at the same audio positions. In each run, on fresh processes
 * (mock and replay measured one after the other, the order alternating between runs):
 *
 *  - server CPU per audio frame: /stt/turns/websocket streams of --frames 20 ms chunks (the looping
 *    two-turn conversation), sent in bursts of 50 chunks per turn of the client's event loop, one after
 *    another on one fresh server: each stream's CPU is kept. The first stream pays for the JIT
 *    compiling the server's code (far more of it in the mock than in the replay server); the goal is
 *    judged on the stream after --warm-streams warm-up streams (steady state), and the first
 *    stream's figure is reported beside it;
 *  - server CPU per session: --sessions sessions, one after another, each the `default` scenario's
 *    conversation (its audio, then `{"type":"close"}`, until the server closes), handshake included;
 *  - turns: last speech byte → `turn.end`, p50 / p99 over --turn-ends turn ends: the client sends the
 *    audio up to the chunk before the one that completes a turn's end position, waits until every
 *    frame due so far has arrived and 2 ms more (a quiet server), then times that chunk → `turn.end`.
 *
 * Server CPU is read from /proc/PID/task/* /schedstat (all threads, nanoseconds). The client checks
 * that both servers sent the same frames (request ids aside) for the measured stream. Ratios are mock ÷
 * replay per run; reported as min / median / max over --runs runs. Nothing is asserted: a script.
 *
 * Usage: node bench/replay.mjs [--runs 3] [--quick] [--out DIR] [--cpu-prof] [--mock-cli FILE]
 */
import { createHash } from "node:crypto";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { BUILTIN_SCENARIOS } from "../dist/index.js";
import { compileScript } from "../dist/core/stt/index.js";
import { CHUNK_BYTES, CHUNK_MS, CLI, cpuPrecise, DEFAULT_SERVER_NODE_FLAGS, flagsText, fmt, histogram, mdTable, recordMs, serverFlags, setServerNodeFlags, spawnMock, spawnReplay, spread, summary, TURNS_QUERY, TURNS_SCENARIO } from "./lib.mjs";

const argv = process.argv.slice(2);
const { values: args } = parseArgs({
  args: argv[0] === "--" ? argv.slice(1) : argv,
  options: {
    runs: { type: "string" },
    frames: { type: "string" },
    sessions: { type: "string" },
    "turn-ends": { type: "string" },
    "warm-streams": { type: "string" },
    quick: { type: "boolean", default: false },
    out: { type: "string" },
    "cpu-prof": { type: "boolean", default: false },
    "mock-cli": { type: "string" },
    "node-flags": { type: "string" },
    only: { type: "string" },
    help: { type: "boolean", default: false },
  },
  strict: true,
});
if (args.help) {
  process.stdout.write(`node bench/replay.mjs [options]
  --runs N        runs (default 3; ratios are reported as min / median / max over them)
  --frames N      chunks of the measured stream (default 15000)
  --sessions N    measured default-conversation sessions per run and side (default 40)
  --turn-ends N   measured turn ends per run and side (default 100)
  --warm-streams N  streams before the one CPU per frame is judged on (default 8: the mock's CPU per
                  frame stops falling by then on this machine; every stream's figure is reported)
  --quick         --frames 5000 --sessions 15 --turn-ends 30 --warm-streams 3
  --out DIR       where replay.json and replay.md go (default: a new temp dir)
  --cpu-prof      CPU profiles of the mock and the replay server (DIR/cpu-prof)
  --only LIST     only these measures: frame,session,turn (default all)
  --mock-cli FILE the mock from this built CLI instead of ../dist/cli.js
  --node-flags F  Node flags of both servers (default "${DEFAULT_SERVER_NODE_FLAGS}", the mock's launchers';
                  --node-flags= for none)
`);
  process.exit(0);
}
if (args["node-flags"] !== undefined) setServerNodeFlags(args["node-flags"]);
const quick = args.quick;
const config = {
  runs: Number(args.runs ?? 3),
  frames: Number(args.frames ?? (quick ? 5000 : 15000)),
  sessions: Number(args.sessions ?? (quick ? 15 : 40)),
  turnEnds: Number(args["turn-ends"] ?? (quick ? 30 : 100)),
  burst: 50,
  // Streams before the measured one: the mock has far more code for the JIT to settle than the
  // replay server (after one warm-up stream its CPU per frame was still 1.3–1.6× its steady state).
  warmStreams: Number(args["warm-streams"] ?? (quick ? 3 : 8)),
  warmSessions: 10,
  quietMs: 2,
};
const only = new Set((args.only ?? "frame,session,turn").split(","));
const mockCli = args["mock-cli"] ? resolve(args["mock-cli"]) : CLI;
const outDir = resolve(args.out ?? mkdtempSync(join(os.tmpdir(), "speechwire-replay-")));
mkdirSync(outDir, { recursive: true });
const profDir = join(outDir, "cpu-prof");
const workDir = mkdtempSync(join(os.tmpdir(), "speechwire-replay-work-"));
const scenariosDir = join(workDir, "scenarios");
mkdirSync(scenariosDir);
writeFileSync(join(scenariosDir, `${TURNS_SCENARIO.name}.json`), JSON.stringify(TURNS_SCENARIO));
const log = (text) => process.stderr.write(`${text}\n`);

const STREAM_PATH = `/s/${TURNS_SCENARIO.name}/stt/turns/websocket?${TURNS_QUERY}`;
const SESSION_PATH = `/stt/turns/websocket?${TURNS_QUERY}`;
const defaultScenario = BUILTIN_SCENARIOS.find((s) => s.name === "default");
/** The default conversation's audio, in whole chunks. */
const SESSION_CHUNKS = Math.ceil((compileScript(defaultScenario.stt).duration * 1000) / CHUNK_MS);
const AUDIO = Buffer.alloc(CHUNK_BYTES);
const CLOSE = JSON.stringify({ type: "close" });
const tick = () => new Promise((r) => setImmediate(r));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A client socket that keeps every text frame it gets and resolves waiters on a count of frames. */
async function connect(url) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const texts = [];
  const waiters = [];
  ws.on("message", (data, isBinary) => {
    const t = performance.now();
    if (isBinary) return;
    texts.push({ t, text: data.toString() });
    for (let i = waiters.length - 1; i >= 0; i -= 1) {
      if (texts.length >= waiters[i].count) {
        waiters[i].resolve(t);
        waiters.splice(i, 1);
      }
    }
  });
  const closed = once(ws, "close");
  closed.catch(() => {});
  await once(ws, "open");
  /** Resolves with the arrival time once `count` text frames have arrived. */
  const frames = (count) => (texts.length >= count ? Promise.resolve(texts[count - 1].t) : new Promise((resolve) => waiters.push({ count, resolve })));
  return { ws, texts, frames, closed };
}

/** Sends `n` chunks in bursts of `config.burst` per turn of the event loop. */
async function sendChunks(ws, n) {
  for (let i = 0; i < n; i += 1) {
    ws.send(AUDIO);
    if ((i + 1) % config.burst === 0) await tick();
  }
}

/** One stream: `n` chunks, then close; resolves when the server has closed. */
async function stream(base, path, n) {
  const c = await connect(`${base}${path}`);
  await sendChunks(c.ws, n);
  c.ws.send(CLOSE);
  await c.closed;
  return c.texts.map((f) => f.text);
}

// ------------------------------------------------------------------ recording

/** The frames the mock sent in its journal's session `record`, by the chunk count they followed. */
function recordingOf(record) {
  const frames = [];
  let closeCode = 1000;
  let closeReason = "";
  let afterClose = false;
  for (const e of record.entries) {
    if (e.dir === "client" && e.kind === "text") afterClose = true;
    if (e.dir === "server" && e.kind === "text") {
      if (e.text.endsWith(" chars)")) throw new Error("a journal entry was clipped: cannot replay it");
      frames.push({ after: afterClose ? "close" : Math.round((e.audio * 1000) / CHUNK_MS), text: e.text });
    }
    if (e.dir === "server" && e.kind === "close") {
      closeCode = e.code;
      closeReason = e.reason;
    }
  }
  return { frames, closeCode, closeReason };
}

async function record() {
  const mock = await spawnMock({ scenariosDir, cli: mockCli });
  try {
    await stream(mock.info.ws, STREAM_PATH, config.frames);
    await stream(mock.info.ws, SESSION_PATH, SESSION_CHUNKS);
    const list = await (await fetch(`${mock.info.http}/_speechwire/sessions`)).json();
    const get = async (id) => (await fetch(`${mock.info.http}/_speechwire/sessions/${id}`)).json();
    const [streamRec, sessionRec] = await Promise.all(list.slice(-2).map((s) => get(s.id)));
    if (sessionRec.violations.length + streamRec.violations.length > 0) log(`  ! the mock's journal has violations: ${JSON.stringify([...streamRec.violations, ...sessionRec.violations]).slice(0, 300)}`);
    return { stream: recordingOf(streamRec), session: recordingOf(sessionRec) };
  } finally {
    await mock.stop();
  }
}

// ------------------------------------------------------------------ measures

/**
 * Server CPU per frame of `config.warmStreams` + 1 streams of `config.frames` chunks, one after another
 * on one server: `byStream` holds each stream's, `usPerFrame` the last one's (steady state), `first`
 * the first one's (the JIT still compiling); with the last stream's frame count and digest.
 */
async function cpuPerFrame(server, path) {
  const byStream = [];
  let texts = [];
  for (let i = 0; i <= config.warmStreams; i += 1) {
    await sleep(50);
    const cpu0 = cpuPrecise(server.pid);
    texts = await stream(server.info.ws, path, config.frames);
    byStream.push(((cpuPrecise(server.pid) - cpu0) * 1e6) / config.frames);
  }
  // Request ids differ per connection (the mock counts them): the rest must be byte for byte the same.
  const digest = createHash("sha256").update(texts.map((t) => t.replace(/"request_id":"[^"]*"/, '"request_id":""')).join("\n")).digest("hex");
  return { usPerFrame: byStream.at(-1), first: byStream[0], byStream, frames: texts.length, digest };
}

/** Server CPU per default-conversation session (handshake to close), after warm-up sessions. */
async function cpuPerSession(server, path) {
  for (let i = 0; i < config.warmSessions; i += 1) await stream(server.info.ws, path, SESSION_CHUNKS);
  await sleep(50);
  const cpu0 = cpuPrecise(server.pid);
  for (let i = 0; i < config.sessions; i += 1) await stream(server.info.ws, path, SESSION_CHUNKS);
  const cpu = cpuPrecise(server.pid) - cpu0;
  return { msPerSession: (cpu * 1e3) / config.sessions };
}

/** Last speech byte → `turn.end`: a quiet server, then the chunk that completes the turn's end position. */
async function turnEnd(server, path, recording, count) {
  const h = histogram();
  const ends = recording.frames.map((f, i) => ({ ...f, i })).filter((f) => f.after !== "close" && JSON.parse(f.text).type === "turn.end");
  const c = await connect(`${server.info.ws}${path}`);
  let sent = 0;
  // The first two turn ends warm up.
  for (let k = 0; k < Math.min(count + 2, ends.length); k += 1) {
    const end = ends[k];
    await sendChunks(c.ws, end.after - 1 - sent);
    sent = end.after - 1;
    await c.frames(recording.frames.filter((f) => f.after !== "close" && f.after <= sent).length);
    await sleep(config.quietMs);
    const arrived = c.frames(end.i + 1);
    const t0 = performance.now();
    c.ws.send(AUDIO);
    sent += 1;
    const t = await arrived;
    if (JSON.parse(c.texts[end.i].text).type !== "turn.end") throw new Error(`frame ${end.i} is not the turn.end of the recording`);
    if (k >= 2) recordMs(h, t - t0);
  }
  c.ws.terminate();
  return summary(h);
}

async function measureRun(r, recording, files) {
  const mock = await spawnMock({
    scenariosDir,
    cli: mockCli,
    nodeArgs: args["cpu-prof"] ? ["--cpu-prof", `--cpu-prof-dir=${profDir}`, `--cpu-prof-name=mock-${r}.cpuprofile`, "--cpu-prof-interval=100"] : [],
  });
  const prof = (name) => (args["cpu-prof"] ? ["--cpu-prof", `--cpu-prof-dir=${profDir}`, `--cpu-prof-name=${name}-${r}.cpuprofile`, "--cpu-prof-interval=100"] : []);
  const replayStream = await spawnReplay({ recording: files.stream, nodeArgs: prof("replay-stream") });
  const replaySession = await spawnReplay({ recording: files.session, nodeArgs: prof("replay-session") });
  try {
    const sides = r % 2 === 0 ? ["mock", "replay"] : ["replay", "mock"];
    const out = { mock: {}, replay: {} };
    const servers = { mock: { stream: mock, session: mock }, replay: { stream: replayStream, session: replaySession } };
    const skipped = { usPerFrame: NaN, first: NaN, byStream: [], msPerSession: NaN, p50: NaN, p99: NaN, frames: 0, digest: "" };
    for (const side of sides) out[side].frame = !only.has("frame") ? skipped : await cpuPerFrame(servers[side].stream, side === "mock" ? STREAM_PATH : "/");
    for (const side of sides) out[side].session = !only.has("session") ? skipped : await cpuPerSession(servers[side].session, side === "mock" ? SESSION_PATH : "/");
    // turn.end in alternating blocks, each on a fresh stream.
    const blocks = only.has("turn") ? 4 : 0;
    const hs = { mock: [], replay: [] };
    for (let b = 0; b < blocks; b += 1) {
      for (const side of sides) hs[side].push(await turnEnd(servers[side].stream, side === "mock" ? STREAM_PATH : "/", recording.stream, Math.ceil(config.turnEnds / blocks)));
    }
    for (const side of ["mock", "replay"]) {
      const p50s = hs[side].map((s) => s.p50);
      out[side].turnEnd = blocks === 0 ? skipped : { p50: spread(p50s).median, p99: Math.max(...hs[side].map((s) => s.p99)), blocks: hs[side] };
    }
    return out;
  } finally {
    await Promise.all([mock.stop(), replayStream.stop(), replaySession.stop()]);
  }
}

// ------------------------------------------------------------------ main

const started = new Date();
log(`replay bench: ${config.runs} runs; ${config.warmStreams + 1} streams of ${config.frames} chunks each; ${config.sessions} sessions of ${SESSION_CHUNKS} chunks; ${config.turnEnds} turn ends`);
const recording = await record();
const files = { stream: join(workDir, "stream.json"), session: join(workDir, "session.json") };
writeFileSync(files.stream, JSON.stringify(recording.stream));
writeFileSync(files.session, JSON.stringify(recording.session));
log(`  recorded: stream ${recording.stream.frames.length} frames, session ${recording.session.frames.length} frames`);
const runs = [];
for (let r = 0; r < config.runs; r += 1) {
  const m = await measureRun(r, recording, files);
  const run = {
    ...m,
    sameFrames: m.mock.frame.digest === m.replay.frame.digest && m.mock.frame.frames === m.replay.frame.frames,
    ratio: {
      cpuPerFrame: m.mock.frame.usPerFrame / m.replay.frame.usPerFrame,
      cpuPerFrameFirst: m.mock.frame.first / m.replay.frame.first,
      cpuPerSession: m.mock.session.msPerSession / m.replay.session.msPerSession,
      turnEndP50: m.mock.turnEnd.p50 / m.replay.turnEnd.p50,
    },
  };
  runs.push(run);
  log(
    `  run ${r + 1}: CPU/frame ${fmt(m.mock.frame.usPerFrame)} vs ${fmt(m.replay.frame.usPerFrame)} µs (${fmt(run.ratio.cpuPerFrame)}×; first stream ${fmt(m.mock.frame.first)} vs ${fmt(m.replay.frame.first)}, ${fmt(run.ratio.cpuPerFrameFirst)}×); ` +
      `CPU/session ${fmt(m.mock.session.msPerSession, 3)} vs ${fmt(m.replay.session.msPerSession, 3)} ms (${fmt(run.ratio.cpuPerSession)}×); ` +
      `turn.end p50 ${fmt(m.mock.turnEnd.p50, 3)} vs ${fmt(m.replay.turnEnd.p50, 3)} ms (${fmt(run.ratio.turnEndP50)}×); same frames: ${run.sameFrames}`,
  );
}
const GOAL = 1.3;
const rows = [
  ["server CPU per audio frame, steady state (µs)", (r) => r.mock.frame.usPerFrame, (r) => r.replay.frame.usPerFrame, (r) => r.ratio.cpuPerFrame],
  ["server CPU per audio frame, first stream on a fresh process (µs)", (r) => r.mock.frame.first, (r) => r.replay.frame.first, (r) => r.ratio.cpuPerFrameFirst, false],
  ["server CPU per session (ms)", (r) => r.mock.session.msPerSession, (r) => r.replay.session.msPerSession, (r) => r.ratio.cpuPerSession],
  ["last speech byte → turn.end p50 (ms)", (r) => r.mock.turnEnd.p50, (r) => r.replay.turnEnd.p50, (r) => r.ratio.turnEndP50],
].map(([name, mock, replay, ratio, judged = true]) => {
  const s = (f) => spread(runs.map(f));
  const three = (x, d) => `${fmt(x.min, d)} / ${fmt(x.median, d)} / ${fmt(x.max, d)}`;
  const ratios = s(ratio);
  const verdict = judged ? (ratios.median <= GOAL ? "met" : "not met") : "(reported)";
  return { name, mock: s(mock), replay: s(replay), ratio: ratios, ...(judged ? { met: ratios.median <= GOAL } : {}), text: [name, three(s(mock), 3), three(s(replay), 3), `${three(ratios, 2)}×`, verdict] };
});
/** Each stream's CPU per frame, by its place on the server: median (min–max) over the runs. */
const streamCount = Math.max(0, ...runs.map((r) => r.mock.frame.byStream.length));
const streamRows = Array.from({ length: streamCount }, (_, i) => {
  const cell = (side) => {
    const x = spread(runs.map((r) => r[side].frame.byStream[i]));
    return `${fmt(x.median)} (${fmt(x.min)}–${fmt(x.max)})`;
  };
  return [String(i + 1), cell("mock"), cell("replay"), `${fmt(spread(runs.map((r) => r.mock.frame.byStream[i] / r.replay.frame.byStream[i])).median)}×`];
});
const result = {
  date: started.toISOString(),
  node: process.version,
  serverNodeFlags: serverFlags(),
  cpus: os.cpus().length,
  loadavg: os.loadavg(),
  command: `node bench/replay.mjs ${argv.join(" ")}`.trim(),
  config: { ...config, sessionChunks: SESSION_CHUNKS },
  runs,
  summary: rows.map(({ text: _t, ...r }) => r),
  allSameFrames: runs.every((r) => r.sameFrames),
};
const md = [
  `Command: \`${result.command}\`, ${result.date}, Node ${result.node} (servers: ${flagsText(result.serverNodeFlags)}), ${result.cpus} CPUs, load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}.`,
  `min / median / max of ${config.runs} runs; the goal (≤ ${GOAL}× replay) is judged on the median ratio (CPU per frame: on the stream after ${config.warmStreams} warm-up streams). Same frames from both servers in every run: ${result.allSameFrames}.`,
  "",
  mdTable(["measure", "mock", "replay", "ratio", `≤ ${GOAL}×`], rows.map((r) => r.text)),
  ...(streamCount > 0
    ? ["", `CPU per frame (µs) of each ${config.frames}-chunk stream in the order a server got them, median (min–max) over the runs; the steady-state row is the last:`, "", mdTable(["stream", "mock", "replay", "ratio (median)"], streamRows)]
    : []),
].join("\n");
writeFileSync(join(outDir, "replay.json"), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(outDir, "replay.md"), `${md}\n`);
process.stdout.write(`${md}\n\n(written to ${outDir})\n`);
