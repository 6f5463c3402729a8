/**
 * The README's performance figures are the committed results' (no timing here: it reads files). The
 * latest dated folder of `bench/results/` (its `busy/` runs aside) holds the runs of part (a) and of
 * the replay bench; each README row must quote their min / median / max as the bench prints them.
 * Part (b)'s row is held to its committed ramps (b-run*.json), the (d) row to its runs (d-run*.json); the (c) rows and the (e) table's
 * "now" column to cde-run7.json (cde-run1.json to cde-run6.json are history, quoted beside it). Figures labelled "before" or "not committed" are history, not checked.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
const RESULTS = join(PACKAGE_DIR, "bench", "results");
const README = readFileSync(join(PACKAGE_DIR, "README.md"), "utf8");
const latest = readdirSync(RESULTS).filter((d) => /^\d{4}-\d{2}-\d{2}$/u.test(d)).sort().at(-1);
const dir = join(RESULTS, latest ?? "missing");
/** The committed run of parts (c), (d) and (e) the README quotes. */
const CDE_RUN = "cde-run7.json";
/** The committed run of the replay bench the README quotes (replay-after.json is history). */
const REPLAY_RUN = "replay-steady.json";
const json = (file: string) => JSON.parse(readFileSync(join(dir, file), "utf8")) as Record<string, unknown>;

/** A number as the bench prints it: `digits` decimals, or a formatter (e.g. whole numbers with commas). */
type Format = number | ((x: number) => string);
const formatted = (x: number, format: Format) => (typeof format === "number" ? x.toFixed(format) : format(x));

/** A summary the bench wrote, `min / median / max`. */
type Summary = Record<"min" | "median" | "max", number>;

/** `min / median / max` of runs (the median of an even count is the mean of the middle two). */
function spread(values: number[], format: Format): string {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length / 2;
  const median = v.length % 2 === 1 ? v[Math.floor(mid)]! : (v[mid - 1]! + v[mid]!) / 2;
  return summary({ min: v[0]!, median, max: v.at(-1)! }, format);
}

/** A written summary as `min / median / max`. */
function summary(m: Summary, format: Format): string {
  return [m.min, m.median, m.max].map((x) => formatted(x, format)).join(" / ");
}

/** The README's table row that starts with `start`. */
function row(start: string): string {
  const line = README.split("\n").find((l) => l.startsWith(start));
  if (!line) throw new Error(`README.md has no row starting with ${JSON.stringify(start)}`);
  return line;
}

describe(`README performance figures match bench/results/${latest ?? "(none)"}`, () => {
  it("has a dated results folder, and the rows name its date", () => {
    expect(latest).toBeDefined();
    expect(row("| (a) ")).toContain(latest!);
    expect(row("| CPU per audio frame")).toContain(latest!);
  });

  it("(a) finalize → final: the mock's and the echo's p50 and p99, and their ratios, over the committed runs", () => {
    const runs = readdirSync(dir)
      .filter((f) => /^a-run\d+\.json$/u.test(f))
      .map((f) => json(f).a as { mock: { p50: number; p99: number }; echo: { p50: number; p99: number }; ratioP50: number; ratioP99: number });
    expect(runs.length).toBeGreaterThanOrEqual(3);
    const line = row("| (a) ");
    expect(line).toContain(`p50 ${spread(runs.map((r) => r.mock.p50), 3)} ms, p99 ${spread(runs.map((r) => r.mock.p99), 3)} ms`);
    expect(line).toContain(`p50 ${spread(runs.map((r) => r.echo.p50), 3)} ms, p99 ${spread(runs.map((r) => r.echo.p99), 3)} ms`);
    const ratioP50 = runs.map((r) => r.ratioP50);
    const [lo, mid, hi] = spread(ratioP50, 2).split(" / ");
    expect(line).toMatch(new RegExp(`ratio p50 \\**${lo} / ${mid} / ${hi}×`, "u"));
    expect(line).toContain(`p99 ${spread(runs.map((r) => r.ratioP99), 2)}×`);
  });

  it("CPU per frame, per session and turn.end against the replay server: the summary of the committed replay run", () => {
    const replay = json(REPLAY_RUN) as { summary: { name: string; mock: Record<"min" | "median" | "max", number>; replay: Record<"min" | "median" | "max", number>; ratio: Record<"min" | "median" | "max", number> }[] };
    const of = (prefix: string) => {
      const s = replay.summary.find((x) => x.name.startsWith(prefix));
      if (!s) throw new Error(`no ${prefix} in ${REPLAY_RUN}`);
      return s;
    };
    const cases: [string, string, number][] = [
      ["| CPU per audio frame, steady state", "server CPU per audio frame, steady state", 1],
      ["| … the first stream on a fresh process", "server CPU per audio frame, first stream", 1],
      ["| CPU per session", "server CPU per session", 2],
      ["| turns: last speech byte", "last speech byte", 3],
    ];
    for (const [start, name, digits] of cases) {
      const line = row(start);
      const s = of(name);
      expect(line, start).toContain(summary(s.mock, digits));
      expect(line, start).toContain(`replay server ${summary(s.replay, digits)}`);
      const [lo, mid, hi] = summary(s.ratio, 2).split(" / ");
      expect(line, start).toContain(`ratio ${lo} / **${mid}** / ${hi}×`);
    }
  });

  it("(b) capacity: each run's largest passing N for the mock and the bare server, and the ratio per run, with bounds where the load generator stopped a ramp", () => {
    const runs = readdirSync(dir)
      .filter((f) => /^b-run\d+\.json$/u.test(f))
      .map((f) => json(f).b as { maxStreams: number; baselineMaxStreams: number; ratio: number; limits: { mock: string; baseline: string } });
    expect(runs.length).toBeGreaterThanOrEqual(3);
    const line = row("| (b) ");
    expect(line).toContain(`${latest}`);
    expect(line).toContain(`${runs.length} runs`);
    const n = (x: number) => x.toLocaleString("en-US");
    // A ramp stopped by its load generator gives a lower bound (≥) on capacity.
    const capacities = (pick: (r: (typeof runs)[number]) => [number, string]) =>
      runs
        .map(pick)
        .sort((a, b) => a[0] - b[0])
        .map(([v, limit]) => `${limit === "generator" ? "≥ " : ""}${n(v)}`)
        .join(" / ");
    expect(line).toContain(`| ${capacities((r) => [r.maxStreams, r.limits.mock])}`);
    expect(line).toContain(`bare \`ws\` server sending the same events: ${capacities((r) => [r.baselineMaxStreams, r.limits.baseline])}`);
    // A ramp the load generator stopped gives a lower bound on that side's capacity: the ratio is then a
    // lower bound (the mock's), an upper bound (the baseline's), or neither (both: marked ≈).
    const bound = (r: (typeof runs)[number]) => {
      const mock = r.limits.mock === "generator";
      const baseline = r.limits.baseline === "generator";
      return mock && baseline ? "≈ " : mock ? "≥ " : baseline ? "≤ " : "";
    };
    const ratios = /ratio per run ([^(|]+?)(?: \(|\|)/u.exec(line)?.[1]?.trim().split(" / ").sort();
    const expected = runs.map((r) => `${bound(r)}${r.ratio.toFixed(2)}`).sort();
    expect(ratios).toEqual(expected);
  });

  it("(c) TTS: the committed run's min / median / max, as the bench prints them", () => {
    type Side = { xRealtime: number; cpuMsPerAudioSecond: number };
    type Burst = { singleP50: number; burstP50: number; burstMax: number; ratioP50: number };
    const run = json(CDE_RUN) as {
      date: string;
      c: { throughput: { runs: { on: Side; off: Side; onNewWords: Side; journalShare: number }[] }; contexts: { runs: { mock: Burst; replay: Burst }[] } };
    };
    const t = run.c.throughput.runs;
    const k = run.c.contexts.runs;
    expect(t.length).toBe(5);
    expect(k.length).toBe(5);
    const int = (x: number) => Math.round(x).toLocaleString("en-US");
    const throughput = row("| (c) TTS per context");
    expect(throughput).toContain(run.date.slice(0, 10));
    expect(throughput).toContain(`| ${spread(t.map((r) => r.on.xRealtime), int)}× real time |`);
    expect(throughput).toContain(`journal off: ${spread(t.map((r) => r.off.xRealtime), int)}×`);
    expect(throughput).toContain(
      `every request's words new (nothing from the tone cache), journal on: ${spread(t.map((r) => r.onNewWords.xRealtime), int)}× (${spread(t.map((r) => r.onNewWords.cpuMsPerAudioSecond), 3)} ms CPU per audio second)`,
    );
    const share = row("| (c) journal + linter share");
    expect(share).toContain(`| ${spread(t.map((r) => r.journalShare * 100), 1)} % (CPU per audio second on ${spread(t.map((r) => r.on.cpuMsPerAudioSecond), 3)} ms)`);
    expect(share).toContain(`journal off ${spread(t.map((r) => r.off.cpuMsPerAudioSecond), 3)} ms`);
    const burst = row("| (c) TTS first chunk with 100 contexts");
    expect(burst).toContain(
      `| ${spread(k.map((r) => r.mock.burstP50), 1)} ms = ${spread(k.map((r) => r.mock.ratioP50), 1)}× one context's (${spread(k.map((r) => r.mock.singleP50), 2)} ms); max ${spread(k.map((r) => r.mock.burstMax), 1)} ms`,
    );
    expect(burst).toContain(`replay server: ${spread(k.map((r) => r.replay.burstP50), 1)} ms = ${spread(k.map((r) => r.replay.ratioP50), 1)}×`);
  });

  it("(d) memory per idle turns session: the committed runs' min / median / max", () => {
    const runs = readdirSync(dir)
      .filter((f) => /^d-run\d+\.json$/u.test(f))
      .map((f) => json(f).d as { sessions: number; perSession: { rss: number; heapUsed: number } });
    expect(runs.length).toBeGreaterThanOrEqual(3);
    const line = row("| (d) memory per idle turns session");
    expect(line).toContain(`${latest}`);
    expect(line).toContain(`${runs.length} runs`);
    const kib = (pick: (r: (typeof runs)[number]) => number) => spread(runs.map((r) => pick(r) / 1024), 1);
    const sessions = new Set(runs.map((r) => r.sessions.toLocaleString("en-US")));
    expect(sessions.size).toBe(1);
    expect(line).toContain(`| ${kib((r) => r.perSession.rss)} KiB RSS, ${kib((r) => r.perSession.heapUsed)} KiB heap (${[...sessions][0]} sessions`);
  });

  it("(e) one long TTS request: the table's now column is the committed run's summary", () => {
    const e = (json(CDE_RUN) as { e: Record<string, Summary> & { control: Record<string, Summary> } }).e;
    const med = (m: Summary, digits: number) => m.median.toFixed(digits);
    expect(row("| first chunk of a 10,000-word request")).toContain(`| ${summary(e.firstChunkMs!, 1)} ms |`);
    expect(row("| peak RSS growth of a 40,000-word request")).toContain(`| ${summary(e.rssGrowthMiB!, 1)} MiB |`);
    expect(row("| the same with `--journal-text-chars 256`")).toContain(`| ${summary(e.rssGrowthSmallJournalMiB!, 1)} MiB |`);
    expect(row("| … time to `done`")).toContain(`| ${summary(e.rssSeconds!, 1)} s |`);
    expect(row("| while a client that does not read")).toContain(
      `| ${med(e.loopDelayP99!, 2)} ms (${med(e.loopDelayMax!, 1)} ms); without that request ${med(e.control.loopDelayP99!, 2)} ms (${med(e.control.loopDelayMax!, 1)} ms) |`,
    );
    expect(row("| … a concurrent turns session's event lateness")).toContain(
      `| ${med(e.latenessP99!, 2)} ms (${med(e.latenessMax!, 1)} ms); without ${med(e.control.latenessP99!, 2)} ms (${med(e.control.latenessMax!, 1)} ms) |`,
    );
    expect(row("| … a fresh turns session")).toContain(`| ${med(e.freshConnectedMs!, 1)} ms; without ${med(e.control.freshConnectedMs!, 1)} ms |`);
  });
});
