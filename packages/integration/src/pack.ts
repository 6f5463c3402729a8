/** Packing workspace packages with pnpm (as `pnpm publish` and `changeset publish` do) and reading tarballs. */
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { runOk } from "./process.js";
import type { WorkspacePackage } from "./workspace.js";

/** A packed package: its tarball's absolute path. */
export interface Packed {
  pkg: WorkspacePackage;
  tarball: string;
}

/** Packs one package with `pnpm pack` (runs its prepack: LICENSE copied, files checked) into `dest`. */
export function pnpmPack(pkg: WorkspacePackage, dest: string): Packed {
  mkdirSync(dest, { recursive: true });
  const before = new Set(readdirSync(dest));
  runOk("pnpm", ["pack", "--pack-destination", dest], { cwd: pkg.dir });
  const made = readdirSync(dest).filter((name) => name.endsWith(".tgz") && !before.has(name));
  if (made.length !== 1) throw new Error(`pnpm pack in ${pkg.relativeDir} made ${made.length} tarballs: ${made.join(", ")}`);
  return { pkg, tarball: join(dest, made[0] as string) };
}

/** The paths inside a tarball, without npm's `package/` prefix, sorted. */
export function tarballEntries(tarball: string): string[] {
  return runOk("tar", ["-tzf", tarball])
    .stdout.split("\n")
    .filter((line) => line !== "" && !line.endsWith("/"))
    .map((line) => line.replace(/^package\//, ""))
    .sort();
}

/** One file's text from a tarball (path without the `package/` prefix). */
export function tarballText(tarball: string, path: string): string {
  return runOk("tar", ["-xzOf", tarball, `package/${path}`]).stdout;
}
