/**
 * The client's resolved configuration: base URL (path prefix kept), credentials, version, the
 * WebSocket and fetch implementations, and how credentials travel on WebSockets.
 */
import type { createSessionLinter, Violation } from "@speechwire/protocol";
// The zod-free reader: the main entry would bring zod into browser bundles.
import { DEFAULT_VERSION } from "@speechwire/protocol/reader";
import type { Platform } from "./platform/types.js";
import type { WebSocketConstructor } from "./transport/websocket.js";
import { SpeechwireError } from "./errors.js";

/** The protocol's default `Cartesia-Version` (a literal there, so the version table stays out of bundles). */
export { DEFAULT_VERSION } from "@speechwire/protocol/reader";

/** The default API origin. */
export const DEFAULT_BASE_URL = "https://api.cartesia.ai";

/** Options of `createClient`. */
export interface ClientOptions {
  /** An API key (`sk_car_…`): for servers. Sent as `Authorization: Bearer` (Node) or `?api_key` (browsers). */
  apiKey?: string;
  /** An access token from `accessToken.create`: for browsers. Sent as `?access_token` on WebSockets. */
  accessToken?: string;
  /** API origin, optionally with a path prefix (e.g. `http://127.0.0.1:8787/s/eager-resume`). Default `https://api.cartesia.ai`. */
  baseUrl?: string;
  /** `Cartesia-Version`. Default: the protocol's `DEFAULT_VERSION`, the docs' latest stable (`2026-08-14`). */
  version?: string;
  /**
   * A WebSocket implementation. Default: `ws` in Node (loaded lazily), the global `WebSocket` elsewhere
   * (a browser bundle, through the package's `browser` condition, never looks for `ws`).
   * Pass a `ws`-compatible class in Node to keep header auth; any standard WebSocket otherwise.
   */
  WebSocket?: WebSocketConstructor;
  /** Where credentials and version travel on WebSockets. Default: `headers` with `ws`, `query` otherwise (`headers` needs `ws`). */
  credentialsIn?: "headers" | "query";
  /** A `fetch` implementation. Default: the global one. */
  fetch?: typeof fetch;
  /**
   * Runs the protocol's grammar checkers on every live session and reports each violation as a
   * `violation` event (and to `onViolation`). `true` loads `@speechwire/protocol` when the first
   * session connects (Node: it is a dependency); in a browser bundle pass the protocol's
   * `createSessionLinter` itself, so that only apps that ask for it carry the checkers and zod.
   * @example import { createSessionLinter } from "@speechwire/protocol"; createClient({ debug: createSessionLinter })
   */
  debug?: boolean | typeof createSessionLinter;
  /** Called for every grammar violation when `debug` is on. */
  onViolation?: (violation: Violation, endpoint: "stt-v1" | "stt-turns" | "tts") => void;
}

/** Resolved options shared by every session of a client. */
export interface ClientConfig {
  base: URL;
  apiKey: string | undefined;
  accessToken: string | undefined;
  version: string;
  WebSocket: WebSocketConstructor | undefined;
  credentialsIn: "headers" | "query" | undefined;
  fetch: typeof fetch | undefined;
  debug: boolean;
  /** The linter factory once known (given, or loaded on the first connection when `debug: true`). */
  createLinter: typeof createSessionLinter | undefined;
  onViolation: ClientOptions["onViolation"];
  /** Node or browser defaults (bound by the entry point). */
  platform: Platform;
}

/** Validates and resolves client options for a platform. */
export function resolveConfig(options: ClientOptions, platform: Platform): ClientConfig {
  if (options.apiKey !== undefined && options.accessToken !== undefined) {
    throw new SpeechwireError("createClient: pass apiKey or accessToken, not both");
  }
  let base: URL;
  try {
    base = new URL(options.baseUrl ?? DEFAULT_BASE_URL);
  } catch {
    throw new SpeechwireError(`createClient: baseUrl is not a URL: ${String(options.baseUrl)}`);
  }
  if (!/^(https?|wss?):$/.test(base.protocol)) throw new SpeechwireError(`createClient: baseUrl must be http(s) or ws(s), got ${base.protocol}`);
  return {
    base,
    apiKey: options.apiKey,
    accessToken: options.accessToken,
    version: options.version ?? DEFAULT_VERSION,
    WebSocket: options.WebSocket,
    credentialsIn: options.credentialsIn,
    fetch: options.fetch,
    debug: options.debug === true || typeof options.debug === "function",
    createLinter: typeof options.debug === "function" ? options.debug : undefined,
    onViolation: options.onViolation,
    platform,
  };
}

/** The credential to send, if any. */
export function credential(config: ClientConfig): string | undefined {
  return config.accessToken ?? config.apiKey;
}

/** Joins the base URL's path prefix and an endpoint path (`/s/x` + `/stt/websocket`). */
function joinPath(base: URL, path: string): string {
  return `${base.pathname.replace(/\/+$/, "")}${path}`;
}

/** The HTTP(S) URL of an endpoint, with a query string (already encoded). */
export function httpUrl(config: ClientConfig, path: string, query = ""): string {
  const url = new URL(config.base.href);
  url.protocol = url.protocol === "wss:" ? "https:" : url.protocol === "ws:" ? "http:" : url.protocol;
  url.pathname = joinPath(config.base, path);
  url.search = query;
  url.hash = "";
  return url.href;
}

/** The WebSocket URL of an endpoint: http → ws, https → wss, path prefix kept. */
export function wsUrl(config: ClientConfig, path: string, query = ""): string {
  const url = new URL(config.base.href);
  url.protocol = url.protocol === "https:" || url.protocol === "wss:" ? "wss:" : "ws:";
  url.pathname = joinPath(config.base, path);
  url.search = query;
  url.hash = "";
  return url.href;
}

/** HTTP headers every request carries: auth and version. */
export function httpHeaders(config: ClientConfig): Record<string, string> {
  const token = credential(config);
  return { "cartesia-version": config.version, ...(token ? { authorization: `Bearer ${token}` } : {}) };
}
