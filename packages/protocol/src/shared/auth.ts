/** Authentication parameters (PROTOCOL.md §1.2). */

/** Query parameters that carry credentials on WebSockets (browsers cannot set headers). */
export const AUTH_QUERY_PARAMS = ["api_key", "access_token"] as const;

/** Where a credential was found. */
export type CredentialSource = "authorization" | "x-api-key" | "query:api_key" | "query:access_token";

/**
 * A credential as sent. `bearer` may hold an API key or an access token: the server tells them apart;
 * `api_key` and `access_token` say which by their parameter name.
 */
export interface Credential {
  kind: "bearer" | "api_key" | "access_token";
  value: string;
  source: CredentialSource;
}

/** Headers as Node (`IncomingHttpHeaders`), fetch (`Headers`) or a plain record give them. */
export type HeadersLike =
  | { get(name: string): string | null }
  | Record<string, string | string[] | undefined>;

/** Reads one header case-insensitively (the first value when repeated). */
export function headerValue(headers: HeadersLike | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as { get(n: string): string | null }).get(name) ?? undefined;
  }
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/**
 * HTTP's own whitespace around a header value (RFC 9110 OWS: SP and HTAB). Only these are stripped:
 * JavaScript's `trim()` and `\s` also strip U+00A0 and other Unicode spaces, which made a configured key
 * followed by a no-break space match.
 */
const OWS_EDGES = /^[ \t]+|[ \t]+$/g;
/** `Bearer <credential>`: the scheme in any case, SP/HTAB around, the credential up to the next SP/HTAB. */
const BEARER = /^[ \t]*bearer[ \t]+([^ \t]+)[ \t]*$/i;

/**
 * Every credential a request carries, in the order a server should try them:
 * `Authorization: Bearer`, `X-API-Key` (any case), `?access_token`, `?api_key`. Values are exact: only
 * SP and HTAB around a header's credential are stripped, and query values are taken as decoded.
 */
export function readCredentials(input: { headers?: HeadersLike; query?: URLSearchParams }): Credential[] {
  const found: Credential[] = [];
  const authorization = headerValue(input.headers, "authorization");
  const bearer = authorization ? BEARER.exec(authorization) : null;
  if (bearer?.[1]) found.push({ kind: "bearer", value: bearer[1], source: "authorization" });
  const apiKeyHeader = headerValue(input.headers, "x-api-key")?.replace(OWS_EDGES, "");
  if (apiKeyHeader) found.push({ kind: "api_key", value: apiKeyHeader, source: "x-api-key" });
  const token = input.query?.get("access_token");
  if (token) found.push({ kind: "access_token", value: token, source: "query:access_token" });
  const key = input.query?.get("api_key");
  if (key) found.push({ kind: "api_key", value: key, source: "query:api_key" });
  return found;
}

/** What a client authenticates with. */
export type ClientAuth = { apiKey: string } | { accessToken: string };

/** Headers a Node client sends: `Authorization: Bearer` for both keys and tokens (§1.2). */
export function authHeaders(auth: ClientAuth): Record<string, string> {
  return { authorization: `Bearer ${"apiKey" in auth ? auth.apiKey : auth.accessToken}` };
}

/** Query parameters a browser client sends on a WebSocket: `access_token`, else `api_key` (§1.2). */
export function authQuery(auth: ClientAuth): Record<string, string> {
  return "accessToken" in auth ? { access_token: auth.accessToken } : { api_key: auth.apiKey };
}

/** True for admin keys (`sk_car_admin_…`), which only work on admin routes. */
export function isAdminKey(key: string): boolean {
  return key.startsWith("sk_car_admin_");
}
