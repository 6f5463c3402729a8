#!/usr/bin/env node
/**
 * Per-message processing cost: @speechwire/client next to @cartesia/cartesia-js 4.2.0, on the same
 * stream of server messages, with no sockets and no network.
 *
 * The streams are recorded once from the mock (@speechwire/mock-server, in this process):
 * - TTS: one `/tts/websocket` context of a long text with `add_timestamps` (pcm_s16le 24 kHz, the
 *   mock's 100 ms chunks: ~6.4 KB of base64 each, and `timestamps` messages between them), cycled to
 *   N messages, the last one `done`.
 * - Turns: one `/stt/turns/websocket` session of the `multi-turn` scenario (`connected`, then
 *   turn.start / turn.update / turn.eager_end / turn.resume / turn.end), its turn events cycled to N
 *   messages after `connected`.
 * Every message is a JSON text frame, built once; both clients receive the very same strings.
 *
 * The injection point: one fake WebSocket class with the standard browser surface (readyState,
 * binaryType, send, close, on* handlers and add/removeEventListener; a message is delivered as a
 * `{ type: "message", data }` object). Each client gets it on its browser path:
 * - ours: the browser entry (dist/browser.js, what the `browser` export condition names),
 *   `createClient({ WebSocket: FakeWebSocket })` (credentials go in the
 *   query, as in a browser); the client sets `onmessage`.
 * - cartesia-js: it takes no WebSocket option, but its ES-module build (index.mjs, what a browser
 *   bundler picks) tries `require('ws')`, which fails in an ES module, and then uses the global
 *   `WebSocket`: `globalThis.WebSocket = FakeWebSocket` while its sockets are created. TTS:
 *   `TTSWS._initSocket` → `new WebSocket(url)` + `addEventListener('message')`. Turns:
 *   `AutoFinalizeWS._createSocket` → `new BrowserWebSocket(new WebSocket(url))`, whose wrapper calls
 *   `addEventListener('message')`.
 *
 * What is measured, per message, from the fake socket's dispatch to the user's code:
 * - lock-step (end to end): the fake delivers one message; the consumer, a `for await`-style loop
 *   on the client's public async iterator, takes the event it produced and only then lets the fake
 *   deliver the next one (so messages go in exactly as fast as the client consumes them, with no
 *   event-loop turn in between). Iterators: ours `TtsContext` / `TurnsSession`; cartesia-js
 *   `ctx.receive()` (TTS) / the `AutoFinalizeWS` async iterator (turns, its `message` items).
 * - burst handler: all N messages are dispatched synchronously with nobody reading; the time of that
 *   loop is the clients' message handlers alone (parse, decode, route, queue).
 * - burst drain: then the consumer reads the N queued events.
 * Setup (client, socket open, context) and teardown are outside the timings. Before each timed run
 * a full GC; the runs alternate between the clients. Reported: median (and p25–p75) ns per message.
 *
 * What the two clients do per message is not the same work, by design of each:
 * - ours reads with @speechwire/protocol/reader (the lenient reading of the protocol's schemas, generated
 *   from them and proven equivalent: every field validated, unknown fields dropped) and builds typed events;
 *   cartesia-js does `JSON.parse` only (no validation) and emits on its EventEmitter (`event` and the
 *   type) besides queueing.
 * - TTS audio: both decode base64 with Node's `Buffer` here (ours would use `Uint8Array.fromBase64`
 *   where it exists; both fall back to `atob` in browsers). Ours copies a decoded Buffer out of
 *   Node's shared pool when it is pooled (chunks under 4 KiB); the mock's chunks are larger.
 * - turns: ours keeps turn state (transcripts, the stall watchdog timer re-armed on turn.start);
 *   cartesia-js keeps none.
 * - This runs in Node (v8), not a browser engine; the code paths are the browser ones.
 *
 * Usage: node bench/per-message.mjs [--messages N] [--runs N] [--warmup N] [--only tts|turns] [--json]
 * Needs the client built (dist): `pnpm --filter @speechwire/protocol build && pnpm --filter @speechwire/client build`.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { compileScript } from "@speechwire/mock-server/core";
import { startMockServer } from "@speechwire/mock-server";
import { WebSocket as WsClient } from "ws";

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
// The browser entry (exports["."].browser): the code path a browser app runs.
const DIST = join(PACKAGE_DIR, "dist", "browser.js");

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const N = arg("messages", 10_000);
const RUNS = arg("runs", 25);
const WARMUP = arg("warmup", 5);
const JSON_OUT = process.argv.includes("--json");
const log = (...a) => {
  if (!JSON_OUT) console.log(...a);
};

if (!existsSync(DIST)) {
  console.error("@speechwire/client is not built: run `pnpm --filter @speechwire/protocol build && pnpm --filter @speechwire/client build`");
  process.exit(1);
}
{
  const newest = (dir) => Math.max(...readdirSync(dir, { recursive: true }).map((f) => statSync(join(dir, String(f))).mtimeMs));
  if (newest(join(PACKAGE_DIR, "src")) > statSync(DIST).mtimeMs) console.error("warning: src/ is newer than dist/: rebuild the client for current figures");
}

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc");

const { createClient } = await import(DIST);
const { default: Cartesia } = await import("@cartesia/cartesia-js");

// ---------------------------------------------------------------------------------------------
// The fake WebSocket (one class for both clients).

class FakeWebSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  static #waiting = [];

  /** Resolves with the next socket constructed, once it is open. */
  static next() {
    return new Promise((resolve) => FakeWebSocket.#waiting.push(resolve));
  }

  constructor(url) {
    this.url = String(url);
    this.readyState = 0;
    this.binaryType = "blob";
    this.bufferedAmount = 0;
    this.onopen = null;
    this.onmessage = null;
    this.onclose = null;
    this.onerror = null;
    this.listeners = { open: [], message: [], close: [], error: [] };
    this.sent = 0;
    const waiter = FakeWebSocket.#waiting.shift();
    setTimeout(() => {
      this.readyState = 1;
      this.#dispatch("open", { type: "open" });
      waiter?.(this);
    }, 0);
  }

  addEventListener(type, fn) {
    this.listeners[type]?.push(fn);
  }
  removeEventListener(type, fn) {
    const list = this.listeners[type];
    const i = list ? list.indexOf(fn) : -1;
    if (i >= 0) list.splice(i, 1);
  }
  send() {
    this.sent += 1;
  }
  close(code = 1000, reason = "") {
    if (this.readyState >= 2) return;
    this.readyState = 3;
    queueMicrotask(() => this.#dispatch("close", { type: "close", code, reason, wasClean: true }));
  }

  /** Delivers one text frame, as a browser does: a message event with `data`. */
  deliver(data) {
    const event = { type: "message", data };
    if (this.onmessage !== null) this.onmessage(event);
    const list = this.listeners.message;
    for (let i = 0; i < list.length; i += 1) list[i].call(this, event);
  }

  #dispatch(type, event) {
    const handler = this[`on${type}`];
    if (handler) handler.call(this, event);
    for (const fn of [...this.listeners[type]]) fn.call(this, event);
  }
}
globalThis.WebSocket = FakeWebSocket;

// ---------------------------------------------------------------------------------------------
// Recording the streams from the mock.

const VOICE = { mode: "id", id: "6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81" };
const OUTPUT = { container: "raw", encoding: "pcm_s16le", sample_rate: 24000 };
const TURNS_PARAMS = { model: "ink-2", encoding: "pcm_s16le", sample_rate: 16000 };
const CONTEXT_ID = "bench-context";
const TEXT =
  "Thanks for calling. Your order shipped this morning and should arrive on Thursday. " +
  "The tracking number was sent to the email address on your account, and you can change the delivery window from the link in that message. " +
  "If you would like, I can also move the delivery to a pickup point near you, or hold it at the depot until the weekend. " +
  "Is there anything else I can help you with today?";

/** Opens a socket to the mock, runs `start`, and keeps every text frame until `done(text)` or the close. */
function recordSocket(url, start, done) {
  return new Promise((resolve, reject) => {
    const frames = [];
    const ws = new WsClient(url);
    ws.on("open", () => start(ws));
    ws.on("message", (data, isBinary) => {
      if (isBinary) return;
      const text = data.toString();
      frames.push(text);
      if (done?.(text)) ws.close();
    });
    ws.on("close", () => resolve(frames));
    ws.on("error", reject);
  });
}

async function recordStreams() {
  const mock = await startMockServer({ port: 0, tlsPort: false, seed: 1 });
  try {
    const tts = await recordSocket(
      `${mock.urls.ws}/tts/websocket?cartesia_version=2026-03-01`,
      (ws) => ws.send(JSON.stringify({ model_id: "sonic-3", voice: VOICE, output_format: OUTPUT, context_id: "recorded", transcript: TEXT, continue: false, add_timestamps: true, max_buffer_delay_ms: 0 })),
      (text) => JSON.parse(text).type === "done",
    );
    const seconds = compileScript(mock.scenarios.get("multi-turn").stt).duration + 0.5;
    const turns = await recordSocket(`${mock.urls.ws}/s/multi-turn/stt/turns/websocket?model=ink-2&encoding=pcm_s16le&sample_rate=16000&cartesia_version=2026-03-01`, (ws) => {
      const frame = new Uint8Array(640);
      for (let i = 0; i < Math.ceil((seconds * 16000 * 2) / 640); i += 1) ws.send(frame);
      ws.send('{"type":"close"}');
    });
    return { tts, turns };
  } finally {
    await mock.close();
  }
}

/** N TTS messages for CONTEXT_ID: the recorded chunks and timestamps cycled, then `done`. */
function ttsStream(recorded) {
  const body = recorded.map((t) => JSON.parse(t)).filter((m) => m.type !== "done");
  const done = recorded.map((t) => JSON.parse(t)).find((m) => m.type === "done");
  if (!done || body.length === 0) throw new Error("the recorded TTS stream has no chunks or no done");
  const out = [];
  for (let i = 0; out.length < N - 1; i += 1) out.push(JSON.stringify({ ...body[i % body.length], context_id: CONTEXT_ID }));
  out.push(JSON.stringify({ ...done, context_id: CONTEXT_ID }));
  return out;
}

/** N turns messages: `connected`, then the recorded turn events cycled. */
function turnsStream(recorded) {
  const connected = recorded.find((t) => JSON.parse(t).type === "connected");
  const body = recorded.filter((t) => JSON.parse(t).type.startsWith("turn."));
  if (!connected || body.length === 0) throw new Error("the recorded turns stream has no connected or no turn events");
  const out = [connected];
  for (let i = 0; out.length < N; i += 1) out.push(body[i % body.length]);
  return out;
}

/** What a consumer must see for a stream: totals both clients are checked against. */
function expected(stream) {
  let audioBytes = 0;
  let words = 0;
  let turnEnds = 0;
  for (const text of stream) {
    const m = JSON.parse(text);
    if (m.type === "chunk") audioBytes += Buffer.from(m.data, "base64").byteLength;
    if (m.type === "timestamps") words += m.word_timestamps.words.length;
    if (m.type === "turn.end") turnEnds += 1;
  }
  return { audioBytes, words, turnEnds };
}

// ---------------------------------------------------------------------------------------------
// The four subjects: each sets up a live session on a fake socket and returns how to read it.

const BASE_URL = "http://127.0.0.1:9/s/bench"; // never dialled: the fake socket is all there is

/** Wraps a client iterator: `take()` returns the next counted event's tally update, or throws at the end. */
function reader(iterator, tally, counts) {
  return async function take() {
    for (;;) {
      const r = await iterator.next();
      if (r.done) throw new Error(`the iterator ended early (${JSON.stringify(tally)})`);
      if (counts(r.value, tally)) return;
    }
  };
}

const subjects = {
  "tts/ours": async () => {
    const errors = [];
    const client = createClient({ WebSocket: FakeWebSocket, accessToken: "bench-token", baseUrl: BASE_URL });
    const tts = client.tts.websocket();
    const ctx = tts.context({ model_id: "sonic-3", voice: VOICE, output_format: OUTPUT, add_timestamps: true, max_buffer_delay_ms: 0, contextId: CONTEXT_ID });
    const socketP = FakeWebSocket.next();
    ctx.push(TEXT);
    ctx.end().catch((e) => errors.push(e));
    const socket = await socketP;
    await tts.connect();
    const tally = { events: 0, audioBytes: 0, words: 0, turnEnds: 0 };
    const take = reader(ctx[Symbol.asyncIterator](), tally, (e, t) => {
      t.events += 1;
      if (e.type === "audio") t.audioBytes += e.audio.byteLength;
      else if (e.type === "timestamps") t.words += e.words.words.length;
      else if (e.type === "error") throw e.error;
      return true;
    });
    return { socket, take, tally, errors, teardown: () => tts.close() };
  },
  "tts/cartesia-js": async () => {
    const errors = [];
    const client = new Cartesia({ token: "bench-token", baseURL: BASE_URL });
    const socketP = FakeWebSocket.next();
    const ws = await client.tts.websocket();
    ws.on("error", (e) => errors.push(e));
    const socket = await socketP;
    const ctx = ws.context({ model_id: "sonic-3", voice: VOICE, output_format: OUTPUT, add_timestamps: true, max_buffer_delay_ms: 0, contextId: CONTEXT_ID });
    await ctx.push({ transcript: TEXT });
    await ctx.no_more_inputs();
    const tally = { events: 0, audioBytes: 0, words: 0, turnEnds: 0 };
    const take = reader(ctx.receive(), tally, (e, t) => {
      t.events += 1;
      if (e.type === "chunk") t.audioBytes += e.audio.byteLength;
      else if (e.type === "timestamps") t.words += e.word_timestamps.words.length;
      return true;
    });
    return { socket, take, tally, errors, teardown: () => ws.close() };
  },
  "turns/ours": async () => {
    const errors = [];
    const client = createClient({ WebSocket: FakeWebSocket, accessToken: "bench-token", baseUrl: BASE_URL });
    const socketP = FakeWebSocket.next();
    const session = client.stt.turns(TURNS_PARAMS);
    const socket = await socketP;
    await session.ready;
    const tally = { events: 0, audioBytes: 0, words: 0, turnEnds: 0 };
    const iterator = session[Symbol.asyncIterator]();
    const take = reader(iterator, tally, (e, t) => {
      if (e.type === "error" || e.type === "unknown") throw new Error(`${e.type}: ${e.error?.message ?? e.message}`);
      t.events += 1;
      if (e.type === "turnEnd") t.turnEnds += 1;
      return true;
    });
    return {
      socket,
      take,
      tally,
      errors,
      teardown: async () => {
        await iterator.return?.();
        session.abort();
        await session.ended;
      },
    };
  },
  "turns/cartesia-js": async () => {
    const errors = [];
    const client = new Cartesia({ token: "bench-token", baseURL: BASE_URL });
    const socketP = FakeWebSocket.next();
    const stt = client.stt.autoFinalize.websocket(TURNS_PARAMS);
    stt.on("error", (e) => errors.push(e));
    const socket = await socketP;
    const tally = { events: 0, audioBytes: 0, words: 0, turnEnds: 0 };
    const iterator = stt[Symbol.asyncIterator]();
    const take = reader(iterator, tally, (item, t) => {
      if (item.type === "error") throw item.error;
      if (item.type !== "message") return false; // its own `open` item
      t.events += 1;
      if (item.message.type === "turn.end") t.turnEnds += 1;
      return true;
    });
    return {
      socket,
      take,
      tally,
      errors,
      teardown: async () => {
        await iterator.return?.();
        stt.close();
      },
    };
  },
};

// ---------------------------------------------------------------------------------------------
// Drivers.

/** Lock-step: one message in, its event out, then the next message. Returns ns for the N messages. */
async function lockStep(subject, stream) {
  const { socket, take } = subject;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < stream.length; i += 1) {
    socket.deliver(stream[i]);
    await take();
  }
  return Number(process.hrtime.bigint() - t0);
}

/** Burst: every message dispatched synchronously (handler time), then every event read (drain time). */
async function burst(subject, stream) {
  const { socket, take } = subject;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < stream.length; i += 1) socket.deliver(stream[i]);
  const t1 = process.hrtime.bigint();
  for (let i = 0; i < stream.length; i += 1) await take();
  const t2 = process.hrtime.bigint();
  return [Number(t1 - t0), Number(t2 - t1)];
}

async function runOnce(name, mode, stream, want) {
  const subject = await subjects[name]();
  gc();
  const timing = mode === "lock-step" ? [await lockStep(subject, stream)] : await burst(subject, stream);
  const { tally, errors } = subject;
  await subject.teardown();
  await new Promise((resolve) => setTimeout(resolve, 0));
  if (errors.length) throw new Error(`${name}: ${errors.map((e) => e.message ?? String(e)).join("; ")}`);
  const got = { events: tally.events, audioBytes: tally.audioBytes, words: tally.words, turnEnds: tally.turnEnds };
  const ok = got.events === stream.length && got.audioBytes === want.audioBytes && got.words === want.words && got.turnEnds === want.turnEnds;
  if (!ok) throw new Error(`${name} ${mode}: consumed ${JSON.stringify(got)}, expected ${JSON.stringify({ events: stream.length, ...want })}`);
  return timing;
}

const quantile = (sorted, q) => {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
};
const stats = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return { median: quantile(s, 0.5), p25: quantile(s, 0.25), p75: quantile(s, 0.75), min: s[0] };
};

// ---------------------------------------------------------------------------------------------

const recorded = await recordStreams();
const streams = { tts: ttsStream(recorded.tts), turns: turnsStream(recorded.turns) };

log(`Per-message cost, @speechwire/client vs @cartesia/cartesia-js 4.2.0 (ESM build) — Node ${process.version}, ${N.toLocaleString("en-US")} messages per run, ${WARMUP} warm-up + ${RUNS} timed runs per cell, alternating`);
for (const [name, stream] of Object.entries(streams)) {
  const types = {};
  let chars = 0;
  for (const t of stream) {
    const type = JSON.parse(t).type;
    types[type] = (types[type] ?? 0) + 1;
    chars += t.length;
  }
  const want = expected(stream);
  log(
    `  ${name} stream: ${Object.entries(types)
      .map(([k, v]) => `${v} ${k}`)
      .join(", ")}; mean ${Math.round(chars / stream.length).toLocaleString("en-US")} chars/message${want.audioBytes ? `; ${(want.audioBytes / 1e6).toFixed(1)} MB of audio` : ""}${want.turnEnds ? `; ${want.turnEnds} turn.end` : ""}`,
  );
}
log("");

const results = [];
const ONLY = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : undefined;
for (const stream of ["tts", "turns"].filter((s) => ONLY === undefined || s === ONLY)) {
  const want = expected(streams[stream]);
  for (const mode of ["lock-step", "burst"]) {
    const times = { ours: [], "cartesia-js": [] };
    for (let run = 0; run < WARMUP + RUNS; run += 1) {
      const order = run % 2 === 0 ? ["ours", "cartesia-js"] : ["cartesia-js", "ours"];
      for (const who of order) {
        const t = await runOnce(`${stream}/${who}`, mode, streams[stream], want);
        if (run >= WARMUP) times[who].push(t);
      }
    }
    const parts = mode === "lock-step" ? [["lock-step: socket → consumer (end to end)", 0]] : [["burst: message handler only", 0], ["burst: drain queued events", 1]];
    for (const [label, index] of parts) {
      const ours = stats(times.ours.map((t) => t[index] / N));
      const theirs = stats(times["cartesia-js"].map((t) => t[index] / N));
      results.push({ stream, measure: label, ours, theirs, ratio: ours.median / theirs.median });
    }
  }
}

if (JSON_OUT) {
  console.log(JSON.stringify({ node: process.version, messages: N, runs: RUNS, warmup: WARMUP, results }));
  process.exit(0);
}

const f = (x) => Math.round(x).toLocaleString("en-US");
const header = ["stream", "measure", "ours ns/msg median (p25–p75)", "cartesia-js ns/msg median (p25–p75)", "ours / cartesia-js", "ours faster?"];
const rows = results.map((r) => [
  r.stream,
  r.measure,
  `${f(r.ours.median)} (${f(r.ours.p25)}–${f(r.ours.p75)})`,
  `${f(r.theirs.median)} (${f(r.theirs.p25)}–${f(r.theirs.p75)})`,
  `${r.ratio.toFixed(2)}×`,
  r.ratio < 1 ? "yes" : "no",
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const line = (cells) => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
console.log(line(header));
console.log(`|${widths.map((w, i) => (i < 2 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`);
for (const row of rows) console.log(line(row));
console.log("");
console.log("Every run checks that the consumer got all N events, the same decoded audio bytes, timestamp words and turn.end count as the stream holds.");
console.log("Not the same work per message: ours validates every message (@speechwire/protocol/reader) and builds typed events; cartesia-js only JSON.parses and also emits on its EventEmitter (see the header of this file).");
