/** What every subpath entry exports besides its own concept: client options, errors, common events, socket types. */
export { DEFAULT_BASE_URL, type ClientOptions } from "../config.js";
export { CartesiaApiError, ConnectionError, SpeechwireError, TimeoutError, type ApiErrorSource } from "../errors.js";
export type { CloseEvent, CommonEvent, ErrorEvent, ReconnectedEvent, ReconnectingEvent, UnknownEvent, ViolationEvent } from "../events.js";
export type { WebSocketConstructor, WebSocketLike } from "../transport/websocket.js";
export type { BinaryInput } from "../util/bytes.js";
