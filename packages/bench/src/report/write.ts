/** Writes a run's report folder: results.json, results.md and one SVG chart per metric. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { metricDefinition } from "../metrics/definitions.js";
import { renderChart, type Series } from "./chart.js";
import { markdownReport } from "./format.js";
import type { Results } from "./schema.js";

/** The charts of a run: one per metric that has values, one line per client. */
export function chartsOf(results: Results): { id: string; file: string; svg: string }[] {
  const byMetric = new Map<string, Series[]>();
  for (const run of results.runs) {
    for (const m of run.metrics) {
      if (m.distribution.length === 0) continue;
      const list = byMetric.get(m.id) ?? [];
      list.push({ label: run.client, points: m.distribution });
      byMetric.set(m.id, list);
    }
  }
  const e = results.environment;
  return [...byMetric].map(([id, series]) => {
    const d = metricDefinition(id);
    const subtitle = `${e.target.startsWith("embedded") ? "embedded mock" : e.target}; latency ${e.latency?.split(" (")[0] ?? "n/a"}; ${e.pacing}; ${e.sessions} sessions per client`;
    return { id, file: `chart-${id}.svg`, svg: renderChart(`${id}: ${d?.statement ?? ""}`.slice(0, 110), subtitle, d?.unit ?? "ms", series) };
  });
}

/** Writes the report folder (created if missing); returns the files written. */
export async function writeReport(dir: string, results: Results): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const charts = chartsOf(results);
  const files: [string, string][] = [
    ["results.json", `${JSON.stringify(results, null, 2)}\n`],
    ["results.md", markdownReport(results, charts)],
    ...charts.map((c): [string, string] => [c.file, c.svg]),
  ];
  for (const [name, text] of files) await writeFile(join(dir, name), text);
  return files.map(([name]) => join(dir, name));
}
