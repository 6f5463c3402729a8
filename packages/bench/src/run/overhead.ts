/**
 * The mock's overhead on the metrics the bench reports: the same session scripts (raw `ws` client,
 * fast pacing, the bench's scenarios) against the mock (latency none) and against a replay server
 * that sends the mock's recorded frames for the same input (`replay.ts`), one session on each in
 * turn (order swapped every pair, so a drift in machine load hits both), in several runs. Ratios
 * mock ÷ replay at p50 and p99 per run; reported as min / median / max over the runs.
 */
import { startMockServer } from "@speechwire/mock-server";
import { rawDriver } from "../drivers/raw.js";
import type { Connection } from "../drivers/types.js";
import { metricDefinition, type Endpoint } from "../metrics/definitions.js";
import { Recorder, type Summary } from "../metrics/histogram.js";
import { BENCH_SCENARIOS, DEFAULT_SCENARIO, turnsPlan, v1Plan } from "../targets/scenarios.js";
import { BENCH_VERSION } from "../targets/target.js";
import { ServerProcess } from "./child.js";
import { startRecorder, startReplay, type Recording } from "./replay.js";
import { sttV1Session, ttsSession, turnsSession, type SessionValues } from "./sessions.js";

/** The metrics the overhead is measured on: each endpoint's headline metric as the bench reports it. */
export const OVERHEAD_METRICS = ["stt-v1.finalize-to-final", "stt-turns.speech-end-to-turn-end", "tts.first-chunk"] as const;

/** Spread of a ratio over runs. */
export interface Spread {
  min: number;
  median: number;
  max: number;
}

/**
 * What a spread of ratios over runs says. A side only when the whole spread lies beyond the parity band
 * [1/1.1, 1.1]; parity when its median lies in the band (a ratio near 1 is parity, not a win or a loss);
 * inconclusive when the spread reaches into the band but its median lies outside (noise decides).
 */
export type Verdict = "parity" | "mock slower" | "mock faster" | "inconclusive";

/** One metric's overhead. */
export interface OverheadMetric {
  id: string;
  endpoint: Endpoint;
  /** mock ÷ replay per run at p50 and p99, and their spread over the runs. */
  runs: { replayP50: number; mockP50: number; replayP99: number; mockP99: number }[];
  ratio: { p50: Spread; p99: Spread };
  verdict: { p50: Verdict; p99: Verdict };
  /** All runs pooled. */
  replay: Summary;
  mock: Summary;
}

/** The overhead block of results.json. */
export interface Overhead {
  method: string;
  client: "raw";
  pacing: "fast";
  mockProcess: boolean;
  runs: number;
  sessionsPerRun: number;
  warmup: number;
  metrics: OverheadMetric[];
}

/** Options of the overhead measurement. */
export interface OverheadOptions {
  /** Runs (≥ 1; spreads need ≥ 3). */
  runs: number;
  /** Sessions on each server per run and endpoint. */
  sessions: number;
  /** Sessions on each server before the first run, excluded. */
  warmup: number;
  /** Mock and replay server in a child process instead of this one. */
  mockProcess: boolean;
  rounds: number;
  requests: number;
  endpoints?: Endpoint[];
  seed?: number;
}

/** The band within which a ratio counts as parity. */
export const PARITY_BAND = 1.1;

/** The verdict of a spread (see `Verdict`). */
export function verdictOf(s: Spread): Verdict {
  return sideOf(s, "mock slower", "mock faster");
}

/** The verdict of a spread, with the names of its two sides. */
export function sideOf<S extends string, F extends string>(s: Spread, slower: S, faster: F): S | F | "parity" | "inconclusive" {
  if (s.min > PARITY_BAND) return slower;
  if (s.max < 1 / PARITY_BAND) return faster;
  if (s.median >= 1 / PARITY_BAND && s.median <= PARITY_BAND) return "parity";
  return "inconclusive";
}

/** min / median / max of values (median of an even count: the mean of the middle two). */
export function spreadOf(values: number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length / 2;
  const median = s.length % 2 === 1 ? (s[Math.floor(mid)] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  return { min: s[0] as number, median, max: s[s.length - 1] as number };
}

const connectionAt = (http: string, scenario: string): Connection => ({ baseUrl: `${http}/s/${encodeURIComponent(scenario)}`, apiKey: "sk_car_bench", version: BENCH_VERSION });

function session(endpoint: Endpoint, c: Connection, o: OverheadOptions, index: number): Promise<SessionValues> {
  const scenario = BENCH_SCENARIOS.find((s) => s.name === DEFAULT_SCENARIO[endpoint]);
  if (!scenario) throw new Error(`no scenario ${DEFAULT_SCENARIO[endpoint]}`);
  if (endpoint === "stt-v1") return sttV1Session(rawDriver, c, v1Plan(scenario), o.rounds, "fast");
  if (endpoint === "stt-turns") return turnsSession(rawDriver, c, turnsPlan(scenario), "fast");
  return ttsSession(rawDriver, c, o.requests, index);
}

/** Measures the mock's overhead over the replay server on `OVERHEAD_METRICS`, interleaved, in `runs` runs. */
export async function measureOverhead(o: OverheadOptions): Promise<Overhead> {
  const endpoints = o.endpoints ?? (["stt-v1", "stt-turns", "tts"] as Endpoint[]);
  const child = o.mockProcess ? await ServerProcess.start() : undefined;
  const closers: (() => Promise<void>)[] = [];
  try {
    const mock = child ? await child.mock("none", o.seed ?? 1, false) : await startMockServer({ host: "127.0.0.1", port: 0, tlsPort: false, seed: o.seed ?? 1, latency: "none", scenarios: BENCH_SCENARIOS });
    closers.push(() => mock.close());
    // Record one session per endpoint through a proxy (not timed), then serve the recordings bare.
    const recorder = await startRecorder(mock.urls.ws);
    const recordings: Recording[] = [];
    try {
      for (const endpoint of endpoints) {
        const before = recorder.recordings.length;
        await session(endpoint, connectionAt(`http://127.0.0.1:${recorder.port}`, DEFAULT_SCENARIO[endpoint]), o, 0);
        const rec = recorder.recordings[before];
        if (rec) recordings.push(rec);
      }
    } finally {
      await recorder.close();
    }
    const replay = child ? await child.replay(recordings) : await startReplay(recordings).then((r) => ({ urls: { http: `http://127.0.0.1:${r.port}` }, close: r.close }));
    closers.push(() => replay.close());
    const servers = { mock: mock.urls.http, replay: replay.urls.http };
    const metrics: OverheadMetric[] = [];
    for (const endpoint of endpoints) {
      const ids = OVERHEAD_METRICS.filter((id) => id.startsWith(`${endpoint}.`));
      const pooled = { mock: new Map<string, Recorder>(), replay: new Map<string, Recorder>() };
      const perRun: Map<string, OverheadMetric["runs"]> = new Map(ids.map((id) => [id, []]));
      const recorderOf = (m: Map<string, Recorder>, id: string) => {
        let r = m.get(id);
        if (!r) m.set(id, (r = new Recorder(metricDefinition(id)?.unit ?? "ms")));
        return r;
      };
      let index = 0;
      for (let w = 0; w < o.warmup; w += 1) {
        for (const which of ["replay", "mock"] as const) await session(endpoint, connectionAt(servers[which], DEFAULT_SCENARIO[endpoint]), o, index++);
      }
      for (let run = 0; run < o.runs; run += 1) {
        const now = { mock: new Map<string, Recorder>(), replay: new Map<string, Recorder>() };
        for (let i = 0; i < o.sessions; i += 1) {
          // Alternate which server goes first, so neither always runs right after the other.
          const order = (i + run) % 2 === 0 ? (["replay", "mock"] as const) : (["mock", "replay"] as const);
          for (const which of order) {
            const values = await session(endpoint, connectionAt(servers[which], DEFAULT_SCENARIO[endpoint]), o, index++);
            for (const id of ids) {
              for (const v of values[id] ?? []) {
                recorderOf(now[which], id).record(Math.max(0, v));
                recorderOf(pooled[which], id).record(Math.max(0, v));
              }
            }
          }
        }
        for (const id of ids) {
          const m = now.mock.get(id)?.summary();
          const r = now.replay.get(id)?.summary();
          if (m && r) perRun.get(id)?.push({ replayP50: r.p50, mockP50: m.p50, replayP99: r.p99, mockP99: m.p99 });
        }
      }
      for (const id of ids) {
        const runs = perRun.get(id) ?? [];
        const m = pooled.mock.get(id)?.summary();
        const r = pooled.replay.get(id)?.summary();
        if (!m || !r || runs.length === 0) continue;
        const p50 = spreadOf(runs.map((x) => x.mockP50 / x.replayP50));
        const p99 = spreadOf(runs.map((x) => x.mockP99 / x.replayP99));
        metrics.push({ id, endpoint, runs, ratio: { p50, p99 }, verdict: { p50: verdictOf(p50), p99: verdictOf(p99) }, replay: r, mock: m });
      }
    }
    return {
      method:
        "mock (latency none) vs a bare ws server replaying the mock's recorded frames for the same input; same session scripts, raw ws client, fast pacing, one session on each in turn (order swapped every pair); ratio mock ÷ replay per run",
      client: "raw",
      pacing: "fast",
      mockProcess: o.mockProcess,
      runs: o.runs,
      sessionsPerRun: o.sessions,
      warmup: o.warmup,
      metrics,
    };
  } finally {
    for (const close of closers.reverse()) await close().catch(() => {});
    await child?.close();
  }
}
