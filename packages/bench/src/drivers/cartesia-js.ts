/**
 * The `@cartesia/cartesia-js` 4.2.0 driver. Its ES-module build cannot load `ws` on Node 20 (a bare
 * `require('ws')` inside an ES module), so the CommonJS build is loaded through `createRequire`
 * (packages/mock-server/docs/real-clients.md). Its TTS socket always uses `wss`, so against the
 * embedded mock it goes to the mock's TLS port (the handshake then includes TLS: reported as is).
 */
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import type { Endpoint } from "../metrics/definitions.js";
import type { BenchEvent, Driver, SttSession, TtsSession } from "./types.js";

// The surface of cartesia-js the driver uses (its own types come from the ESM build we do not load).
interface Emitter {
  on(event: string, listener: (e: Record<string, unknown>) => void): unknown;
}
interface RawSocket {
  on(event: "open" | "close" | "error", listener: (...args: unknown[]) => void): unknown;
  once(event: "open" | "close" | "error", listener: (...args: unknown[]) => void): unknown;
  readyState: number;
}
interface SttWs extends Emitter {
  socket: RawSocket;
  send(event: unknown): void;
  sendRaw(data: Uint8Array): void;
  close(props?: { code: number; reason: string }): void;
}
interface TtsCtx {
  send(request: Record<string, unknown>): Promise<void>;
  receive(): AsyncGenerator<Record<string, unknown>>;
}
interface TtsWs {
  context(options: Record<string, unknown>): TtsCtx;
  close(): void;
}
interface CartesiaClient {
  stt: {
    manualFinalize: { websocket(params: Record<string, unknown>): SttWs };
    autoFinalize: { websocket(params: Record<string, unknown>): SttWs };
  };
  tts: { websocket(options?: Record<string, unknown>): Promise<TtsWs> };
}
type CartesiaCtor = new (options: { apiKey: string; baseURL: string }) => CartesiaClient;

let ctor: CartesiaCtor | undefined;
function Cartesia(): CartesiaCtor {
  ctor ??= (createRequire(import.meta.url)("@cartesia/cartesia-js") as { Cartesia: CartesiaCtor }).Cartesia;
  return ctor;
}

const str = (v: unknown) => (typeof v === "string" ? v : "");

/** Waits for a cartesia-js STT socket to open (its `socket` is the `ws` wrapper). */
function opened(ws: SttWs): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.on("error", (e) => reject(new Error(str(e.message) || "cartesia-js socket error")));
    ws.socket.once("open", () => resolve());
    ws.socket.once("close", () => reject(new Error("socket closed before open")));
  });
}

function sttSession(ws: SttWs, onEvent: (e: BenchEvent) => void, closeCommand: unknown): SttSession {
  const ended = new Promise<void>((resolve) => {
    ws.socket.on("close", (code) => {
      onEvent({ type: "closed", at: performance.now(), code: typeof code === "number" ? code : undefined });
      resolve();
    });
  });
  return {
    sendAudio: (bytes) => ws.sendRaw(bytes),
    finalize: () => ws.send("finalize"),
    close: () => ws.send(closeCommand),
    ended,
    abort: () => ws.close({ code: 1000, reason: "aborted" }),
  };
}

/** The `@cartesia/cartesia-js` 4.2.0 driver (STT v1, STT turns and the TTS WebSocket). */
export const cartesiaJsDriver: Driver = {
  name: "cartesia-js",
  unsupported: (_endpoint: Endpoint) => undefined,

  async openSttV1(connection, params, onEvent) {
    const ws = new (Cartesia())({ apiKey: connection.apiKey, baseURL: connection.baseUrl }).stt.manualFinalize.websocket({ ...params });
    ws.on("event", (m) => {
      const at = performance.now();
      if (m.type === "transcript") onEvent({ type: "transcript", at, isFinal: m.is_final === true, text: str(m.text) });
      else if (m.type === "flush_done" || m.type === "done") onEvent({ type: m.type, at });
    });
    ws.on("error", (e) => onEvent({ type: "error", at: performance.now(), message: str(e.message) }));
    await opened(ws);
    return sttSession(ws, onEvent, "close");
  },

  async openTurns(connection, params, onEvent) {
    const ws = new (Cartesia())({ apiKey: connection.apiKey, baseURL: connection.baseUrl }).stt.autoFinalize.websocket({ ...params });
    ws.on("event", (m) => {
      const at = performance.now();
      const type = m.type;
      if (type === "turn.start" || type === "turn.update" || type === "turn.eager_end" || type === "turn.resume" || type === "turn.end" || type === "connected") {
        onEvent(typeof m.transcript === "string" ? { type, at, transcript: m.transcript } : { type, at });
      }
    });
    ws.on("error", (e) => onEvent({ type: "error", at: performance.now(), message: str(e.message) }));
    await opened(ws);
    return sttSession(ws, onEvent, { type: "close" });
  },

  async openTts(connection, params, onEvent) {
    const client = new (Cartesia())({ apiKey: connection.apiKey, baseURL: connection.tlsBaseUrl ?? connection.baseUrl });
    const ws = await client.tts.websocket(connection.ca ? { ca: connection.ca } : {});
    const contexts: Promise<void>[] = [];
    return {
      request(contextId, transcript) {
        const ctx = ws.context({ ...params, context_id: contextId, max_buffer_delay_ms: 0, add_timestamps: true });
        // One message: the whole transcript with continue:false (what `ctx.send` allows).
        const sent = ctx.send({ transcript, continue: false });
        contexts.push(
          (async () => {
            try {
              await sent;
              for await (const m of ctx.receive()) {
                const at = performance.now();
                if (m.type === "chunk") onEvent({ type: "chunk", at, contextId, bytes: Buffer.byteLength(str(m.data), "base64") });
                else if (m.type === "timestamps") {
                  const wt = m.word_timestamps as { words?: unknown[] } | undefined;
                  onEvent({ type: "timestamps", at, contextId, words: Array.isArray(wt?.words) ? wt.words.length : 0 });
                } else if (m.type === "done") onEvent({ type: "context_done", at, contextId });
              }
            } catch (error) {
              onEvent({ type: "error", at: performance.now(), contextId, message: error instanceof Error ? error.message : String(error) });
            }
          })(),
        );
      },
      async close() {
        await Promise.all(contexts);
        ws.close();
      },
      abort: () => ws.close(),
    } satisfies TtsSession;
  },
};
