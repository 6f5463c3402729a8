/**
 * What differs between Node and browsers. Each entry point binds one: `@speechwire/client` resolves
 * to `index.js` (Node and everything else) or, for bundlers that honour the `browser` condition, to
 * `browser.js`, so browser bundles carry neither the `ws` wiring nor the lazy loaders.
 */
import type { createSessionLinter } from "@speechwire/protocol";
import type { ClientConfig } from "../config.js";
import type { SocketWiring, WebSocketConstructor } from "../transport/websocket.js";

/** The WebSocket class a session uses, how its sockets are wired, and where credentials go. */
export interface ResolvedWebSocket {
  ctor: WebSocketConstructor;
  wiring: SocketWiring;
  credentialsIn: "headers" | "query";
}

/** One runtime's defaults; see the module comment. */
export interface Platform {
  /** Picks the WebSocket class (the one passed to `createClient`, else the runtime's) and its wiring. */
  resolveWebSocket(config: ClientConfig): Promise<ResolvedWebSocket>;
  /** Loads the protocol's `createSessionLinter` for `debug: true`; absent where it cannot (browser bundles). */
  loadLinter?: () => Promise<typeof createSessionLinter | undefined>;
}
