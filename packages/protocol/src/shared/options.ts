import { builder, memoize, type SchemaBuilder, type Strictness } from "./strictness.js";
import { DEFAULT_VERSION, shapesForVersion, type ErrorShape, type VoiceShape } from "./version.js";

/** How to read messages: strictness (default `lenient`) and the session's `Cartesia-Version`. */
export interface SchemaOptions {
  strictness?: Strictness;
  /** Selects error and voice shapes (§1.4, §5.2). Default: `DEFAULT_VERSION` (2026-08-14). */
  version?: string;
}

/**
 * Options resolved to what shapes the schemas take. Lenient reading accepts either shape where
 * versions differ, so a client understands a server that answers in the other one.
 */
export interface ResolvedSchemaOptions {
  strictness: Strictness;
  errors: ErrorShape | "either";
  voice: VoiceShape | "either";
}

/** Resolves schema options; lenient reads both shapes, other levels the version's. */
export function resolveSchemaOptions(options: SchemaOptions = {}): ResolvedSchemaOptions {
  const strictness = options.strictness ?? "lenient";
  if (strictness === "lenient") return { strictness, errors: "either", voice: "either" };
  return { strictness, ...shapesForVersion(options.version ?? DEFAULT_VERSION) };
}

/** Makes an endpoint's memoized `schemas(options)` from a build function written once for all levels. */
export function schemaSet<T>(build: (s: SchemaBuilder, o: ResolvedSchemaOptions) => T): (options?: SchemaOptions) => T {
  const cached = memoize(
    (o: ResolvedSchemaOptions) => build(builder(o.strictness), o),
    (o) => `${o.strictness}|${o.errors}|${o.voice}`,
  );
  // Per options object as well: a linter or session passes the same object for every frame, and
  // resolving it and building the key string each time showed in the mock's per-frame profiles.
  const byObject = new WeakMap<SchemaOptions, { strictness: Strictness | undefined; version: string | undefined; value: T }>();
  return (options) => {
    if (options === undefined) return cached(resolveSchemaOptions(options));
    const hit = byObject.get(options);
    // The fields are compared too: a caller may change an options object it reuses.
    if (hit !== undefined && hit.strictness === options.strictness && hit.version === options.version) return hit.value;
    const value = cached(resolveSchemaOptions(options));
    byObject.set(options, { strictness: options.strictness, version: options.version, value });
    return value;
  };
}
