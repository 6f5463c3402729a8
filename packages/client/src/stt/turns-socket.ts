/**
 * `/stt/turns/websocket` as the API has it, and no more (PROTOCOL.md §3): one connection, the turn
 * events, audio out in whole samples, `configure`, and `close()` that drains. What `TurnsSession`
 * (`@speechwire/client/turns`) adds on top is left out — reconnect and replay, keep-alive, the
 * stalled-audio watchdog, the speculation helper, the debug linter — so that a browser app that needs
 * only the socket bundles only the socket and the reader. The events, and how they are read, are the
 * session's (`turn-events.ts`): for the same audio both give the same turn events.
 */
import { encodeQuery, PATHS, readSttTurnsMessage } from "@speechwire/protocol/reader";
import type { ClientConfig } from "../config.js";
import { CartesiaApiError, ConnectionError, SpeechwireError } from "../errors.js";
import type { CloseEvent, ErrorEvent, UnknownEvent } from "../events.js";
import { connectWebSocket, type QueryAuth, type Socket } from "../transport/websocket.js";
import { onAbort } from "../util/abort.js";
import { asBytes, concatBytes, type BinaryInput } from "../util/bytes.js";
import { deferred, drainWithin, quiet } from "../util/promise.js";
import { AsyncQueue } from "../util/queue.js";
import { audioFormat } from "./audio.js";
import { checkListParams, configFrame, configProblem, type SttConfig } from "./config.js";
import { turnEvent, type TurnMessageEvent, type TurnsParams } from "./turn-events.js";

/** Options of `openTurnsSocket`. */
export interface TurnsSocketOptions {
  /** Aborts the socket: the connection is cut and pending operations reject with the abort reason. */
  signal?: AbortSignal;
  /** Handshake time limit. Default 10 000 ms. */
  handshakeTimeoutMs?: number;
  /** How long `close()` waits for the server to drain. Default 10 000 ms. */
  drainTimeoutMs?: number;
}

/** Every event of a turns socket: the turn events, errors, frames it could not read, and the close. */
export type TurnsSocketEvent = TurnMessageEvent | ErrorEvent | UnknownEvent | CloseEvent;

const EMPTY = new Uint8Array(0);

/** One `/stt/turns/websocket` connection; see the module comment. Connects at once. */
export class TurnsSocket implements AsyncIterable<TurnsSocketEvent> {
  readonly #events = new AsyncQueue<TurnsSocketEvent>();
  readonly #ready = deferred<void>();
  readonly #ended = deferred<CloseEvent>();
  readonly #transcripts: string[] = [];
  readonly #bytesPerSample: number;
  readonly #drainTimeoutMs: number;
  readonly #detachAbort: () => void;
  #socket: Socket | undefined;
  /** Frames queued before the connection opened, sent in order once it does. */
  #queued: (string | Uint8Array)[] = [];
  /** The bytes of a partial last sample, sent with the next audio (or before `close`). */
  #carry: Uint8Array = EMPTY;
  #closing = false;
  #over: CloseEvent | undefined;
  #requestId: string | undefined;
  /** The last API error; one the server closed the connection after is the close's reason. */
  #lastApiError: CartesiaApiError | undefined;
  #closePromise: Promise<string> | undefined;

  /** Use `openTurnsSocket(client, params, options)`. A bad parameter throws here (a `TypeError` naming it). */
  constructor(config: ClientConfig, params: TurnsParams, options: TurnsSocketOptions = {}) {
    // Said plainly rather than ignored: the linter is what this socket leaves out.
    if (config.debug) throw new SpeechwireError("openTurnsSocket has no debug linter: use createTurns for `debug`");
    const query = (auth: QueryAuth) => encodeQuery("sttTurns", { ...checkListParams(params), ...auth });
    query({});
    this.#bytesPerSample = audioFormat(params.encoding, params.sample_rate).bytesPerSample;
    this.#drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
    const { signal } = options;
    this.#detachAbort = onAbort(signal, (reason) => this.#end(1006, "aborted", reason));
    if (this.#over) return;
    connectWebSocket(config, { path: PATHS.sttTurns, query, signal, timeoutMs: options.handshakeTimeoutMs ?? 10_000 }).then(
      (socket) => this.#onOpen(socket),
      (error: Error) => this.#end(1006, error.message, error),
    );
  }

  /** The connection's request id (from the upgrade response, or the first message that carries one). */
  get requestId(): string | undefined {
    return this.#requestId;
  }

  /** Resolves once the connection is open; rejects if it cannot be opened (e.g. a 401 `CartesiaApiError`). */
  get ready(): Promise<void> {
    return this.#ready.promise;
  }

  /** Resolves with the `close` event once the socket is over (never rejects). */
  get ended(): Promise<CloseEvent> {
    return this.#ended.promise;
  }

  /** Every `turn.end` transcript so far, in order. */
  get transcripts(): readonly string[] {
    return this.#transcripts;
  }

  /** Events in order; the iteration ends after the `close` event. */
  [Symbol.asyncIterator](): AsyncIterator<TurnsSocketEvent> {
    return this.#events;
  }

  /**
   * Sends audio in the handshake's encoding (any chunk size; frames go out as whole samples, queued
   * until the connection opens). Returns false once closing or over (the audio is not taken).
   */
  send(audio: BinaryInput): boolean {
    if (this.#closing || this.#over) return false;
    let bytes = asBytes(audio);
    if (this.#carry.byteLength > 0) bytes = concatBytes([this.#carry, bytes]);
    const whole = bytes.byteLength - (bytes.byteLength % this.#bytesPerSample);
    this.#carry = whole === bytes.byteLength ? EMPTY : bytes.slice(whole);
    // A queued frame must not be a view of the caller's memory, which it may reuse (a sent one is copied by the socket).
    if (whole > 0) this.#transmit(this.#socket ? bytes.subarray(0, whole) : bytes.slice(0, whole));
    return true;
  }

  /**
   * Sends `{"type":"config", turn?, keyterms?, language_hints?}` after checking it (a `SpeechwireError`
   * naming the field); the server answers a value it refuses with an `error` event and goes on.
   */
  configure(config: SttConfig): void {
    const problem = configProblem(config);
    if (problem) throw new SpeechwireError(`config: ${problem}`);
    if (this.#closing || this.#over) throw new SpeechwireError(`configure() after ${this.#closing ? "close()" : "the socket ended"}`);
    this.#transmit(configFrame(config));
  }

  /**
   * Sends `{"type":"close"}` (after a pending partial sample), waits for the server to send what is
   * left and close, and resolves with every `turn.end` transcript concatenated verbatim; rejects with
   * the reason when the socket did not end that way (a `TimeoutError` after `timeoutMs`).
   */
  close(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<string> {
    if (!this.#closing && !this.#over) {
      this.#closing = true;
      if (this.#carry.byteLength > 0) this.#transmit(this.#carry);
      this.#carry = EMPTY;
      this.#transmit('{"type":"close"}');
    }
    this.#closePromise ??= quiet(
      this.#ended.promise.then((event) => {
        if (event.error) throw event.error;
        return this.#transcripts.join("");
      }),
    );
    return quiet(drainWithin(this.#closePromise, options.timeoutMs ?? this.#drainTimeoutMs, options.signal, "after close, the server", (reason) => this.abort(reason)));
  }

  /** Cuts the connection now; `close()` and `ready` reject with `reason`. */
  abort(reason?: Error): void {
    const socket = this.#socket;
    this.#end(1006, reason?.message ?? "aborted", reason ?? new SpeechwireError("aborted"));
    socket?.terminate();
  }

  #transmit(frame: string | Uint8Array): void {
    if (this.#socket) this.#socket.send(frame);
    else this.#queued.push(frame);
  }

  #onOpen(socket: Socket): void {
    if (this.#over) {
      socket.terminate();
      return;
    }
    this.#socket = socket;
    this.#requestId = socket.requestId;
    // Listening delivers what arrived with the upgrade; the queued frames follow, in order.
    socket.listen(
      (data) => this.#onFrame(data),
      (code, reason) => this.#end(code, reason),
    );
    for (const frame of this.#queued) socket.send(frame);
    this.#queued = [];
    this.#ready.resolve();
  }

  #onFrame(data: string | Uint8Array): void {
    if (this.#over) return;
    const parsed = readSttTurnsMessage(data);
    if (!parsed.ok) {
      this.#events.push({ type: "unknown", data, reason: parsed.error.reason, message: parsed.error.message });
      return;
    }
    const message = parsed.value;
    if ("request_id" in message && message.request_id && !this.#requestId) this.#requestId = message.request_id;
    if (message.type === "error") {
      this.#lastApiError = CartesiaApiError.fromEvent(message);
      this.#events.push({ type: "error", error: this.#lastApiError });
      return;
    }
    // The connection went on after an error event (e.g. a refused `config`): that error did not end it.
    this.#lastApiError = undefined;
    if (message.type === "turn.end") this.#transcripts.push(message.transcript);
    this.#events.push(turnEvent(message, this.#requestId, 0));
  }

  /** The socket is over: a clean close after `close()` ends it well; anything else ends it with an error. */
  #end(code: number, reason: string, failure?: Error): void {
    if (this.#over) return;
    let error = failure;
    if (!error && !(this.#closing && (code === 1000 || code === 1005))) {
      error = this.#lastApiError ?? new ConnectionError(`connection closed before the session finished (${code}${reason ? ` ${reason}` : ""})`, { closeCode: code, reason });
    }
    const event: CloseEvent = { type: "close", code, reason, ...(error ? { error } : {}) };
    this.#over = event;
    this.#socket = undefined;
    this.#queued = [];
    this.#detachAbort?.();
    // A failure not reported yet (refused handshake, drop, timeout, abort) is an `error` event too.
    if (error && error !== this.#lastApiError) this.#events.push({ type: "error", error });
    this.#events.push(event);
    this.#events.end();
    this.#ready.reject(error ?? new ConnectionError("closed"));
    this.#ended.resolve(event);
  }
}
