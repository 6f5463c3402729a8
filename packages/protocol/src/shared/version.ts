import { API_VERSIONS, DEFAULT_VERSION } from "../models/versions.js";
import { fail, ok, type Result } from "./result.js";

/** A known `Cartesia-Version` date. */
export type KnownVersion = (typeof API_VERSIONS)[number]["date"];
/** `Cartesia-Version` dates seen in the wild (§1.3), oldest first: the dates of `API_VERSIONS`. */
// Pure: a bundle that reads only DEFAULT_VERSION drops this and the table with it.
export const KNOWN_VERSIONS: readonly KnownVersion[] = /* @__PURE__ */ API_VERSIONS.map((v) => v.date);

export { DEFAULT_VERSION } from "../models/versions.js";

/** From this version on, errors are structured JSON (§1.4). */
export const STRUCTURED_ERRORS_SINCE = "2026-03-01";
/** From this version on, the TTS voice is `string | {id}` instead of `{mode:"id", id}` (§5.2). */
export const VOICE_ID_OR_STRING_SINCE = "2026-08-14";

/** The query parameter that carries the version on WebSockets. */
export const VERSION_QUERY_PARAM = "cartesia_version";
/** The header that carries the version (header names are case-insensitive). */
export const VERSION_HEADER = "cartesia-version";

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Checks that a version is a well-formed `YYYY-MM-DD` calendar date (known or not). */
export function parseVersion(value: string): Result<string> {
  const m = DATE.exec(value.trim());
  if (!m) return fail("invalid_message", [{ path: "cartesia_version", message: `expected a YYYY-MM-DD date, got "${value}"` }]);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return fail("invalid_message", [{ path: "cartesia_version", message: `"${value}" is not a calendar date` }]);
  }
  return ok(value.trim());
}

/** Where a version came from. */
export type VersionSource = "query" | "header" | "default";

/**
 * Reads the session's version: `?cartesia_version` wins over the `Cartesia-Version` header (§1.3);
 * with neither, the default. A malformed value is an error (the field is named).
 * @example resolveVersion({ header: "2025-04-16", query: "2026-03-01" }) // ok: 2026-03-01 from query
 */
export function resolveVersion(input: {
  header?: string | null | undefined;
  query?: string | null | undefined;
  fallback?: string;
}): Result<{ version: string; source: VersionSource }> {
  const pick: [string, VersionSource] | undefined =
    input.query != null && input.query !== ""
      ? [input.query, "query"]
      : input.header != null && input.header !== ""
        ? [input.header, "header"]
        : undefined;
  if (!pick) return ok({ version: input.fallback ?? DEFAULT_VERSION, source: "default" });
  const parsed = parseVersion(pick[0]);
  return parsed.ok ? ok({ version: parsed.value, source: pick[1] }) : parsed;
}

/** Compares two version dates (`YYYY-MM-DD` sorts as text). */
export function compareVersions(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The error shape of a version: structured from 2026-03-01, legacy before (§1.4). */
export type ErrorShape = "structured" | "legacy";
/** The TTS voice specifier of a version (§5.2). */
export type VoiceShape = "mode-object" | "id-or-string";

/** Where message shapes differ by version. */
export interface VersionShapes {
  errors: ErrorShape;
  voice: VoiceShape;
}

/** The shapes a version uses for errors and voices. Unknown dates map by ordering. */
export function shapesForVersion(version: string): VersionShapes {
  return {
    errors: compareVersions(version, STRUCTURED_ERRORS_SINCE) >= 0 ? "structured" : "legacy",
    voice: compareVersions(version, VOICE_ID_OR_STRING_SINCE) >= 0 ? "id-or-string" : "mode-object",
  };
}
