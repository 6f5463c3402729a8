/**
 * STT "Auto" (turn detection) WebSocket, `/stt/turns/websocket` (PROTOCOL.md §3): binary audio and
 * JSON `close` / `config` in; `connected`, `turn.*` events and `error` out.
 */
import * as z from "zod";
import { STT_ENCODINGS } from "../shared/audio.js";
import { parseByType } from "../shared/dispatch.js";
import { sttErrorEventSchema } from "../shared/errors.js";
import { audioFrameSchema, encodeJson, type FrameInput, type WireFrame } from "../shared/frame.js";
import { schemaSet, type SchemaOptions } from "../shared/options.js";
import { decodeQueryWith, encodeQueryWith, numberParam, repeatedParam, type QueryInput } from "../shared/query.js";
import { fail, ok, type Result } from "../shared/result.js";
import type { SchemaBuilder } from "../shared/strictness.js";
import { servedModels } from "../models/lookup.js";
import { KEYTERM_RULE, keytermChecks, LANGUAGE_HINT_RULE, languageHintChecks, modelSchema, sttConfigFields, wordSchemas } from "./common.js";

const THRESHOLD_RULE = "Thresholds keep end < eager_end < start (in the handshake, defaults 0.2, 0.4, 0.8 stand in for the ones not given).";

/** The endpoint's path. */
export const PATH = "/stt/turns/websocket";
/** Models this endpoint serves (§3, §13): the model table's; dated `ink-2-YYYY-MM-DD` by pattern too. */
export const MODELS: readonly string[] = servedModels("stt-turns");

/** Turn settings: documented ranges and defaults (§3.1). */
export const TURN_SETTINGS = {
  start_threshold: { min: 0.5, max: 0.9, default: 0.8 },
  eager_end_threshold: { min: 0.3, max: 0.6, default: 0.4 },
  end_threshold: { min: 0.05, max: 0.5, default: 0.2 },
  end_timeout_ms: { min: 640, max: 11200, default: 5600 },
} as const;

/** Server event types, in the order of the turn state machine (§3.3). */
export const SERVER_EVENT_TYPES = [
  "connected",
  "turn.start",
  "turn.update",
  "turn.eager_end",
  "turn.resume",
  "turn.end",
  "error",
] as const;

type TurnSettings = { start?: number | undefined; eagerEnd?: number | undefined; end?: number | undefined };

/**
 * end < eager_end < start (§3.1); checked except when lenient. The handshake fills the ones not given
 * with their defaults; a `config` command compares only the ones it carries, since the others are the
 * session's current values, which only the server knows.
 */
function thresholdOrder<V>(
  s: SchemaBuilder,
  read: (v: V) => TurnSettings,
  path: (key: string) => PropertyKey[],
  fillDefaults: boolean,
) {
  return (value: V, ctx: z.RefinementCtx) => {
    if (s.strictness === "lenient") return;
    const t = read(value);
    const d = TURN_SETTINGS;
    const start = t.start ?? (fillDefaults ? d.start_threshold.default : undefined);
    const eager = t.eagerEnd ?? (fillDefaults ? d.eager_end_threshold.default : undefined);
    const end = t.end ?? (fillDefaults ? d.end_threshold.default : undefined);
    if (eager !== undefined && start !== undefined && !(eager < start)) {
      ctx.addIssue({ code: "custom", path: path("eager_end"), message: `must stay below the start threshold (${start})` });
    }
    const below = eager ?? start;
    if (end !== undefined && below !== undefined && !(end < below)) {
      ctx.addIssue({ code: "custom", path: path("end"), message: `must stay below the ${eager !== undefined ? "eager_end" : "start"} threshold (${below})` });
    }
  };
}

/** Checks a full turn configuration (after a `config` merged into the session's) for the order rule. */
export function checkThresholdOrder(turn: { start_threshold: number; eager_end_threshold: number; end_threshold: number }): string | undefined {
  if (!(turn.eager_end_threshold < turn.start_threshold)) return `turn.eager_end_threshold must stay below start_threshold (${turn.start_threshold})`;
  if (!(turn.end_threshold < turn.eager_end_threshold)) return `turn.end_threshold must stay below eager_end_threshold (${turn.eager_end_threshold})`;
  return undefined;
}

/** Builds every schema of the endpoint at one strictness level. */
export const schemas = schemaSet((s: SchemaBuilder, o) => {
  const r = TURN_SETTINGS;
  const { word } = wordSchemas(s);
  // Any number in range: cartesia-python types it `Optional[float]` (update D4); the query takes integers.
  const timeout = s.range(r.end_timeout_ms.min, r.end_timeout_ms.max);
  const query = s
    .object({
      model: modelSchema(s, "stt-turns"),
      encoding: s.known(STT_ENCODINGS),
      sample_rate: numberParam(z.number().int().positive()),
      keyterm: repeatedParam().optional(),
      turn_start_threshold: numberParam(s.range(r.start_threshold.min, r.start_threshold.max)).optional(),
      turn_eager_end_threshold: numberParam(s.range(r.eager_end_threshold.min, r.eager_end_threshold.max)).optional(),
      turn_end_threshold: numberParam(s.range(r.end_threshold.min, r.end_threshold.max)).optional(),
      turn_end_timeout_ms: numberParam(s.range(r.end_timeout_ms.min, r.end_timeout_ms.max, z.number().int())).optional(),
      language_hint: repeatedParam().optional(),
      language_hints: repeatedParam().optional(),
      cartesia_version: z.string().optional(),
      api_key: z.string().optional(),
      access_token: z.string().optional(),
      cartesia_client: z.string().optional(),
    })
    .superRefine(keytermChecks(s))
    .superRefine(languageHintChecks(s))
    .superRefine(
      thresholdOrder(
        s,
        (q: { turn_start_threshold?: number; turn_eager_end_threshold?: number; turn_end_threshold?: number }) => ({
          start: q.turn_start_threshold,
          eagerEnd: q.turn_eager_end_threshold,
          end: q.turn_end_threshold,
        }),
        (key) => [`turn_${key}_threshold`],
        true,
      ),
    )
    .meta({ description: `${KEYTERM_RULE} ${LANGUAGE_HINT_RULE} ${THRESHOLD_RULE}` });

  const turnConfig = s
    .object({
      start_threshold: s.range(r.start_threshold.min, r.start_threshold.max).optional(),
      eager_end_threshold: s.range(r.eager_end_threshold.min, r.eager_end_threshold.max).optional(),
      end_threshold: s.range(r.end_threshold.min, r.end_threshold.max).optional(),
      end_timeout_ms: timeout.optional(),
    })
    .superRefine(
      thresholdOrder(
        s,
        (t: { start_threshold?: number; eager_end_threshold?: number; end_threshold?: number }) => ({
          start: t.start_threshold,
          eagerEnd: t.eager_end_threshold,
          end: t.end_threshold,
        }),
        (key) => [`${key}_threshold`],
        false,
      ),
    )
    .meta({ description: THRESHOLD_RULE });
  const close = s.object({ type: z.literal("close") });
  // `turn` is optional (SDK 4.2 `turn?`); keyterms and language_hints change too (update D4).
  const config = s
    .object({ ...sttConfigFields(s), turn: turnConfig.nullish() })
    .superRefine(keytermChecks(s, "keyterms"))
    .meta({ description: `${KEYTERM_RULE} ${THRESHOLD_RULE}` });
  const clientCommand = z.discriminatedUnion("type", [close, config]);
  /** Any client frame: binary audio or a JSON command. */
  const clientMessage = z.union([audioFrameSchema, clientCommand]);

  const requestId = s.strictness === "lenient" ? z.string().optional() : z.string();
  const connected = s.object({ type: z.literal("connected"), request_id: requestId });
  const turnStart = s.object({ type: z.literal("turn.start"), request_id: requestId });
  // `words` (left out until the turn's first complete word) and `languages` (ink-preview) (update D6).
  const language = s.object({ language: z.string(), confidence: s.range(0, 1) });
  const turnText = {
    request_id: requestId,
    transcript: z.string(),
    words: z.array(word).optional(),
    languages: z.array(language).optional(),
  };
  const turnUpdate = s.object({ type: z.literal("turn.update"), ...turnText });
  const turnEagerEnd = s.object({ type: z.literal("turn.eager_end"), ...turnText });
  const turnResume = s.object({ type: z.literal("turn.resume"), request_id: requestId });
  const turnEnd = s.object({ type: z.literal("turn.end"), ...turnText });
  // The endpoint postdates the legacy shape: its errors are structured whatever the version (§1.4, §3.3).
  const error = sttErrorEventSchema(s, o.errors === "either" ? "either" : "structured");
  const serverMessage = z.union([connected, turnStart, turnUpdate, turnEagerEnd, turnResume, turnEnd, error]);
  return { query, close, config, turnConfig, clientCommand, clientMessage, connected, turnStart, turnUpdate, turnEagerEnd, turnResume, turnEnd, error, serverMessage, word, language };
});

type Schemas = ReturnType<typeof schemas>;
/** Handshake query after parsing. */
export type Query = z.output<Schemas["query"]>;
/** Handshake query as it travels (all strings). */
export type QueryWire = z.input<Schemas["query"]>;
/** `{"type":"close"}`: drain, then the server closes (no `done`). */
export type Close = z.output<Schemas["close"]>;
/** `{"type":"config", turn?, keyterms?, language_hints?}`: change settings mid-session; no reply on success. */
export type Config = z.output<Schemas["config"]>;
/** `connected`: sent once, first. */
export type Connected = z.output<Schemas["connected"]>;
/** `turn.start`. */
export type TurnStart = z.output<Schemas["turnStart"]>;
/** `turn.update`: cumulative transcript of the turn so far. */
export type TurnUpdate = z.output<Schemas["turnUpdate"]>;
/** `turn.eager_end`: the user might be done. */
export type TurnEagerEnd = z.output<Schemas["turnEagerEnd"]>;
/** `turn.resume`: ignore the last eager end. */
export type TurnResume = z.output<Schemas["turnResume"]>;
/** `turn.end`: the turn's definitive transcript (may be `""`). */
export type TurnEnd = z.output<Schemas["turnEnd"]>;
/** A word of a turn event: `{word, start, end}` in stream-relative seconds. */
export type Word = z.output<Schemas["word"]>;
/** A detected language of a turn and its confidence (ink-preview). */
export type DetectedLanguage = z.output<Schemas["language"]>;
/** An `error` event in either shape. */
export type ErrorEvent = z.output<Schemas["error"]>;
/** Any server → client message. */
export type ServerMessage = Connected | TurnStart | TurnUpdate | TurnEagerEnd | TurnResume | TurnEnd | ErrorEvent;
/** Any client → server message. */
export type ClientMessage = { type: "audio"; data: Uint8Array } | Close | Config;

/** Parses the handshake query into typed values. */
export function parseQuery(input: QueryInput, options?: SchemaOptions): Result<Query> {
  return decodeQueryWith(schemas(options).query, input);
}

/** Serializes a typed query to its wire form. */
export function encodeQuery(query: Query): string {
  return encodeQueryWith(schemas().query, query);
}

/** Reads a client frame: binary is audio; text is JSON `close` or `config`. */
export function parseClientMessage(frame: FrameInput, options?: SchemaOptions): Result<ClientMessage> {
  if (typeof frame !== "string") {
    return ok({ type: "audio", data: frame instanceof Uint8Array ? frame : new Uint8Array(frame) });
  }
  if (frame === "close" || frame === "finalize" || frame === "done") {
    return fail("invalid_json", [
      { path: "(root)", message: `bare text "${frame}" is a /stt/websocket command; this endpoint takes JSON {"type":"close"} or {"type":"config"}` },
    ]);
  }
  const s = schemas(options);
  return parseByType<ClientMessage>(frame, { close: s.close, config: s.config });
}

/** Encodes a client message as the frame it travels in. */
export function encodeClientMessage(message: ClientMessage): WireFrame {
  return message.type === "audio" ? message.data : encodeJson(message);
}

/** Reads a server frame (JSON text) into a typed event. */
export function parseServerMessage(frame: FrameInput, options?: SchemaOptions): Result<ServerMessage> {
  const s = schemas(options);
  return parseByType<ServerMessage>(frame, {
    connected: s.connected,
    "turn.start": s.turnStart,
    "turn.update": s.turnUpdate,
    "turn.eager_end": s.turnEagerEnd,
    "turn.resume": s.turnResume,
    "turn.end": s.turnEnd,
    error: s.error,
  });
}

/** Encodes a server event as a JSON text frame. */
export function encodeServerMessage(message: ServerMessage): string {
  return encodeJson(message);
}
