/** Reading scenario files (YAML or JSON) and validating them. */
import { readdir, readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { parseScenarioText, type ScenarioIssue, type ScenarioResult } from "./parse.js";
import type { Scenario } from "./schema.js";

export { parseScenarioText, validateScenario, type ScenarioIssue, type ScenarioResult } from "./parse.js";

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
