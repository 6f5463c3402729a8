/** Promise helpers that keep the library free of unhandled rejections. */

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
