/** Everything both entry points (index.ts for Node, browser.ts for browser bundles) export besides `createClient`. */
export type { Client } from "./client.js";
export { DEFAULT_BASE_URL, type ClientOptions, type ClientConfig } from "./config.js";
export { CartesiaApiError, ConnectionError, SpeechwireError, TimeoutError, type ApiErrorSource } from "./errors.js";
export type { CloseEvent, CommonEvent, ErrorEvent, ReconnectedEvent, ReconnectingEvent, UnknownEvent, ViolationEvent } from "./events.js";
export { SttStream, type DoneEvent, type FlushDoneEvent, type SttStreamConfig, type SttStreamEvent, type SttStreamOptions, type SttStreamParams, type TranscriptEvent } from "./stt/v1.js";
export type { DetectedLanguage, SttWord } from "./stt/words.js";
export {
  TurnsSession,
  type ConnectedEvent,
  type EagerEndEvent,
  type ResumeEvent,
  type SpeculationEvent,
  type SpeculationHandler,
  type TurnConfig,
  type TurnsConfig,
  type TurnText,
  type TurnEndEvent,
  type TurnStartEvent,
  type TurnUpdateEvent,
  type TurnsEvent,
  type TurnsOptions,
  type TurnsParams,
  type WatchdogOptions,
} from "./stt/turns.js";
export type { KeepAliveOptions, SttSessionOptions } from "./stt/session.js";
export type { TranscribeOptions } from "./stt/batch.js";
export { TtsContext, TtsWebSocket, type ContextOptions, type DisconnectedEvent, type OpenEvent, type TtsSocketEvent, type TtsWebSocketOptions } from "./tts/websocket.js";
export { TtsAudioStream, type TtsHttpOptions } from "./tts/http.js";
export {
  pcmSamples,
  type AudioEvent,
  type CancelledEvent,
  type FlushDoneEvent as TtsFlushDoneEvent,
  type PhonemeTimestamps,
  type PhonemesEvent,
  type TimestampsEvent,
  type TtsContextEvent,
  type TtsDoneEvent,
  type TtsErrorEvent,
  type TtsSseEvent,
  type WordTimestamps,
} from "./tts/events.js";
export type { Grants } from "./access-token.js";
export { RECOVERABLE_CLOSE_CODES, type ReconnectOptions } from "./transport/reconnecting.js";
export type { WebSocketConstructor, WebSocketLike } from "./transport/websocket.js";
export type { BinaryInput } from "./util/bytes.js";
