#!/usr/bin/env node
// The `bundle-playground` task (turbo runs it after @speechwire/playground's build): copies the built
// playground into this package's `playground/`, which ships in the tarball and which the CLI serves at
// `/` by default. The playground depends on this package, so this package cannot depend on it: the
// copy is a build step, ordered by turbo.json, not a dependency.
import { cpSync, existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = fileURLToPath(new URL("..", import.meta.url));
const source = join(pkg, "..", "..", "apps", "playground", "dist");
const target = join(pkg, "playground");

if (!existsSync(join(source, "index.html"))) {
  process.stderr.write(`bundle-playground: ${source} has no index.html (build it: pnpm turbo run build --filter=@speechwire/playground)\n`);
  process.exit(1);
}

/** The files index.html loads (relative `./assets/…` references, as Vite writes them with base "./"). */
function referenced(dir) {
  const html = readFileSync(join(dir, "index.html"), "utf8");
  return [...html.matchAll(/(?:src|href)="\.?\/?(assets\/[^"]+)"/g)].map((m) => m[1]);
}

// The playground's own test rebuilds its dist: a copy taken mid-rebuild is caught and taken again.
const staged = `${target}.staging-${process.pid}`;
for (let attempt = 1; ; attempt += 1) {
  rmSync(staged, { recursive: true, force: true });
  cpSync(source, staged, { recursive: true });
  const missing = referenced(staged).filter((file) => !existsSync(join(staged, file)));
  if (missing.length === 0 && referenced(staged).length > 0) break;
  if (attempt === 5) {
    rmSync(staged, { recursive: true, force: true });
    process.stderr.write(`bundle-playground: the copy of ${source} is incomplete (index.html loads ${missing.join(", ") || "no assets"})\n`);
    process.exit(1);
  }
  await new Promise((done) => setTimeout(done, 2000));
}
// Swapped in by renames, so a mock started meanwhile (the tests run beside this task) sees a whole copy.
const old = `${target}.old-${process.pid}`;
if (existsSync(target)) renameSync(target, old);
renameSync(staged, target);
rmSync(old, { recursive: true, force: true });
process.stdout.write(`bundle-playground: ${source} → ${target}\n`);
