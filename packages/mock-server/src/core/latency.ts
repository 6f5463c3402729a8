/**
 * Latency profiles: seeded delays added to finalize → final, speech end → `turn.end` and
 * request → first TTS chunk. Off by default. Named profiles are fitted to published percentiles
 * (piecewise-linear inverse CDF through the points), with their source beside each.
 */
import * as z from "zod";
import type { Rng } from "./random.js";

/** A point of a distribution: the `p`-quantile is `ms`. */
type Quantile = readonly [p: number, ms: number];

/** A named profile: quantile points and where they come from. */
export interface NamedProfile {
  quantiles: readonly Quantile[];
  source: string;
}

/** Profiles fitted to published figures (see the README's latency section). */
export const LATENCY_PROFILES = {
  // p50 120 / p95 166 / p99 189 ms over 30 days, handshake excluded (an independent monitor of ink-2).
  "ink-2-30d": {
    quantiles: [[0, 80], [0.5, 120], [0.95, 166], [0.99, 189], [1, 210]],
    source: "independent 30-day monitor of ink-2: p50 120, p95 166, p99 189 ms, handshake excluded",
  },
  // 299 / 328 / 1584 ms median / p95 / p99 from an open benchmark anchored on voice-activity end.
  "ink-2-vad": {
    quantiles: [[0, 250], [0.5, 299], [0.95, 328], [0.99, 1584], [1, 1700]],
    source: "open STT benchmark anchored on VAD end: ink-2 median 299, p95 328, p99 1584 ms",
  },
  // 266 / 364 / 898 ms median / p95 / p99, same benchmark.
  "ink-whisper-vad": {
    quantiles: [[0, 200], [0.5, 266], [0.95, 364], [0.99, 898], [1, 1000]],
    source: "open STT benchmark anchored on VAD end: ink-whisper median 266, p95 364, p99 898 ms",
  },
  // First audio 285 / 361 / 426 ms (p50 / p95 / p99).
  "sonic-3.5-first-audio": {
    quantiles: [[0, 230], [0.5, 285], [0.95, 361], [0.99, 426], [1, 470]],
    source: "published sonic-3.5 time to first audio: p50 285, p95 361, p99 426 ms",
  },
} as const satisfies Record<string, NamedProfile>;

/** The name of a built-in profile. */
export type ProfileName = keyof typeof LATENCY_PROFILES;

/** A latency setting: none, a fixed number of milliseconds, or a named profile. */
export const latencySchema = z.union([
  z.literal("none"),
  z.number().nonnegative().meta({ description: "a fixed delay in milliseconds" }),
  z.enum(Object.keys(LATENCY_PROFILES) as [ProfileName, ...ProfileName[]]),
]);
/** A latency setting. */
export type Latency = z.infer<typeof latencySchema>;

/** Draws one delay in milliseconds. */
export function sampleLatency(latency: Latency | undefined, rng: Rng): number {
  if (latency === undefined || latency === "none") return 0;
  if (typeof latency === "number") return latency;
  return quantileAt(LATENCY_PROFILES[latency].quantiles, rng.next());
}

/** The value at probability `u` of a piecewise-linear inverse CDF. */
export function quantileAt(points: readonly Quantile[], u: number): number {
  for (let i = 1; i < points.length; i += 1) {
    const [p1, v1] = points[i] as Quantile;
    const [p0, v0] = points[i - 1] as Quantile;
    if (u <= p1) return v0 + ((u - p0) / (p1 - p0)) * (v1 - v0);
  }
  return (points[points.length - 1] as Quantile)[1];
}

/** Parses a CLI latency argument: `none`, a number of ms, or a profile name. */
export function parseLatencyArg(text: string): Latency | undefined {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const parsed = latencySchema.safeParse(text);
  return parsed.success ? parsed.data : undefined;
}
