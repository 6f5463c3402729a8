/**
 * The bench on Artillery: the engine's config and flow checks, the report conversion, and a real local
 * `artillery run` (the pinned version, its own local workers) against a `speechwire-mock --workers 2`
 * on 127.0.0.1, turned into results.json and compared with a plain bench run of the same scenarios.
 */
import { spawn, spawnSync, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockServer } from "@speechwire/mock-server";
import { artilleryResults, artilleryScript, parseFlow, parseRunConfig, stepMetrics, summaryOf, ARTILLERY_VERSION, artilleryBin, SpeechwireEngine } from "../src/artillery/index.js";
import { BENCH_SCENARIOS } from "../src/targets/scenarios.js";
import { parseResults, type Results } from "../src/report/schema.js";
import { metricsOf } from "../src/metrics/definitions.js";

const PKG = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(PKG, "dist", "cli.js");
const MOCK_CLI = join(PKG, "..", "mock-server", "dist", "cli.js");
/** The injected fixed latency (ms) of the mock under Artillery's load. */
const LATENCY = 50;
/** The bench's stated p50 tolerance for a fixed latency (README, Calibration). */
const P50_TOLERANCE_MS = 2;
/** Artillery's DDSketch answers quantiles within 1 %, and its summaries round to 0.1 ms. */
const sketch = (ms: number) => ms * 0.01 + 0.05;

/**
 * A run's median of a metric and its standard error at that n, as the bench's profile calibration
 * takes it (README: √(q(1−q)/n) ÷ the density at q), with the density at the median read from the
 * run's own quartile: f ≈ 0.25 ÷ (p75 − p50), so SE = 2 (p75 − p50) ÷ √n.
 */
function medianOf(r: Results, endpoint: string, id: string): { p50: number; se: number } {
  const m = r.runs.find((x) => x.endpoint === endpoint)!.metrics.find((x) => x.id === id)!;
  const p75 = m.distribution.find((d) => d.percentile === 75)!.value;
  return { p50: m.summary!.p50, se: (2 * (p75 - m.summary!.p50)) / Math.sqrt(m.summary!.n) };
}

function cli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", env: { ...process.env, CARTESIA_API_KEY: "" }, timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the speechwire engine's checks", () => {
  it("reads config.speechwire with defaults, and refuses bad values with the key's name", () => {
    expect(parseRunConfig({ target: "http://127.0.0.1:1/" }, {})).toEqual({ target: "http://127.0.0.1:1", client: "speechwire", pacing: "fast", rounds: 5, requests: 3, apiKey: "sk_car_bench", latency: "none" });
    expect(parseRunConfig({ target: "http://127.0.0.1:1", speechwire: { client: "raw", pacing: "realtime", rounds: 2, latency: 50 } }, {})).toMatchObject({ client: "raw", pacing: "realtime", rounds: 2, latency: "50" });
    expect(() => parseRunConfig({ target: "ws://x" }, {})).toThrow(/config.target must be an http\(s\) URL/);
    expect(() => parseRunConfig({ target: "http://127.0.0.1:1", speechwire: { client: "curl" } }, {})).toThrow(/config.speechwire.client takes one of speechwire, cartesia-js, raw/);
    expect(() => parseRunConfig({ target: "http://127.0.0.1:1", speechwire: { rounds: 0 } }, {})).toThrow(/config.speechwire.rounds takes an integer ≥ 1/);
    expect(() => parseRunConfig({ target: "http://127.0.0.1:1", speechwire: { round: 3 } }, {})).toThrow(/unknown key config.speechwire.round/);
  });

  it("reads a flow of session steps and think, and names the bad step", () => {
    expect(parseFlow([{ "stt-v1": { rounds: 2 } }, { think: 0.5 }, { "stt-turns": null }, { tts: { client: "raw" } }])).toEqual([
      { kind: "stt-v1", rounds: 2 },
      { kind: "think", seconds: 0.5 },
      { kind: "stt-turns" },
      { kind: "tts", client: "raw" },
    ]);
    expect(() => parseFlow([])).toThrow(/non-empty flow/);
    expect(() => parseFlow([{ get: { url: "/" } }])).toThrow(/flow\[0\]: unknown step "get"/);
    expect(() => parseFlow([{ tts: { speed: 2 } }])).toThrow(/flow\[0\].tts: unknown option "speed"/);
    expect(() => parseFlow([{ think: -1 }])).toThrow(/think takes seconds ≥ 0/);
  });

  it("emits every value under the bench's id (ratios in thousandths) and counts missing events", () => {
    const r = stepMetrics("stt-v1", { "stt-v1.finalize-to-final": [50.2, 51], "stt-v1.handshake": [3] }, { rounds: 3, turns: 0, requests: 0 });
    expect(r.histograms).toEqual([["stt-v1.finalize-to-final", 50.2], ["stt-v1.finalize-to-final", 51], ["stt-v1.handshake", 3]]);
    expect(r.counters).toEqual([["speechwire.stt-v1.sessions.ok", 1], ["speechwire.stt-v1.missing.final", 1]]);
    const t = stepMetrics("tts", { "tts.first-chunk": [10], "tts.timestamp-coverage": [1, 0.5], "tts.real-time-factor": [0.02, 0.03] }, { rounds: 0, turns: 0, requests: 2 });
    expect(t.histograms).toContainEqual(["tts.timestamp-coverage", 500]);
    expect(t.histograms).toContainEqual(["tts.real-time-factor", 20]);
    expect(t.counters).toEqual([["speechwire.tts.sessions.ok", 1], ["speechwire.tts.missing.first-chunk", 1], ["speechwire.tts.missing.timestamps", 1]]);
  });

  it("writes one scenario per endpoint of the mix, or all three in turn", () => {
    const base = { target: "http://127.0.0.1:8787", duration: 20, vusers: 20, client: "speechwire", pacing: "fast", rounds: 5, requests: 3, latency: "50", scenariosDir: "bench-scenarios", mockWorkers: 2 } as const;
    const mixed = artilleryScript({ ...base, mix: { "stt-v1": 2, "stt-turns": 0, tts: 1 } });
    expect(mixed).toContain("weight: 2");
    expect(mixed).toContain("- stt-v1: {}");
    expect(mixed).not.toContain("- stt-turns: {}");
    expect(mixed).toContain("speechwire-mock --host 127.0.0.1 --port 8787 --tls-port off --workers 2 --scenarios bench-scenarios --latency 50");
    const seq = artilleryScript({ ...base, mix: "sequence" });
    expect(seq.match(/- (stt-v1|stt-turns|tts): \{\}/g)).toEqual(["- stt-v1: {}", "- stt-turns: {}", "- tts: {}"]);
    expect(() => artilleryScript({ ...base, mix: { "stt-v1": 0, "stt-turns": 0, tts: 0 } })).toThrow(/at least one endpoint/);
  });
});

/** Collects what the engine emits, as Artillery's event emitter would receive it. */
function recorder() {
  const events: [string, ...unknown[]][] = [];
  return {
    events,
    emit: (...args: [string, ...unknown[]]) => {
      events.push(args);
      return true;
    },
    counter: (name: string) => events.filter((e) => e[0] === "counter" && e[1] === name).reduce((n, e) => n + (e[2] as number), 0),
    histogram: (name: string) => events.filter((e) => e[0] === "histogram" && e[1] === name).map((e) => e[2] as number),
  };
}

describe("the speechwire engine against the mock on 127.0.0.1", () => {
  it("runs a virtual user's steps, emitting the bench's metrics, counters and send lag", async () => {
    const mock = await startMockServer({ host: "127.0.0.1", port: 0, tlsPort: false, seed: 1, latency: 5, scenarios: BENCH_SCENARIOS });
    try {
      const engine = new SpeechwireEngine({ config: { target: mock.urls.http, speechwire: { client: "raw", pacing: "realtime", rounds: 2, requests: 2, latency: 5 } } });
      const ee = recorder();
      const scenario = engine.createScenario({ flow: [{ "stt-v1": {} }, { think: 0.01 }, { tts: { pacing: "fast" } }] }, ee as never);
      await new Promise<void>((resolve, reject) => scenario({}, (error) => (error ? reject(error) : resolve())));
      expect(ee.events[0]).toEqual(["started"]);
      expect(ee.histogram("stt-v1.finalize-to-final")).toHaveLength(2);
      for (const v of ee.histogram("stt-v1.finalize-to-final")) expect(v).toBeGreaterThan(0);
      expect(ee.histogram("stt-v1.handshake")).toHaveLength(1);
      expect(ee.histogram("tts.first-chunk")).toHaveLength(2);
      expect(ee.histogram("tts.timestamp-coverage")).toEqual([1000, 1000]);
      expect(ee.counter("speechwire.stt-v1.sessions.ok")).toBe(1);
      expect(ee.counter("speechwire.tts.sessions.ok")).toBe(1);
      expect(ee.counter("speechwire.run.client.raw")).toBe(2);
      expect(ee.counter("speechwire.run.latency.5")).toBe(2);
      // Real-time pacing: one largest-lag value for the STT session, none for TTS (not paced).
      expect(ee.histogram("speechwire.send-lag.max")).toHaveLength(1);
      expect(ee.histogram("speechwire.send-lag.max")[0]).toBeGreaterThanOrEqual(0);
      expect(ee.events.filter((e) => e[0] === "error")).toEqual([]);
    } finally {
      await mock.close();
    }
  });

  it("fails a virtual user whose session fails, counting it and naming the reason", async () => {
    // A mock without the bench's scenarios refuses /s/bench-v1/…: the handshake fails.
    const mock = await startMockServer({ host: "127.0.0.1", port: 0, tlsPort: false, seed: 1 });
    try {
      const engine = new SpeechwireEngine({ config: { target: mock.urls.http, speechwire: { client: "raw", rounds: 1 } } });
      const ee = recorder();
      const scenario = engine.createScenario({ flow: [{ "stt-v1": {} }, { tts: {} }] }, ee as never);
      const error = await new Promise<Error | null>((resolve) => scenario({}, (e) => resolve(e)));
      expect(error?.message).toMatch(/handshake refused: HTTP 4\d\d/);
      expect(ee.counter("speechwire.stt-v1.sessions.failed")).toBe(1);
      expect(ee.counter("speechwire.tts.sessions.ok") + ee.counter("speechwire.tts.sessions.failed")).toBe(0);
      expect(ee.events.find((e) => e[0] === "error")?.[1]).toMatch(/^stt-v1: handshake refused/);
    } finally {
      await mock.close();
    }
  });
});

describe("speechwire-bench artillery: usage errors", () => {
  it("answers a bad command line with exit 2 and one line", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bench-artillery-cli-"));
    await writeFile(join(dir, "not-artillery.json"), JSON.stringify({ runs: [] }));
    for (const [args, message] of [
      [["artillery"], /artillery takes init, run or report, got nothing/],
      [["artillery", "deploy"], /artillery takes init, run or report, got "deploy"/],
      [["artillery", "run"], /artillery run takes the script first/],
      [["artillery", "report"], /artillery report takes one Artillery JSON report/],
      [["artillery", "report", "missing.json"], /cannot read missing.json: ENOENT/],
      [["artillery", "report", "not-artillery.json"], /not an Artillery JSON report/],
      [["artillery", "init", "--mix", "stt=1"], /--mix takes endpoint=weight pairs/],
      [["artillery", "init", "--target", "ws://x"], /--target takes an http\(s\) URL/],
      [["artillery", "init", "--latency", "fast"], /--latency takes none, milliseconds or one of/],
      [["artillery", "init", "--vusers", "0"], /--vusers takes an integer ≥ 1/],
    ] as const) {
      const r = cli([...args], dir);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe("artillery report", () => {
  it("refuses what is not an Artillery JSON report, with a clear message", () => {
    expect(() => artilleryResults("{", { command: "c", source: "r.json" })).toThrow(/r.json: not JSON/);
    expect(() => artilleryResults("{}", { command: "c", source: "r.json" })).toThrow(/not an Artillery JSON report/);
    expect(() => artilleryResults(JSON.stringify({ aggregate: { counters: { "vusers.created": 1 }, summaries: {} } }), { command: "c" })).toThrow(/no speechwire sessions/);
    expect(() => artilleryResults(JSON.stringify({ aggregate: { counters: {}, summaries: { x: { min: 1 } } } }), { command: "c" })).toThrow(/summaries\["x"\] lacks max/);
  });

  it("keeps any sketch summary ordered and inside [min, max]", () => {
    const v = fc.double({ min: 0, max: 1e6, noNaN: true });
    fc.assert(
      fc.property(fc.record({ min: v, max: v, count: fc.nat(), mean: v, p50: v, p90: v, p95: v, p99: v }), fc.constantFrom(1, 1000), (s, scale) => {
        const r = summaryOf(s, scale);
        expect(r.min).toBeLessThanOrEqual(r.p50);
        expect(r.p50).toBeLessThanOrEqual(r.p90);
        expect(r.p90).toBeLessThanOrEqual(r.p95);
        expect(r.p95).toBeLessThanOrEqual(r.p99);
        expect(r.p99).toBeLessThanOrEqual(r.max);
        expect(r.mean).toBeGreaterThanOrEqual(r.min);
        expect(r.mean).toBeLessThanOrEqual(r.max);
      }),
    );
  });
});

/** A free TCP port on 127.0.0.1 (the mock's workers share one given port). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function waitHealthy(url: string, mock: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 300; i += 1) {
    if (mock.exitCode !== null) throw new Error(`the mock exited: ${log()}`);
    try {
      const res = await fetch(`${url}/_speechwire/health`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the mock did not answer its health check: ${log()}`);
}

describe("a local artillery run against a started mock", () => {
  let dir: string;
  const mocks: ChildProcess[] = [];
  let url: string;
  let art: Results;
  /** The same Artillery load of STT v1 sessions against a mock with latency none. */
  let zero: Results;
  let bench: Results;
  let runOutput = "";

  beforeAll(async () => {
    execFileSync(process.execPath, [join(PKG, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], { cwd: PKG });
    expect(artilleryBin().version).toBe(ARTILLERY_VERSION);
    dir = await mkdtemp(join(tmpdir(), "bench-artillery-"));
    const startMock = async (port: number, scenarios: string, latency: string[]) => {
      let log = "";
      const mock = spawn(process.execPath, [MOCK_CLI, "--host", "127.0.0.1", "--port", String(port), "--tls-port", "off", "--workers", "2", "--scenarios", scenarios, ...latency], { stdio: ["ignore", "pipe", "pipe"] });
      mocks.push(mock);
      mock.stdout?.on("data", (d: Buffer) => (log += d.toString()));
      mock.stderr?.on("data", (d: Buffer) => (log += d.toString()));
      await waitHealthy(`http://127.0.0.1:${port}`, mock, () => log);
    };
    const artillery = async (yml: string, out: string) => {
      const run = spawnSync(process.execPath, [CLI, "artillery", "run", yml, "--output", join(out, "report.json")], { cwd: dir, encoding: "utf8", timeout: 300_000 });
      const output = `${run.stdout}\n${run.stderr}`;
      expect(run.status, output).toBe(0);
      const report = cli(["artillery", "report", join(out, "report.json"), "--out", join(out, "results"), "--quiet"], dir);
      expect(report.code, `${report.stdout}\n${report.stderr}`).toBe(0);
      const r = parseResults(await readFile(join(out, "results", "results.json"), "utf8"));
      if (!r.ok) throw new Error(r.error);
      return { output, results: r.value };
    };
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    // 20 virtual users over 20 s, each one session of every endpoint in turn.
    const init = cli(["artillery", "init", "--target", url, "--vusers", "20", "--duration", "20", "--mix", "sequence", "--latency", String(LATENCY), "--rounds", "5", "--requests", "3"], dir);
    expect(init.code, init.stderr).toBe(0);
    await startMock(port, join(dir, "bench-scenarios"), ["--latency", String(LATENCY)]);
    const main = await artillery(join(dir, "artillery.yml"), dir);
    runOutput = main.output;
    art = main.results;

    // As the bench calibrates (README: Calibration), the same load at latency none gives what the
    // bench, client, Artillery and mock add themselves, subtracted before comparing with L.
    const zeroDir = join(dir, "zero");
    const zeroPort = await freePort();
    const zinit = cli(["artillery", "init", "--target", `http://127.0.0.1:${zeroPort}`, "--out", join(zeroDir, "artillery.yml"), "--vusers", "20", "--duration", "20", "--mix", "stt-v1=1", "--rounds", "5", "--quiet"], dir);
    expect(zinit.code, zinit.stderr).toBe(0);
    await startMock(zeroPort, join(zeroDir, "bench-scenarios"), []);
    zero = (await artillery(join(zeroDir, "artillery.yml"), zeroDir)).results;

    // The same scenarios and client with the plain bench, one session at a time, against the same mock.
    const plain = cli(["all", "--target", url, "--api-key", "any", "--sessions", "20", "--concurrency", "1", "--warmup", "2", "--overhead-runs", "0", "--quiet", "--out", join(dir, "bench-results")], dir);
    expect(plain.code, `${plain.stdout}\n${plain.stderr}`).toBe(0);
    const b = parseResults(await readFile(join(dir, "bench-results", "results.json"), "utf8"));
    if (!b.ok) throw new Error(b.error);
    bench = b.value;
  }, 600_000);

  afterAll(async () => {
    for (const mock of mocks) {
      if (mock.exitCode !== null) continue;
      const exited = new Promise((r) => mock.once("exit", r));
      mock.kill("SIGTERM");
      await exited;
    }
  });

  it("runs every virtual user's sessions with no failure, telemetry off and nothing refused", () => {
    expect(art.environment.runner?.vusers).toEqual({ created: 20, completed: 20, failed: 0 });
    for (const run of art.runs) expect(run.sessions, run.endpoint).toEqual({ ok: 20, failed: 0, errors: [] });
    expect(art.runs.map((r) => r.endpoint)).toEqual(["stt-v1", "stt-turns", "tts"]);
    // The no-egress preload refuses (and prints) any connection off loopback: none was tried.
    expect(runOutput).not.toContain("speechwire: refused a connection");
    expect(runOutput).not.toContain("Anonymized telemetry is on");
  });

  it("produces every metric of every endpoint, under the bench's ids and definitions", () => {
    for (const run of art.runs) {
      expect(run.metrics.map((m) => m.id)).toEqual(metricsOf(run.endpoint).map((d) => d.id));
      for (const m of run.metrics) {
        expect(m.summary, m.id).not.toBeNull();
        expect(m.summary!.n, m.id).toBeGreaterThan(0);
      }
    }
    const v1 = art.runs.find((r) => r.endpoint === "stt-v1")!;
    expect(v1.metrics.find((m) => m.id === "stt-v1.finalize-to-final")!.summary!.n).toBe(100);
    expect(art.environment.latency).toBe("fixed 50 ms");
    expect(art.environment.runner?.missing).toEqual({});
  });

  it("recovers the injected fixed latency at finalize → final within the bench's tolerance", () => {
    const at = medianOf(art, "stt-v1", "stt-v1.finalize-to-final");
    const none = medianOf(zero, "stt-v1", "stt-v1.finalize-to-final");
    // error = (p50 at L − p50 at latency none) − L: within the bench's ±2 ms, each sketch's 1 %, and
    // 3 standard errors of the difference of two medians at n = 100 (the runs are not interleaved
    // as the bench's calibration is, so the machine's load between them is sampling noise here).
    const error = at.p50 - none.p50 - LATENCY;
    const tolerance = P50_TOLERANCE_MS + sketch(at.p50) + sketch(none.p50) + 3 * Math.hypot(at.se, none.se);
    expect(Math.abs(error), `p50 ${at.p50} at ${LATENCY} ms, ${none.p50} at none; tolerance ${tolerance.toFixed(2)}`).toBeLessThanOrEqual(tolerance);
    // Not vacuous: a lost or doubled latency lies far outside.
    expect(tolerance).toBeLessThan(LATENCY / 4);
    expect(zero.runs.map((r) => [r.endpoint, r.sessions.ok, r.sessions.failed])).toEqual([["stt-v1", 20, 0]]);
  });

  it("compares with a plain bench run of the same scenarios: the same medians within tolerance", async () => {
    const c = cli(["compare", join(dir, "bench-results", "results.json"), join(dir, "results", "results.json"), "--json"], dir);
    expect(c.code, c.stderr).toBe(0);
    const compared = JSON.parse(c.stdout) as { metrics: { key: string; a: { p50: number }; b: { p50: number } }[] };
    const endpointOf = { "stt-v1.finalize-to-final": "stt-v1", "stt-turns.speech-end-to-turn-end": "stt-turns", "tts.first-chunk": "tts" } as const;
    expect(bench.runs.map((r) => [r.endpoint, r.sessions.failed])).toEqual([["stt-v1", 0], ["stt-turns", 0], ["tts", 0]]);
    const keys = compared.metrics.map((m) => m.key);
    for (const id of Object.keys(endpointOf) as (keyof typeof endpointOf)[]) {
      const m = compared.metrics.find((x) => x.key === `${id} [speechwire]`);
      expect(m, `${id} in ${keys.join(", ")}`).toBeDefined();
      // Each run's median is within the bench's ±2 ms of what it measures, the sketch's 1 % on
      // Artillery's side, and the two medians differ by sampling as well: 3 standard errors of the
      // difference at these n (60–100 values each), from each run's own quartile.
      const a = medianOf(bench, endpointOf[id], id);
      const b = medianOf(art, endpointOf[id], id);
      expect([a.p50, b.p50]).toEqual([m!.a.p50, m!.b.p50]);
      const tolerance = 2 * P50_TOLERANCE_MS + sketch(b.p50) + 3 * Math.hypot(a.se, b.se);
      expect(Math.abs(b.p50 - a.p50), `${id}: bench p50 ${a.p50}, artillery p50 ${b.p50}, tolerance ${tolerance.toFixed(2)}`).toBeLessThanOrEqual(tolerance);
      expect(tolerance, `${id}: the tolerance stays well below the 50 ms injected`).toBeLessThan(LATENCY / 2);
    }
    await writeFile(join(dir, "compare.json"), c.stdout);
  });
});
