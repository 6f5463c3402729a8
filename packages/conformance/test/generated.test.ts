/** Drift: the committed JSON Schema files and the README's generated parts equal what the code generates. */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jsonSchemas } from "../src/json-schema.js";
import { generatedReadme } from "../scripts/readme.js";
import { adapterMessageSchema, runnerMessageSchema } from "../src/adapter/schema.js";
import { fixedCases } from "../src/runner/cases.js";

const dir = fileURLToPath(new URL("..", import.meta.url));

describe("generated files (run `pnpm --filter @speechwire/conformance generate` when these fail)", () => {
  it("schemas/ holds exactly the generated JSON Schema files", () => {
    const generated = jsonSchemas();
    expect(readdirSync(join(dir, "schemas")).sort()).toEqual(Object.keys(generated).sort());
    for (const [name, schema] of Object.entries(generated)) {
      expect(readFileSync(join(dir, "schemas", name), "utf8"), name).toBe(`${JSON.stringify(schema, null, 2)}\n`);
    }
  });

  it("README.md carries the current catalogue table and the example adapter verbatim", () => {
    const readme = readFileSync(join(dir, "README.md"), "utf8");
    expect(readme).toBe(generatedReadme(readme, join(dir, "examples", "node-adapter.mjs")));
  });

  it("the schemas accept real messages and reject wrong ones", () => {
    const c = fixedCases("tts")[0]!;
    expect(runnerMessageSchema.safeParse({ type: "case", target: { baseUrl: "http://127.0.0.1:1", apiKey: "k" }, case: c }).success).toBe(true);
    expect(adapterMessageSchema.safeParse({ type: "observation", case: "x", event: { type: "turn.end", transcript: "hi" } }).success).toBe(true);
    expect(adapterMessageSchema.safeParse({ type: "observation", case: "x", event: { type: "turn.end" } }).success).toBe(false);
    expect(adapterMessageSchema.safeParse({ type: "done", case: "x", result: { crashed: false, extra: 1 } }).success).toBe(false);
  });
});
