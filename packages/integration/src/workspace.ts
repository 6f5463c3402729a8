/** The workspace's publishable packages: every package.json under packages/, apps/ and examples/ without `"private": true`. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this package lives in `<root>/packages/integration`). */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The fields of a package.json these tests read. */
export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  keywords?: string[];
  homepage?: string;
  repository?: { type?: string; url?: string; directory?: string };
  bugs?: { url?: string };
  engines?: Record<string, string>;
  bin?: Record<string, string>;
  files?: string[];
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** A workspace package: its folder (relative to the root and absolute) and manifest. */
export interface WorkspacePackage {
  dir: string;
  relativeDir: string;
  manifest: Manifest;
}

/** Every workspace package, in folder order. */
export function workspacePackages(root = REPO_ROOT): WorkspacePackage[] {
  return ["packages", "apps", "examples"].flatMap((group) => {
    const base = join(root, group);
    if (!existsSync(base)) return [];
    return readdirSync(base)
      .sort()
      .filter((name) => existsSync(join(base, name, "package.json")))
      .map((name) => ({
        dir: join(base, name),
        relativeDir: `${group}/${name}`,
        manifest: JSON.parse(readFileSync(join(base, name, "package.json"), "utf8")) as Manifest,
      }));
  });
}

/** The packages a release publishes (not `"private": true`). */
export function publishablePackages(root = REPO_ROOT): WorkspacePackage[] {
  return workspacePackages(root).filter((pkg) => pkg.manifest.private !== true);
}

/**
 * The import specifiers of a package's `exports` map that name modules (JSON files and wildcards are
 * returned apart), e.g. `@speechwire/client/turns`.
 */
export function exportSpecifiers(manifest: Manifest): { modules: string[]; json: string[]; wildcards: string[] } {
  const modules: string[] = [];
  const json: string[] = [];
  const wildcards: string[] = [];
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    const spec = subpath === "." ? manifest.name : `${manifest.name}${subpath.slice(1)}`;
    if (subpath.includes("*")) wildcards.push(spec);
    else if (typeof target === "string" && target.endsWith(".json")) json.push(spec);
    else modules.push(spec);
  }
  return { modules, json, wildcards };
}
