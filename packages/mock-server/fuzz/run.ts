/**
 * The long fuzz run: `pnpm --filter @speechwire/mock-server fuzz [--handshakes N --frames N --http N
 * --sessions N --seed S --out DIR]`. Same generators, oracle and harness as the bounded suites
 * (test/fuzz), but counts by flag, every finding collected instead of stopping at the first, a
 * replaced child after each crash, and the mock's live heap after GC read between the second and the
 * third third of the sessions (the second and third thousand of 3,000). Writes a JSON and a markdown
 * report; exits 1 on any finding.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import fc from "fast-check";
import {
  abuseCaseArb,
  frameCaseArb,
  frameCount,
  handshakeArb,
  httpRequestArb,
  playgroundRequestArb,
  sessionCaseArb,
  wsRefusedHandshakeArb,
} from "../test/fuzz/generators.js";
import { FuzzTarget, makePlayground, type Finding, type FuzzCase } from "../test/fuzz/harness.js";
import { ensureBuilt, PACKAGE_DIR } from "../test/fuzz/mock-process.js";
import { exchange, renderHead } from "../test/fuzz/wire.js";

const HELP = `pnpm --filter @speechwire/mock-server fuzz [options]

  --handshakes N   generated handshakes (default 10000; a fifth against a strict mock)
  --frames N       WebSocket frames, in generated sequences (default 100000)
  --http N         HTTP requests (default 5000; a fifth strict, a tenth to a playground folder)
  --sessions N     full valid sessions (default 3000)
  --seed S         fast-check seed (default: random, printed)
  --out DIR        report folder (default .test-results/fuzz)
  --help           this text
`;

// `pnpm fuzz -- --seed 1` hands the script a literal "--" first.
const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv[0] === "--" ? argv.slice(1) : argv,
  options: {
    handshakes: { type: "string" },
    frames: { type: "string" },
    http: { type: "string" },
    sessions: { type: "string" },
    seed: { type: "string" },
    out: { type: "string" },
    help: { type: "boolean" },
  },
});
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const count = (name: string, fallback: number) => {
  const text = values[name as keyof typeof values] as string | undefined;
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) {
    process.stderr.write(`--${name} takes a whole number\n\n${HELP}`);
    process.exit(2);
  }
  return Number(text);
};
const goals = { handshakes: count("handshakes", 10_000), frames: count("frames", 100_000), http: count("http", 5_000), sessions: count("sessions", 3_000) };
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const outDir = values.out ?? join(PACKAGE_DIR, ".test-results", "fuzz");

/** A finding and where it came from, grouped by kind and message pattern. */
interface FindingGroup {
  kind: Finding["kind"];
  signature: string;
  count: number;
  family: string;
  example: { detail: string; case: unknown };
}

const groups = new Map<string, FindingGroup>();
const tried = { handshakes: 0, frames: 0, frameSequences: 0, http: 0, sessions: 0, abuse: 0 };
const byKind: Record<Finding["kind"], number> = { crash: 0, stderr: 0, hang: 0, shape: 0, lock: 0, reference: 0 };

/** Numbers, ids and quoted values vary between instances of one bug: they are masked in the signature. */
const signatureOf = (f: Finding) => `${f.kind}: ${f.detail.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "<id>").replace(/"[^"]*"/g, '"…"').replace(/\d+/g, "N").slice(0, 160)}`;

function record(family: string, c: FuzzCase, findings: Finding[]): void {
  for (const f of findings) {
    byKind[f.kind] += 1;
    const signature = signatureOf(f);
    const group = groups.get(signature);
    if (group) group.count += 1;
    else groups.set(signature, { kind: f.kind, signature, count: 1, family, example: { detail: f.detail, case: c.c } });
  }
}

/** Draws `n` values of an arbitrary, reproducibly from the run's seed and a stream name. */
function* draw<T>(arb: fc.Arbitrary<T>, stream: number, batch = 200): Generator<T> {
  for (let i = 0; ; i += 1) yield* fc.sample(arb, { numRuns: batch, seed: seed + stream * 1_000_003 + i });
}

const started = Date.now();
const progress = (what: string) => process.stdout.write(`\r${what} — ${Math.round((Date.now() - started) / 1000)} s, findings ${[...groups.values()].reduce((n, g) => n + g.count, 0)}    `);

ensureBuilt();
const playground = makePlayground();
const open = new FuzzTarget({ mode: "open" });
// The sessions get a process of their own, started with the GC hook: its heap is compared across them.
const sessionsTarget = new FuzzTarget({ mode: "open", gcHook: true });
const strict = new FuzzTarget({ mode: "strict" });
const withPlayground = new FuzzTarget({ mode: "open", playgroundDir: playground.dir });
process.stdout.write(`fuzzing with seed ${seed}\n`);

const run = async (target: FuzzTarget, family: string, c: FuzzCase) => record(family, c, await target.run(c));

// Handshakes: a tenth of them the kind `ws` refuses itself; every fifth on the strict mock.
{
  const cases = draw(handshakeArb, 1);
  const refused = draw(wsRefusedHandshakeArb, 2);
  for (let i = 0; i < goals.handshakes; i += 1) {
    const c = (i % 10 === 9 ? refused.next().value : cases.next().value) as FuzzCase["c"];
    await run(i % 5 === 4 ? strict : open, "handshake", { family: "request", c } as FuzzCase);
    tried.handshakes += 1;
    if (i % 100 === 0) progress(`handshakes ${i}/${goals.handshakes}`);
  }
}

// Frames: sequences until the frame goal, with an abusive client every 20 sequences.
{
  const cases = draw(frameCaseArb(), 3);
  const abuse = draw(abuseCaseArb, 4, 50);
  while (tried.frames < goals.frames) {
    const c = cases.next().value as Extract<FuzzCase, { family: "frames" }>["c"];
    await run(tried.frameSequences % 5 === 4 ? strict : open, "frames", { family: "frames", c });
    tried.frames += c.frames.reduce((n, f) => n + frameCount(f), 0);
    tried.frameSequences += 1;
    if (tried.frameSequences % 20 === 0) {
      await run(open, "abuse", { family: "abuse", c: abuse.next().value as Extract<FuzzCase, { family: "abuse" }>["c"] });
      tried.abuse += 1;
    }
    if (tried.frameSequences % 50 === 0) progress(`frames ${tried.frames}/${goals.frames}`);
  }
}

// HTTP: every fifth on the strict mock, every tenth to the playground folder.
{
  const cases = draw(httpRequestArb, 5);
  const reads = draw(playgroundRequestArb, 6);
  for (let i = 0; i < goals.http; i += 1) {
    if (i % 10 === 9) await run(withPlayground, "playground", { family: "request", c: reads.next().value as FuzzCase["c"] } as FuzzCase);
    else await run(i % 5 === 4 ? strict : open, "http", { family: "request", c: cases.next().value as FuzzCase["c"] } as FuzzCase);
    tried.http += 1;
    if (i % 100 === 0) progress(`http ${i}/${goals.http}`);
  }
}

/** Live heap after GC (the hook), and what the health route reports (before GC). */
async function memory() {
  const { mock } = await sessionsTarget.ready();
  const afterGc = await mock.heapAfterGc();
  const ex = await exchange(mock.port, [{ write: renderHead("GET", "/_speechwire/health", [["Host", "127.0.0.1"]]) }]);
  let health: { rss?: number; heapUsed?: number } | undefined;
  try {
    health = (JSON.parse(ex.answer?.body.toString("utf8") ?? "") as { memory?: { rss: number; heapUsed: number } }).memory;
  } catch {
    health = undefined;
  }
  return { afterGc: afterGc ?? null, healthBeforeGc: health ?? null };
}

// Sessions, with the heap read at two thirds and at the end (the second and third thousand of 3,000).
const heap: { atSession: number; afterGc: { heapUsed: number; rss: number } | null; healthBeforeGc: { rss?: number; heapUsed?: number } | null; restartsSoFar: number }[] = [];
{
  const cases = draw(sessionCaseArb, 7);
  const marks = new Set([Math.floor((goals.sessions * 2) / 3), goals.sessions]);
  for (let i = 1; i <= goals.sessions; i += 1) {
    await run(sessionsTarget, "session", { family: "session", c: cases.next().value as Extract<FuzzCase, { family: "session" }>["c"] });
    tried.sessions += 1;
    if (marks.has(i)) {
      const m = await memory();
      heap.push({ atSession: i, afterGc: m.afterGc, healthBeforeGc: m.healthBeforeGc, restartsSoFar: sessionsTarget.sup.restarts });
    }
    if (i % 50 === 0) progress(`sessions ${i}/${goals.sessions}`);
  }
}

const seconds = Math.round((Date.now() - started) / 100) / 10;
const restarts = { open: open.sup.restarts, strict: strict.sup.restarts, playground: withPlayground.sup.restarts, sessions: sessionsTarget.sup.restarts };
await Promise.all([open.stop(), strict.stop(), withPlayground.stop(), sessionsTarget.stop()]);
playground.cleanup();

const [h1, h2] = heap;
const heapGrowth = h1?.afterGc && h2?.afterGc && restarts.sessions === 0 ? (h2.afterGc.heapUsed - h1.afterGc.heapUsed) / h1.afterGc.heapUsed : null;
// The heap goal (within 10%) is only meaningful when one process served all the sessions.
if (heapGrowth !== null && heapGrowth > 0.1) {
  groups.set("heap", { kind: "shape", signature: "live heap after GC grew more than 10%", count: 1, family: "session", example: { detail: `heap after GC ${h1?.afterGc?.heapUsed} → ${h2?.afterGc?.heapUsed} bytes (+${(heapGrowth * 100).toFixed(1)}%)`, case: null } });
}
const findings = [...groups.values()].sort((a, b) => b.count - a.count);
const report = {
  seed,
  goals,
  tried,
  seconds,
  restarts,
  counts: { crashes: byKind.crash, unhandledErrors: byKind.stderr, hangs: byKind.hang, wrongShapes: byKind.shape, strictLock: byKind.lock, referenceDiffs: byKind.reference },
  heap: { samples: heap, growthAfterGc: heapGrowth },
  findings,
};
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, "fuzz-report.json"), `${JSON.stringify(report, null, 2)}\n`);
const mib = (n: number | undefined) => (n === undefined ? "–" : `${(n / 1024 / 1024).toFixed(1)} MiB`);
const md = [
  `# Fuzz run (seed ${seed})`,
  "",
  `${seconds} s. Tried: ${tried.handshakes} handshakes, ${tried.frames} frames in ${tried.frameSequences} sequences, ${tried.http} HTTP requests, ${tried.sessions} full sessions, ${tried.abuse} abusive clients. Mock restarts after a crash or stderr output: open ${restarts.open}, strict ${restarts.strict}, playground ${restarts.playground}, sessions ${restarts.sessions}.`,
  "",
  "| crashes | unhandled errors (stderr) | hangs | wrong shapes | strict lock | reference differs |",
  "|---|---|---|---|---|---|",
  `| ${byKind.crash} | ${byKind.stderr} | ${byKind.hang} | ${byKind.shape} | ${byKind.lock} | ${byKind.reference} |`,
  "",
  "## Memory",
  "",
  "| after session | live heap after GC | RSS after GC | health `memory` (before GC): heapUsed / rss |",
  "|---|---|---|---|",
  ...heap.map((h) => `| ${h.atSession} | ${mib(h.afterGc?.heapUsed)} | ${mib(h.afterGc?.rss)} | ${mib(h.healthBeforeGc?.heapUsed)} / ${mib(h.healthBeforeGc?.rss)} |`),
  "",
  heapGrowth === null ? "Heap growth: not comparable (the session mock was restarted, or too few sessions)." : `Live heap growth after GC between the two marks: ${(heapGrowth * 100).toFixed(1)}% (goal: within 10%).`,
  "",
  "## Findings",
  "",
  ...(findings.length === 0
    ? ["None."]
    : findings.flatMap((g) => [`### [${g.kind}] ×${g.count} (${g.family})`, "", "```", g.example.detail, "```", "", "Example case:", "", "```json", JSON.stringify(g.example.case), "```", ""])),
].join("\n");
writeFileSync(join(outDir, "fuzz-report.md"), `${md}\n`);
process.stdout.write(`\n${md.split("\n").slice(0, 8).join("\n")}\nreport: ${join(outDir, "fuzz-report.md")}\n`);
process.exit(findings.length > 0 ? 1 : 0);
