#!/usr/bin/env node
/**
 * Runs the client's per-message bench (packages/client/bench/per-message.mjs --json) several times
 * and writes every invocation's output, with the command and the date, to one results file: the
 * client README's speed figures are rendered from it (see src/report/figures.ts) and a test checks
 * that they match. Each invocation's figure is a median over its own timed runs; the spread reported
 * is min / median / max of those medians over the invocations.
 *
 * Usage (from packages/bench, under the shared benchmark lock):
 *   flock /work/wt/bench.lock node scripts/client-per-message.mjs [--invocations 3] [--out examples/client-per-message/results.json]
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const invocations = Number(arg("invocations", "3"));
const out = arg("out", join(here, "..", "examples", "client-per-message", "results.json"));
const script = join(here, "..", "..", "client", "bench", "per-message.mjs");
const startedAt = new Date().toISOString();
const runs = [];
for (let i = 0; i < invocations; i += 1) {
  const text = execFileSync(process.execPath, [script, "--json"], { cwd: join(here, "..", "..", "client"), encoding: "utf8", maxBuffer: 1 << 26 });
  runs.push(JSON.parse(text.trim().split("\n").at(-1)));
  process.stderr.write(`invocation ${i + 1} of ${invocations} done\n`);
}
mkdirSync(dirname(out), { recursive: true });
const command = `node packages/bench/scripts/client-per-message.mjs --invocations ${invocations} (each: node packages/client/bench/per-message.mjs --json)`;
writeFileSync(out, `${JSON.stringify({ format: "speechwire-bench/client-per-message@1", command, startedAt, finishedAt: new Date().toISOString(), node: process.version, invocations: runs }, null, 2)}\n`);
process.stderr.write(`wrote ${out}\n`);
