/**
 * A self-contained SVG of one metric's latency distribution: value by percentile on a "nines" axis
 * (0, 90, 99, 99.9, max), one line per client, with p50 and p99 marked. No scripts, no external fonts.
 */
import type { DistributionPoint } from "../metrics/histogram.js";

/** One line of a chart. */
export interface Series {
  label: string;
  points: DistributionPoint[];
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"];
const W = 720;
const H = 360;
const M = { left: 64, right: 150, top: 40, bottom: 48 };

/** x position of a percentile on the nines axis (max plotted a little past 99.9). */
function nines(p: number): number {
  if (p >= 100) return 3.3;
  return Math.min(3, -Math.log10(1 - p / 100));
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** A "nice" upper bound for the y axis. */
function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const e = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * e >= v) return m * e;
  return 10 * e;
}

/** Renders the SVG text. */
export function renderChart(title: string, subtitle: string, unit: string, series: Series[]): string {
  const all = series.flatMap((s) => s.points.map((p) => p.value));
  const ymax = niceMax(Math.max(...all, 0) * 1.05);
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (p: number) => M.left + (nines(p) / 3.3) * pw;
  const y = (v: number) => M.top + ph - (v / ymax) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${M.left}" y="18" font-size="14" font-weight="bold">${esc(title)}</text>`);
  out.push(`<text x="${M.left}" y="33" fill="#555">${esc(subtitle)}</text>`);
  // Axes and grid.
  for (let i = 0; i <= 5; i += 1) {
    const v = (ymax * i) / 5;
    out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#eee"/>`);
    out.push(`<text x="${M.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${+v.toPrecision(4)}</text>`);
  }
  for (const [p, label] of [[0, "0"], [50, "50"], [90, "90"], [99, "99"], [99.9, "99.9"], [100, "max"]] as const) {
    out.push(`<line x1="${x(p).toFixed(1)}" x2="${x(p).toFixed(1)}" y1="${M.top}" y2="${M.top + ph}" stroke="#eee"/>`);
    out.push(`<text x="${x(p).toFixed(1)}" y="${M.top + ph + 16}" text-anchor="middle">${label}</text>`);
  }
  out.push(`<text x="${M.left + pw / 2}" y="${H - 8}" text-anchor="middle" fill="#555">percentile</text>`);
  out.push(`<text transform="translate(16 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle" fill="#555">${esc(unit)}</text>`);
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length] as string;
    if (s.points.length > 0) {
      const d = s.points.map((p, k) => `${k === 0 ? "M" : "L"}${x(p.percentile).toFixed(1)},${y(p.value).toFixed(1)}`).join(" ");
      out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
      for (const mark of [50, 99]) {
        const pt = s.points.find((p) => p.percentile === mark);
        if (pt) out.push(`<circle cx="${x(mark).toFixed(1)}" cy="${y(pt.value).toFixed(1)}" r="3.5" fill="${color}"><title>${esc(`${s.label} p${mark} ${pt.value} ${unit}`)}</title></circle>`);
      }
    }
    const ly = M.top + 14 + i * 18;
    out.push(`<line x1="${W - M.right + 12}" x2="${W - M.right + 32}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${W - M.right + 38}" y="${ly}">${esc(s.label)}</text>`);
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
