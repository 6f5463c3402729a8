/**
 * The WebSocket factory. The platform (see platform/) picks the class and its wiring: in Node `ws`
 * with `Authorization: Bearer` and `Cartesia-Version` headers, where a refused handshake becomes a
 * `CartesiaApiError` with status and body (transport/ws.ts); in browsers the native `WebSocket` with
 * credentials and version in the query (browsers cannot set handshake headers).
 */
import { ConnectionError } from "../errors.js";
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

/** What a wiring reports to the socket it opens. */
export interface SocketHooks {
  open(): void;
  message(data: string | Uint8Array): void;
  /** The connection is gone (once). */
  close(code: number, reason: string): void;
  /** The server refused the handshake (a typed error with its status, where the class exposes it). */
  refused(error: Error): void;
  /** A transport error; it fails the handshake when it comes before `open`. */
  failed(error: Error): void;
  /** The upgrade response's request id, where the class exposes headers. */
  requestId(id: string | undefined): void;
}

/** How sockets of one WebSocket class are created and listened to (`ws` has more than the standard surface). */
export interface SocketWiring {
  /** Whether `create` can send handshake headers. */
  readonly headers: boolean;
  create(ctor: WebSocketConstructor, url: string, headers: Record<string, string>): WebSocketLike;
  attach(raw: WebSocketLike, hooks: SocketHooks): void;
  /** Drops the connection without a close handshake; false when the class cannot, and no close event will follow. */
  terminate(raw: WebSocketLike): boolean;
  /** Sends one frame (default `raw.send`); `ws` batches the frames of one tick into one socket write. */
  send?(raw: WebSocketLike, data: string | Uint8Array): void;
}

/** The standard (browser) surface: `on*` handlers; no headers, no handshake details. */
export const standardWiring: SocketWiring = {
  headers: false,
  create: (ctor, url) => new ctor(url),
  attach(raw, hooks) {
    raw.onopen = hooks.open;
    raw.onmessage = (event) => {
      const data = event.data;
      if (typeof data === "string") hooks.message(data);
      else if (data instanceof ArrayBuffer) hooks.message(new Uint8Array(data));
      else if (ArrayBuffer.isView(data)) hooks.message(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    };
    raw.onerror = () => {
      // Browsers give no detail; the close event that follows carries the code.
    };
    raw.onclose = (event) => hooks.close(event.code, event.reason);
  },
  terminate(raw) {
    try {
      raw.close();
    } catch {
      // Already closed.
    }
    return false;
  },
};

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

/**
 * Opens a WebSocket to an endpoint with the client's credentials and version. (A session that lints
 * calls `prepareDebug` first: the plain turns socket has no linter, and so does not bundle it.)
 */
export async function connectWebSocket(config: ClientConfig, options: ConnectOptions): Promise<Socket> {
  const { ctor, wiring, credentialsIn } = await config.platform.resolveWebSocket(config);
  if (credentialsIn === "headers" && !wiring.headers) {
    throw new ConnectionError('credentialsIn: "headers" needs a `ws`-compatible WebSocket class: a standard WebSocket cannot send handshake headers');
  }
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
  return openSocket(ctor, wiring, url, headers, options.signal, options.timeoutMs ?? 10_000);
}

/** Opens one socket; resolves once open, rejects with a typed error when the handshake fails. */
function openSocket(ctor: WebSocketConstructor, wiring: SocketWiring, url: string, headers: Record<string, string>, signal: AbortSignal | undefined, timeoutMs: number): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    let raw: WebSocketLike;
    try {
      raw = wiring.create(ctor, url, headers);
    } catch (error) {
      reject(new ConnectionError(`Cannot open ${url}: ${(error as Error).message}`, { cause: error }));
      return;
    }
    raw.binaryType = "arraybuffer";
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
        if (raw.readyState !== OPEN) return;
        if (wiring.send) wiring.send(raw, data);
        else raw.send(data);
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
        // A browser socket cannot be cut: report it gone now.
        if (!wiring.terminate(raw)) finishClose(1006, "terminated");
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

    wiring.attach(raw, {
      open: onOpen,
      message: deliver,
      close: finishClose,
      refused: fail,
      failed(error) {
        if (!opened) fail(new ConnectionError(`WebSocket connection failed (${redactUrl(url)}): ${error.message}`, { cause: error }));
      },
      requestId(id) {
        requestId = id;
      },
    });
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
