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
  | { kind: "tick"; key?: string }
  /**
   * The edge can take more of a lane: the core asked with `more`, the lane's outputs went out and
   * the client is reading. The core answers with the lane's next batch (and `more` again if it has more).
   */
  | { kind: "pull"; lane: string };

/**
 * What a core asks the edge to do, in order.
 *
 * Timing (`delayMs`, seeded latency, pacing or a stall): an output is held until `delayMs` after the
 * moment the core produced it (the step that returned it), not after the previous frame went out;
 * an output with `since` was produced by an earlier step (it waited in the core for a `pull`), and its
 * delay counts from that step's moment, which the core named with an `anchor` output back then.
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
  | { kind: "send"; data: string; lane?: string; delayMs?: number; since?: number }
  /** Close the socket with a code and reason (after everything produced before it is sent). */
  | { kind: "close"; code: number; reason: string; delayMs?: number; since?: number }
  /** Drop the connection without a close frame (a fault: the client sees 1006), after everything produced before it. */
  | { kind: "drop"; delayMs?: number; since?: number }
  /**
   * Ask for a `tick` input after `afterMs` milliseconds. Timers are named by `key` (default `""`,
   * e.g. one per TTS context): a request replaces the pending timer of the same key only.
   */
  | { kind: "timer"; afterMs: number; key?: string }
  /**
   * The core holds more output for `lane` (a TTS generation renders a batch of chunks at a time):
   * step it with `{kind:"pull", lane}` once this lane's outputs have gone out and the client is
   * reading, so nothing is made faster than the client takes it. Said once per pull.
   */
  | { kind: "more"; lane: string }
  /** Remember this step's moment as anchor `id`: later outputs with `since: id` count their delay from it. */
  | { kind: "anchor"; id: number }
  /** No output will name anchor `id` any more: forget it. */
  | { kind: "release"; id: number }
  /**
   * A warning for the journal (a recorded scenario met a request it has no recording for, or audio
   * that differs from the recording); nothing is sent. Recorded as a `warning` violation with `rule`.
   */
  | { kind: "note"; rule: string; message: string; since?: undefined };

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
