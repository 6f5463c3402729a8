/**
 * Invalid input: every failure names the offending field; lenient accepts what only strict rejects;
 * frames of the wrong kind fail with their own reason; and no input whatsoever makes a parse throw.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  accessToken,
  KEYTERM_LIMITS,
  normalizeHttpError,
  readCredentials,
  resolveVersion,
  STRICTNESS_LEVELS,
  sttBatch,
  sttTurns,
  sttV1,
  tts,
  ttsBytes,
  ttsSse,
  type FrameInput,
  type ParseFailureReason,
  type Result,
  type SchemaOptions,
  type Strictness,
} from "../src/index.js";
import { exampleJson, PROTOCOL_EXAMPLES } from "./fixtures/protocol-examples.js";

/** A §-example with some fields replaced (`undefined` removes a field), as a JSON text frame. */
function variant(name: string, patch: Record<string, unknown>): string {
  const value: Record<string, unknown> = { ...exampleJson(name), ...patch };
  for (const [key, v] of Object.entries(patch)) if (v === undefined) delete value[key];
  return JSON.stringify(value);
}

const V1_QUERY = "model=ink-whisper&encoding=pcm_s16le&sample_rate=16000";
const TURNS_QUERY = "model=ink-2&encoding=pcm_s16le&sample_rate=16000";
const REQUEST = "tts generation request (continue)";
const keyterms = (terms: string[]) => terms.map((t) => `keyterm=${encodeURIComponent(t)}`).join("&");

interface InvalidCase {
  name: string;
  parse: (options: SchemaOptions) => Result<unknown>;
  /** The field path the failure must name. */
  path: string;
  /** Levels that must reject it. */
  rejectedBy: readonly Strictness[];
  /** Levels that must accept it (the rest of the levels). */
  acceptedBy: readonly Strictness[];
  /** The version to read at (default 2026-03-01). */
  version?: string;
}

const ALL = STRICTNESS_LEVELS;
const CHECKED = ["validating", "strict"] as const;
const LENIENT = ["lenient"] as const;
const STRICT_ONLY = ["strict"] as const;
const NOT_STRICT = ["lenient", "validating"] as const;

const cases: InvalidCase[] = [
  // Wrong types: rejected at every level.
  {
    name: "stt-v1 transcript with is_final as a string",
    parse: (o) => sttV1.parseServerMessage(variant("stt-v1 transcript (final)", { is_final: "yes" }), o),
    path: "is_final",
    rejectedBy: ALL,
    acceptedBy: [],
  },
  {
    name: "tts chunk with status_code as a string",
    parse: (o) => tts.parseServerMessage(variant("tts chunk", { status_code: "206" }), o),
    path: "status_code",
    rejectedBy: ALL,
    acceptedBy: [],
  },
  {
    name: "turns config with turn as an array",
    parse: (o) => sttTurns.parseClientMessage(JSON.stringify({ type: "config", turn: [0.2] }), o),
    path: "turn",
    rejectedBy: ALL,
    acceptedBy: [],
  },
  {
    name: "access-token request with grants.tts as a string",
    parse: (o) => accessToken.parseRequest(JSON.stringify({ grants: { tts: "yes" } }), o),
    path: "grants.tts",
    rejectedBy: ALL,
    acceptedBy: [],
  },
  {
    name: "tts request with a numeric transcript",
    parse: (o) => tts.parseClientMessage(variant(REQUEST, { transcript: 42 }), o),
    path: "transcript",
    rejectedBy: ALL,
    acceptedBy: [],
  },

  // Missing required fields: rejected at every level.
  {
    name: "turns turn.update without transcript",
    parse: (o) => sttTurns.parseServerMessage(variant("stt-turns turn.update (1)", { transcript: undefined }), o),
    path: "transcript",
    rejectedBy: ALL,
    acceptedBy: [],
  },
  {
    name: "tts request without output_format",
    parse: (o) => tts.parseClientMessage(variant(REQUEST, { output_format: undefined }), o),
    path: "output_format",
    rejectedBy: ALL,
    acceptedBy: [],
  },
  {
    name: "tts flush_done without flush_id",
    parse: (o) => tts.parseServerMessage(variant("tts flush_done", { flush_id: undefined }), o),
    path: "flush_id",
    rejectedBy: ALL,
    acceptedBy: [],
  },
  {
    name: "stt-v1 query without sample_rate",
    parse: (o) => sttV1.parseQuery("model=ink-whisper&encoding=pcm_s16le", o),
    path: "sample_rate",
    rejectedBy: ALL,
    acceptedBy: [],
  },
  {
    name: "stt-batch response without text",
    parse: (o) => sttBatch.parseResponse(variant("stt-batch transcript response", { text: undefined }), o),
    path: "text",
    rejectedBy: ALL,
    acceptedBy: [],
  },
  {
    name: "access-token response without token",
    parse: (o) => accessToken.parseResponse("{}", o),
    path: "token",
    rejectedBy: ALL,
    acceptedBy: [],
  },
  {
    name: "tts cancel without context_id",
    parse: (o) => tts.parseClientMessage(JSON.stringify({ cancel: true }), o),
    path: "context_id",
    rejectedBy: ALL,
    acceptedBy: [],
  },
  {
    name: "sample_rate=abc in a query",
    parse: (o) => sttV1.parseQuery("model=ink-whisper&encoding=pcm_s16le&sample_rate=abc", o),
    path: "sample_rate",
    rejectedBy: ALL,
    acceptedBy: [],
  },
  {
    name: "turns query with turn_end_timeout_ms=soon",
    parse: (o) => sttTurns.parseQuery(`${TURNS_QUERY}&turn_end_timeout_ms=soon`, o),
    path: "turn_end_timeout_ms",
    rejectedBy: ALL,
    acceptedBy: [],
  },
  {
    name: "empty voice object",
    parse: (o) => tts.parseClientMessage(variant(REQUEST, { voice: {} }), o),
    path: "voice.id",
    rejectedBy: ALL,
    acceptedBy: [],
  },

  // Out of range: checked levels reject, lenient accepts.
  {
    name: "config turn.end_threshold: 0.9 (range 0.05–0.5)",
    parse: (o) => sttTurns.parseClientMessage(JSON.stringify({ type: "config", turn: { end_threshold: 0.9 } }), o),
    path: "turn.end_threshold",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "config turn.end_timeout_ms: 20000 (range 640–11200)",
    parse: (o) => sttTurns.parseClientMessage(JSON.stringify({ type: "config", turn: { end_timeout_ms: 20000 } }), o),
    path: "turn.end_timeout_ms",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "turns query turn_start_threshold=0.95 (range 0.5–0.9)",
    parse: (o) => sttTurns.parseQuery(`${TURNS_QUERY}&turn_start_threshold=0.95`, o),
    path: "turn_start_threshold",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "max_buffer_delay_ms: 6000 (range 0–5000)",
    parse: (o) => tts.parseClientMessage(variant(REQUEST, { max_buffer_delay_ms: 6000 }), o),
    path: "max_buffer_delay_ms",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "expires_in: 7200 (max 3600)",
    parse: (o) => accessToken.parseRequest(JSON.stringify({ grants: { stt: true }, expires_in: 7200 }), o),
    path: "expires_in",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "generation_config.speed: 3 (range 0.6–1.5)",
    parse: (o) => tts.parseClientMessage(variant(REQUEST, { generation_config: { speed: 3 } }), o),
    path: "generation_config.speed",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "generation_config.volume: 0.1 on /tts/bytes (range 0.5–2.0)",
    parse: (o) =>
      ttsBytes.parseRequest(
        variant(REQUEST, { context_id: undefined, continue: undefined, max_buffer_delay_ms: undefined, add_timestamps: undefined, generation_config: { volume: 0.1 } }),
        o,
      ),
    path: "generation_config.volume",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "stt-v1 query min_volume=1.5 (range 0–1)",
    parse: (o) => sttV1.parseQuery(`${V1_QUERY}&min_volume=1.5`, o),
    path: "min_volume",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },

  // Unknown values of known sets: checked levels reject, lenient accepts.
  {
    name: "stt-v1 query encoding=mp3",
    parse: (o) => sttV1.parseQuery("model=ink-whisper&encoding=mp3&sample_rate=16000", o),
    path: "encoding",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "tts output_format.encoding pcm_s32le (TTS has no s32le)",
    parse: (o) => tts.parseClientMessage(variant(REQUEST, { output_format: { container: "raw", encoding: "pcm_s32le", sample_rate: 24000 } }), o),
    path: "output_format.encoding",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "tts output_format.sample_rate 12345",
    parse: (o) => tts.parseClientMessage(variant(REQUEST, { output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: 12345 } }), o),
    path: "output_format.sample_rate",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "model=ink-9 on /stt/websocket",
    parse: (o) => sttV1.parseQuery("model=ink-9&encoding=pcm_s16le&sample_rate=16000", o),
    path: "model",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "model=ink-whisper on /stt/turns/websocket (ink-2 only)",
    parse: (o) => sttTurns.parseQuery("model=ink-whisper&encoding=pcm_s16le&sample_rate=16000", o),
    path: "model",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "tts model_id sonic-9",
    parse: (o) => tts.parseClientMessage(variant(REQUEST, { model_id: "sonic-9" }), o),
    path: "model_id",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "a sunset tts model_id (sonic-english)",
    parse: (o) => tts.parseClientMessage(variant(REQUEST, { model_id: "sonic-english" }), o),
    path: "model_id",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "locale with a model that takes no locales (sonic-3)",
    parse: (o) => tts.parseClientMessage(variant(REQUEST, { language: undefined, locale: "en-GB" }), o),
    path: "locale",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "normalization that is neither auto, off, a language nor a locale",
    parse: (o) => tts.parseClientMessage(variant(REQUEST, { normalization: "loud" }), o),
    path: "normalization",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "a voice embedding (refused since 2026-06-01)",
    parse: (o) => tts.parseClientMessage(variant(REQUEST, { voice: { mode: "embedding", embedding: [0.1, 0.2] } }), o),
    path: "voice.mode",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "stt-turns language_hint with ink-2 (it takes none)",
    parse: (o) => sttTurns.parseQuery(`${TURNS_QUERY}&language_hint=en`, o),
    path: "language_hint",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "stt-v1 seven language hints for ink-preview",
    parse: (o) => sttV1.parseQuery("model=ink-preview&encoding=pcm_s16le&sample_rate=16000&language_hints=en,fr,de,es,hi,ja,ko", o),
    path: "language_hints",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "stt-turns a hint ink-preview does not know (a regional code)",
    parse: (o) => sttTurns.parseQuery("model=ink-preview&encoding=pcm_s16le&sample_rate=16000&language_hint=en-US", o),
    path: "language_hint",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "stt-v1 config with 101 keyterms",
    parse: (o) => sttV1.parseClientMessage(JSON.stringify({ type: "config", keyterms: Array.from({ length: 101 }, (_, i) => `k${i}`) }), o),
    path: "keyterms",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "stt-turns config with seven language_hints",
    parse: (o) => sttTurns.parseClientMessage(JSON.stringify({ type: "config", language_hints: ["en", "fr", "de", "es", "hi", "ja", "ko"] }), o),
    path: "language_hints",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "stt-batch form timestamp_granularities[]=segment",
    parse: (o) => sttBatch.parseForm({ model: "ink-whisper", "timestamp_granularities[]": "segment" }, o),
    path: "timestamp_granularities[][0]",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },

  // Cross-field rules: checked levels reject, lenient accepts.
  {
    name: `keyterm over ${KEYTERM_LIMITS.maxTerms} terms (stt-v1)`,
    parse: (o) => sttV1.parseQuery(`${V1_QUERY}&${keyterms(Array.from({ length: 101 }, (_, i) => `term ${i}`))}`, o),
    path: "keyterm",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: `keyterm over ${KEYTERM_LIMITS.maxTotalChars} characters (turns)`,
    parse: (o) => sttTurns.parseQuery(`${TURNS_QUERY}&${keyterms(["a".repeat(600), "b".repeat(601)])}`, o),
    path: "keyterm",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "threshold ordering violated in the turns query (eager_end above start)",
    parse: (o) => sttTurns.parseQuery(`${TURNS_QUERY}&turn_start_threshold=0.5&turn_eager_end_threshold=0.6`, o),
    path: "turn_eager_end_threshold",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "threshold ordering violated in config (end above eager_end)",
    parse: (o) => sttTurns.parseClientMessage(JSON.stringify({ type: "config", turn: { eager_end_threshold: 0.35, end_threshold: 0.45 } }), o),
    path: "turn.end_threshold",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "language and locale together",
    parse: (o) => tts.parseClientMessage(variant(REQUEST, { locale: "en-GB" }), o),
    path: "locale",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
    version: "2026-08-14",
  },
  {
    name: "word timestamps arrays of unequal length (tts timestamps)",
    parse: (o) =>
      tts.parseServerMessage(variant("tts timestamps", { word_timestamps: { words: ["Your", "code", "is"], start: [0.02, 0.21], end: [0.19, 0.41, 0.55] } }), o),
    path: "word_timestamps.start",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "phoneme timestamps arrays of unequal length",
    parse: (o) =>
      tts.parseServerMessage(variant("tts phoneme_timestamps", { phoneme_timestamps: { phonemes: ["j"], start: [0.02], end: [0.07, 0.13] } }), o),
    path: "phoneme_timestamps.end",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "stt-v1 words in the SDK object form with unequal arrays",
    parse: (o) =>
      sttV1.parseServerMessage(variant("stt-v1 transcript (interim)", { words: [{ words: ["Book", "a"], start: [0.1], end: [0.32, 0.41] }] }), o),
    path: "words[0].start",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "SSE timestamps arrays of unequal length",
    parse: (o) =>
      ttsSse.parseEvent(
        JSON.stringify({ type: "timestamps", done: false, status_code: 206, word_timestamps: { words: ["a", "b"], start: [0, 1], end: [1] } }),
        o,
      ),
    path: "word_timestamps.end",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },

  // Formats and literals.
  {
    name: "bad base64 in a tts chunk",
    parse: (o) => tts.parseServerMessage(variant("tts chunk", { data: "not base64!" }), o),
    path: "data",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "tts chunk with done: true",
    parse: (o) => tts.parseServerMessage(variant("tts chunk", { done: true }), o),
    path: "done",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "tts flush_done with flush_id 0 (ids start at 1)",
    parse: (o) => tts.parseServerMessage(variant("tts flush_done", { flush_id: 0 }), o),
    path: "flush_id",
    rejectedBy: ALL,
    acceptedBy: [],
  },

  // Version-dependent voice shapes.
  {
    name: "string voice at 2026-03-01 (only {mode:\"id\"} before 2026-08-14)",
    parse: (o) => tts.parseClientMessage(variant(REQUEST, { voice: "6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81" }), o),
    path: "voice",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
  },
  {
    name: "embedding voice at 2026-08-14 (embeddings are not accepted)",
    parse: (o) => tts.parseClientMessage(variant(REQUEST, { voice: { mode: "embedding", embedding: [0.1, 0.2] } }), o),
    path: "voice.mode",
    rejectedBy: CHECKED,
    acceptedBy: LENIENT,
    version: "2026-08-14",
  },

  // Unknown fields: strict rejects, validating and lenient accept (and drop).
  {
    name: "unknown field on a tts chunk",
    parse: (o) => tts.parseServerMessage(variant("tts chunk", { extra_field: 1 }), o),
    path: "extra_field",
    rejectedBy: STRICT_ONLY,
    acceptedBy: NOT_STRICT,
  },
  {
    name: "unknown field nested in generation_config",
    parse: (o) => tts.parseClientMessage(variant(REQUEST, { generation_config: { speed: 1, pitch: 2 } }), o),
    path: "generation_config.pitch",
    rejectedBy: STRICT_ONLY,
    acceptedBy: NOT_STRICT,
  },
  {
    name: "unknown field in a config turn",
    parse: (o) => sttTurns.parseClientMessage(JSON.stringify({ type: "config", turn: { end_threshold: 0.15, sensitivity: 1 } }), o),
    path: "turn.sensitivity",
    rejectedBy: STRICT_ONLY,
    acceptedBy: NOT_STRICT,
  },
  {
    name: "unknown query parameter on /stt/websocket",
    parse: (o) => sttV1.parseQuery(`${V1_QUERY}&speechwire_scenario=demo`, o),
    path: "speechwire_scenario",
    rejectedBy: STRICT_ONLY,
    acceptedBy: NOT_STRICT,
  },
  {
    name: "language on /stt/turns/websocket (no such parameter)",
    parse: (o) => sttTurns.parseQuery(`${TURNS_QUERY}&language=en`, o),
    path: "language",
    rejectedBy: STRICT_ONLY,
    acceptedBy: NOT_STRICT,
  },
  {
    name: "unknown field on an access-token request",
    parse: (o) => accessToken.parseRequest(JSON.stringify({ grants: { stt: true }, scope: "all" }), o),
    path: "scope",
    rejectedBy: STRICT_ONLY,
    acceptedBy: NOT_STRICT,
  },
];

describe("invalid variants name the offending field", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect([...c.rejectedBy, ...c.acceptedBy].sort()).toEqual([...STRICTNESS_LEVELS].sort());
    for (const strictness of c.rejectedBy) {
      const result = c.parse({ strictness, version: c.version ?? "2026-03-01" });
      expect(result.ok, `${strictness} must reject`).toBe(false);
      if (result.ok) continue;
      expect(result.error.reason).toBe("invalid_message");
      expect(result.error.issues.map((i) => i.path), strictness).toContain(c.path);
      expect(result.error.message, strictness).toContain(c.path);
    }
    for (const strictness of c.acceptedBy) {
      const result = c.parse({ strictness, version: c.version ?? "2026-03-01" });
      if (!result.ok) expect.fail(`${strictness} must accept: ${result.error.message}`);
    }
  });
});

describe("values at the documented limits are accepted by strict", () => {
  const accepted: Array<[string, () => Result<unknown>]> = [
    ["exactly 100 keyterms", () => sttV1.parseQuery(`${V1_QUERY}&${keyterms(Array.from({ length: 100 }, (_, i) => `t${i}`))}`, { strictness: "strict" })],
    ["keyterms of exactly 1200 characters", () => sttTurns.parseQuery(`${TURNS_QUERY}&${keyterms(["a".repeat(600), "b".repeat(600)])}`, { strictness: "strict" })],
    ["max_buffer_delay_ms 0 and 5000", () => tts.parseClientMessage(variant(REQUEST, { max_buffer_delay_ms: 5000 }), { strictness: "strict" })],
    ["expires_in 3600", () => accessToken.parseRequest('{"expires_in":3600}', { strictness: "strict" })],
    ["generation_config at both ends", () => tts.parseClientMessage(variant(REQUEST, { generation_config: { speed: 0.6, volume: 2 } }), { strictness: "strict" })],
    ["generation_config upper speed, lower volume", () => tts.parseClientMessage(variant(REQUEST, { generation_config: { speed: 1.5, volume: 0.5, emotion: "calm" } }), { strictness: "strict" })],
    [
      "every threshold at its top, still ordered",
      () => sttTurns.parseClientMessage('{"type":"config","turn":{"start_threshold":0.9,"eager_end_threshold":0.6,"end_threshold":0.5,"end_timeout_ms":11200}}', { strictness: "strict" }),
    ],
    [
      "every threshold at its bottom, still ordered",
      () => sttTurns.parseQuery(`${TURNS_QUERY}&turn_start_threshold=0.5&turn_eager_end_threshold=0.3&turn_end_threshold=0.05&turn_end_timeout_ms=640`, { strictness: "strict" }),
    ],
    ["min_volume 0 and 1", () => sttV1.parseQuery(`${V1_QUERY}&min_volume=1`, { strictness: "strict" })],
    ["locale alone at 2026-08-14 (sonic-3.6)", () => tts.parseClientMessage(variant(REQUEST, { model_id: "sonic-3.6", language: undefined, locale: "en-GB" }), { strictness: "strict", version: "2026-08-14" })],
    ["an emotion outside the 58 (unverified: accepted, the linter warns)", () => tts.parseClientMessage(variant(REQUEST, { generation_config: { emotion: "Happy" } }), { strictness: "strict" })],
    ["null wherever SDK 4.2 types allow it", () => tts.parseClientMessage(variant(REQUEST, { language: null, locale: null, normalization: null, continue: null, flush: null, max_buffer_delay_ms: null, add_timestamps: null, generation_config: null }), { strictness: "strict" })],
    ["access-token nulls", () => accessToken.parseRequest('{"grants":{"tts":null,"stt":true,"agent":null},"expires_in":null}', { strictness: "strict" })],
    ["access-token grants null", () => accessToken.parseRequest('{"grants":null}', { strictness: "strict" })],
    ["exactly six language hints for ink-preview, both spellings", () => sttTurns.parseQuery("model=ink-preview&encoding=pcm_s16le&sample_rate=16000&language_hint=hi&language_hint=en&language_hints=fr,de,es,ja", { strictness: "strict" })],
    ["a dated ink-2 snapshot", () => sttTurns.parseQuery("model=ink-2-2027-01-15&encoding=pcm_s16le&sample_rate=16000", { strictness: "strict" })],
    ["ink-preview on /stt/websocket with timestamp_granularities[]", () => sttV1.parseQuery("model=ink-preview&encoding=pcm_s16le&sample_rate=16000&timestamp_granularities[]=word", { strictness: "strict" })],
    ["every Sonic 3.6 id", () => tts.parseClientMessage(variant(REQUEST, { model_id: "sonic-3.6-2026-08-27" }), { strictness: "strict" })],
    ["a config with only keyterms (turn optional)", () => sttTurns.parseClientMessage('{"type":"config","keyterms":["Cartesia"]}', { strictness: "strict" })],
    ["a config with a fractional end_timeout_ms", () => sttTurns.parseClientMessage('{"type":"config","turn":{"end_timeout_ms":1500.5}}', { strictness: "strict" })],
    ["a config on /stt/websocket clearing both lists", () => sttV1.parseClientMessage('{"type":"config","keyterms":[],"language_hints":[]}', { strictness: "strict" })],
    ["turn.end with words and languages", () => sttTurns.parseServerMessage('{"type":"turn.end","request_id":"r","transcript":"namaste hello","words":[{"word":"namaste","start":0.5,"end":0.9},{"word":"hello","start":1,"end":1.3}],"languages":[{"language":"hi","confidence":1},{"language":"en","confidence":0.643}]}', { strictness: "strict" })],
    ["server nulls the SDK types allow", () => tts.parseServerMessage('{"type":"timestamps","done":false,"status_code":206,"context_id":"c","flush_id":null,"word_timestamps":null}', { strictness: "strict" })],
  ];
  it.each(accepted)("%s", (_name, parse) => {
    const result = parse();
    if (!result.ok) expect.fail(result.error.message);
  });
});

describe("lenient accepts what strict rejects, and drops unknown fields", () => {
  it("keeps known fields and drops unknown ones", () => {
    const text = variant("tts done", { server_hint: "x" });
    const lenient = tts.parseServerMessage(text, { strictness: "lenient" });
    expect(lenient).toEqual({ ok: true, value: exampleJson("tts done") });
    expect(tts.parseServerMessage(text, { strictness: "strict" }).ok).toBe(false);
  });

  it("accepts unknown fields on every §-example", () => {
    for (const e of PROTOCOL_EXAMPLES.filter((x) => x.format === "json" && x.direction === "server→client" && x.endpoint !== "stt-batch" && x.endpoint !== "access-token")) {
      const text = JSON.stringify({ ...JSON.parse(e.text), future_field: { nested: [1, 2, 3] } });
      const parse = e.endpoint === "stt-v1" ? sttV1.parseServerMessage : e.endpoint === "stt-turns" ? sttTurns.parseServerMessage : tts.parseServerMessage;
      expect(parse(text, { strictness: "lenient" }).ok, e.name).toBe(true);
      const strict = parse(text, { strictness: "strict", version: e.version });
      expect(strict.ok, e.name).toBe(false);
      if (!strict.ok) expect(strict.error.issues).toContainEqual({ path: "future_field", message: "unknown field" });
    }
  });

  it("accepts out-of-range values together that strict rejects one by one", () => {
    const text = variant(REQUEST, { max_buffer_delay_ms: 60_000, generation_config: { speed: 9, volume: 0 }, model_id: "sonic-99" });
    expect(tts.parseClientMessage(text, { strictness: "lenient" }).ok).toBe(true);
    const strict = tts.parseClientMessage(text, { strictness: "strict" });
    expect(strict.ok).toBe(false);
    if (!strict.ok) {
      const paths = strict.error.issues.map((i) => i.path);
      for (const p of ["max_buffer_delay_ms", "generation_config.speed", "generation_config.volume", "model_id"]) {
        expect(paths).toContain(p);
      }
    }
  });
});

// Every parse function that reads a JSON text frame or body.
const jsonParsers: Array<[string, (frame: FrameInput) => Result<unknown>]> = [
  ["sttV1.parseServerMessage", (f) => sttV1.parseServerMessage(f)],
  ["sttTurns.parseServerMessage", (f) => sttTurns.parseServerMessage(f)],
  ["sttTurns.parseClientMessage", (f) => sttTurns.parseClientMessage(f)],
  ["tts.parseServerMessage", (f) => tts.parseServerMessage(f)],
  ["tts.parseClientMessage", (f) => tts.parseClientMessage(f)],
  ["ttsSse.parseEvent", (f) => ttsSse.parseEvent(f as string)],
  ["ttsSse.parseRequest", (f) => ttsSse.parseRequest(f as string)],
  ["ttsBytes.parseRequest", (f) => ttsBytes.parseRequest(f as string)],
  ["sttBatch.parseResponse", (f) => sttBatch.parseResponse(f as string)],
  ["accessToken.parseRequest", (f) => accessToken.parseRequest(f as string)],
  ["accessToken.parseResponse", (f) => accessToken.parseResponse(f as string)],
];
// The ones that dispatch on `type`.
const typedParsers: Array<[string, (frame: FrameInput) => Result<unknown>]> = [
  ["sttV1.parseServerMessage", (f) => sttV1.parseServerMessage(f)],
  ["sttTurns.parseServerMessage", (f) => sttTurns.parseServerMessage(f)],
  ["sttTurns.parseClientMessage", (f) => sttTurns.parseClientMessage(f)],
  ["tts.parseServerMessage", (f) => tts.parseServerMessage(f)],
  ["ttsSse.parseEvent", (f) => ttsSse.parseEvent(f as string)],
];
// The ones that read WebSocket frames, where binary is a frame kind of its own.
const textFrameParsers: Array<[string, (frame: FrameInput) => Result<unknown>]> = [
  ["sttV1.parseServerMessage", (f) => sttV1.parseServerMessage(f)],
  ["sttTurns.parseServerMessage", (f) => sttTurns.parseServerMessage(f)],
  ["tts.parseServerMessage", (f) => tts.parseServerMessage(f)],
  ["tts.parseClientMessage", (f) => tts.parseClientMessage(f)],
];

function expectFailure(result: Result<unknown>, reason: ParseFailureReason, label: string): { message: string; paths: string[] } {
  expect(result.ok, label).toBe(false);
  if (result.ok) return { message: "", paths: [] };
  expect(result.error.reason, label).toBe(reason);
  expect(result.error.message.length, label).toBeGreaterThan(0);
  return { message: result.error.message, paths: result.error.issues.map((i) => i.path) };
}

describe("frames of the wrong kind", () => {
  it.each(jsonParsers)("%s: non-JSON text is invalid_json", (name, parse) => {
    for (const text of ["hello", "{", '{"type":"done"', "", "NaN", "{'type':'done'}", "\ufeff{}"]) expectFailure(parse(text), "invalid_json", `${name} ${JSON.stringify(text)}`);
  });

  it.each(textFrameParsers)("%s: binary where text is expected is unexpected_binary", (name, parse) => {
    const json = new TextEncoder().encode('{"type":"done","done":true,"status_code":206,"context_id":"c"}');
    expectFailure(parse(json), "unexpected_binary", `${name} Uint8Array`);
    expectFailure(parse(json.buffer), "unexpected_binary", `${name} ArrayBuffer`);
    expectFailure(parse(new Uint8Array(0)), "unexpected_binary", `${name} empty`);
  });

  it.each(jsonParsers)("%s: JSON that is not an object is invalid_message", (name, parse) => {
    for (const text of ["[]", '[{"type":"done"}]', "null", "42", '"done"', "true"]) {
      const { message } = expectFailure(parse(text), "invalid_message", `${name} ${text}`);
      expect(message).toMatch(/object/);
    }
  });

  it.each(typedParsers)("%s: an unknown type is unknown_type and names it", (name, parse) => {
    const { message, paths } = expectFailure(parse('{"type":"turn.pause","request_id":"r"}'), "unknown_type", name);
    expect(paths).toEqual(["type"]);
    expect(message).toContain("turn.pause");
  });

  it.each(typedParsers)("%s: a missing or non-string type is invalid_message on `type`", (name, parse) => {
    for (const text of ['{"request_id":"r"}', '{"type":null}', '{"type":1}', '{"type":["done"]}', '{"type":{"name":"done"}}']) {
      const { paths } = expectFailure(parse(text), "invalid_message", `${name} ${text}`);
      expect(paths).toEqual(["type"]);
    }
  });

  it("a type of one endpoint is unknown on another", () => {
    expectFailure(sttV1.parseServerMessage(exampleJsonText("stt-turns turn.start")), "unknown_type", "turn.start on stt-v1");
    expectFailure(sttTurns.parseServerMessage(exampleJsonText("stt-v1 flush_done")), "unknown_type", "flush_done on turns");
    expectFailure(tts.parseServerMessage(exampleJsonText("stt-v1 transcript (final)")), "unknown_type", "transcript on tts");
  });
});

function exampleJsonText(name: string): string {
  return JSON.stringify(exampleJson(name));
}

describe("bare text commands", () => {
  it.each(["finalize", "close", "done"] as const)("stt-v1 accepts bare %s as a command", (command) => {
    expect(sttV1.parseClientMessage(command)).toEqual({ ok: true, value: { type: command } });
    expect(sttV1.encodeClientMessage({ type: command })).toBe(command);
  });

  it("stt-v1 reads binary frames as audio, bytes unchanged", () => {
    const bytes = new Uint8Array([0, 1, 2, 255]);
    expect(sttV1.parseClientMessage(bytes)).toEqual({ ok: true, value: { type: "audio", data: bytes } });
    expect(sttV1.parseClientMessage(bytes.buffer)).toEqual({ ok: true, value: { type: "audio", data: bytes } });
    // The bytes of "close" in a binary frame are audio, not a command.
    expect(sttV1.parseClientMessage(new TextEncoder().encode("close"))).toMatchObject({ ok: true, value: { type: "audio" } });
  });

  it.each(["FINALIZE", "Close", " close", "close\n", "finish", "", "flush"])("stt-v1 rejects the text %j", (text) => {
    const { message } = expectFailure(sttV1.parseClientMessage(text), "invalid_message", JSON.stringify(text));
    expect(message).toMatch(/finalize, close, done or a config/);
  });

  it('stt-v1 rejects JSON {"type":"close"} and says the commands are bare text', () => {
    for (const text of ['{"type":"close"}', '{"type":"finalize"}', '"close"']) {
      const { message } = expectFailure(sttV1.parseClientMessage(text), "invalid_message", text);
      expect(message).toMatch(/finalize, close, done or a config/);
    }
    expect(expectFailure(sttV1.parseClientMessage('{"type":"close"}'), "invalid_message", "close").message).toContain("the commands are bare text");
    expect(sttV1.parseClientMessage('{"type":"close"}').ok).toBe(false);
  });

  it.each(["finalize", "close", "done"])('turns rejects bare %s, pointing at {"type":"close"}', (text) => {
    for (const strictness of STRICTNESS_LEVELS) {
      const result = sttTurns.parseClientMessage(text, { strictness });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.message).toContain('{"type":"close"}');
    }
  });

  it('turns accepts JSON {"type":"close"} and binary audio', () => {
    expect(sttTurns.parseClientMessage('{"type":"close"}', { strictness: "strict" })).toEqual({ ok: true, value: { type: "close" } });
    const bytes = new Uint8Array([1, 2, 3]);
    expect(sttTurns.parseClientMessage(bytes)).toEqual({ ok: true, value: { type: "audio", data: bytes } });
  });

  it("turns rejects commands it does not have", () => {
    expectFailure(sttTurns.parseClientMessage('{"type":"finalize"}'), "unknown_type", "finalize");
    expectFailure(sttTurns.parseClientMessage('{"type":"done"}'), "unknown_type", "done");
  });
});

describe("prototype keys are data, not code", () => {
  const keys = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf", "__defineGetter__"];

  it.each(typedParsers)("%s: prototype names as type are unknown_type", (name, parse) => {
    for (const key of keys) {
      const { paths } = expectFailure(parse(JSON.stringify({ type: key })), "unknown_type", `${name} ${key}`);
      expect(paths).toEqual(["type"]);
    }
  });

  it("prototype names as fields neither crash nor pollute Object.prototype", () => {
    const polluting = [
      '{"type":"done","done":true,"status_code":206,"context_id":"c","__proto__":{"polluted":true}}',
      '{"type":"done","done":true,"status_code":206,"context_id":"c","constructor":{"prototype":{"polluted":true}}}',
      '{"__proto__":{"cancel":true},"context_id":"c"}',
    ];
    for (const text of polluting) {
      for (const strictness of STRICTNESS_LEVELS) {
        expect(() => tts.parseServerMessage(text, { strictness })).not.toThrow();
        expect(() => tts.parseClientMessage(text, { strictness })).not.toThrow();
      }
    }
    const strict = tts.parseServerMessage(polluting[0] as string, { strictness: "strict" });
    expect(strict.ok).toBe(false);
    // An own "__proto__" key does not make a message a cancel.
    expect(tts.parseClientMessage(polluting[2] as string).ok).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
  });

  it("prototype names in a query are plain parameters", () => {
    for (const key of ["__proto__", "constructor", "toString"]) {
      const query = `${V1_QUERY}&${key}=x`;
      expect(() => sttV1.parseQuery(query, { strictness: "strict" })).not.toThrow();
      expect(sttV1.parseQuery(query, { strictness: "lenient" }).ok, key).toBe(true);
      const strict = sttV1.parseQuery(query, { strictness: "strict" });
      expect(strict.ok, key).toBe(false);
      if (!strict.ok) expect(strict.error.issues.map((i) => i.path)).toContain(key);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Nothing ever throws.

const OPTIONS: SchemaOptions[] = STRICTNESS_LEVELS.flatMap((strictness) =>
  ["2024-11-13", "2026-03-01", "2026-08-14"].map((version) => ({ strictness, version })),
);

const decodeText = (input: FrameInput) => (typeof input === "string" ? input : new TextDecoder().decode(input));

/** Every entry point that reads untrusted input, fed one input at one option set. */
const entryPoints: Array<[string, (input: FrameInput, o: SchemaOptions) => unknown]> = [
  ["sttV1.parseServerMessage", (i, o) => sttV1.parseServerMessage(i, o)],
  ["sttV1.parseClientMessage", (i) => sttV1.parseClientMessage(i)],
  ["sttV1.parseQuery", (i, o) => sttV1.parseQuery(decodeText(i), o)],
  ["sttTurns.parseServerMessage", (i, o) => sttTurns.parseServerMessage(i, o)],
  ["sttTurns.parseClientMessage", (i, o) => sttTurns.parseClientMessage(i, o)],
  ["sttTurns.parseQuery", (i, o) => sttTurns.parseQuery(new URLSearchParams(decodeText(i)), o)],
  ["tts.parseServerMessage", (i, o) => tts.parseServerMessage(i, o)],
  ["tts.parseClientMessage", (i, o) => tts.parseClientMessage(i, o)],
  ["tts.parseQuery", (i, o) => tts.parseQuery(decodeText(i), o)],
  ["ttsSse.parseEvent", (i, o) => ttsSse.parseEvent(decodeText(i), o)],
  ["ttsSse.parseRequest", (i, o) => ttsSse.parseRequest(typeof i === "string" ? i : new Uint8Array(i), o)],
  ["ttsBytes.parseRequest", (i, o) => ttsBytes.parseRequest(typeof i === "string" ? i : new Uint8Array(i), o)],
  ["sttBatch.parseResponse", (i, o) => sttBatch.parseResponse(decodeText(i), o)],
  ["sttBatch.parseQuery", (i, o) => sttBatch.parseQuery(decodeText(i), o)],
  ["sttBatch.parseForm", (i, o) => sttBatch.parseForm({ model: decodeText(i), "timestamp_granularities[]": [decodeText(i), "word"] }, o)],
  ["accessToken.parseRequest", (i, o) => accessToken.parseRequest(decodeText(i), o)],
  ["accessToken.parseResponse", (i, o) => accessToken.parseResponse(decodeText(i), o)],
  ["resolveVersion", (i) => [resolveVersion({ header: decodeText(i) }), resolveVersion({ query: decodeText(i), header: "2026-03-01" })]],
  ["normalizeHttpError", (i) => normalizeHttpError(500, decodeText(i), decodeText(i))],
  [
    "readCredentials",
    (i) => readCredentials({ headers: { authorization: decodeText(i), "X-API-Key": decodeText(i) }, query: new URLSearchParams(decodeText(i)) }),
  ],
  [
    "SseDecoder",
    (i) => {
      const decoder = new ttsSse.SseDecoder();
      const text = decodeText(i);
      return [...decoder.push(text.slice(0, 7)), ...decoder.push(text.slice(7)), ...decoder.end()].map((d) => ttsSse.parseEvent(d));
    },
  ],
];

/** One option set per strictness level: for the inputs that are expensive to read. */
const LEVELS_ONLY: SchemaOptions[] = STRICTNESS_LEVELS.map((strictness) => ({ strictness, version: "2024-11-13" }));

/** Runs every entry point at every option set; checks the result contract of the parse helpers. */
function feed(input: FrameInput, optionSets: readonly SchemaOptions[] = OPTIONS): void {
  for (const [name, run] of entryPoints) {
    for (const options of optionSets) {
      let out: unknown;
      expect(() => {
        out = run(input, options);
      }, name).not.toThrow();
      if (name.includes(".parse")) {
        const result = out as Result<unknown>;
        expect(typeof result.ok, name).toBe("boolean");
        if (!result.ok) {
          expect(["invalid_json", "unexpected_binary", "unexpected_text", "unknown_type", "invalid_message"], name).toContain(result.error.reason);
          expect(typeof result.error.message, name).toBe("string");
          for (const issue of result.error.issues) {
            expect(typeof issue.path, name).toBe("string");
            expect(typeof issue.message, name).toBe("string");
          }
        }
      }
    }
  }
}

/** A small deterministic PRNG (mulberry32), so the garbage is the same every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("nothing ever throws", () => {
  it("random bytes, as binary frames and as text", () => {
    const random = prng(0x5eed);
    for (let n = 0; n < 40; n++) {
      const bytes = new Uint8Array(Math.floor(random() * 4096));
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
      feed(bytes);
      feed(bytes.buffer);
      feed(String.fromCharCode(...bytes.subarray(0, 2048)));
    }
  });

  it("huge strings and huge valid messages", () => {
    const big = "x".repeat(4_000_000);
    feed(big, LEVELS_ONLY);
    feed(`{"type":"transcript","is_final":true,"text":"${big}","request_id":"r"}`, LEVELS_ONLY);
    feed(`{"type":"chunk","data":"${"A".repeat(4_000_000)}","done":false,"status_code":206,"step_time":1,"context_id":"c"}`, LEVELS_ONLY);
    feed(`model=ink-2&encoding=pcm_s16le&sample_rate=16000&${"keyterm=k&".repeat(50_000)}`, LEVELS_ONLY);
    const hugeChunk = tts.parseServerMessage(`{"type":"chunk","data":"${"A".repeat(4_000_000)}","done":false,"status_code":206,"step_time":1,"context_id":"c"}`, {
      strictness: "strict",
    });
    expect(hugeChunk.ok).toBe(true);
  });

  // About 20 s alone on 2 cores (100,000 levels through every parser at every level); it asserts no
  // timing, so its bound is generous: a loaded CI machine took 86 s once.
  it("deeply nested JSON, at the root and inside known fields", { timeout: 300_000 }, () => {
    const depth = 100_000;
    feed("[".repeat(depth) + "]".repeat(depth), LEVELS_ONLY);
    feed('{"a":'.repeat(depth) + "1" + "}".repeat(depth), LEVELS_ONLY);
    const deep = '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
    const deepArray = "[".repeat(depth) + "]".repeat(depth);
    feed(`{"type":"config","turn":${deep}}`, LEVELS_ONLY);
    feed(`{"type":"transcript","is_final":true,"text":"x","request_id":"r","words":${deepArray}}`, LEVELS_ONLY);
    feed(`{"type":"timestamps","done":false,"status_code":206,"context_id":"c","word_timestamps":${deep}}`, LEVELS_ONLY);
    feed(`{"model_id":"sonic-3","transcript":"","voice":${deep},"output_format":${deep},"generation_config":${deep}}`, LEVELS_ONLY);
    feed(`{"type":"turn.update","request_id":"r","transcript":"x","extra":${deep}}`, LEVELS_ONLY);
  });

  it("odd strings: lone surrogates, NULs, control characters, BOMs", () => {
    for (const text of ["\ud800", '{"type":"\ud800"}', "\u0000", '{"type":"done\u0000"}', "\ufeff", "\r\n\r\n", "data:\r", "\u2028\u2029", "%", "%E0%A4%A", "a=%ZZ&b=%"]) {
      feed(text);
    }
  });

  it("arbitrary JSON values and mutated §-examples (fast-check, fixed seed)", () => {
    const examples = PROTOCOL_EXAMPLES.filter((e) => e.format === "json").map((e) => JSON.parse(e.text) as Record<string, unknown>);
    const mutated = fc
      .tuple(fc.constantFrom(...examples), fc.nat(), fc.jsonValue({ maxDepth: 4 }), fc.boolean())
      .map(([base, n, value, nested]) => {
        const copy = structuredClone(base);
        const keys = Object.keys(copy);
        const key = keys[n % keys.length] as string;
        const current = copy[key];
        if (nested && current !== null && typeof current === "object" && !Array.isArray(current)) {
          const inner = Object.keys(current);
          if (inner.length > 0) (current as Record<string, unknown>)[inner[n % inner.length] as string] = value;
        } else {
          copy[key] = value;
        }
        return JSON.stringify(copy);
      });
    const input = fc.oneof(
      fc.string({ unit: "binary", maxLength: 300 }),
      fc.json({ maxDepth: 6 }),
      fc.uint8Array({ maxLength: 300 }),
      mutated,
      fc.jsonValue().map((v) => JSON.stringify({ type: "error", ...(typeof v === "object" && v !== null && !Array.isArray(v) ? v : { v }) })),
    );
    fc.assert(
      fc.property(input, (frame) => {
        feed(frame);
      }),
      { seed: 20260301, numRuns: 150 },
    );
  }, 300_000); // ~4 s alone; far slower when the machine's two cores are shared with other packages' tests
});

// ---------------------------------------------------------------------------------------------
// Known src bugs. These tests state the correct behaviour and fail until the bug is fixed.

describe("known src bugs (expected behaviour; these fail until fixed)", () => {
  it("an empty voice id is rejected under strict (src/endpoints/common.ts voiceSchema: z.string() without .min(1))", () => {
    const atCurrent = tts.parseClientMessage(variant(REQUEST, { voice: { mode: "id", id: "" } }), { strictness: "strict" });
    expect(atCurrent.ok).toBe(false);
    if (!atCurrent.ok) expect(atCurrent.error.issues.map((i) => i.path)).toContain("voice.id");
    const atNext = tts.parseClientMessage(variant(REQUEST, { voice: "" }), { strictness: "strict", version: "2026-08-14" });
    expect(atNext.ok).toBe(false);
    if (!atNext.ok) expect(atNext.error.issues.map((i) => i.path)).toContain("voice");
  });

  it("bad base64 in an SSE chunk is rejected under strict, like on the WebSocket (src/endpoints/tts-sse.ts chunk.data)", () => {
    const text = JSON.stringify({ type: "chunk", data: "not base64!", done: false, status_code: 206, step_time: 1, context_id: "sse-1" });
    expect(tts.parseServerMessage(text, { strictness: "strict" }).ok).toBe(false);
    const sse = ttsSse.parseEvent(text, { strictness: "strict" });
    expect(sse.ok).toBe(false);
    if (!sse.ok) expect(sse.error.issues.map((i) => i.path)).toContain("data");
  });

  it("parseQuery never throws, even on a record that is not all strings (src/shared/query.ts queryRecord)", () => {
    // What an HTTP framework's query parser may hand over (qs turns `keyterm[a]=b` into an object),
    // or a caller passing numbers: the parse must fail with a Result, not throw.
    const inputs = [
      { model: "ink-2", encoding: "pcm_s16le", sample_rate: 16000 },
      { model: "ink-2", encoding: "pcm_s16le", sample_rate: "16000", keyterm: { a: "b" } },
      { model: "ink-2", encoding: "pcm_s16le", sample_rate: "16000", keyterm: null },
      null,
    ];
    for (const input of inputs) {
      let result: Result<unknown> | undefined;
      expect(() => {
        result = sttV1.parseQuery(input as never, { strictness: "validating" });
      }, JSON.stringify(input)).not.toThrow();
      expect(typeof result?.ok, JSON.stringify(input)).toBe("boolean");
    }
  });
});
