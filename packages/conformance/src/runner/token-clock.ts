/**
 * The strict-auth mock's token clock (its `clock` option, docs/protocol §7): real time, except that a
 * case can arm a one-shot shift into the past, so the runner mints an already expired token without
 * sleeping and without faking time for anything else.
 *
 * Why one read: the mock reads this clock only when it mints a token (`iat`/`exp`) and when it
 * verifies a token at a handshake; the API-key check of `POST /access-token` never reads it. In an
 * expired case the adapter holds no token before it mints, so the first read after arming is the
 * mint: it gets the shifted time, and every later read (the session's handshake) gets real time,
 * which the token has outlived. Why not fake timers or a shifted `Date.now`: they would move the
 * adapter's and the mock's other clocks too. The runner disarms the clock when the case ends, so a
 * case that never minted cannot pass its shift on to the next one.
 */

/** A clock for `startMockServer({ clock })` whose next read can be moved into the past. */
export class TokenClock {
  #shiftMs = 0;

  /** `base`: the real clock (ms since the epoch); tests pass a fixed one. */
  constructor(private readonly base: () => number = Date.now) {}

  /** The mock's `clock` option: real time, minus the armed shift on the first read after `arm`. */
  readonly now = (): number => {
    const shift = this.#shiftMs;
    this.#shiftMs = 0;
    return this.base() - shift;
  };

  /** Moves the next read `seconds` into the past (the mint of an expired case). */
  arm(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds <= 0) throw new RangeError(`a token clock shift must be a positive number of seconds, got ${seconds}`);
    this.#shiftMs = seconds * 1000;
  }

  /** Drops a shift nothing read (the case ended without minting). */
  disarm(): void {
    this.#shiftMs = 0;
  }

  /** Whether a shift is waiting for its read. */
  get armed(): boolean {
    return this.#shiftMs > 0;
  }
}
