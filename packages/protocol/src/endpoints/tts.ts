/**
 * TTS WebSocket, `/tts/websocket` (PROTOCOL.md §5): JSON generation requests (contexts, `continue`,
 * `flush`, `cancel`) in; `chunk`, `timestamps`, `phoneme_timestamps`, `flush_done`, `done`, `error` out.
 */
import * as z from "zod";
import { parseByType } from "../shared/dispatch.js";
import { ttsErrorEventSchema } from "../shared/errors.js";
import { decodeJsonObject, encodeJson, type FrameInput } from "../shared/frame.js";
import { schemaSet, type SchemaOptions } from "../shared/options.js";
import { decodeQueryWith, encodeQueryWith, type QueryInput } from "../shared/query.js";
import { fromZod, type Result } from "../shared/result.js";
import type { SchemaBuilder } from "../shared/strictness.js";
import { base64Schema, isBase64Within, LANGUAGE_OR_LOCALE_RULE, languageOrLocale, rawOutputFormatSchema, ttsCoreFields, wordSchemas } from "./common.js";

/** The endpoint's path. */
export const PATH = "/tts/websocket";
/** `max_buffer_delay_ms`: [0, 5000], default 3000 today; the 2025 spec said [0, 1000], default 0 (§10.17). */
export const MAX_BUFFER_DELAY_MS = { min: 0, max: 5000, default: 3000 } as const;
/** The status code the docs' examples put on non-error messages (§5.3). */
export const STATUS_PARTIAL = 206;
/** Fields every input on a context must repeat unchanged (§5.2 rules). */
export const REPEATED_FIELDS = ["model_id", "voice", "output_format", "language"] as const;

/** Builds every schema of the endpoint at one strictness level. */
export const schemas = schemaSet((s: SchemaBuilder, o) => {
  const lenient = s.strictness === "lenient";
  const strict = s.strictness === "strict";
  const { wordTimestamps, phonemeTimestamps } = wordSchemas(s);

  // No generation parameters go in the URL (§5.1).
  const query = s.object({
    cartesia_version: z.string().optional(),
    api_key: z.string().optional(),
    access_token: z.string().optional(),
    cartesia_client: z.string().optional(),
  });

  const generationRequest = s
    .object({
      ...ttsCoreFields(s, o),
      output_format: rawOutputFormatSchema(s),
      // Required by SDK 4.2, optional in the 2025 spec (§10.20): only strict requires it.
      context_id: strict ? z.string() : z.string().optional(),
      // `| null` in SDK 4.2 (update D2): null means absent.
      continue: z.boolean().nullish(),
      flush: z.boolean().nullish(),
      max_buffer_delay_ms: s.range(MAX_BUFFER_DELAY_MS.min, MAX_BUFFER_DELAY_MS.max, z.number().int()).nullish(),
      add_timestamps: z.boolean().nullish(),
      add_phoneme_timestamps: z.boolean().nullish(),
      use_normalized_timestamps: z.boolean().nullish(),
    })
    .superRefine(languageOrLocale(s))
    .meta({ description: LANGUAGE_OR_LOCALE_RULE });
  const cancel = s.object({ context_id: z.string(), cancel: z.literal(true) });
  const clientMessage = z.union([cancel, generationRequest]);

  const contextId = lenient ? z.string().optional() : z.string();
  const status = z.number().int();
  // SDK 4.2 types `flush_id`, `word_timestamps` and `phoneme_timestamps` as `| null` (update D11).
  const flushId = z.number().int().positive().nullish();
  const chunk = s.object({
    type: z.literal("chunk"),
    data: base64Schema(s),
    done: lenient ? z.boolean() : z.literal(false),
    status_code: status,
    step_time: z.number(),
    context_id: contextId,
    flush_id: flushId,
  });
  const timestamps = s.object({
    type: z.literal("timestamps"),
    done: lenient ? z.boolean() : z.literal(false),
    status_code: status,
    context_id: contextId,
    word_timestamps: wordTimestamps.nullish(),
    flush_id: flushId,
  });
  const phonemeTimestampsMessage = s.object({
    type: z.literal("phoneme_timestamps"),
    done: lenient ? z.boolean() : z.literal(false),
    status_code: status,
    context_id: contextId,
    phoneme_timestamps: phonemeTimestamps.nullish(),
    flush_id: flushId,
  });
  const flushDone = s.object({
    type: z.literal("flush_done"),
    done: lenient ? z.boolean() : z.literal(false),
    flush_done: lenient ? z.boolean() : z.literal(true),
    flush_id: z.number().int().positive(),
    status_code: status,
    context_id: contextId,
  });
  const done = s.object({
    type: z.literal("done"),
    done: lenient ? z.boolean() : z.literal(true),
    status_code: status,
    context_id: contextId,
  });
  const error = ttsErrorEventSchema(s, o.errors);
  const serverMessage = z.union([chunk, timestamps, phonemeTimestampsMessage, flushDone, done, error]);
  return {
    query,
    generationRequest,
    cancel,
    clientMessage,
    chunk,
    timestamps,
    phonemeTimestamps: phonemeTimestampsMessage,
    flushDone,
    done,
    error,
    serverMessage,
    wordTimestamps,
  };
});

type Schemas = ReturnType<typeof schemas>;
/** Handshake query (auth and version only). */
export type Query = z.output<Schemas["query"]>;
/** A generation request: opens, continues, flushes or ends a context. */
export type GenerationRequest = z.output<Schemas["generationRequest"]>;
/** `{context_id, cancel:true}`: stop what has not started. */
export type Cancel = z.output<Schemas["cancel"]>;
/** Any client → server message. */
export type ClientMessage = GenerationRequest | Cancel;
/** `chunk`: base64 audio in the requested format. */
export type Chunk = z.output<Schemas["chunk"]>;
/** `timestamps`: word timings in seconds. */
export type Timestamps = z.output<Schemas["timestamps"]>;
/** `phoneme_timestamps`. */
export type PhonemeTimestamps = z.output<Schemas["phonemeTimestamps"]>;
/** `flush_done`: the ack of a flush, with its `flush_id`. */
export type FlushDone = z.output<Schemas["flushDone"]>;
/** `done`: all output of the context has been sent. */
export type Done = z.output<Schemas["done"]>;
/** An `error` event in either shape. */
export type ErrorEvent = z.output<Schemas["error"]>;
/** Any server → client message. */
export type ServerMessage = Chunk | Timestamps | PhonemeTimestamps | FlushDone | Done | ErrorEvent;

/** True for a cancel message. */
export function isCancel(message: ClientMessage): message is Cancel {
  return "cancel" in message && message.cancel === true;
}

/** Parses the handshake query. */
export function parseQuery(input: QueryInput, options?: SchemaOptions): Result<Query> {
  return decodeQueryWith(schemas(options).query, input);
}

/** Serializes a query to its wire form. */
export function encodeQuery(query: Query): string {
  return encodeQueryWith(schemas().query, query);
}

/** Reads a client frame (JSON text): a cancel when it says `cancel: true`, else a generation request. */
export function parseClientMessage(frame: FrameInput, options?: SchemaOptions): Result<ClientMessage> {
  const json = decodeJsonObject(frame);
  if (!json.ok) return json;
  const s = schemas(options);
  return json.value.cancel === true ? fromZod<ClientMessage>(s.cancel, json.value) : fromZod<ClientMessage>(s.generationRequest, json.value);
}

/** Encodes a client message as a JSON text frame. */
export function encodeClientMessage(message: ClientMessage): string {
  return encodeJson(message);
}

/** Reads a server frame (JSON text) into a typed message. */
export function parseServerMessage(frame: FrameInput, options?: SchemaOptions): Result<ServerMessage> {
  const s = schemas(options);
  if (typeof frame === "string" && frame.startsWith(CHUNK_FRAME_HEAD)) {
    const read = readChunkFrame(frame, s.chunk);
    if (read !== undefined) return read;
  }
  return parseByType<ServerMessage>(frame, {
    chunk: s.chunk,
    timestamps: s.timestamps,
    phoneme_timestamps: s.phonemeTimestamps,
    flush_done: s.flushDone,
    done: s.done,
    error: s.error,
  });
}

/**
 * How a `chunk` frame begins in the plain form servers write (`type`, then `data`, no whitespace): its
 * base64 audio follows. What the fast reading here, the mock's chunk encoder and its journal's clip key on.
 */
export const CHUNK_FRAME_HEAD = '{"type":"chunk","data":"';

/**
 * A `chunk` frame in the plain form servers write (no whitespace, `type` then `data` first), read
 * without JSON-parsing its audio: JSON.parse of 6–13 KB of base64 was most of what linting a chunk
 * cost. Taken only where it is exactly the full parse (a property test holds the two together): the
 * audio as written is valid base64 (then the JSON string is those characters, with nothing to
 * unescape, and its check passes), and the rest of the frame has no escape and no second `data` key.
 * Else undefined, and the frame goes the general way.
 */
function readChunkFrame(frame: string, chunk: z.ZodType<Chunk>): Result<ServerMessage> | undefined {
  const end = frame.indexOf('"', CHUNK_FRAME_HEAD.length);
  if (end < 0) return undefined;
  if (!isBase64Within(frame, CHUNK_FRAME_HEAD.length, end)) return undefined;
  const data = frame.slice(CHUNK_FRAME_HEAD.length, end);
  const rest = frame.slice(end + 1);
  // A context's chunks repeat everything but the audio: the rest read before is read the same again.
  let known = KNOWN_RESTS.get(chunk);
  if (known === undefined) KNOWN_RESTS.set(chunk, (known = new Map()));
  const seen = known.get(rest);
  if (seen !== undefined) return { ok: true, value: { ...seen, data } };
  if (rest.includes("\\") || rest.includes('"data"')) return undefined;
  let value: Record<string, unknown>;
  try {
    // The same object as the whole frame's, with "" (valid base64 too) standing in for the audio.
    value = JSON.parse(`${CHUNK_FRAME_HEAD}"${rest}`) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  // A later duplicate `type` key wins in JSON.parse: the frame is then not a chunk.
  if (value.type !== "chunk") return undefined;
  const result = fromZod(chunk, value);
  if (result.ok) {
    if (known.size >= KNOWN_RESTS_MAX) known.clear();
    // Kept with "" for the audio (each read gets a copy with its own), under a copy of the rest: the
    // slice would hold the whole frame, audio and all, for as long as it is remembered.
    known.set(JSON.parse(JSON.stringify(rest)) as string, { ...result.value });
    result.value.data = data;
  }
  return result;
}

/**
 * Per chunk schema, the rests of frames (what follows the audio) that read as valid, with the message
 * they gave (`data` ""): a pure function of the rest's text under one schema, so a hit is exactly the
 * full reading. At most `KNOWN_RESTS_MAX` each (then forgotten at once: contexts come and go).
 */
const KNOWN_RESTS = new WeakMap<z.ZodType<Chunk>, Map<string, Chunk>>();
const KNOWN_RESTS_MAX = 256;

/** Encodes a server message as a JSON text frame. */
export function encodeServerMessage(message: ServerMessage): string {
  return encodeJson(message);
}
