import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { METRICS, metricDefinition, metricsOf, ENDPOINTS } from "../src/metrics/definitions.js";
import { Recorder } from "../src/metrics/histogram.js";

const fcOptions = {
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
  ...(process.env.FC_NUM_RUNS ? { numRuns: Number(process.env.FC_NUM_RUNS) } : {}),
};

/** The nearest-rank quantile HDR reports (the smallest value with at least q of the values at or below it). */
function nearestRank(sorted: number[], q: number): number {
  const rank = Math.max(1, Math.ceil((q / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

describe("metric definitions", () => {
  it("every metric has a unique id, a from, a to and a one-line statement", () => {
    expect(new Set(METRICS.map((m) => m.id)).size).toBe(METRICS.length);
    for (const m of METRICS) {
      expect(m.statement.length).toBeGreaterThan(10);
      expect(m.statement).not.toContain("\n");
      expect(m.from.length).toBeGreaterThan(5);
      expect(m.to.length).toBeGreaterThan(5);
      expect(m.id.startsWith(`${m.endpoint}.`)).toBe(true);
    }
  });

  it("each endpoint measures its handshake apart", () => {
    for (const e of ENDPOINTS) expect(metricsOf(e).map((m) => m.id)).toContain(`${e}.handshake`);
    expect(metricDefinition("nope")).toBeUndefined();
  });
});

describe("Recorder", () => {
  it("summarizes 1..1000 ms within HDR's 0.1 %", () => {
    const r = new Recorder("ms");
    for (let i = 1; i <= 1000; i += 1) r.record(i);
    const s = r.summary()!;
    expect(s.n).toBe(1000);
    expect(s.p50).toBeCloseTo(500, -0.3);
    expect(Math.abs(s.p50 - 500)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(s.p99 - 990)).toBeLessThanOrEqual(1);
    expect(Math.abs(s.max - 1000)).toBeLessThanOrEqual(1);
    expect(s.min).toBe(1);
  });

  it("is empty until something is recorded, and refuses negative or non-finite values", () => {
    const r = new Recorder("ms");
    expect(r.summary()).toBeUndefined();
    expect(r.distribution()).toEqual([]);
    expect(() => r.record(-1)).toThrow(RangeError);
    expect(() => r.record(Number.NaN)).toThrow(RangeError);
    r.record(0);
    expect(r.summary()!.p50).toBe(0.001);
  });

  it("round-trips through its encoded form and merges", () => {
    const a = new Recorder("ratio");
    for (const v of [0.25, 0.5, 0.75, 1]) a.record(v);
    const b = Recorder.decode("ratio", a.encode());
    expect(b.summary()).toEqual(a.summary());
    b.add(a);
    expect(b.n).toBe(8);
  });

  it("property: every percentile is the nearest-rank sample quantile within 0.1 % (+1 µs), in order", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.001, max: 100_000, noNaN: true }), { minLength: 1, maxLength: 300 }), (values) => {
        const r = new Recorder("ms");
        for (const v of values) r.record(v);
        const s = r.summary()!;
        const sorted = values.map((v) => Math.max(1, Math.round(v * 1000)) / 1000).sort((x, y) => x - y);
        for (const [q, got] of [[50, s.p50], [90, s.p90], [95, s.p95], [99, s.p99], [100, s.max]] as const) {
          const want = nearestRank(sorted, q);
          expect(Math.abs(got - want)).toBeLessThanOrEqual(want * 0.001 + 0.002);
        }
        expect(s.min <= s.p50 && s.p50 <= s.p90 && s.p90 <= s.p95 && s.p95 <= s.p99 && s.p99 <= s.max).toBe(true);
        expect(s.n).toBe(values.length);
      }),
      fcOptions,
    );
  });
});
