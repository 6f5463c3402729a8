/**
 * The schema of results.json (Zod; `resultsJsonSchema()` gives the JSON Schema, committed as
 * schemas/results.schema.json and drift-checked by a test).
 */
import * as z from "zod";

/** Percentile summary of one metric, in its unit. */
export const summarySchema = z
  .object({
    n: z.int().nonnegative().meta({ description: "values recorded" }),
    p50: z.number(),
    p90: z.number(),
    p95: z.number(),
    p99: z.number(),
    max: z.number(),
    min: z.number(),
    mean: z.number(),
  })
  .meta({ description: "Percentiles from an HDR histogram (3 significant digits), in the metric's unit." });

/** One metric of one run. */
export const metricResultSchema = z.object({
  id: z.string().meta({ description: "e.g. stt-v1.finalize-to-final" }),
  unit: z.enum(["ms", "ratio"]),
  statement: z.string().meta({ description: "one line: what exactly is measured" }),
  from: z.string().meta({ description: "the moment the clock starts" }),
  to: z.string().meta({ description: "the moment it stops" }),
  summary: summarySchema.nullable().meta({ description: "null when no value was recorded" }),
  distribution: z.array(z.object({ percentile: z.number(), value: z.number() })).meta({ description: "value at each percentile, for charts" }),
  histogram: z.string().meta({ description: "the HDR histogram, compressed base64 (hdr-histogram-js encodeIntoCompressedBase64; values in µs or thousandths)" }),
});

/** Where an STT run's audio came from when it was synthesized by the target's TTS. */
export const speechResultSchema = z
  .object({
    source: z.literal("tts"),
    model: z.string().meta({ description: "TTS model_id of the synthesis request" }),
    voice: z.string().meta({ description: "voice id of the synthesis request" }),
    sampleRate: z.int().positive().meta({ description: "pcm_s16le sample rate of the synthesized (and streamed) audio" }),
    utterances: z
      .array(
        z.object({
          transcript: z.string(),
          speechEndSeconds: z.number().meta({ description: "the last word timestamp's end: where speech ends, seconds into the utterance's audio" }),
          audioSeconds: z.number().meta({ description: "length of the synthesized audio" }),
        }),
      )
      .meta({ description: "per utterance (v1: one per round, cycling; turns: one per turn), in order" }),
  })
  .meta({ description: "STT speech synthesized with the target's /tts/sse; speech ends taken from its word timestamps" });

/** One endpoint driven by one client. */
export const runResultSchema = z.object({
  endpoint: z.enum(["stt-v1", "stt-turns", "tts"]),
  client: z.enum(["speechwire", "cartesia-js", "raw"]),
  scenario: z.string().nullable().meta({ description: "mock scenario (null for a URL target)" }),
  skipped: z.string().optional().meta({ description: "why this endpoint was not run; then there are no metrics" }),
  sessions: z.object({ ok: z.int().nonnegative(), failed: z.int().nonnegative(), errors: z.array(z.string()) }),
  speech: speechResultSchema.optional().meta({ description: "set when the STT audio was synthesized by the target's TTS (absent: the mock's scripted audio)" }),
  metrics: z.array(metricResultSchema),
});

/** min / median / max of a ratio over runs. */
export const spreadSchema = z.object({ min: z.number(), median: z.number(), max: z.number() }).meta({ description: "min / median / max over runs" });

/** What a ratio's spread says. */
export const verdictSchema = z
  .enum(["parity", "mock slower", "mock faster", "inconclusive"])
  .meta({ description: "a side only when the whole spread over runs lies beyond [1/1.1, 1.1]; parity when its median lies in that band; inconclusive when the spread reaches into the band but its median does not" });

/** The mock's overhead on one reported metric. */
export const overheadMetricSchema = z.object({
  id: z.string().meta({ description: "the metric, as defined for runs (e.g. stt-v1.finalize-to-final)" }),
  endpoint: z.enum(["stt-v1", "stt-turns", "tts"]),
  runs: z.array(z.object({ replayP50: z.number(), mockP50: z.number(), replayP99: z.number(), mockP99: z.number() })).meta({ description: "per run: p50 and p99 of each server, ms" }),
  ratio: z.object({ p50: spreadSchema, p99: spreadSchema }).meta({ description: "mock ÷ replay per run, spread over the runs" }),
  verdict: z.object({ p50: verdictSchema, p99: verdictSchema }),
  replay: summarySchema.meta({ description: "the replay server, all runs pooled, ms" }),
  mock: summarySchema.meta({ description: "the mock, all runs pooled, ms" }),
});

/** The mock's overhead on the reported metrics, interleaved with a replay baseline. */
export const overheadSchema = z
  .object({
    method: z.string().meta({ description: "how it was measured, in one sentence" }),
    client: z.literal("raw"),
    pacing: z.literal("fast"),
    mockProcess: z.boolean().meta({ description: "mock and replay server in a child process of their own (--mock-process), else in the bench's process" }),
    runs: z.int().meta({ description: "runs the spreads are taken over" }),
    sessionsPerRun: z.int().meta({ description: "sessions on each server per run and endpoint" }),
    warmup: z.int().meta({ description: "sessions on each server first, excluded" }),
    metrics: z.array(overheadMetricSchema),
  })
  .meta({ description: "the mock's overhead on the metrics the bench reports: mock ÷ a bare ws server replaying the mock's recorded frames, sessions interleaved" });

/** The same-run baseline. */
export const baselineSchema = z.object({
  echo: summarySchema.meta({ description: "legacy: bare ws echo round trip, loopback, ms" }),
  mock: summarySchema.meta({ description: "legacy: the mock's finalize → flush_done with no latency and no audio, raw ws, ms (not a reported metric: see overhead)" }),
  ratio: z.object({ p50: z.number(), p99: z.number() }).meta({ description: "legacy: mock ÷ echo on that exchange (understates the overhead on the reported metrics: see overhead)" }),
  overhead: overheadSchema.optional().meta({ description: "the mock's overhead on the reported metrics (absent in older files and for URL targets)" }),
});

/** Where and how the run was made. */
export const environmentSchema = z.object({
  bench: z.string().meta({ description: "@speechwire/bench version" }),
  clients: z.record(z.string(), z.string()).meta({ description: "client name → version" }),
  node: z.string(),
  platform: z.string(),
  arch: z.string(),
  cpus: z.object({ count: z.int(), model: z.string() }),
  memoryGiB: z.number(),
  hostname: z.string(),
  target: z.string().meta({ description: "embedded mock, or the URL (never the key)" }),
  latency: z.string().nullable().meta({ description: "the mock's latency profile with its source (null for a URL)" }),
  seed: z.int().nullable(),
  pacing: z.enum(["realtime", "fast"]),
  sessions: z.int(),
  concurrency: z.int(),
  warmup: z.int().meta({ description: "sessions per endpoint run first and excluded" }),
  rounds: z.int().meta({ description: "finalize rounds per STT v1 session" }),
  requests: z.int().meta({ description: "TTS contexts per session" }),
  mockProcess: z.boolean().optional().meta({ description: "the embedded mock ran in a child process of its own (--mock-process); absent in older files and for URL targets" }),
  speech: z
    .object({
      source: z.enum(["scripted", "tts"]),
      model: z.string().optional().meta({ description: "TTS model of synthesized speech" }),
      voice: z.string().optional().meta({ description: "voice id of synthesized speech" }),
    })
    .optional()
    .meta({ description: "STT audio source: the mock's scripted audio, or speech synthesized by the target's TTS (absent in older files and runs without STT)" }),
  runner: z
    .object({
      tool: z.literal("artillery"),
      vusers: z.object({ created: z.number(), completed: z.number(), failed: z.number() }),
      sendLag: z
        .object({
          lateFrames: z.number().meta({ description: "audio frames handed to the client more than one frame (20 ms) behind their real-time schedule" }),
          maxPerSession: summarySchema.optional().meta({ description: "per session, the largest send lag, ms (real-time pacing only)" }),
        })
        .meta({ description: "client send lag: how far the load generators fell behind real time" }),
      missing: z.record(z.string(), z.number()).meta({ description: "counters speechwire.<endpoint>.missing.<event>: expected events that did not come in sessions that ended" }),
      note: z.string(),
    })
    .optional()
    .meta({ description: "set when the load came from Artillery (`speechwire-bench artillery report`): then the metrics are Artillery's aggregate over its workers, and there is no baseline" }),
});

/** results.json. */
export const resultsSchema = z
  .object({
    format: z.literal("speechwire-bench/results@1"),
    command: z.string(),
    startedAt: z.string().meta({ description: "ISO 8601" }),
    durationMs: z.number(),
    environment: environmentSchema,
    baseline: baselineSchema.optional().meta({ description: "absent for a run made by Artillery (the baselines are the bench's own local measurements)" }),
    runs: z.array(runResultSchema),
  })
  .meta({ title: "speechwire-bench results", description: "One benchmark run: environment, same-run baseline, and per endpoint × client the metrics with their definitions." });

/** results.json, typed. */
export type Results = z.infer<typeof resultsSchema>;
/** One run (endpoint × client). */
export type RunResult = z.infer<typeof runResultSchema>;
/** One metric result. */
export type MetricResult = z.infer<typeof metricResultSchema>;

/** The JSON Schema (draft 2020-12) of results.json. */
export function resultsJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(resultsSchema, { target: "draft-2020-12" }) as Record<string, unknown>;
}

/** Parses results.json text; a clear error message on anything else. */
export function parseResults(text: string, source = "results"): { ok: true; value: Results } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `${source}: not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const parsed = resultsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `${source}: not a speechwire-bench results file (${issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "invalid"})` };
  }
  return { ok: true, value: parsed.data };
}
