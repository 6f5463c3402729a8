/**
 * Writes the generated artifacts into `schemas/` (removing files that are no longer generated) and
 * the message table into README.md between `<!-- catalog:start -->` and `<!-- catalog:end -->`.
 *
 * Run: pnpm --filter @speechwire/protocol generate
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { catalogTable } from "../src/catalog.js";
import { buildArtifacts, withCatalogTable } from "./artifacts.js";
import { readerShapesSource } from "./reader-shapes.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const schemasDir = join(packageDir, "schemas");
const readmePath = join(packageDir, "README.md");

/** Every file under a directory, as `/`-separated paths relative to it. */
function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (current: string) => {
    for (const dirent of readdirSync(current, { withFileTypes: true })) {
      const full = join(current, dirent.name);
      if (dirent.isDirectory()) walk(full);
      else out.push(relative(dir, full).split(sep).join("/"));
    }
  };
  walk(dir);
  return out.sort();
}

/** Removes the empty directories under `dir` (not `dir` itself). */
function pruneEmptyDirs(dir: string): void {
  for (const dirent of readdirSync(dir, { withFileTypes: true })) {
    if (!dirent.isDirectory()) continue;
    const full = join(dir, dirent.name);
    pruneEmptyDirs(full);
    if (readdirSync(full).length === 0) rmdirSync(full);
  }
}

/** Writes the artifacts; returns what changed. */
function writeSchemas(): { written: string[]; removed: string[]; unchanged: number } {
  const artifacts = buildArtifacts();
  const removed = listFiles(schemasDir).filter((file) => !artifacts.has(file));
  for (const file of removed) rmSync(join(schemasDir, file));
  mkdirSync(schemasDir, { recursive: true });
  pruneEmptyDirs(schemasDir);

  const written: string[] = [];
  let unchanged = 0;
  for (const [file, content] of artifacts) {
    const target = join(schemasDir, file);
    if (existsSync(target) && readFileSync(target, "utf8") === content) {
      unchanged += 1;
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
    written.push(file);
  }
  return { written, removed, unchanged };
}

function writeReadme(): boolean {
  const before = existsSync(readmePath) ? readFileSync(readmePath, "utf8") : undefined;
  const after = withCatalogTable(before, catalogTable());
  if (after === before) return false;
  writeFileSync(readmePath, after);
  return true;
}

/** Writes the zod-free reader's tables (src/reader/shapes.ts); returns whether they changed. */
function writeReaderShapes(): boolean {
  const target = join(packageDir, "src", "reader", "shapes.ts");
  const content = readerShapesSource();
  if (existsSync(target) && readFileSync(target, "utf8") === content) return false;
  writeFileSync(target, content);
  return true;
}

const { written, removed, unchanged } = writeSchemas();
const readerChanged = writeReaderShapes();
const readmeChanged = writeReadme();
for (const file of removed) console.log(`removed  schemas/${file}`);
for (const file of written) console.log(`wrote    schemas/${file}`);
console.log(
  `schemas/: ${written.length} written, ${removed.length} removed, ${unchanged} unchanged; README.md table ${readmeChanged ? "updated" : "unchanged"}; src/reader/shapes.ts ${readerChanged ? "written" : "unchanged"}`,
);
