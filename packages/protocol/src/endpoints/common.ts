/** Pieces several endpoints share: word and phoneme timings, keyterm limits, TTS voices and formats. */
import * as z from "zod";
import { MP3_BIT_RATES, TTS_ENCODINGS, TTS_SAMPLE_RATES } from "../shared/audio.js";
import { EMOTIONS, TTS_LANGUAGES } from "../shared/languages.js";
import { findModel, servedModelPatterns, servedModels } from "../models/lookup.js";
import type { ModelEndpoint } from "../models/table.js";
import type { ResolvedSchemaOptions } from "../shared/options.js";
import { keytermProblem, LANGUAGE_HINT_LIMITS, languageHintCountProblem, queryLanguageHints } from "../shared/limits.js";
import type { SchemaBuilder } from "../shared/strictness.js";

export { KEYTERM_LIMITS, keytermProblem, LANGUAGE_HINT_LIMITS, languageHintCountProblem, queryLanguageHints } from "../shared/limits.js";

/** The keyterm limits in words, for JSON Schema descriptions (refinements do not appear there). */
export const KEYTERM_RULE = "keyterm: at most 100 terms and 1200 characters in all.";

/** A refinement that enforces the keyterm limits on a list field (`keyterm` in a query, `keyterms` in `config`), except when lenient. */
export function keytermChecks(s: SchemaBuilder, field: "keyterm" | "keyterms" = "keyterm") {
  return (value: { keyterm?: string[] | null | undefined; keyterms?: string[] | null | undefined }, ctx: z.RefinementCtx) => {
    const terms = value[field];
    if (s.strictness === "lenient" || !terms) return;
    const problem = keytermProblem(terms);
    if (problem) ctx.addIssue({ code: "custom", path: [field], message: problem });
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

/** The standard base64 alphabet (`A–Z a–z 0–9 + /`) by character code below 256: 1 where allowed. */
const BASE64_ALPHABET = new Uint8Array(256);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") BASE64_ALPHABET[c.charCodeAt(0)] = 1;

/**
 * Whether `text` is standard padded base64: a multiple of 4 characters of the alphabet, with one or two
 * `=` only at the very end. The strict linter checks every outgoing TTS chunk with it (as a regular
 * expression it was a fifth of the mock's TTS time). Accepts exactly what `BASE64_PATTERN`'s source
 * matches (a property test holds each way it runs to that): in Node by decoding into a reused buffer
 * (`isBase64Decoding`), else with `atob` (`isBase64Atob`), else by a scan (`isBase64Scan`).
 */
export function isBase64(text: string): boolean {
  if (NodeBuffer) return isBase64Decoding(text);
  return typeof atob === "function" ? isBase64Atob(text) : isBase64Scan(text);
}

/**
 * Node's own `Buffer` (the protocol runs in browsers too, where a bundler's `Buffer` stand-in may decode
 * differently: those get `atob`).
 */
const NodeBuffer = typeof (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node === "string" ? (globalThis as { Buffer?: NodeBufferClass }).Buffer : undefined;
interface NodeBufferClass {
  allocUnsafe(size: number): NodeBufferLike;
  byteLength(text: string, encoding: "utf8"): number;
}
interface NodeBufferLike {
  readonly length: number;
  write(text: string, offset: number, encoding: "base64"): number;
}

/** Decoded bytes kept for the next check (a chunk's audio is 4.8–9.6 KB); larger ones get their own. */
const SCRATCH_BYTES = 16 * 1024;
let scratch: NodeBufferLike | undefined;

/**
 * `isBase64` by Node's decoder, into a reused buffer: it allocates nothing (`atob` makes a string of
 * the decoded bytes, 4.8 KB per chunk, and the five whitespace searches before it cost about as much
 * again). The decoder is lenient, so what it would let through is refused first: it takes `-` and `_`
 * (base64url), and reads a character above 0xFF by its low byte (`Ł` as `A`), so only ASCII without
 * those two goes on (ASCII: as many UTF-8 bytes as characters). Any other character it skips, and it
 * stops at a `=`: then fewer bytes come out than a whole padded string of that length gives.
 */
export function isBase64Decoding(text: string): boolean {
  if (text.length % 4 !== 0) return false;
  if (!NodeBuffer) return isBase64Scan(text);
  return NodeBuffer.byteLength(text, "utf8") === text.length && isBase64Ascii(text);
}

/**
 * `isBase64(text.slice(start, end))` for a part of a longer text (a chunk frame's audio): the same
 * answer, faster in Node, where telling ASCII apart costs twice as much on a slice as on the whole
 * flat text: a whole text of ASCII is checked once, and then its part only for the rest.
 */
export function isBase64Within(text: string, start: number, end: number): boolean {
  const part = text.slice(start, end);
  if (!NodeBuffer || NodeBuffer.byteLength(text, "utf8") !== text.length) return isBase64(part);
  return isBase64Ascii(part);
}

/** `isBase64Decoding` for a text known to be ASCII. */
function isBase64Ascii(text: string): boolean {
  const n = text.length;
  if (n % 4 !== 0 || text.includes("-") || text.includes("_")) return false;
  const padding = n > 0 && text.charCodeAt(n - 1) === 61 ? (text.charCodeAt(n - 2) === 61 ? 2 : 1) : 0;
  const expected = (n / 4) * 3 - padding;
  const into = expected <= SCRATCH_BYTES ? (scratch ??= (NodeBuffer as NodeBufferClass).allocUnsafe(SCRATCH_BYTES)) : (NodeBuffer as NodeBufferClass).allocUnsafe(expected);
  return into.write(text, 0, "base64") === expected;
}

/** `isBase64` with `atob` (WHATWG forgiving-base64, native where there is one). */
export function isBase64Atob(text: string): boolean {
  if (text.length % 4 !== 0) return false;
  // `atob` refuses every other character and `=` anywhere but as one or two at the end; it would skip
  // ASCII whitespace and take a missing padding, so those are refused first (the length check above
  // covers the padding).
  if (hasAsciiWhitespace(text)) return false;
  try {
    atob(text);
    return true;
  } catch {
    return false;
  }
}

/** The characters `atob` skips: TAB, LF, FF, CR and SPACE (one-character searches are fast). */
function hasAsciiWhitespace(text: string): boolean {
  return text.includes(" ") || text.includes("\n") || text.includes("\r") || text.includes("\t") || text.includes("\f");
}

/** `isBase64` without `atob`: one linear pass over the characters, no backtracking. */
export function isBase64Scan(text: string): boolean {
  const n = text.length;
  if (n % 4 !== 0) return false;
  let end = n;
  if (n > 0 && text.charCodeAt(n - 1) === 61) end = text.charCodeAt(n - 2) === 61 ? n - 2 : n - 1;
  // Branch-free (a wrong character is rare): any code ≥ 256, or one not in the table, sets `bad`.
  let bad = 0;
  for (let i = 0; i < end; i += 1) {
    const c = text.charCodeAt(i);
    bad |= (c >> 8) | ((BASE64_ALPHABET[c & 0xff] as number) ^ 1);
  }
  return bad === 0;
}

/**
 * The base64 rule as a regular expression whose `test` is `isBase64`: zod's `.regex` check calls
 * `test`, while the JSON Schema `pattern` and the issue's `pattern` keep this source.
 */
class Base64Pattern extends RegExp {
  override test(text: string): boolean {
    return isBase64(text);
  }
}

/** The regular expression of standard padded base64 (what JSON Schema says; tested by `isBase64`). */
export const BASE64_PATTERN: RegExp = new Base64Pattern(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);

/** Base64 audio in a `chunk`: checked except when lenient. */
export function base64Schema(s: SchemaBuilder) {
  return s.strictness === "lenient" ? z.string() : z.string().regex(BASE64_PATTERN, "expected base64");
}

/** TTS model ids served today (§13): the model table's, sunset ones left out. */
export const TTS_MODELS: readonly string[] = servedModels("tts");

/**
 * A model id for an endpoint: checked levels take the ids the table serves (and dated snapshots by
 * pattern); sunset and unknown ids are refused (the mock answers them from the table first).
 */
export function modelSchema(s: SchemaBuilder, endpoint: ModelEndpoint): z.ZodType<string, string> {
  if (s.strictness === "lenient") return z.string();
  const ids = servedModels(endpoint) as [string, ...string[]];
  const patterns = servedModelPatterns(endpoint);
  if (patterns.length === 0) return z.enum(ids);
  return z.union([z.enum(ids), ...patterns.map((p) => z.string().regex(p, `expected one of ${ids.join(", ")} or a dated snapshot`))]);
}

/**
 * The voice specifier by shape (§5.2, §10.16). Embeddings (`{mode:"embedding"}`) are refused on every
 * version since 2026-06-01 (update D8): only lenient reading still takes them.
 */
export function voiceSchema(s: SchemaBuilder, shape: ResolvedSchemaOptions["voice"]) {
  // livekit sends these only with 2024-11-13 and sonic-2-2025-03-07 (§1.3), now sunset.
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
  const idOrString = z.union([voiceId, s.object({ id: voiceId, mode: z.literal("id").optional() })]);
  if (shape === "mode-object") return byId;
  if (shape === "id-or-string") return idOrString;
  return z.union([byId, byEmbedding, idOrString]);
}

/**
 * `generation_config` (§5.2): volume 0.5–2.0, speed 0.6–1.5. `emotion` takes any string at every level:
 * whether the real API refuses names outside the 58 of `EMOTIONS` (LiveKit's Python plugin sends
 * "Happy") is unknown, so they are accepted and the strict linter warns (update D10).
 */
export function generationConfigSchema(s: SchemaBuilder) {
  return s.object({
    volume: s.range(0.5, 2).nullish(),
    speed: s.range(0.6, 1.5).nullish(),
    emotion: z.string().meta({ description: `One of: ${EMOTIONS.join(", ")} (others are accepted, unverified).` }).nullish(),
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
    model_id: modelSchema(s, "tts"),
    transcript: z.string(),
    voice: voiceSchema(s, o.voice),
    // `| null` in SDK 4.2 wherever these are optional (update D2): null means absent.
    language: s.known(TTS_LANGUAGES).nullish(),
    locale: z.string().nullish(),
    normalization: z.string().nullish(),
    generation_config: generationConfigSchema(s).nullish(),
    pronunciation_dict_id: z.string().nullish(),
    // An older SSE page lists a plural list (§10.18).
    pronunciation_dict_ids: z.array(z.string()).optional(),
    speed: s.known(["slow", "normal", "fast"]).optional(),
    // Old versions only: maximum audio length in seconds (§10.19).
    duration: (s.strictness === "lenient" ? z.number() : z.number().positive()).optional(),
  };
}

/** The request rules the JSON Schema cannot state, in words (for its description). */
export const LANGUAGE_OR_LOCALE_RULE =
  "language and locale are mutually exclusive; locale only on models that take locale codes (Sonic 3.6); normalization is auto, off, a language or a locale code.";

/** A locale code: a base language and a region (`en-US`, `pt-BR`). */
const LOCALE = /^[a-z]{2,3}-[A-Z]{2}$/;

/**
 * Checks what ties a TTS request's fields together, except when lenient: `language` xor `locale`
 * (2026-08-14, §5.2); `locale` only where the model takes locales ("On Sonic 3.5 they return 400",
 * update D11); `normalization` is `auto`, `off`, a language or a locale code (TEXT-NORM).
 */
export function languageOrLocale(s: SchemaBuilder) {
  return (
    request: { model_id?: string; language?: string | null | undefined; locale?: string | null | undefined; normalization?: string | null | undefined },
    ctx: z.RefinementCtx,
  ) => {
    if (s.strictness === "lenient") return;
    if (request.language != null && request.locale != null) {
      ctx.addIssue({ code: "custom", path: ["locale"], message: "locale and language are mutually exclusive" });
    }
    if (request.locale != null) {
      const model = typeof request.model_id === "string" ? findModel(request.model_id) : undefined;
      if (model && !model.features.locales) {
        ctx.addIssue({ code: "custom", path: ["locale"], message: `${request.model_id} does not take locale codes (they work on Sonic 3.6: sonic-3.6, sonic-preview)` });
      } else if (!LOCALE.test(request.locale)) {
        ctx.addIssue({ code: "custom", path: ["locale"], message: `expected a locale code like en-US, got ${JSON.stringify(request.locale)}` });
      }
    }
    const n = request.normalization;
    if (n != null && n !== "auto" && n !== "off" && !(TTS_LANGUAGES as readonly string[]).includes(n) && !LOCALE.test(n)) {
      ctx.addIssue({ code: "custom", path: ["normalization"], message: `expected auto, off, a language or a locale code, got ${JSON.stringify(n)}` });
    }
  };
}

/**
 * Why a list of hints is refused for a model, or `undefined` when it is fine: a model documented to
 * take none ("ink-2 doesn't take hints"), more than 6, or a code the model does not know (update D7).
 * A model no source speaks of (ink-whisper) gets the count and code checks only (docs/protocol §11.11).
 */
export function languageHintProblem(model: string, hints: readonly string[]): string | undefined {
  if (hints.length === 0) return undefined;
  const row = findModel(model);
  if (row?.features.languageHints === false) return `${model} doesn't take language hints (ink-preview does)`;
  const count = languageHintCountProblem(hints);
  if (count) return count;
  const known = row?.languages ?? [];
  const bad = hints.find((h) => !known.includes(h));
  if (bad !== undefined) return `unsupported language hint ${JSON.stringify(bad)}: use base codes of ${model}'s languages (e.g. en, hi)`;
  return undefined;
}

/** The hint rule in words, for JSON Schema descriptions. */
export const LANGUAGE_HINT_RULE = "language_hint / language_hints: at most 6 base codes, only for models that take hints (ink-preview).";

/** A refinement that enforces `languageHintProblem` on a handshake query, except when lenient. */
export function languageHintChecks(s: SchemaBuilder) {
  return (query: { model?: string; language_hint?: string[] | undefined; language_hints?: string[] | undefined }, ctx: z.RefinementCtx) => {
    if (s.strictness === "lenient" || typeof query.model !== "string") return;
    const problem = languageHintProblem(query.model, queryLanguageHints(query));
    if (problem) ctx.addIssue({ code: "custom", path: [query.language_hint ? "language_hint" : "language_hints"], message: problem });
  };
}

/**
 * The `config` message's fields both STT sockets share (update D4): a new list replaces the old one,
 * `[]` clears it, an omitted field keeps it. A `language_hint` field there is ignored (the docs say so).
 */
export function sttConfigFields(s: SchemaBuilder) {
  return {
    type: z.literal("config"),
    keyterms: z.array(z.string()).nullish(),
    language_hints: (s.strictness === "lenient" ? z.array(z.string()) : z.array(z.string()).max(LANGUAGE_HINT_LIMITS.maxHints)).nullish(),
    // "A language_hint field there is ignored": accepted at every level, the strict linter warns.
    language_hint: z.unknown().optional().meta({ description: "Ignored by the server; use language_hints." }),
  };
}
