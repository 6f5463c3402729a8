/**
 * Validating scenario text and values. Pure (no Node built-ins), so browsers can use it too: the
 * playground's scenario editor validates with exactly what the server's upload route runs.
 */
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
