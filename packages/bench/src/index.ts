/** @speechwire/bench: latency benchmarks of Cartesia's realtime speech APIs, against the mock or a real endpoint. */
export * from "./metrics/index.js";
export * from "./drivers/index.js";
export * from "./targets/index.js";
export { measureBaseline, type Baseline } from "./run/baseline.js";
export { pool, runEndpoint, type EndpointOutcome, type Progress, type RunPlan } from "./run/runner.js";
export { sttV1Session, turnsSession, ttsSession, type Pacing, type SessionValues } from "./run/sessions.js";
