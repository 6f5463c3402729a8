/** One benchmark run from options to results: baseline, target, every endpoint × client. */
import { performance } from "node:perf_hooks";
import type { Latency } from "@speechwire/mock-server";
import type { ClientName } from "../drivers/types.js";
import type { Endpoint } from "../metrics/definitions.js";
import { baselineResult, machine, runResult, versions } from "../report/build.js";
import type { Results } from "../report/schema.js";
import { describeLatency, startTarget, type TargetSpec } from "../targets/target.js";
import { DEFAULT_SPEECH_VOICE, SpeechCache, type SpeechSource } from "../targets/speech.js";
import { measureBaseline } from "./baseline.js";
import { measureOverhead, type Overhead } from "./overhead.js";
import { runEndpoint, speechOf, type RunPlan } from "./runner.js";

/** Everything a run needs: the per-endpoint plan of `RunPlan`, for several clients and a target. */
export interface BenchOptions
  extends Pick<RunPlan, "endpoints" | "sessions" | "concurrency" | "warmup" | "pacing" | "rounds" | "requests" | "scenario" | "speech" | "voice"> {
  command: string;
  clients: ClientName[];
  /** "mock" or an http(s) URL. */
  target: string;
  apiKey?: string;
  /** The admin key of a speechwire mock in strict mode at a URL target (loads the bench's scenarios). */
  adminKey?: string;
  latency: Latency;
  seed: number;
  /** Round trips of each baseline. */
  baselineN?: number;
  /** The embedded mock (and the overhead's servers) in a child process of their own. */
  mockProcess?: boolean;
  /** Runs and sessions per run of the overhead measurement (runs 0: skip it). Default 3 × 30. */
  overhead?: { runs: number; sessions: number };
  onProgress?: (endpoint: Endpoint, done: number, total: number, client: ClientName) => void;
  onPhase?: (phase: string) => void;
}

/** Runs the benchmark and returns results.json's object. */
export async function runBench(o: BenchOptions): Promise<Results> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  o.onPhase?.("baseline: ws echo and mock round trips");
  const baseline = await measureBaseline(o.baselineN ?? 1000, Math.min(200, Math.ceil((o.baselineN ?? 1000) / 5)));
  const mock = o.target === "mock";
  if (!mock && !o.apiKey) throw new Error("a URL target needs --api-key (or CARTESIA_API_KEY)");
  const ov = o.overhead ?? { runs: 3, sessions: 30 };
  let overhead: Overhead | undefined;
  if (mock && ov.runs > 0) {
    o.onPhase?.(`overhead: mock vs replay on the reported metrics, ${ov.runs} runs × ${ov.sessions} sessions each, interleaved${o.mockProcess ? ", servers in a child process" : ""}`);
    overhead = await measureOverhead({ runs: ov.runs, sessions: ov.sessions, warmup: 3, mockProcess: o.mockProcess === true, rounds: o.rounds, requests: o.requests, endpoints: o.endpoints, seed: o.seed });
  }
  const spec: TargetSpec = mock
    ? { kind: "mock", latency: o.latency, seed: o.seed, tls: o.clients.includes("cartesia-js") && o.endpoints.includes("tts"), ...(o.mockProcess ? { process: true } : {}) }
    : { kind: "url", url: o.target, apiKey: o.apiKey as string, ...(o.adminKey ? { adminKey: o.adminKey } : {}) };
  const runs: Results["runs"] = [];
  let description = o.target;
  let speech: SpeechSource | undefined;
  const voice = o.voice ?? DEFAULT_SPEECH_VOICE;
  // One cache for the run: every client hears the same synthesized speech, synthesized once.
  const speechCache = new SpeechCache();
  for (const client of o.clients) {
    // A fresh target per client: every client sees the same seeded mock from its first session.
    const target = await startTarget(spec);
    description = target.description;
    if (o.endpoints.some((e) => e !== "tts")) speech = speechOf(o, target);
    try {
      for (const endpoint of o.endpoints) {
        o.onPhase?.(`${endpoint} with ${client}`);
        const outcome = await runEndpoint(
          { endpoints: [endpoint], client, sessions: o.sessions, concurrency: o.concurrency, warmup: o.warmup, pacing: o.pacing, rounds: o.rounds, requests: o.requests, ...(o.scenario ? { scenario: o.scenario } : {}), ...(o.speech ? { speech: o.speech } : {}), voice, speechCache },
          target,
          endpoint,
          (ep, done, total) => o.onProgress?.(ep, done, total, client),
        );
        runs.push(runResult(outcome, client));
      }
    } finally {
      await target.close();
    }
  }
  const v = versions();
  return {
    format: "speechwire-bench/results@1",
    command: o.command,
    startedAt,
    durationMs: Math.round(performance.now() - t0),
    environment: {
      bench: v.bench,
      clients: Object.fromEntries(o.clients.map((c) => [c, v.clients[c]])),
      ...machine(),
      target: description,
      latency: mock ? describeLatency(o.latency) : null,
      seed: mock ? o.seed : null,
      pacing: o.pacing,
      sessions: o.sessions,
      concurrency: o.concurrency,
      warmup: o.warmup,
      rounds: o.rounds,
      requests: o.requests,
      ...(mock ? { mockProcess: o.mockProcess === true } : {}),
      ...(speech ? { speech: speech === "tts" ? { source: speech, model: voice.model, voice: voice.voice } : { source: speech } } : {}),
    },
    baseline: baselineResult(baseline, overhead),
    runs,
  };
}
