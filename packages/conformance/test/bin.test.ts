/**
 * The built `speechwire-conformance` bin as users start it: through a `node_modules/.bin` symlink (as
 * npm and pnpm install it), in a real child process. Usage errors are one line and exit 2; `--list
 * --json` is the catalogue for tools; the commands it prints run where the user is (an installed
 * package: `npx`; this workspace: `node …/dist/bin.js`). Only 127.0.0.1.
 */
import { spawnSync, execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { CHECKS } from "../src/checks/catalogue.js";
import { cliCommand, commandProblem, shellWords } from "../src/cli-helpers.js";
import { tempDir } from "./helpers.js";

const PKG = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(PKG, "dist", "bin.js");

/** The newest modification time of a file under `dir`. */
function newest(dir: string): number {
  return Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
}

beforeAll(() => {
  // The bin under test is this package's build: (re)built when it is missing or older than src/.
  if (existsSync(BIN) && statSync(BIN).mtimeMs >= newest(join(PKG, "src"))) return;
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
 * A temp project with the package installed as npm lays it out: a copy of it (package.json, dist) in
 * `node_modules/@speechwire/conformance`, its dependencies beside it, and the `.bin` symlink.
 */
function installedProject(): { dir: string; bin: string } {
  const dir = tempDir("conformance-installed-");
  const modules = join(dir, "node_modules");
  const own = join(modules, "@speechwire", "conformance");
  mkdirSync(own, { recursive: true });
  cpSync(join(PKG, "package.json"), join(own, "package.json"));
  cpSync(join(PKG, "dist"), join(own, "dist"), { recursive: true });
  const deps = join(PKG, "node_modules");
  for (const name of readdirSync(deps)) {
    if (name.startsWith(".")) continue;
    if (name.startsWith("@")) {
      mkdirSync(join(modules, name), { recursive: true });
      for (const sub of readdirSync(join(deps, name))) symlinkSync(realpathSync(join(deps, name, sub)), join(modules, name, sub));
    } else symlinkSync(realpathSync(join(deps, name)), join(modules, name));
  }
  mkdirSync(join(modules, ".bin"));
  const bin = join(modules, ".bin", "speechwire-conformance");
  symlinkSync("../@speechwire/conformance/dist/bin.js", bin);
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

/** A port nothing listens on: taken from the system, then released. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** A command adapter that declares `stt-batch` and crashes on every case: a failure in every generated case. */
function crashingAdapter(dir: string): string {
  const file = join(dir, "crashing-adapter.mjs");
  writeFileSync(
    file,
    [
      `import { createInterface } from "node:readline";`,
      "const write = (m) => process.stdout.write(JSON.stringify(m) + '\\n');",
      "createInterface({ input: process.stdin }).on('line', (line) => {",
      "  const m = JSON.parse(line);",
      "  if (m.type === 'hello') write({ type: 'capabilities', capabilities: { name: 'crashes', suites: ['stt-batch'] } });",
      "  else if (m.type === 'case') write({ type: 'done', case: m.case.id, result: { crashed: true, crash: 'boom' } });",
      "  else if (m.type === 'shutdown') process.exit(0);",
      "});",
      "",
    ].join("\n"),
  );
  return file;
}

/** The lines of `text`, without the empty last one. */
const lines = (text: string) => text.split("\n").filter((l) => l !== "");

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

describe("usage errors: exit 2, one line on stderr, no stack trace", () => {
  const oneLine = (r: { code: number | null; stdout: string; stderr: string }, pattern: RegExp) => {
    expect(r.code, r.stderr).toBe(2);
    expect(lines(r.stderr), r.stderr).toHaveLength(1);
    expect(r.stderr.trimEnd()).toMatch(pattern);
    expect(r.stderr).not.toMatch(/^\s+at /mu);
    expect(r.stdout).toBe("");
  };

  it("a --command whose file does not exist", () => {
    const dir = tempDir();
    oneLine(start(BIN, ["run", "--command", `node ${join(dir, "missing-adapter.mjs")}`, "--suite", "tts"], dir), /^speechwire-conformance: --command "node .*missing-adapter\.mjs": .*missing-adapter\.mjs: no such file$/u);
    oneLine(start(BIN, ["run", "--command", "python3 missing_adapter.py"], dir), /missing_adapter\.py: no such file/u);
    oneLine(start(BIN, ["run", "--command", "./missing-adapter.sh"], dir), /\.\/missing-adapter\.sh: no such file/u);
    oneLine(start(BIN, ["replay", join(dir, "cx.json"), "--command", "node missing.mjs"], dir), /no such file|cx\.json/u);
  });

  it("a --command that fails before answering hello: its own error, in the one line", () => {
    const dir = tempDir();
    const r = start(BIN, ["run", "--command", `node -e "throw new Error('adapter kaput')"`], dir);
    oneLine(r, /did not answer hello.*exited \(code 1\).*Error: adapter kaput$/u);
    oneLine(start(BIN, ["run", "--command", "definitely-not-a-command-xyz --flag"], dir), /exited \(code 127\).*not found/u);
  });

  it("unknown options and bad values", () => {
    const dir = tempDir();
    oneLine(start(BIN, ["run", "--bogus"], dir), /^speechwire-conformance: Unknown option '--bogus' \(see speechwire-conformance --help\)$/u);
    oneLine(start(BIN, ["run", "--adapter", "speechwire", "--runs"], dir), /--runs <value>' argument missing/u);
    oneLine(start(BIN, ["run", "--adapter", "speechwire", "--runs", "many"], dir), /--runs must be a non-negative integer, got "many"/u);
    oneLine(start(BIN, ["run", "--adapter", "speechwire", "--suite", "stt-v3"], dir), /unknown suite "stt-v3"/u);
    oneLine(start(BIN, ["server", "--version", "latest"], dir), /--version must be a date/u);
    oneLine(start(BIN, ["server", "--url", "ftp://127.0.0.1/", "--api-key", "k"], dir), /an http\(s\) base URL/u);
  });

  it("server --url at a dead port: connection refused, not 31 failed rules", async () => {
    const port = await deadPort();
    const r = start(BIN, ["server", "--url", `http://127.0.0.1:${port}`, "--api-key", "k", "--out", tempDir()], tempDir());
    oneLine(r, new RegExp(`^speechwire-conformance: --url http://127\\.0\\.0\\.1:${port}: connection refused`, "u"));
  });

  it("reads a --command's program and script the way the shell would", () => {
    expect(shellWords(`FOO=1 node --import tsx "my adapter.ts" 'a b' c\\ d`)).toEqual(["FOO=1", "node", "--import", "tsx", "my adapter.ts", "a b", "c d"]);
    expect(shellWords("node $HOME/adapter.mjs")).toEqual(["node"]);
    const dir = tempDir();
    writeFileSync(join(dir, "adapter.mjs"), "");
    writeFileSync(join(dir, "adapter.py"), "");
    expect(commandProblem("node adapter.mjs", dir)).toBeUndefined();
    expect(commandProblem("node adapter", dir)).toBeUndefined(); // node adds .js/.mjs/.cjs
    expect(commandProblem("node --import tsx adapter.mjs --verbose", dir)).toBeUndefined();
    expect(commandProblem("FC=1 python3 -u adapter.py", dir)).toBeUndefined();
    expect(commandProblem("python3 -m my_adapter", dir)).toBeUndefined();
    expect(commandProblem(`node -e "console.log(1)"`, dir)).toBeUndefined();
    expect(commandProblem("node $HOME/adapter.mjs", dir)).toBeUndefined();
    expect(commandProblem("node adapter.js", dir)).toBe("adapter.js: no such file");
    expect(commandProblem("python3 -u adapter2.py", dir)).toBe("adapter2.py: no such file");
    expect(commandProblem("./run-adapter.sh", dir)).toBe("./run-adapter.sh: no such file");
    expect(commandProblem("  ", dir)).toBe("--command is empty");
  });
});

describe("--list --json", () => {
  it("prints the catalogue as JSON: the ids of --list, with suite, section, statement, reads and needs", () => {
    const dir = tempDir();
    const json = start(BIN, ["--list", "--json"], dir);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as { tool: string; format: number; checks: { id: string; suite: string; section: string; statement: string; source: string; reads: string; requires: string[] }[] };
    expect(doc).toMatchObject({ tool: "@speechwire/conformance", format: 1 });
    const table = start(BIN, ["--list"], dir).stdout;
    const tableIds = [...table.matchAll(/^\| `([^`]+)` \|/gmu)].map((m) => m[1]);
    expect(doc.checks.map((c) => c.id)).toEqual(tableIds);
    expect(doc.checks.map((c) => c.id)).toEqual(CHECKS.map((c) => c.id));
    for (const c of doc.checks) {
      const check = CHECKS.find((k) => k.id === c.id)!;
      expect(c).toMatchObject({ suite: check.suite, section: check.section, statement: check.statement, source: check.source, reads: check.source === "surfaced" ? "adapter" : "journal", requires: check.requires ?? [] });
      expect(table).toContain(`| \`${c.id}\` | ${c.suite} | ${c.reads} |`);
    }
  });
});

describe("the commands it prints run where the user is", () => {
  it("in this workspace: node and the path of dist/bin.js from the working directory", () => {
    const { dir, bin } = projectWithBin(BIN);
    const adapter = crashingAdapter(dir);
    const out = join(dir, "report");
    const r = start(bin, ["run", "--command", `node ${adapter}`, "--suite", "stt-batch", "--runs", "1", "--seed", "5", "--out", "report"], dir);
    expect(r.code, r.stderr).toBe(1);
    const prefix = `node ${relative(realpathSync(dir), join(realpathSync(PKG), "dist", "bin.js"))}`;
    expect(prefix).toMatch(/^node (\.\.\/)+.*packages\/conformance\/dist\/bin\.js$/u);
    const rerun = `${prefix} run --command 'node ${adapter}' --suite stt-batch --runs 1 --seed 5 --out report`;
    expect(r.stderr).toContain(`\nrerun: ${rerun}\n`);
    // The reports carry it too: a reader of checks.json or summary.md can rerun the run.
    expect((JSON.parse(readFileSync(join(out, "checks.json"), "utf8")) as { rerun: string }).rerun).toBe(rerun);
    expect(readFileSync(join(out, "summary.md"), "utf8")).toContain(`\n${rerun}\n`);
    const replay = /^ {2}replay: (.+)$/mu.exec(r.stderr)?.[1];
    expect(replay).toMatch(new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\/]/gu, "\\$&")} replay report/counterexamples/\\S+\\.json --command 'node ${adapter}'$`, "u"));
    const file = JSON.parse(readFileSync(join(out, "counterexamples", readdirSync(join(out, "counterexamples"))[0]!), "utf8")) as { replay: string };
    expect(file.replay).toBe(replay);
    // The printed replay runs as printed, from the same folder: the same failure.
    const again = spawnSync("sh", ["-c", `${replay} --out again`], { cwd: dir, encoding: "utf8", timeout: 120_000 });
    expect(again.status, again.stderr).toBe(1);
    expect(again.stdout).toMatch(/^crashes: .* over 1 case — FAILED \(unexpected: .*stt-batch\/no-crash/u);
  });

  it("from an installed package (inside node_modules): npx speechwire-conformance", () => {
    const { dir, bin } = installedProject();
    const adapter = crashingAdapter(dir);
    expect(start(bin, ["--list"], dir)).toMatchObject({ code: 0, stdout: expect.stringContaining("| `v1/handshake` |") });
    const r = start(bin, ["run", "--command", `node ${adapter}`, "--suite", "stt-batch", "--runs", "1", "--seed", "5", "--out", "report"], dir);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`\nrerun: npx speechwire-conformance run --command 'node ${adapter}' --suite stt-batch --runs 1 --seed 5 --out report\n`);
    expect(r.stderr).toMatch(/^ {2}replay: npx speechwire-conformance replay report\/counterexamples\/\S+\.json --command 'node \S+crashing-adapter\.mjs'$/mu);
    const doc = JSON.parse(readFileSync(join(dir, "report", "checks.json"), "utf8")) as { adapters: { counterexamples: { replay: string }[] }[] };
    expect(doc.adapters[0]?.counterexamples[0]?.replay).toMatch(/^npx speechwire-conformance replay /u);
  });

  it("cliCommand: npx inside node_modules, else node and a path relative to the working directory", () => {
    expect(cliCommand("/home/u/app/node_modules/@speechwire/conformance/dist/cli.js", "/home/u/app")).toBe("npx speechwire-conformance");
    expect(cliCommand("/home/u/app/node_modules/.pnpm/@speechwire+conformance@1.0.0/node_modules/@speechwire/conformance/dist/cli.js", "/home/u/app/sub")).toBe("npx speechwire-conformance");
    expect(cliCommand("/w/speechwire/packages/conformance/dist/cli.js", "/w/speechwire")).toBe("node packages/conformance/dist/bin.js");
    expect(cliCommand("/w/speechwire/packages/conformance/src/cli.ts", "/w/speechwire/packages/conformance")).toBe("node dist/bin.js");
    expect(cliCommand("/w/speech wire/packages/conformance/dist/cli.js", "/w/apps")).toBe("node '../speech wire/packages/conformance/dist/bin.js'");
  });
});
