/**
 * `@speechwire/client/turns` for browser bundles (the `browser` export condition): the native
 * `WebSocket`, credentials in the query. STT turns (`/stt/turns/websocket`) and nothing else: an app
 * that imports only this bundles no STT v1, TTS, HTTP or access-token code.
 */
import { resolveConfig, type ClientOptions } from "../config.js";
import { browserPlatform } from "../platform/browser.js";
import { TurnsSocket, type TurnsSocketOptions } from "../stt/turns-socket.js";
import { TurnsSession, type TurnsOptions, type TurnsParams } from "../stt/turns.js";

export * from "./turns.surface.js";
// Here, not in the surface the root entry shares: the root (the whole client) does not carry the plain socket.
export { TurnsSocket } from "../stt/turns-socket.js";

/**
 * Opens an STT turns session, as `createClient(client).stt.turns(params, options)` does.
 * @example const turns = createTurns({ accessToken }, { model: "ink-2", encoding: "pcm_s16le", sample_rate: 16000 });
 */
export function createTurns(client: ClientOptions, params: TurnsParams, options?: TurnsOptions): TurnsSession {
  return new TurnsSession(resolveConfig(client, browserPlatform), params, options);
}

/**
 * Opens the plain turns socket: the same turn events, `send`, `configure` and a draining `close()`,
 * without the session's reconnect, replay, keep-alive, watchdog, speculation or debug linter (an app
 * that imports only this bundles none of them).
 * @example const turns = openTurnsSocket({ accessToken }, { model: "ink-2", encoding: "pcm_s16le", sample_rate: 16000 });
 */
export function openTurnsSocket(client: ClientOptions, params: TurnsParams, options?: TurnsSocketOptions): TurnsSocket {
  return new TurnsSocket(resolveConfig(client, browserPlatform), params, options);
}
