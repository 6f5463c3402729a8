/**
 * Part (c) of the mock's benchmark, end to end over `/tts/websocket` (imported by bench/run.mjs):
 *
 *  - contexts at once: on one socket, 100 requests sent in one go (each its own context), against a
 *    single context on the same socket and server in the same run: request sent → the context's first
 *    `chunk`, p50 and max; the same on a bare `ws` server replaying the mock's recorded frames
 *    (bench/tts-replay-server.mjs), which shows what the machine and the client allow;
 *  - throughput per context: one context at a time on one socket (the next request after `done`), a
 *    new socket per measure, as audio seconds per wall second, with the journal and its strict linter
 *    on (as by default) and off (bench/no-journal.mjs), the two mocks measured turn about in the same
 *    run; the mock's CPU seconds per audio second on and off give the journal's share of its busy time.
 *    The text is the same every request, so after the second one its words come from the mock's tone
 *    cache; a third measure (journal on) makes every request's words new, which the cache cannot help.
 *
 * The client reads each frame's type and context id (a `chunk`'s without parsing its audio), so that
 * its own work stays small next to the mock's.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { cpuSeconds, serverFlags, spread } from "./lib.mjs";

const NO_JOURNAL_HOOK = new URL("./no-journal.mjs", import.meta.url).href;
const REPLAY_SERVER = fileURLToPath(new URL("./tts-replay-server.mjs", import.meta.url));
const VOICE_ID = "6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81";
const CHUNK_PREFIX = '{"type":"chunk","data":"';
const CONTEXT_KEY = '"context_id":"';

/** A generation request for one context (s16le 24 kHz, `continue: false`). */
export function ttsRequestText(contextId, transcript) {
  return JSON.stringify({
    model_id: "sonic-3",
    voice: { mode: "id", id: VOICE_ID },
    output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: 24000 },
    language: "en",
    context_id: contextId,
    transcript,
    continue: false,
  });
}

/** Type, context id and audio bytes of a server frame (a chunk is read by its prefix, not parsed). */
function readFrame(text) {
  if (text.startsWith(CHUNK_PREFIX)) {
    const end = text.indexOf('"', CHUNK_PREFIX.length);
    const k = text.indexOf(CONTEXT_KEY, end);
    if (end > 0 && k > 0) {
      const from = k + CONTEXT_KEY.length;
      const b64 = end - CHUNK_PREFIX.length;
      const pad = text.charCodeAt(end - 1) === 61 ? (text.charCodeAt(end - 2) === 61 ? 2 : 1) : 0;
      return { type: "chunk", id: text.slice(from, text.indexOf('"', from)), bytes: (b64 / 4) * 3 - pad };
    }
  }
  const json = JSON.parse(text);
  return { type: json.type, id: json.context_id, bytes: 0, text };
}

/** A TTS client: `request(id, text)` resolves at the context's `done` with its send, first-chunk and done times. */
export async function openTtsClient(url) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const contexts = new Map();
  let failure;
  ws.on("message", (data) => {
    const t = performance.now();
    const frame = readFrame(data.toString());
    const c = contexts.get(frame.id);
    if (!c) {
      if (frame.type === "error") failure ??= new Error(`TTS error: ${frame.text}`);
      return;
    }
    if (frame.type === "chunk") {
      c.first ??= t;
      c.bytes += frame.bytes;
    } else if (frame.type === "done" || frame.type === "error") {
      contexts.delete(frame.id);
      c.done = t;
      if (frame.type === "error") c.reject(new Error(`TTS error: ${frame.text}`));
      else c.resolve(c);
    }
  });
  ws.on("close", () => {
    for (const c of contexts.values()) c.reject(new Error(`${url} closed`));
    contexts.clear();
  });
  await once(ws, "open");
  return {
    ws,
    /** Sends one request; resolves with `{sent, first, done, bytes}` at its `done`. */
    request(id, transcript) {
      if (failure) throw failure;
      const c = { sent: 0, first: undefined, done: undefined, bytes: 0 };
      const p = new Promise((resolve, reject) => Object.assign(c, { resolve, reject }));
      contexts.set(id, c);
      c.sent = performance.now();
      ws.send(ttsRequestText(id, transcript));
      return p;
    },
  };
}

const median = (values) => spread(values).median;
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
};

/** The replay baseline (bench/tts-replay-server.mjs) in its own process, serving `framesFile`. */
async function spawnReplay(framesFile) {
  const child = spawn(process.execPath, [...serverFlags(), REPLAY_SERVER, "--frames", framesFile], { stdio: ["ignore", "pipe", "inherit"] });
  const [line] = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d.toString();
      if (out.includes("\n")) resolve(out.split("\n"));
    });
    child.once("exit", (code) => reject(new Error(`replay server exited (${code})`)));
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return {
    info: JSON.parse(line),
    pid: child.pid,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The frames the mock sends for one context of `text` (context id "REC"), in order, `done` last. */
async function recordFrames(wsUrl, text) {
  const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
  await once(ws, "open");
  const frames = [];
  const done = new Promise((resolve) =>
    ws.on("message", (data) => {
      const frame = data.toString();
      frames.push(frame);
      if (frame.startsWith('{"type":"done"')) resolve();
    }),
  );
  ws.send(ttsRequestText("REC", text));
  await done;
  ws.close();
  return frames;
}

/** Singles and bursts on one server: first-chunk times of a single context and of `contexts` at once. */
async function contextsOn(server, wsUrl, text, { contexts, rounds, singles, warm }) {
  const client = await openTtsClient(wsUrl);
  for (let i = 0; i < warm; i += 1) await client.request(`warm-${i}`, text);
  const single = [];
  const burst = [];
  let burstWall = 0;
  for (let round = 0; round < rounds; round += 1) {
    for (let i = 0; i < singles; i += 1) {
      const c = await client.request(`single-${round}-${i}`, text);
      single.push(c.first - c.sent);
    }
    const t0 = performance.now();
    const done = await Promise.all(Array.from({ length: contexts }, (_, i) => client.request(`burst-${round}-${i}`, text)));
    burstWall += performance.now() - t0;
    for (const c of done) burst.push(c.first - c.sent);
  }
  client.ws.close();
  const row = {
    singleP50: median(single),
    singleMax: Math.max(...single),
    burstP50: percentile(burst, 50),
    burstP90: percentile(burst, 90),
    burstMax: Math.max(...burst),
    burstSeconds: burstWall / rounds / 1000,
  };
  row.ratioP50 = row.burstP50 / row.singleP50;
  return row;
}

/**
 * Contexts at once: per run a fresh mock (journal on, as by default) and a fresh replay server (the
 * baseline: the mock's recorded frames, nothing else), one socket each, one after the other (the
 * order swapped each run); on each, `rounds` times a single context `singles` times (one after
 * another), then `contexts` requests sent in one go. Per run and server: the single context's
 * first-chunk p50, the burst's first-chunk p50 and max, and their ratio.
 */
export async function benchContextsAtOnce({ spawnMock, url, text, runs, contexts = 100, rounds = 2, singles = 5, warm = 20, log = () => {} }) {
  const options = { contexts, rounds, singles, warm };
  const dir = mkdtempSync(join(os.tmpdir(), "speechwire-tts-replay-"));
  const framesFile = join(dir, "frames.json");
  const recorder = await spawnMock("c-record");
  try {
    writeFileSync(framesFile, JSON.stringify(await recordFrames(url(recorder), text)));
  } finally {
    await recorder.stop();
  }
  const perRun = [];
  try {
    for (let r = 0; r < runs; r += 1) {
      const row = {};
      for (const side of r % 2 === 0 ? ["mock", "replay"] : ["replay", "mock"]) {
        const server = side === "mock" ? await spawnMock(`c-contexts-${r}`) : await spawnReplay(framesFile);
        try {
          row[side] = await contextsOn(server, side === "mock" ? url(server) : server.info.ws, text, options);
        } finally {
          await server.stop();
        }
      }
      row.burstP50VsReplay = row.mock.burstP50 / row.replay.burstP50;
      perRun.push(row);
      const show = (x) => `1 context p50 ${x.singleP50.toFixed(2)} ms; ${contexts} at once p50 ${x.burstP50.toFixed(2)} ms, max ${x.burstMax.toFixed(1)} ms (${x.ratioP50.toFixed(1)}×), all done in ${x.burstSeconds.toFixed(2)} s`;
      log(`  run ${r + 1}: mock ${show(row.mock)}`);
      log(`         replay ${show(row.replay)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const s = (f) => spread(perRun.map(f));
  const sides = (side) => ({
    singleP50: s((x) => x[side].singleP50),
    burstP50: s((x) => x[side].burstP50),
    burstMax: s((x) => x[side].burstMax),
    ratioP50: s((x) => x[side].ratioP50),
    burstSeconds: s((x) => x[side].burstSeconds),
  });
  return { contexts, rounds, singles, runs: perRun, mock: sides("mock"), replay: sides("replay"), burstP50VsReplay: s((x) => x.burstP50VsReplay) };
}

/**
 * `text` with every word made new for request `n`: three letters from (n, the word's place) appended,
 * so no word of one request is heard in another (nothing comes from the mock's tone cache).
 */
export function newWordsText(text, n) {
  let i = 0;
  return text.replace(/[A-Za-z]+/g, (word) => {
    let v = n * 1000 + i++;
    let tail = "";
    for (let k = 0; k < 3; k += 1, v = Math.floor(v / 26)) tail += String.fromCharCode(97 + (v % 26));
    return `${word}${tail}`;
  });
}

/**
 * One context at a time for `seconds`: audio seconds, wall seconds and the mock's CPU seconds.
 * `newWords`: each request's words made new (`newWordsText`), else the same text every time.
 */
async function sequential(client, mock, text, seconds, tag, newWords = false) {
  const cpu0 = cpuSeconds(mock.pid);
  const t0 = performance.now();
  let bytes = 0;
  let requests = 0;
  while (performance.now() - t0 < seconds * 1000) {
    const c = await client.request(`${tag}-${requests}`, newWords ? newWordsText(text, requests) : text);
    bytes += c.bytes;
    requests += 1;
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(mock.pid) - cpu0;
  const audio = bytes / (2 * 24000);
  return { requests, audioSeconds: audio, wallSeconds: wall, mockCpuSeconds: cpu, xRealtime: audio / wall, cpuMsPerAudioSecond: (cpu * 1000) / audio };
}

/**
 * Throughput per context with the journal and linter on and off: two mocks, measured turn about
 * (`runs` rounds, the order swapped each round) on one socket each. The journal's share of the mock's
 * busy time in a round is 1 − (CPU per audio second off) / (CPU per audio second on).
 */
export async function benchThroughput({ spawnMock, url, text, runs, seconds, log = () => {} }) {
  const on = await spawnMock("c-throughput-journal-on");
  const off = await spawnMock("c-throughput-journal-off", ["--import", NO_JOURNAL_HOOK]);
  const perRun = [];
  try {
    const mocks = { on, off };
    for (const side of ["on", "off"]) {
      const warm = await openTtsClient(url(mocks[side]));
      await sequential(warm, mocks[side], text, Math.min(1, seconds), `warm-${side}`);
      warm.ws.close();
    }
    for (let r = 0; r < runs; r += 1) {
      const row = {};
      // A new session per measure: the journal stores a session's first frames whole (then clipped,
      // then only counted), so a long-lived session would show less of its cost.
      for (const side of r % 2 === 0 ? ["on", "off"] : ["off", "on"]) {
        const client = await openTtsClient(url(mocks[side]));
        row[side] = await sequential(client, mocks[side], text, seconds, `${side}-${r}`);
        client.ws.close();
      }
      // The same with the journal on, every request's words new: what the tone cache does not cover.
      const client = await openTtsClient(url(on));
      row.onNewWords = await sequential(client, on, text, seconds, `new-${r}`, true);
      client.ws.close();
      row.journalShare = 1 - row.off.cpuMsPerAudioSecond / row.on.cpuMsPerAudioSecond;
      perRun.push(row);
      log(
        `  run ${r + 1}: journal on ${row.on.xRealtime.toFixed(0)}× real time (${row.on.cpuMsPerAudioSecond.toFixed(3)} mock CPU ms per audio s), off ${row.off.xRealtime.toFixed(0)}× (${row.off.cpuMsPerAudioSecond.toFixed(3)}); journal + linter ${(100 * row.journalShare).toFixed(1)}% of the mock's CPU; on, every word new ${row.onNewWords.xRealtime.toFixed(0)}× (${row.onNewWords.cpuMsPerAudioSecond.toFixed(3)})`,
      );
    }
  } finally {
    await on.stop();
    await off.stop();
  }
  const s = (f) => spread(perRun.map(f));
  return {
    seconds,
    runs: perRun,
    onXRealtime: s((x) => x.on.xRealtime),
    offXRealtime: s((x) => x.off.xRealtime),
    onCpuMsPerAudioSecond: s((x) => x.on.cpuMsPerAudioSecond),
    offCpuMsPerAudioSecond: s((x) => x.off.cpuMsPerAudioSecond),
    onNewWordsXRealtime: s((x) => x.onNewWords.xRealtime),
    onNewWordsCpuMsPerAudioSecond: s((x) => x.onNewWords.cpuMsPerAudioSecond),
    journalShare: s((x) => x.journalShare),
  };
}
