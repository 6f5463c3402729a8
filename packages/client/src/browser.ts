/**
 * @speechwire/client for browser bundles (the package's `browser` export condition): the same surface
 * as index.ts, bound to the browser platform — the native `WebSocket`, credentials in the query, and
 * neither the `ws` wiring nor the lazy loaders in the bundle.
 */
import { clientOn, type Client } from "./client.js";
import type { ClientOptions } from "./config.js";
import { browserPlatform } from "./platform/browser.js";

export * from "./public.js";

/**
 * Creates a client.
 * @example const client = createClient({ baseUrl, accessToken }); // a token minted by your server
 */
export function createClient(options: ClientOptions = {}): Client {
  return clientOn(browserPlatform, options);
}
