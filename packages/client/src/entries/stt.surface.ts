/** `@speechwire/client/stt` besides the functions stt.ts and stt.browser.ts bind to a platform. */
export * from "./common.js";
export { SttStream, type DoneEvent, type FlushDoneEvent, type SttStreamConfig, type SttStreamEvent, type SttStreamOptions, type SttStreamParams, type TranscriptEvent } from "../stt/v1.js";
export type { KeepAliveOptions, SttSessionOptions } from "../stt/session.js";
export type { DetectedLanguage, SttWord } from "../stt/words.js";
export type { TranscribeOptions } from "../stt/batch.js";
export { RECOVERABLE_CLOSE_CODES, type ReconnectOptions } from "../transport/reconnecting.js";
