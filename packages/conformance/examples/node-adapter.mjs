#!/usr/bin/env node
// A complete, minimal conformance adapter in plain Node (only the `ws` package; no speechwire code).
// It speaks the runner's JSON-lines protocol on stdin/stdout and is itself a tiny client of the three
// WebSocket endpoints, of TTS over HTTP and of batch STT (Node's global `fetch` and `FormData`). Run it with:
//   speechwire-conformance run --command "node examples/node-adapter.mjs"
import { createInterface } from "node:readline";
import WebSocket from "ws";

const write = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const CAPABILITIES = {
  name: "example-node-adapter",
  version: "examples/node-adapter.mjs",
  suites: ["stt-v1", "stt-turns", "tts", "tts-http", "stt-batch"],
  reconnect: false, // this tiny client does not reconnect: the runner skips those cases
  keepAlive: false,
  finalize: true,
  flush: true,
  cancel: true,
  timestamps: true,
  errors: true,
  turnWords: true, // turn events' words and languages are passed on as sent (it never reconnects, so no shift)
  turnLanguages: true,
  config: true,
  tls: false,
  mp3: true, // /tts/bytes audio is passed through as bytes, whatever the container
};

/** Opens a socket with the credentials and version headers and resolves when it is open. */
function connect(target, path, query, version) {
  const url = `${target.baseUrl.replace(/^http/, "ws")}${path}${query ? `?${new URLSearchParams(query)}` : ""}`;
  const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${target.apiKey}`, "Cartesia-Version": version } });
  const closed = new Promise((resolve) => ws.once("close", resolve));
  const opened = new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  ws.on("error", () => {}); // a failed socket is reported by `close`
  return { ws, opened, closed };
}

/** Normalizes an error event of either shape (§1.4). */
function errorEvent(m) {
  const event = { type: "error", status: m.status_code ?? m.code, code: m.error_code ?? null, message: m.message ?? m.error ?? m.title ?? "" };
  if (typeof m.context_id === "string") event.context_id = m.context_id;
  return event;
}

/** A turn event's transcript, with its words and languages when the server sent them. */
function turnText(m) {
  const out = { transcript: m.transcript };
  if (Array.isArray(m.words)) out.words = m.words.map((w) => ({ word: w.word, start: w.start, end: w.end }));
  if (Array.isArray(m.languages)) out.languages = m.languages.map((l) => ({ language: l.language, confidence: l.confidence }));
  return out;
}

async function runStt(target, c, observe) {
  const v1 = c.suite === "stt-v1";
  const query = { model: c.stt.model, encoding: c.stt.encoding, sample_rate: String(c.stt.sample_rate) };
  if (v1 && c.stt.language) query.language = c.stt.language;
  const { ws, opened, closed } = connect(target, v1 ? "/stt/websocket" : "/stt/turns/websocket", query, c.version);
  let text = "";
  const turns = [];
  let flushWaiters = [];
  ws.on("message", (data, binary) => {
    if (binary) return;
    let m;
    try {
      m = JSON.parse(String(data));
    } catch {
      return; // not JSON: ignore
    }
    if (m.type === "error") observe(errorEvent(m));
    else if (v1 && m.type === "transcript") {
      const words = Array.isArray(m.words) ? m.words.map((w) => ({ word: w.word, start: w.start, end: w.end })) : undefined;
      observe({ type: "transcript", is_final: m.is_final, text: m.text, ...(words ? { words } : {}) });
      if (m.is_final) text += m.text; // finals are deltas: concatenate verbatim
    } else if (v1 && (m.type === "flush_done" || m.type === "done")) {
      observe({ type: m.type });
      if (m.type === "flush_done") {
        flushWaiters.shift()?.();
      }
    } else if (!v1 && m.type === "connected") observe({ type: "connected" });
    else if (!v1 && (m.type === "turn.start" || m.type === "turn.resume")) observe({ type: m.type });
    else if (!v1 && (m.type === "turn.update" || m.type === "turn.eager_end")) observe({ type: m.type, ...turnText(m) });
    else if (!v1 && m.type === "turn.end") {
      observe({ type: "turn.end", ...turnText(m) });
      turns.push(m.transcript); // the definitive text of the turn; eager transcripts are speculative
    }
    // anything else (unknown types) is ignored
  });
  try {
    await opened;
  } catch (error) {
    return { crashed: false, text: "", ...(v1 ? {} : { turns: [] }) };
  }
  const audio = Buffer.from(c.stt.audio, "base64");
  const live = () => ws.readyState === WebSocket.OPEN;
  let offset = 0;
  for (const a of c.actions) {
    if (a.op === "audio") {
      for (let i = offset; i < offset + a.bytes; i += c.stt.chunkBytes) {
        if (live()) ws.send(audio.subarray(i, Math.min(offset + a.bytes, i + c.stt.chunkBytes)));
      }
      offset += a.bytes;
    } else if (a.op === "finalize" && live()) {
      const acked = new Promise((resolve) => flushWaiters.push(resolve));
      ws.send("finalize");
      if (a.wait) await Promise.race([acked, closed]);
    } else if (a.op === "idle") await sleep(a.ms);
    else if (a.op === "config" && live()) {
      const { op, ...fields } = a;
      ws.send(JSON.stringify({ type: "config", ...fields })); // JSON text on both sockets
    } else if (a.op === "close" && live()) {
      ws.send(v1 ? "close" : JSON.stringify({ type: "close" })); // then wait for the server to drain and close
    }
  }
  await closed;
  return v1 ? { crashed: false, text } : { crashed: false, text: turns.join(""), turns };
}

async function runTts(target, c, observe) {
  const { ws, opened, closed } = connect(target, "/tts/websocket", undefined, c.version);
  const pendingEnd = new Map(); // context id → resolve when done/error arrives
  const finished = new Set();
  ws.on("message", (data, binary) => {
    if (binary) return;
    let m;
    try {
      m = JSON.parse(String(data));
    } catch {
      return;
    }
    const ctx = m.context_id;
    if (m.type === "chunk") observe({ type: "tts.audio", context_id: ctx, data: m.data });
    else if (m.type === "timestamps" && m.word_timestamps) {
      observe({ type: "tts.timestamps", context_id: ctx, words: m.word_timestamps.words, start: m.word_timestamps.start, end: m.word_timestamps.end });
    } else if (m.type === "flush_done") observe({ type: "tts.flush_done", context_id: ctx, flush_id: m.flush_id });
    else if (m.type === "done") {
      if (!finished.has(ctx)) observe({ type: "tts.done", context_id: ctx });
      finished.add(ctx);
      pendingEnd.get(ctx)?.();
    } else if (m.type === "error") {
      observe(errorEvent(m));
      if (typeof ctx === "string") {
        finished.add(ctx);
        pendingEnd.get(ctx)?.();
      }
    }
  });
  try {
    await opened;
  } catch {
    return { crashed: false };
  }
  const specs = new Map(c.contexts.map((s) => [s.id, s]));
  const request = (id, fields) => {
    const { id: _id, ...spec } = specs.get(id);
    if (!spec.add_timestamps) delete spec.add_timestamps;
    // Every input on a context repeats the context's fields (§5.2).
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ ...spec, context_id: id, ...fields }));
  };
  const waits = [];
  for (const a of c.actions) {
    if (a.op === "push") request(a.context, { transcript: a.transcript, continue: true });
    else if (a.op === "flush") request(a.context, { transcript: "", continue: true, flush: true });
    else if (a.op === "end" || a.op === "cancel") {
      waits.push(new Promise((resolve) => (finished.has(a.context) ? resolve() : pendingEnd.set(a.context, resolve))));
      if (a.op === "end") request(a.context, { transcript: "", continue: false });
      else if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ context_id: a.context, cancel: true }));
    } else if (a.op === "idle") await sleep(a.ms);
    else if (a.op === "close") {
      await Promise.race([Promise.all(waits), closed]); // drain: every context answered
      ws.close(1000);
    }
  }
  await closed;
  return { crashed: false };
}

/** Reads an HTTP error body of either shape (§1.4): structured JSON, or legacy plain text `Title: Message`. */
async function httpError(res) {
  const text = await res.text();
  try {
    const body = JSON.parse(text);
    return { type: "error", status: res.status, code: body.error_code ?? null, message: body.message ?? text };
  } catch {
    return { type: "error", status: res.status, code: null, message: text };
  }
}

async function runTtsHttp(target, c, observe) {
  const sse = c.http.endpoint === "sse";
  const res = await fetch(`${target.baseUrl}${sse ? "/tts/sse" : "/tts/bytes"}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${target.apiKey}`, "Cartesia-Version": c.version, "Content-Type": "application/json" },
    body: JSON.stringify(c.http.request),
  });
  if (!res.ok) {
    observe(await httpError(res));
    return { crashed: false };
  }
  if (!sse) {
    // The audio streams in chunks (raw, WAV or MP3): hand each one over as it arrives.
    for await (const chunk of res.body) observe({ type: "http.audio", data: Buffer.from(chunk).toString("base64") });
    return { crashed: false };
  }
  // Server-sent events: `data: <json>` lines, a blank line ends an event (§6.2).
  const decoder = new TextDecoder();
  let buffer = "";
  const handle = (block) => {
    const data = block.split(/\r?\n/).filter((l) => l.startsWith("data:")).map((l) => l.slice(5).replace(/^ /, "")).join("\n");
    if (!data) return;
    let m;
    try {
      m = JSON.parse(data);
    } catch {
      return;
    }
    if (m.type === "chunk") observe({ type: "http.audio", data: m.data });
    else if (m.type === "timestamps" && m.word_timestamps) observe({ type: "http.timestamps", words: m.word_timestamps.words, start: m.word_timestamps.start, end: m.word_timestamps.end });
    else if (m.type === "done") observe({ type: "http.done" });
    else if (m.type === "error") observe(errorEvent(m));
  };
  for await (const chunk of res.body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      handle(buffer.slice(0, end));
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, "");
    }
  }
  handle(buffer + decoder.decode());
  return { crashed: false };
}

async function runBatch(target, c, observe) {
  const b = c.batch;
  const form = new FormData();
  form.append("model", b.model);
  if (b.language) form.append("language", b.language);
  if (b.words) form.append("timestamp_granularities[]", "word");
  form.append("file", new Blob([Buffer.from(b.file, "base64")]), b.filename);
  // Headerless raw PCM is described in the query (§4).
  const query = b.encoding ? `?${new URLSearchParams({ encoding: b.encoding, sample_rate: String(b.sample_rate) })}` : "";
  const res = await fetch(`${target.baseUrl}/stt${query}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${target.apiKey}`, "Cartesia-Version": c.version },
    body: form,
  });
  if (!res.ok) {
    observe(await httpError(res));
    return { crashed: false };
  }
  const t = await res.json();
  observe({ type: "batch.transcript", text: t.text, ...(Array.isArray(t.words) ? { words: t.words.map((w) => ({ word: w.word, start: w.start, end: w.end })) } : {}) });
  return { crashed: false, text: t.text };
}

const lines = createInterface({ input: process.stdin });
let queue = Promise.resolve();
lines.on("line", (line) => {
  const message = JSON.parse(line);
  queue = queue.then(async () => {
    if (message.type === "hello") write({ type: "capabilities", capabilities: CAPABILITIES });
    else if (message.type === "shutdown") process.exit(0);
    else if (message.type === "case") {
      const c = message.case;
      const observe = (event) => write({ type: "observation", case: c.id, event });
      let result;
      try {
        const run = { tts: runTts, "tts-http": runTtsHttp, "stt-batch": runBatch }[c.suite] ?? runStt;
        result = await run(message.target, c, observe);
      } catch (error) {
        result = { crashed: true, crash: String(error?.stack ?? error) };
      }
      write({ type: "done", case: c.id, result });
    }
  });
});
