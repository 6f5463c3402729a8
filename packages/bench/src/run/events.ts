/** A per-session event log the session scripts wait on. */
import type { BenchEvent } from "../drivers/types.js";

/** Collects a session's events and resolves waits on them. */
export class EventLog {
  readonly events: BenchEvent[] = [];
  #waiters: { from: number; match: (e: BenchEvent) => boolean; resolve: (e: BenchEvent) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];

  /** The listener to hand to a driver. */
  readonly push = (e: BenchEvent): void => {
    this.events.push(e);
    const index = this.events.length - 1;
    this.#waiters = this.#waiters.filter((w) => {
      if (index < w.from) return true;
      if (w.match(e)) {
        clearTimeout(w.timer);
        w.resolve(e);
        return false;
      }
      if (e.type === "error" || e.type === "closed") {
        clearTimeout(w.timer);
        w.reject(new Error(e.type === "error" ? `server error: ${e.message}` : `socket closed (${e.code ?? "?"}) while waiting`));
        return false;
      }
      return true;
    });
  };

  /** Resolves with the first event at index ≥ `from` that matches; rejects on an error, a close, or the timeout. */
  wait<T extends BenchEvent>(match: (e: BenchEvent) => e is T, from: number, timeoutMs: number, what: string): Promise<T>;
  wait(match: (e: BenchEvent) => boolean, from: number, timeoutMs: number, what: string): Promise<BenchEvent>;
  wait(match: (e: BenchEvent) => boolean, from: number, timeoutMs: number, what: string): Promise<BenchEvent> {
    const found = this.events.slice(from).find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w.timer !== timer);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.#waiters.push({ from, match, resolve, reject, timer });
    });
  }

  /** The count of events so far (an index for `wait`'s `from`). */
  get mark(): number {
    return this.events.length;
  }
}
