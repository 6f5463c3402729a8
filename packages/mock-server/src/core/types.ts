/**
 * The contract between the sans-IO session cores and the socket edge.
 *
 * A core is a deterministic state machine: the edge feeds it what the client sent (audio, text
 * frames) and timer ticks, and the core answers with outputs. Cores never read a clock, never touch a
 * socket and never use unseeded randomness; the edge owns sockets and timers. The same inputs give
 * the same outputs, byte for byte, every run.
 */

/** What the edge feeds a core. Times are milliseconds on the edge's clock (only used for timers). */
export type CoreInput =
  /** A binary frame. */
  | { kind: "audio"; data: Uint8Array }
  /** A text frame, as received (the core parses it with the protocol package). */
  | { kind: "text"; data: string }
  /** A timer the core asked for (`timer` output) is due; `key` names which (default `""`). */
  | { kind: "tick"; key?: string };

/** What a core asks the edge to do, in order. */
export type CoreOutput =
  /**
   * Send a JSON text frame. `delayMs` (seeded latency from the scenario or profile) holds it back;
   * the edge keeps outputs in order, so a delayed frame also delays the ones after it.
   */
  | { kind: "send"; data: string; delayMs?: number }
  /** Close the socket with a code and reason (after everything queued before it is sent). */
  | { kind: "close"; code: number; reason: string; delayMs?: number }
  /** Drop the connection without a close frame (a fault: the client sees 1006). */
  | { kind: "drop"; delayMs?: number }
  /**
   * Ask for a `tick` input after `afterMs` milliseconds. Timers are named by `key` (default `""`,
   * e.g. one per TTS context): a request replaces the pending timer of the same key only.
   */
  | { kind: "timer"; afterMs: number; key?: string };

/** A session core: one per WebSocket connection. */
export interface SessionCore {
  /** Called once when the socket opens; returns what to send first (e.g. turns' `connected`). */
  open(): CoreOutput[];
  /** Feeds one input. */
  step(input: CoreInput): CoreOutput[];
  /** Seconds of audio received so far (the audio clock), for the journal. */
  readonly audioSeconds: number;
}

/** Error shapes come from the protocol package; cores build events with its `toErrorEvent`. */
export type { ErrorShape } from "@speechwire/protocol";
