/**
 * The strict mock's token clock (no real time involved: the base clock is a variable). That it does
 * not reach the next case over a real run is tested in access-token.test.ts.
 */
import { describe, expect, it } from "vitest";
import { TokenClock } from "../src/runner/token-clock.js";

describe("TokenClock", () => {
  it("moves only the first read after arming into the past", () => {
    let real = 1_800_000_000_000;
    const clock = new TokenClock(() => real);
    expect(clock.now()).toBe(real);
    clock.arm(61);
    expect(clock.armed).toBe(true);
    expect(clock.now()).toBe(real - 61_000);
    expect(clock.armed).toBe(false);
    real += 5;
    expect(clock.now()).toBe(real);
    clock.arm(3601);
    clock.disarm();
    expect(clock.now()).toBe(real);
    expect(() => clock.arm(0)).toThrow(RangeError);
    expect(() => clock.arm(Number.NaN)).toThrow(RangeError);
  });
});
