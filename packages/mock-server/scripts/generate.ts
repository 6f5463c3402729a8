/** Regenerates the committed artifacts of the mock server: `schemas/scenario.json` and `schemas/openapi.yaml`. */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { OPENAPI_FILE, openApiYaml } from "./openapi.js";
import { SCENARIO_SCHEMA_FILE, scenarioJsonSchema } from "./scenario-schema.js";

for (const [file, text] of [
  [SCENARIO_SCHEMA_FILE, scenarioJsonSchema()],
  [OPENAPI_FILE, openApiYaml()],
] as const) {
  writeFileSync(fileURLToPath(new URL(`../${file}`, import.meta.url)), text);
  console.log(`wrote ${file}`);
}
