import * as z from "zod";
import { builder, type SchemaBuilder } from "./strictness.js";
import type { ErrorShape } from "./version.js";
import { joinLegacyText, splitLegacyText, type CartesiaError } from "./error-text.js";

export { joinLegacyText, normalizeErrorEvent, splitLegacyText, type CartesiaError } from "./error-text.js";

/** Error codes documented or seen in sources, with their status where known (§1.4). Not complete (§11). */
export const KNOWN_ERROR_CODES = {
  model_not_found: 400,
  concurrency_limited: 429,
  // No status is documented for a sunsetted model (§1.4); the mock answers 400, as for an unknown one.
  model_sunsetted: null,
} as const;

/** The endpoint families whose WebSocket errors differ in legacy shape (§1.4). */
export type ErrorFamily = "stt" | "tts";

/** HTTP error body from 2026-03-01 on (§1.4). Before, the body is plain text `Title: Message`. */
export function httpErrorBodySchema(s: SchemaBuilder) {
  return s.object({
    error_code: z.string().nullable(),
    title: z.string(),
    message: z.string(),
    request_id: z.string(),
    // SDK 4.2 types `doc_url?: string | null` (update D11).
    doc_url: z.string().nullish(),
  });
}

/** Fields of the structured WebSocket `error` event (§1.4). */
function structuredErrorFields(s: SchemaBuilder, family: ErrorFamily) {
  const strict = s.strictness === "strict";
  // The docs' examples always carry both; SDK 4.2 types `request_id?` and `error_code?` on STT errors
  // (update D11), so only strict (the docs) requires them there.
  const sdkOptional = !strict && (family === "stt" || s.strictness === "lenient");
  return {
    type: z.literal("error"),
    // STT examples omit `done` (§10.15), and SDK 4.2 types it optional on TTS: only strict requires it there.
    done: family === "tts" && strict ? z.literal(true) : (strict ? z.literal(true) : z.boolean()).optional(),
    status_code: z.number().int(),
    error_code: sdkOptional ? z.string().nullish() : z.string().nullable(),
    title: z.string(),
    message: z.string(),
    request_id: sdkOptional ? z.string().nullish() : z.string(),
    doc_url: z.string().nullish(),
  };
}

/** The structured STT WebSocket `error` event (2026-03-01+, §1.4). */
export function structuredSttErrorEventSchema(s: SchemaBuilder) {
  return s.object(structuredErrorFields(s, "stt"));
}

/** The structured TTS WebSocket `error` event (2026-03-01+, §1.4): `done: true`, `context_id` when known. */
export function structuredTtsErrorEventSchema(s: SchemaBuilder) {
  return s.object({ ...structuredErrorFields(s, "tts"), context_id: z.string().optional() });
}

/** The legacy STT error event: `{type, message:"Title: msg", code, request_id}` (§1.4). */
export function legacySttErrorEventSchema(s: SchemaBuilder) {
  return s.object({
    type: z.literal("error"),
    message: z.string(),
    code: z.number().int(),
    request_id: s.strictness === "lenient" ? z.string().optional() : z.string(),
  });
}

/** The legacy TTS error event: `{type, done:true, error:"Title: msg", status_code, context_id}` (§1.4). */
export function legacyTtsErrorEventSchema(s: SchemaBuilder) {
  const lenient = s.strictness === "lenient";
  return s.object({
    type: z.literal("error"),
    done: s.strictness === "strict" ? z.literal(true) : z.boolean().optional(),
    error: z.string(),
    status_code: z.number().int(),
    context_id: lenient ? z.string().optional() : z.string(),
  });
}

/** The STT error event for a shape; `"either"` (lenient reading) accepts both, structured first. */
export function sttErrorEventSchema(s: SchemaBuilder, shape: ErrorShape | "either") {
  const structured = structuredSttErrorEventSchema(s);
  const legacy = legacySttErrorEventSchema(s);
  return shape === "structured" ? structured : shape === "legacy" ? legacy : z.union([structured, legacy]);
}

/** The TTS error event for a shape; `"either"` (lenient reading) accepts both, structured first. */
export function ttsErrorEventSchema(s: SchemaBuilder, shape: ErrorShape | "either") {
  const structured = structuredTtsErrorEventSchema(s);
  const legacy = legacyTtsErrorEventSchema(s);
  return shape === "structured" ? structured : shape === "legacy" ? legacy : z.union([structured, legacy]);
}

/** Builds the WebSocket `error` event for an error, in the family's shape for the session's version. */
export function toErrorEvent(
  error: Omit<CartesiaError, "shape" | "requestId"> & { requestId: string },
  family: ErrorFamily,
  shape: ErrorShape,
): Record<string, unknown> {
  if (shape === "structured") {
    return {
      type: "error",
      done: true,
      status_code: error.status,
      error_code: error.code,
      title: error.title,
      message: error.message,
      request_id: error.requestId,
      ...(error.docUrl !== undefined ? { doc_url: error.docUrl } : {}),
      ...(family === "tts" && error.contextId !== undefined ? { context_id: error.contextId } : {}),
    };
  }
  if (family === "stt") {
    return { type: "error", message: joinLegacyText(error.title, error.message), code: error.status, request_id: error.requestId };
  }
  return {
    type: "error",
    done: true,
    error: joinLegacyText(error.title, error.message),
    status_code: error.status,
    // The legacy shape always names a context (livekit-js requires it); "" when none is known.
    context_id: error.contextId ?? "",
  };
}

/** An HTTP error response: JSON from 2026-03-01 on, plain `Title: Message` text before (§1.4). */
export function toHttpErrorResponse(
  error: Omit<CartesiaError, "shape" | "contextId" | "requestId"> & { requestId: string },
  shape: ErrorShape,
): { status: number; contentType: string; body: string } {
  if (shape === "legacy") {
    return { status: error.status, contentType: "text/plain; charset=utf-8", body: joinLegacyText(error.title, error.message) };
  }
  const body = {
    error_code: error.code,
    title: error.title,
    message: error.message,
    request_id: error.requestId,
    ...(error.docUrl !== undefined ? { doc_url: error.docUrl } : {}),
  };
  return { status: error.status, contentType: "application/json", body: JSON.stringify(body) };
}

/** Reads an HTTP error response body of either shape into a `CartesiaError`. */
export function normalizeHttpError(status: number, body: string, requestIdHeader?: string): CartesiaError {
  try {
    const json = JSON.parse(body) as unknown;
    const parsed = httpErrorBodySchema(builder("lenient")).safeParse(json);
    if (parsed.success) {
      const b = parsed.data;
      return { status, code: b.error_code, title: b.title, message: b.message, requestId: b.request_id, docUrl: b.doc_url ?? undefined, shape: "structured" };
    }
  } catch {
    // Not JSON: the legacy plain-text body.
  }
  return { status, code: null, ...splitLegacyText(body.trim()), requestId: requestIdHeader, shape: "legacy" };
}
