/**
 * @speechwire/conformance: a property-based conformance kit that checks any Cartesia realtime speech
 * client — in-process (an `Adapter`) or in any language (JSON lines over stdin/stdout) — against the
 * speechwire mock, with a catalogue of checks, baselines and reports.
 */
export * from "./adapter/schema.js";
export type { Adapter, AdapterFactory, Observe } from "./adapter/types.js";
export { createCommandAdapter, type CommandAdapterOptions } from "./adapter/command.js";
export { builtinAdapters, loadBuiltinAdapter, registerBuiltinAdapter, type BuiltinAdapter } from "./adapter/builtin.js";
export { createSpeechwireAdapter, SPEECHWIRE_CAPABILITIES, errorObservation, v1Observation, turnsObservation, ttsObservation, sseObservation, audioPieces, type SpeechwireHooks } from "./adapter/speechwire.js";
export { STT_BATCH_CHECKS, TTS_HTTP_CHECKS } from "./checks/http.js";
export { CHECKS, CHECKS_BY_ID, checksFor, type Check, type CheckInput, type Grade, type Verdict } from "./checks/catalogue.js";
export { catalogueTable } from "./checks/table.js";
export { fixedCases, caseArb, sttScriptArb, turnsCaseArb, v1CaseArb, ttsCaseArb, ttsHttpCaseArb, batchCaseArb, wavFile, wantsMp3, sttCase, patternAudio } from "./runner/cases.js";
export { runConformance, evaluateCase, caseApplies, type AdapterReport, type CaseRun, type CaseVerdict, type CheckResult, type Counterexample, type RunOptions } from "./runner/run.js";
export { httpExchange, type HttpExchange } from "./checks/http.js";
export { startUnknownInjector, UNKNOWN_FRAME, type UnknownInjector } from "./runner/proxy.js";
export { baselineEntrySchema, baselineSchema, baselineGrade, readBaseline, type BaselineEntry } from "./report/baseline.js";
export { escapeXml, junitXml, oneLine, reportOk, summaryMarkdown, writeReports, type RunDocument } from "./report/write.js";
export { checkServer, type ServerCheckOptions, type ServerCheckResult, type ServerReport } from "./server/probe.js";
export { ACCESS_TOKEN_CHECKS } from "./checks/access-token.js";
export { accessTokenCase, accessTokenCaseArb, accessTokenFixedCases, accessTokenPath, expectsGrantRefusal } from "./runner/access-token-cases.js";
export { probeRequests, speechRequest, voiceFor, PROBE_TEXT, type Probe, type ProbeEndpoint, type ProbeSettings, type WsProbe, type HttpProbe, type WsStep } from "./probe/requests.js";
export { shapeOf, sequenceOf, parseSse, jsonType, mediaType, STREAMING_TYPES, ERROR_VALUE_FIELDS, type Shape, type Recording, type WsRecording, type HttpRecording, type SseEvent } from "./probe/shape.js";
export { compareShapes, driftMarkdown, ABSENT, type DriftReport, type DriftRow, type ProbeResult } from "./probe/drift.js";
export { runProbe, redactor, ProbeUnreachableError, ProbeUsageError, DEFAULT_PROBE_VOICE, IN_PROCESS_REFERENCE, type ProbeOptions } from "./probe/run.js";
