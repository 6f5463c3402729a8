/**
 * A single-consumer async queue: producers `push` synchronously, one consumer pulls with
 * `for await`. Items wait in memory until read; `end()` finishes the iteration after the items
 * already queued. It never rejects: failures travel as items (typed `error` events).
 */
export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  #items: T[] = [];
  #head = 0;
  #waiters: ((result: IteratorResult<T>) => void)[] = [];
  #ended = false;
  #detached = false;
  /** Parks the consumer (one function per queue, not a closure per wait: this is the hot path). */
  readonly #park = (resolve: (result: IteratorResult<T>) => void): void => {
    this.#waiters.push(resolve);
  };

  /** True once `end()` was called (items may still be waiting to be read). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Items queued and not read yet. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Adds an item; ignored after `end()` or after the consumer stopped reading. */
  push(item: T): void {
    if (this.#ended || this.#detached) return;
    const waiter = this.#waiters.shift();
    if (waiter) {
      waiter({ value: item, done: false });
      return;
    }
    this.#items.push(item);
  }

  /** Finishes the iteration once the queued items are read. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const waiter of this.#waiters.splice(0)) waiter({ value: undefined, done: true });
  }

  /** Next item, or done once ended and empty. */
  next(): Promise<IteratorResult<T>> {
    if (this.#head < this.#items.length) {
      const value = this.#items[this.#head] as T;
      this.#items[this.#head] = undefined as T;
      this.#head += 1;
      if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
        this.#items = this.#items.slice(this.#head);
        this.#head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.#ended || this.#detached) return Promise.resolve({ value: undefined, done: true });
    return new Promise(this.#park);
  }

  /** The consumer stopped (`break` in `for await`): later items are dropped, not buffered. */
  return(): Promise<IteratorResult<T>> {
    this.#detached = true;
    this.#items = [];
    this.#head = 0;
    for (const waiter of this.#waiters.splice(0)) waiter({ value: undefined, done: true });
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
