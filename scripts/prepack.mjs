#!/usr/bin/env node
// Runs as each published package's `prepack` (pnpm pack, pnpm publish, changeset publish), in the
// package's folder: copies the repository's LICENSE in (one source of truth, the copy is gitignored)
// and refuses to pack a package whose `files`, `exports` or `bin` name something missing, so an
// unbuilt package (or a mock without its playground) never becomes a tarball.
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";

const dir = process.cwd();
const root = resolve(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..");
const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));

// npm pack and npm publish keep `workspace:*` ranges as they are, and no npm client can install
// those: only pnpm (pnpm pack, pnpm publish, changeset publish) replaces them with exact versions.
// The tool is told by npm_execpath (npm keeps an inherited npm_config_user_agent, e.g. pnpm's).
const execPath = process.env.npm_execpath ?? "";
const tool = /pnpm/.test(basename(execPath)) ? "pnpm" : /npm-cli|\bnpm\b/.test(basename(execPath)) ? "npm" : basename(execPath) || undefined;
const workspaceRanges = ["dependencies", "peerDependencies", "optionalDependencies"].flatMap((field) =>
  Object.entries(pkg[field] ?? {}).filter(([, range]) => String(range).startsWith("workspace:")).map(([name]) => name),
);
if (tool !== undefined && tool !== "pnpm" && workspaceRanges.length > 0) {
  process.stderr.write(
    `${pkg.name}: cannot pack with ${tool}: it would leave workspace: ranges in (${workspaceRanges.join(", ")}), which no npm client can install. Use pnpm pack, or pnpm release at the repository root.\n`,
  );
  process.exit(1);
}

copyFileSync(join(root, "LICENSE"), join(dir, "LICENSE"));

/** Every file path an `exports` map points at (conditions and subpaths, wildcards skipped). */
function targets(entry) {
  if (typeof entry === "string") return entry.includes("*") ? [] : [entry];
  if (entry && typeof entry === "object") return Object.values(entry).flatMap(targets);
  return [];
}

const missing = [];
for (const entry of pkg.files ?? []) {
  const path = join(dir, entry);
  if (!existsSync(path)) missing.push(`files: ${entry}`);
  else if (statSync(path).isDirectory() && readdirSync(path).length === 0) missing.push(`files: ${entry} (empty)`);
}
for (const target of [...targets(pkg.exports), ...Object.values(pkg.bin ?? {})]) {
  if (!existsSync(join(dir, target))) missing.push(target);
}
if (missing.length > 0) {
  const hint = pkg.name === "@speechwire/mock-server" && missing.some((m) => m.startsWith("files: playground"))
    ? "the bundled playground is built by `pnpm build` at the repository root"
    : "run `pnpm build` at the repository root first";
  process.stderr.write(`${pkg.name}: cannot pack, missing ${missing.join(", ")} (${hint})\n`);
  process.exit(1);
}
