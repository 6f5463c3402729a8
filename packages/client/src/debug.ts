/** Debug mode: the protocol's session linter (schemas + grammar) on the live stream. */
import type { GrammarEndpoint, SessionLinter, Violation } from "@speechwire/protocol";
import type { ClientConfig } from "./config.js";
import { ConnectionError } from "./errors.js";

/**
 * With `debug: true`, loads the protocol's session linter before the first connection opens (where the
 * platform can: Node); with a factory given, or debug off, does nothing. Rejects with a
 * `ConnectionError` saying what to pass when it cannot be loaded (a browser bundle).
 */
export async function prepareDebug(config: ClientConfig): Promise<void> {
  if (!config.debug || config.createLinter) return;
  config.createLinter = await config.platform.loadLinter?.();
  if (!config.createLinter) {
    throw new ConnectionError("debug: true could not load @speechwire/protocol at run time: pass its createSessionLinter as `debug` instead");
  }
}

/**
 * Rules the client cannot judge: it sees its own frames before the server does, so a server message
 * that arrives after a client frame may have been sent before the server read it. ("An interim
 * between `finalize` and its `flush_done`" is such a case; the mock's journal, which sees the
 * server's order, checks it.)
 */
const BLIND_FROM_CLIENT = new Set(["stt-v1/finals-before-flush-done"]);

/** Feeds one connection's frames to a linter and reports each violation. */
export class LiveLinter {
  readonly #config: ClientConfig;
  readonly #endpoint: GrammarEndpoint;
  readonly #report: (violation: Violation) => void;
  #linter: SessionLinter | undefined;

  constructor(config: ClientConfig, endpoint: GrammarEndpoint, report: (violation: Violation) => void) {
    this.#config = config;
    this.#endpoint = endpoint;
    this.#report = report;
  }

  /** Loads the linter before the first connection opens (see `prepareDebug`). */
  prepare(): Promise<void> {
    return prepareDebug(this.#config);
  }

  /** A new connection starts: a fresh linter (the last one ends). */
  connection(): void {
    this.end();
    this.#linter = this.#config.createLinter?.(this.#endpoint, { strictness: "validating", version: this.#config.version });
  }

  /** A frame the client sent. */
  client(frame: string | Uint8Array): void {
    this.#emit(this.#linter?.push({ from: "client", frame }));
  }

  /** A frame the server sent. */
  server(frame: string | Uint8Array): void {
    this.#emit(this.#linter?.push({ from: "server", frame }));
  }

  /** A side closed the connection. */
  close(from: "client" | "server", code: number, reason: string): void {
    this.#emit(this.#linter?.push({ from, close: { code, reason } }));
  }

  /** The connection is over: end-of-session rules run. */
  end(): void {
    const linter = this.#linter;
    this.#linter = undefined;
    this.#emit(linter?.end());
  }

  #emit(violations: Violation[] | undefined): void {
    if (!violations) return;
    for (const v of violations) {
      if (BLIND_FROM_CLIENT.has(v.rule)) continue;
      this.#report(v);
      this.#config.onViolation?.(v, this.#endpoint);
    }
  }
}

/**
 * A linter when debug is on, else undefined. Passed to the sessions that lint by the functions that make
 * them, so that a plain socket made without it bundles none of this class.
 */
export function liveLinter(config: ClientConfig, endpoint: GrammarEndpoint, report: (violation: Violation) => void): LiveLinter | undefined {
  return config.debug ? new LiveLinter(config, endpoint, report) : undefined;
}

/** `liveLinter`'s type: what a session that lints is given. */
export type MakeLiveLinter = typeof liveLinter;
