/**
 * fast-check arbitraries for every message of every endpoint (PROTOCOL.md §2–§7). Each arbitrary
 * generates values that the endpoint's `strict` schema accepts at the version named in its JSDoc
 * (default: `DEFAULT_VERSION`, 2026-08-14), and that survive the endpoint's encode → parse round trip
 * unchanged: numbers are finite, never `-0`, and optional fields are absent rather than `undefined`.
 *
 * fast-check is an optional peer dependency: only this subpath imports it.
 */
import fc from "fast-check";
import type * as AccessToken from "../endpoints/access-token.js";
import { MAX_EXPIRES_IN } from "../endpoints/access-token.js";
import { KEYTERM_LIMITS, LANGUAGE_HINT_LIMITS, TTS_MODELS } from "../endpoints/common.js";
import { findModel } from "../models/lookup.js";
import type * as SttBatch from "../endpoints/stt-batch.js";
import { MODELS as STT_BATCH_MODELS } from "../endpoints/stt-batch.js";
import type * as SttTurns from "../endpoints/stt-turns.js";
import { MODELS as STT_TURNS_MODELS, TURN_SETTINGS } from "../endpoints/stt-turns.js";
import type * as SttV1 from "../endpoints/stt-v1.js";
import { COMMANDS as STT_V1_COMMANDS, MODELS as STT_V1_MODELS } from "../endpoints/stt-v1.js";
import type * as Tts from "../endpoints/tts.js";
import { MAX_BUFFER_DELAY_MS, STATUS_PARTIAL } from "../endpoints/tts.js";
import type * as TtsBytes from "../endpoints/tts-bytes.js";
import type * as TtsSse from "../endpoints/tts-sse.js";
import { MP3_BIT_RATES, STT_ENCODINGS, STT_SAMPLE_RATES, TTS_ENCODINGS, TTS_SAMPLE_RATES } from "../shared/audio.js";
import { KNOWN_ERROR_CODES } from "../shared/errors.js";
import { EMOTIONS, STT_LANGUAGES, TTS_LANGUAGES } from "../shared/languages.js";
import { KNOWN_VERSIONS, VOICE_ID_OR_STRING_SINCE } from "../shared/version.js";

/** The versions the arbitraries are valid at under `strict`: a structured-error one, a legacy-error one and the id-or-string voice one. */
export const ARBITRARY_VERSIONS = {
  /** Structured errors, `{mode:"id"}` voices: what unmarked arbitraries are valid at. */
  default: "2026-03-01",
  /** Legacy errors (before 2026-03-01), `{mode:"id"}` voices: what `legacy*` arbitraries are valid at. */
  legacy: "2025-04-16",
  /** Structured errors, `string | {id}` voices: what `*IdOrString` arbitraries are valid at. */
  idOrString: VOICE_ID_OR_STRING_SINCE,
} as const;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** A record of plain objects (fast-check otherwise mixes in null-prototype objects); listed keys are required. */
function rec<T extends Record<string, unknown>, K extends keyof T = keyof T>(
  model: { [P in keyof T]: fc.Arbitrary<T[P]> },
  requiredKeys?: K[],
): fc.Arbitrary<Partial<T> & Pick<T, K>> {
  const constraints = requiredKeys === undefined ? { noNullPrototype: true } : { noNullPrototype: true, requiredKeys };
  return fc.record(model, constraints) as unknown as fc.Arbitrary<Partial<T> & Pick<T, K>>;
}

/**
 * A finite number in [min, max] that JSON carries exactly (never `-0`, NaN or ±Infinity): half
 * three-decimal values as real traffic has (`0.4`), half any double (`5e-324`, `0.30000000000000004`).
 */
function finite(min: number, max: number, extra: { minExcluded?: boolean; maxExcluded?: boolean } = {}): fc.Arbitrary<number> {
  const inRange = (n: number) => (extra.minExcluded ? n > min : n >= min) && (extra.maxExcluded ? n < max : n <= max);
  const decimals = fc
    .integer({ min: Math.ceil(min * 1000), max: Math.floor(max * 1000) })
    .map((n) => (n === 0 ? 0 : n / 1000))
    .filter(inRange);
  const doubles = fc.double({ min, max, noNaN: true, noDefaultInfinity: true, ...extra }).map((n) => (Object.is(n, -0) ? 0 : n));
  return fc.oneof(decimals, doubles);
}

const BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Standard padded base64 of bytes, without Node's Buffer or the DOM's btoa (works anywhere). */
export function toBase64(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += BASE64_ALPHABET[(n >> 18) & 63];
    out += BASE64_ALPHABET[(n >> 12) & 63];
    out += b === undefined ? "=" : BASE64_ALPHABET[(n >> 6) & 63];
    out += c === undefined ? "=" : BASE64_ALPHABET[n & 63];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

const cjkArb = fc.oneof(
  fc.integer({ min: 0x4e00, max: 0x9fff }), // CJK unified ideographs
  fc.integer({ min: 0x3041, max: 0x30ff }), // hiragana, katakana
  fc.integer({ min: 0xac00, max: 0xd7a3 }), // hangul syllables
  fc.integer({ min: 0x20000, max: 0x2a6df }), // CJK extension B (astral: surrogate pairs)
).map((cp) => String.fromCodePoint(cp));

const emojiArb = fc.constantFrom(
  "😀",
  "👍🏽",
  "👨‍👩‍👧‍👦",
  "🧑🏿‍🚀",
  "🇯🇵",
  "🏳️‍🌈",
  "❤️",
  "✅",
  "🤖",
  "1️⃣",
  "🫠",
);

/** A base letter followed by one to three combining marks (U+0300–U+036F), or a standalone mark. */
const combiningArb = fc.oneof(
  fc
    .tuple(
      fc.constantFrom("a", "e", "i", "o", "u", "n", "A", "Z", "ы"),
      fc.array(fc.integer({ min: 0x300, max: 0x36f }).map((cp) => String.fromCodePoint(cp)), { minLength: 1, maxLength: 3 }),
    )
    .map(([base, marks]) => base + marks.join("")),
  fc.constantFrom("\u0301", "\u20dd", "\u093f", "\u0e31"),
);

const scriptsArb = fc.constantFrom("é", "ß", "ñ", "Жизнь", "שלום", "مرحبا", "क्षत्रिय", "สวัสดี", "ελληνικά", "Ωμέγα", "İı", "ﬁ");

const punctuationArb = fc.constantFrom(
  " ",
  " ",
  "  ",
  "\n",
  "\t",
  "\r\n",
  ".",
  ",",
  "?",
  "!",
  "'",
  '"',
  "\\",
  "/",
  "…",
  "—",
  "\u00a0",
  "\u200b",
  "\u2028",
  "\u2029",
  "\ufeff",
  "&",
  "%20",
  "+",
  "=",
  "#",
);

const wordArb = fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'-"), minLength: 1, maxLength: 10 });

const textUnitArb = fc.oneof(
  { arbitrary: wordArb, weight: 8 },
  { arbitrary: punctuationArb, weight: 6 },
  { arbitrary: cjkArb, weight: 3 },
  { arbitrary: emojiArb, weight: 2 },
  { arbitrary: combiningArb, weight: 2 },
  { arbitrary: scriptsArb, weight: 2 },
  { arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 2 }), weight: 2 },
  // Any code point but lone surrogates: controls, noncharacters, private use.
  { arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 2 }), weight: 1 },
);

/** Transcript text: words, whitespace and punctuation mixed with CJK, emoji (ZWJ, flags, skin tones), combining marks and other scripts; often `""`. */
export const transcriptTextArb: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constant(""), weight: 1 },
  { arbitrary: fc.string({ unit: textUnitArb, minLength: 1, maxLength: 24 }), weight: 6 },
);

/** A non-empty short text (titles, words, phonemes, ids) from the same units as `transcriptTextArb`. */
const nonEmptyTextArb = fc.string({ unit: textUnitArb, minLength: 1, maxLength: 8 });

/** A TTS context id: non-empty (UUIDv4 as the SDK makes, short ids like livekit's, or any unicode). */
export const contextIdArb: fc.Arbitrary<string> = fc.oneof(
  fc.uuid({ version: 4 }),
  fc.nat({ max: 999 }).map((n) => `turn-${n}`),
  fc.string({ unit: fc.constantFrom(..."23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"), minLength: 12, maxLength: 12 }),
  fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 16 }),
  nonEmptyTextArb,
);

/** A request id: non-empty (UUID, the derived `<uuid>:<context_id>:<uuid>` form of TTS errors, or any unicode). */
export const requestIdArb: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.uuid(), weight: 4 },
  { arbitrary: fc.tuple(fc.uuid(), contextIdArb, fc.uuid()).map(([a, c, b]) => `${a}:${c}:${b}`), weight: 1 },
  { arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 24 }), weight: 1 },
  { arbitrary: nonEmptyTextArb, weight: 1 },
);

/** Raw audio bytes of a binary WebSocket frame (any length, including empty). */
export const audioBytesArb: fc.Arbitrary<Uint8Array> = fc.uint8Array({ minLength: 0, maxLength: 2048 });

/** Real standard padded base64 of random bytes, as in a TTS `chunk.data`. */
export const base64AudioArb: fc.Arbitrary<string> = audioBytesArb.map(toBase64);

/** A `Cartesia-Version` date from the known list. */
export const versionArb: fc.Arbitrary<string> = fc.constantFrom(...KNOWN_VERSIONS);

const seconds = finite(0, 3600);
/** A `[start, end]` pair in seconds with `start <= end`. */
const timeSpanArb = fc.tuple(seconds, finite(0, 30)).map(([start, length]): [number, number] => [start, start + length]);

const sampleRateArb = fc.oneof(fc.constantFrom(...STT_SAMPLE_RATES), fc.integer({ min: 1, max: 384_000 }));
const statusArb = fc.oneof({ arbitrary: fc.constant(STATUS_PARTIAL), weight: 4 }, { arbitrary: fc.constant(200), weight: 1 }, { arbitrary: fc.integer({ min: 100, max: 599 }), weight: 1 });
const errorStatusArb = fc.oneof(fc.constantFrom(400, 401, 402, 403, 404, 408, 409, 422, 429, 500, 502, 503), fc.integer({ min: 400, max: 599 }));
const errorCodeArb: fc.Arbitrary<string | null> = fc.oneof(
  fc.constant(null),
  fc.constantFrom(...(Object.keys(KNOWN_ERROR_CODES) as [string, ...string[]]), "voice_not_found"),
  fc.string({ unit: "grapheme-ascii", maxLength: 20 }),
);
const titleArb = fc.oneof(fc.constantFrom("Invalid model", "Too many concurrent requests", "Voice not found", "Bad request"), nonEmptyTextArb);
const messageArb = fc.oneof(fc.constantFrom("Model 'ink-9' does not exist.", "Concurrency limit exceeded for this plan."), transcriptTextArb);
const docUrlArb = fc.oneof(fc.constantFrom("https://docs.cartesia.ai/use-the-api/api-errors"), fc.webUrl());
const apiKeyArb = fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789_"), minLength: 8, maxLength: 32 }).map((s) => `sk_car_${s}`);
const tokenArb = fc
  .array(fc.base64String({ minLength: 4, maxLength: 40 }).map((s) => s.replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")), { minLength: 3, maxLength: 3 })
  .map((parts) => parts.join("."));
const clientIdArb = fc.oneof(fc.constantFrom("cartesia-js/4.2.0", "cartesia-js/3.5.0"), fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 20 }));

/** Keyterms within the limits (at most 100 terms, 1200 characters in all); no empty term, never `[]` (it has no wire form). */
const keytermsArb: fc.Arbitrary<string[]> = fc
  .array(fc.oneof(wordArb, fc.string({ unit: textUnitArb, minLength: 1, maxLength: 6 })), { minLength: 1, maxLength: KEYTERM_LIMITS.maxTerms })
  .map((terms) => {
    const kept: string[] = [];
    let total = 0;
    for (const term of terms) {
      if (total + term.length > KEYTERM_LIMITS.maxTotalChars) break;
      kept.push(term);
      total += term.length;
    }
    return kept.length > 0 ? kept : ["keyterm"];
  });

/** Query fields every realtime endpoint accepts (version and browser auth). */
const wsQueryCommon = {
  cartesia_version: versionArb,
  api_key: apiKeyArb,
  access_token: tokenArb,
  cartesia_client: clientIdArb,
};

/** Drops keys whose value is `undefined`. */
function compact<T extends Record<string, unknown>>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as T;
}

// ---------------------------------------------------------------------------------------------
// Shared message pieces
// ---------------------------------------------------------------------------------------------

/** `{word,start,end}` in seconds. */
const wordArbitrary = fc.tuple(nonEmptyTextArb, timeSpanArb).map(([word, [start, end]]) => ({ word, start, end }));

/** Parallel arrays `{<key>, start, end}` of equal length. */
function parallelArb<K extends string>(key: K, items: fc.Arbitrary<string>) {
  return fc
    .array(fc.tuple(items, timeSpanArb), { maxLength: 12 })
    .map((entries) => ({ [key]: entries.map((e) => e[0]), start: entries.map((e) => e[1][0]), end: entries.map((e) => e[1][1]) }) as { [P in K]: string[] } & { start: number[]; end: number[] });
}
const wordTimestampsArb = parallelArb("words", nonEmptyTextArb);
const phonemeTimestampsArb = parallelArb("phonemes", fc.constantFrom("j", "ɔ", "r", "ə", "ʃ", "θ", "aɪ", "k", "t͡ʃ", "ŋ", "a", "ː"));

/** The structured STT error event (2026-03-01+; `done` optional, §10.15). */
const sttStructuredErrorArb = rec(
  {
    type: fc.constant("error" as const),
    done: fc.constant(true as const),
    status_code: errorStatusArb,
    error_code: errorCodeArb,
    title: titleArb,
    message: messageArb,
    request_id: requestIdArb,
    doc_url: docUrlArb,
  },
  ["type", "status_code", "error_code", "title", "message", "request_id"],
);

/** The legacy STT error event (before 2026-03-01): `{type, message:"Title: msg", code, request_id}`. */
const sttLegacyErrorArb = fc.record(
  {
    type: fc.constant("error" as const),
    message: fc.tuple(titleArb, messageArb).map(([t, m]) => `${t}: ${m}`),
    code: errorStatusArb,
    request_id: requestIdArb,
  },
  { noNullPrototype: true },
);

/** The HTTP error body (2026-03-01+). */
const httpErrorBodyArb = rec(
  { error_code: errorCodeArb, title: titleArb, message: messageArb, request_id: requestIdArb, doc_url: docUrlArb },
  ["error_code", "title", "message", "request_id"],
);

/** A STT encoding. */
const sttEncodingArb = fc.constantFrom(...STT_ENCODINGS);

// ---------------------------------------------------------------------------------------------
// /stt/websocket (§2)
// ---------------------------------------------------------------------------------------------

/** A served STT model of an endpoint, now and then a dated ink-2 snapshot (accepted by pattern, §13). */
function sttModelArb(models: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...models), weight: 6 },
    { arbitrary: fc.date({ min: new Date("2026-01-01"), max: new Date("2030-12-31"), noInvalidDate: true }).map((d) => `ink-2-${d.toISOString().slice(0, 10)}`), weight: 1 },
  );
}

/** `language_hint` for models that take hints (≤ 6 of their codes, update D7); none for the others. */
function languageHintArb(model: string): fc.Arbitrary<string[] | undefined> {
  const row = findModel(model);
  if (!row?.features.languageHints) return fc.constant(undefined);
  return fc.option(fc.uniqueArray(fc.constantFrom(...row.languages), { minLength: 1, maxLength: LANGUAGE_HINT_LIMITS.maxHints }), { nil: undefined });
}

const sttV1Query: fc.Arbitrary<SttV1.Query> = sttModelArb(STT_V1_MODELS).chain((model) =>
  fc
    .tuple(
      rec(
        {
          model: fc.constant(model),
          encoding: sttEncodingArb,
          sample_rate: sampleRateArb,
          // The docs say only ink-whisper uses `language` (update D7); SDK types narrow it to "en" for the others.
          language: model.startsWith("ink-whisper") ? fc.constantFrom(...STT_LANGUAGES) : fc.constant("en"),
          min_volume: finite(0, 1),
          max_silence_duration_secs: finite(0, 60, { minExcluded: true }),
          keyterm: keytermsArb,
          "timestamp_granularities[]": fc.constant(["word"]).map((v) => [...v]),
          ...wsQueryCommon,
        },
        ["model", "encoding", "sample_rate"],
      ),
      languageHintArb(model),
    )
    .map(([query, hints]) => compact({ ...query, language_hint: hints })),
);

const sttV1Command: fc.Arbitrary<SttV1.Command> = fc.constantFrom(...STT_V1_COMMANDS);

const sttV1Transcript: fc.Arbitrary<SttV1.Transcript> = rec(
  {
    type: fc.constant("transcript" as const),
    request_id: requestIdArb,
    text: transcriptTextArb,
    is_final: fc.boolean(),
    duration: finite(0, 600),
    language: fc.oneof(fc.constantFrom(...STT_LANGUAGES), fc.string({ unit: "grapheme-ascii", maxLength: 5 })),
    // Both readings of §10.6: the docs' list and the SDKs' `Array<WordTimestamps>` (update D5).
    words: fc.oneof(fc.array(wordArbitrary, { maxLength: 12 }), fc.array(wordTimestampsArb, { maxLength: 3 })),
  },
  ["type", "request_id", "text", "is_final"],
);

const sttV1FlushDone: fc.Arbitrary<SttV1.FlushDone> = fc.record({ type: fc.constant("flush_done" as const), request_id: requestIdArb }, { noNullPrototype: true });
const sttV1Done: fc.Arbitrary<SttV1.Done> = fc.record({ type: fc.constant("done" as const), request_id: requestIdArb }, { noNullPrototype: true });
/** The language codes a `config` may carry (ink-preview's; the session decides whether its model takes them). */
const configHintsArb = fc.uniqueArray(fc.constantFrom(...(findModel("ink-preview")?.languages ?? ["en"])), { maxLength: LANGUAGE_HINT_LIMITS.maxHints });

/** The list fields of `config` on both STT sockets (update D4): a list, `[]` (clears) or `null` (keeps). */
const sttConfigListsArb = rec(
  {
    keyterms: fc.oneof(keytermsArb, fc.constant([] as string[]), fc.constant(null)),
    language_hints: fc.oneof(configHintsArb, fc.constant(null)),
  },
  [],
);

const sttV1Config: fc.Arbitrary<SttV1.Config> = sttConfigListsArb.map((lists) => ({ type: "config" as const, ...lists }));

const sttV1ClientMessage: fc.Arbitrary<SttV1.ClientMessage> = fc.oneof(
  audioBytesArb.map((data) => ({ type: "audio" as const, data })),
  sttV1Command.map((type) => ({ type })),
  sttV1Config,
);

/** Arbitraries for `/stt/websocket` (§2); strict-valid at 2026-03-01 unless marked legacy (2025-04-16). */
export const sttV1Arbitraries = {
  /** Handshake query as typed values (`sample_rate` a number, `keyterm` a non-empty list). */
  query: sttV1Query,
  /** A bare text command: `finalize`, `close` or legacy `done`. */
  command: sttV1Command,
  /** A binary audio frame. */
  audio: audioBytesArb,
  /** `{"type":"config", keyterms?, language_hints?}` (update D4). */
  config: sttV1Config,
  /** A client message as `encodeClientMessage` takes it: `{type:"audio",data}`, `{type:<command>}` or a `config`. */
  clientMessage: sttV1ClientMessage,
  /** A client frame as the `clientMessage` schema reads it: bytes, a command string or a decoded `config`. */
  clientFrame: fc.oneof(audioBytesArb, sttV1Command, sttV1Config) as fc.Arbitrary<Uint8Array | SttV1.Command | SttV1.Config>,
  /** `transcript`, with `words` in either reading (`[{word,start,end}]` or parallel arrays). */
  transcript: sttV1Transcript,
  /** `flush_done`. */
  flushDone: sttV1FlushDone,
  /** `done`. */
  done: sttV1Done,
  /** Structured `error` (2026-03-01+). */
  error: sttStructuredErrorArb as fc.Arbitrary<SttV1.ErrorEvent>,
  /** Legacy `error` `{message, code, request_id}` (valid before 2026-03-01, e.g. 2025-04-16). */
  legacyError: sttLegacyErrorArb as fc.Arbitrary<SttV1.ErrorEvent>,
  /** Any server message, errors structured (2026-03-01+). */
  serverMessage: fc.oneof(sttV1Transcript, sttV1FlushDone, sttV1Done, sttStructuredErrorArb) as fc.Arbitrary<SttV1.ServerMessage>,
  /** Any server message, errors legacy (valid before 2026-03-01, e.g. 2025-04-16). */
  legacyServerMessage: fc.oneof(sttV1Transcript, sttV1FlushDone, sttV1Done, sttLegacyErrorArb) as fc.Arbitrary<SttV1.ServerMessage>,
};

// ---------------------------------------------------------------------------------------------
// /stt/turns/websocket (§3)
// ---------------------------------------------------------------------------------------------

const T = TURN_SETTINGS;

/**
 * Turn thresholds within their ranges keeping end < eager_end < start, counting the defaults of the
 * absent ones (§3.1): eager_end is drawn first, then start above it and end below it.
 */
const turnThresholdsArb: fc.Arbitrary<{ start?: number; eagerEnd?: number; end?: number }> = fc
  .option(finite(T.eager_end_threshold.min, T.eager_end_threshold.max), { nil: undefined })
  .chain((eagerEnd) => {
    const eager = eagerEnd ?? T.eager_end_threshold.default;
    return fc
      .record(
        {
          start: fc.option(finite(Math.max(T.start_threshold.min, eager), T.start_threshold.max, { minExcluded: eager >= T.start_threshold.min }), { nil: undefined }),
          end: fc.option(finite(T.end_threshold.min, Math.min(T.end_threshold.max, eager), { maxExcluded: eager <= T.end_threshold.max }), { nil: undefined }),
        },
        { noNullPrototype: true },
      )
      .map(({ start, end }) => compact({ start, eagerEnd, end }));
  });

const endTimeoutArb = fc.integer({ min: T.end_timeout_ms.min, max: T.end_timeout_ms.max });

const sttTurnsQuery: fc.Arbitrary<SttTurns.Query> = sttModelArb(STT_TURNS_MODELS).chain((model) =>
  fc
    .tuple(
      rec(
        {
          model: fc.constant(model),
          encoding: sttEncodingArb,
          sample_rate: sampleRateArb,
          keyterm: keytermsArb,
          turn_end_timeout_ms: endTimeoutArb,
          ...wsQueryCommon,
        },
        ["model", "encoding", "sample_rate"],
      ),
      turnThresholdsArb,
      languageHintArb(model),
    )
    .map(([query, t, hints]) =>
      compact({ ...query, turn_start_threshold: t.start, turn_eager_end_threshold: t.eagerEnd, turn_end_threshold: t.end, language_hint: hints }),
    ),
);

const turnConfigArb: fc.Arbitrary<SttTurns.Config["turn"]> = fc
  .tuple(turnThresholdsArb, fc.option(endTimeoutArb, { nil: undefined }))
  .map(([t, timeout]) => compact({ start_threshold: t.start, eager_end_threshold: t.eagerEnd, end_threshold: t.end, end_timeout_ms: timeout }));

const sttTurnsClose: fc.Arbitrary<SttTurns.Close> = fc.constant({ type: "close" as const });
/** `config`: `turn` (optional since SDK 4.2) and the list fields, at least one of them. */
const sttTurnsConfig: fc.Arbitrary<SttTurns.Config> = fc
  .tuple(fc.option(turnConfigArb, { nil: undefined, freq: 3 }), sttConfigListsArb)
  .map(([turn, lists]) => (turn === undefined ? { type: "config" as const, ...lists } : { type: "config" as const, turn, ...lists }));
const sttTurnsCommand = fc.oneof(sttTurnsClose, sttTurnsConfig) as fc.Arbitrary<SttTurns.Close | SttTurns.Config>;

const withRequestId = <Tag extends string>(type: Tag) => fc.record({ type: fc.constant(type), request_id: requestIdArb }, { noNullPrototype: true });
/** Detected languages with confidences (ink-preview, update D6). */
const detectedLanguagesArb = fc.array(
  fc.record({ language: fc.constantFrom(...TTS_LANGUAGES), confidence: finite(0, 1) }, { noNullPrototype: true }),
  { minLength: 1, maxLength: 3 },
);
/** A turn event with text: `words` and `languages` present or left out (update D6). */
const withTranscript = <Tag extends string>(type: Tag) =>
  rec(
    {
      type: fc.constant(type),
      request_id: requestIdArb,
      transcript: transcriptTextArb,
      words: fc.array(wordArbitrary, { minLength: 1, maxLength: 12 }),
      languages: detectedLanguagesArb,
    },
    ["type", "request_id", "transcript"],
  );

const connectedArb: fc.Arbitrary<SttTurns.Connected> = withRequestId("connected");
const turnStartArb: fc.Arbitrary<SttTurns.TurnStart> = withRequestId("turn.start");
const turnUpdateArb: fc.Arbitrary<SttTurns.TurnUpdate> = withTranscript("turn.update");
const turnEagerEndArb: fc.Arbitrary<SttTurns.TurnEagerEnd> = withTranscript("turn.eager_end");
const turnResumeArb: fc.Arbitrary<SttTurns.TurnResume> = withRequestId("turn.resume");
const turnEndArb: fc.Arbitrary<SttTurns.TurnEnd> = withTranscript("turn.end");
const turnsNonError = [connectedArb, turnStartArb, turnUpdateArb, turnEagerEndArb, turnResumeArb, turnEndArb] as const;

/** Arbitraries for `/stt/turns/websocket` (§3); strict-valid at 2026-03-01 unless marked legacy (2025-04-16). */
export const sttTurnsArbitraries = {
  /** Handshake query as typed values; thresholds in range with end < eager_end < start (defaults counted). */
  query: sttTurnsQuery,
  /** The `turn` object of `config`: thresholds ordered as in the query, `end_timeout_ms` in 640–11200. */
  turnConfig: turnConfigArb,
  /** `{"type":"close"}`. */
  close: sttTurnsClose,
  /** `{"type":"config","turn":{…}}`. */
  config: sttTurnsConfig,
  /** A JSON command: `close` or `config`. */
  clientCommand: sttTurnsCommand,
  /** A binary audio frame. */
  audio: audioBytesArb,
  /** A client message as `encodeClientMessage` takes it: `{type:"audio",data}`, `close` or `config`. */
  clientMessage: fc.oneof(audioBytesArb.map((data) => ({ type: "audio" as const, data })), sttTurnsCommand) as fc.Arbitrary<SttTurns.ClientMessage>,
  /** A client frame as the `clientMessage` schema reads it: bytes or a decoded JSON command. */
  clientFrame: fc.oneof(audioBytesArb, sttTurnsCommand) as fc.Arbitrary<Uint8Array | SttTurns.Close | SttTurns.Config>,
  /** `connected`. */
  connected: connectedArb,
  /** `turn.start`. */
  turnStart: turnStartArb,
  /** `turn.update` (transcript may be empty or any unicode). */
  turnUpdate: turnUpdateArb,
  /** `turn.eager_end`. */
  turnEagerEnd: turnEagerEndArb,
  /** `turn.resume`. */
  turnResume: turnResumeArb,
  /** `turn.end` (transcript may be `""`). */
  turnEnd: turnEndArb,
  /** Structured `error` (2026-03-01+). */
  error: sttStructuredErrorArb as fc.Arbitrary<SttTurns.ErrorEvent>,
  /** Legacy `error` `{message, code, request_id}`: only lenient reading takes it (the endpoint answers structured at every version). */
  legacyError: sttLegacyErrorArb as fc.Arbitrary<SttTurns.ErrorEvent>,
  /** Any server event, errors structured (2026-03-01+). */
  serverMessage: fc.oneof(...turnsNonError, sttStructuredErrorArb) as fc.Arbitrary<SttTurns.ServerMessage>,
  /** Any server event, errors legacy: for lenient readers of a server that answers the old shape. */
  legacyServerMessage: fc.oneof(...turnsNonError, sttLegacyErrorArb) as fc.Arbitrary<SttTurns.ServerMessage>,
};

// ---------------------------------------------------------------------------------------------
// TTS request pieces (§5.2, §6)
// ---------------------------------------------------------------------------------------------

/** A voice id: non-empty (a UUID, or any short unicode string). */
const voiceIdArb = fc.oneof({ arbitrary: fc.uuid({ version: 4 }), weight: 4 }, { arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }), weight: 1 });

/** livekit's deprecated `__experimental_controls` (2024-11-13 + sonic-2-2025-03-07). */
const experimentalControlsArb = rec(
  {
    speed: fc.oneof(fc.constantFrom("slowest", "slow", "normal", "fast", "fastest"), finite(-1, 1)),
    emotion: fc.array(fc.constantFrom("positivity:high", "curiosity", "anger:lowest", "sadness", "surprise:low"), { maxLength: 3 }),
  },
  [],
);

/** The `{mode:"id"}` voice (before 2026-08-14); `{mode:"embedding"}` is refused since 2026-06-01 (update D8). */
const voiceModeObjectArb = rec({ mode: fc.constant("id" as const), id: voiceIdArb, __experimental_controls: experimentalControlsArb }, ["mode", "id"]);

/** The `string | {id, mode?:"id"}` voice (2026-08-14). */
const voiceIdOrStringArb = fc.oneof(voiceIdArb, rec({ id: voiceIdArb }), rec({ id: voiceIdArb, mode: fc.constant("id" as const) }));

/** `generation_config`: emotions mostly from the 58, sometimes another name (accepted, unverified: update D10). */
const generationConfigArb = rec(
  {
    volume: finite(0.5, 2),
    speed: finite(0.6, 1.5),
    emotion: fc.oneof({ arbitrary: fc.constantFrom(...EMOTIONS), weight: 4 }, { arbitrary: fc.constantFrom("Happy", "Joking/Comedic", "positivity:high"), weight: 1 }),
  },
  [],
);

const rawOutputFormatArb = fc.record(
  { container: fc.constant("raw" as const), encoding: fc.constantFrom(...TTS_ENCODINGS), sample_rate: fc.constantFrom(...TTS_SAMPLE_RATES) },
  { noNullPrototype: true },
);

const bytesOutputFormatArb = fc.oneof(
  rawOutputFormatArb,
  fc.record(
    { container: fc.constant("wav" as const), encoding: fc.constantFrom(...TTS_ENCODINGS), sample_rate: fc.constantFrom(...TTS_SAMPLE_RATES) },
    { noNullPrototype: true },
  ),
  rec(
    {
      container: fc.constant("mp3" as const),
      sample_rate: fc.constantFrom(...TTS_SAMPLE_RATES),
      bit_rate: fc.constantFrom(...MP3_BIT_RATES),
      // The changelog notes an empty encoding was allowed for mp3 (§8).
      encoding: fc.constantFrom("", ...TTS_ENCODINGS),
    },
    ["container", "sample_rate", "bit_rate"],
  ),
);

const ssmlTagArb = fc.oneof(
  finite(0.6, 1.5).map((r) => `<speed ratio="${r}"/>`),
  finite(0.5, 2).map((r) => `<volume ratio="${r}"/>`),
  fc.constantFrom(...EMOTIONS).map((e) => `<emotion value="${e}"/>`),
  fc.oneof(fc.integer({ min: 1, max: 5 }).map((s) => `${s}s`), fc.integer({ min: 1, max: 3000 }).map((ms) => `${ms}ms`)).map((t) => `<break time="${t}"/>`),
  fc.string({ unit: fc.constantFrom(..."ABCXYZ0123456789-"), minLength: 1, maxLength: 8 }).map((s) => `<spell>${s}</spell>`),
);

/** TTS input text: transcript text with SSML-like tags (§5.6) mixed in. */
const ttsTranscriptArb = fc.oneof(
  { arbitrary: transcriptTextArb, weight: 4 },
  { arbitrary: fc.array(fc.oneof(transcriptTextArb, ssmlTagArb), { minLength: 1, maxLength: 4 }).map((parts) => parts.join("")), weight: 1 },
);

const localeArb = fc.constantFrom("en-US", "en-GB", "fr-CA", "pt-BR", "es-MX", "zh-TW", "de-CH");

/** `language` xor `locale` (mutually exclusive, §5.2), or neither; `locale` only where the model takes it; `null` as absent (update D2). */
function languageOrLocaleArb(model: string): fc.Arbitrary<{ language?: string | null; locale?: string | null }> {
  const locales = findModel(model)?.features.locales === true;
  return fc.oneof(
    fc.constant({}),
    fc.constant({ language: null }),
    fc.constantFrom(...TTS_LANGUAGES).map((language) => ({ language })),
    ...(locales ? [localeArb.map((locale) => ({ locale })), fc.constant({ language: null, locale: "en-US" })] : []),
  );
}

type VoiceShape = "mode-object" | "id-or-string";

/** The optional fields every TTS request shares (§5.2, §6), without `language`/`locale`. */
function ttsCoreArb(voice: VoiceShape) {
  return fc.constantFrom(...TTS_MODELS).chain((model) => fc
    .tuple(
      rec(
        {
          model_id: fc.constant(model),
          transcript: ttsTranscriptArb,
          voice: voice === "mode-object" ? voiceModeObjectArb : voiceIdOrStringArb,
          normalization: fc.oneof(fc.constantFrom("auto", "off", null), fc.constantFrom(...TTS_LANGUAGES), localeArb),
          generation_config: generationConfigArb,
          pronunciation_dict_id: fc.option(fc.uuid(), { nil: null }),
          pronunciation_dict_ids: fc.array(fc.uuid(), { maxLength: 3 }),
          speed: fc.constantFrom("slow" as const, "normal" as const, "fast" as const),
          duration: finite(0, 600, { minExcluded: true }),
        },
        ["model_id", "transcript", "voice"],
      ),
      languageOrLocaleArb(model),
    )
    .map(([core, lang]) => ({ ...core, ...lang })));
}

function ttsGenerationRequestArb(voice: VoiceShape): fc.Arbitrary<Tts.GenerationRequest> {
  return fc
    .tuple(
      ttsCoreArb(voice),
      rec(
        {
          output_format: rawOutputFormatArb,
          context_id: contextIdArb,
          // `| null` in SDK 4.2 (update D2).
          continue: fc.option(fc.boolean(), { nil: null, freq: 5 }),
          flush: fc.option(fc.boolean(), { nil: null, freq: 5 }),
          max_buffer_delay_ms: fc.option(fc.integer({ min: MAX_BUFFER_DELAY_MS.min, max: MAX_BUFFER_DELAY_MS.max }), { nil: null, freq: 5 }),
          add_timestamps: fc.option(fc.boolean(), { nil: null, freq: 5 }),
          add_phoneme_timestamps: fc.boolean(),
          use_normalized_timestamps: fc.boolean(),
        },
        ["output_format", "context_id"],
      ),
    )
    .map(([core, ws]) => ({ ...core, ...ws }));
}

/** A flush: `transcript:""`, `continue:true`, `flush:true`, repeating the context's fields (§5.2). */
function ttsFlushRequestArb(voice: VoiceShape): fc.Arbitrary<Tts.GenerationRequest> {
  return ttsGenerationRequestArb(voice).map((r) => ({ ...r, transcript: "", continue: true, flush: true }));
}

// ---------------------------------------------------------------------------------------------
// /tts/websocket (§5)
// ---------------------------------------------------------------------------------------------

const ttsQuery: fc.Arbitrary<Tts.Query> = rec(wsQueryCommon, []);
const ttsGenerationRequest = ttsGenerationRequestArb("mode-object");
const ttsGenerationRequestIdOrString = ttsGenerationRequestArb("id-or-string");
const ttsFlushRequest = ttsFlushRequestArb("mode-object");
const ttsFlushRequestIdOrString = ttsFlushRequestArb("id-or-string");
const ttsCancel: fc.Arbitrary<Tts.Cancel> = fc.record({ context_id: contextIdArb, cancel: fc.constant(true as const) }, { noNullPrototype: true });

const flushIdArb = fc.integer({ min: 1, max: 1000 });
const stepTimeArb = finite(0, 10_000);

/** SDK 4.2 types `flush_id` (and the timestamp lists) `| null` on server messages (update D11). */
const nullableFlushIdArb = fc.option(flushIdArb, { nil: null, freq: 6 });

const ttsChunk: fc.Arbitrary<Tts.Chunk> = rec(
  {
    type: fc.constant("chunk" as const),
    data: base64AudioArb,
    done: fc.constant(false as const),
    status_code: statusArb,
    step_time: stepTimeArb,
    context_id: contextIdArb,
    flush_id: nullableFlushIdArb,
  },
  ["type", "data", "done", "status_code", "step_time", "context_id"],
);
const ttsTimestamps: fc.Arbitrary<Tts.Timestamps> = rec(
  {
    type: fc.constant("timestamps" as const),
    done: fc.constant(false as const),
    status_code: statusArb,
    context_id: contextIdArb,
    word_timestamps: fc.option(wordTimestampsArb, { nil: null, freq: 6 }),
    flush_id: nullableFlushIdArb,
  },
  ["type", "done", "status_code", "context_id"],
);
const ttsPhonemeTimestamps: fc.Arbitrary<Tts.PhonemeTimestamps> = rec(
  {
    type: fc.constant("phoneme_timestamps" as const),
    done: fc.constant(false as const),
    status_code: statusArb,
    context_id: contextIdArb,
    phoneme_timestamps: fc.option(phonemeTimestampsArb, { nil: null, freq: 6 }),
    flush_id: nullableFlushIdArb,
  },
  ["type", "done", "status_code", "context_id"],
);
const ttsFlushDone: fc.Arbitrary<Tts.FlushDone> = fc.record(
  {
    type: fc.constant("flush_done" as const),
    done: fc.constant(false as const),
    flush_done: fc.constant(true as const),
    flush_id: flushIdArb,
    status_code: statusArb,
    context_id: contextIdArb,
  },
  { noNullPrototype: true },
);
const ttsDone: fc.Arbitrary<Tts.Done> = fc.record(
  { type: fc.constant("done" as const), done: fc.constant(true as const), status_code: statusArb, context_id: contextIdArb },
  { noNullPrototype: true },
);
const ttsStructuredError: fc.Arbitrary<Tts.ErrorEvent> = rec(
  {
    type: fc.constant("error" as const),
    done: fc.constant(true as const),
    status_code: errorStatusArb,
    error_code: errorCodeArb,
    title: titleArb,
    message: messageArb,
    request_id: requestIdArb,
    doc_url: docUrlArb,
    context_id: contextIdArb,
  },
  ["type", "done", "status_code", "error_code", "title", "message", "request_id"],
);
const ttsLegacyError: fc.Arbitrary<Tts.ErrorEvent> = fc.record(
  {
    type: fc.constant("error" as const),
    done: fc.constant(true as const),
    error: fc.tuple(titleArb, messageArb).map(([t, m]) => `${t}: ${m}`),
    status_code: errorStatusArb,
    context_id: contextIdArb,
  },
  { noNullPrototype: true },
);
const ttsNonError = [ttsChunk, ttsTimestamps, ttsPhonemeTimestamps, ttsFlushDone, ttsDone] as const;

/** Arbitraries for `/tts/websocket` (§5); strict-valid at 2026-03-01 unless marked legacy (2025-04-16) or id-or-string (2026-08-14). */
export const ttsArbitraries = {
  /** Handshake query (version and auth only). */
  query: ttsQuery,
  /** Voice `{mode:"id",id}` or `{mode:"embedding",embedding}` (valid before 2026-08-14). */
  voice: voiceModeObjectArb,
  /** Voice `"id"` or `{id, mode?:"id"}` (valid from 2026-08-14). */
  voiceIdOrString: voiceIdOrStringArb,
  /** `generation_config`: volume 0.5–2, speed 0.6–1.5, an emotion from the enum. */
  generationConfig: generationConfigArb,
  /** The raw output format. */
  outputFormat: rawOutputFormatArb,
  /** A generation request, voice `{mode:…}` (valid before 2026-08-14), optional fields incl. `generation_config`. */
  generationRequest: ttsGenerationRequest,
  /** A generation request, voice `string | {id}` (valid from 2026-08-14). */
  generationRequestIdOrString: ttsGenerationRequestIdOrString,
  /** A flush request (`transcript:""`, `continue:true`, `flush:true`), voice `{mode:…}` (before 2026-08-14). */
  flushRequest: ttsFlushRequest,
  /** A flush request, voice `string | {id}` (from 2026-08-14). */
  flushRequestIdOrString: ttsFlushRequestIdOrString,
  /** `{context_id, cancel:true}`. */
  cancel: ttsCancel,
  /** Any client message, voice `{mode:…}` (before 2026-08-14). */
  clientMessage: fc.oneof(ttsGenerationRequest, ttsFlushRequest, ttsCancel) as fc.Arbitrary<Tts.ClientMessage>,
  /** Any client message, voice `string | {id}` (from 2026-08-14). */
  clientMessageIdOrString: fc.oneof(ttsGenerationRequestIdOrString, ttsFlushRequestIdOrString, ttsCancel) as fc.Arbitrary<Tts.ClientMessage>,
  /** `chunk` whose `data` is real base64 of random bytes. */
  chunk: ttsChunk,
  /** `timestamps` with equal-length `words`/`start`/`end`. */
  timestamps: ttsTimestamps,
  /** `phoneme_timestamps` with equal-length `phonemes`/`start`/`end`. */
  phonemeTimestamps: ttsPhonemeTimestamps,
  /** `flush_done`. */
  flushDone: ttsFlushDone,
  /** `done`. */
  done: ttsDone,
  /** Structured `error` (2026-03-01+). */
  error: ttsStructuredError,
  /** Legacy `error` `{done, error, status_code, context_id}` (valid before 2026-03-01, e.g. 2025-04-16). */
  legacyError: ttsLegacyError,
  /** Any server message, errors structured (2026-03-01+). */
  serverMessage: fc.oneof(...ttsNonError, ttsStructuredError) as fc.Arbitrary<Tts.ServerMessage>,
  /** Any server message, errors legacy (valid before 2026-03-01, e.g. 2025-04-16). */
  legacyServerMessage: fc.oneof(...ttsNonError, ttsLegacyError) as fc.Arbitrary<Tts.ServerMessage>,
};

// ---------------------------------------------------------------------------------------------
// POST /tts/bytes (§6.1)
// ---------------------------------------------------------------------------------------------

function ttsBytesRequestArb(voice: VoiceShape): fc.Arbitrary<TtsBytes.Request> {
  return fc
    .tuple(ttsCoreArb(voice), rec({ output_format: bytesOutputFormatArb, save: fc.boolean() }, ["output_format"]))
    .map(([core, rest]) => ({ ...core, ...rest }));
}

/** Arbitraries for `POST /tts/bytes` (§6.1); strict-valid at 2026-03-01 unless marked id-or-string (2026-08-14). */
export const ttsBytesArbitraries = {
  /** `output_format`: raw, WAV or MP3 (with `bit_rate`, `encoding` optional or empty). */
  outputFormat: bytesOutputFormatArb,
  /** A request, voice `{mode:…}` (valid before 2026-08-14). */
  request: ttsBytesRequestArb("mode-object"),
  /** A request, voice `string | {id}` (valid from 2026-08-14). */
  requestIdOrString: ttsBytesRequestArb("id-or-string"),
  /** The response body: audio bytes. */
  audio: audioBytesArb,
  /** The structured HTTP error body (2026-03-01+). */
  errorBody: httpErrorBodyArb as fc.Arbitrary<TtsBytes.ErrorBody>,
};

// ---------------------------------------------------------------------------------------------
// POST /tts/sse (§6.2)
// ---------------------------------------------------------------------------------------------

function ttsSseRequestArb(voice: VoiceShape): fc.Arbitrary<TtsSse.Request> {
  return fc
    .tuple(
      ttsCoreArb(voice),
      rec(
        {
          output_format: rawOutputFormatArb,
          context_id: contextIdArb,
          add_timestamps: fc.boolean(),
          add_phoneme_timestamps: fc.boolean(),
          use_normalized_timestamps: fc.boolean(),
        },
        ["output_format"],
      ),
    )
    .map(([core, rest]) => ({ ...core, ...rest }));
}

/** On SSE `context_id` is optional and nullable. */
const sseContextIdArb = fc.option(contextIdArb, { nil: null });

const sseChunk: fc.Arbitrary<TtsSse.Chunk> = rec(
  {
    type: fc.constant("chunk" as const),
    data: base64AudioArb,
    done: fc.constant(false as const),
    status_code: statusArb,
    step_time: stepTimeArb,
    context_id: sseContextIdArb,
  },
  ["type", "data", "done", "status_code", "step_time"],
);
const sseTimestamps: fc.Arbitrary<TtsSse.Timestamps> = rec(
  { type: fc.constant("timestamps" as const), done: fc.constant(false as const), status_code: statusArb, word_timestamps: wordTimestampsArb, context_id: sseContextIdArb },
  ["type", "done", "status_code", "word_timestamps"],
);
const ssePhonemeTimestamps: fc.Arbitrary<TtsSse.PhonemeTimestamps> = rec(
  {
    type: fc.constant("phoneme_timestamps" as const),
    done: fc.constant(false as const),
    status_code: statusArb,
    phoneme_timestamps: phonemeTimestampsArb,
    context_id: sseContextIdArb,
  },
  ["type", "done", "status_code", "phoneme_timestamps"],
);
const sseFlushDone: fc.Arbitrary<TtsSse.FlushDone> = rec(
  {
    type: fc.constant("flush_done" as const),
    done: fc.constant(false as const),
    flush_done: fc.constant(true as const),
    flush_id: flushIdArb,
    status_code: statusArb,
    context_id: sseContextIdArb,
  },
  ["type", "done", "flush_done", "flush_id", "status_code"],
);
const sseDone: fc.Arbitrary<TtsSse.Done> = rec(
  { type: fc.constant("done" as const), done: fc.constant(true as const), status_code: statusArb, context_id: sseContextIdArb },
  ["type", "done", "status_code"],
);
const sseStructuredError: fc.Arbitrary<TtsSse.ErrorEvent> = rec(
  {
    type: fc.constant("error" as const),
    done: fc.boolean(),
    message: messageArb,
    request_id: requestIdArb,
    status_code: errorStatusArb,
    title: titleArb,
    doc_url: docUrlArb,
    error_code: errorCodeArb,
    context_id: sseContextIdArb,
  },
  ["type", "done", "message", "request_id", "status_code", "title"],
);
const sseLegacyError: fc.Arbitrary<TtsSse.ErrorEvent> = rec(
  {
    type: fc.constant("error" as const),
    done: fc.boolean(),
    error: fc.tuple(titleArb, messageArb).map(([t, m]) => `${t}: ${m}`),
    status_code: errorStatusArb,
    context_id: sseContextIdArb,
  },
  ["type", "done", "error", "status_code"],
);
const sseNonError = [sseChunk, sseTimestamps, ssePhonemeTimestamps, sseFlushDone, sseDone] as const;

/** Arbitraries for `POST /tts/sse` (§6.2); strict-valid at 2026-03-01 unless marked legacy (2025-04-16) or id-or-string (2026-08-14). */
export const ttsSseArbitraries = {
  /** A request, voice `{mode:…}` (valid before 2026-08-14). */
  request: ttsSseRequestArb("mode-object"),
  /** A request, voice `string | {id}` (valid from 2026-08-14). */
  requestIdOrString: ttsSseRequestArb("id-or-string"),
  /** `chunk` event (real base64; `context_id` string, `null` or absent). */
  chunk: sseChunk,
  /** `timestamps` event with equal-length arrays. */
  timestamps: sseTimestamps,
  /** `phoneme_timestamps` event with equal-length arrays. */
  phonemeTimestamps: ssePhonemeTimestamps,
  /** `flush_done` event (older pages). */
  flushDone: sseFlushDone,
  /** `done` event. */
  done: sseDone,
  /** Structured `error` event (2026-03-01+). */
  error: sseStructuredError,
  /** Legacy `error` event with an `error` string (valid before 2026-03-01, e.g. 2025-04-16). */
  legacyError: sseLegacyError,
  /** Any event, errors structured (2026-03-01+). */
  event: fc.oneof(...sseNonError, sseStructuredError) as fc.Arbitrary<TtsSse.Event>,
  /** Any event, errors legacy (valid before 2026-03-01, e.g. 2025-04-16). */
  legacyEvent: fc.oneof(...sseNonError, sseLegacyError) as fc.Arbitrary<TtsSse.Event>,
  /** The structured HTTP error body (2026-03-01+). */
  errorBody: httpErrorBodyArb,
};

// ---------------------------------------------------------------------------------------------
// POST /stt (§4)
// ---------------------------------------------------------------------------------------------

/** Arbitraries for `POST /stt` (§4); strict-valid at 2026-03-01. */
export const sttBatchArbitraries = {
  /** Query parameters as typed values (raw PCM only; may be empty). */
  query: rec({ encoding: sttEncodingArb, sample_rate: sampleRateArb }, []) as fc.Arbitrary<SttBatch.Query>,
  /** The non-file form fields as typed values (`timestamp_granularities[]` a non-empty list of `"word"`). */
  form: rec(
    {
      model: fc.constantFrom(...STT_BATCH_MODELS),
      language: fc.constantFrom(...STT_LANGUAGES),
      "timestamp_granularities[]": fc.array(fc.constant("word"), { minLength: 1, maxLength: 2 }),
    },
    ["model"],
  ) as fc.Arbitrary<SttBatch.Form>,
  /** The transcript response (`type:"transcript"` present, as strict requires). */
  response: rec(
    {
      type: fc.constant("transcript" as const),
      text: transcriptTextArb,
      language: fc.constantFrom(...STT_LANGUAGES),
      duration: finite(0, 7200),
      request_id: requestIdArb,
      is_final: fc.boolean(),
      words: fc.array(wordArbitrary, { maxLength: 12 }),
    },
    ["type", "text"],
  ) as fc.Arbitrary<SttBatch.Response>,
  /** The structured HTTP error body (2026-03-01+). */
  errorBody: httpErrorBodyArb,
};

// ---------------------------------------------------------------------------------------------
// POST /access-token (§7)
// ---------------------------------------------------------------------------------------------

// Every field `| null` in SDK 4.2 (update D2).
const grantArb = fc.option(fc.boolean(), { nil: null, freq: 6 });
const grantsArb: fc.Arbitrary<AccessToken.Grants> = rec({ tts: grantArb, stt: grantArb, agent: grantArb }, []);

/** Arbitraries for `POST /access-token` (§7); strict-valid at 2026-03-01. */
export const accessTokenArbitraries = {
  /** `grants`: any subset of `tts`, `stt`, `agent`. */
  grants: grantsArb,
  /** The request body: optional grants, optional `expires_in` in 1–3600. */
  request: rec({ grants: grantsArb, expires_in: fc.integer({ min: 1, max: MAX_EXPIRES_IN }) }, []) as fc.Arbitrary<AccessToken.Request>,
  /** The response body `{token}` (JWT-like). */
  response: fc.record({ token: fc.oneof(tokenArb, fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 40 })) }, { noNullPrototype: true }) as fc.Arbitrary<AccessToken.Response>,
  /** The structured HTTP error body (2026-03-01+). */
  errorBody: httpErrorBodyArb,
};
