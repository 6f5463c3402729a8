/**
 * `@speechwire/client/tts` for browser bundles (the `browser` export condition): TTS over WebSocket
 * (contexts on one socket), `/tts/bytes` and `/tts/sse`; no STT or access-token code. An app that uses
 * only `createTtsWebSocket` bundles no HTTP TTS code either (the package has no side effects).
 */
import type { ttsBytes, ttsSse } from "@speechwire/protocol";
import { resolveConfig, type ClientOptions } from "../config.js";
import { liveLinter } from "../debug.js";
import { browserPlatform } from "../platform/browser.js";
import type { TtsSseEvent } from "../tts/events.js";
import { synthesizeBytes as bytesOn, synthesizeSse as sseOn, type TtsAudioStream, type TtsHttpOptions } from "../tts/http.js";
import { plainTtsSocket, TtsWebSocket, type TtsWebSocketOptions } from "../tts/websocket.js";
import { quiet } from "../util/promise.js";

export * from "./tts.surface.js";

/**
 * A TTS WebSocket session (many contexts on one socket), as `createClient(client).tts.websocket(options)` does.
 * @example const tts = createTtsWebSocket({ accessToken }); const ctx = tts.context({ model_id, voice, output_format });
 */
export function createTtsWebSocket(client: ClientOptions, options?: TtsWebSocketOptions): TtsWebSocket {
  return new TtsWebSocket(resolveConfig(client, browserPlatform), options, liveLinter);
}

/**
 * Opens the same TTS WebSocket session without the `debug` linter (an app that imports only this
 * bundles no debug code): contexts on one socket that reopens on the next send, as cartesia-js's `TTSWS`.
 * @example const tts = openTtsSocket({ accessToken }); const ctx = tts.context({ model_id, voice, output_format });
 */
export function openTtsSocket(client: ClientOptions, options?: TtsWebSocketOptions): TtsWebSocket {
  return plainTtsSocket(resolveConfig(client, browserPlatform), options);
}

/** `POST /tts/bytes`: the audio, streamed, as `createClient(client).tts.bytes(request, options)` does. */
export function synthesizeBytes(client: ClientOptions, request: ttsBytes.Request, options?: TtsHttpOptions): Promise<TtsAudioStream> {
  return quiet(bytesOn(resolveConfig(client, browserPlatform), request, options));
}

/** `POST /tts/sse`: an async iterable of parsed events, as `createClient(client).tts.sse(request, options)` does. */
export function synthesizeSse(client: ClientOptions, request: ttsSse.Request, options?: TtsHttpOptions): Promise<AsyncIterable<TtsSseEvent> & { requestId: string | undefined }> {
  return quiet(sseOn(resolveConfig(client, browserPlatform), request, options));
}
