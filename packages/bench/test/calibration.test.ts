/**
 * Self-calibration (the acceptance test): against the embedded mock with a fixed latency L,
 * the measured latency equals L; with a fitted profile, the measured percentiles recover the profile's.
 *
 * Method: the same sessions run at latency 0 and at L, alternating one at a time between two mocks
 * (so a drift in machine load hits both), and the error is
 * (p − p at latency 0) − L. Subtracting the same-run zero-latency figure removes what the bench, the
 * client and the mock add (reported elsewhere as overhead), so what is left is how well the bench
 * measures a known delay.
 *
 * Tolerances:
 * - p50: ±2 ms. The mock's delay is a Node timer on libuv's loop clock, which counts whole
 *   milliseconds and is cached per loop turn: measured with performance.now() it fires up to ~1 ms
 *   early or, on an idle loop, about 1 ms late; HDR's 3 significant digits add ≤ 0.1 % (0.06 ms at
 *   60 ms). Sessions run
 *   one at a time (concurrency 1), so no session waits behind another on the shared event loop.
 * - p99: ±25 ms. With n = 200, p99 is the second-largest value, so one preemption of the process
 *   (this machine is shared: 2 cores, other jobs) moves it; 25 ms bounds the stalls seen here, while a
 *   bench that lost or doubled the delay would still fail (L up to 60 ms).
 * - Fitted profile (`ink-2-30d`, n = 400 from 4 seeds): 3 standard errors of the sample quantile at n
 *   (√(q(1−q)/n) ÷ the profile's density there), + 1 ms (timers, the mock's whole-ms rounding),
 *   + 0.1 % (HDR): about ±9 ms at p50, ±18 ms at p95, ±31 ms at p99 (see `quantileTolerance`), plus
 *   the bench's own spread at that percentile in the same run (p − p50 at latency 0), usually < 2 ms.
 *
 * Attempts: a calibration that misses is measured again, up to three times in all, and every attempt
 * is printed. Load from other processes only ever adds delay to some sessions, so it can spoil one
 * attempt's tail; a systematic error (a clock started at the wrong moment, a delay lost or doubled)
 * misses in every attempt and still fails.
 */
import { describe, expect, it } from "vitest";
import { calibrateFixed, calibrateProfile, quantileTolerance } from "../src/run/calibrate.js";

/** Measures, checks, and measures again (up to `attempts` in all) while the check throws; prints each miss. */
async function calibrated<T>(measure: () => Promise<T>, check: (result: T) => void, attempts = 3): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const result = await measure();
    try {
      check(result);
      return;
    } catch (error) {
      if (attempt >= attempts) throw error;
      console.log(`calibration attempt ${attempt} of ${attempts} missed (measured again): ${(error as Error).message.split("\n")[0]}`);
    }
  }
}

const load = { client: "raw" as const, sessions: 10, concurrency: 1, rounds: 20, requests: 20, seed: 7 };

describe("calibration against the embedded mock", () => {
  it("stt-v1: finalize → flush_done measures a fixed latency L within ±2 ms at p50, ±25 ms at p99 (n = 200 per L)", async () => {
    for (const latency of [5, 20, 60]) {
      await calibrated(
        () => calibrateFixed(["stt-v1"], [latency], load),
        (rows) => {
          expect(rows).toHaveLength(1);
          for (const r of rows) {
            expect(r.n).toBe(200);
            expect(Math.abs(r.errorP50), `p50 error at L=${r.latencyMs}: ${JSON.stringify(r)}`).toBeLessThanOrEqual(2);
            expect(Math.abs(r.errorP99), `p99 error at L=${r.latencyMs}: ${JSON.stringify(r)}`).toBeLessThanOrEqual(25);
            // The delay really is there (not lost): at most the loop clock's ~1 ms early firing below L.
            expect(r.p50).toBeGreaterThanOrEqual(r.latencyMs - 1.5);
          }
        },
      );
    }
  });

  it("stt-turns: last speech byte → turn.end and tts: request → first chunk measure L = 40 ms within ±2 ms at p50", async () => {
    const check = (rows: Awaited<ReturnType<typeof calibrateFixed>>) => {
      expect(rows).toHaveLength(1);
      for (const r of rows) {
        expect(r.n).toBeGreaterThanOrEqual(60);
        expect(Math.abs(r.errorP50), JSON.stringify(r)).toBeLessThanOrEqual(2);
        expect(Math.abs(r.errorP99), JSON.stringify(r)).toBeLessThanOrEqual(25);
      }
    };
    await calibrated(() => calibrateFixed(["stt-turns"], [40], { ...load, sessions: 20 }), check);
    await calibrated(() => calibrateFixed(["tts"], [40], { ...load, requests: 10 }), check);
  });

  it("the fitted profile ink-2-30d (p50 120 / p95 166 / p99 189 ms) is recovered within its stated tolerance at n = 400", async () => {
    await calibrated(
      () => calibrateProfile("stt-v1", "ink-2-30d", { ...load, rounds: 100 }, 4),
      (rows) => {
        expect(rows.map((r) => [r.percentile, r.expected])).toEqual([
          [50, 120],
          [95, 166],
          [99, 189],
        ]);
        for (const r of rows) {
          expect(r.n).toBe(400);
          // The sampling part, plus the bench's own spread at that percentile (≥ 0).
          expect(r.tolerance).toBeGreaterThanOrEqual(quantileTolerance("ink-2-30d", r.percentile / 100, 400));
          expect(Math.abs(r.error), JSON.stringify(r)).toBeLessThanOrEqual(r.tolerance);
        }
      },
    );
  });

  it("the tolerance follows the sampling error: it shrinks with n and grows in the sparse tail", () => {
    expect(quantileTolerance("ink-2-30d", 0.5, 400)).toBeGreaterThan(quantileTolerance("ink-2-30d", 0.5, 4000));
    expect(quantileTolerance("ink-2-30d", 0.99, 400)).toBeGreaterThan(quantileTolerance("ink-2-30d", 0.5, 400));
    // p50 at n = 400: 3 × √(0.25/400) ÷ (0.45/46) + 1 + 0.12 ≈ 8.79 ms.
    expect(quantileTolerance("ink-2-30d", 0.5, 400)).toBeCloseTo(8.79, 1);
  });
});
