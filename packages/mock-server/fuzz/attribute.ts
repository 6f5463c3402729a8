/**
 * Which generator finds which item of issue 12, by seed: `pnpm --filter @speechwire/mock-server exec
 * tsx fuzz/attribute.ts [--seed S] [--runs N] [--item ID]`. For each item, a property over the
 * item's generator that fails only on a finding matching the item (other findings are looked past),
 * so fast-check reports the run that found it and shrinks the case to the smallest that still does.
 * A fixed item prints "not found in N runs": that is the expected outcome once the bug is fixed.
 */
import { parseArgs } from "node:util";
import fc from "fast-check";
import { handshakeArb, httpRequestArb, wsRefusedHandshakeArb } from "../test/fuzz/generators.js";
import { formatFindings, FuzzTarget, type Finding, type FuzzCase } from "../test/fuzz/harness.js";
import { ensureBuilt } from "../test/fuzz/mock-process.js";

/** An issue item: how its findings read, and which generator should find it. */
interface Item {
  id: string;
  title: string;
  /** Whether a finding (of this case) is the item's. */
  match: (f: Finding, c: FuzzCase) => boolean;
  arb: fc.Arbitrary<FuzzCase>;
  mode: "open" | "strict";
}

const handshakes = handshakeArb.map((c): FuzzCase => ({ family: "request", c }));
const http = httpRequestArb.map((c): FuzzCase => ({ family: "request", c }));
const refusedBurst = wsRefusedHandshakeArb.map((c): FuzzCase => ({ family: "requests", c: Array.from({ length: 12 }, () => c) }));
const has = (kind: Finding["kind"], re: RegExp) => (f: Finding) => f.kind === kind && re.test(f.detail);

const ITEMS: Item[] = [
  { id: "1.1 upgrade", title: "undecodable /s/<scenario> in an upgrade kills the process", match: has("crash", /URIError/), arb: handshakes, mode: "open" },
  { id: "1.1 http", title: "undecodable /s/<scenario> over HTTP answers 500", match: has("shape", /^5\d\d .*URIError/), arb: http, mode: "open" },
  { id: "1.2 upgrade", title: "an unparseable request target in an upgrade kills the process", match: has("crash", /Invalid URL/), arb: handshakes, mode: "open" },
  { id: "1.2 http", title: "an unparseable request target over HTTP answers 500", match: has("shape", /^5\d\d .*Invalid URL/), arb: handshakes, mode: "open" },
  { id: "1.3", title: "a body that breaks mid-stream: ERR_CRYPTO_HASH_FINALIZED", match: has("crash", /ERR_CRYPTO_HASH_FINALIZED|hash.*finalized/i), arb: http, mode: "open" },
  { id: "1.4", title: "multipart ending inside the file part: Unexpected end of form", match: has("crash", /Unexpected end of form/), arb: http, mode: "open" },
  { id: "1.5", title: 'a signed token with "grants": null', match: (f) => /Cannot (read|convert).*null|grantCovers/.test(f.detail), arb: handshakes, mode: "open" },
  { id: "4 shape", title: "an upgrade ws refuses is answered text/html without request ids", match: has("shape", /without cartesia-request-id|text\/html/), arb: handshakes, mode: "open" },
  { id: "4 leak", title: "refused upgrades leave a listener each (MaxListenersExceededWarning)", match: has("stderr", /MaxListenersExceeded/), arb: refusedBurst, mode: "open" },
  { id: "3.1", title: "strict mode opens a route without an issued credential (e.g. a forged token)", match: has("lock", /without an issued credential/), arb: handshakes, mode: "strict" },
  {
    id: "3.4",
    title: "strict mode takes the key followed by U+00A0",
    match: (f, c) => has("lock", /without an issued credential/)(f) && JSON.stringify(c).includes("k\u00a0"),
    arb: handshakes,
    mode: "strict",
  },
  { id: "3.2", title: "strict mode: the admin API answers without a credential", match: has("lock", /admin route/), arb: http, mode: "strict" },
  { id: "3.3", title: "an admin key opens an API route or mints a token", match: has("lock", /only an admin key/), arb: http, mode: "open" },
];

const { values } = parseArgs({ options: { seed: { type: "string" }, runs: { type: "string" }, item: { type: "string" } } });
const seed = Number(values.seed ?? 1);
const runs = Number(values.runs ?? 2000);

ensureBuilt();
const targets = { open: new FuzzTarget({ mode: "open", reference: false }), strict: new FuzzTarget({ mode: "strict", reference: false }) };
const lines: string[] = [];
for (const item of ITEMS.filter((i) => values.item === undefined || i.id.startsWith(values.item))) {
  const target = targets[item.mode];
  let matched: Finding[] = [];
  const started = Date.now();
  const result = await fc.check(
    fc.asyncProperty(item.arb, async (c) => {
      const hits = (await target.run(c)).filter((f) => item.match(f, c));
      if (hits.length > 0) {
        matched = hits;
        throw new Error(formatFindings(hits));
      }
    }),
    { numRuns: runs, seed },
  );
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const line = result.failed
    ? `§${item.id} — ${item.title}: found by run ${result.numRuns} (seed ${seed}, ${result.numShrinks} shrinks, ${seconds} s)\n  finding: ${formatFindings(matched).split("\n")[0]}\n  shrunk case: ${JSON.stringify(result.counterexample?.[0])}`
    : `§${item.id} — ${item.title}: not found in ${result.numRuns} runs (seed ${seed}, ${seconds} s)`;
  lines.push(line);
  process.stdout.write(`${line}\n\n`);
}
await Promise.all([targets.open.stop(), targets.strict.stop()]);
