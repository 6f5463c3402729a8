import { mkdtemp, readFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compareResults, formatComparison } from "../src/compare.js";
import { metricDefinition } from "../src/metrics/definitions.js";
import { runBench } from "../src/run/bench.js";
import { parseResults, resultsJsonSchema, resultsSchema, type Results } from "../src/report/schema.js";
import { consoleReport } from "../src/report/format.js";
import { writeReport } from "../src/report/write.js";

let cached: Results | undefined;
async function smallRun(): Promise<Results> {
  cached ??= await runBench({
    command: "all",
    endpoints: ["stt-v1", "stt-turns", "tts"],
    clients: ["speechwire", "raw"],
    target: "mock",
    latency: 10,
    seed: 1,
    sessions: 3,
    concurrency: 2,
    warmup: 1,
    pacing: "fast",
    rounds: 2,
    requests: 2,
    baselineN: 200,
    overhead: { runs: 2, sessions: 2 },
  });
  return cached;
}

describe("results", () => {
  it("the committed JSON Schema matches the Zod schema (regenerate: node dist/cli.js schema > schemas/results.schema.json)", async () => {
    const committed = JSON.parse(await readFile(new URL("../schemas/results.schema.json", import.meta.url), "utf8"));
    expect(committed).toEqual(resultsJsonSchema());
  });

  it("a run produces valid results with the environment, the baseline and every metric defined", async () => {
    const r = await smallRun();
    expect(resultsSchema.safeParse(r).success).toBe(true);
    expect(r.environment.latency).toBe("fixed 10 ms");
    expect(r.environment.seed).toBe(1);
    expect(Object.keys(r.environment.clients)).toEqual(["speechwire", "raw"]);
    expect(r.runs.map((x) => `${x.client}/${x.endpoint}`)).toEqual(["speechwire/stt-v1", "speechwire/stt-turns", "speechwire/tts", "raw/stt-v1", "raw/stt-turns", "raw/tts"]);
    for (const run of r.runs) {
      for (const m of run.metrics) {
        expect(m.statement).toBe(metricDefinition(m.id)?.statement);
        expect(m.summary, m.id).not.toBeNull();
      }
    }
    expect(r.baseline!.echo.n).toBe(200);
    expect(r.baseline!.ratio.p50).toBeCloseTo(r.baseline!.mock.p50 / r.baseline!.echo.p50, 6);
    // The overhead: each endpoint's reported metric, 2 runs, ratios consistent with the per-run figures.
    const o = r.baseline!.overhead!;
    expect(o.mockProcess).toBe(false);
    expect(r.environment.mockProcess).toBe(false);
    expect(o.metrics.map((m) => m.id)).toEqual(["stt-v1.finalize-to-final", "stt-turns.speech-end-to-turn-end", "tts.first-chunk"]);
    for (const m of o.metrics) {
      expect(m.runs).toHaveLength(2);
      const ratios = m.runs.map((x) => x.mockP50 / x.replayP50);
      expect(m.ratio.p50.min).toBeCloseTo(Math.min(...ratios), 9);
      expect(m.ratio.p50.max).toBeCloseTo(Math.max(...ratios), 9);
    }
  });

  it("writes results.json, results.md and one SVG chart per metric", async () => {
    const r = await smallRun();
    const dir = await mkdtemp(join(tmpdir(), "bench-report-"));
    await writeReport(dir, r);
    const files = await readdir(dir);
    expect(files).toContain("results.json");
    expect(files).toContain("results.md");
    const charts = files.filter((f) => f.endsWith(".svg"));
    expect(charts).toHaveLength(13);
    const parsed = parseResults(await readFile(join(dir, "results.json"), "utf8"));
    expect(parsed.ok).toBe(true);
    const md = await readFile(join(dir, "results.md"), "utf8");
    expect(md).toContain("## Environment");
    expect(md).toContain("## The mock's overhead");
    expect(md).toContain("Legacy baseline");
    expect(md).toContain(metricDefinition("stt-turns.speech-end-to-turn-end")!.statement);
    const svg = await readFile(join(dir, "chart-tts.first-chunk.svg"), "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.trim().endsWith("</svg>")).toBe(true);
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(consoleReport(r)).toContain("Mock overhead on the reported metrics");
    expect(consoleReport(r)).toContain("legacy baseline");
  });

  it("results written before the overhead, mockProcess and whole-command fields still parse", async () => {
    const old = await readFile(new URL("./fixtures/results-2026-11-22.json", import.meta.url), "utf8");
    expect(old).not.toMatch(/"overhead"|"mockProcess"/);
    const parsed = parseResults(old);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.value.command).toBe("all");
      expect(consoleReport(parsed.value)).toMatch(/^speechwire-bench all — target/);
    }
  });

  it("parseResults explains what is wrong", () => {
    expect(parseResults("{", "x.json")).toMatchObject({ ok: false, error: expect.stringMatching(/^x\.json: not JSON/) });
    expect(parseResults('{"format":"other"}', "y.json")).toMatchObject({ ok: false, error: expect.stringMatching(/not a speechwire-bench results file/) });
  });
});

describe("compare", () => {
  it("a run compared with itself has ratio 1 everywhere; a scaled copy has that scale", async () => {
    const a = await smallRun();
    const same = compareResults(a, a);
    expect(same.onlyA).toEqual([]);
    for (const m of same.metrics) if (m.a.p50 > 0) expect(m.ratio.p50).toBe(1);
    const b: Results = structuredClone(a);
    const run = b.runs.find((x) => x.endpoint === "tts" && x.client === "raw")!;
    const first = run.metrics.find((m) => m.id === "tts.first-chunk")!;
    first.summary = { ...first.summary!, p50: first.summary!.p50 * 2, p99: first.summary!.p99 * 3 };
    b.runs = b.runs.filter((x) => !(x.endpoint === "stt-v1" && x.client === "speechwire"));
    const c = compareResults(a, b);
    const m = c.metrics.find((x) => x.key === "tts.first-chunk [raw]")!;
    expect(m.ratio.p50).toBeCloseTo(2, 9);
    expect(m.ratio.p99).toBeCloseTo(3, 9);
    expect(c.onlyA).toContain("stt-v1.finalize-to-final [speechwire]");
    expect(formatComparison(c)).toMatch(/tts\.first-chunk \[raw\].*2\.00×/);
  });
});
