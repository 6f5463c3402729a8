/**
 * Runs a benchmark: for each endpoint, warm-up sessions (discarded), then the measured sessions with at
 * most `concurrency` at once, every value recorded into one HDR histogram per metric.
 */
import { driverFor, type ClientName } from "../drivers/index.js";
import { metricDefinition, type Endpoint } from "../metrics/definitions.js";
import { Recorder } from "../metrics/histogram.js";
import { DEFAULT_SCENARIO, turnsPlan, v1Plan } from "../targets/scenarios.js";
import type { Target } from "../targets/target.js";
import { sttV1Session, ttsSession, turnsSession, type Pacing, type SessionValues } from "./sessions.js";

/** What to run. */
export interface RunPlan {
  endpoints: Endpoint[];
  client: ClientName;
  sessions: number;
  concurrency: number;
  warmup: number;
  pacing: Pacing;
  /** `finalize` rounds per STT v1 session. */
  rounds: number;
  /** TTS contexts per session. */
  requests: number;
  /** A scenario for every endpoint (default: the bench's own, per endpoint). */
  scenario?: string;
  /** The TTS transcript (default `TTS_TRANSCRIPT`). */
  transcript?: string;
}

/** One endpoint's outcome. */
export interface EndpointOutcome {
  endpoint: Endpoint;
  scenario: string | undefined;
  /** Set when the endpoint was not run, with the reason. */
  skipped?: string;
  sessions: { ok: number; failed: number; errors: string[] };
  recorders: Map<string, Recorder>;
}

/** Progress callback: `done` of `total` sessions (warm-up included) of an endpoint. */
export type Progress = (endpoint: Endpoint, done: number, total: number) => void;

/** Runs `task(i)` for i < n with at most `limit` at once. */
export async function pool<T>(n: number, limit: number, task: (i: number) => Promise<T>): Promise<T[]> {
  let next = 0;
  const results: T[] = new Array<T>(n);
  const worker = async () => {
    while (next < n) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, limit)) }, worker));
  return results;
}

/** Why an endpoint cannot run on this target/client, or undefined. */
function skipReason(plan: RunPlan, target: Target, endpoint: Endpoint): string | undefined {
  const reason = driverFor(plan.client).unsupported(endpoint);
  if (reason) return `${plan.client} cannot drive ${endpoint}: ${reason}`;
  if (endpoint !== "tts" && !target.scripted) {
    return "STT on a real endpoint needs real speech audio with known word timings; the bench only has the mock's scripted (silent) audio, so it is not run rather than reported as a timeout";
  }
  return undefined;
}

/** Runs one endpoint. */
export async function runEndpoint(plan: RunPlan, target: Target, endpoint: Endpoint, progress?: Progress): Promise<EndpointOutcome> {
  const scenarioName = target.scripted ? (plan.scenario ?? DEFAULT_SCENARIO[endpoint]) : undefined;
  const outcome: EndpointOutcome = { endpoint, scenario: scenarioName, sessions: { ok: 0, failed: 0, errors: [] }, recorders: new Map() };
  const skipped = skipReason(plan, target, endpoint);
  if (skipped) return { ...outcome, skipped };
  const driver = driverFor(plan.client);
  const connection = target.connection(endpoint, scenarioName);
  const scenario = scenarioName ? await target.scenario(scenarioName) : undefined;
  if (scenarioName && !scenario) throw new Error(`unknown scenario "${scenarioName}"`);
  const run = async (i: number): Promise<SessionValues> => {
    const own = await target.sessionConnection?.(endpoint, scenarioName, i);
    const c = own?.connection ?? connection;
    try {
      if (endpoint === "stt-v1") return await sttV1Session(driver, c, v1Plan(scenario!), plan.rounds, plan.pacing);
      if (endpoint === "stt-turns") return await turnsSession(driver, c, turnsPlan(scenario!), plan.pacing);
      return await ttsSession(driver, c, plan.requests, i, plan.transcript);
    } finally {
      await own?.release();
    }
  };
  const total = plan.warmup + plan.sessions;
  let done = 0;
  const attempt = async (i: number, measured: boolean) => {
    try {
      const values = await run(i);
      if (measured) {
        outcome.sessions.ok += 1;
        for (const [id, vs] of Object.entries(values)) {
          let rec = outcome.recorders.get(id);
          if (!rec) {
            rec = new Recorder(metricDefinition(id)?.unit ?? "ms");
            outcome.recorders.set(id, rec);
          }
          for (const v of vs) rec.record(Math.max(0, v));
        }
      }
    } catch (error) {
      if (measured) {
        outcome.sessions.failed += 1;
        const message = error instanceof Error ? error.message : String(error);
        if (outcome.sessions.errors.length < 5) outcome.sessions.errors.push(message);
      }
    } finally {
      done += 1;
      progress?.(endpoint, done, total);
    }
  };
  // Warm-up first (JIT, connection setup paths), excluded from every figure.
  await pool(plan.warmup, plan.concurrency, (i) => attempt(i, false));
  await pool(plan.sessions, plan.concurrency, (i) => attempt(plan.warmup + i, true));
  return outcome;
}
