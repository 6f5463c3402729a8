/** Error pieces without zod: the shape-free error, legacy text, and reading an error event of any shape. */
import type { ErrorShape } from "./version.js";

/** An error independent of its wire shape: what a client surfaces and a server sends. */
export interface CartesiaError {
  /** HTTP-like status (`status_code`, legacy STT `code`). */
  status: number;
  /** Machine code; `null` when no specific code applies (legacy shapes have none). */
  code: string | null;
  title: string;
  message: string;
  requestId?: string | undefined;
  docUrl?: string | undefined;
  /** TTS only, when known. */
  contextId?: string | undefined;
  /** Which wire shape it came in. */
  shape: ErrorShape;
}

/** Splits a legacy `"Title: message"` string; with no `": "` the whole text is the message. */
export function splitLegacyText(text: string): { title: string; message: string } {
  const at = text.indexOf(": ");
  return at < 0 ? { title: "", message: text } : { title: text.slice(0, at), message: text.slice(at + 2) };
}

/** Joins title and message the way legacy shapes do. */
export function joinLegacyText(title: string, message: string): string {
  return title ? `${title}: ${message}` : message;
}

type AnyErrorEvent = {
  type: "error";
  status_code?: number;
  code?: number;
  error_code?: string | null;
  title?: string;
  message?: string;
  error?: string;
  request_id?: string | null;
  doc_url?: string | null;
  context_id?: string;
};

/** Reads an error event of any shape (structured, legacy STT, legacy TTS) into a `CartesiaError`. */
export function normalizeErrorEvent(event: AnyErrorEvent): CartesiaError {
  const common = { requestId: event.request_id ?? undefined, docUrl: event.doc_url ?? undefined, contextId: event.context_id };
  if (typeof event.title === "string") {
    return {
      ...common,
      status: event.status_code ?? event.code ?? 500,
      code: event.error_code ?? null,
      title: event.title,
      message: event.message ?? "",
      shape: "structured",
    };
  }
  const text = event.error ?? event.message ?? "";
  return { ...common, ...splitLegacyText(text), status: event.status_code ?? event.code ?? 500, code: null, shape: "legacy" };
}
