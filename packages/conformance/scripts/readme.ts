/** Replaces the README's generated parts: the catalogue table and the example adapter. */
import { readFileSync } from "node:fs";
import { catalogueTable } from "../src/checks/table.js";

/** Replaces what lies between `<!-- name:start -->` and `<!-- name:end -->`; throws when a marker is missing. */
export function replaceBetween(readme: string, name: string, content: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const a = readme.indexOf(start);
  const b = readme.indexOf(end);
  if (a < 0 || b < a) throw new Error(`README.md needs ${start} … ${end}`);
  return `${readme.slice(0, a + start.length)}\n${content}\n${readme.slice(b)}`;
}

/** The README as the generator writes it: the catalogue table and the example adapter, verbatim. */
export function generatedReadme(readme: string, exampleFile: string): string {
  const example = readFileSync(exampleFile, "utf8").trimEnd();
  return replaceBetween(replaceBetween(readme, "checks", catalogueTable()), "example", `\`\`\`js\n${example}\n\`\`\``);
}
