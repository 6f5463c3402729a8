#!/usr/bin/env node
/**
 * Rewrites the figure blocks of packages/bench/README.md (`<!-- figures KIND FILE -->`) and of
 * packages/client/README.md (`<!-- figures per-message FILE -->`) from the results files they name
 * (paths relative to each README). test/figures.test.ts fails when a block and its file disagree.
 * Usage: pnpm --filter @speechwire/bench build && node packages/bench/scripts/readme-figures.mjs
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseResults, updateFigures } from "../dist/index.js";
import { updatePerMessage } from "../dist/report/figures.js";

const pkg = join(dirname(fileURLToPath(import.meta.url)), "..");
const loadResults = (base) => (file) => {
  const r = parseResults(readFileSync(join(base, file), "utf8"), file);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
const benchReadme = join(pkg, "README.md");
writeFileSync(benchReadme, updateFigures(readFileSync(benchReadme, "utf8"), loadResults(pkg)));
const clientDir = join(pkg, "..", "client");
const clientReadme = join(clientDir, "README.md");
writeFileSync(clientReadme, updatePerMessage(readFileSync(clientReadme, "utf8"), (file) => JSON.parse(readFileSync(join(clientDir, file), "utf8"))));
console.log("figure blocks rewritten in packages/bench/README.md and packages/client/README.md");
