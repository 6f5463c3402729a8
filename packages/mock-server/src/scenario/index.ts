/**
 * `@speechwire/mock-server/scenario`: the scenario schema, its validators and the built-in scenarios,
 * without any server code or Node built-in, for browsers (the playground's scenario editor) and tools.
 */
export { scenarioSchema, type Fault, type Scenario, type ScenarioInput, type Turn } from "./schema.js";
export { parseScenarioText, validateScenario, type ScenarioIssue, type ScenarioResult } from "./parse.js";
export { BUILTIN_SCENARIOS } from "./builtin.js";
