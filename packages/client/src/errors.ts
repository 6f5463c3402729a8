/**
 * Typed errors. Every error the API reports — a WebSocket `error` event of either shape, a refused
 * handshake, an HTTP error body of either shape — becomes a `CartesiaApiError` with the same fields,
 * read with the protocol package's normalizers. Transport failures are `ConnectionError`s.
 */
import type { CartesiaError, ErrorShape } from "@speechwire/protocol";
import { normalizeErrorEvent, readHttpError } from "@speechwire/protocol/reader";

/** Base class of every error this client creates. */
export class SpeechwireError extends Error {
  override name = "SpeechwireError";
}

/** Where an API error came from. */
export type ApiErrorSource = "websocket" | "handshake" | "http";

/** An error reported by the API, whatever its wire shape (structured from 2026-03-01, legacy before). */
export class CartesiaApiError extends SpeechwireError {
  override name = "CartesiaApiError";
  /** HTTP-like status (`status_code`, the legacy STT `code`, or the HTTP status). */
  readonly status: number;
  /** Machine code (`error_code`); `null` when there is none (always for the legacy shapes). */
  readonly code: string | null;
  /** Short summary (the part before `": "` in the legacy shapes). */
  readonly title: string;
  readonly requestId: string | undefined;
  readonly docUrl: string | undefined;
  /** TTS: the context the error ended, when known. */
  readonly contextId: string | undefined;
  /** The wire shape it came in. */
  readonly shape: ErrorShape;
  readonly source: ApiErrorSource;

  /** Wraps a shape-free error (see the protocol's `CartesiaError`) from a source. */
  constructor(error: CartesiaError, source: ApiErrorSource) {
    super(error.message || error.title);
    this.status = error.status;
    this.code = error.code;
    this.title = error.title;
    this.requestId = error.requestId;
    this.docUrl = error.docUrl;
    this.contextId = error.contextId || undefined;
    this.shape = error.shape;
    this.source = source;
  }

  /** Whether retrying may help (429, 408, 409 and 5xx, like the official SDK's retry rule). */
  get retryable(): boolean {
    return this.status === 408 || this.status === 409 || this.status === 429 || this.status >= 500;
  }

  /** Builds one from a WebSocket `error` event of any shape. */
  static fromEvent(event: Parameters<typeof normalizeErrorEvent>[0]): CartesiaApiError {
    return new CartesiaApiError(normalizeErrorEvent(event), "websocket");
  }

  /** Builds one from an HTTP (or refused handshake) status and body of any shape. */
  static fromHttp(status: number, body: string, requestId: string | undefined, source: ApiErrorSource = "http"): CartesiaApiError {
    const error = readHttpError(status, body, requestId);
    // A bare status with an empty body still says what happened.
    if (!error.title && !error.message) error.message = `HTTP ${status}`;
    return new CartesiaApiError({ ...error, requestId: error.requestId ?? requestId }, source);
  }
}

/** The connection failed or closed when it should not have. */
export class ConnectionError extends SpeechwireError {
  override name = "ConnectionError";
  /** The WebSocket close code, when there was one (1006: dropped without a close frame). */
  readonly closeCode: number | undefined;
  readonly reason: string | undefined;

  /** A transport failure, with the close code and reason when there was a close. */
  constructor(message: string, options: { closeCode?: number; reason?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.closeCode = options.closeCode;
    this.reason = options.reason;
  }
}

/** An operation waited longer than its limit (e.g. the drain after `close()`). */
export class TimeoutError extends SpeechwireError {
  override name = "TimeoutError";
}

/** Turns anything thrown into a `SpeechwireError` (abort errors are kept as they are). */
export function toError(error: unknown): Error {
  if (error instanceof Error) return error;
  return new SpeechwireError(String(error));
}
