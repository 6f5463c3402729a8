/**
 * Writes `schemas/*.json` (the stdin/stdout protocol and the baseline format, from the Zod schemas)
 * and the README's generated parts (the check catalogue and the example adapter, verbatim).
 *
 * Run: pnpm --filter @speechwire/conformance generate
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { jsonSchemas } from "../src/json-schema.js";
import { generatedReadme } from "./readme.js";

const dir = fileURLToPath(new URL("..", import.meta.url));
const schemasDir = join(dir, "schemas");
mkdirSync(schemasDir, { recursive: true });
const schemas = jsonSchemas();
for (const old of readdirSync(schemasDir)) if (!(old in schemas)) rmSync(join(schemasDir, old));
for (const [name, schema] of Object.entries(schemas)) writeFileSync(join(schemasDir, name), `${JSON.stringify(schema, null, 2)}\n`);
const readme = join(dir, "README.md");
writeFileSync(readme, generatedReadme(readFileSync(readme, "utf8"), join(dir, "examples", "node-adapter.mjs")));
console.log("schemas/ and the README's catalogue and example are up to date");
