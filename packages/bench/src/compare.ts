/**
 * `speechwire-bench compare A.json B.json`: every metric present in both files (matched by endpoint,
 * client and metric id), with B − A and B ÷ A for p50, p95, p99.
 */
import type { Results } from "./report/schema.js";
import { fmt, textTable } from "./report/format.js";

/** One compared metric. */
export interface ComparedMetric {
  key: string;
  unit: string;
  a: { n: number; p50: number; p95: number; p99: number };
  b: { n: number; p50: number; p95: number; p99: number };
  /** B ÷ A per percentile (NaN when A is 0). */
  ratio: { p50: number; p95: number; p99: number };
}

/** Compares two results; metrics in only one file are listed separately. */
export function compareResults(a: Results, b: Results): { metrics: ComparedMetric[]; onlyA: string[]; onlyB: string[] } {
  const index = (r: Results) => {
    const map = new Map<string, { unit: string; s: { n: number; p50: number; p95: number; p99: number } }>();
    for (const run of r.runs) for (const m of run.metrics) if (m.summary) map.set(`${m.id} [${run.client}]`, { unit: m.unit, s: m.summary });
    if (r.baseline) {
      map.set("baseline.ws-echo", { unit: "ms", s: r.baseline.echo });
      map.set("baseline.mock-round-trip", { unit: "ms", s: r.baseline.mock });
    }
    return map;
  };
  const A = index(a);
  const B = index(b);
  const div = (x: number, y: number) => (y === 0 ? NaN : x / y);
  const metrics: ComparedMetric[] = [];
  for (const [key, va] of A) {
    const vb = B.get(key);
    if (!vb) continue;
    const pick = (s: typeof va.s) => ({ n: s.n, p50: s.p50, p95: s.p95, p99: s.p99 });
    metrics.push({ key, unit: va.unit, a: pick(va.s), b: pick(vb.s), ratio: { p50: div(vb.s.p50, va.s.p50), p95: div(vb.s.p95, va.s.p95), p99: div(vb.s.p99, va.s.p99) } });
  }
  return { metrics, onlyA: [...A.keys()].filter((k) => !B.has(k)), onlyB: [...B.keys()].filter((k) => !A.has(k)) };
}

/** The comparison as a console table. */
export function formatComparison(c: ReturnType<typeof compareResults>, labels: [string, string] = ["A", "B"]): string {
  const [la, lb] = labels;
  const rows = c.metrics.map((m) => {
    const d = m.unit === "ratio" ? 3 : 2;
    return [m.key, m.unit, `${fmt(m.a.p50, d)} → ${fmt(m.b.p50, d)}`, `${fmt(m.ratio.p50)}×`, `${fmt(m.a.p95, d)} → ${fmt(m.b.p95, d)}`, `${fmt(m.ratio.p95)}×`, `${fmt(m.a.p99, d)} → ${fmt(m.b.p99, d)}`, `${fmt(m.ratio.p99)}×`, `${m.a.n} / ${m.b.n}`];
  });
  const lines = [`A = ${la}`, `B = ${lb}`, "", textTable(["metric [client]", "unit", "p50 A → B", "B/A", "p95 A → B", "B/A", "p99 A → B", "B/A", "n A / B"], rows)];
  if (c.onlyA.length > 0) lines.push("", `only in A: ${c.onlyA.join(", ")}`);
  if (c.onlyB.length > 0) lines.push("", `only in B: ${c.onlyB.join(", ")}`);
  return lines.join("\n");
}
