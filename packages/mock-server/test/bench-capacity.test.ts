/**
 * Part (b) of the mock's bench reads a side's capacity from its steps' verdicts and narrows it between
 * the ramp's steps (bench/lib.mjs): the reading must be the threshold's, whatever the steps tried.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain ES module of the bench, without types
import { firstFailing, largest, refinementStep } from "../bench/lib.mjs";

type Verdict = { streams: number; pass: boolean };
const capacity = largest as (verdicts: Verdict[]) => number;
const failing = firstFailing as (verdicts: Verdict[]) => number;
const next = refinementStep as (verdicts: Verdict[]) => number | undefined;

const fcOptions = {
  numRuns: Number(process.env.FC_NUM_RUNS ?? 100),
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
};
const RAMP = [25, 50, 100, 200, 300, 400, 600, 800, 1000, 1200, 1600];

/** Climbs the ramp against a server that holds up to `threshold` streams, then refines as run.mjs does. */
function climb(threshold: number): { verdicts: Verdict[]; refinements: number } {
  const verdicts: Verdict[] = [];
  for (const streams of RAMP) {
    verdicts.push({ streams, pass: streams <= threshold });
    if (streams > threshold) break;
  }
  let refinements = 0;
  for (let mid = next(verdicts); mid !== undefined; mid = next(verdicts)) {
    verdicts.push({ streams: mid, pass: mid <= threshold });
    refinements += 1;
    if (refinements > 20) break;
  }
  return { verdicts, refinements };
}

describe("bench (b): capacity from step verdicts", () => {
  it("reads the largest passing N below the first failing one, in any order, and ignores a pass above a failure", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 5000 }), (tried, threshold) => {
        const verdicts = tried.map((streams) => ({ streams, pass: streams <= threshold }));
        const below = tried.filter((n) => n <= threshold);
        const above = tried.filter((n) => n > threshold);
        expect(capacity(verdicts)).toBe(below.length > 0 ? Math.max(...below) : 0);
        expect(failing(verdicts)).toBe(above.length > 0 ? Math.min(...above) : Infinity);
        expect(capacity([...verdicts].reverse())).toBe(capacity(verdicts));
        // A noisy pass above the first failure does not raise the capacity.
        const lowestFail = failing(verdicts);
        if (Number.isFinite(lowestFail)) expect(capacity([...verdicts, { streams: lowestFail + 100, pass: true }])).toBe(capacity(verdicts));
      }),
      fcOptions,
    );
  });

  it("narrows a side between the ramp's steps to within an eighth of its capacity (25 streams at least), in a few steps", () => {
    fc.assert(
      fc.property(fc.integer({ min: 25, max: 1500 }), (threshold) => {
        const { verdicts, refinements } = climb(threshold);
        const low = capacity(verdicts);
        const high = failing(verdicts);
        expect(low).toBeLessThanOrEqual(threshold);
        expect(high).toBeGreaterThan(threshold);
        expect(high - low).toBeLessThanOrEqual(Math.max(25, low / 8) + 5);
        expect(refinements).toBeLessThanOrEqual(4);
      }),
      fcOptions,
    );
  });

  it("tries the midpoint of 400 and 600, then of the half the server lands in", () => {
    expect(next([{ streams: 400, pass: true }, { streams: 600, pass: false }])).toBe(500);
    expect(next([{ streams: 400, pass: true }, { streams: 600, pass: false }, { streams: 500, pass: true }])).toBe(550);
    expect(next([{ streams: 400, pass: true }, { streams: 600, pass: false }, { streams: 500, pass: false }])).toBe(450);
    // Nothing to narrow: no failure, or already within an eighth.
    expect(next([{ streams: 1600, pass: true }])).toBeUndefined();
    expect(next([{ streams: 800, pass: true }, { streams: 900, pass: false }])).toBeUndefined();
    expect(next([{ streams: 25, pass: false }])).toBeUndefined();
  });
});
