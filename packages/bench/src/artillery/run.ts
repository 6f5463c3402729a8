/**
 * `speechwire-bench artillery run`: Artillery's own `run`, from the Artillery version the bench pins,
 * with its telemetry off, the `speechwire` engine on Node's module path, and (unless `allowEgress`)
 * connections to anything but loopback refused.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The Artillery version the bench is tested with (the newest 2.x that runs on Node 20). */
export const ARTILLERY_VERSION = "2.0.21";

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The folder to put on NODE_PATH so Artillery's `require("artillery-engine-speechwire")` finds the engine. */
export function engineModulePath(): string {
  return join(packageRoot, "artillery");
}

/** The preload that keeps a local run off the network (`node --require` it). */
export function noEgressPath(): string {
  return join(packageRoot, "artillery", "no-egress.cjs");
}

/** Artillery's CLI script and version, resolved from the bench (an optional peer dependency), or an error saying how to install it. */
export function artilleryBin(): { bin: string; version: string } {
  const require = createRequire(import.meta.url);
  let pkgPath: string;
  try {
    pkgPath = require.resolve("artillery/package.json");
  } catch {
    throw new Error(`Artillery is not installed: it is an optional peer dependency of @speechwire/bench; install artillery@${ARTILLERY_VERSION} beside it`);
  }
  const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { version: string; bin?: string | Record<string, string> };
  const rel = typeof pkg.bin === "string" ? pkg.bin : pkg.bin?.artillery;
  if (!rel) throw new Error(`the installed artillery ${pkg.version} has no bin`);
  const bin = join(dirname(pkgPath), rel);
  if (!existsSync(bin)) throw new Error(`the installed artillery ${pkg.version} lacks its bin ${bin}`);
  return { bin, version: pkg.version };
}

/** The environment of a guarded Artillery process. */
export function artilleryEnv(base: NodeJS.ProcessEnv = process.env, allowEgress = false): NodeJS.ProcessEnv {
  const nodePath = [engineModulePath(), ...(base.NODE_PATH ? base.NODE_PATH.split(":") : [])].join(":");
  const options = [base.NODE_OPTIONS ?? "", allowEgress ? "" : `--require ${JSON.stringify(noEgressPath())}`].filter((s) => s !== "").join(" ");
  return { ...base, ARTILLERY_DISABLE_TELEMETRY: "true", NODE_PATH: nodePath, ...(options ? { NODE_OPTIONS: options } : {}) };
}

/** Runs `artillery <args>` with the guarded environment; resolves with its exit code. */
export function runArtillery(args: readonly string[], o: { allowEgress?: boolean; env?: NodeJS.ProcessEnv; stdio?: "inherit" | "pipe"; onOutput?: (text: string) => void } = {}): Promise<number> {
  const { bin } = artilleryBin();
  const child = spawn(process.execPath, [bin, ...args], { env: artilleryEnv(o.env ?? process.env, o.allowEgress === true), stdio: o.stdio === "pipe" ? ["ignore", "pipe", "pipe"] : "inherit" });
  if (o.stdio === "pipe") {
    child.stdout?.on("data", (d: Buffer) => o.onOutput?.(d.toString()));
    child.stderr?.on("data", (d: Buffer) => o.onOutput?.(d.toString()));
  }
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
