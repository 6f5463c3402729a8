/** Reading scenario files (YAML or JSON) and validating them. */
import { readdir, readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { parse as parseYaml } from "yaml";
import { scenarioSchema, type Scenario } from "./schema.js";

/** One problem with a scenario, at a field path (`stt.turns[0].segments[1].pause`). */
export interface ScenarioIssue {
  path: string;
  message: string;
}

/** The outcome of reading a scenario. */
export type ScenarioResult = { ok: true; scenario: Scenario } | { ok: false; issues: ScenarioIssue[] };

const formatPath = (path: readonly PropertyKey[]) =>
  path.length === 0 ? "(root)" : path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i ? "." : ""}${String(p)}`)).join("");

/** Validates an already-parsed value as a scenario. */
export function validateScenario(value: unknown): ScenarioResult {
  const parsed = scenarioSchema.safeParse(value);
  if (parsed.success) return { ok: true, scenario: parsed.data };
  return { ok: false, issues: parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) };
}

/** Parses scenario text: JSON when it looks like JSON, else YAML (JSON is YAML too). */
export function parseScenarioText(text: string): ScenarioResult {
  let value: unknown;
  try {
    value = text.trimStart().startsWith("{") ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    return { ok: false, issues: [{ path: "(root)", message: `not valid YAML or JSON: ${(error as Error).message}` }] };
  }
  return validateScenario(value);
}

/** Reads one scenario file. */
export async function loadScenarioFile(path: string): Promise<ScenarioResult> {
  return parseScenarioText(await readFile(path, "utf8"));
}

/** Reads every `.yaml`, `.yml` and `.json` scenario in a folder; a bad file is reported, not fatal. */
export async function loadScenarioDir(dir: string): Promise<{ scenarios: Scenario[]; errors: { file: string; issues: ScenarioIssue[] }[] }> {
  const scenarios: Scenario[] = [];
  const errors: { file: string; issues: ScenarioIssue[] }[] = [];
  for (const name of (await readdir(dir)).sort()) {
    if (![".yaml", ".yml", ".json"].includes(extname(name))) continue;
    const result = await loadScenarioFile(join(dir, name));
    if (result.ok) scenarios.push(result.scenario);
    else errors.push({ file: name, issues: result.issues });
  }
  return { scenarios, errors };
}
