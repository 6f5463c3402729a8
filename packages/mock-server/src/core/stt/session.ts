/**
 * What both STT cores share: the audio clock (whole samples, odd trailing bytes carried over), the
 * ordered output list, error events shaped by version (structured on the turns endpoint whatever the
 * version), and the scenario's faults (triggers, the
 * `connections` and `endpoints` gates, and the error / close / drop / stall actions).
 */
import { bytesPerSample, isSttEncoding, shapesForVersion, toErrorEvent, type SttEncoding } from "@speechwire/protocol";
import type { Fault, Scenario } from "../../scenario/schema.js";
import { errorShapeOf } from "../error-shape.js";
import type { CoreInput, CoreOutput, SessionCore } from "../types.js";
import type { SttLists } from "./config.js";
import type { EnergyDetector, SpeechTracker, VadOptions } from "./vad.js";

/** The STT WebSocket endpoints, as fault `endpoints` name them. */
export type SttEndpoint = "stt-v1" | "stt-turns";

/** Close code after a fatal error event: 1011 (internal error) for 5xx, 1008 (policy violation) below. */
export function fatalCloseCode(status: number): number {
  return status >= 500 ? 1011 : 1008;
}

/** Reads the session's encoding; the edge validates the query first, so an unknown one falls back to s16le. */
export function sttEncodingOf(encoding: string): SttEncoding {
  return isSttEncoding(encoding) ? encoding : "pcm_s16le";
}

const NO_BYTES = new Uint8Array(0);
/** What a step that produced nothing returns (frozen: a caller that pushed into it would throw, not leak). */
const NO_OUTPUTS = Object.freeze([]) as unknown as CoreOutput[];

/**
 * The audio clock: bytes ÷ bytes per sample ÷ sample rate. A frame that ends inside a sample keeps
 * its trailing bytes for the next frame, so no byte is lost and the position counts whole samples
 * only; the position is computed from the sample count, never accumulated, so any chunking of the
 * same bytes gives the same positions.
 */
export class AudioClock {
  readonly bytesPerSample: number;
  #samples = 0;
  #carry: Uint8Array = NO_BYTES;

  constructor(
    readonly encoding: SttEncoding,
    readonly sampleRate: number,
  ) {
    this.bytesPerSample = bytesPerSample(encoding);
  }

  /** Whole samples received so far. */
  get samples(): number {
    return this.#samples;
  }

  /** Seconds of audio received so far. */
  get seconds(): number {
    return this.#samples / this.sampleRate;
  }

  /** Adds a frame; returns the bytes of the whole samples it completes (carried bytes first). */
  push(data: Uint8Array): Uint8Array {
    // The usual frame (whole samples, nothing carried) costs no allocation: 50 a second per stream.
    if (this.#carry.length === 0 && data.length % this.bytesPerSample === 0) {
      this.#samples += data.length / this.bytesPerSample;
      return data;
    }
    let bytes = data;
    if (this.#carry.length > 0) {
      bytes = new Uint8Array(this.#carry.length + data.length);
      bytes.set(this.#carry, 0);
      bytes.set(data, this.#carry.length);
    }
    const whole = bytes.length - (bytes.length % this.bytesPerSample);
    // A copy even when `data` is a Buffer (whose own `slice` is a view of the socket's memory).
    this.#carry = whole === bytes.length ? NO_BYTES : Uint8Array.prototype.slice.call(bytes, whole);
    this.#samples += whole / this.bytesPerSample;
    return bytes.subarray(0, whole);
  }
}

/** An error the session sends, independent of its wire shape. */
export interface SttError {
  status: number;
  code: string | null;
  title: string;
  message: string;
}

/** A 400 for a client frame the endpoint cannot read (the socket stays open). */
export function badInput(title: string, message: string): SttError {
  // No error_code is documented for bad input (§1.4, §11); the server's HTTP routes use the same one.
  return { status: 400, code: "invalid_request", title, message };
}

interface ArmedFault {
  fault: Fault;
  fired: boolean;
}

/** Options of a session's output helper. */
export interface SessionOptions {
  endpoint: SttEndpoint;
  scenario: Scenario;
  version: string;
  requestId: string;
  /** 1-based ordinal of this connection among the scenario's connections (fault `connections` gate). */
  connection: number;
}

/**
 * Collects a core's outputs in order and runs the scenario's faults. Once a close or drop is queued
 * the session is `finished` and every later send is ignored.
 */
export class SttSession {
  readonly requestId: string;
  readonly #shape: ReturnType<typeof shapesForVersion>["errors"];
  readonly #faults: ArmedFault[];
  readonly #counts = new Map<string, number>();
  #out: CoreOutput[] = [];
  /** Outputs held back by a stall until its timer fires. */
  #held: CoreOutput[] | undefined;
  #finished = false;
  #clientMessages = 0;

  constructor(options: SessionOptions) {
    this.requestId = options.requestId;
    // The version's shape, but structured on the turns endpoint whatever the version.
    this.#shape = errorShapeOf(options.endpoint, options.version);
    this.#faults = options.scenario.faults
      .filter((f) => f.endpoints === undefined || f.endpoints.includes(options.endpoint))
      .filter((f) => f.connections === undefined || options.connection <= f.connections)
      .map((fault) => ({ fault, fired: false }));
  }

  /** True once a close or drop is queued: the core ignores everything after. */
  get finished(): boolean {
    return this.#finished;
  }

  /** Returns and clears the outputs queued so far. */
  take(): CoreOutput[] {
    // Most audio frames produce nothing: no new array for them.
    if (this.#out.length === 0) return NO_OUTPUTS;
    const out = this.#out;
    this.#out = [];
    return out;
  }

  #emit(output: CoreOutput): void {
    (this.#held ?? this.#out).push(output);
  }

  /**
   * Sends a server message (JSON). `countAs` names extra event types it counts as for `event`
   * triggers (stt-v1 counts `transcript.final` / `transcript.interim` besides `transcript`).
   */
  send(message: { readonly type: string; readonly [field: string]: unknown }, options: { delayMs?: number; countAs?: string[] } = {}): void {
    if (this.#finished) return;
    const data = JSON.stringify(message);
    this.#emit(options.delayMs ? { kind: "send", data, delayMs: options.delayMs } : { kind: "send", data });
    for (const type of [message.type, ...(options.countAs ?? [])]) {
      const n = this.#counts.get(type) ?? 0;
      this.#counts.set(type, n + 1);
      for (const armed of this.#faults) {
        const at = armed.fault.at;
        if (!armed.fired && "event" in at && at.event === type && at.index === n) this.#fire(armed);
      }
    }
  }

  /** Sends an `error` event in the session's shape (§1.4; `errorShapeOf`). */
  sendError(error: SttError): void {
    this.send(toErrorEvent({ ...error, requestId: this.requestId }, "stt", this.#shape) as { type: "error" });
  }

  /** Queues a close (after everything before it) and finishes the session. */
  close(code: number, reason: string, delayMs?: number): void {
    if (this.#finished) return;
    this.#emit(delayMs ? { kind: "close", code, reason, delayMs } : { kind: "close", code, reason });
    this.#finished = true;
  }

  /** Cuts the connection without a close frame (after everything before it) and finishes the session. */
  drop(delayMs?: number): void {
    if (this.#finished) return;
    this.#emit(delayMs ? { kind: "drop", delayMs } : { kind: "drop" });
    this.#finished = true;
  }

  /** Queues a warning for the journal (`note` output); sends nothing. */
  note(rule: string, message: string): void {
    this.#out.push({ kind: "note", rule, message });
  }

  /** Counts one client frame; fires the faults triggered by it (call after handling the frame). */
  clientMessageDone(): void {
    const n = this.#clientMessages;
    this.#clientMessages += 1;
    for (const armed of this.#faults) {
      const at = armed.fault.at;
      if (!armed.fired && "message" in at && at.message === n) this.#fire(armed);
    }
  }

  /** The earliest audio position at which an unfired audio-triggered fault fires. */
  nextAudioFault(): number | undefined {
    let best: number | undefined;
    for (const armed of this.#faults) {
      const at = armed.fault.at;
      if (!armed.fired && "audio" in at && (best === undefined || at.audio < best)) best = at.audio;
    }
    return best;
  }

  /** Fires the unfired audio-triggered faults due at `seconds` of audio, in scenario order. */
  fireAudioFaults(seconds: number): void {
    for (const armed of this.#faults) {
      const at = armed.fault.at;
      if (!armed.fired && "audio" in at && at.audio <= seconds) this.#fire(armed);
    }
  }

  /** A `tick`: the stall timer is due, so the held outputs go out. */
  tick(): void {
    if (!this.#held) return;
    const held = this.#held;
    this.#held = undefined;
    this.#out.push(...held);
  }

  #fire(armed: ArmedFault): void {
    armed.fired = true;
    if (this.#finished) return;
    const action = armed.fault.action;
    switch (action.type) {
      case "error":
        this.sendError({ status: action.status, code: action.code, title: action.title, message: action.message });
        if (action.fatal) this.close(fatalCloseCode(action.status), action.title);
        return;
      case "close":
        this.close(action.code, action.reason);
        return;
      case "drop":
        this.#emit({ kind: "drop" });
        this.#finished = true;
        return;
      case "stall":
        // The server goes quiet: outputs wait for the timer (audio keeps advancing the clock meanwhile).
        // The timer request itself is not held, and a second stall restarts it.
        this.#out.push({ kind: "timer", afterMs: Math.round(action.seconds * 1000) });
        this.#held ??= [];
        return;
    }
  }
}

/**
 * The audio path both STT cores share: the clock advances, then `release` sends what is due — at the
 * audio position (audio timing) or at each detector frame's end (VAD timing, so chunking cannot change
 * a decision).
 */
export function audioFeeder(
  clock: AudioClock,
  vad: { detector: EnergyDetector; tracker: SpeechTracker } | undefined,
  session: SttSession,
  release: (seconds: number) => void,
): (data: Uint8Array) => void {
  return (data) => {
    const whole = clock.push(data);
    if (!vad) {
      release(clock.seconds);
      return;
    }
    for (const frame of vad.detector.push(whole)) {
      if (session.finished) return;
      vad.tracker.push(frame);
      release(frame.end);
    }
  };
}

/** What both STT cores are built from: the parsed handshake query `Q` and the session around it. */
export interface SttCoreOptions<Q> {
  /** The parsed handshake query. */
  query: Q;
  /** The session's `Cartesia-Version` (error shapes, §1.4). */
  version: string;
  /** The connection's request id, the same on every message (§2.3, §3.3). */
  requestId: string;
  scenario: Scenario;
  /** Seeds the latency draws. */
  seed: number;
  /** 1-based ordinal of this connection among the scenario's connections (fault `connections` gate). */
  connection: number;
  /** Energy detector settings for `timing: vad` (ink-whisper's `min_volume` sets the threshold when given). */
  vad?: VadOptions;
}

/** What an STT core is made of: its clock and session, its handlers, and how its lists are read. */
export interface SttCoreParts {
  clock: AudioClock;
  session: SttSession;
  onAudio: (data: Uint8Array) => void;
  onText: (text: string) => void;
  /** Queues what the server sends when the connection opens (turns: `connected`; v1: nothing). */
  onOpen?: () => void;
  /** The session's keyterms and language hints now. */
  lists: () => SttLists;
}

/**
 * An STT core (both endpoints): a class, so that every session's core is a fast object whose
 * getters V8 reads inline on each audio frame (an object literal with getters was a hash table, a
 * dictionary lookup per read and about 0.4 KiB per session).
 */
export class SttCore implements SessionCore {
  readonly #clock: AudioClock;
  readonly #session: SttSession;
  readonly #onAudio: (data: Uint8Array) => void;
  readonly #onText: (text: string) => void;
  readonly #onOpen: (() => void) | undefined;
  readonly #lists: () => SttLists;

  constructor(parts: SttCoreParts) {
    this.#clock = parts.clock;
    this.#session = parts.session;
    this.#onAudio = parts.onAudio;
    this.#onText = parts.onText;
    this.#onOpen = parts.onOpen;
    this.#lists = parts.lists;
  }

  /** Seconds of audio received (whole samples). */
  get audioSeconds(): number {
    return this.#clock.seconds;
  }

  /** The session's keyterms and language hints, after the handshake and any `config`. */
  get lists(): SttLists {
    return this.#lists();
  }

  open(): CoreOutput[] {
    this.#onOpen?.();
    return this.#session.take();
  }

  step(input: CoreInput): CoreOutput[] {
    return stepSession(this.#session, input, this.#onAudio, this.#onText);
  }
}

/**
 * One input through an STT core: ticks release stalled output; after the session ended nothing
 * happens; otherwise audio or text is handled and message-counted faults get their turn.
 */
export function stepSession(session: SttSession, input: CoreInput, onAudio: (data: Uint8Array) => void, onText: (text: string) => void): CoreOutput[] {
  if (input.kind === "tick") {
    session.tick();
    return session.take();
  }
  // STT never says `more`: a pull has nothing to take.
  if (session.finished || input.kind === "pull") return [];
  if (input.kind === "audio") onAudio(input.data);
  else onText(input.data);
  if (!session.finished) session.clientMessageDone();
  return session.take();
}
