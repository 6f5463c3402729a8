/** Events every session shares: errors, unknown messages, grammar violations, reconnects, close. */
import type { ParseFailureReason, Violation } from "@speechwire/protocol";

/** An error: a `CartesiaApiError` for what the API reported, a `ConnectionError` for the transport. */
export interface ErrorEvent {
  type: "error";
  error: Error;
}

/** A frame the client could not read (unknown `type`, invalid fields, not JSON, binary): surfaced, never thrown. */
export interface UnknownEvent {
  type: "unknown";
  /** The frame as received. */
  data: string | Uint8Array;
  reason: ParseFailureReason;
  /** What did not parse, field first. */
  message: string;
}

/** A broken protocol rule found by the grammar checkers (`debug: true`). */
export interface ViolationEvent {
  type: "violation";
  violation: Violation;
}

/** The connection dropped; a reconnect is scheduled. */
export interface ReconnectingEvent {
  type: "reconnecting";
  attempt: number;
  delayMs: number;
  /** Close code of the lost connection (1006: dropped without a close frame). */
  code: number;
  reason: string;
  error?: Error;
}

/** A new connection is open and the unconfirmed audio has been replayed on it. */
export interface ReconnectedEvent {
  type: "reconnected";
  attempt: number;
  /** The new connection's request id, when known. */
  requestId: string | undefined;
  /** Stream offset (bytes) the replay started at: the last confirmed boundary. */
  fromByte: number;
  /** Audio bytes sent again. */
  replayedBytes: number;
  /** Bytes that could not be replayed because the replay buffer overflowed (0 unless `maxReplayBytes` was hit). */
  lostBytes: number;
}

/** The session is over: the last event. `error` is set when it did not end the way it should. */
export interface CloseEvent {
  type: "close";
  code: number;
  reason: string;
  error?: Error;
}

/** Events every WebSocket session can yield. */
export type CommonEvent = ErrorEvent | UnknownEvent | ViolationEvent | ReconnectingEvent | ReconnectedEvent | CloseEvent;
