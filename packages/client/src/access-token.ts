/** Access tokens, `POST /access-token` (PROTOCOL.md §7): mint short-lived tokens for browsers. */
import { accessToken } from "@speechwire/protocol";
import type { ClientConfig } from "./config.js";
import { SpeechwireError } from "./errors.js";
import { request } from "./transport/http.js";

/** What a token may open: `{ stt?: boolean, tts?: boolean, agent?: boolean }`. */
export type Grants = accessToken.Grants;

/** Mints a token with `grants`, valid for `expiresIn` seconds (at most 3600). */
export async function createAccessToken(config: ClientConfig, grants: Grants, expiresIn?: number, options: { signal?: AbortSignal } = {}): Promise<accessToken.Response> {
  const body = accessToken.encodeRequest({ grants, ...(expiresIn !== undefined ? { expires_in: expiresIn } : {}) });
  const res = await request(config, {
    path: accessToken.PATH,
    body,
    headers: { "content-type": "application/json" },
    signal: options.signal,
  });
  const parsed = accessToken.parseResponse(await res.text(), { version: config.version });
  if (!parsed.ok) throw new SpeechwireError(`unexpected /access-token response: ${parsed.error.message}`);
  return parsed.value;
}
