/**
 * Published figures match their committed results files (reads files; no timing). Each README figure
 * block names its file and is re-rendered from it; the file must be the newest committed one of its
 * kind (and the same mock placement, in process or `--mock-process`), so a fresh run cannot sit beside a
 * README that still quotes an older one.
 * Fix a failure with `node scripts/readme-figures.mjs` (after `pnpm build`).
 */
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { figureBlocks, fitsKind, perMessageBlocks, renderFigures, renderPerMessage, type PerMessageFile } from "../src/report/figures.js";
import { parseResults, type Results } from "../src/report/schema.js";

const PKG = new URL("..", import.meta.url).pathname;
const CLIENT = join(PKG, "..", "client");
const load = (path: string): Results => {
  const r = parseResults(readFileSync(path, "utf8"), path);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
const examples = readdirSync(join(PKG, "examples"), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(PKG, "examples", d.name, "results.json")))
  .map((d) => `examples/${d.name}/results.json`)
  // Bench results only (the client per-message file has a format of its own).
  .filter((f) => (JSON.parse(readFileSync(join(PKG, f), "utf8")) as { format?: string }).format === "speechwire-bench/results@1");

describe("packages/bench/README.md", () => {
  const readme = readFileSync(join(PKG, "README.md"), "utf8");
  const blocks = figureBlocks(readme);

  it("has figure blocks in the figures and baseline sections", () => {
    const at = (heading: string) => readme.indexOf(heading);
    const inSection = (heading: string) => blocks.filter((b) => b.start > at(heading) && b.start < readme.indexOf("\n## ", at(heading) + 1));
    expect(inSection("## Figures from this machine").length).toBeGreaterThan(0);
    expect(inSection("## Baseline: the mock's overhead").length).toBeGreaterThan(0);
  });

  it.each(figureBlocks(readFileSync(join(PKG, "README.md"), "utf8")).map((b) => [`${b.kind} ${b.file}`, b] as const))("block %s equals what its file renders to, and the file is the newest of its kind", (_name, b) => {
    const r = load(join(PKG, b.file));
    expect(fitsKind(b.kind, r)).toBe(true);
    expect(b.body).toBe(renderFigures(b.kind, b.file, r));
    const newer = examples.filter((f) => f !== b.file).map((f) => [f, load(join(PKG, f))] as const).filter(([, x]) => fitsKind(b.kind, x) && x.startedAt > r.startedAt && (x.environment.mockProcess ?? false) === (r.environment.mockProcess ?? false));
    expect(newer.map(([f]) => f), "a newer results file of this kind is committed: quote it").toEqual([]);
  });

  it("every figure in the two sections sits in a block (no hand-copied numbers outside)", () => {
    for (const heading of ["## Figures from this machine", "## Baseline: the mock's overhead"]) {
      const start = readme.indexOf(heading);
      let section = readme.slice(start, readme.indexOf("\n## ", start + 1));
      for (const b of figureBlocks(section)) section = section.replace(b.body, "");
      expect(section.match(/\d+\.\d+\s*(ms|×)/g) ?? [], heading).toEqual([]);
    }
  });
});

describe("packages/client/README.md, speed", () => {
  const readme = readFileSync(join(CLIENT, "README.md"), "utf8");
  const blocks = perMessageBlocks(readme);

  it("quotes the per-message figures from a committed results file, as rendered from it", () => {
    expect(blocks.length).toBeGreaterThan(0);
    for (const b of blocks) {
      const data = JSON.parse(readFileSync(join(CLIENT, b.file), "utf8")) as PerMessageFile;
      expect(data.invocations.length).toBeGreaterThanOrEqual(3);
      expect(b.body).toBe(renderPerMessage(b.file, data));
    }
  });

  it("claims no win where the figures show parity", () => {
    for (const b of blocks) {
      const data = JSON.parse(readFileSync(join(CLIENT, b.file), "utf8")) as PerMessageFile;
      for (const line of renderPerMessage(b.file, data).split("\n").filter((l) => l.endsWith("| parity |"))) {
        const stream = line.split("|")[1]?.trim() ?? "";
        const measure = line.split("|")[2]?.trim() ?? "";
        if (measure.startsWith("lock-step")) expect(readme, `${stream} end to end is parity`).not.toMatch(new RegExp(`${stream}[^\\n.]*end to end[^\\n.]*faster`, "i"));
      }
    }
  });
});
