/** `@speechwire/client/access-token` for browser bundles (the `browser` export condition): minting access tokens (`POST /access-token`), usually on a server. */
import type { accessToken } from "@speechwire/protocol";
import { createAccessToken as createOn, type Grants } from "../access-token.js";
import { resolveConfig, type ClientOptions } from "../config.js";
import { browserPlatform } from "../platform/browser.js";
import { quiet } from "../util/promise.js";

export * from "./access-token.surface.js";

/** Mints an access token with these grants, valid for `expiresIn` seconds (≤ 3600), as `createClient(client).accessToken.create` does. */
export function createAccessToken(client: ClientOptions, grants: Grants, expiresIn?: number, options?: { signal?: AbortSignal }): Promise<accessToken.Response> {
  return quiet(createOn(resolveConfig(client, browserPlatform), grants, expiresIn, options));
}
