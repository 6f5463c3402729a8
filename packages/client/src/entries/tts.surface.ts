/** `@speechwire/client/tts` besides the functions tts.ts and tts.browser.ts bind to a platform. */
export * from "./common.js";
export { TtsContext, TtsWebSocket, type ContextOptions, type DisconnectedEvent, type OpenEvent, type TtsSocketEvent, type TtsWebSocketOptions } from "../tts/websocket.js";
export { TtsAudioStream, type TtsHttpOptions } from "../tts/http.js";
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
} from "../tts/events.js";
