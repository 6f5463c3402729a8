/** Source maps of an installed package: every `sources` entry must resolve to a file inside the package. */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

/** The `.map` files under a folder, recursively. */
export function mapFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return mapFiles(path);
    return name.endsWith(".map") ? [path] : [];
  });
}

/**
 * The problems of one map: a source that is missing, or outside `packageDir` (a map pointing into a
 * clone of the repository resolves there and nowhere else), unless the map carries its `sourcesContent`.
 */
export function sourceMapProblems(map: string, packageDir: string): string[] {
  const parsed = JSON.parse(readFileSync(map, "utf8")) as { sources?: string[]; sourcesContent?: (string | null)[]; sourceRoot?: string };
  if (!Array.isArray(parsed.sources) || parsed.sources.length === 0) return [`${map}: no sources`];
  const problems: string[] = [];
  parsed.sources.forEach((source, i) => {
    if (typeof parsed.sourcesContent?.[i] === "string") return;
    const path = resolve(dirname(map), parsed.sourceRoot ?? "", source);
    const rel = relative(packageDir, path);
    if (rel.startsWith(`..${sep}`) || rel === "..") problems.push(`${map}: ${source} leaves the package`);
    else if (!existsSync(path)) problems.push(`${map}: ${source} is missing`);
  });
  return problems;
}
