import * as z from "zod";
import { fail, issuesFromZod, ok, type Result } from "./result.js";
import { queryString } from "./query-string.js";

export { queryString } from "./query-string.js";

/** A query string as a transport gives it. */
export type QueryInput = string | URLSearchParams | Record<string, string | readonly string[] | undefined>;

/**
 * Turns a query into a record of strings; a repeated key becomes an array (`keyterm=a&keyterm=b`).
 * `URLSearchParams` decodes both `%20` and `+` as a space, which is what the mock must accept (§2.1).
 */
export function queryRecord(input: QueryInput): Record<string, string | string[]> {
  if (input === null || typeof input !== "object" && typeof input !== "string") return Object.create(null);
  const params =
    typeof input === "string"
      ? new URLSearchParams(input.startsWith("?") ? input.slice(1) : input)
      : input instanceof URLSearchParams
        ? input
        : undefined;
  const out: Record<string, string | string[]> = Object.create(null);
  if (params) {
    for (const key of new Set(params.keys())) {
      const all = params.getAll(key);
      out[key] = all.length === 1 ? (all[0] as string) : all;
    }
    return out;
  }
  for (const [key, value] of Object.entries(input as Record<string, string | readonly string[] | undefined>)) {
    if (value === undefined) continue;
    // Anything else (a number, a nested object from a query parser) is kept for the schema to reject.
    out[key] = typeof value === "string" ? value : Array.isArray(value) ? [...value] : (value as unknown as string);
  }
  return out;
}

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A number that travels as a string in a query (`"0.4"` ↔ `0.4`). */
export function numberParam(output: z.ZodNumber = z.number()) {
  return z.codec(z.string().regex(NUMBER_TEXT, "expected a number"), output, {
    decode: (text) => Number(text),
    encode: (n) => String(n),
  });
}

/**
 * A string parameter that may repeat; always a list once parsed (`keyterm`). The wire cannot carry an
 * empty list: `[]` encodes to no parameter and parses back as absent.
 */
export function repeatedParam() {
  return z.codec(z.union([z.string(), z.array(z.string())]), z.array(z.string()), {
    decode: (v) => (typeof v === "string" ? [v] : v),
    encode: (v) => v,
  });
}

/** Decodes a query through a codec object schema into typed values (numbers, lists). */
export function decodeQueryWith<T>(schema: z.ZodType<T, unknown>, input: QueryInput): Result<T> {
  const parsed = z.safeDecode(schema, queryRecord(input));
  return parsed.success ? ok(parsed.data) : fail("invalid_message", issuesFromZod(parsed.error));
}

/** Encodes typed query values back to their wire strings and serializes them. */
export function encodeQueryWith<T>(schema: z.ZodType<T, unknown>, value: T): string {
  return queryString(z.encode(schema, value) as Record<string, string | string[]>);
}
