/**
 * The built `speechwire-mock` bin as users start it: through a `node_modules/.bin` symlink (as npm and
 * pnpm install it), in a real child process listening on 127.0.0.1 only. Usage errors are one line.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, PACKAGE_DIR } from "./fuzz/mock-process.js";

const pkg = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8")) as { bin: Record<string, string> };
const BIN = resolve(PACKAGE_DIR, pkg.bin["speechwire-mock"] as string);

/** A temp project whose `node_modules/.bin/speechwire-mock` is a symlink to the built bin. */
function linkedBin(): { dir: string; bin: string } {
  const dir = mkdtempSync(join(tmpdir(), "mock-bin-"));
  mkdirSync(join(dir, "node_modules", ".bin"), { recursive: true });
  const bin = join(dir, "node_modules", ".bin", "speechwire-mock");
  symlinkSync(BIN, bin);
  return { dir, bin };
}

beforeAll(() => ensureBuilt(), 120_000);

describe("speechwire-mock through a node_modules/.bin symlink", () => {
  it("--help prints the options and exits 0", () => {
    const { dir, bin } = linkedBin();
    // As the shell runs a `#!/usr/bin/env node` file: node with the symlink's path as argv[1].
    const r = spawnSync(process.execPath, [bin, "--help"], { cwd: dir, encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("speechwire-mock — a deterministic mock");
    expect(r.stdout).toContain("--port N");
  });

  it("a usage error is one line on stderr and exit 2", () => {
    const { dir, bin } = linkedBin();
    for (const [args, message] of [
      [["--port", "eighty"], /^speechwire-mock: --port takes a whole number, got "eighty"\. Try --help\.$/u],
      [["--bogus"], /^speechwire-mock: unknown option --bogus\. Try --help\.$/u],
      [["--auth", "loose"], /^speechwire-mock: --auth takes open or strict, got "loose"/u],
    ] as const) {
      const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: "utf8", timeout: 60_000 });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.trimEnd()).toMatch(message);
      expect(r.stderr.trimEnd().split("\n"), r.stderr).toHaveLength(1);
      expect(r.stdout).toBe("");
    }
  });

  it("starts, prints its URLs and stops on SIGTERM", async () => {
    const { dir, bin } = linkedBin();
    const child = spawn(process.execPath, [bin, "--port", "0", "--tls-port", "off", "--json"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
    try {
      const line = await new Promise<string>((done, fail) => {
        createInterface({ input: child.stdout }).once("line", done);
        void exited.then((code) => fail(new Error(`exited ${code} before printing its URLs`)));
      });
      const urls = JSON.parse(line) as { http: string };
      expect(urls.http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/u);
      const health = await fetch(`${urls.http}/_speechwire/health`);
      expect(health.status).toBe(200);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });
});
