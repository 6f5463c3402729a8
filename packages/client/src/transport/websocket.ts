/**
 * The WebSocket factory. Node uses `ws` (imported lazily, so browser bundles never contain it) with
 * `Authorization: Bearer` and `Cartesia-Version` headers; browsers use the native `WebSocket` with
 * credentials and version in the query (browsers cannot set handshake headers). A refused handshake
 * becomes a `CartesiaApiError` with the status and body when the implementation exposes them (`ws`).
 */
import { prepareDebug } from "../debug.js";
import { CartesiaApiError, ConnectionError } from "../errors.js";
import { abortReason } from "../util/abort.js";
import { unref } from "../util/promise.js";
import type { ClientConfig } from "../config.js";
import { credential, wsUrl } from "../config.js";

/** The standard WebSocket surface this client needs (the browser's, which `ws` also implements). */
export interface WebSocketLike {
  readonly readyState: number;
  readonly bufferedAmount: number;
  binaryType: string;
  send(data: string | ArrayBufferLike | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** A WebSocket class: the global one, `ws`'s, or any compatible one. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[], options?: object) => WebSocketLike;

/** What `ws` adds on top of the standard surface (typed here so `@types/ws` is not needed by users). */
interface WsExtras {
  on(event: "message", fn: (data: Uint8Array & { toString(encoding?: string): string }, isBinary: boolean) => void): void;
  on(event: "close", fn: (code: number, reason: { toString(): string }) => void): void;
  on(event: "error", fn: (error: Error) => void): void;
  on(event: "open", fn: () => void): void;
  on(event: "upgrade", fn: (res: { headers: Record<string, string | string[] | undefined> }) => void): void;
  on(
    event: "unexpected-response",
    fn: (req: unknown, res: { statusCode?: number; headers: Record<string, string | string[] | undefined>; on(e: string, f: (chunk?: unknown) => void): void; resume(): void }) => void,
  ): void;
  terminate(): void;
}

/** One open connection, transport-neutral. */
export interface Socket {
  /** The request id of the upgrade response (`cartesia-request-id` / `X-Request-Id`), when readable. */
  readonly requestId: string | undefined;
  readonly isOpen: boolean;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  /** Drops the connection without a close handshake. */
  terminate(): void;
  /**
   * Called once by the owner: `onMessage` gets each text frame (string) or binary frame, `onClose`
   * once when the connection is gone. What arrived before (a server may send in the same packet as
   * the upgrade response) is held and delivered now, in order.
   */
  listen(onMessage: (data: string | Uint8Array) => void, onClose: (code: number, reason: string) => void): void;
}

const OPEN = 1;
const isNode = (): boolean => typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === "string";

/** True for `ws`'s class (or a subclass): it takes headers and reports refused handshakes. */
function isWsClass(ctor: WebSocketConstructor): boolean {
  const proto = (ctor as { prototype?: Record<string, unknown> }).prototype;
  return typeof proto?.terminate === "function" && typeof proto.on === "function";
}

let wsModule: Promise<WebSocketConstructor | undefined> | undefined;

/** `"ws"`, built at run time so that no bundler resolves it into a browser bundle. */
const wsSpecifier = (): string => ["w", "s"].join("");

/** Loads `ws` on first use (Node only). */
function loadWs(): Promise<WebSocketConstructor | undefined> {
  wsModule ??= import(/* @vite-ignore */ /* webpackIgnore: true */ wsSpecifier()).then(
    (mod: { WebSocket?: WebSocketConstructor; default?: WebSocketConstructor }) => mod.WebSocket ?? mod.default,
    () => undefined,
  );
  return wsModule;
}

/** Picks the WebSocket class and where credentials go. */
export async function resolveWebSocket(config: ClientConfig): Promise<{ ctor: WebSocketConstructor; credentialsIn: "headers" | "query"; ws: boolean }> {
  let ctor = config.WebSocket;
  if (!ctor && isNode()) ctor = await loadWs();
  ctor ??= (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!ctor) throw new ConnectionError("No WebSocket implementation: install `ws` or pass `WebSocket` to createClient");
  const ws = isWsClass(ctor);
  return { ctor, ws, credentialsIn: config.credentialsIn ?? (ws ? "headers" : "query") };
}

/** Auth and version as query parameters (browsers), in the names every endpoint's query schema has. */
export interface QueryAuth {
  cartesia_version?: string;
  access_token?: string;
  api_key?: string;
}

/** Options of `connectWebSocket`. */
export interface ConnectOptions {
  /** The endpoint path (`/stt/websocket`). */
  path: string;
  /** Encodes the endpoint's query, given the auth parameters to add (none in header mode). */
  query: (auth: QueryAuth) => string;
  signal?: AbortSignal;
  /** Handshake time limit. Default 10 s. */
  timeoutMs?: number;
}

/** Opens a WebSocket to an endpoint with the client's credentials and version. */
export async function connectWebSocket(config: ClientConfig, options: ConnectOptions): Promise<Socket> {
  await prepareDebug(config);
  const { ctor, ws, credentialsIn } = await resolveWebSocket(config);
  const token = credential(config);
  const auth: QueryAuth = {};
  const headers: Record<string, string> = {};
  if (credentialsIn === "query") {
    auth.cartesia_version = config.version;
    if (config.accessToken) auth.access_token = config.accessToken;
    else if (config.apiKey) auth.api_key = config.apiKey;
  } else {
    headers["cartesia-version"] = config.version;
    if (token) headers.authorization = `Bearer ${token}`;
  }
  const url = wsUrl(config, options.path, options.query(auth));
  return openSocket(ctor, url, ws ? headers : undefined, options.signal, options.timeoutMs ?? 10_000);
}

function headerString(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Opens one socket; resolves once open, rejects with a typed error when the handshake fails. */
function openSocket(ctor: WebSocketConstructor, url: string, headers: Record<string, string> | undefined, signal: AbortSignal | undefined, timeoutMs: number): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    let raw: WebSocketLike & Partial<WsExtras>;
    try {
      raw = headers ? new ctor(url, undefined, { headers, perMessageDeflate: false }) : new ctor(url);
    } catch (error) {
      reject(new ConnectionError(`Cannot open ${url}: ${(error as Error).message}`, { cause: error }));
      return;
    }
    raw.binaryType = "arraybuffer";
    const isWs = typeof raw.on === "function" && typeof raw.terminate === "function";
    let settled = false;
    let opened = false;
    let closed = false;
    let requestId: string | undefined;
    // Until the owner listens (and while it catches up), frames and the close wait here, in order.
    let held: (() => void)[] | undefined = [];
    let onMessage: (data: string | Uint8Array) => void;
    let onClose: (code: number, reason: string) => void;
    const deliver = (data: string | Uint8Array) => {
      if (held) held.push(() => onMessage(data));
      else onMessage(data);
    };

    const socket: Socket = {
      get requestId() {
        return requestId;
      },
      get isOpen() {
        return raw.readyState === OPEN;
      },
      send(data) {
        if (raw.readyState === OPEN) raw.send(data);
      },
      close(code, reason) {
        try {
          raw.close(code, reason);
        } catch {
          // Closing a socket that is not open yet can throw in browsers: drop it instead.
          socket.terminate();
        }
      },
      terminate() {
        if (isWs) (raw as WsExtras).terminate();
        else {
          try {
            raw.close();
          } catch {
            // Already closed.
          }
          // A browser socket cannot be cut; report it gone now.
          finishClose(1006, "terminated");
        }
      },
      listen(message, close) {
        onMessage = message;
        onClose = close;
        // Whatever arrives while the held events run is appended and runs in turn.
        for (let i = 0; held && i < held.length; i += 1) (held[i] as () => void)();
        held = undefined;
      },
    };

    const timer = unref(
      setTimeout(() => {
        fail(new ConnectionError(`WebSocket handshake timed out after ${timeoutMs} ms (${redactUrl(url)})`));
        socket.terminate();
      }, timeoutMs),
    );
    const detachAbort = signal ? onAbortOnce(signal, () => {
      fail(abortReason(signal));
      socket.terminate();
    }) : () => {};

    function fail(error: Error): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      detachAbort();
      reject(error);
    }

    function finishClose(code: number, reason: string): void {
      if (closed) return;
      closed = true;
      if (!opened) {
        fail(new ConnectionError(`WebSocket handshake failed (${redactUrl(url)}): close ${code}${reason ? ` ${reason}` : ""}`, { closeCode: code, reason }));
        return;
      }
      if (held) held.push(() => onClose(code, reason));
      else onClose(code, reason);
    }

    const onOpen = () => {
      if (settled) {
        // Aborted or timed out meanwhile.
        socket.terminate();
        return;
      }
      opened = true;
      settled = true;
      clearTimeout(timer);
      detachAbort();
      resolve(socket);
    };

    if (isWs) {
      const w = raw as WsExtras;
      w.on("upgrade", (res) => {
        requestId = headerString(res.headers["cartesia-request-id"]) ?? headerString(res.headers["x-request-id"]);
      });
      w.on("unexpected-response", (_req, res) => {
        const status = res.statusCode ?? 0;
        const rid = headerString(res.headers["cartesia-request-id"]) ?? headerString(res.headers["x-request-id"]);
        let body = "";
        res.on("data", (chunk) => {
          if (body.length < 65_536) body += String(chunk);
        });
        res.on("end", () => {
          fail(CartesiaApiError.fromHttp(status, body, rid, "handshake"));
          w.terminate();
        });
        res.on("error", () => {
          fail(CartesiaApiError.fromHttp(status, body, rid, "handshake"));
          w.terminate();
        });
      });
      w.on("open", onOpen);
      w.on("message", (data, isBinary) => {
        deliver(isBinary ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : data.toString("utf8"));
      });
      w.on("error", (error) => {
        if (!opened) fail(new ConnectionError(`WebSocket connection failed (${redactUrl(url)}): ${error.message}`, { cause: error }));
      });
      w.on("close", (code, reason) => finishClose(code, reason.toString()));
    } else {
      raw.onopen = onOpen;
      raw.onmessage = (event) => {
        const data = event.data;
        if (typeof data === "string") deliver(data);
        else if (data instanceof ArrayBuffer) deliver(new Uint8Array(data));
        else if (ArrayBuffer.isView(data)) deliver(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      };
      raw.onerror = () => {
        // Browsers give no detail; the close event that follows carries the code.
      };
      raw.onclose = (event) => finishClose(event.code, event.reason);
    }
  });
}

function onAbortOnce(signal: AbortSignal, fn: () => void): () => void {
  signal.addEventListener("abort", fn, { once: true });
  return () => signal.removeEventListener("abort", fn);
}

/** A URL with credentials in its query masked, for error messages. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:api_key|access_token)=)[^&]*/g, "$1***");
}
