/**
 * A load-generating worker thread of benchmark (b): opens its share of `/stt/turns/websocket`
 * streams and sends 20 ms chunks of 16 kHz s16le on each in real time. Stream g of the run's `total`
 * starts g/total of `spreadMs` after the first, so that streams are not in lockstep (their turn
 * events spread evenly over time, and their chunks over the 20 ms period); from `spreadMs` on, all of
 * them are streaming and events count. Each turn event's lateness is the time it arrives minus the
 * time this worker sent the chunk that brought the stream's audio clock to the event's position (`at`
 * on the compiled timeline, as the chunk index `chunk`).
 *
 * `workerData`: { url, indices, total, spreadMs, measureMs, events: [{type, chunk}], connectConcurrency }.
 * Posts "ready" once connected, waits for "start", then posts the result.
 */
import { parentPort, workerData } from "node:worker_threads";
import WebSocket from "ws";
import { CHUNK_BYTES, CHUNK_MS, encodeHistogram, histogram, pool, recordMs } from "./lib.mjs";

const { url, indices, total, spreadMs, measureMs, events, connectConcurrency } = workerData;
const n = indices.length;
const audio = Buffer.alloc(CHUNK_BYTES);
const lateness = histogram();
const sendLag = histogram();
const counts = { connectFailures: 0, events: 0, measured: 0, mismatches: 0, unexpected: 0, errors: 0, closedEarly: 0 };

/** The run in rounds of 20 ms: everyone streams from round `fullRound`; the last round is `rounds - 1`. */
const fullRound = Math.ceil(spreadMs / CHUNK_MS);
const rounds = fullRound + Math.round(measureMs / CHUNK_MS);

/** One stream's state. */
function stream(i) {
  const offset = (indices[i] / total) * spreadMs;
  const startRound = Math.floor(offset / CHUNK_MS);
  return {
    ws: undefined,
    // Where in each 20 ms period this stream sends, and from which round on.
    phase: offset - startRound * CHUNK_MS,
    startRound,
    sent: new Float64Array(rounds - startRound),
    next: 0,
    done: false,
  };
}
const streams = Array.from({ length: n }, (_, i) => stream(i));

function onMessage(s, data, isBinary) {
  const t = performance.now();
  if (isBinary) {
    counts.unexpected += 1;
    return;
  }
  const message = JSON.parse(data.toString());
  const type = message.type;
  if (type === "connected") return;
  if (type === "error") {
    counts.errors += 1;
    return;
  }
  const expected = events[s.next];
  if (!expected) {
    counts.unexpected += 1;
    return;
  }
  s.next += 1;
  counts.events += 1;
  if (expected.type !== type) counts.mismatches += 1;
  const sentAt = s.sent[expected.chunk];
  if (!(sentAt > 0)) {
    // An event before the audio that triggers it was sent: the timeline and the mock disagree.
    counts.mismatches += 1;
    return;
  }
  if (s.startRound + expected.chunk >= fullRound) {
    recordMs(lateness, t - sentAt);
    counts.measured += 1;
  }
}

function connect(i) {
  const s = streams[i];
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    s.ws = ws;
    let opened = false;
    ws.on("message", (data, isBinary) => onMessage(s, data, isBinary));
    ws.on("open", () => {
      opened = true;
      resolve();
    });
    ws.on("error", () => {
      if (!opened) {
        counts.connectFailures += 1;
        resolve();
      }
    });
    ws.on("close", () => {
      if (opened && !s.done) counts.closedEarly += 1;
      if (!opened) resolve();
    });
  });
}

await pool(n, connectConcurrency, connect);
parentPort.postMessage({ kind: "ready" });
await new Promise((resolve) => parentPort.once("message", resolve));

// Round r: each stream that has started sends its chunk r − startRound at t0 + r × 20 ms + phase.
// Streams sorted by phase are sent round-robin.
const order = streams.filter((s) => s.ws?.readyState === WebSocket.OPEN).sort((a, b) => a.phase - b.phase);
const t0 = performance.now() + 20;
let round = 0;
let at = 0;
const dueOf = (r, k) => t0 + order[k].phase + r * CHUNK_MS;

await new Promise((resolve) => {
  const pump = () => {
    let now = performance.now();
    while (round < rounds && order.length > 0) {
      const due = dueOf(round, at);
      if (due > now) break;
      const s = order[at];
      if (round >= s.startRound && s.ws.readyState === WebSocket.OPEN) {
        recordMs(sendLag, now - due);
        s.ws.send(audio);
        s.sent[round - s.startRound] = now;
        now = performance.now();
      }
      at += 1;
      if (at === order.length) {
        at = 0;
        round += 1;
      }
    }
    if (round >= rounds || order.length === 0) resolve();
    else setTimeout(pump, Math.max(0, dueOf(round, at) - performance.now()));
  };
  setTimeout(pump, Math.max(0, t0 - performance.now()));
});

// Let the last events arrive, then count what never came.
await new Promise((resolve) => setTimeout(resolve, 300));
let missing = 0;
for (const s of order) {
  s.done = true;
  const sentChunks = rounds - s.startRound;
  missing += Math.max(0, events.filter((e) => e.chunk < sentChunks).length - s.next);
}
for (const s of streams) s.ws?.terminate();

parentPort.postMessage({
  kind: "result",
  streams: order.length,
  missing,
  ...counts,
  lateness: encodeHistogram(lateness),
  sendLag: encodeHistogram(sendLag),
});
