/**
 * The in-process adapter interface: what a client must provide to be checked. A command adapter
 * (any language, JSON lines over stdin/stdout) is wrapped into the same interface by the runner.
 */
import type { Capabilities, Case, ObservationEvent, CaseResult, Target } from "./schema.js";

/** Hands a normalized observation to the runner, in the order the client surfaced it. */
export type Observe = (event: ObservationEvent) => void;

/**
 * An adapter drives one client through cases.
 *
 * @example
 * const adapter: Adapter = {
 *   capabilities: async () => ({ name: "my-client", suites: ["stt-turns"], reconnect: false, keepAlive: false,
 *     finalize: true, flush: true, cancel: true, timestamps: true, errors: true, tls: false }),
 *   runCase: async (target, c, observe) => { … observe({ type: "turn.start" }) …; return { crashed: false, turns: [...] }; },
 * };
 */
export interface Adapter {
  /** What the client supports; asked once before any case. */
  capabilities(): Promise<Capabilities>;
  /**
   * Runs one case: connect to `target`, perform `c.actions` in order, report every event the client
   * surfaces through `observe`, and resolve when the session is over (closed by the server, or failed).
   * Resolve with `crashed: true` (never reject) when the client threw where it should not have.
   *
   * An `access-token` case (`c.accessToken`, §7) is two operations: mint a token with
   * `target.apiKey` (`POST /access-token` with `grants` and `expires_in` as given) and observe
   * `{ type: "access_token", token }` (or the refusal as an `error` with its status); then, unless
   * `use` is `none`, open that endpoint with a client holding only the token and run `c.actions` on it.
   */
  runCase(target: Target, c: Case, observe: Observe): Promise<CaseResult>;
  /** Frees resources (child processes, sockets). */
  dispose?(): Promise<void>;
}

/** Makes an adapter; built-ins are registered by name. */
export type AdapterFactory = () => Adapter | Promise<Adapter>;
