/** Installing tarballs with npm into an empty project, as a user of the published packages would. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runOk } from "./process.js";

/** One entry of npm's package-lock.json `packages` map. */
export interface LockEntry {
  version?: string;
  resolved?: string;
  link?: boolean;
}

/**
 * Writes a private ESM project into `dir` and runs `npm install` of the tarballs plus `extra` registry
 * packages (third-party dependencies come from the configured registry; nothing from the workspace).
 * Returns the lockfile's `packages` map.
 */
export function npmInstall(dir: string, tarballs: readonly string[], extra: readonly string[]): Record<string, LockEntry> {
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: "speechwire-install-check", version: "1.0.0", private: true, type: "module" }, null, 2)}\n`);
  // A cache folder of its own would only re-download the registry's immutable files; the tarballs are
  // new on every run (packed fresh), so npm's shared cache cannot hand back an older build of ours.
  runOk("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs, ...extra], { cwd: dir, timeout: 900_000 });
  const lock = JSON.parse(readFileSync(join(dir, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };
  return lock.packages;
}
