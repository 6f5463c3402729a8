/**
 * Wiring for `ws` (Node): handshake headers, the upgrade response's request id, and a refused
 * handshake read as a typed `CartesiaApiError` with its status and body. Only the Node entry imports
 * this file.
 */
import { CartesiaApiError } from "../errors.js";
import type { SocketWiring, WebSocketConstructor, WebSocketLike } from "./websocket.js";

type Headers = Record<string, string | string[] | undefined>;

/** What `ws` adds on top of the standard surface (typed here so `@types/ws` is not needed by users). */
interface WsExtras {
  on(event: "message", fn: (data: Uint8Array & { toString(encoding?: string): string }, isBinary: boolean) => void): void;
  on(event: "close", fn: (code: number, reason: { toString(): string }) => void): void;
  on(event: "error", fn: (error: Error) => void): void;
  on(event: "open", fn: () => void): void;
  on(event: "upgrade", fn: (res: { headers: Headers }) => void): void;
  on(event: "unexpected-response", fn: (req: unknown, res: { statusCode?: number; headers: Headers; on(e: string, f: (chunk?: unknown) => void): void }) => void): void;
  terminate(): void;
  /** The TCP (or TLS) socket under it: `ws`'s own field, stable across its 8.x releases. */
  _socket?: { cork(): void; uncork(): void } | null;
}

/** Sockets corked by the sends of one synchronous run, uncorked together right after it (a microtask). */
const corked = new Set<{ cork(): void; uncork(): void }>();
let uncorkQueued = false;
function uncorkAll(): void {
  uncorkQueued = false;
  for (const socket of corked) socket.uncork();
  corked.clear();
}

/** True for `ws`'s class (or a subclass): it takes headers and reports refused handshakes. */
export function isWsClass(ctor: WebSocketConstructor): boolean {
  const proto = (ctor as { prototype?: Record<string, unknown> }).prototype;
  return typeof proto?.terminate === "function" && typeof proto.on === "function";
}

function requestIdOf(headers: Headers): string | undefined {
  const value = headers["cartesia-request-id"] ?? headers["x-request-id"];
  return Array.isArray(value) ? value[0] : value;
}

/** The `ws` wiring: see the module comment. */
export const wsWiring: SocketWiring = {
  headers: true,
  create: (ctor, url, headers) => new ctor(url, undefined, { headers, perMessageDeflate: false }),
  attach(raw, hooks) {
    const w = raw as WebSocketLike & WsExtras;
    w.on("upgrade", (res) => hooks.requestId(requestIdOf(res.headers)));
    w.on("unexpected-response", (_req, res) => {
      let body = "";
      const refuse = () => {
        hooks.refused(CartesiaApiError.fromHttp(res.statusCode ?? 0, body, requestIdOf(res.headers), "handshake"));
        w.terminate();
      };
      res.on("data", (chunk) => {
        if (body.length < 65_536) body += String(chunk);
      });
      res.on("end", refuse);
      res.on("error", refuse);
    });
    w.on("open", hooks.open);
    w.on("message", (data, isBinary) => hooks.message(isBinary ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : data.toString("utf8")));
    w.on("error", (error) => hooks.failed(error));
    w.on("close", (code, reason) => hooks.close(code, reason.toString()));
  },
  terminate(raw) {
    (raw as WebSocketLike & WsExtras).terminate();
    return true;
  },
  send(raw, data) {
    // Many small frames in one tick (a burst of 20 ms chunks, a replay after a reconnect) would be one
    // write call each; corked until the current run of code ends they leave in one, in the same order.
    const socket = (raw as WebSocketLike & WsExtras)._socket;
    if (socket && !corked.has(socket)) {
      socket.cork();
      corked.add(socket);
      if (!uncorkQueued) {
        uncorkQueued = true;
        queueMicrotask(uncorkAll);
      }
    }
    raw.send(data);
  },
};
