/**
 * The same-run baseline: a bare `ws` echo round trip on loopback, and the mock's own round trip
 * (`finalize` → `flush_done` with no latency and no new audio), both from a raw `ws` client in this
 * process. Their ratio is the mock's overhead over the cheapest possible WebSocket exchange.
 */
import { once } from "node:events";
import { performance } from "node:perf_hooks";
import { startMockServer } from "@speechwire/mock-server";
import WebSocket, { WebSocketServer } from "ws";
import { Recorder, type Summary } from "../metrics/histogram.js";

/** The baseline figures of a run. */
export interface Baseline {
  echo: Summary;
  mock: Summary;
  /** mock ÷ echo at p50 and p99. */
  ratio: { p50: number; p99: number };
  echoHistogram: string;
  mockHistogram: string;
}

async function roundTrips(ws: WebSocket, frame: string | Uint8Array, isReply: (data: WebSocket.RawData) => boolean, n: number, warmup: number): Promise<Recorder> {
  const rec = new Recorder("ms");
  for (let i = 0; i < n + warmup; i += 1) {
    const t0 = performance.now();
    const reply = new Promise<void>((resolve) => {
      const on = (data: WebSocket.RawData) => {
        if (!isReply(data)) return;
        ws.off("message", on);
        resolve();
      };
      ws.on("message", on);
    });
    ws.send(frame);
    await reply;
    if (i >= warmup) rec.record(performance.now() - t0);
  }
  return rec;
}

/** Measures the echo and mock round trips (`n` each, after `warmup`) and their ratio. */
export async function measureBaseline(n = 1000, warmup = 200): Promise<Baseline> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
  wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
  await once(wss, "listening");
  const port = (wss.address() as { port: number }).port;
  const mock = await startMockServer({ host: "127.0.0.1", port: 0, tlsPort: false, latency: "none" });
  try {
    const echoWs = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
    await once(echoWs, "open");
    const echo = await roundTrips(echoWs, "finalize", () => true, n, warmup);
    echoWs.close();
    const mockWs = new WebSocket(`${mock.urls.ws}/stt/websocket?model=ink-whisper&encoding=pcm_s16le&sample_rate=16000&language=en`, { perMessageDeflate: false });
    await once(mockWs, "open");
    const mockRec = await roundTrips(mockWs, "finalize", (d) => d.toString().includes('"flush_done"'), n, warmup);
    mockWs.close();
    const e = echo.summary() as Summary;
    const m = mockRec.summary() as Summary;
    return { echo: e, mock: m, ratio: { p50: m.p50 / e.p50, p99: m.p99 / e.p99 }, echoHistogram: echo.encode(), mockHistogram: mockRec.encode() };
  } finally {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await mock.close();
  }
}
