/** The CLI as a user runs it: built once, spawned per case, loopback only. */
import { spawnSync, execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, readdir, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const PKG = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(PKG, "dist", "cli.js");

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: PKG, encoding: "utf8", env: { ...process.env, CARTESIA_API_KEY: "", ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  // The test task depends on the dependencies' builds only; build this package's CLI here.
  execFileSync(process.execPath, [join(PKG, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], { cwd: PKG });
}, 120_000);

describe("speechwire-bench CLI", () => {
  it("--help lists the commands and options", () => {
    const r = run(["--help"]);
    expect(r.code).toBe(0);
    for (const word of ["stt-v1|stt-turns|tts|all", "compare", "--speech scripted|tts", "--voice", "--tts-model", "--target", "--api-key", "--sessions", "--concurrency", "--latency", "--client", "--out", "ink-2-30d"]) expect(r.stdout).toContain(word);
  });

  it("runs through a node_modules/.bin symlink, as npm and pnpm install it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bench-bin-"));
    await mkdir(join(dir, "node_modules", ".bin"), { recursive: true });
    const pkg = JSON.parse(await readFile(join(PKG, "package.json"), "utf8")) as { bin: Record<string, string> };
    const bin = join(dir, "node_modules", ".bin", "speechwire-bench");
    await symlink(join(PKG, pkg.bin["speechwire-bench"] as string), bin);
    // As the shell runs a `#!/usr/bin/env node` file: node with the symlink's path as argv[1].
    const r = spawnSync(process.execPath, [bin, "--help"], { cwd: dir, encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("speechwire-bench — latency of Cartesia's realtime speech APIs");
  });

  it.each([
    [["stt-v1", "--latency", "fast-ish"], /--latency takes none, milliseconds or one of/],
    [["stt-v1", "--sessions", "0"], /--sessions takes an integer ≥ 1/],
    [["tts", "--client", "curl"], /--client takes speechwire, cartesia-js, raw/],
    [["tts", "--pacing", "slow"], /--pacing takes realtime or fast/],
    [["tts", "--target", "ftp://127.0.0.1"], /--target takes mock or an http\(s\) URL/],
    [["tts", "--target", "http://127.0.0.1:9"], /needs --api-key/],
    [["bench"], /unknown command "bench"/],
    [["compare", "only-one.json"], /compare takes two results.json files/],
    [["stt-v1", "--frobnicate"], /Unknown option '--frobnicate'/],
    [["stt-v1", "--speech", "loud"], /--speech takes scripted or tts/],
    [["stt-v1", "--speech", "tts", "--voice", "two words"], /--voice takes an id without spaces/],
  ])("refuses %j with a clear message and exit 2", (args, message) => {
    const r = run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr.trimEnd().split("\n"), r.stderr).toHaveLength(1);
  });

  it("runs stt-v1 against the embedded mock, writes the report folder, and compare reads it back", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bench-cli-"));
    const r = run(["stt-v1", "--sessions", "3", "--concurrency", "2", "--warmup", "1", "--rounds", "2", "--latency", "15", "--client", "raw,speechwire", "--overhead-runs", "2", "--overhead-sessions", "2", "--out", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("stt-v1.finalize-to-final");
    expect(r.stdout).toContain("Mock overhead on the reported metrics");
    expect(r.stdout).toMatch(/stt-v1\.finalize-to-final .*×.*×/);
    expect(r.stdout).toMatch(/latency fixed 15 ms/);
    const files = await readdir(dir);
    expect(files).toEqual(expect.arrayContaining(["results.json", "results.md", "chart-stt-v1.finalize-to-final.svg"]));
    const cmp = run(["compare", join(dir, "results.json"), join(dir, "results.json")]);
    expect(cmp.code).toBe(0);
    expect(cmp.stdout).toMatch(/stt-v1\.finalize-to-final \[raw\].*1\.00×/);
    await writeFile(join(dir, "bad.json"), JSON.stringify({ hello: 1 }));
    const bad = run(["compare", join(dir, "results.json"), join(dir, "bad.json")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.json: not a speechwire-bench results file/);
    const missing = run(["compare", join(dir, "results.json"), join(dir, "missing.json")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*missing\.json: ENOENT/);
  });

  it("--json prints results.json to stdout, and schema prints the committed JSON Schema", async () => {
    const r = run(["tts", "--sessions", "2", "--requests", "1", "--warmup", "0", "--client", "raw", "--mock-process", "--overhead-runs", "1", "--overhead-sessions", "2", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const results = JSON.parse(r.stdout) as {
      format: string;
      command: string;
      environment: { target: string; mockProcess?: boolean };
      baseline: { overhead?: { mockProcess: boolean; metrics: { id: string }[] } };
      runs: { endpoint: string }[];
    };
    expect(results.format).toBe("speechwire-bench/results@1");
    // --mock-process: the target and the overhead's servers ran in a child process; the command is recorded whole.
    expect(results.command).toBe("speechwire-bench tts --sessions 2 --requests 1 --warmup 0 --client raw --mock-process --overhead-runs 1 --overhead-sessions 2 --json");
    expect(results.environment.mockProcess).toBe(true);
    expect(results.environment.target).toMatch(/child process/);
    expect(results.baseline.overhead?.mockProcess).toBe(true);
    expect(results.baseline.overhead?.metrics.map((m) => m.id)).toEqual(["tts.first-chunk"]);
    expect(results.runs.map((x) => x.endpoint)).toEqual(["tts"]);
    const schema = run(["schema"]);
    expect(JSON.parse(schema.stdout)).toEqual(JSON.parse(await readFile(join(PKG, "schemas", "results.schema.json"), "utf8")));
  });

  it("--speech tts runs stt-turns on speech from the mock's TTS and records where it came from", () => {
    const r = run(["stt-turns", "--speech", "tts", "--tts-model", "sonic-3", "--latency", "40", "--sessions", "2", "--warmup", "0", "--client", "raw", "--overhead-runs", "0", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const results = JSON.parse(r.stdout) as {
      environment: { speech?: { source: string; model?: string } };
      runs: { scenario: string; speech?: { utterances: { transcript: string; speechEndSeconds: number }[] }; metrics: { id: string; summary: { n: number; min: number } | null }[] }[];
    };
    expect(results.environment.speech).toMatchObject({ source: "tts", model: "sonic-3" });
    const [turns] = results.runs;
    expect(turns?.scenario).toBe("bench-turns-speech");
    expect(turns?.speech?.utterances).toHaveLength(3);
    const m = turns?.metrics.find((x) => x.id === "stt-turns.speech-end-to-turn-end")?.summary;
    expect(m?.n).toBe(6);
    expect(m?.min).toBeGreaterThanOrEqual(39);
  });
});
