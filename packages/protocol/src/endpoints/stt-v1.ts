/**
 * STT "Manual" WebSocket, `/stt/websocket` (docs/protocol §2): binary audio in, text commands
 * `finalize` / `close` / legacy `done` and a JSON `config`; server `transcript`, `flush_done`, `done`, `error`.
 */
import * as z from "zod";
import { STT_ENCODINGS } from "../shared/audio.js";
import { sttErrorEventSchema } from "../shared/errors.js";
import { audioFrameSchema, encodeJson, type FrameInput, type WireFrame } from "../shared/frame.js";
import { parseByType } from "../shared/dispatch.js";
import { STT_LANGUAGES } from "../shared/languages.js";
import { schemaSet, type SchemaOptions } from "../shared/options.js";
import { decodeQueryWith, encodeQueryWith, numberParam, repeatedParam, type QueryInput } from "../shared/query.js";
import { fail, ok, type Result } from "../shared/result.js";
import type { SchemaBuilder } from "../shared/strictness.js";
import { servedModels } from "../models/lookup.js";
import { decodeJsonObject } from "../shared/frame.js";
import { fromZod } from "../shared/result.js";
import {
  KEYTERM_RULE,
  keytermChecks,
  LANGUAGE_HINT_RULE,
  languageHintChecks,
  modelSchema,
  sttConfigFields,
  wordSchemas,
} from "./common.js";

/** The endpoint's path. */
export const PATH = "/stt/websocket";
/** Models this endpoint serves (§2, §13): the model table's; dated `ink-2-YYYY-MM-DD` by pattern too. */
export const MODELS: readonly string[] = servedModels("stt-v1");
/** The bare text commands a client sends (not JSON): `done` is the legacy spelling of `close` (§2.2, §10.1). */
export const COMMANDS = ["finalize", "close", "done"] as const;
/** A text command. */
export type Command = (typeof COMMANDS)[number];

/** Builds every schema of the endpoint at one strictness level. */
export const schemas = schemaSet((s: SchemaBuilder, o) => {
  const checked = s.strictness !== "lenient";
  const { word, wordTimestamps } = wordSchemas(s);

  const query = s
    .object({
      model: modelSchema(s, "stt-v1"),
      encoding: s.known(STT_ENCODINGS),
      sample_rate: numberParam(z.number().int().positive()),
      // Only ink-whisper uses it; the docs say to leave it out for ink-2 and ink-preview (update D7).
      language: s.known(STT_LANGUAGES).optional(),
      min_volume: numberParam(s.range(0, 1)).optional(),
      max_silence_duration_secs: numberParam(checked ? z.number().positive() : z.number()).optional(),
      keyterm: repeatedParam().optional(),
      language_hint: repeatedParam().optional(),
      language_hints: repeatedParam().optional(),
      // Sent by cartesia-mcp (update D7); word timestamps come whenever the model has them.
      "timestamp_granularities[]": repeatedParam().pipe(z.array(checked ? z.literal("word") : z.string())).optional(),
      cartesia_version: z.string().optional(),
      api_key: z.string().optional(),
      access_token: z.string().optional(),
      cartesia_client: z.string().optional(),
    })
    .superRefine(keytermChecks(s))
    .superRefine(languageHintChecks(s))
    .meta({ description: `${KEYTERM_RULE} ${LANGUAGE_HINT_RULE}` });

  /** The text commands, as the payload of a text frame. */
  const command = z.enum(COMMANDS).meta({ description: "A bare text frame (not JSON). Audio travels in binary frames." });
  /** `{"type":"config", keyterms?, language_hints?}` as JSON text: changes them mid-stream (update D4). */
  const config = s.object(sttConfigFields(s)).superRefine(keytermChecks(s, "keyterms")).meta({ description: KEYTERM_RULE });
  /** Any client frame: binary audio, a text command or a JSON `config`. */
  const clientMessage = z.union([audioFrameSchema, command, config]);

  const requestId = s.strictness === "lenient" ? z.string().optional() : z.string();
  const transcript = s.object({
    type: z.literal("transcript"),
    request_id: requestId,
    text: z.string(),
    is_final: z.boolean(),
    duration: (checked ? z.number().nonnegative() : z.number()).optional(),
    language: z.string().optional(),
    // The docs' `{word,start,end}` list (what the mock sends) or the SDKs' `Array<WordTimestamps>` (§10.6, update D5).
    words: z.union([z.array(word), z.array(wordTimestamps)]).optional(),
  });
  const flushDone = s.object({ type: z.literal("flush_done"), request_id: requestId });
  const done = s.object({ type: z.literal("done"), request_id: requestId });
  const error = sttErrorEventSchema(s, o.errors);
  const serverMessage = z.union([transcript, flushDone, done, error]);
  return { query, command, config, clientMessage, transcript, flushDone, done, error, serverMessage, word, wordTimestamps };
});

type Schemas = ReturnType<typeof schemas>;
/** Handshake query after parsing (numbers are numbers, `keyterm` a list). */
export type Query = z.output<Schemas["query"]>;
/** Handshake query as it travels (all strings). */
export type QueryWire = z.input<Schemas["query"]>;
/** `{"type":"config", keyterms?, language_hints?}`: replaces those lists mid-stream; no reply on success. */
export type Config = z.output<Schemas["config"]>;
/** A `transcript` event. */
export type Transcript = z.output<Schemas["transcript"]>;
/** A `flush_done` event: the ack of `finalize`. */
export type FlushDone = z.output<Schemas["flushDone"]>;
/** A `done` event: the ack of `close` / `done`. */
export type Done = z.output<Schemas["done"]>;
/** An `error` event in either shape. */
export type ErrorEvent = z.output<Schemas["error"]>;
/** Any server → client message. */
export type ServerMessage = Transcript | FlushDone | Done | ErrorEvent;
/** Any client → server message: audio (a binary frame) or a text command. */
export type ClientMessage = { type: "audio"; data: Uint8Array } | { type: Command } | Config;

/** Parses the handshake query (strings on the wire) into typed values. */
export function parseQuery(input: QueryInput, options?: SchemaOptions): Result<Query> {
  return decodeQueryWith(schemas(options).query, input);
}

/** Serializes a typed query to its wire form (`keyterm` repeated, spaces as `%20`). */
export function encodeQuery(query: Query): string {
  return encodeQueryWith(schemas().query, query);
}

/** Reads a client frame: binary is audio; text is a bare command, or a JSON `config` (update D4). */
export function parseClientMessage(frame: FrameInput, options?: SchemaOptions): Result<ClientMessage> {
  if (typeof frame !== "string") {
    return ok({ type: "audio", data: frame instanceof Uint8Array ? frame : new Uint8Array(frame) });
  }
  if ((COMMANDS as readonly string[]).includes(frame)) return ok({ type: frame as Command });
  const json = frame.trim().startsWith("{") ? decodeJsonObject(frame) : undefined;
  if (json?.ok && json.value.type === "config") return fromZod(schemas(options).config, json.value);
  const hint = json ? ' (JSON text takes only {"type":"config",…}; the commands are bare text)' : "";
  return fail("invalid_message", [
    { path: "(root)", message: `unknown text command ${JSON.stringify(frame.slice(0, 40))}; expected finalize, close, done or a config${hint}` },
  ]);
}

/** Encodes a client message as the frame it travels in. */
export function encodeClientMessage(message: ClientMessage): WireFrame {
  if (message.type === "audio") return message.data;
  return message.type === "config" ? encodeJson(message) : message.type;
}

/** Reads a server frame (JSON text) into a typed message. */
export function parseServerMessage(frame: FrameInput, options?: SchemaOptions): Result<ServerMessage> {
  const s = schemas(options);
  return parseByType<ServerMessage>(frame, { transcript: s.transcript, flush_done: s.flushDone, done: s.done, error: s.error });
}

/** Encodes a server message as a JSON text frame. */
export function encodeServerMessage(message: ServerMessage): string {
  return encodeJson(message);
}
