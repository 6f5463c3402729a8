/**
 * The CLI as users run it, in child processes on 127.0.0.1: the per-session and per-request lines
 * (text, --log json, --json, --quiet), the journal run folder it prints, usage errors (one line and a
 * hint, exit 2), a port in use (exit 1, suggests --port), and flags after pnpm's `--`.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, PACKAGE_DIR } from "./fuzz/mock-process.js";
import { connect, runCli, V1_PATH } from "./helpers.js";

const KEYS = ["time", "kind", "route", "method", "path", "scenario", "version", "durationMs", "status", "close", "closedBy", "violations", "session", "requestId"];

/** Starts the CLI, waits for its startup text, returns its HTTP base URL. */
async function start(args: string[]) {
  const cli = runCli(args);
  await cli.firstLine;
  await expect.poll(() => /http:\/\/127\.0\.0\.1:\d+/.exec(cli.stdout())?.[0], { timeout: 30_000 }).toBeDefined();
  const http = /http:\/\/127\.0\.0\.1:\d+/.exec(cli.stdout())?.[0] as string;
  return { cli, http, ws: http.replace("http", "ws") };
}

/** One v1 session and three requests without a session (admin, 404, status). */
async function traffic(http: string, ws: string): Promise<void> {
  const s = await connect(`${ws}/s/dictation${V1_PATH}`);
  s.ws.send(Buffer.alloc(640));
  s.ws.send("done");
  await s.closed;
  await (await fetch(`${http}/_speechwire/sessions`, { method: "DELETE" })).text();
  await (await fetch(`${http}/nope`)).text();
  await (await fetch(`${http}/`)).text();
}

/** Stops the CLI and returns everything it printed on stdout (complete once it has exited). */
async function stop(cli: ReturnType<typeof runCli>): Promise<string[]> {
  cli.child.kill("SIGTERM");
  expect(await cli.exited).toBe(0);
  return cli.stdout().trimEnd().split("\n");
}

describe("per-session and per-request lines", () => {
  it("prints one text line per session and per request by default", async () => {
    const { cli, http, ws } = await start(["--port", "0", "--tls-port", "off"]);
    await traffic(http, ws);
    // The session's line comes when the server's side of it ends: wait for every line, then stop.
    await expect.poll(() => cli.stdout().split("\n").filter((l) => /^\d\d:\d\d:\d\d\.\d{3} /.test(l)).length, { timeout: 30_000 }).toBe(4);
    const lines = (await stop(cli)).filter((l) => /^\d\d:\d\d:\d\d\.\d{3} /.test(l));
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} stt-v1 \/s\/dictation\/stt\/websocket dictation \d{4}-\d\d-\d\d \d+ms close 1000 by (client|server) 0 violations$/);
    expect(lines.slice(1).map((l) => l.slice(13))).toEqual([
      expect.stringMatching(/^admin DELETE \/_speechwire\/sessions - - \d+ms status 200$/),
      expect.stringMatching(/^none GET \/nope - - \d+ms status 404$/),
      expect.stringMatching(/^status GET \/ - - \d+ms status 200$/),
    ]);
    expect(cli.stderr()).toBe("");
  });

  it("--log json prints one JSON object per line with stable keys", async () => {
    const { cli, http, ws } = await start(["--port", "0", "--tls-port", "off", "--log", "json"]);
    await traffic(http, ws);
    await expect.poll(() => cli.stdout().split("\n").filter((l) => l.startsWith("{")).length, { timeout: 30_000 }).toBe(4);
    const records = (await stop(cli)).filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const r of records) expect(Object.keys(r)).toEqual(KEYS);
    expect(records.map((r) => [r.kind, r.route, r.status, r.close])).toEqual([
      ["session", "stt-v1", null, 1000],
      ["request", "admin", 200, null],
      ["request", "none", 404, null],
      ["request", "status", 200, null],
    ]);
    expect(records[0]).toMatchObject({ scenario: "dictation", violations: 0, method: null, session: "s000001" });
  });

  it("--json keeps stdout JSON lines: the URLs first, then the log as JSON", async () => {
    const cli = runCli(["--port", "0", "--tls-port", "off", "--json"]);
    const urls = JSON.parse(await cli.firstLine) as { http: string; ws: string; journalDirs: string[] };
    expect(urls.journalDirs).toEqual([]);
    await traffic(urls.http, urls.ws);
    await expect.poll(() => cli.stdout().trimEnd().split("\n").length, { timeout: 30_000 }).toBe(5);
    const lines = await stop(cli);
    for (const line of lines.slice(1)) expect(Object.keys(JSON.parse(line) as object)).toEqual(KEYS);
  });

  it("--quiet prints the startup text and nothing per session or request", async () => {
    const { cli, http, ws } = await start(["--port", "0", "--tls-port", "off", "--quiet"]);
    const startup = cli.stdout();
    await traffic(http, ws);
    // A line is written before the process can exit (stdout to a pipe is synchronous): all is in.
    await stop(cli);
    expect(cli.stdout()).toBe(startup);
  });
});

describe("a reader that goes away", () => {
  it("ends the log, not the server (stdout closed: EPIPE)", async () => {
    const cli = runCli(["--port", "0", "--tls-port", "off", "--json"]);
    const urls = JSON.parse(await cli.firstLine) as { http: string };
    cli.child.stdout.destroy();
    for (let i = 0; i < 20; i += 1) expect((await fetch(`${urls.http}/_speechwire/health`)).status).toBe(200);
    expect(cli.child.exitCode).toBeNull();
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
    expect(cli.stderr()).toBe("");
  });
});

describe("journal run folder", () => {
  it("prints the run folder at start; two starts on the same DIR get two folders", async () => {
    const parent = mkdtempSync(join(tmpdir(), "speechwire-cli-journal-"));
    try {
      const dirs: string[] = [];
      for (const json of [false, true]) {
        const cli = runCli(["--port", "0", "--tls-port", "off", "--journal", parent, "--quiet", ...(json ? ["--json"] : [])]);
        let dir: string;
        if (json) {
          dir = ((JSON.parse(await cli.firstLine) as { journalDirs: string[] }).journalDirs as [string])[0];
        } else {
          await expect.poll(() => /^ {2}journal: (.+)$/m.exec(cli.stdout())?.[1], { timeout: 30_000 }).toBeDefined();
          dir = /^ {2}journal: (.+)$/m.exec(cli.stdout())?.[1] as string;
        }
        const http = json ? undefined : (/http:\/\/127\.0\.0\.1:\d+/.exec(cli.stdout())?.[0] as string);
        const ws = (http ?? (JSON.parse(cli.stdout().split("\n")[0] as string) as { http: string }).http).replace("http", "ws");
        const s = await connect(`${ws}${V1_PATH}`);
        s.ws.send("done");
        await s.closed;
        await expect.poll(() => existsSync(join(dir, "s000001.jsonl")) && readFileSync(join(dir, "s000001.jsonl"), "utf8").includes('"kind":"end"')).toBe(true);
        await stop(cli);
        expect(dirname(dir)).toBe(parent);
        dirs.push(dir);
      }
      expect(new Set(dirs).size).toBe(2);
      expect(readdirSync(parent).sort()).toEqual(dirs.map((d) => basename(d)).sort());
      for (const dir of dirs) {
        expect(readdirSync(dir)).toEqual(["s000001.jsonl"]);
        expect(readFileSync(join(dir, "s000001.jsonl"), "utf8").match(/"kind":"session"/g)).toHaveLength(1);
      }
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe("journal run folders with --workers", () => {
  it("gives each worker its own run folder and prints them all", async () => {
    const parent = mkdtempSync(join(tmpdir(), "speechwire-cli-workers-"));
    try {
      const cli = runCli(["--port", "0", "--tls-port", "off", "--json", "--quiet", "--workers", "2", "--journal", parent]);
      const { journalDirs } = JSON.parse(await cli.firstLine) as { journalDirs: string[] };
      expect(journalDirs).toHaveLength(2);
      expect(new Set(journalDirs).size).toBe(2);
      for (const dir of journalDirs) expect(dirname(dir)).toBe(parent);
      expect(readdirSync(parent).sort()).toEqual(journalDirs.map((d) => basename(d)).sort());
      await stop(cli);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe("usage errors", () => {
  const usage = async (args: string[]) => {
    const cli = runCli(args);
    const code = await cli.exited;
    return { code, stderr: cli.stderr().trimEnd(), stdout: cli.stdout() };
  };

  it("an unknown option is one line with a hint (and the nearest option), exit 2", async () => {
    for (const [args, expected] of [
      [["--prot", "9000"], "speechwire-mock: unknown option --prot (did you mean --port?). Try --help."],
      [["--frobnicate"], "speechwire-mock: unknown option --frobnicate. Try --help."],
      [["--port"], "speechwire-mock: --port needs a value. Try --help."],
      [["--json=yes"], "speechwire-mock: --json takes no value. Try --help."],
      [["9000"], 'speechwire-mock: unexpected argument "9000" (every option starts with --). Try --help.'],
      [["--port", "70000"], "speechwire-mock: --port takes a port from 0 to 65535 (0: a free port), got 70000. Try --help."],
      [["--log", "xml"], 'speechwire-mock: --log takes text or json, got "xml". Try --help.'],
      [["--quiet", "--log", "json"], "speechwire-mock: --quiet and --log exclude each other. Try --help."],
    ] as const) {
      const r = await usage([...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toBe(expected);
      expect(r.stdout).toBe("");
    }
  });

  it("record's usage errors are one line with a hint too, exit 2 (after a `--` as well)", async () => {
    for (const [args, expected] of [
      [["record", "--out", "x"], "speechwire-mock record: --upstream URL is required. Try speechwire-mock record --help."],
      [["--", "record", "--upstream", "http://127.0.0.1:1"], "speechwire-mock record: --out DIR is required. Try speechwire-mock record --help."],
      [["record", "--upstream", "ftp://127.0.0.1", "--out", "x"], "speechwire-mock record: --upstream must be http(s) or ws(s), got ftp:. Try speechwire-mock record --help."],
      [["record", "--upstream", "http://127.0.0.1:1", "--out", "x", "--match", "fuzzy"], 'speechwire-mock record: --match takes position or digest, got "fuzzy". Try speechwire-mock record --help.'],
    ] as const) {
      const r = await usage([...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toBe(expected);
      expect(r.stdout).toBe("");
    }
  });

  it("an unknown scenario lists the known ones, exit 2", async () => {
    const r = await usage(["--port", "0", "--tls-port", "off", "--scenario", "eager-resum"]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^speechwire-mock: unknown scenario "eager-resum"; known: .*\bdefault\b.*\beager-resume\b.*\btts-basic\b.*\. Try --help\.$/);
  });

  it("a port in use says so and suggests --port, exit 1 (HTTP and TLS ports)", async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const http = await usage(["--port", String(port), "--tls-port", "off"]);
      expect(http.code).toBe(1);
      expect(http.stderr).toBe(`speechwire-mock: HTTP port ${port} on 127.0.0.1 is in use. Is another speechwire-mock (or pnpm start) running? Try --port N, or --port 0 for a free port.`);
      const tls = await usage(["--port", "0", "--tls-port", String(port)]);
      expect(tls.code).toBe(1);
      expect(tls.stderr).toMatch(new RegExp(`^speechwire-mock: TLS port ${port} on 127\\.0\\.0\\.1 is in use\\. .*Try --tls-port N, or --tls-port 0 for a free port \\(--tls-port off: no TLS\\)\\.$`));
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it("takes its flags after a `--` (as pnpm passes them, after the script's own flags too)", async () => {
    const cli = runCli(["--tls-port", "off", "--", "--port", "0", "--json", "--", "--quiet"]);
    const urls = JSON.parse(await cli.firstLine) as { http: string };
    expect((await fetch(`${urls.http}/_speechwire/health`)).status).toBe(200);
    await stop(cli);
  });
});

describe("through pnpm", () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it("`pnpm start -- --port N` in the package passes the flags through to the mock", async () => {
    // Its own process group, so the mock under pnpm stops with it.
    const child = spawn("pnpm", ["--silent", "start", "--", "--port", "0", "--tls-port", "off", "--json", "--quiet"], { cwd: PACKAGE_DIR, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).on("line", (l) => l.startsWith("{") && resolve(l));
        void exited.then((code) => reject(new Error(`pnpm start exited ${code}: ${stderr}`)));
      });
      const urls = JSON.parse(line) as { http: string };
      expect(urls.http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${urls.http}/_speechwire/health`)).status).toBe(200);
    } finally {
      process.kill(-(child.pid as number), "SIGTERM");
    }
    await exited;
  });
});
