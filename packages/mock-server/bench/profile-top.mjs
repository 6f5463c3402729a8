#!/usr/bin/env node
/**
 * Summarizes a `.cpuprofile` (from `bench/run.mjs --cpu-prof`): the functions with the most self
 * time, and the most total (inclusive) time, with their source locations.
 * Usage: node bench/profile-top.mjs FILE.cpuprofile [rows]
 */
import { readFileSync } from "node:fs";

const [file, rowsText] = process.argv.slice(2);
if (!file) {
  process.stderr.write("usage: node bench/profile-top.mjs FILE.cpuprofile [rows]\n");
  process.exit(2);
}
const rows = Number(rowsText ?? 25);
const profile = JSON.parse(readFileSync(file, "utf8"));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Sample counts per node, weighted by the time between samples.
const self = new Map();
const deltas = profile.timeDeltas ?? [];
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0)));
const totalUs = [...self.values()].reduce((a, b) => a + b, 0);

const key = (n) => {
  const f = n.callFrame;
  const where = f.url ? `${f.url.replace(/^file:\/\/.*?\/(node_modules|packages)\//, "$1/")}:${f.lineNumber + 1}` : "";
  return `${f.functionName || "(anonymous)"} ${where}`.trim();
};
const selfBy = new Map();
const totalBy = new Map();
for (const [id, us] of self) {
  const n = byId.get(id);
  selfBy.set(key(n), (selfBy.get(key(n)) ?? 0) + us);
  // Inclusive: count each function once per sample even when it recurses.
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const k = key(byId.get(cur));
    if (seen.has(k)) continue;
    seen.add(k);
    totalBy.set(k, (totalBy.get(k) ?? 0) + us);
  }
}
const show = (title, map) => {
  process.stdout.write(`\n${title} (of ${(totalUs / 1e6).toFixed(2)} s sampled)\n`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
    process.stdout.write(`${((100 * us) / totalUs).toFixed(1).padStart(6)}%  ${k}\n`);
  }
};
show("self time", selfBy);
show("total time", totalBy);
