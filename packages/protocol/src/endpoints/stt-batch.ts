/**
 * STT batch, `POST /stt` (PROTOCOL.md §4): a multipart form in (file, model, language,
 * `timestamp_granularities[]`), a transcript JSON out.
 */
import * as z from "zod";
import { STT_ENCODINGS } from "../shared/audio.js";
import { httpErrorBodySchema } from "../shared/errors.js";
import { decodeJsonObject } from "../shared/frame.js";
import { STT_LANGUAGES } from "../shared/languages.js";
import { schemaSet, type SchemaOptions } from "../shared/options.js";
import { decodeQueryWith, encodeQueryWith, numberParam, repeatedParam, type QueryInput } from "../shared/query.js";
import { fromZod, type Result } from "../shared/result.js";
import type { SchemaBuilder } from "../shared/strictness.js";
import { wordSchemas } from "./common.js";

/** The endpoint's path. */
export const PATH = "/stt";
/** Models the batch endpoint serves: the ink-whisper family (§4). */
export const MODELS = ["ink-whisper", "ink-whisper-2025-06-04"] as const;
/** Containers the endpoint decodes itself (§4); raw PCM needs `encoding` and `sample_rate`. */
export const FILE_FORMATS = ["flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm"] as const;
/** Largest accepted file (§4). */
export const MAX_FILE_BYTES = 2 * 1024 ** 3;

/** Builds every schema of the endpoint at one strictness level. */
export const schemas = schemaSet((s: SchemaBuilder) => {
  const { word } = wordSchemas(s);
  // Only for headerless raw PCM; otherwise the container is decoded (§4).
  const query = s.object({
    encoding: s.known(STT_ENCODINGS).optional(),
    sample_rate: numberParam(z.number().int().positive()).optional(),
  });
  // The form fields other than `file`, as they travel (strings; the array as a repeated field).
  const form = s.object({
    model: s.known(MODELS),
    language: s.known(STT_LANGUAGES).optional(),
    "timestamp_granularities[]": repeatedParam()
      .pipe(z.array(s.strictness === "lenient" ? z.string() : z.literal("word")))
      .optional(),
  });
  const response = s.object({
    // Required by the SDKs, absent from an older example (§10.24): only strict requires it.
    type: s.strictness === "strict" ? z.literal("transcript") : z.literal("transcript").optional(),
    text: z.string(),
    language: z.string().optional(),
    duration: (s.strictness === "lenient" ? z.number() : z.number().nonnegative()).optional(),
    request_id: z.string().optional(),
    is_final: z.boolean().optional(),
    words: z.array(word).optional(),
  });
  const errorBody = httpErrorBodySchema(s);
  return { query, form, response, errorBody };
});

type Schemas = ReturnType<typeof schemas>;
/** Query parameters (raw PCM only). */
export type Query = z.output<Schemas["query"]>;
/** The non-file form fields after parsing. */
export type Form = z.output<Schemas["form"]>;
/** The transcript response. */
export type Response = z.output<Schemas["response"]>;

/** Parses the query parameters. */
export function parseQuery(input: QueryInput, options?: SchemaOptions): Result<Query> {
  return decodeQueryWith(schemas(options).query, input);
}

/** Serializes the query parameters. */
export function encodeQuery(query: Query): string {
  return encodeQueryWith(schemas().query, query);
}

/** Parses the non-file form fields (a repeated field is a list). */
export function parseForm(fields: Record<string, string | string[]>, options?: SchemaOptions): Result<Form> {
  return decodeQueryWith(schemas(options).form, fields);
}

/** Encodes the non-file form fields to their wire strings (a list becomes a repeated field). */
export function encodeForm(form: Form): Record<string, string | string[]> {
  return z.encode(schemas().form, form) as Record<string, string | string[]>;
}

/** Reads a response body. */
export function parseResponse(body: string, options?: SchemaOptions): Result<Response> {
  const json = decodeJsonObject(body);
  return json.ok ? fromZod(schemas(options).response, json.value) : json;
}

/** Encodes a response body. */
export function encodeResponse(response: Response): string {
  return JSON.stringify(response);
}
