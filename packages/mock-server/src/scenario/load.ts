/** Reading scenario files (YAML or JSON) and validating them. */
import { readdir, readFile } from "node:fs/promises";
import { dirname, extname, isAbsolute, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { validateScenario, type ScenarioIssue, type ScenarioResult } from "./parse.js";
import type { Scenario } from "./schema.js";

export { parseScenarioText, validateScenario, type ScenarioIssue, type ScenarioResult } from "./parse.js";

/** Reads one scenario file. */
export async function loadScenarioFile(path: string): Promise<ScenarioResult> {
  const text = await readFile(path, "utf8");
  let value: unknown;
  try {
    value = text.trimStart().startsWith("{") ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    return { ok: false, issues: [{ path: "(root)", message: `not valid YAML or JSON: ${(error as Error).message}` }] };
  }
  const issues = await readReplayAudio(value, dirname(path));
  return issues.length > 0 ? { ok: false, issues } : validateScenario(value);
}

/**
 * Reads the audio files a recorded scenario names (`replay.tts[].audio`, relative to the scenario's
 * folder) into the scenario value as `base64:` text, in place; a file that cannot be read is an issue.
 */
async function readReplayAudio(value: unknown, dir: string): Promise<ScenarioIssue[]> {
  const tts = (value as { replay?: { tts?: unknown } } | null)?.replay?.tts;
  if (!Array.isArray(tts)) return [];
  const issues: ScenarioIssue[] = [];
  for (const [i, entry] of tts.entries()) {
    const audio = (entry as { audio?: unknown } | null)?.audio;
    if (typeof audio !== "string" || audio.startsWith("base64:")) continue;
    const file = isAbsolute(audio) ? audio : resolve(dir, audio);
    try {
      (entry as { audio: string }).audio = `base64:${(await readFile(file)).toString("base64")}`;
    } catch (error) {
      issues.push({ path: `replay.tts[${i}].audio`, message: `cannot read the audio file ${JSON.stringify(audio)}: ${(error as Error).message}` });
    }
  }
  return issues;
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
