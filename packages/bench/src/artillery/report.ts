/**
 * `speechwire-bench artillery report <artillery-json>`: Artillery's JSON report (its aggregate of every
 * worker's histograms and counters) as the bench's results.json, so `compare`, results.md and the charts
 * work on a distributed run as on a local one.
 */
import { versions, machine } from "../report/build.js";
import type { Results, RunResult } from "../report/schema.js";
import { ENDPOINTS, metricsOf, type Endpoint } from "../metrics/definitions.js";
import type { Summary } from "../metrics/histogram.js";
import { CLIENTS, type ClientName } from "../drivers/types.js";
import { DEFAULT_SCENARIO } from "../targets/scenarios.js";
import { describeLatency } from "../targets/target.js";
import { parseLatencyArg } from "@speechwire/mock-server";

/** One of Artillery's histogram summaries (`aggregate.summaries[name]`). */
export interface ArtillerySummary {
  min: number;
  max: number;
  count: number;
  mean: number;
  p50: number;
  p75?: number;
  p90: number;
  p95: number;
  p99: number;
  p999?: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads an Artillery JSON report's aggregate; a clear error for anything else. */
export function parseArtilleryReport(text: string, source = "report"): { counters: Record<string, number>; summaries: Record<string, ArtillerySummary>; firstMetricAt?: number; lastMetricAt?: number } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const agg = isRecord(json) ? json.aggregate : undefined;
  if (!isRecord(agg) || !isRecord(agg.counters) || !isRecord(agg.summaries)) throw new Error(`${source}: not an Artillery JSON report (no aggregate.counters and aggregate.summaries; write one with \`artillery run --output FILE\`)`);
  const counters: Record<string, number> = {};
  for (const [k, v] of Object.entries(agg.counters)) if (typeof v === "number") counters[k] = v;
  const summaries: Record<string, ArtillerySummary> = {};
  for (const [k, v] of Object.entries(agg.summaries)) {
    if (!isRecord(v)) continue;
    const need = ["min", "max", "count", "mean", "p50", "p90", "p95", "p99"];
    if (need.some((f) => typeof v[f] !== "number")) throw new Error(`${source}: aggregate.summaries["${k}"] lacks ${need.filter((f) => typeof v[f] !== "number").join(", ")}`);
    summaries[k] = v as unknown as ArtillerySummary;
  }
  const num = (v: unknown) => (typeof v === "number" ? v : undefined);
  const first = num(agg.firstMetricAt) ?? num(agg.firstCounterAt);
  const last = num(agg.lastMetricAt) ?? num(agg.lastCounterAt);
  return { counters, summaries, ...(first !== undefined ? { firstMetricAt: first } : {}), ...(last !== undefined ? { lastMetricAt: last } : {}) };
}

/** The values of `speechwire.run.<key>.<value>` counters (what the engine ran with), most sessions first. */
export function runTags(counters: Record<string, number>, key: string): string[] {
  const prefix = `speechwire.run.${key}.`;
  return Object.entries(counters)
    .filter(([k]) => k.startsWith(prefix))
    .sort((a, b) => b[1] - a[1])
    .map(([k]) => k.slice(prefix.length));
}

/**
 * An Artillery summary in the bench's terms (ratios back from thousandths). DDSketch answers a quantile
 * with its bucket's value (within 1 %), which can fall outside the exact min and max it also keeps: the
 * percentiles are clamped into [min, max], where the true ones lie, and kept in order.
 */
export function summaryOf(s: ArtillerySummary, scale: number): Summary {
  const v = (x: number) => Math.round((x / scale) * 1000) / 1000;
  const min = v(s.min);
  const max = Math.max(min, v(s.max));
  const clamp = (x: number) => Math.min(max, Math.max(min, v(x)));
  const p50 = clamp(s.p50);
  const p90 = Math.max(p50, clamp(s.p90));
  const p95 = Math.max(p90, clamp(s.p95));
  const p99 = Math.max(p95, clamp(s.p99));
  return { n: s.count, p50, p90, p95, p99, max, min, mean: Math.min(max, Math.max(min, v(s.mean))) };
}

/** Options of the conversion. */
export interface ArtilleryReportOptions {
  /** The command line recorded in results.json. */
  command: string;
  /** The report file's name, for messages. */
  source?: string;
}

/** Artillery's JSON report text → the bench's results object. */
export function artilleryResults(text: string, o: ArtilleryReportOptions): Results {
  const r = parseArtilleryReport(text, o.source);
  const { counters, summaries } = r;
  const clients = runTags(counters, "client").filter((c): c is ClientName => CLIENTS.includes(c as ClientName));
  if (clients.length > 1) throw new Error(`${o.source ?? "report"}: sessions of several clients (${clients.join(", ")}) in one report; run one client per artillery run`);
  const client: ClientName = clients[0] ?? "speechwire";
  const errorsOf = (endpoint: Endpoint) =>
    Object.entries(counters)
      .filter(([k]) => k.startsWith(`errors.${endpoint}: `))
      .map(([k, n]) => `${k.slice("errors.".length)} (×${n})`)
      .slice(0, 5);
  const runs: RunResult[] = [];
  for (const endpoint of ENDPOINTS) {
    const ok = counters[`speechwire.${endpoint}.sessions.ok`] ?? 0;
    const failed = counters[`speechwire.${endpoint}.sessions.failed`] ?? 0;
    if (ok + failed === 0) continue;
    runs.push({
      endpoint,
      client,
      scenario: DEFAULT_SCENARIO[endpoint],
      sessions: { ok, failed, errors: errorsOf(endpoint) },
      metrics: metricsOf(endpoint).map((def) => {
        const s = summaries[def.id];
        const scale = def.unit === "ratio" ? 1000 : 1;
        const summary = s && s.count > 0 ? summaryOf(s, scale) : null;
        // The chart's points, clamped and ordered like the summary.
        let floor = summary?.min ?? 0;
        const at = (x: number | undefined) => {
          if (x === undefined || !summary) return undefined;
          floor = Math.min(summary.max, Math.max(floor, Math.round((x / scale) * 1000) / 1000));
          return floor;
        };
        const points: [number, number | undefined][] = s ? [[0, at(s.min)], [50, at(s.p50)], [75, at(s.p75)], [90, at(s.p90)], [95, at(s.p95)], [99, at(s.p99)], [99.9, at(s.p999)], [100, at(s.max)]] : [];
        return {
          id: def.id,
          unit: def.unit,
          statement: def.statement,
          from: def.from,
          to: def.to,
          summary,
          distribution: summary ? points.filter((p): p is [number, number] => p[1] !== undefined).map(([percentile, value]) => ({ percentile, value })) : [],
          // Artillery keeps DDSketch sketches (1 % relative accuracy), not the bench's HDR histogram.
          histogram: "",
        };
      }),
    });
  }
  if (runs.length === 0) throw new Error(`${o.source ?? "report"}: no speechwire sessions in this report (no speechwire.<endpoint>.sessions counters: was it run with the speechwire engine?)`);
  const latencyTag = runTags(counters, "latency")[0] ?? "none";
  const parsedLatency = parseLatencyArg(latencyTag);
  const pacing = runTags(counters, "pacing")[0] === "realtime" ? "realtime" : "fast";
  const firstInt = (key: string, fallback: number) => {
    const t = runTags(counters, key)[0];
    return t !== undefined && /^\d+$/.test(t) ? Number(t) : fallback;
  };
  const target = runTags(counters, "target")[0] ?? "unknown";
  const v = versions();
  const started = r.firstMetricAt ?? Date.now();
  return {
    format: "speechwire-bench/results@1",
    command: o.command,
    startedAt: new Date(started).toISOString(),
    durationMs: r.lastMetricAt !== undefined && r.firstMetricAt !== undefined ? Math.max(0, r.lastMetricAt - r.firstMetricAt) : 0,
    environment: {
      bench: v.bench,
      clients: { [client]: v.clients[client] },
      ...machine(),
      target: `${target} (load from Artillery)`,
      latency: parsedLatency === undefined ? latencyTag : describeLatency(parsedLatency),
      seed: null,
      pacing,
      sessions: Math.max(...runs.map((x) => x.sessions.ok)),
      concurrency: Math.round(counters["vusers.created"] ?? 0),
      warmup: 0,
      rounds: firstInt("rounds", 5),
      requests: firstInt("requests", 3),
      runner: {
        tool: "artillery",
        vusers: { created: counters["vusers.created"] ?? 0, completed: counters["vusers.completed"] ?? 0, failed: counters["vusers.failed"] ?? 0 },
        sendLag: { lateFrames: counters["speechwire.send-lag.late-frames"] ?? 0, ...(summaries["speechwire.send-lag.max"] ? { maxPerSession: summaryOf(summaries["speechwire.send-lag.max"], 1) } : {}) },
        missing: Object.fromEntries(Object.entries(counters).filter(([k]) => /^speechwire\.[^.]+\.missing\./.test(k))),
        note: "Metrics are Artillery's aggregate over all its workers: DDSketch percentiles (1 % relative accuracy, rounded to 0.1 ms), no HDR histogram; the machine fields describe where `artillery report` ran, not the load generators; concurrency is the count of virtual users created.",
      },
    },
    runs,
  };
}
