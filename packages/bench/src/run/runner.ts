/**
 * Runs a benchmark: for each endpoint, warm-up sessions (discarded), then the measured sessions with at
 * most `concurrency` at once, every value recorded into one HDR histogram per metric.
 */
import { driverFor, type ClientName } from "../drivers/index.js";
import { metricDefinition, type Endpoint } from "../metrics/definitions.js";
import { Recorder } from "../metrics/histogram.js";
import { DEFAULT_SCENARIO, SAMPLE_RATE, SPEECH_SCENARIO, turnsPlan, v1Plan, type TurnsPlan, type V1Plan } from "../targets/scenarios.js";
import { DEFAULT_SPEECH_VOICE, SPEECH_TRANSCRIPTS, SpeechCache, speechTurnsPlan, speechV1Plan, type SpeechSource, type SpeechVoice } from "../targets/speech.js";
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
  /**
   * STT audio: the mock's scripted silence, or speech synthesized by the target's TTS (default:
   * `scripted` on a target that follows the mock's scenarios, `tts` on any other URL).
   */
  speech?: SpeechSource;
  /** TTS model and voice of synthesized speech (default `DEFAULT_SPEECH_VOICE`). */
  voice?: SpeechVoice;
  /** Synthesized speech shared across endpoints and clients of a run (default: one per call). */
  speechCache?: SpeechCache;
}

/** Where an STT run's synthesized speech came from (results: `speech` of the run). */
export interface SpeechRecord {
  source: "tts";
  model: string;
  voice: string;
  sampleRate: number;
  utterances: { transcript: string; speechEndSeconds: number; audioSeconds: number }[];
}

/** One endpoint's outcome. */
export interface EndpointOutcome {
  endpoint: Endpoint;
  scenario: string | undefined;
  /** Set when the endpoint was not run, with the reason. */
  skipped?: string;
  sessions: { ok: number; failed: number; errors: string[] };
  recorders: Map<string, Recorder>;
  /** Set when the STT audio was synthesized by the target's TTS. */
  speech?: SpeechRecord;
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
  if (endpoint !== "tts" && !target.scripted && speechOf(plan, target) === "scripted") {
    return "STT on a real endpoint needs real speech with known word timings, and --speech scripted gives the mock's scripted silence, which a recognizer would not transcribe; run it with --speech tts (the default for a URL)";
  }
  return undefined;
}

/** The STT speech source of a plan on a target. */
export function speechOf(plan: Pick<RunPlan, "speech">, target: Pick<Target, "scripted">): SpeechSource {
  return plan.speech ?? (target.scripted ? "scripted" : "tts");
}

/**
 * Synthesizes the endpoint's transcripts with the target's TTS (through the cache) and lays out the
 * audio plan. Runs before any session, outside every timed span.
 */
async function synthesizedPlan(plan: RunPlan, target: Target, endpoint: "stt-v1" | "stt-turns"): Promise<{ v1?: V1Plan; turns?: TurnsPlan; record: SpeechRecord }> {
  const voice = plan.voice ?? DEFAULT_SPEECH_VOICE;
  const cache = plan.speechCache ?? new SpeechCache();
  // Synthesis itself uses the mock's plain TTS scenario on a scripted target.
  const connection = target.connection("tts", target.scripted ? DEFAULT_SCENARIO.tts : undefined);
  const speech = [];
  for (const transcript of SPEECH_TRANSCRIPTS[endpoint]) speech.push(await cache.get(target.description, connection, transcript, voice, SAMPLE_RATE));
  const record: SpeechRecord = {
    source: "tts",
    model: voice.model,
    voice: voice.voice,
    sampleRate: SAMPLE_RATE,
    utterances: speech.map((s) => ({ transcript: s.transcript, speechEndSeconds: s.speechEnd, audioSeconds: s.audio.length / 2 / s.sampleRate })),
  };
  return endpoint === "stt-v1" ? { v1: speechV1Plan(speech), record } : { turns: speechTurnsPlan(speech), record };
}

/** Runs one endpoint. */
export async function runEndpoint(plan: RunPlan, target: Target, endpoint: Endpoint, progress?: Progress): Promise<EndpointOutcome> {
  const synthesized = endpoint !== "tts" && speechOf(plan, target) === "tts";
  const scenarioName = target.scripted ? (plan.scenario ?? (synthesized ? SPEECH_SCENARIO : DEFAULT_SCENARIO)[endpoint]) : undefined;
  const outcome: EndpointOutcome = { endpoint, scenario: scenarioName, sessions: { ok: 0, failed: 0, errors: [] }, recorders: new Map() };
  const skipped = skipReason(plan, target, endpoint);
  if (skipped) return { ...outcome, skipped };
  const driver = driverFor(plan.client);
  const connection = target.connection(endpoint, scenarioName);
  const scenario = scenarioName ? await target.scenario(scenarioName) : undefined;
  if (scenarioName && !scenario) throw new Error(`unknown scenario "${scenarioName}"`);
  let speechPlan: Awaited<ReturnType<typeof synthesizedPlan>> | undefined;
  if (synthesized) {
    try {
      speechPlan = await synthesizedPlan(plan, target, endpoint);
    } catch (error) {
      // No speech, no session: every measured session counts as failed, with the reason.
      const message = error instanceof Error ? error.message : String(error);
      return { ...outcome, sessions: { ok: 0, failed: plan.sessions, errors: [message] } };
    }
    outcome.speech = speechPlan.record;
  }
  const run = async (i: number): Promise<SessionValues> => {
    const own = await target.sessionConnection?.(endpoint, scenarioName, i);
    const c = own?.connection ?? connection;
    try {
      if (endpoint === "stt-v1") return await sttV1Session(driver, c, speechPlan?.v1 ?? v1Plan(scenario!), plan.rounds, plan.pacing);
      if (endpoint === "stt-turns") return await turnsSession(driver, c, speechPlan?.turns ?? turnsPlan(scenario!), plan.pacing);
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
