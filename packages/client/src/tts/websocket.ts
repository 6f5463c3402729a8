/**
 * TTS over WebSocket, `/tts/websocket` (PROTOCOL.md §5): many contexts on one socket. Each context
 * has `push`, `flush` (resolves with its `flush_id`), `end` (resolves on `done`) and `cancel`, and
 * its own async iterator of decoded audio, timestamps and its end. Messages are routed by
 * `context_id`, so interleaved contexts never mix.
 *
 * The socket opens on the first send (or `connect()`). When it closes — the 5-minute idle timeout,
 * a drop — contexts still generating end with a `ConnectionError` (their server state is gone), and
 * the next send opens a new socket.
 */
import type { tts } from "@speechwire/protocol";
import { encodeQuery, PATHS, readTtsMessage } from "@speechwire/protocol/reader";
import type { ClientConfig } from "../config.js";
import type { LiveLinter, MakeLiveLinter } from "../debug.js";
import { ConnectionError, SpeechwireError } from "../errors.js";
import type { ErrorEvent, UnknownEvent, ViolationEvent } from "../events.js";
import { connectWebSocket, type Socket } from "../transport/websocket.js";
import { onAbort, withSignal } from "../util/abort.js";
import { deferred, drainWithin, quiet, type Deferred } from "../util/promise.js";
import { AsyncQueue } from "../util/queue.js";
import { toTtsEvent, unknownEvent, type TtsContextEvent, type TtsErrorEvent } from "./events.js";

/** The fields a context repeats on every input (the protocol's generation request, without the per-input ones). */
export type ContextOptions = Omit<tts.GenerationRequest, "transcript" | "context_id" | "continue" | "flush"> & {
  /** Default: a random UUID. */
  contextId?: string;
  /** Cancels the context when it fires. */
  signal?: AbortSignal;
};

/** Options of `client.tts.websocket`. */
export interface TtsWebSocketOptions {
  /** Closes the socket and fails every context when it fires. */
  signal?: AbortSignal;
  /** Handshake time limit. Default 10 000 ms. */
  handshakeTimeoutMs?: number;
}

/** A connection opened. */
export interface OpenEvent {
  type: "open";
  requestId: string | undefined;
}
/** The connection closed (the next send opens a new one, unless the session was closed). */
export interface DisconnectedEvent {
  type: "disconnected";
  code: number;
  reason: string;
}

/** Socket-level events: connections, errors and frames that belong to no context. */
export type TtsSocketEvent = OpenEvent | DisconnectedEvent | ErrorEvent | UnknownEvent | ViolationEvent;

type ContextState = "open" | "ending" | "finished";

/** What a context needs from its socket. */
interface ContextOwner {
  send(frame: string, context: TtsContext): void;
  forget(context: TtsContext): void;
}

/** One TTS context: a stream of text in, a stream of audio out. */
export class TtsContext implements AsyncIterable<TtsContextEvent> {
  readonly id: string;
  readonly #events = new AsyncQueue<TtsContextEvent>();
  readonly #fields: Omit<ContextOptions, "contextId" | "signal">;
  readonly #flushes: Deferred<number>[] = [];
  readonly #done = deferred<void>();
  #state: ContextState = "open";
  #started = false;
  #detachAbort: () => void = () => {};
  readonly #owner: ContextOwner;

  /** @internal Created by `TtsWebSocket.context`. */
  constructor(owner: ContextOwner, options: ContextOptions) {
    this.#owner = owner;
    const { contextId, signal, ...fields } = options;
    this.id = contextId ?? randomId();
    this.#fields = fields;
    this.#detachAbort = onAbort(signal, () => this.cancel());
  }

  /** `open` (taking text), `ending` (`end()` sent, output still coming) or `finished`. */
  get state(): ContextState {
    return this.#state;
  }

  /** Whether anything was sent on this context (the server knows it). */
  get started(): boolean {
    return this.#started;
  }

  /** Resolves on `done`; rejects when the context fails or is cancelled. */
  get done(): Promise<void> {
    return this.#done.promise;
  }

  /** The context's events in order; the iteration ends after `done`, `cancelled` or `error`. */
  [Symbol.asyncIterator](): AsyncIterator<TtsContextEvent> {
    return this.#events;
  }

  /** Sends text (`continue: true`). Pieces are concatenated verbatim, so keep the spaces. Throws after `end()`/`cancel()`. */
  push(text: string): void {
    this.#assertOpen("push");
    this.#send({ transcript: text, continue: true });
  }

  /** Flushes what was pushed; resolves with the `flush_id` of its `flush_done`. */
  flush(options: { signal?: AbortSignal } = {}): Promise<number> {
    this.#assertOpen("flush");
    const d = deferred<number>();
    this.#flushes.push(d);
    this.#send({ transcript: "", continue: true, flush: true });
    return quiet(withSignal(d.promise, options.signal));
  }

  /** Ends the input (`continue: false`); resolves when the server's `done` arrives. */
  end(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#state === "open") {
      this.#state = "ending";
      this.#send({ transcript: "", continue: false });
    }
    return quiet(withSignal(this.#done.promise, options.signal));
  }

  /** Cancels the context: the server stops what has not started; the iterator ends with `cancelled`. */
  cancel(): void {
    if (this.#state === "finished") return;
    if (this.#started) this.#owner.send(JSON.stringify({ context_id: this.id, cancel: true } satisfies tts.Cancel), this);
    this.#events.push({ type: "cancelled" });
    this.#finish(new SpeechwireError(`context ${this.id} was cancelled`));
  }

  /** @internal A server message for this context. */
  receive(event: ReturnType<typeof toTtsEvent>): void {
    if (this.#state === "finished") return;
    this.#events.push(event);
    if (event.type === "flushDone") this.#flushes.shift()?.resolve(event.flushId);
    else if (event.type === "done") this.#finish(undefined);
    else if (event.type === "error") this.#finish(event.error);
  }

  /** @internal The socket went away or could not be opened. */
  fail(error: Error): void {
    if (this.#state === "finished") return;
    this.#events.push({ type: "error", error });
    this.#finish(error);
  }

  #send(input: { transcript: string; continue: boolean; flush?: boolean }): void {
    this.#started = true;
    const message = { ...this.#fields, context_id: this.id, ...input } as tts.GenerationRequest;
    this.#owner.send(JSON.stringify(message), this);
  }

  #assertOpen(what: string): void {
    if (this.#state !== "open") throw new SpeechwireError(`${what}() on context ${this.id} after ${this.#state === "ending" ? "end()" : "it finished"}`);
  }

  #finish(error: Error | undefined): void {
    this.#state = "finished";
    this.#detachAbort();
    this.#events.end();
    for (const f of this.#flushes.splice(0)) f.reject(error ?? new SpeechwireError(`context ${this.id} ended before its flush was acknowledged`));
    if (error) this.#done.reject(error);
    else this.#done.resolve();
    this.#owner.forget(this);
  }
}

/** A TTS WebSocket session: contexts multiplexed on one (re)opening socket. */
export class TtsWebSocket implements AsyncIterable<TtsSocketEvent> {
  readonly #events = new AsyncQueue<TtsSocketEvent>();
  readonly #contexts = new Map<string, TtsContext>();
  /** Ids of contexts that finished, so late messages for them are dropped quietly. */
  readonly #finished = new Set<string>();
  readonly #outbox: string[] = [];
  readonly #linter: LiveLinter | undefined;
  readonly #detachAbort: () => void;
  #socket: Socket | undefined;
  #connecting: Promise<Socket> | undefined;
  #connectAbort: AbortController | undefined;
  #closed = false;
  #requestId: string | undefined;
  #closePromise: Promise<void> | undefined;
  readonly #config: ClientConfig;
  readonly #options: TtsWebSocketOptions;

  /**
   * @internal Made by `createTtsWebSocket` / `client.tts.websocket` (with `liveLinter`, for `debug`) and
   * `openTtsSocket` (without: an app that never lints bundles no debug code).
   */
  constructor(config: ClientConfig, options: TtsWebSocketOptions = {}, makeLinter?: MakeLiveLinter) {
    this.#config = config;
    this.#options = options;
    this.#linter = makeLinter?.(config, "tts", (violation) => this.#events.push({ type: "violation", violation }));
    this.#detachAbort = onAbort(options.signal, (reason) => this.#shutdown(reason));
  }

  /** The current connection's request id (Node reads it from the upgrade response). */
  get requestId(): string | undefined {
    return this.#requestId;
  }

  /** Whether a connection is open now. */
  get connected(): boolean {
    return this.#socket !== undefined;
  }

  /** Socket-level events; the iteration ends when the session is closed. */
  [Symbol.asyncIterator](): AsyncIterator<TtsSocketEvent> {
    return this.#events;
  }

  /** A new context with the fields it repeats on every input (`model_id`, `voice`, `output_format`, …). */
  context(options: ContextOptions): TtsContext {
    if (this.#closed) throw new SpeechwireError("context() after close()");
    const id = options.contextId;
    if (id !== undefined && this.#contexts.has(id)) throw new SpeechwireError(`context id ${id} is in use`);
    const ctx = new TtsContext({ send: (frame, c) => this.#send(frame, c), forget: (c) => this.#forget(c) }, options);
    // A context whose signal had already fired is born cancelled.
    if (ctx.state !== "finished") {
      this.#contexts.set(ctx.id, ctx);
      this.#finished.delete(ctx.id);
    }
    return ctx;
  }

  /** Opens the connection now (it otherwise opens on the first send). Rejects with a typed error. */
  connect(): Promise<void> {
    return quiet(this.#closed ? Promise.reject(new SpeechwireError("connect() after close()")) : this.#ensureConnected().then(() => {}));
  }

  /** Waits for every started context to finish, then closes the socket (1000). */
  close(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<void> {
    let failure: Error | undefined;
    this.#closePromise ??= quiet(
      drainWithin(
        Promise.all([...this.#contexts.values()].filter((c) => c.started).map((c) => c.done.catch(() => {}))),
        options.timeoutMs ?? 30_000,
        options.signal,
        "contexts",
        // The time limit or the signal: every context fails with the reason, and so does close().
        (reason) => this.#shutdown((failure = reason)),
      ).then(() => {
        if (failure) throw failure;
        this.#shutdown(undefined);
      }),
    );
    return this.#closePromise;
  }

  #send(frame: string, context: TtsContext): void {
    if (this.#closed) {
      context.fail(new SpeechwireError("the TTS socket is closed"));
      return;
    }
    if (this.#socket?.isOpen) {
      this.#socket.send(frame);
      this.#linter?.client(frame);
      return;
    }
    this.#outbox.push(frame);
    void this.#ensureConnected().catch(() => {});
  }

  #forget(context: TtsContext): void {
    if (this.#contexts.get(context.id) !== context) return;
    this.#contexts.delete(context.id);
    this.#finished.add(context.id);
    if (this.#finished.size > 4096) this.#finished.delete(this.#finished.values().next().value as string);
  }

  #ensureConnected(): Promise<Socket> {
    if (this.#socket) return Promise.resolve(this.#socket);
    if (this.#connecting) return this.#connecting;
    const controller = new AbortController();
    this.#connectAbort = controller;
    const timeoutMs = this.#options.handshakeTimeoutMs ?? 10_000;
    // Debug mode loads its linter first (the plain socket has none, and so bundles no debug code).
    const connecting = Promise.resolve(this.#linter?.prepare())
      .then(() => connectWebSocket(this.#config, { path: PATHS.tts, query: (auth) => encodeQuery("tts", auth), signal: controller.signal, timeoutMs }))
      .then(
        (socket) => {
          this.#connecting = undefined;
          if (this.#closed) {
            socket.terminate();
            throw new SpeechwireError("the TTS socket is closed");
          }
          this.#attach(socket);
          return socket;
        },
        // Every step rejects with a typed error (a refused handshake's `CartesiaApiError`, a `ConnectionError`, an abort).
        (error: Error) => {
          this.#connecting = undefined;
          // Everything waiting for this connection fails with the reason; the next send tries again.
          this.#outbox.length = 0;
          this.#failContexts(error);
          if (!this.#closed) this.#events.push({ type: "error", error });
          throw error;
        },
      );
    this.#connecting = quiet(connecting);
    return this.#connecting;
  }

  #attach(socket: Socket): void {
    this.#socket = socket;
    this.#requestId = socket.requestId;
    this.#linter?.connection();
    this.#events.push({ type: "open", requestId: socket.requestId });
    for (const frame of this.#outbox.splice(0)) {
      socket.send(frame);
      this.#linter?.client(frame);
    }
    socket.listen(
      (data) => {
        this.#linter?.server(data);
        this.#onMessage(data);
      },
      (code, reason) => this.#onClose(socket, code, reason),
    );
  }

  #onMessage(data: string | Uint8Array): void {
    const parsed = readTtsMessage(data);
    if (!parsed.ok) {
      this.#events.push(unknownEvent(data, parsed.error));
      return;
    }
    const message = parsed.value;
    const id = message.context_id as string;
    const ctx = this.#contexts.get(id);
    if (ctx) ctx.receive(toTtsEvent(message));
    // An error for no open context is still news: it surfaces on the socket. Late audio for a finished
    // (cancelled, done) context is dropped; anything else is an unknown frame.
    else if (message.type === "error") this.#events.push(toTtsEvent(message) as TtsErrorEvent);
    else if (!this.#finished.has(id)) {
      this.#events.push({ type: "unknown", data, reason: "invalid_message", message: `message for unknown context ${JSON.stringify(id)}` });
    }
  }

  #onClose(socket: Socket, code: number, reason: string): void {
    if (this.#socket !== socket) return;
    this.#socket = undefined;
    this.#linter?.close("server", code, reason);
    this.#linter?.end();
    const error = new ConnectionError(`TTS socket closed (${code}${reason ? ` ${reason}` : ""})`, { closeCode: code, reason });
    this.#failContexts(error);
    if (!this.#closed) this.#events.push({ type: "disconnected", code, reason });
  }

  /** Fails the contexts the server knew (every context, with `all`): what they had there is gone. */
  #failContexts(error: Error, all = false): void {
    for (const ctx of [...this.#contexts.values()]) if (all || ctx.started) ctx.fail(error);
  }

  #shutdown(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#detachAbort();
    this.#connectAbort?.abort();
    const reason = error ?? new SpeechwireError("the TTS socket is closed");
    this.#failContexts(reason, true);
    const socket = this.#socket;
    this.#socket = undefined;
    this.#linter?.end();
    if (socket) {
      if (error) socket.terminate();
      else socket.close(1000, "");
    }
    this.#events.end();
  }
}

function randomId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  return `ctx-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * A TTS WebSocket session without the debug linter (`openTtsSocket`): refuses `debug` rather than
 * ignore it.
 */
export function plainTtsSocket(config: ClientConfig, options?: TtsWebSocketOptions): TtsWebSocket {
  if (config.debug) throw new SpeechwireError("openTtsSocket has no debug linter: use createTtsWebSocket for `debug`");
  return new TtsWebSocket(config, options);
}
