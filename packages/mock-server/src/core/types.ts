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

/**
 * What a core asks the edge to do, in order.
 *
 * Timing (`delayMs`, seeded latency, pacing or a stall): an output is held until `delayMs` after the
 * moment the core produced it (the step that returned it), not after the previous frame went out.
 * Order is kept within a *lane*: a `send` with `lane` never goes out before an earlier output of the
 * same lane (it waits for it if that one is due later). A `send` without a lane, and every `close` and
 * `drop`, is a barrier: it goes out after everything produced before it, in every lane, and nothing
 * produced after it goes out before it. So for each output the edge computes
 * `due = max(producedAt + delayMs, lastDue)`, with `lastDue` the previous due time of its lane (for
 * a barrier: the latest of all lanes), and sends in due order, ties in production order
 * (`OutputSchedule` in `./schedule.ts`). With no delays, outputs go out at once in production order.
 */
export type CoreOutput =
  /**
   * Send a JSON text frame. `lane` names the independent stream it belongs to (TTS: its
   * `context_id`); none puts it in order after everything before it (STT: one ordered stream).
   */
  | { kind: "send"; data: string; lane?: string; delayMs?: number }
  /** Close the socket with a code and reason (after everything produced before it is sent). */
  | { kind: "close"; code: number; reason: string; delayMs?: number }
  /** Drop the connection without a close frame (a fault: the client sees 1006), after everything produced before it. */
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
