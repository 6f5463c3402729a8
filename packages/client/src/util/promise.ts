/** Promise helpers that keep the library free of unhandled rejections. */
import { TimeoutError } from "../errors.js";
import { onAbort } from "./abort.js";

/**
 * Marks a promise as handled and returns it unchanged: callers who await it still see its
 * rejection, and callers who drop it do not get an `unhandledRejection`. Every promise this
 * library hands out goes through here; failures are also reported as events.
 */
export function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/** A promise with its settle functions; `settled` tells whether it already settled. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
  readonly settled: boolean;
}

/** Creates a deferred whose promise is already marked handled (see `quiet`). */
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  let settled = false;
  const promise = quiet(
    new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    }),
  );
  return {
    promise,
    resolve: (value) => {
      if (settled) return;
      settled = true;
      resolve(value);
    },
    reject: (error) => {
      if (settled) return;
      settled = true;
      reject(error);
    },
    get settled() {
      return settled;
    },
  };
}

/** A timer handle in both Node and browsers. */
export type Timer = ReturnType<typeof setTimeout>;

/** Lets a Node timer not keep the process alive (no-op in browsers). */
export function unref(timer: Timer): Timer {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

/**
 * Waits for a drain (`close()`'s) for at most `timeoutMs` and until `signal` aborts: either one calls
 * `stop` with its reason (a `TimeoutError`: "`what` did not finish within N ms"), which is to end
 * the drain. Resolves or rejects as `drained` does.
 * @example drainWithin(ended, 10_000, signal, "after close, the server", (reason) => socket.abort(reason))
 */
export function drainWithin<T>(drained: Promise<T>, timeoutMs: number, signal: AbortSignal | undefined, what: string, stop: (reason: Error) => void): Promise<T> {
  const timer = unref(setTimeout(() => stop(new TimeoutError(`${what} did not finish within ${timeoutMs} ms`)), timeoutMs));
  const detach = onAbort(signal, stop);
  return drained.finally(() => {
    clearTimeout(timer);
    detach();
  });
}
