/**
 * The built `speechwire-conformance` bin as users start it: through a `node_modules/.bin` symlink (as
 * npm and pnpm install it), in a real child process.
 */
import { spawnSync, execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { CHECKS } from "../src/checks/catalogue.js";
import { tempDir } from "./helpers.js";


const PKG = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(PKG, "dist", "bin.js");

beforeAll(() => {
  // The test task builds the dependencies only; the bin under test is this package's build.
  execFileSync(process.execPath, [join(PKG, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], { cwd: PKG });
}, 180_000);

/** A temp project whose `node_modules/.bin/speechwire-conformance` is a symlink to `target`. */
function projectWithBin(target: string): { dir: string; bin: string } {
  const dir = tempDir("conformance-bin-");
  mkdirSync(join(dir, "node_modules", ".bin"), { recursive: true });
  const bin = join(dir, "node_modules", ".bin", "speechwire-conformance");
  symlinkSync(target, bin);
  return { dir, bin };
}

/**
 * Starts `bin` as the shell does for a `#!/usr/bin/env node` file: node with the path as given (the
 * symlink), so `process.argv[1]` is the symlink's path.
 */
function start(bin: string, args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", env: { ...process.env, CARTESIA_API_KEY: "", FC_NUM_RUNS: "", FC_SEED: "" }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the bin through a node_modules/.bin symlink", () => {
  it("--help and --list print and exit 0", () => {
    const { dir, bin } = projectWithBin(BIN);
    const help = start(bin, ["--help"], dir);
    expect(help).toMatchObject({ code: 0, stderr: "" });
    expect(help.stdout).toContain("speechwire-conformance run");
    const list = start(bin, ["--list"], dir);
    expect(list.code).toBe(0);
    for (const c of CHECKS) expect(list.stdout).toContain(`| \`${c.id}\` | ${c.suite} |`);
  });

  it("dist/cli.js runs too, started directly or through a symlink", () => {
    const { dir, bin } = projectWithBin(join(PKG, "dist", "cli.js"));
    expect(start(bin, ["--help"], dir)).toMatchObject({ code: 0, stdout: expect.stringContaining("speechwire-conformance run") });
    expect(start(join(PKG, "dist", "cli.js"), ["--help"], dir)).toMatchObject({ code: 0, stdout: expect.stringContaining("speechwire-conformance run") });
  });

  it("package.json's bin is the entry that always runs", () => {
    const pkg = JSON.parse(readFileSync(join(PKG, "package.json"), "utf8")) as { bin: Record<string, string> };
    expect(resolve(PKG, pkg.bin["speechwire-conformance"] as string)).toBe(BIN);
    expect(readFileSync(BIN, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
  });
});
