/**
 * Self-calibration against the embedded mock.
 *
 * Fixed latency: for each L the same sessions run with latency 0 and with L (two mocks with the same
 * seed, sessions alternating between them), and the error is (p_L − p_0) − L at p50 and p99. Subtracting the same-run zero-latency
 * figure removes the mock's and the client's own time, which the bench reports elsewhere.
 *
 * Fitted profile: the measured percentiles minus the zero-latency p50 are compared with the profile's
 * published points, within a tolerance computed from the sampling error of a quantile at that n
 * (3 standard errors, from the profile's density at that point), plus 1 ms for timers and the mock's
 * whole-millisecond rounding, plus HDR's 0.1 %, plus the bench's own spread at that percentile
 * (p − p50 of the same sessions at latency 0).
 */
import { LATENCY_PROFILES, type Latency } from "@speechwire/mock-server";
import type { ClientName } from "../drivers/types.js";
import type { Endpoint } from "../metrics/definitions.js";
import { Recorder } from "../metrics/histogram.js";
import { startTarget, type Target } from "../targets/target.js";
import { runEndpoint, type RunPlan } from "./runner.js";

/** The metric each endpoint's latency setting acts on. */
export const CALIBRATED_METRIC: Record<Endpoint, string> = {
  "stt-v1": "stt-v1.finalize-to-flush-done",
  "stt-turns": "stt-turns.speech-end-to-turn-end",
  tts: "tts.first-chunk",
};

/**
 * The TTS transcript of calibration runs: short, so that synthesizing and encoding its audio (the mock
 * renders a whole generation before its first chunk, on the same event loop) does not hold back the
 * latency timer being checked.
 */
export const CALIBRATION_TRANSCRIPT = "Hello there.";

/** Shared knobs of a calibration. */
export interface CalibrationLoad {
  client: ClientName;
  sessions: number;
  concurrency: number;
  rounds: number;
  requests: number;
  seed: number;
}

/** One fixed-latency check. */
export interface FixedRow {
  endpoint: Endpoint;
  metric: string;
  latencyMs: number;
  n: number;
  p50: number;
  p99: number;
  zeroP50: number;
  zeroP99: number;
  /** (p50 − zero p50) − L. */
  errorP50: number;
  /** (p99 − zero p99) − L. */
  errorP99: number;
}

/** One percentile of a fitted-profile check. */
export interface ProfileRow {
  profile: string;
  endpoint: Endpoint;
  metric: string;
  n: number;
  percentile: number;
  expected: number;
  measured: number;
  /** measured − the zero-latency p50 (the bench's own overhead). */
  corrected: number;
  error: number;
  tolerance: number;
  within: boolean;
}

async function measure(endpoint: Endpoint, latency: Latency, load: CalibrationLoad, seeds: number[]): Promise<Recorder> {
  const total = new Recorder("ms");
  // One target per seed (under a named profile each STT session also gets its own mock, see Target).
  const per = Math.max(1, Math.round(load.sessions / seeds.length));
  // One seed after another, one session at a time: concurrent sessions would add each other's work
  // to the tail being checked.
  const parts: (Recorder | undefined)[] = [];
  for (const seed of seeds) {
    const target: Target = await startTarget({ kind: "mock", latency, seed, tls: false });
    try {
      const plan: RunPlan = { endpoints: [endpoint], client: load.client, sessions: per, concurrency: 1, warmup: 1, pacing: "fast", rounds: load.rounds, requests: load.requests, transcript: CALIBRATION_TRANSCRIPT };
      const outcome = await runEndpoint(plan, target, endpoint);
      if (outcome.sessions.failed > 0) throw new Error(`calibration session failed: ${outcome.sessions.errors[0]}`);
      parts.push(outcome.recorders.get(CALIBRATED_METRIC[endpoint]));
    } finally {
      await target.close();
    }
  }
  for (const p of parts) if (p) total.add(p);
  return total;
}

/**
 * One session at a time on `target`, recorded into `into` (throws if it fails: a calibration run has
 * no failures to hide).
 */
async function oneSession(target: Target, endpoint: Endpoint, load: CalibrationLoad, into: Recorder, warmup: number): Promise<void> {
  const plan: RunPlan = { endpoints: [endpoint], client: load.client, sessions: 1, concurrency: 1, warmup, pacing: "fast", rounds: load.rounds, requests: load.requests, transcript: CALIBRATION_TRANSCRIPT };
  const outcome = await runEndpoint(plan, target, endpoint);
  if (outcome.sessions.failed > 0) throw new Error(`calibration session failed: ${outcome.sessions.errors[0]}`);
  const rec = outcome.recorders.get(CALIBRATED_METRIC[endpoint]);
  if (rec) into.add(rec);
}

/**
 * Fixed-latency calibration of `endpoints` at each of `latencies` (ms). Sessions alternate between a
 * zero-latency mock and an L mock (same seed), one at a time, so both see the same machine load even
 * when it drifts during the run.
 */
export async function calibrateFixed(endpoints: Endpoint[], latencies: number[], load: CalibrationLoad, onStep?: (s: string) => void): Promise<FixedRow[]> {
  const rows: FixedRow[] = [];
  for (const endpoint of endpoints) {
    for (const L of latencies) {
      onStep?.(`${endpoint}: latency 0 and ${L} ms, alternating`);
      const zeroTarget = await startTarget({ kind: "mock", latency: "none", seed: load.seed, tls: false });
      const lTarget = await startTarget({ kind: "mock", latency: L, seed: load.seed, tls: false });
      const zeroRec = new Recorder("ms");
      const lRec = new Recorder("ms");
      try {
        for (let i = 0; i < load.sessions; i += 1) {
          // The first session on each target also runs one warm-up session, excluded.
          await oneSession(zeroTarget, endpoint, load, zeroRec, i === 0 ? 1 : 0);
          await oneSession(lTarget, endpoint, load, lRec, i === 0 ? 1 : 0);
        }
      } finally {
        await zeroTarget.close();
        await lTarget.close();
      }
      const zero = zeroRec.summary();
      const withL = lRec.summary();
      if (!zero || !withL) throw new Error(`calibration of ${endpoint} recorded nothing`);
      rows.push({
        endpoint,
        metric: CALIBRATED_METRIC[endpoint],
        latencyMs: L,
        n: withL.n,
        p50: withL.p50,
        p99: withL.p99,
        zeroP50: zero.p50,
        zeroP99: zero.p99,
        errorP50: round3(withL.p50 - zero.p50 - L),
        errorP99: round3(withL.p99 - zero.p99 - L),
      });
    }
  }
  return rows;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

type ProfileName = keyof typeof LATENCY_PROFILES;

/** The profile's value at quantile q and its density there (the smaller one at a breakpoint). */
export function profileAt(profile: ProfileName, q: number): { value: number; density: number } {
  const points = LATENCY_PROFILES[profile].quantiles;
  let value = points[points.length - 1]![1];
  let density = Infinity;
  for (let i = 1; i < points.length; i += 1) {
    const [p0, v0] = points[i - 1]!;
    const [p1, v1] = points[i]!;
    if (q >= p0 && q <= p1) {
      if (density === Infinity) value = v0 + ((q - p0) / (p1 - p0)) * (v1 - v0);
      density = Math.min(density, (p1 - p0) / (v1 - v0));
    }
  }
  return { value, density };
}

/** The tolerance for the q-quantile of n draws of a profile: 3 standard errors + 1 ms + 0.1 %. */
export function quantileTolerance(profile: ProfileName, q: number, n: number): number {
  const { value, density } = profileAt(profile, q);
  const se = Math.sqrt((q * (1 - q)) / n) / density;
  return round3(3 * se + 1 + value * 0.001);
}

/** Fitted-profile calibration: percentiles 50/95/99 of `profile` recovered on `endpoint`. */
export async function calibrateProfile(endpoint: Endpoint, profile: ProfileName, load: CalibrationLoad, seeds: number, onStep?: (s: string) => void): Promise<ProfileRow[]> {
  if (endpoint === "stt-turns") throw new Error("profile calibration runs on stt-v1 or tts (a turns session has only a few turn ends)");
  const seedList = Array.from({ length: seeds }, (_, i) => load.seed + i);
  // STT: one session per seed, since sessions of one STT mock repeat the seed's draws.
  const sized = endpoint === "tts" ? load : { ...load, sessions: seeds, concurrency: 1 };
  onStep?.(`${endpoint}: profile ${profile} (${seeds} seeds) and latency 0`);
  const zero = (await measure(endpoint, "none", sized, seedList)).summary();
  const rec = await measure(endpoint, profile, sized, seedList);
  const s = rec.summary();
  if (!zero || !s) throw new Error(`calibration of ${endpoint} recorded nothing`);
  return ([
    [50, s.p50, zero.p50],
    [95, s.p95, zero.p95],
    [99, s.p99, zero.p99],
  ] as const).map(([pct, measured, zeroAtPct]) => {
    const expected = profileAt(profile, pct / 100).value;
    const corrected = round3(measured - zero.p50);
    // Plus the bench's own spread at this percentile, measured in the same run at latency 0.
    const tolerance = round3(quantileTolerance(profile, pct / 100, s.n) + (zeroAtPct - zero.p50));
    const error = round3(corrected - expected);
    return { profile, endpoint, metric: CALIBRATED_METRIC[endpoint], n: s.n, percentile: pct, expected, measured, corrected, error, tolerance, within: Math.abs(error) <= tolerance };
  });
}
