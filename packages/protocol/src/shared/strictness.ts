import * as z from "zod";

/**
 * How strictly schemas read a message.
 * - `lenient`: unknown fields are accepted (and dropped), open sets (model ids, languages, emotions)
 *   accept any string, ranges are not checked. What a forward-compatible client uses.
 * - `validating`: unknown fields accepted, but known sets and ranges are checked. What a server does
 *   (the mock uses it: real clients send extra fields, out-of-range values get an error).
 * - `strict`: unknown fields, unknown values and out-of-range values are all rejected. What the
 *   conformance kit uses to lint traffic, and what the JSON Schema files describe.
 */
export type Strictness = "lenient" | "validating" | "strict";

/** The strictness levels, loosest first. */
export const STRICTNESS_LEVELS = ["lenient", "validating", "strict"] as const satisfies readonly Strictness[];

type Values = readonly [string, ...string[]];

/** Builds schemas at one strictness level, so each message is written once for all levels. */
export interface SchemaBuilder {
  readonly strictness: Strictness;
  /** An object: `strict` rejects unknown fields, other levels accept and drop them. */
  object<S extends z.ZodRawShape>(shape: S): z.ZodObject<S, z.core.$strip>;
  /** A string from an open, growing set (model ids, languages): checked except when lenient. */
  known(values: Values): z.ZodType<string, string>;
  /** An integer from an open set (sample rates): checked except when lenient. */
  knownInt(values: readonly [number, ...number[]]): z.ZodType<number, number>;
  /** A number whose documented range is checked except when lenient. */
  range(min: number, max: number, base?: z.ZodNumber): z.ZodNumber;
}

/** Returns the schema builder for a strictness level. */
export function builder(strictness: Strictness): SchemaBuilder {
  const checked = strictness !== "lenient";
  return {
    strictness,
    object: (shape) =>
      (strictness === "strict" ? z.strictObject(shape) : z.object(shape)) as z.ZodObject<typeof shape, z.core.$strip>,
    known: (values) => (checked ? z.enum(values as unknown as [string, ...string[]]) : z.string()),
    knownInt: (values) => (checked ? z.literal(values) : z.number().int().positive()),
    range: (min, max, base = z.number()) => (checked ? base.min(min).max(max) : base),
  };
}

/** Memoizes a schema factory per key (schemas are immutable, so building each set once is enough). */
export function memoize<K, V>(build: (key: K) => V, keyOf: (key: K) => string): (key: K) => V {
  const cache = new Map<string, V>();
  return (key) => {
    const k = keyOf(key);
    let v = cache.get(k);
    if (v === undefined) {
      v = build(key);
      cache.set(k, v);
    }
    return v;
  };
}
