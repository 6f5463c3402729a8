/** The console table and results.md. */
import { fullCommand } from "../command.js";
import { metricDefinition } from "../metrics/definitions.js";
import type { Summary } from "../metrics/histogram.js";
import type { Results } from "./schema.js";

/** A number for a table cell. */
export const fmt = (v: number | undefined, digits = 2): string => (v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(digits));

/** A plain-text table (first column left-aligned, the rest right-aligned). */
export function textTable(headers: string[], rows: string[][]): string {
  const cells = [headers, ...rows];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join("  ");
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** A Markdown table. */
export function mdTable(headers: string[], rows: string[][]): string {
  return [`| ${headers.join(" | ")} |`, `| ${headers.map((_, i) => (i < 2 ? "---" : "---:")).join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

const HEAD = ["metric", "client", "n", "p50", "p90", "p95", "p99", "max", "unit"];
const row = (id: string, client: string, s: Summary | null, unit: string, digits: number) =>
  s ? [id, client, String(s.n), fmt(s.p50, digits), fmt(s.p90, digits), fmt(s.p95, digits), fmt(s.p99, digits), fmt(s.max, digits), unit] : [id, client, "0", "–", "–", "–", "–", "–", unit];

/** The rows of the main table: metric by metric, each client beside the others; skipped runs last. */
export function resultRows(results: Results): string[][] {
  const rows: string[][] = [];
  const ids = [...new Set(results.runs.flatMap((r) => r.metrics.map((m) => m.id)))];
  for (const id of ids) {
    for (const run of results.runs) {
      const m = run.metrics.find((x) => x.id === id);
      if (m) rows.push(row(m.id, run.client, m.summary, m.unit, m.unit === "ratio" ? 3 : 2));
    }
  }
  for (const run of results.runs) if (run.skipped) rows.push([`${run.endpoint} (skipped)`, run.client, "–", "–", "–", "–", "–", "–", ""]);
  return rows;
}

function baselineRows(results: Results): string[][] {
  const b = results.baseline;
  if (!b) return [];
  return [row("baseline.ws-echo", "raw", b.echo, "ms", 3), row("baseline.mock-round-trip", "raw", b.mock, "ms", 3)];
}

/** One line per run whose STT speech was synthesized: source, model, voice, and each transcript with its speech end. */
export function speechLines(results: Results): string[] {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const run of results.runs) {
    const sp = run.speech;
    if (!sp || seen.has(run.endpoint)) continue;
    seen.add(run.endpoint);
    const utterances = sp.utterances.map((u) => `"${u.transcript}" (speech ends ${u.speechEndSeconds.toFixed(3)} s of ${u.audioSeconds.toFixed(3)} s)`).join(", ");
    lines.push(`${run.endpoint} speech: synthesized by the target's TTS (${sp.model}, voice ${sp.voice}, pcm_s16le ${sp.sampleRate} Hz; speech end = last word timestamp's end): ${utterances}`);
  }
  return lines;
}

const x = (v: number) => `${fmt(v)}×`;

/** The overhead rows: per metric, p50 and p99 of each server (pooled) and mock ÷ replay as min / median / max over runs. */
export function overheadRows(results: Results): string[][] {
  const o = results.baseline?.overhead;
  if (!o) return [];
  return o.metrics.map((m) => [
    m.id,
    `${fmt(m.replay.p50, 3)} / ${fmt(m.replay.p99, 3)}`,
    `${fmt(m.mock.p50, 3)} / ${fmt(m.mock.p99, 3)}`,
    `${x(m.ratio.p50.min)} / ${x(m.ratio.p50.median)} / ${x(m.ratio.p50.max)}`,
    m.verdict.p50,
    `${x(m.ratio.p99.min)} / ${x(m.ratio.p99.median)} / ${x(m.ratio.p99.max)}`,
    m.verdict.p99,
  ]);
}

/** Headers of `overheadRows`. */
export const OVERHEAD_HEAD = ["metric", "replay p50 / p99 ms", "mock p50 / p99 ms", "mock ÷ replay p50 (min / median / max)", "p50", "mock ÷ replay p99 (min / median / max)", "p99"];

/** One sentence: how the overhead was measured. */
export function overheadSentence(results: Results): string {
  const o = results.baseline?.overhead;
  if (!o) return "";
  return `Mock overhead on the reported metrics (${o.runs} runs × ${o.sessionsPerRun} sessions on each server, interleaved, after ${o.warmup} warm-up; raw ws client, fast pacing; mock and replay server ${o.mockProcess ? "in a child process of their own" : "in the bench's process"}): mock (latency none) ÷ a bare ws server replaying the mock's recorded frames; verdict: a side only when the whole spread over runs lies beyond [0.91, 1.1]×, parity when its median lies in that band, else inconclusive.`;
}

/** Lines about a run made by Artillery: virtual users, send lag, missing events, how to read the figures. */
export function runnerLines(results: Results): string[] {
  const r = results.environment.runner;
  if (!r) return [];
  const lag = r.sendLag.maxPerSession ? `, largest send lag per session p50 ${fmt(r.sendLag.maxPerSession.p50)} / p99 ${fmt(r.sendLag.maxPerSession.p99)} ms` : "";
  const missing = Object.entries(r.missing).map(([k, n]) => `${k} ${n}`).join(", ");
  return [
    `load from Artillery: ${r.vusers.created} virtual users created, ${r.vusers.completed} completed, ${r.vusers.failed} failed; ${r.sendLag.lateFrames} audio frames sent more than 20 ms late${lag}; missing events: ${missing || "none"}.`,
    r.note,
  ];
}

/** The console report. */
export function consoleReport(results: Results): string {
  const e = results.environment;
  const lines = [
    `${fullCommand(results.command)} — target ${e.target}; latency ${e.latency ?? "n/a"}; seed ${e.seed ?? "n/a"}; pacing ${e.pacing}; ${e.sessions} sessions (+${e.warmup} warm-up) at concurrency ${e.concurrency}`,
    "",
    textTable(HEAD, [...resultRows(results), ...baselineRows(results)]),
    "",
    ...(results.baseline?.overhead ? [overheadSentence(results), "", textTable(OVERHEAD_HEAD, overheadRows(results)), ""] : []),
    ...(results.baseline ? [`legacy baseline, not a reported metric (finalize → flush_done, no audio) vs bare ws echo: p50 ${fmt(results.baseline.ratio.p50)}×, p99 ${fmt(results.baseline.ratio.p99)}×`] : []),
    ...runnerLines(results),
    ...speechLines(results),
  ];
  for (const run of results.runs) {
    if (run.skipped) lines.push(`skipped ${run.endpoint} (${run.client}): ${run.skipped}`);
    if (run.sessions.failed > 0) lines.push(`${run.endpoint} (${run.client}): ${run.sessions.failed} sessions failed, e.g. ${run.sessions.errors[0] ?? ""}`);
  }
  lines.push("", "definitions:");
  const seen = new Set<string>();
  for (const id of [...results.runs.flatMap((r) => r.metrics.map((m) => m.id)), ...(results.baseline ? ["baseline.ws-echo", "baseline.mock-round-trip"] : [])]) {
    if (seen.has(id)) continue;
    seen.add(id);
    lines.push(`  ${id}: ${metricDefinition(id)?.statement ?? ""}`);
  }
  return lines.join("\n");
}

/** results.md. */
export function markdownReport(results: Results, charts: { id: string; file: string }[]): string {
  const e = results.environment;
  const env: string[][] = [
    ["bench", e.bench],
    ["clients", Object.entries(e.clients).map(([k, v]) => `${k} ${v}`).join(", ")],
    ["node", e.node],
    ["machine", `${e.platform} ${e.arch}, ${e.cpus.count} × ${e.cpus.model}, ${e.memoryGiB} GiB`],
    ["target", e.target],
    ["latency profile", e.latency ?? "n/a"],
    ["seed", String(e.seed ?? "n/a")],
    ["pacing", e.pacing],
    ...(e.mockProcess !== undefined ? [["mock process", e.mockProcess ? "a child process of its own (--mock-process)" : "the bench's process"]] : []),
    ["sessions", `${e.sessions} per endpoint and client (+${e.warmup} warm-up, excluded), concurrency ${e.concurrency}`],
    ["per session", `${e.rounds} finalize rounds (stt-v1), ${e.requests} requests (tts), one pass of the scenario (stt-turns)`],
    ["scenarios", [...new Set(results.runs.map((r) => `${r.endpoint}: ${r.scenario ?? "n/a"}`))].join(", ")],
    ...(e.speech ? [["STT speech", e.speech.source === "tts" ? `synthesized by the target's TTS (${e.speech.model ?? "?"}, voice ${e.speech.voice ?? "?"})` : "the mock's scripted audio"]] : []),
    ["started", `${results.startedAt} (${(results.durationMs / 1000).toFixed(1)} s)`],
  ];
  const out = [
    `# ${fullCommand(results.command)}`,
    "",
    "## Environment",
    "",
    mdTable(["", ""], env),
    "",
    "## Results",
    "",
    mdTable(HEAD, [...resultRows(results), ...baselineRows(results)]),
    "",
    ...(results.baseline?.overhead ? ["## The mock's overhead", "", overheadSentence(results), "", mdTable(OVERHEAD_HEAD, overheadRows(results)), ""] : []),
    ...(results.baseline ? [`Legacy baseline (not a reported metric: \`finalize\` → \`flush_done\` with no audio) vs a bare \`ws\` echo round trip, same run: p50 ${fmt(results.baseline.ratio.p50)}×, p99 ${fmt(results.baseline.ratio.p99)}×.`, ""] : []),
    ...runnerLines(results).flatMap((l) => [l, ""]),
  ];
  const speech = speechLines(results);
  if (speech.length > 0) out.push(...speech.map((l) => `- ${l}`), "");
  const notes = results.runs.filter((r) => r.skipped || r.sessions.failed > 0);
  if (notes.length > 0) {
    out.push("## Skipped and failed", "");
    for (const r of notes) out.push(`- ${r.endpoint} (${r.client}): ${r.skipped ?? `${r.sessions.failed} sessions failed: ${r.sessions.errors.join("; ")}`}`);
    out.push("");
  }
  out.push("## Definitions", "");
  const seen = new Set<string>();
  for (const id of [...results.runs.flatMap((r) => r.metrics.map((m) => m.id)), ...(results.baseline ? ["baseline.ws-echo", "baseline.mock-round-trip"] : [])]) {
    if (seen.has(id)) continue;
    seen.add(id);
    const d = metricDefinition(id);
    if (d) out.push(`- **${id}** (${d.unit}): ${d.statement} From: ${d.from}. To: ${d.to}.`);
  }
  if (charts.length > 0) {
    out.push("", "## Charts", "");
    for (const c of charts) out.push(`![${c.id}](${c.file})`);
  }
  return `${out.join("\n")}\n`;
}
