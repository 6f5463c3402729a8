/**
 * @speechwire/protocol: Cartesia's realtime speech protocols as code. One module per endpoint
 * (schemas, types, parse/encode helpers), shared audio/version/auth/error rules, sequence grammar
 * checkers, and the message catalogue behind the JSON Schema files and the AsyncAPI document.
 */
export * as sttV1 from "./endpoints/stt-v1.js";
export * as sttTurns from "./endpoints/stt-turns.js";
export * as tts from "./endpoints/tts.js";
export * as ttsBytes from "./endpoints/tts-bytes.js";
export * as ttsSse from "./endpoints/tts-sse.js";
export * as sttBatch from "./endpoints/stt-batch.js";
export * as accessToken from "./endpoints/access-token.js";
export { languageHintProblem, TTS_MODELS } from "./endpoints/common.js";
export * from "./shared/limits.js";
export * from "./models/index.js";

export * from "./shared/audio.js";
export * from "./shared/auth.js";
export * from "./shared/errors.js";
export * from "./shared/frame.js";
export * from "./shared/languages.js";
export { resolveSchemaOptions, type ResolvedSchemaOptions, type SchemaOptions } from "./shared/options.js";
export { queryRecord, queryString, type QueryInput } from "./shared/query.js";
export { fail, ok, type ParseFailure, type ParseFailureReason, type ParseIssue, type Result } from "./shared/result.js";
export { STRICTNESS_LEVELS, type Strictness } from "./shared/strictness.js";
export * from "./shared/version.js";
export { catalogTable, ENDPOINTS, MESSAGE_CATALOG, schemasForVersion, type CatalogEntry, type Direction, type EndpointName } from "./catalog.js";
export * from "./grammar/index.js";
