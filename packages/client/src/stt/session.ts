/**
 * What both STT sockets share: the connection (with reconnects), the replay log, whole-sample
 * framing, keep-alive silence, the `config` command, the debug linter, the event queue, and closing
 * with a drain.
 *
 * Framing: audio goes out in frames of whole samples. A trailing partial sample waits for the next
 * `send` (and goes out before `close`), so every byte reaches the server in order and every
 * boundary the server can confirm falls between samples — a replay never shifts the sample grid.
 */
import type { GrammarEndpoint, ParseFailure, Result } from "@speechwire/protocol";
import type { ClientConfig } from "../config.js";
import { liveLinter, prepareDebug, type LiveLinter } from "../debug.js";
import { CartesiaApiError, ConnectionError, SpeechwireError } from "../errors.js";
import type { CloseEvent, CommonEvent } from "../events.js";
import { ManagedSocket, resolveReconnect, type ReconnectOptions } from "../transport/reconnecting.js";
import { connectWebSocket, type QueryAuth, type Socket } from "../transport/websocket.js";
import { abortReason } from "../util/abort.js";
import { asBytes, concatBytes, type BinaryInput } from "../util/bytes.js";
import { deferred, drainWithin, quiet, unref, type Timer } from "../util/promise.js";
import { AsyncQueue } from "../util/queue.js";
import { silence, type AudioFormat } from "./audio.js";
import { configFrame, configProblem, isConfigFrame, mergeConfig, type SttConfig } from "./config.js";
import { ReplayLog, type LogEntry } from "./replay.js";

/** Keep-alive settings: silence goes out when no audio was sent for `intervalMs`. */
export interface KeepAliveOptions {
  /** Send silence after this long without audio. Default 10 000 ms (well inside the 20 s–3 min idle limits, PROTOCOL.md §1.6). */
  intervalMs?: number;
  /** Length of each silence frame. Default 100 ms. */
  silenceMs?: number;
}

/** Options both STT sockets take. */
export interface SttSessionOptions {
  /** Aborts the session: the connection is cut and pending operations reject with the abort reason. */
  signal?: AbortSignal;
  /** Reconnect after an unexpected close and replay the audio the server has not confirmed. Default off. */
  reconnect?: boolean | ReconnectOptions;
  /** Send silence when no audio was sent for a while, so the idle timeout does not close the session. Default off. */
  keepAlive?: boolean | KeepAliveOptions;
  /** Most unconfirmed audio kept for a replay (bytes). Default 32 MiB. */
  maxReplayBytes?: number;
  /** How long `close()` waits for the server to drain. Default 10 000 ms. */
  drainTimeoutMs?: number;
  /** Handshake time limit. Default 10 000 ms. */
  handshakeTimeoutMs?: number;
}

const EMPTY = new Uint8Array(0);
const now = () => Date.now();

/** Base class of `SttStream` and `TurnsSession`. */
export abstract class SttSocketSession<E extends { type: string }, M extends { type: string } = { type: string }> implements AsyncIterable<E | CommonEvent> {
  protected readonly events = new AsyncQueue<E | CommonEvent>();
  protected readonly log: ReplayLog;
  /** Stream offset (bytes) at which the current connection's audio starts. */
  protected connectionOffset = 0;
  /** The last API error on the current connection (a 4xx one the server closed after stops reconnects). */
  protected lastApiError: CartesiaApiError | undefined;
  /** Time the user last sent audio, and that frame's size (the turns watchdog uses them). */
  protected lastUserAudioAt = now();
  protected lastUserFrameBytes = 0;
  readonly #socket: ManagedSocket;
  readonly #ready = deferred<void>();
  readonly #ended = deferred<CloseEvent>();
  readonly #linter: LiveLinter | undefined;
  readonly #keepAlive: Required<KeepAliveOptions> | undefined;
  readonly #drainTimeoutMs: number;
  #keepAliveTimer: Timer | undefined;
  #carry: Uint8Array = EMPTY;
  #closing = false;
  #over = false;
  #overEvent: CloseEvent | undefined;
  #lastAudioAt = now();
  #requestId: string | undefined;
  #lostReported = 0;
  /** Every `config` so far, merged: re-sent whole on a new connection, before the replay. */
  #config: SttConfig = {};
  /** (time, stream offset sent) pairs of the last few seconds, oldest first. */
  #sent: number[] = [];
  /**
   * The pacing anchor: the time the connection opened, and the furthest stream offset any earlier
   * connection had sent. A replay up to it is not pacing; audio past it (sent while connecting, or
   * queued before the first connection opened) is, so a burst never passes for real-time streaming.
   */
  #anchorAt = 0;
  #anchorOffset = 0;
  /** The furthest stream offset sent on any connection so far. */
  #sentHighWater = 0;

  constructor(
    protected readonly clientConfig: ClientConfig,
    endpoint: GrammarEndpoint,
    path: string,
    query: (auth: QueryAuth) => string,
    protected readonly format: AudioFormat,
    options: SttSessionOptions,
  ) {
    // Encoding the parameters checks them (a `TypeError` naming the field): a bad one throws here, not at connect.
    query({});
    const reconnect = resolveReconnect(options.reconnect);
    this.log = new ReplayLog(reconnect !== undefined, options.maxReplayBytes ?? 32 * 1024 * 1024);
    this.#drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
    const ka = options.keepAlive === true ? {} : options.keepAlive || undefined;
    this.#keepAlive = ka ? { intervalMs: ka.intervalMs ?? 10_000, silenceMs: ka.silenceMs ?? 100 } : undefined;
    this.#linter = liveLinter(clientConfig, endpoint, (violation) => this.events.push({ type: "violation", violation }));
    const timeoutMs = options.handshakeTimeoutMs ?? 10_000;
    this.#socket = new ManagedSocket(
      (signal) => prepareDebug(clientConfig).then(() => connectWebSocket(clientConfig, { path, query, signal, timeoutMs })),
      reconnect,
      {
        open: (socket, info) => this.#onOpen(socket, info),
        message: (data) => {
          this.#linter?.server(data);
          this.handleFrame(data);
        },
        connectionClosed: (code, reason) => {
          this.#linter?.close("server", code, reason);
          this.#linter?.end();
        },
        reconnecting: (info) => {
          this.#clearKeepAlive();
          this.onConnectionLost();
          this.events.push({ type: "reconnecting", ...info });
        },
        // A 4xx error the server closed the socket after ends the session; a connection lost without a
        // close frame (1006) after one was ended by the drop, not by the error (e.g. a refused `config`).
        canReconnect: (code) => !this.isComplete(false) && !(this.lastApiError && this.lastApiError.status < 500 && code !== 1006),
        end: (info) => this.#onEnd(info),
      },
      options.signal,
    );
    // Start after the subclass constructor has run (its fields exist before any handler fires).
    queueMicrotask(() => this.#socket.start());
  }

  /** The current connection's request id (from the upgrade response, or the first message that carries one). */
  get requestId(): string | undefined {
    return this.#requestId;
  }

  /** Resolves once the first connection is open; rejects if it cannot be opened (e.g. a 401 `CartesiaApiError`). */
  get ready(): Promise<void> {
    return this.#ready.promise;
  }

  /** Resolves with the last event once the session is over (never rejects). */
  get ended(): Promise<CloseEvent> {
    return this.#ended.promise;
  }

  /** Whether `close()` was called (no more audio is accepted). */
  get closing(): boolean {
    return this.#closing;
  }

  /** The close event once the session is over, else undefined. */
  protected get over(): CloseEvent | undefined {
    return this.#overEvent;
  }

  /** Events in order; the iteration ends after the `close` event. */
  [Symbol.asyncIterator](): AsyncIterator<E | CommonEvent> {
    return this.events;
  }

  /**
   * Sends audio in the session's encoding (any chunk size; frames go out as whole samples).
   * Returns false once the session is closing or over (the audio is not taken).
   */
  send(audio: BinaryInput): boolean {
    if (this.#closing || this.#over) return false;
    let bytes = asBytes(audio);
    if (bytes.byteLength === 0) return true;
    let owned = false;
    if (this.#carry.byteLength > 0) {
      bytes = concatBytes([this.#carry, bytes]);
      owned = true;
    }
    const whole = bytes.byteLength - (bytes.byteLength % this.format.bytesPerSample);
    this.#carry = whole === bytes.byteLength ? EMPTY : bytes.slice(whole);
    if (whole === 0) return true;
    const frame = bytes.subarray(0, whole);
    this.lastUserAudioAt = now();
    this.lastUserFrameBytes = whole;
    // A frame the log keeps past this call (for a replay, or until the socket opens) must not be a
    // view of the caller's memory, which it may reuse; one sent at once needs no copy (`ws` and
    // browsers copy what they send).
    const sentNow = !this.log.keep && this.connected;
    this.pushAudio(owned || sentNow ? frame : frame.slice(), true);
    return true;
  }

  /** Cuts the connection now; pending operations reject with `reason`. */
  abort(reason?: Error): void {
    this.#socket.terminate(reason ?? new SpeechwireError("aborted"));
  }

  /** Appends audio to the log and sends it when the connection is open. */
  protected pushAudio(data: Uint8Array, _fromUser: boolean): void {
    this.#lastAudioAt = now();
    this.log.appendAudio(data);
    this.#flush();
  }

  /** Injects silence (keep-alive, watchdog) when the stream is at a sample boundary and the connection open. */
  protected injectSilence(ms: number): boolean {
    if (this.#closing || this.#over || this.#carry.byteLength > 0 || !this.#socket.socket) return false;
    this.pushAudio(silence(this.format, ms), false);
    return true;
  }

  /**
   * Sends a `config` command after checking it (throws a `SpeechwireError` naming the field), and
   * merges it into the session's configuration, which a new connection gets before the replay: the
   * server's state died with the old one, and the handshake only carries the initial lists.
   */
  protected sendConfig(config: SttConfig): void {
    const problem = configProblem(config);
    if (problem) throw new SpeechwireError(`config: ${problem}`);
    if (this.#closing || this.#over) throw new SpeechwireError(`config() after ${this.#closing ? "close()" : "the session ended"}`);
    this.#config = mergeConfig(this.#config, config);
    this.sendCommand(configFrame(config));
  }

  /** Appends a text command to the log (after all audio before it) and sends it when open. */
  protected sendCommand(frame: string): LogEntry {
    const entry = this.log.appendCommand(frame);
    this.#flush();
    return entry;
  }

  /** Whether the connection is open now. */
  protected get connected(): boolean {
    return this.#socket.socket !== undefined;
  }

  /**
   * The server confirmed the stream up to `offset`: the log forgets it (and the `config` commands
   * sent, which the merged configuration replaces), and the reconnect budget starts over.
   */
  protected confirm(offset: number, dropCommand?: (entry: LogEntry) => boolean): void {
    this.log.confirm(offset, (e) => (e.kind === "command" && isConfigFrame(e.frame)) || (dropCommand?.(e) ?? false));
    this.#socket.progress();
  }

  /** Records the request id a message carries (browsers cannot read the upgrade headers). */
  protected noteRequestId(id: string | undefined): void {
    if (id && !this.#requestId) this.#requestId = id;
  }

  /** Surfaces a frame that did not parse. */
  protected unknown(data: string | Uint8Array, failure: ParseFailure): void {
    this.events.push({ type: "unknown", data, reason: failure.reason, message: failure.message });
  }

  /** Surfaces an API error event. */
  protected apiError(event: Parameters<typeof CartesiaApiError.fromEvent>[0]): CartesiaApiError {
    const error = CartesiaApiError.fromEvent(event);
    this.lastApiError = error;
    this.events.push({ type: "error", error });
    return error;
  }

  /**
   * Sends the end-of-stream command (after the pending partial sample, if any) and waits for the
   * session to end. Resolves with the close event; never rejects.
   */
  protected drain(frame: string, options: { signal?: AbortSignal | undefined; timeoutMs?: number | undefined } = {}): Promise<CloseEvent> {
    if (!this.#closing && !this.#over) {
      this.#closing = true;
      this.#clearKeepAlive();
      if (this.#carry.byteLength > 0) {
        // A trailing partial sample is still part of what was sent: it goes out last.
        const carry = this.#carry;
        this.#carry = EMPTY;
        this.pushAudio(carry, true);
      }
      this.sendCommand(frame);
      this.onClosing();
    }
    return drainWithin(this.#ended.promise, options.timeoutMs ?? this.#drainTimeoutMs, options.signal, "after close, the server", (reason) => this.#socket.terminate(reason));
  }

  /** Reads one server frame: parsed with the endpoint's schemas, surfaced as `unknown` if it does not parse. */
  private handleFrame(data: string | Uint8Array): void {
    const parsed = this.parseMessage(data);
    if (!parsed.ok) {
      this.unknown(data, parsed.error);
      return;
    }
    if ("request_id" in parsed.value) this.noteRequestId(parsed.value.request_id as string | undefined);
    // The connection went on after an error event (e.g. a refused `config`): that error did not end
    // it, so it neither blocks a later reconnect nor becomes the reason of a later close.
    if (parsed.value.type !== "error") this.lastApiError = undefined;
    this.handleMessage(parsed.value);
  }

  /** Parses a server frame with the endpoint's lenient schemas (at the client's version). */
  protected abstract parseMessage(data: string | Uint8Array): Result<M>;
  /** Handles one parsed server message. */
  protected abstract handleMessage(message: M): void;
  /** Whether the session reached its protocol end (v1: `done`; turns: drained after close). */
  protected abstract isComplete(clean: boolean): boolean;
  /** The connection was lost and a reconnect is coming: per-connection state resets. */
  protected onConnectionLost(): void {}
  /** `close()` was called. */
  protected onClosing(): void {}
  /** The session is over; `error` is why, when it did not complete. */
  protected onEnd(_error: Error | undefined): void {}

  #transmit = (frame: string | Uint8Array): boolean => {
    if (!this.#socket.send(frame)) return false;
    this.#linter?.client(frame);
    return true;
  };

  #flush(): void {
    if (!this.#socket.socket) return;
    this.log.flush(this.#transmit);
    this.#noteSent();
  }

  /** Records how far the stream had been sent, and when (kept for a few seconds). */
  #noteSent(): void {
    const t = now();
    const offset = this.log.sentOffset;
    if (offset > this.#sentHighWater) this.#sentHighWater = offset;
    const h = this.#sent;
    if (h.length >= 2 && t - (h[h.length - 2] as number) < 10) h[h.length - 1] = offset;
    else h.push(t, offset);
    // Keep one pair older than 5 s, drop the rest of the old ones.
    let cut = 0;
    while (cut + 2 < h.length && t - (h[cut + 2] as number) > 5000) cut += 2;
    if (cut > 0) this.#sent = h.slice(cut);
  }

  /** The stream offset that had been sent at `time` (undefined if this connection had not sent anything by then). */
  protected offsetSentAt(time: number): number | undefined {
    const h = this.#sent;
    let found: number | undefined;
    for (let i = 0; i < h.length; i += 2) {
      if ((h[i] as number) > time) break;
      found = h[i + 1];
    }
    return found;
  }

  /**
   * How far the audio sent since this connection opened (a replay of what earlier connections had
   * sent not counted) runs ahead of real time, ms: ≤ 0 when the caller streams in real time, large
   * when it sends faster — also when the audio was queued while the connection was opening.
   */
  protected aheadOfRealTimeMs(): number {
    return ((this.log.sentOffset - this.#anchorOffset) / this.format.byteRate) * 1000 - (now() - this.#anchorAt);
  }

  #onOpen(socket: Socket, info: { attempt: number; reconnect: boolean }): void {
    if (socket.requestId) this.#requestId = socket.requestId;
    else if (info.reconnect) this.#requestId = undefined;
    this.#linter?.connection();
    this.lastApiError = undefined;
    this.#sent = [];
    let replayed = 0;
    if (info.reconnect) {
      replayed = this.log.rewind();
      this.connectionOffset = this.log.base;
    }
    if (info.reconnect && Object.keys(this.#config).length > 0) this.#transmit(configFrame(this.#config));
    this.#anchorOffset = this.#sentHighWater;
    this.#flush();
    this.#anchorAt = now();
    if (info.reconnect) {
      const lostBytes = this.log.lost - this.#lostReported;
      this.#lostReported = this.log.lost;
      this.events.push({ type: "reconnected", attempt: info.attempt, requestId: this.#requestId, fromByte: this.connectionOffset, replayedBytes: replayed, lostBytes });
    }
    this.#ready.resolve();
    this.#armKeepAlive();
  }

  #onEnd(info: { code: number; reason: string; error?: Error; clean: boolean }): void {
    this.#over = true;
    this.#clearKeepAlive();
    this.#linter?.end();
    let error = info.error;
    if (!error && !this.isComplete(info.clean)) {
      error = this.lastApiError ?? new ConnectionError(`connection closed before the session finished (${info.code}${info.reason ? ` ${info.reason}` : ""})`, { closeCode: info.code, reason: info.reason });
    }
    const event: CloseEvent = { type: "close", code: info.code, reason: info.reason, ...(error ? { error } : {}) };
    this.onEnd(error);
    // A failure the stream has not reported yet (refused handshake, drop, timeout, abort) is an `error` event too.
    if (error && error !== this.lastApiError) this.events.push({ type: "error", error });
    this.events.push(event);
    this.events.end();
    this.#ready.reject(error ?? new ConnectionError("closed"));
    this.log.clear();
    this.#overEvent = event;
    this.#ended.resolve(event);
  }

  #armKeepAlive(): void {
    const ka = this.#keepAlive;
    if (!ka || this.#closing || this.#over) return;
    this.#clearKeepAlive();
    const wait = Math.max(0, this.#lastAudioAt + ka.intervalMs - now());
    this.#keepAliveTimer = unref(
      setTimeout(() => {
        this.#keepAliveTimer = undefined;
        // Mid-sample (a partial sample is waiting) nothing can be inserted: try again an interval later.
        if (now() - this.#lastAudioAt >= ka.intervalMs && !this.injectSilence(ka.silenceMs)) this.#lastAudioAt = now();
        if (this.connected) this.#armKeepAlive();
      }, wait),
    );
  }

  #clearKeepAlive(): void {
    clearTimeout(this.#keepAliveTimer);
    this.#keepAliveTimer = undefined;
  }
}

/** A rejected promise marked handled (for methods called on a finished session). */
export function rejected<T>(error: Error): Promise<T> {
  return quiet(Promise.reject(error));
}

/** The abort reason of a signal that has already fired, else undefined. */
export function alreadyAborted(signal: AbortSignal | undefined): Error | undefined {
  return signal?.aborted ? abortReason(signal) : undefined;
}
