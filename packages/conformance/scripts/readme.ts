/** Replaces the README's generated parts: the catalogue table and the example adapter. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { catalogueTable } from "../src/checks/table.js";

/** The protocol reference, and the path to it from this package's README. */
const REFERENCE_DIR = fileURLToPath(new URL("../../../docs/protocol/", import.meta.url));
const REFERENCE_FROM_README = "../../docs/protocol";

/** Replaces what lies between `<!-- name:start -->` and `<!-- name:end -->`; throws when a marker is missing. */
export function replaceBetween(readme: string, name: string, content: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const a = readme.indexOf(start);
  const b = readme.indexOf(end);
  if (a < 0 || b < a) throw new Error(`README.md needs ${start} … ${end}`);
  return `${readme.slice(0, a + start.length)}\n${content}\n${readme.slice(b)}`;
}

/** GitHub's anchor of a heading: lower case, punctuation and symbols dropped, spaces to `-`. */
function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "")
    .replace(/ /gu, "-");
}

/**
 * Section number → link target (`05-tts-websocket.md#52-client--server`) of every numbered heading of
 * the protocol reference. Read from the headings themselves, so a renamed heading regenerates its links.
 */
export function referenceSections(dir = REFERENCE_DIR): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".md")).sort()) {
    const seen = new Map<string, number>();
    let fenced = false;
    for (const line of readFileSync(join(dir, file), "utf8").split("\n")) {
      if (/^\s*(```|~~~)/u.test(line)) fenced = !fenced;
      const heading = fenced ? undefined : /^(#{1,6})\s+(.*?)\s*$/u.exec(line);
      if (!heading) continue;
      const text = heading[2] ?? "";
      const base = anchorOf(text);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      const section = /^(\d+(?:\.\d+)*)\.?\s/u.exec(text)?.[1];
      if (section && !out.has(section)) out.set(section, heading[1] === "#" ? file : `${file}#${n === 0 ? base : `${base}-${n}`}`);
    }
  }
  return out;
}

/** Turns each `§N.N` of the catalogue's section column into a link to the reference; throws on an unknown one. */
export function linkSections(table: string, sections = referenceSections()): string {
  return table
    .split("\n")
    .map((row) => {
      const cells = row.split(" | ");
      if (cells.length < 6 || !cells[3]?.includes("§")) return row;
      cells[3] = cells[3].replace(/§(\d+(?:\.\d+)*)/gu, (ref, n: string) => {
        const target = sections.get(n);
        if (!target) throw new Error(`the catalogue cites ${ref}, which docs/protocol does not have`);
        return `[${ref}](${REFERENCE_FROM_README}/${target})`;
      });
      return cells.join(" | ");
    })
    .join("\n");
}

/** The README as the generator writes it: the catalogue table (sections linked) and the example adapter, verbatim. */
export function generatedReadme(readme: string, exampleFile: string): string {
  const example = readFileSync(exampleFile, "utf8").trimEnd();
  return replaceBetween(replaceBetween(readme, "checks", linkSections(catalogueTable())), "example", `\`\`\`js\n${example}\n\`\`\``);
}
