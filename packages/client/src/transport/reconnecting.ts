/**
 * A socket that can come back: it opens a connection, and when the connection closes unexpectedly
 * with a recoverable code it reconnects with exponential backoff and hands the new connection to
 * its owner (`open` with `reconnect: true`), which replays what the server has not provably
 * processed. It never replays anything itself: what "provably processed" means is the endpoint's.
 */
import { CartesiaApiError, ConnectionError } from "../errors.js";
import { abortReason } from "../util/abort.js";
import { unref, type Timer } from "../util/promise.js";
import type { Socket } from "./websocket.js";

/** Reconnect settings (`reconnect: true` takes the defaults). */
export interface ReconnectOptions {
  /** Consecutive attempts without progress before giving up. Default 5. */
  maxAttempts?: number;
  /** First delay; doubles per attempt, with ±20 % jitter. Default 100 ms. */
  initialDelayMs?: number;
  /** Longest delay. Default 3000 ms. */
  maxDelayMs?: number;
}

/** Resolved reconnect settings. */
export type ReconnectPolicy = Required<ReconnectOptions>;

/** Resolves `reconnect: boolean | ReconnectOptions` (off when absent or false). */
export function resolveReconnect(option: boolean | ReconnectOptions | undefined): ReconnectPolicy | undefined {
  if (!option) return undefined;
  const o = option === true ? {} : option;
  return { maxAttempts: o.maxAttempts ?? 5, initialDelayMs: o.initialDelayMs ?? 100, maxDelayMs: o.maxDelayMs ?? 3000 };
}

/**
 * Close codes after which a reconnect may help (the official SDK's list, PROTOCOL.md §1.7): going
 * away, no status, dropped, internal error, restart, try again later, bad gateway, TLS failure.
 */
export const RECOVERABLE_CLOSE_CODES: ReadonlySet<number> = new Set([1001, 1005, 1006, 1011, 1012, 1013, 1014, 1015]);

/** What a managed socket tells its owner. */
export interface ManagedSocketHandlers {
  /** A connection is open; on a reconnect the owner replays before anything else is sent. */
  open(socket: Socket, info: { attempt: number; reconnect: boolean }): void;
  message(data: string | Uint8Array): void;
  /** One connection ended (each one, before any reconnect decision). */
  connectionClosed?(code: number, reason: string): void;
  /** A reconnect is scheduled. */
  reconnecting(info: { attempt: number; delayMs: number; code: number; reason: string; error?: Error }): void;
  /** Veto for an unexpected close (e.g. the session had already finished, or a 4xx error came first). */
  canReconnect?(code: number): boolean;
  /** The socket is gone for good; called exactly once. `clean`: a normal close the owner expected. */
  end(info: { code: number; reason: string; error?: Error; clean: boolean }): void;
}

/** Lifecycle of a managed socket. */
export type ManagedSocketState = "idle" | "connecting" | "open" | "reconnecting" | "closing" | "ended";

/** A socket with optional reconnects; see the module comment. */
export class ManagedSocket {
  readonly #connect: (signal: AbortSignal) => Promise<Socket>;
  readonly #policy: ReconnectPolicy | undefined;
  readonly #handlers: ManagedSocketHandlers;
  readonly #signal: AbortSignal | undefined;
  #state: ManagedSocketState = "idle";
  #socket: Socket | undefined;
  #attempt = 0;
  #timer: Timer | undefined;
  #connectAbort: AbortController | undefined;
  #detachAbort: () => void = () => {};

  constructor(
    connect: (signal: AbortSignal) => Promise<Socket>,
    policy: ReconnectPolicy | undefined,
    handlers: ManagedSocketHandlers,
    signal?: AbortSignal,
  ) {
    this.#connect = connect;
    this.#policy = policy;
    this.#handlers = handlers;
    this.#signal = signal;
  }

  /** Where the socket is in its lifecycle. */
  get state(): ManagedSocketState {
    return this.#state;
  }

  /** The open connection, if any. */
  get socket(): Socket | undefined {
    return this.#state === "open" || this.#state === "closing" ? this.#socket : undefined;
  }

  /** Starts connecting. */
  start(): void {
    if (this.#state !== "idle") return;
    if (this.#signal) {
      const signal = this.#signal;
      if (signal.aborted) {
        this.#end({ code: 1006, reason: "aborted", error: abortReason(signal), clean: false });
        return;
      }
      const onAbort = () => this.terminate(abortReason(signal));
      signal.addEventListener("abort", onAbort, { once: true });
      this.#detachAbort = () => signal.removeEventListener("abort", onAbort);
    }
    this.#state = "connecting";
    void this.#open(false);
  }

  /** Sends a frame if a connection is open; returns whether it went out. */
  send(data: string | Uint8Array): boolean {
    if (this.#state !== "open" || !this.#socket?.isOpen) return false;
    this.#socket.send(data);
    return true;
  }

  /** The owner made progress (the server confirmed something): the attempt budget starts over. */
  progress(): void {
    this.#attempt = 0;
  }

  /** Closes on purpose: no reconnect after this; `end` follows the close. */
  close(code = 1000, reason = ""): void {
    if (this.#state === "ended" || this.#state === "closing") return;
    if (this.#state === "open" && this.#socket) {
      this.#state = "closing";
      this.#socket.close(code, reason);
      return;
    }
    this.#end({ code, reason, clean: true });
  }

  /** Cuts the connection now and ends with `error` (abort, timeout, fatal failure). */
  terminate(error?: Error): void {
    if (this.#state === "ended") return;
    const socket = this.#socket;
    this.#end({ code: 1006, reason: error?.message ?? "terminated", ...(error ? { error } : {}), clean: false });
    socket?.terminate();
  }

  async #open(reconnect: boolean): Promise<void> {
    const controller = new AbortController();
    this.#connectAbort = controller;
    let socket: Socket;
    try {
      socket = await this.#connect(controller.signal);
    } catch (error) {
      if (this.#state === "ended") return;
      const err = error instanceof Error ? error : new ConnectionError(String(error));
      if (reconnect && this.#retryable(err) && this.#scheduleReconnect(1006, err.message, err)) return;
      this.#end({ code: 1006, reason: err.message, error: err, clean: false });
      return;
    } finally {
      if (this.#connectAbort === controller) this.#connectAbort = undefined;
    }
    if (this.#state === "ended") {
      socket.terminate();
      return;
    }
    this.#socket = socket;
    this.#state = "open";
    // The owner sees the connection (and replays) before the first message, which may be waiting already.
    this.#handlers.open(socket, { attempt: this.#attempt, reconnect });
    socket.listen(
      (data) => {
        if (this.#socket === socket && this.#state !== "ended") this.#handlers.message(data);
      },
      (code, reason) => this.#onClose(socket, code, reason),
    );
  }

  #onClose(socket: Socket, code: number, reason: string): void {
    if (this.#socket !== socket) return;
    this.#socket = undefined;
    if (this.#state === "ended") return;
    this.#handlers.connectionClosed?.(code, reason);
    if (this.#state === "closing") {
      this.#end({ code, reason, clean: code === 1000 || code === 1005, });
      return;
    }
    const may = this.#policy !== undefined && RECOVERABLE_CLOSE_CODES.has(code) && (this.#handlers.canReconnect?.(code) ?? true);
    if (may && this.#scheduleReconnect(code, reason)) return;
    this.#end({ code, reason, clean: code === 1000 || code === 1005 });
  }

  #retryable(error: Error): boolean {
    if (error instanceof CartesiaApiError) return error.retryable;
    return error instanceof ConnectionError;
  }

  /** Schedules the next attempt; false when the budget is spent. */
  #scheduleReconnect(code: number, reason: string, error?: Error): boolean {
    const policy = this.#policy;
    if (!policy || this.#attempt >= policy.maxAttempts) return false;
    this.#attempt += 1;
    const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (this.#attempt - 1));
    const delayMs = Math.round(base * (0.8 + Math.random() * 0.4));
    this.#state = "reconnecting";
    this.#handlers.reconnecting({ attempt: this.#attempt, delayMs, code, reason, ...(error ? { error } : {}) });
    this.#timer = unref(
      setTimeout(() => {
        this.#timer = undefined;
        if (this.#state !== "reconnecting") return;
        void this.#open(true);
      }, delayMs),
    );
    return true;
  }

  #end(info: { code: number; reason: string; error?: Error; clean: boolean }): void {
    if (this.#state === "ended") return;
    this.#state = "ended";
    clearTimeout(this.#timer);
    this.#connectAbort?.abort();
    this.#detachAbort();
    this.#handlers.end(info);
  }
}
