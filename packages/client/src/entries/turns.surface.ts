/** `@speechwire/client/turns` besides `createTurns` (which turns.ts and turns.browser.ts bind to a platform). */
export * from "./common.js";
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
} from "../stt/turns.js";
export type { KeepAliveOptions, SttSessionOptions } from "../stt/session.js";
export type { TurnsSocketEvent, TurnsSocketOptions } from "../stt/turns-socket.js";
export type { TurnMessageEvent } from "../stt/turn-events.js";
export type { DetectedLanguage, SttWord } from "../stt/words.js";
export { RECOVERABLE_CLOSE_CODES, type ReconnectOptions } from "../transport/reconnecting.js";
