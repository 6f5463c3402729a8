/** The CLI as users run it, scenario files and folders, and the scenario JSON Schema drift check. */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BUILTIN_SCENARIOS, loadScenarioDir, loadScenarioFile, NODE_FLAGS, parseScenarioText, startMockServer } from "../src/index.js";
import { makeRunDir } from "../src/server/journal.js";
import { SCENARIO_SCHEMA_FILE, scenarioJsonSchema } from "../scripts/scenario-schema.js";
import { connect, runCli } from "./helpers.js";

const pkg = fileURLToPath(new URL("..", import.meta.url));


describe("speechwire-mock CLI", () => {
  it("prints one JSON line with the URLs once listening, serves, and exits 0 on SIGTERM", async () => {
    const cli = runCli(["--port", "0", "--tls-port", "0", "--json", "--scenario", "eager-resume", "--seed", "7"]);
    const urls = JSON.parse(await cli.firstLine) as { http: string; ws: string; https: string; wss: string; certPath: string };
    expect(urls.http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(urls.wss).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    expect(readFileSync(urls.certPath, "utf8")).toContain("BEGIN CERTIFICATE");
    const health = (await (await fetch(`${urls.http}/_speechwire/health`)).json()) as { defaultScenario: string };
    expect(health.defaultScenario).toBe("eager-resume");
    const rec = await connect(`${urls.ws}/stt/turns/websocket?model=ink-2&encoding=pcm_s16le&sample_rate=16000`);
    await rec.waitFor(1);
    cli.child.kill("SIGTERM");
    expect((await rec.closed).code).toBe(1001);
    expect(await cli.exited).toBe(0);
  });

  it("runs --workers processes on the same ports and stops them all on SIGTERM", async () => {
    const cli = runCli(["--port", "0", "--tls-port", "off", "--json", "--workers", "2"]);
    const urls = JSON.parse(await cli.firstLine) as { http: string };
    for (let i = 0; i < 4; i += 1) {
      expect(((await (await fetch(`${urls.http}/_speechwire/health`)).json()) as { ok: boolean }).ok).toBe(true);
    }
    // Each worker runs with the launchers' Node flags (this primary was started without them).
    if (existsSync("/proc/self/stat")) {
      const workers = readdirSync("/proc")
        .filter((name) => /^\d+$/.test(name))
        .filter((pid) => {
          try {
            return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ")[1] === String(cli.child.pid);
          } catch {
            return false; // a process that ended meanwhile
          }
        });
      expect(workers).toHaveLength(2);
      for (const pid of workers) expect(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")).toEqual(expect.arrayContaining([...NODE_FLAGS]));
    }
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
  });

  it("rejects bad flags with exit code 2 and a message naming the flag", async () => {
    for (const args of [["--port", "abc"], ["--latency", "warp-speed"], ["--auth", "maybe"], ["--bogus"], ["--cert", "x.pem"]]) {
      const cli = runCli(args);
      expect(await cli.exited).toBe(2);
      expect(cli.stderr()).toMatch(/speechwire-mock: /);
    }
  });

  it("refuses to start with an invalid scenario folder, listing file and field", async () => {
    const dir = mkdtempSync(join(tmpdir(), "speechwire-scenarios-"));
    writeFileSync(join(dir, "bad.yaml"), "name: Bad\nstt:\n  turns: nope\n");
    const cli = runCli(["--port", "0", "--tls-port", "off", "--scenarios", dir]);
    expect(await cli.exited).toBe(2);
    expect(cli.stderr()).toContain("bad.yaml: name");
    expect(cli.stderr()).toContain("stt.turns");
  });
});

describe("journal files", () => {
  it("appends each session's journal as JSONL with --journal, credentials redacted", async () => {
    const parent = mkdtempSync(join(tmpdir(), "speechwire-journal-"));
    const server = await startMockServer({ port: 0, tlsPort: false, journalDir: parent });
    const dir = server.journalDir as string;
    try {
      expect(readdirSync(parent)).toEqual([basename(dir)]);
      const rec = await connect(`${server.urls.ws}/stt/websocket?model=ink-whisper&encoding=pcm_s16le&sample_rate=16000&api_key=sk_car_secret_value`);
      rec.ws.send(Buffer.alloc(3200));
      rec.ws.send(Buffer.alloc(3200));
      rec.ws.send("close");
      await rec.closed;
      await new Promise((resolve) => setTimeout(resolve, 50));
      const [file] = readdirSync(dir);
      const lines = readFileSync(join(dir, file!), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines[0]).toMatchObject({ kind: "session", endpoint: "stt-v1" });
      expect(JSON.stringify(lines)).not.toContain("sk_car_secret_value");
      expect(lines.filter((l) => l.kind === "binary").map((l) => l.bytes)).toEqual([3200, 3200]);
      expect(lines.at(-1)).toMatchObject({ kind: "end", audio: { bytes: 6400 }, violations: [] });
    } finally {
      await server.close();
    }
  });

  it("writes each start into a run folder of its own: a second start on the same DIR never appends to the first's files", async () => {
    const parent = mkdtempSync(join(tmpdir(), "speechwire-journal-runs-"));
    const runs: { dir: string; lines: number }[] = [];
    try {
      for (let run = 0; run < 2; run += 1) {
        // The same process, back to back (the same millisecond is possible): still two folders.
        const server = await startMockServer({ port: 0, tlsPort: false, journalDir: parent });
        try {
          const rec = await connect(`${server.urls.ws}/stt/websocket?model=ink-whisper&encoding=pcm_s16le&sample_rate=16000`);
          rec.ws.send(Buffer.alloc(640 * (run + 1)));
          rec.ws.send("done");
          await rec.closed;
          await expect.poll(() => server.sessions()[0]?.endedAt).toBeDefined();
          const dir = server.journalDir as string;
          expect(dirname(dir)).toBe(parent);
          expect(basename(dir)).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d\\.\\d{3}Z-${process.pid}(-\\d+)?$`));
          expect(readdirSync(dir)).toEqual(["s000001.jsonl"]);
          runs.push({ dir, lines: readFileSync(join(dir, "s000001.jsonl"), "utf8").trim().split("\n").length });
        } finally {
          await server.close();
        }
      }
      const [first, second] = runs as [{ dir: string; lines: number }, { dir: string; lines: number }];
      expect(second.dir).not.toBe(first.dir);
      expect(readdirSync(parent).sort()).toEqual([basename(first.dir), basename(second.dir)].sort());
      // The first run's file is as the first run left it: one session, its audio, nothing of the second.
      const firstLines = readFileSync(join(first.dir, "s000001.jsonl"), "utf8").trim().split("\n");
      expect(firstLines).toHaveLength(first.lines);
      expect(firstLines.filter((l) => l.includes('"kind":"session"'))).toHaveLength(1);
      expect(JSON.parse(firstLines.at(-1) as string)).toMatchObject({ kind: "end", audio: { bytes: 640 } });
      expect(JSON.parse(readFileSync(join(second.dir, "s000001.jsonl"), "utf8").trim().split("\n").at(-1) as string)).toMatchObject({ kind: "end", audio: { bytes: 1280 } });
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it("makes a fresh run folder even when one of the same name exists, and fails clearly when DIR is a file", () => {
    const parent = mkdtempSync(join(tmpdir(), "speechwire-journal-same-"));
    try {
      const when = new Date("2026-12-07T06:41:02.123Z");
      const a = makeRunDir(parent, when, 42);
      const b = makeRunDir(parent, when, 42);
      expect(basename(a)).toBe("2026-12-07T06-41-02.123Z-42");
      expect(basename(b)).toBe("2026-12-07T06-41-02.123Z-42-2");
      writeFileSync(join(parent, "a-file"), "");
      expect(() => makeRunDir(join(parent, "a-file"))).toThrow(/cannot make a journal run folder in .*a-file/);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe("scenario files", () => {
  it("loads the example folder, and the server serves a scenario from it by name", async () => {
    const loaded = await loadScenarioDir(join(pkg, "scenarios"));
    expect(loaded.errors).toEqual([]);
    expect(loaded.scenarios.map((s) => s.name)).toContain("booking-call");
    const server = await startMockServer({ port: 0, tlsPort: false, scenariosDir: join(pkg, "scenarios"), scenario: "booking-call" });
    try {
      expect(server.scenarios.defaultName).toBe("booking-call");
    } finally {
      await server.close();
    }
  });

  it("takes a scenario file path as the default scenario", async () => {
    const server = await startMockServer({ port: 0, tlsPort: false, scenario: join(pkg, "scenarios/example.yaml") });
    try {
      expect(server.scenarios.defaultName).toBe("booking-call");
    } finally {
      await server.close();
    }
  });

  it("reports YAML syntax errors and schema issues with their paths", async () => {
    expect(parseScenarioText("name: [unclosed")).toMatchObject({ ok: false, issues: [{ path: "(root)" }] });
    const result = parseScenarioText(JSON.stringify({ name: "x", faults: [{ at: { audio: 1 }, action: { type: "explode" } }] }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]?.path).toBe("faults[0].action.type");
    const dir = mkdtempSync(join(tmpdir(), "speechwire-scenario-"));
    writeFileSync(join(dir, "one.json"), "{}");
    expect(await loadScenarioFile(join(dir, "one.json"))).toMatchObject({ ok: false, issues: [{ path: "name" }] });
  });

  it("keeps every built-in scenario valid against its own schema, with a description", () => {
    for (const s of BUILTIN_SCENARIOS) {
      expect(parseScenarioText(JSON.stringify(s))).toMatchObject({ ok: true });
      expect(s.description.length).toBeGreaterThan(10);
    }
  });

  it("commits schemas/scenario.json exactly as the Zod schema generates it", () => {
    const committed = readFileSync(join(pkg, SCENARIO_SCHEMA_FILE), "utf8");
    expect(committed, "run `pnpm --filter @speechwire/mock-server generate` and commit the result").toBe(scenarioJsonSchema());
    expect(readdirSync(join(pkg, "schemas")).sort()).toEqual(["openapi.yaml", "scenario.json"]);
  });
});
