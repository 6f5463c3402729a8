/**
 * HDR recording and the percentile summary. Milliseconds are recorded in microseconds and ratios in
 * thousandths, both with 3 significant digits (a relative error of at most 0.1 %, e.g. ±0.12 ms at
 * 120 ms), so the same values give the same summary on any machine.
 */
import hdr from "hdr-histogram-js";
import type { MetricUnit } from "./definitions.js";

/** Recorded units per value: µs per ms, or thousandths per ratio. */
const SCALE = 1000;
const HIGHEST = 3_600_000_000;

/** p50/p90/p95/p99/max, min, mean and n of one metric, in the metric's unit. */
export interface Summary {
  n: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  min: number;
  mean: number;
}

/** One point of the percentile distribution (for the charts). */
export interface DistributionPoint {
  percentile: number;
  value: number;
}

const build = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST, numberOfSignificantValueDigits: 3, useWebAssembly: false });

/** Records the values of one metric into an HDR histogram. */
export class Recorder {
  readonly unit: MetricUnit;
  readonly #h = build();

  constructor(unit: MetricUnit) {
    this.unit = unit;
  }

  /** Records one value (ms or ratio); negative or non-finite values throw (a bug upstream). */
  record(value: number): void {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`cannot record ${value}`);
    // HDR's lowest discernible value is 1 unit: 0 is recorded as 1 µs (or 0.001).
    this.#h.recordValue(Math.min(HIGHEST, Math.max(1, Math.round(value * SCALE))));
  }

  /** How many values were recorded. */
  get n(): number {
    return this.#h.totalCount;
  }

  /** Adds another recorder's values. */
  add(other: Recorder): void {
    this.#h.add(other.#h);
  }

  /** The summary, or undefined when nothing was recorded. */
  summary(): Summary | undefined {
    const h = this.#h;
    if (h.totalCount === 0) return undefined;
    const v = (x: number) => Math.round(x) / SCALE;
    return {
      n: h.totalCount,
      p50: v(h.getValueAtPercentile(50)),
      p90: v(h.getValueAtPercentile(90)),
      p95: v(h.getValueAtPercentile(95)),
      p99: v(h.getValueAtPercentile(99)),
      // Like the percentiles, the highest value equivalent to the largest recorded (so max ≥ p99 always).
      max: v(h.getValueAtPercentile(100)),
      min: v(h.minNonZeroValue),
      mean: Math.round(h.mean) / SCALE,
    };
  }

  /** The value at each of `percentiles` (0–100), for charts. */
  distribution(percentiles: readonly number[] = DEFAULT_PERCENTILES): DistributionPoint[] {
    if (this.#h.totalCount === 0) return [];
    return percentiles.map((p) => ({ percentile: p, value: Math.round(this.#h.getValueAtPercentile(p)) / SCALE }));
  }

  /** The histogram in HDR's compressed base64 form (results.json keeps it; `Recorder.decode` reads it back). */
  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.#h);
  }

  /** A recorder from `encode()`'s output; throws on text that is not an encoded histogram. */
  static decode(unit: MetricUnit, encoded: string): Recorder {
    const r = new Recorder(unit);
    r.#h.add(hdr.decodeFromCompressedBase64(encoded, 32, false));
    return r;
  }
}

/** Percentiles plotted in the charts: dense in the tail. */
export const DEFAULT_PERCENTILES = [0, 1, 5, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95, 96, 97, 98, 99, 99.5, 99.9, 100] as const;
