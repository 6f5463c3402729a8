/**
 * @speechwire/client: a small, typed client for Cartesia's realtime speech APIs — STT v1, STT
 * turns, TTS over WebSocket, bytes and SSE, batch STT, access tokens — in Node and the browser.
 * Message shapes come from `@speechwire/protocol`.
 *
 * This is the entry for Node and every runtime that is not a browser bundle; bundlers that honour the
 * `browser` export condition get browser.ts, the same surface without the `ws` wiring.
 */
import { clientOn, type Client } from "./client.js";
import type { ClientOptions } from "./config.js";
import { nodePlatform } from "./platform/node.js";

export * from "./public.js";

/**
 * Creates a client.
 * @example const client = createClient({ apiKey: process.env.CARTESIA_API_KEY });
 */
export function createClient(options: ClientOptions = {}): Client {
  return clientOn(nodePlatform, options);
}
