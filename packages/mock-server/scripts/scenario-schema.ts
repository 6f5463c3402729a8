/** The scenario file's JSON Schema, generated from the Zod schema (one source of truth). */
import * as z from "zod";
import { scenarioSchema } from "../src/scenario/schema.js";

/** The committed file's path, relative to the package. */
export const SCENARIO_SCHEMA_FILE = "schemas/scenario.json";

/** The JSON Schema text of a scenario file as written (defaults optional), with a trailing newline. */
export function scenarioJsonSchema(): string {
  const schema = z.toJSONSchema(scenarioSchema, { io: "input" });
  const { $schema, ...rest } = schema;
  const document = {
    $schema,
    title: "speechwire scenario",
    description:
      "A speechwire mock scenario (YAML or JSON): what the speaker says and when, TTS pacing, faults, handshake refusals and latency. Generated from scenarioSchema by scripts/generate.ts; do not edit.",
    ...rest,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
