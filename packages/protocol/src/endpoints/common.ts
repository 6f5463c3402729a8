/** Pieces several endpoints share: word and phoneme timings, keyterm limits, TTS voices and formats. */
import * as z from "zod";
import { MP3_BIT_RATES, TTS_ENCODINGS, TTS_SAMPLE_RATES } from "../shared/audio.js";
import { EMOTIONS, TTS_LANGUAGES } from "../shared/languages.js";
import type { ResolvedSchemaOptions } from "../shared/options.js";
import type { SchemaBuilder } from "../shared/strictness.js";

/** Keyterm limits (§2.1): at most 100 terms, 1200 characters in all. */
export const KEYTERM_LIMITS = { maxTerms: 100, maxTotalChars: 1200 } as const;

/** The keyterm limits in words, for JSON Schema descriptions (refinements do not appear there). */
export const KEYTERM_RULE = "keyterm: at most 100 terms and 1200 characters in all.";

/** A refinement that enforces the keyterm limits, except when lenient. */
export function keytermChecks(s: SchemaBuilder) {
  return (query: { keyterm?: string[] | undefined }, ctx: z.RefinementCtx) => {
    if (s.strictness === "lenient" || !query.keyterm) return;
    if (query.keyterm.length > KEYTERM_LIMITS.maxTerms) {
      ctx.addIssue({ code: "custom", path: ["keyterm"], message: `at most ${KEYTERM_LIMITS.maxTerms} keyterms, got ${query.keyterm.length}` });
    }
    const chars = query.keyterm.reduce((n, k) => n + k.length, 0);
    if (chars > KEYTERM_LIMITS.maxTotalChars) {
      ctx.addIssue({ code: "custom", path: ["keyterm"], message: `keyterms total at most ${KEYTERM_LIMITS.maxTotalChars} characters, got ${chars}` });
    }
  };
}

/** Parallel arrays must have one entry per item; checked except when lenient. */
function parallel<T extends z.ZodObject>(s: SchemaBuilder, schema: T, keys: [string, string, string]) {
  if (s.strictness === "lenient") return schema;
  return schema.superRefine((value, ctx) => {
    const v = value as Record<string, unknown[]>;
    const n = v[keys[0]]?.length ?? 0;
    for (const key of keys.slice(1)) {
      if ((v[key]?.length ?? 0) !== n) ctx.addIssue({ code: "custom", path: [key], message: `expected ${n} entries, like ${keys[0]}` });
    }
  });
}

/** Word timings: the docs' `{word,start,end}` and the TTS-style parallel arrays (§10.6). */
export function wordSchemas(s: SchemaBuilder) {
  const seconds = s.strictness === "lenient" ? z.number() : z.number().nonnegative();
  const word = s.object({ word: z.string(), start: seconds, end: seconds });
  const wordTimestamps = parallel(
    s,
    s.object({ words: z.array(z.string()), start: z.array(seconds), end: z.array(seconds) }),
    ["words", "start", "end"],
  );
  const phonemeTimestamps = parallel(
    s,
    s.object({ phonemes: z.array(z.string()), start: z.array(seconds), end: z.array(seconds) }),
    ["phonemes", "start", "end"],
  );
  return { word, wordTimestamps, phonemeTimestamps };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Base64 audio in a `chunk`: checked except when lenient. */
export function base64Schema(s: SchemaBuilder) {
  return s.strictness === "lenient" ? z.string() : z.string().regex(BASE64, "expected base64");
}

/** TTS model ids (§5.2); the set grows, so only checked levels hold a model to it. */
export const TTS_MODELS = [
  "sonic-3.5",
  "sonic-3",
  "sonic-3.5-2026-05-04",
  "sonic-3-2026-01-12",
  "sonic-3-2025-10-27",
  "sonic-latest",
  "sonic-3-latest",
  "sonic-2",
  "sonic-2-2025-03-07",
  "sonic-turbo",
] as const;

/** The voice specifier by shape (§5.2, §10.16). */
export function voiceSchema(s: SchemaBuilder, shape: ResolvedSchemaOptions["voice"]) {
  // livekit sends these only with 2024-11-13 and sonic-2-2025-03-07 (§1.3).
  const experimentalControls = s
    .object({ speed: z.union([z.string(), z.number()]).optional(), emotion: z.array(z.string()).optional() })
    .optional();
  const voiceId = s.strictness === "lenient" ? z.string() : z.string().min(1);
  const byId = s.object({ mode: z.literal("id"), id: voiceId, __experimental_controls: experimentalControls });
  const byEmbedding = s.object({
    mode: z.literal("embedding"),
    embedding: z.array(z.number()),
    __experimental_controls: experimentalControls,
  });
  const modeObject = z.union([byId, byEmbedding]);
  const idOrString = z.union([voiceId, s.object({ id: voiceId, mode: z.literal("id").optional() })]);
  if (shape === "mode-object") return modeObject;
  if (shape === "id-or-string") return idOrString;
  return z.union([byId, byEmbedding, idOrString]);
}

/** `generation_config` (§5.2): volume 0.5–2.0, speed 0.6–1.5, emotion from the enum. */
export function generationConfigSchema(s: SchemaBuilder) {
  return s.object({
    volume: s.range(0.5, 2).optional(),
    speed: s.range(0.6, 1.5).optional(),
    emotion: s.known(EMOTIONS).optional(),
  });
}

/** The raw output format, the only one WebSocket and SSE accept (§8). */
export function rawOutputFormatSchema(s: SchemaBuilder) {
  return s.object({ container: z.literal("raw"), encoding: s.known(TTS_ENCODINGS), sample_rate: s.knownInt(TTS_SAMPLE_RATES) });
}

/** The three output formats of `/tts/bytes` (§6.1). */
export function bytesOutputFormatSchema(s: SchemaBuilder) {
  return z.discriminatedUnion("container", [
    rawOutputFormatSchema(s),
    s.object({ container: z.literal("wav"), encoding: s.known(TTS_ENCODINGS), sample_rate: s.knownInt(TTS_SAMPLE_RATES) }),
    s.object({
      container: z.literal("mp3"),
      sample_rate: s.knownInt(TTS_SAMPLE_RATES),
      bit_rate: s.knownInt(MP3_BIT_RATES),
      // The changelog notes an empty encoding was allowed for mp3 (§8).
      encoding: z.string().optional(),
    }),
  ]);
}

/** Fields every TTS request shares: WebSocket, bytes and SSE (§5.2, §6). */
export function ttsCoreFields(s: SchemaBuilder, o: ResolvedSchemaOptions) {
  return {
    model_id: s.known(TTS_MODELS),
    transcript: z.string(),
    voice: voiceSchema(s, o.voice),
    language: s.known(TTS_LANGUAGES).optional(),
    locale: z.string().optional(),
    normalization: z.string().optional(),
    generation_config: generationConfigSchema(s).optional(),
    pronunciation_dict_id: z.string().nullable().optional(),
    // An older SSE page lists a plural list (§10.18).
    pronunciation_dict_ids: z.array(z.string()).optional(),
    speed: s.known(["slow", "normal", "fast"]).optional(),
    // Old versions only: maximum audio length in seconds (§10.19).
    duration: (s.strictness === "lenient" ? z.number() : z.number().positive()).optional(),
  };
}

/** `language` and `locale` are mutually exclusive (2026-08-14, §5.2); checked except when lenient. */
export const LANGUAGE_OR_LOCALE_RULE = "language and locale are mutually exclusive.";

/** See `LANGUAGE_OR_LOCALE_RULE`. */
export function languageOrLocale(s: SchemaBuilder) {
  return (request: { language?: string | undefined; locale?: string | undefined }, ctx: z.RefinementCtx) => {
    if (s.strictness !== "lenient" && request.language !== undefined && request.locale !== undefined) {
      ctx.addIssue({ code: "custom", path: ["locale"], message: "locale and language are mutually exclusive" });
    }
  };
}
