/** Shared vocabulary of the sequence grammar checkers. */

/** `error` breaks a documented rule; `warning` flags what is allowed but undocumented or discouraged. */
export type Severity = "error" | "warning";

/** A grammar rule: a stable id, the PROTOCOL.md section it comes from, and what must hold. */
export interface Rule {
  id: string;
  section: string;
  severity: Severity;
  statement: string;
}

/** One broken rule, at the index of the event that showed it (`-1`: found at the end of the session). */
export interface Violation {
  rule: string;
  section: string;
  severity: Severity;
  message: string;
  index: number;
  /** TTS: the context the violation concerns. */
  contextId?: string;
}

/** A WebSocket close seen from one side. */
export interface CloseInfo {
  code?: number;
  reason?: string;
}

/** One event of a session, in order: a message from either side, or a side closing the socket. */
export type SessionEvent<C, S> =
  | { from: "client"; message: C }
  | { from: "server"; message: S }
  | { from: "client" | "server"; close: CloseInfo };

/** A sans-IO checker: feed it a session's events in order, then `end()` when the session is over. */
export interface GrammarChecker<C, S> {
  /** Checks one event; returns the violations it showed. */
  push(event: SessionEvent<C, S>): Violation[];
  /** Declares the session over; returns the violations only the end can show (an unanswered close). */
  end(): Violation[];
  /** Every violation so far. */
  readonly violations: readonly Violation[];
}

/** Close codes of an orderly close: 1000, or none (1005 as seen by the peer). */
export function isOrderlyClose(close: CloseInfo): boolean {
  return close.code === undefined || close.code === 1000 || close.code === 1005;
}

/** Runs a whole session through a checker and returns every violation. */
export function checkSession<C, S>(checker: GrammarChecker<C, S>, events: Iterable<SessionEvent<C, S>>): Violation[] {
  for (const event of events) checker.push(event);
  checker.end();
  return [...checker.violations];
}

/** Base class that records violations and numbers events; endpoint checkers extend it. */
export abstract class BaseChecker<C, S> implements GrammarChecker<C, S> {
  readonly #violations: Violation[] = [];
  #index = -1;
  #ended = false;
  /** Set once a side closed abnormally: end-of-session rules then do not apply. */
  protected dropped = false;

  constructor(private readonly rules: Readonly<Record<string, Rule>>) {}

  get violations(): readonly Violation[] {
    return this.#violations;
  }

  push(event: SessionEvent<C, S>): Violation[] {
    this.#index += 1;
    const before = this.#violations.length;
    if ("close" in event) {
      if (!isOrderlyClose(event.close)) this.dropped = true;
      this.onClose(event.from, event.close);
    } else if (event.from === "client") {
      this.onClient(event.message as C);
    } else {
      this.onServer(event.message as S);
    }
    return this.#violations.slice(before);
  }

  end(): Violation[] {
    if (this.#ended) return [];
    this.#ended = true;
    const before = this.#violations.length;
    this.#index = -1;
    this.onEnd();
    return this.#violations.slice(before);
  }

  /** Records a violation of a rule at the current event. */
  protected report(ruleId: string, message: string, contextId?: string): void {
    const rule = this.rules[ruleId];
    if (!rule) throw new Error(`unknown grammar rule ${ruleId}`);
    this.#violations.push({
      rule: rule.id,
      section: rule.section,
      severity: rule.severity,
      message,
      index: this.#index,
      ...(contextId !== undefined ? { contextId } : {}),
    });
  }

  protected abstract onClient(message: C): void;
  protected abstract onServer(message: S): void;
  protected onClose(_from: "client" | "server", _close: CloseInfo): void {}
  protected onEnd(): void {}
}

/** Declares a rule table keyed by id (so ids are written once). */
export function defineRules<const R extends readonly Rule[]>(rules: R): { readonly [K in R[number]["id"]]: Rule } {
  return Object.fromEntries(rules.map((r) => [r.id, r])) as { readonly [K in R[number]["id"]]: Rule };
}
