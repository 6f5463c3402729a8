/**
 * When each core output goes out: the due-time and lane rule of `delayMs` (see `CoreOutput`), sans IO.
 *
 * An output is due `delayMs` after the moment the core produced it, but never before the outputs
 * it must follow: the earlier outputs of its lane, or — for a frame without a lane, a `close` or a
 * `drop` (a *barrier*) — every earlier output of every lane. So delays do not add up behind one
 * another (two turns' `turn.end`s each wait their own latency), one TTS context does not wait
 * behind another's held or paced chunks, and a close never overtakes a queued frame.
 *
 * The socket edge pushes outputs as a step returns them and sends them in due order; ties keep
 * production order. Times are milliseconds on any monotonic clock the caller chooses.
 */
import type { CoreOutput } from "./types.js";

/** An output the edge sends, closes or drops with (not a timer request, nor the pull bookkeeping). */
export type ScheduledOutput = Extract<CoreOutput, { kind: "send" | "close" | "drop" }>;

/** An output with the time it is due and its place in production order. */
export interface DueOutput<T extends ScheduledOutput = ScheduledOutput> {
  output: T;
  /** When it may go out (same clock as `producedAt`). */
  due: number;
  /** 0, 1, 2, … in the order outputs were pushed. */
  seq: number;
}

/** The lane an output keeps its order in, or `undefined` for a barrier (no-lane send, close, drop). */
export function laneOf(output: ScheduledOutput): string | undefined {
  return output.kind === "send" ? output.lane : undefined;
}

/** A FIFO with an O(1) amortised shift (a TTS context can queue thousands of paced chunks). */
export class Fifo<T> {
  #items: T[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  peek(): T | undefined {
    return this.#items[this.#head];
  }

  /** Keeps only the items `keep` accepts, in order. */
  retain(keep: (item: T) => boolean): void {
    this.#items = this.#items.slice(this.#head).filter(keep);
    this.#head = 0;
  }

  shift(): T | undefined {
    const item = this.#items[this.#head];
    if (item === undefined) return undefined;
    this.#head += 1;
    // Compact once the consumed prefix is most of the array.
    if (this.#head > 64 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
}

/** Forget finished lanes once this many are remembered (a long TTS session opens many contexts). */
const LANE_PRUNE_MIN = 64;

/**
 * Orders a session's outputs by due time, lane by lane.
 *
 * `push(output, producedAt)` returns `due = max(producedAt + delayMs, lastDue)`, where `lastDue` is
 * the due time of the previous output of the same lane, or for a barrier the latest due time of any
 * output so far (which then becomes every lane's floor). `peek`/`shift` give the pending output with
 * the smallest due time, the earliest pushed among equal ones. Each lane's dues never decrease, so
 * every lane (and the barriers) is a sorted FIFO, and `shift` merges their heads.
 *
 * @example
 * const s = new OutputSchedule();
 * s.push({ kind: "send", data: "a1", lane: "a", delayMs: 300 }, 0); // 300
 * s.push({ kind: "send", data: "b1", lane: "b", delayMs: 100 }, 10); // 110: b does not wait for a
 * s.push({ kind: "close", code: 1000, reason: "OK" }, 20); // 300: after everything before it
 * s.shift()?.output.data; // "b1"
 */
export class OutputSchedule<T extends ScheduledOutput = ScheduledOutput> {
  /** Pending outputs of each lane that has some, in push order (and so in due order). */
  readonly #pending = new Map<string, Fifo<DueOutput<T>>>();
  /** Pending barriers, in push order (and so in due order). */
  readonly #barriers = new Fifo<DueOutput<T>>();
  /** The due time of each lane's latest output since the last barrier. */
  readonly #lastDue = new Map<string, number>();
  /** The due time of the latest barrier: no later output is due before it. */
  #floor = Number.NEGATIVE_INFINITY;
  /** The latest due time of any output so far. */
  #maxDue = Number.NEGATIVE_INFINITY;
  #lastProduced = Number.NEGATIVE_INFINITY;
  /** Prune `#lastDue` when it grows past this (doubles when pruning frees little: amortised O(1)). */
  #pruneAt = LANE_PRUNE_MIN;
  #seq = 0;
  #size = 0;

  /** How many outputs are pending. */
  get size(): number {
    return this.#size;
  }

  /** How many outputs of `lane` are pending. */
  pendingIn(lane: string): number {
    return this.#pending.get(lane)?.size ?? 0;
  }

  /**
   * Adds an output pushed at `producedAt` and returns its due time. A `producedAt` earlier than a
   * previous one counts as that one (the clock is meant to be monotonic); a missing, negative or
   * non-finite `delayMs` counts as 0. `from` is when its delay counts from when that is earlier than
   * the push: an output the core produced in an earlier step and held until pulled (its `since`
   * anchor); it still never goes before what it must follow.
   */
  push(output: T, producedAt: number, from?: number): number {
    if (Number.isNaN(producedAt)) throw new RangeError("OutputSchedule.push: producedAt is NaN");
    const produced = Math.max(producedAt, this.#lastProduced);
    this.#lastProduced = produced;
    const start = from === undefined || Number.isNaN(from) ? produced : Math.min(from, produced);
    const delay = output.delayMs !== undefined && Number.isFinite(output.delayMs) && output.delayMs > 0 ? output.delayMs : 0;
    const lane = laneOf(output);
    let due: number;
    if (lane === undefined) {
      due = Math.max(start + delay, this.#maxDue, this.#floor);
      this.#floor = due;
      // Every lane's floor is now `due`, at least as late as anything remembered.
      this.#lastDue.clear();
    } else {
      due = Math.max(start + delay, this.#lastDue.get(lane) ?? this.#floor, this.#floor);
      this.#lastDue.set(lane, due);
      if (this.#lastDue.size > this.#pruneAt) this.#prune(produced);
    }
    this.#maxDue = Math.max(this.#maxDue, due);
    const entry: DueOutput<T> = { output, due, seq: this.#seq };
    this.#seq += 1;
    this.#size += 1;
    if (lane === undefined) {
      this.#barriers.push(entry);
    } else {
      let fifo = this.#pending.get(lane);
      if (!fifo) {
        fifo = new Fifo();
        this.#pending.set(lane, fifo);
      }
      fifo.push(entry);
    }
    return due;
  }

  /** The next output to go out (smallest due, then earliest pushed), without removing it. */
  peek(): DueOutput<T> | undefined {
    return this.#head()?.entry;
  }

  /** Removes and returns the next output to go out. */
  shift(): DueOutput<T> | undefined {
    const head = this.#head();
    if (!head) return undefined;
    head.fifo.shift();
    if (head.lane !== undefined && head.fifo.size === 0) this.#pending.delete(head.lane);
    this.#size -= 1;
    return head.entry;
  }

  /** Drops every pending output (the socket closed); due-time memory is kept. */
  clear(): void {
    this.#pending.clear();
    while (this.#barriers.shift() !== undefined);
    this.#size = 0;
  }

  #head(): { entry: DueOutput<T>; fifo: Fifo<DueOutput<T>>; lane: string | undefined } | undefined {
    let best: { entry: DueOutput<T>; fifo: Fifo<DueOutput<T>>; lane: string | undefined } | undefined;
    const barrier = this.#barriers.peek();
    if (barrier) best = { entry: barrier, fifo: this.#barriers, lane: undefined };
    for (const [lane, fifo] of this.#pending) {
      const entry = fifo.peek() as DueOutput<T>;
      if (!best || entry.due < best.entry.due || (entry.due === best.entry.due && entry.seq < best.entry.seq)) best = { entry, fifo, lane };
    }
    return best;
  }

  /**
   * Forgets lanes whose last output was due by `now` and has gone out: for them `max(now + delay,
   * lastDue)` is `now + delay` anyway (and `now` never goes back), so the answer does not change. (An
   * output counted from an earlier anchor may then be due before the forgotten one: it is overdue
   * either way and goes out at once, and nothing of its lane is still waiting for it to overtake.)
   */
  #prune(now: number): void {
    for (const [lane, due] of this.#lastDue) if (due <= now && !this.#pending.has(lane)) this.#lastDue.delete(lane);
    this.#pruneAt = Math.max(LANE_PRUNE_MIN, this.#lastDue.size * 2);
  }
}
