/**
 * @speechwire/mock-server: a deterministic, audio-clock-driven mock of every Cartesia realtime
 * speech endpoint. `startMockServer` runs it; the scenario schema and built-ins describe what it says.
 */
export { ListenError, startMockServer, type MockServer, type MockServerOptions, type MockServerUrls } from "./server/server.js";
export { clipText, isClippedText, redactSecret, type SessionRecord, type JournalEntry, type JournalLimits, type HttpResponseSummary } from "./server/journal.js";
export { formatDuration, formatLogJson, formatLogRecord, formatLogText, type LogFormat, type LogRecord, type RequestRoute } from "./server/log.js";
export { HTTP_RULES, type HttpEndpoint } from "./server/http-journal.js";
export { ADMIN_BODY_SCHEMAS, sessionRecordSchema, sessionSummarySchema, violationSchema } from "./server/admin-schemas.js";
export type { AuthMode } from "./server/auth.js";
export { SCENARIO_HEADER, SCENARIO_QUERY, type ScenarioRegistry } from "./server/scenarios.js";
export { BUILTIN_SCENARIOS } from "./scenario/builtin.js";
export { scenarioSchema, type Scenario, type ScenarioInput, type Fault, type Turn } from "./scenario/schema.js";
export { loadScenarioDir, loadScenarioFile, parseScenarioText, validateScenario, type ScenarioIssue, type ScenarioResult } from "./scenario/load.js";
export { LATENCY_PROFILES, latencySchema, parseLatencyArg, sampleLatency, type Latency } from "./core/latency.js";
export { startRecordProxy, upstreamUrl, type RecordProxy, type RecordProxyOptions } from "./record/proxy.js";
export { convertCapture, scrub, type Capture, type CaptureEvent, type CaptureEndpoint, type ConvertOptions, type Converted } from "./record/convert.js";
export { replaySchema, type Replay, type RecordedStt, type RecordedSttEvent, type RecordedTts } from "./scenario/schema.js";
export { hasNodeFlag, missingNodeFlags, NODE_FLAGS } from "./node-flags.js";
