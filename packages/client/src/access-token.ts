/** Access tokens, `POST /access-token` (PROTOCOL.md §7): mint short-lived tokens for browsers. */
import type { accessToken } from "@speechwire/protocol";
import { PATHS, readAccessTokenResponse } from "@speechwire/protocol/reader";
import type { ClientConfig } from "./config.js";
import { SpeechwireError } from "./errors.js";
import { request } from "./transport/http.js";

/** What a token may open: `{ stt?: boolean, tts?: boolean, agent?: boolean }`. */
export type Grants = accessToken.Grants;

/** Mints a token with `grants`, valid for `expiresIn` seconds (at most 3600). */
export async function createAccessToken(config: ClientConfig, grants: Grants, expiresIn?: number, options: { signal?: AbortSignal } = {}): Promise<accessToken.Response> {
  const body = JSON.stringify({ grants, ...(expiresIn !== undefined ? { expires_in: expiresIn } : {}) } satisfies accessToken.Request);
  const res = await request(config, {
    path: PATHS.accessToken,
    body,
    headers: { "content-type": "application/json" },
    signal: options.signal,
  });
  const parsed = readAccessTokenResponse(await res.text());
  if (!parsed.ok) throw new SpeechwireError(`unexpected /access-token response: ${parsed.error.message}`);
  return parsed.value;
}
