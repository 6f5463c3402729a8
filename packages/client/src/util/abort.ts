/** AbortSignal helpers that work the same in Node 20 and browsers. */

/** The reason an aborted signal carries, as an Error (a DOMException `AbortError` by default). */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return makeAbortError(reason === undefined ? "The operation was aborted." : String(reason));
}

/** A DOMException named `AbortError` (what `fetch` and friends throw on abort). */
export function makeAbortError(message = "The operation was aborted."): Error {
  return typeof DOMException === "function" ? new DOMException(message, "AbortError") : Object.assign(new Error(message), { name: "AbortError" });
}

/** True for an error that an abort caused. */
export function isAbortError(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { name?: unknown }).name === "AbortError";
}

/** Calls `fn` once when the signal aborts (at once if it already has); returns a function that detaches it. */
export function onAbort(signal: AbortSignal | undefined, fn: (reason: Error) => void): () => void {
  if (!signal) return () => {};
  if (signal.aborted) {
    fn(abortReason(signal));
    return () => {};
  }
  const listener = () => fn(abortReason(signal));
  signal.addEventListener("abort", listener, { once: true });
  return () => signal.removeEventListener("abort", listener);
}

/** A signal that aborts when any of the given ones does (`AbortSignal.any` where available). */
export function anySignal(signals: readonly (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length <= 1) return present[0];
  const any = (AbortSignal as { any?: (signals: AbortSignal[]) => AbortSignal }).any;
  if (any) return any(present);
  const controller = new AbortController();
  for (const s of present) {
    if (s.aborted) {
      controller.abort(s.reason);
      break;
    }
    s.addEventListener("abort", () => controller.abort(s.reason), { once: true });
  }
  return controller.signal;
}

/**
 * Races a promise against a signal: rejects with the abort reason when the signal fires first,
 * and runs `onAborted` (e.g. to release what the operation held).
 */
export function withSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    // An aborted signal rejects at once (and leaves nothing to detach).
    const detach = onAbort(signal, reject);
    void promise.then(resolve, reject).finally(detach);
  });
}

/** Waits `ms` milliseconds, or rejects when the signal aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return withSignal(new Promise<void>((resolve) => setTimeout(resolve, ms)), signal);
}
