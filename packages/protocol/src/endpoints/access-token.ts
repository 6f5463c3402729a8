/**
 * Access tokens, `POST /access-token` (PROTOCOL.md §7): grants and expiry in, `{token}` out. A token
 * is used as `Authorization: Bearer` over HTTP or `?access_token=` on WebSockets.
 */
import * as z from "zod";
import { httpErrorBodySchema } from "../shared/errors.js";
import { decodeJsonObject } from "../shared/frame.js";
import { schemaSet, type SchemaOptions } from "../shared/options.js";
import { fromZod, type Result } from "../shared/result.js";
import type { SchemaBuilder } from "../shared/strictness.js";

/** The endpoint's path. */
export const PATH = "/access-token";
/** Longest lifetime a token may ask for, in seconds (§1.6). */
export const MAX_EXPIRES_IN = 3600;
/** What each grant opens (§7). */
export const GRANT_SCOPES = {
  tts: ["/tts/bytes", "/tts/sse", "/tts/websocket"],
  stt: ["/stt/websocket", "/stt/turns/websocket", "/stt", "/audio/transcriptions"],
  agent: ["/agents/stream"],
} as const;
/** A grant name. */
export type Grant = keyof typeof GRANT_SCOPES;

/** Builds every schema of the endpoint at one strictness level. */
export const schemas = schemaSet((s: SchemaBuilder) => {
  // SDK 4.2 types every field `| null` (update D2): null means absent (no grant, the default expiry).
  const grants = s.object({ tts: z.boolean().nullish(), stt: z.boolean().nullish(), agent: z.boolean().nullish() });
  const request = s.object({
    grants: grants.nullish(),
    expires_in: s.range(1, MAX_EXPIRES_IN, z.number().int()).nullish(),
  });
  const response = s.object({ token: z.string() });
  const errorBody = httpErrorBodySchema(s);
  return { grants, request, response, errorBody };
});

type Schemas = ReturnType<typeof schemas>;
/** The grants a token carries. */
export type Grants = z.output<Schemas["grants"]>;
/** A token request body. */
export type Request = z.output<Schemas["request"]>;
/** A token response body. */
export type Response = z.output<Schemas["response"]>;

/** Reads a request body. */
export function parseRequest(body: string, options?: SchemaOptions): Result<Request> {
  const json = decodeJsonObject(body);
  return json.ok ? fromZod(schemas(options).request, json.value) : json;
}

/** Encodes a request body. */
export function encodeRequest(request: Request): string {
  return JSON.stringify(request);
}

/** Reads a response body. */
export function parseResponse(body: string, options?: SchemaOptions): Result<Response> {
  const json = decodeJsonObject(body);
  return json.ok ? fromZod(schemas(options).response, json.value) : json;
}

/** Encodes a response body. */
export function encodeResponse(response: Response): string {
  return JSON.stringify(response);
}

/**
 * Whether `grants` opens `path` (`/s/<scenario>` prefixes stripped by the caller). Total: anything but
 * an object of grants (`null`, an array, a string, a number: e.g. from a token's payload) grants nothing.
 */
export function grantCovers(grants: unknown, path: string): boolean {
  if (typeof grants !== "object" || grants === null || Array.isArray(grants)) return false;
  const given = grants as Record<string, unknown>;
  return (Object.keys(GRANT_SCOPES) as Grant[]).some(
    (grant) => given[grant] === true && GRANT_SCOPES[grant].some((scope) => path === scope || path.startsWith(`${scope}/`)),
  );
}
