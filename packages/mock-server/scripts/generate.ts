/** Regenerates the committed artifacts of the mock server: `schemas/scenario.json`. */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SCENARIO_SCHEMA_FILE, scenarioJsonSchema } from "./scenario-schema.js";

const target = fileURLToPath(new URL(`../${SCENARIO_SCHEMA_FILE}`, import.meta.url));
writeFileSync(target, scenarioJsonSchema());
console.log(`wrote ${SCENARIO_SCHEMA_FILE}`);
