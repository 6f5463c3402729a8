/**
 * TTS over HTTP, `POST /tts/bytes` (PROTOCOL.md §6.1): a JSON request in, the audio bytes out
 * (raw, WAV or MP3, chunked). Errors use the HTTP error body of the session's version.
 */
import * as z from "zod";
import { httpErrorBodySchema } from "../shared/errors.js";
import { decodeJsonObject } from "../shared/frame.js";
import { schemaSet, type SchemaOptions } from "../shared/options.js";
import { fromZod, type Result } from "../shared/result.js";
import type { SchemaBuilder } from "../shared/strictness.js";
import { bytesOutputFormatSchema, LANGUAGE_OR_LOCALE_RULE, languageOrLocale, ttsCoreFields } from "./common.js";

/** The endpoint's path. */
export const PATH = "/tts/bytes";

/** The response body: the audio bytes in the requested container, streamed with chunked encoding. */
export const audioBody = z
  .custom<Uint8Array>((value) => value instanceof Uint8Array, { message: "expected audio bytes" })
  .meta({
    type: "string",
    contentEncoding: "binary",
    description:
      "The audio itself, in the request's output_format: raw PCM (application/octet-stream), WAV (audio/wav) or MP3 (audio/mpeg), streamed with chunked transfer encoding.",
  });

/** Builds every schema of the endpoint at one strictness level. */
export const schemas = schemaSet((s: SchemaBuilder, o) => {
  const request = s
    .object({
      ...ttsCoreFields(s, o),
      output_format: bytesOutputFormatSchema(s),
      // With save:true the response carries a Cartesia-File-ID header (§6.1).
      save: z.boolean().nullish(),
    })
    .superRefine(languageOrLocale(s))
    .meta({ description: LANGUAGE_OR_LOCALE_RULE });
  const errorBody = httpErrorBodySchema(s);
  return { request, audioBody, errorBody };
});

type Schemas = ReturnType<typeof schemas>;
/** A `/tts/bytes` request body. */
export type Request = z.output<Schemas["request"]>;
/** The structured HTTP error body (2026-03-01+). */
export type ErrorBody = z.output<Schemas["errorBody"]>;

/** Reads a request body; a body is JSON whatever its Content-Type (livekit sends none, §6.1). */
export function parseRequest(body: string | Uint8Array, options?: SchemaOptions): Result<Request> {
  const json = decodeJsonObject(typeof body === "string" ? body : new TextDecoder().decode(body));
  return json.ok ? fromZod(schemas(options).request, json.value) : json;
}

/** Encodes a request body as JSON. */
export function encodeRequest(request: Request): string {
  return JSON.stringify(request);
}

/** Response `Content-Type` the mock sends per container (the real one is undocumented, §11). */
export function contentTypeFor(container: "raw" | "wav" | "mp3"): string {
  return container === "wav" ? "audio/wav" : container === "mp3" ? "audio/mpeg" : "application/octet-stream";
}
