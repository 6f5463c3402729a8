/**
 * TTS over Server-Sent Events, `POST /tts/sse` (PROTOCOL.md §6.2): a JSON request in, `data: <json>`
 * events out (`chunk`, `timestamps`, `phoneme_timestamps`, older `flush_done`, `done`, `error`).
 */
import * as z from "zod";
import { parseByType } from "../shared/dispatch.js";
import { httpErrorBodySchema } from "../shared/errors.js";
import { decodeJsonObject } from "../shared/frame.js";
import { schemaSet, type SchemaOptions } from "../shared/options.js";
import { fromZod, type Result } from "../shared/result.js";
import type { SchemaBuilder } from "../shared/strictness.js";
import { base64Schema, LANGUAGE_OR_LOCALE_RULE, languageOrLocale, rawOutputFormatSchema, ttsCoreFields, wordSchemas } from "./common.js";

/** The endpoint's path. */
export const PATH = "/tts/sse";

/** Builds every schema of the endpoint at one strictness level. */
export const schemas = schemaSet((s: SchemaBuilder, o) => {
  const lenient = s.strictness === "lenient";
  const { wordTimestamps, phonemeTimestamps } = wordSchemas(s);
  const request = s
    .object({
      ...ttsCoreFields(s, o),
      output_format: rawOutputFormatSchema(s),
      // `| null` in SDK 4.2 (update D2): null means absent.
      context_id: z.string().nullish(),
      add_timestamps: z.boolean().nullish(),
      add_phoneme_timestamps: z.boolean().nullish(),
      use_normalized_timestamps: z.boolean().nullish(),
    })
    .superRefine(languageOrLocale(s))
    .meta({ description: LANGUAGE_OR_LOCALE_RULE });

  // On SSE the context id is optional and nullable (SDK 4.2).
  const contextId = z.string().nullable().optional();
  const notDone = lenient ? z.boolean() : z.literal(false);
  const status = z.number().int();
  const chunk = s.object({
    type: z.literal("chunk"),
    data: base64Schema(s),
    done: notDone,
    status_code: status,
    step_time: z.number(),
    context_id: contextId,
  });
  const timestamps = s.object({
    type: z.literal("timestamps"),
    done: notDone,
    status_code: status,
    word_timestamps: wordTimestamps,
    context_id: contextId,
  });
  const phonemeTimestampsEvent = s.object({
    type: z.literal("phoneme_timestamps"),
    done: notDone,
    status_code: status,
    phoneme_timestamps: phonemeTimestamps,
    context_id: contextId,
  });
  // Listed only by older reference pages (§6.2).
  const flushDone = s.object({
    type: z.literal("flush_done"),
    done: notDone,
    flush_done: lenient ? z.boolean() : z.literal(true),
    flush_id: z.number().int().positive(),
    status_code: status,
    context_id: contextId,
  });
  const done = s.object({ type: z.literal("done"), done: lenient ? z.boolean() : z.literal(true), status_code: status, context_id: contextId });
  const structuredError = s.object({
    type: z.literal("error"),
    done: z.boolean(),
    message: z.string(),
    request_id: z.string(),
    status_code: status,
    title: z.string(),
    doc_url: z.string().nullish(),
    error_code: z.string().nullable().optional(),
    context_id: contextId,
  });
  const legacyError = s.object({ type: z.literal("error"), done: z.boolean(), error: z.string(), status_code: status, context_id: contextId });
  const error = o.errors === "structured" ? structuredError : o.errors === "legacy" ? legacyError : z.union([structuredError, legacyError]);
  const event = z.union([chunk, timestamps, phonemeTimestampsEvent, flushDone, done, error]);
  const errorBody = httpErrorBodySchema(s);
  return { request, chunk, timestamps, phonemeTimestamps: phonemeTimestampsEvent, flushDone, done, error, event, errorBody };
});

type Schemas = ReturnType<typeof schemas>;
/** A `/tts/sse` request body. */
export type Request = z.output<Schemas["request"]>;
/** `chunk` event. */
export type Chunk = z.output<Schemas["chunk"]>;
/** `timestamps` event. */
export type Timestamps = z.output<Schemas["timestamps"]>;
/** `phoneme_timestamps` event. */
export type PhonemeTimestamps = z.output<Schemas["phonemeTimestamps"]>;
/** `flush_done` event (older pages). */
export type FlushDone = z.output<Schemas["flushDone"]>;
/** `done`: the final event. */
export type Done = z.output<Schemas["done"]>;
/** `error` event in either shape. */
export type ErrorEvent = z.output<Schemas["error"]>;
/** Any SSE event's data. */
export type Event = Chunk | Timestamps | PhonemeTimestamps | FlushDone | Done | ErrorEvent;

/** Reads a request body (JSON whatever the Content-Type). */
export function parseRequest(body: string | Uint8Array, options?: SchemaOptions): Result<Request> {
  const json = decodeJsonObject(typeof body === "string" ? body : new TextDecoder().decode(body));
  return json.ok ? fromZod(schemas(options).request, json.value) : json;
}

/** Encodes a request body as JSON. */
export function encodeRequest(request: Request): string {
  return JSON.stringify(request);
}

/** Reads one event's `data:` payload. */
export function parseEvent(data: string, options?: SchemaOptions): Result<Event> {
  const s = schemas(options);
  return parseByType<Event>(data, {
    chunk: s.chunk,
    timestamps: s.timestamps,
    phoneme_timestamps: s.phonemeTimestamps,
    flush_done: s.flushDone,
    done: s.done,
    error: s.error,
  });
}

/** Frames one event: `data: <json>\n\n` (the SDKs ignore `event:` names, §6.2). */
export function encodeEvent(event: Event): string {
  return `data: ${JSON.stringify(event)}\n\n`;
}

export { SseDecoder } from "../shared/sse.js";
