/**
 * STT turns, `/stt/turns/websocket` (PROTOCOL.md §3): typed turn events (with `words` and `languages`
 * where the model has them), `config(turn)` / `configure({turn, keyterms, language_hints})`, `close()`
 * that drains, a speculation helper for `turn.eager_end`, and a watchdog that keeps turn detection
 * moving when the caller's audio stops mid-turn (§3.5: turn logic only advances with audio).
 *
 * Reconnect (with `reconnect`): this endpoint acknowledges nothing and its events carry no audio
 * position, so no byte offset is provable; the only boundary is a turn's end, placed by time. When a
 * `turn.end` arrives, the boundary moves to the audio the client had sent `turnBoundaryMarginMs`
 * (default 200 ms, about a round trip) earlier: with audio streamed in real time (which the API expects, §1.6) and a
 * round trip under the margin, the server had processed that audio when it ended the turn, and it
 * lies in the ended turn's trailing silence. On a new connection the client sends the turn
 * configuration so far, then everything after the boundary: ended turns are not transcribed again,
 * and the open turn — whose state died with the connection — is heard again from its start (after
 * `reconnected` it starts again from `turnStart`). When the audio runs ahead of real time the client
 * cannot place a boundary and keeps everything unconfirmed: a replay may then repeat ended turns,
 * but no audio is lost.
 */
import type { sttTurns } from "@speechwire/protocol";
import { encodeQuery, PATHS, readSttTurnsMessage } from "@speechwire/protocol/reader";
import type { ClientConfig } from "../config.js";
import { SpeechwireError } from "../errors.js";
import type { CommonEvent } from "../events.js";
import { isAbortError, makeAbortError } from "../util/abort.js";
import { quiet, unref, type Timer } from "../util/promise.js";
import { audioFormat, durationMs } from "./audio.js";
import { checkListParams, type SttConfig } from "./config.js";
import { SttSocketSession, type SttSessionOptions } from "./session.js";
import { turnEvent, type ConnectedEvent, type EagerEndEvent, type ResumeEvent, type TurnEndEvent, type TurnStartEvent, type TurnsParams, type TurnUpdateEvent } from "./turn-events.js";

export type { ConnectedEvent, EagerEndEvent, ResumeEvent, TurnEndEvent, TurnStartEvent, TurnText, TurnUpdateEvent, TurnsParams } from "./turn-events.js";

/** A turn configuration (`config` command), in the protocol's shape. */
export type TurnConfig = NonNullable<sttTurns.Config["turn"]>;
/** What `configure` changes: turn settings, keyterms, language hints (the protocol's `config` without `type`). */
export type TurnsConfig = SttConfig;

/** Watchdog settings: silence goes out while a turn is open and the caller's audio has stopped. */
export interface WatchdogOptions {
  /** Start after this long without audio. Default max(2 × the last frame's duration, 500 ms). */
  afterMs?: number;
  /** Length of each silence frame, sent in real time. Default the last frame's duration, 20–100 ms. */
  silenceMs?: number;
}

/** Options of `client.stt.turns`. */
export interface TurnsOptions extends SttSessionOptions {
  /** The stalled-audio watchdog (§3.5). Default on; `false` turns it off. */
  watchdog?: boolean | WatchdogOptions;
  /** How far before a received `turn.end` the replay boundary goes (see the module comment). Default 200 ms. */
  turnBoundaryMarginMs?: number;
}

/** What the speculation helper did. */
export interface SpeculationEvent {
  type: "speculation";
  /** `started` on `eagerEnd` (or on `turnEnd` when nothing matching ran), `aborted`, `confirmed` on `turnEnd`, `failed`. */
  phase: "started" | "aborted" | "confirmed" | "failed";
  transcript: string;
  /** True when the work started on `eagerEnd`, before the turn ended. */
  speculative: boolean;
  /** Why it was aborted: `resume`, `superseded` (a newer eager end), `mismatch` (turn.end said something else), `reconnect`, `closed`. */
  reason?: "resume" | "superseded" | "mismatch" | "reconnect" | "closed";
  /** `confirmed`: the handler's result (already settled or not). */
  result?: Promise<unknown>;
  /** `failed`: what the handler threw. */
  error?: Error;
}

/** Every event of a turns session. */
export type TurnsEvent = ConnectedEvent | TurnStartEvent | TurnUpdateEvent | EagerEndEvent | ResumeEvent | TurnEndEvent | SpeculationEvent | CommonEvent;

/** Work started on a transcript; abort it when `signal` fires. */
export type SpeculationHandler<T> = (transcript: string, signal: AbortSignal) => Promise<T> | T;

interface Running {
  transcript: string;
  speculative: boolean;
  controller: AbortController;
  result: Promise<unknown>;
}

interface Speculator {
  handler: SpeculationHandler<unknown>;
  onConfirmed: ((result: unknown, info: { transcript: string; speculative: boolean }) => void) | undefined;
  running: Running | undefined;
}

/** A turn-detecting transcription session; see the module comment for reconnects. */
export class TurnsSession extends SttSocketSession<ConnectedEvent | TurnStartEvent | TurnUpdateEvent | EagerEndEvent | ResumeEvent | TurnEndEvent | SpeculationEvent, sttTurns.ServerMessage> {
  readonly #transcripts: string[] = [];
  readonly #speculators = new Set<Speculator>();
  readonly #watchdog: WatchdogOptions | undefined;
  readonly #marginMs: number;
  #turnOpen = false;
  #watchdogTimer: Timer | undefined;
  #watchdogDue = 0;
  #watchdogAfterMs = 0;
  #watchdogSilenceMs = 0;
  #closePromise: Promise<string> | undefined;

  /** Use `client.stt.turns(params, options)`; connects at once. */
  constructor(config: ClientConfig, params: TurnsParams, options: TurnsOptions = {}) {
    super(
      config,
      "stt-turns",
      PATHS.sttTurns,
      (auth) => encodeQuery("sttTurns", { ...checkListParams(params), ...auth }),
      audioFormat(params.encoding, params.sample_rate),
      options,
    );
    this.#marginMs = options.turnBoundaryMarginMs ?? 200;
    this.#watchdog = options.watchdog === false ? undefined : options.watchdog === true || options.watchdog === undefined ? {} : options.watchdog;
  }

  /** Every `turn.end` transcript so far, in order. */
  get transcripts(): readonly string[] {
    return this.#transcripts;
  }

  /** Whether a turn is open (between `turnStart` and `turnEnd`). */
  get turnOpen(): boolean {
    return this.#turnOpen;
  }

  /**
   * Changes turn settings mid-session: `configure({ turn })`. Checked against the documented ranges
   * first (throws a `SpeechwireError` naming the field); kept and re-sent after a reconnect.
   */
  config(turn: TurnConfig): void {
    this.sendConfig({ turn });
  }

  /**
   * Sends `{"type":"config", turn?, keyterms?, language_hints?}`: turn settings merge with the ones
   * set before; a list replaces the old one, `[]` clears it, an omitted one is kept. Checked first
   * (ranges, threshold order, keyterm limits, at most 6 hints: a `SpeechwireError` naming the field);
   * the server answers a value it refuses (e.g. hints for a model without them) with an `error`
   * event and the session goes on. The merged configuration is re-sent after a reconnect.
   */
  configure(config: TurnsConfig): void {
    this.sendConfig(config);
  }

  /**
   * Runs `handler` speculatively: started on `eagerEnd` with a signal that aborts on `resume`;
   * confirmed on `turnEnd` when the transcript matches, else restarted on the final transcript.
   * Every turn with words gets exactly one confirmed run; `onConfirmed` receives its result.
   * Returns a function that removes the handler (aborting what runs).
   */
  onEagerEnd<T>(handler: SpeculationHandler<T>, options: { onConfirmed?: (result: T, info: { transcript: string; speculative: boolean }) => void } = {}): () => void {
    const s: Speculator = {
      handler: handler as SpeculationHandler<unknown>,
      onConfirmed: options.onConfirmed as Speculator["onConfirmed"],
      running: undefined,
    };
    this.#speculators.add(s);
    return () => {
      this.#abort(s, "closed");
      this.#speculators.delete(s);
    };
  }

  /** Sends `{"type":"close"}`, waits for the server to drain and close, and resolves with every `turn.end` transcript concatenated verbatim. */
  close(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<string> {
    this.#closePromise ??= quiet(
      this.drain('{"type":"close"}', options).then((event) => {
        if (event.error) throw event.error;
        return this.#transcripts.join("");
      }),
    );
    return this.#closePromise;
  }

  protected override isComplete(clean: boolean): boolean {
    return this.closing && clean;
  }

  protected override onConnectionLost(): void {
    this.#turnOpen = false;
    this.#stopWatchdog();
    for (const s of this.#speculators) this.#abort(s, "reconnect");
  }

  protected override onClosing(): void {
    this.#stopWatchdog();
  }

  protected override onEnd(): void {
    this.#turnOpen = false;
    this.#stopWatchdog();
    for (const s of this.#speculators) this.#abort(s, "closed");
  }

  protected override parseMessage(data: string | Uint8Array) {
    return readSttTurnsMessage(data);
  }

  protected override handleMessage(message: sttTurns.ServerMessage): void {
    if (message.type === "error") {
      this.apiError(message);
      return;
    }
    // A new connection's times start at its first byte: the replay boundary, `connectionOffset` into
    // the stream. The event is queued first: a reader sees it only after this handler has run.
    this.events.push(turnEvent(message, this.requestId, this.connectionOffset / this.format.byteRate));
    switch (message.type) {
      case "turn.start":
        this.#turnOpen = true;
        this.#armWatchdog();
        return;
      case "turn.eager_end":
        if (this.#speculators.size > 0) for (const s of this.#speculators) {
          this.#abort(s, "superseded");
          if (message.transcript !== "") this.#start(s, message.transcript, true);
        }
        return;
      case "turn.resume":
        if (this.#speculators.size > 0) for (const s of this.#speculators) this.#abort(s, "resume");
        return;
      case "turn.end":
        this.#turnOpen = false;
        this.#transcripts.push(message.transcript);
        this.#turnBoundary();
        if (this.#speculators.size > 0) for (const s of this.#speculators) this.#confirm(s, message.transcript);
        return;
    }
  }

  /** Moves the replay boundary on a `turn.end` (see the module comment); config is re-sent whole on a reconnect. */
  #turnBoundary(): void {
    if (!this.log.keep || this.aheadOfRealTimeMs() > this.#marginMs) return;
    const offset = this.offsetSentAt(Date.now() - this.#marginMs);
    if (offset !== undefined) this.confirm(offset);
  }

  #start(s: Speculator, transcript: string, speculative: boolean): Running {
    const controller = new AbortController();
    let result: Promise<unknown>;
    try {
      result = Promise.resolve(s.handler(transcript, controller.signal));
    } catch (error) {
      result = Promise.reject(error);
    }
    quiet(result);
    const running: Running = { transcript, speculative, controller, result };
    s.running = running;
    this.events.push({ type: "speculation", phase: "started", transcript, speculative });
    return running;
  }

  #abort(s: Speculator, reason: NonNullable<SpeculationEvent["reason"]>): void {
    const running = s.running;
    if (!running) return;
    s.running = undefined;
    running.controller.abort(makeAbortError(`speculation aborted: ${reason}`));
    this.events.push({ type: "speculation", phase: "aborted", transcript: running.transcript, speculative: running.speculative, reason });
  }

  #confirm(s: Speculator, transcript: string): void {
    let running = s.running;
    if (running && running.transcript !== transcript) {
      this.#abort(s, "mismatch");
      running = undefined;
    }
    if (!running) {
      if (transcript === "") return;
      running = this.#start(s, transcript, false);
    }
    s.running = undefined;
    const { speculative } = running;
    this.events.push({ type: "speculation", phase: "confirmed", transcript, speculative, result: running.result });
    running.result.then(
      (value) => {
        try {
          s.onConfirmed?.(value, { transcript, speculative });
        } catch (error) {
          this.events.push({ type: "speculation", phase: "failed", transcript, speculative, error: error instanceof Error ? error : new SpeechwireError(String(error)) });
        }
      },
      (error: unknown) => {
        if (isAbortError(error)) return;
        this.events.push({ type: "speculation", phase: "failed", transcript, speculative, error: error instanceof Error ? error : new SpeechwireError(String(error)) });
      },
    );
  }

  /**
   * Checks for stalled audio while a turn is open, and sends silence in real time while it is. A
   * timer still pending (e.g. from the last turn: `turn.end` leaves it, it stops itself when it finds
   * no open turn) is kept unless the new deadline is earlier, so busy sessions do not set a timer per turn.
   */
  #armWatchdog(): void {
    const w = this.#watchdog;
    if (!w || !this.#turnOpen || this.closing) return;
    const frameMs = this.lastUserFrameBytes > 0 ? durationMs(this.format, this.lastUserFrameBytes) : 100;
    const afterMs = w.afterMs ?? Math.max(2 * frameMs, 500);
    const silenceMs = w.silenceMs ?? Math.min(100, Math.max(20, frameMs));
    const now = Date.now();
    const stalled = now - this.lastUserAudioAt;
    const wait = stalled >= afterMs ? silenceMs : afterMs - stalled;
    if (this.#watchdogTimer !== undefined && this.#watchdogDue <= now + wait) return;
    this.#stopWatchdog();
    this.#watchdogDue = now + wait;
    this.#watchdogAfterMs = afterMs;
    this.#watchdogSilenceMs = silenceMs;
    this.#watchdogTimer = unref(setTimeout(this.#onWatchdog, wait));
  }

  readonly #onWatchdog = (): void => {
    this.#watchdogTimer = undefined;
    if (!this.#turnOpen || this.closing) return;
    if (Date.now() - this.lastUserAudioAt >= this.#watchdogAfterMs) this.injectSilence(this.#watchdogSilenceMs);
    this.#armWatchdog();
  };

  #stopWatchdog(): void {
    clearTimeout(this.#watchdogTimer);
    this.#watchdogTimer = undefined;
  }
}
