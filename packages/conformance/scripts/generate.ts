/**
 * Writes `schemas/*.json` (the stdin/stdout protocol and the baseline format, from the Zod schemas)
 * and the check catalogue table into README.md between `<!-- checks:start -->` and `<!-- checks:end -->`.
 *
 * Run: pnpm --filter @speechwire/conformance generate
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { catalogueTable } from "../src/checks/table.js";
import { jsonSchemas } from "../src/json-schema.js";
import { withTable } from "./readme.js";

const dir = fileURLToPath(new URL("..", import.meta.url));
mkdirSync(join(dir, "schemas"), { recursive: true });
for (const [name, schema] of Object.entries(jsonSchemas())) {
  writeFileSync(join(dir, "schemas", name), `${JSON.stringify(schema, null, 2)}\n`);
}
const readme = join(dir, "README.md");
writeFileSync(readme, withTable(readFileSync(readme, "utf8"), catalogueTable()));
console.log("schemas/ and the README catalogue table are up to date");
