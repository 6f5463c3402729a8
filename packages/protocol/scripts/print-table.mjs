// Prints the protocol's message table from the built package (run `pnpm --filter @speechwire/protocol build`
// first): one row per catalogue entry (endpoint, direction, message, JSON Schema file under schemas/),
// then each endpoint's path. Plain text, aligned, no dependencies.
//
// Run: pnpm --filter @speechwire/protocol table
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const distIndex = new URL("../dist/index.js", import.meta.url);
if (!existsSync(fileURLToPath(distIndex))) {
  console.error("dist/index.js is missing: run `pnpm --filter @speechwire/protocol build` first.");
  process.exit(1);
}
const { ENDPOINTS, MESSAGE_CATALOG } = await import(distIndex.href);

/** Formats rows as columns separated by two spaces, with a dashed rule under the header. */
function table(header, rows) {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  const line = (cells) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

const plain = (text) => text.replaceAll("`", "");

console.log(
  table(
    ["endpoint", "direction", "message", "JSON Schema (schemas/)"],
    MESSAGE_CATALOG.map((entry) => [entry.endpoint, entry.direction, plain(entry.tag), entry.file]),
  ),
);
console.log("");
console.log(
  table(
    ["endpoint", "transport", "path", "PROTOCOL.md"],
    Object.entries(ENDPOINTS).map(([name, endpoint]) => [
      name,
      endpoint.transport,
      endpoint.transport === "http" ? `POST ${endpoint.path}` : endpoint.path,
      endpoint.section,
    ]),
  ),
);
console.log("");
console.log(`${MESSAGE_CATALOG.length} catalogue entries, ${Object.keys(ENDPOINTS).length} endpoints.`);
