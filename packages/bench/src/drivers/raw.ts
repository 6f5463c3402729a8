/**
 * The raw `ws` driver: a bare WebSocket, `JSON.parse` and nothing else. The floor a client could reach;
 * set beside the other drivers it shows what each client adds.
 */
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import type { Endpoint } from "../metrics/definitions.js";
import { socketUrl, type BenchEvent, type Connection, type Driver, type SttSession, type TtsParams, type TtsSession } from "./types.js";

function open(url: URL, connection: Connection): Promise<WebSocket> {
  const ws = new WebSocket(url, {
    headers: { Authorization: `Bearer ${connection.apiKey}`, "Cartesia-Version": connection.version },
    perMessageDeflate: false,
    ...(connection.ca ? { ca: connection.ca } : {}),
  });
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    ws.once("unexpected-response", (_req, res) => {
      ws.off("error", onError);
      reject(new Error(`handshake refused: HTTP ${res.statusCode}`));
      res.resume();
    });
    ws.once("error", onError);
    ws.once("open", () => {
      ws.off("error", onError);
      ws.on("error", () => {});
      resolve(ws);
    });
  });
}

function parse(data: WebSocket.RawData): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(data.toString());
    return typeof v === "object" && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const str = (v: unknown) => (typeof v === "string" ? v : "");
const errorText = (m: Record<string, unknown>) => str(m.message) || str(m.error) || str(m.title) || "error";

function sttSession(ws: WebSocket, onEvent: (e: BenchEvent) => void, closeFrame: string): SttSession {
  const ended = new Promise<void>((resolve) => {
    ws.on("close", (code) => {
      onEvent({ type: "closed", at: performance.now(), code });
      resolve();
    });
  });
  return {
    sendAudio: (bytes) => ws.send(bytes, { binary: true }),
    finalize: () => ws.send("finalize"),
    close: () => ws.send(closeFrame),
    ended,
    abort: () => ws.terminate(),
  };
}

/** The raw `ws` driver. */
export const rawDriver: Driver = {
  name: "raw",
  unsupported: (_endpoint: Endpoint) => undefined,

  async openSttV1(connection, params, onEvent) {
    const ws = await open(socketUrl(connection.baseUrl, "/stt/websocket", { ...params }), connection);
    ws.on("message", (data, isBinary) => {
      const at = performance.now();
      const m = isBinary ? undefined : parse(data);
      if (!m) return;
      if (m.type === "transcript") onEvent({ type: "transcript", at, isFinal: m.is_final === true, text: str(m.text) });
      else if (m.type === "flush_done" || m.type === "done") onEvent({ type: m.type, at });
      else if (m.type === "error") onEvent({ type: "error", at, message: errorText(m) });
    });
    return sttSession(ws, onEvent, "close");
  },

  async openTurns(connection, params, onEvent) {
    const ws = await open(socketUrl(connection.baseUrl, "/stt/turns/websocket", { ...params }), connection);
    ws.on("message", (data, isBinary) => {
      const at = performance.now();
      const m = isBinary ? undefined : parse(data);
      if (!m) return;
      const type = m.type;
      if (type === "turn.start" || type === "turn.update" || type === "turn.eager_end" || type === "turn.resume" || type === "turn.end" || type === "connected") {
        onEvent(typeof m.transcript === "string" ? { type, at, transcript: m.transcript } : { type, at });
      } else if (type === "error") onEvent({ type: "error", at, message: errorText(m) });
    });
    return sttSession(ws, onEvent, JSON.stringify({ type: "close" }));
  },

  async openTts(connection, params: TtsParams, onEvent) {
    const ws = await open(socketUrl(connection.baseUrl, "/tts/websocket", {}), connection);
    ws.on("message", (data, isBinary) => {
      const at = performance.now();
      const m = isBinary ? undefined : parse(data);
      if (!m) return;
      const contextId = str(m.context_id);
      if (m.type === "chunk") onEvent({ type: "chunk", at, contextId, bytes: Buffer.byteLength(str(m.data), "base64") });
      else if (m.type === "timestamps") {
        const wt = m.word_timestamps as { words?: unknown[] } | undefined;
        onEvent({ type: "timestamps", at, contextId, words: Array.isArray(wt?.words) ? wt.words.length : 0 });
      } else if (m.type === "done") onEvent({ type: "context_done", at, contextId });
      else if (m.type === "error") onEvent({ type: "error", at, contextId, message: errorText(m) });
    });
    const closed = new Promise<void>((resolve) => ws.once("close", () => resolve()));
    const session: TtsSession = {
      request(contextId, transcript) {
        ws.send(JSON.stringify({ ...params, transcript, context_id: contextId, continue: false, max_buffer_delay_ms: 0, add_timestamps: true }));
      },
      async close() {
        ws.close(1000);
        await closed;
      },
      abort: () => ws.terminate(),
    };
    return session;
  },
};
