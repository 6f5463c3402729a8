/** Browsers: the native `WebSocket` (or the one passed), credentials in the query, no lazy loaders. */
import { ConnectionError } from "../errors.js";
import { standardWiring, type WebSocketConstructor } from "../transport/websocket.js";
import type { Platform } from "./types.js";

/** The browser platform: see the module comment. */
export const browserPlatform: Platform = {
  async resolveWebSocket(config) {
    const ctor = config.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!ctor) throw new ConnectionError("No WebSocket implementation: pass `WebSocket` to createClient");
    return { ctor, wiring: standardWiring, credentialsIn: config.credentialsIn ?? "query" };
  },
};
