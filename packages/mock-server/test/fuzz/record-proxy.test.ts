/**
 * Bounded fuzz of the recording proxy (issue 18), like the mock's own input handlers: the proxy runs
 * as a child (`speechwire-mock record`, so a crash is an exit and anything on stderr a finding) in
 * front of a mock child playing the upstream, and gets the fuzzer's generated handshakes, HTTP
 * requests and frame sequences over raw sockets on 127.0.0.1. Oracle: every exchange ends in time
 * (an answer, or the connection closed), the proxy stays alive with nothing on stderr, and every
 * scenario it wrote from those sessions is a valid scenario the mock loads.
 * FC_SEED replays a failure; FC_NUM_RUNS scales every property.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadScenarioFile } from "../../src/scenario/load.js";
import { frameCaseArb, frameCaseHandshake, frameCaseSteps, handshakeArb, httpRequestArb, renderRequest } from "./generators.js";
import { fcOptions } from "./harness.js";
import { ensureBuilt, MockProcess, PACKAGE_DIR } from "./mock-process.js";
import { converse, exchange } from "./wire.js";

let upstream: MockProcess;
let proxy: ChildProcess;
let port: number;
const stderr: string[] = [];
let exited: { code: number | null; signal: string | null } | undefined;
let out: string;

beforeAll(async () => {
  ensureBuilt();
  out = mkdtempSync(join(tmpdir(), "speechwire-fuzz-record-"));
  upstream = await MockProcess.start();
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.CARTESIA_API_KEY;
  proxy = spawn(
    process.execPath,
    [join(PACKAGE_DIR, "dist", "cli.js"), "record", "--upstream", `http://127.0.0.1:${upstream.port}`, "--out", out, "--port", "0", "--tls-port", "off", "--json"],
    { cwd: PACKAGE_DIR, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  proxy.stderr?.on("data", (c: Buffer) => stderr.push(c.toString("utf8")));
  proxy.once("exit", (code, signal) => (exited = { code, signal }));
  const first = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: proxy.stdout! });
    lines.once("line", resolve);
    proxy.once("exit", () => reject(new Error(`the proxy exited: ${stderr.join("")}`)));
  });
  port = Number(new URL((JSON.parse(first) as { http: string }).http).port);
}, 60_000);

afterAll(async () => {
  if (proxy && !exited) {
    const gone = new Promise((r) => proxy.once("exit", r));
    proxy.kill("SIGTERM");
    await gone;
  }
  await upstream?.stop();
  if (out) rmSync(out, { recursive: true, force: true });
});

const alive = () => {
  expect(exited).toBeUndefined();
  expect(stderr.join("")).toBe("");
};

describe("fuzz: the recording proxy", () => {
  it("answers or closes every generated handshake in time, and stays up", async () => {
    await fc.assert(
      fc.asyncProperty(handshakeArb, async (c) => {
        const ex = await exchange(port, renderRequest(c, "not-a-minted-token"));
        if (ex.upgraded) {
          const t = await converse(ex.upgraded.socket, ex.upgraded.rest, []);
          expect(t.timedOut).toBe(false);
        }
        expect(ex.timedOut).toBe(false);
        alive();
      }),
      fcOptions(40),
    );
  }, 300_000);

  it("answers or closes every generated HTTP request in time, and stays up", async () => {
    await fc.assert(
      fc.asyncProperty(httpRequestArb, async (c) => {
        const ex = await exchange(port, renderRequest(c, "not-a-minted-token"));
        expect(ex.timedOut).toBe(false);
        if (ex.answer) expect(ex.answer.status).toBeGreaterThanOrEqual(200);
        ex.upgraded?.socket.destroy();
        alive();
      }),
      fcOptions(40),
    );
  }, 300_000);

  it("relays any frame sequence on every WebSocket endpoint without a hang, and stays up", async () => {
    await fc.assert(
      fc.asyncProperty(frameCaseArb(), async (c) => {
        const ex = await exchange(port, [{ write: frameCaseHandshake(c) }]);
        expect(ex.timedOut).toBe(false);
        if (ex.upgraded) {
          const t = await converse(ex.upgraded.socket, ex.upgraded.rest, frameCaseSteps(c));
          expect(t.timedOut).toBe(false);
          expect(t.malformed).toBeUndefined();
        }
        alive();
      }),
      fcOptions(30),
    );
  }, 300_000);

  it("wrote only valid scenarios from all of that", async () => {
    // Sessions still closing are written within a moment.
    await new Promise((r) => setTimeout(r, 500));
    const files = readdirSync(out).filter((f) => f.endsWith(".yaml"));
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const loaded = await loadScenarioFile(join(out, f));
      expect(loaded.ok ? "ok" : `${f}: ${JSON.stringify(loaded.issues)}`).toBe("ok");
    }
    alive();
  }, 60_000);
});
