/** The client object: every endpoint, sharing credentials, base URL and version. `createClient` (index.ts, browser.ts) binds the platform. */
import type { accessToken, sttBatch, ttsBytes, ttsSse } from "@speechwire/protocol";
import { createAccessToken, type Grants } from "./access-token.js";
import { resolveConfig, type ClientConfig, type ClientOptions } from "./config.js";
import { liveLinter } from "./debug.js";
import type { Platform } from "./platform/types.js";
import { transcribe, type TranscribeOptions } from "./stt/batch.js";
import { TurnsSession, type TurnsOptions, type TurnsParams } from "./stt/turns.js";
import { SttStream, type SttStreamOptions, type SttStreamParams } from "./stt/v1.js";
import type { BinaryInput } from "./util/bytes.js";
import { quiet } from "./util/promise.js";
import type { TtsSseEvent } from "./tts/events.js";
import { synthesizeBytes, synthesizeSse, type TtsAudioStream, type TtsHttpOptions } from "./tts/http.js";
import { TtsWebSocket, type TtsWebSocketOptions } from "./tts/websocket.js";

/** A client for every Cartesia speech endpoint. */
export interface Client {
  /** The resolved configuration (base URL, version, …). */
  readonly config: Readonly<ClientConfig>;
  stt: {
    /** Opens an STT v1 stream (`/stt/websocket`): `send`, `finalize`, `close`, typed events. */
    stream(params: SttStreamParams, options?: SttStreamOptions): SttStream;
    /** Opens an STT turns session (`/stt/turns/websocket`): typed turn events, `config`, speculation, drain. */
    turns(params: TurnsParams, options?: TurnsOptions): TurnsSession;
    /** Transcribes a file (`POST /stt`, multipart). */
    transcribe(file: Blob | BinaryInput, options: TranscribeOptions): Promise<sttBatch.Response>;
  };
  tts: {
    /** A TTS WebSocket session: many contexts on one socket. */
    websocket(options?: TtsWebSocketOptions): TtsWebSocket;
    /** `POST /tts/bytes`: the audio (raw, WAV or MP3), streamed. */
    bytes(request: ttsBytes.Request, options?: TtsHttpOptions): Promise<TtsAudioStream>;
    /** `POST /tts/sse`: an async iterable of parsed events. */
    sse(request: ttsSse.Request, options?: TtsHttpOptions): Promise<AsyncIterable<TtsSseEvent> & { requestId: string | undefined }>;
  };
  accessToken: {
    /** Mints an access token (for browsers) with these grants, valid for `expiresIn` seconds (≤ 3600). */
    create(grants: Grants, expiresIn?: number, options?: { signal?: AbortSignal }): Promise<accessToken.Response>;
  };
}

/** Creates a client on a platform (what each entry point's `createClient` calls). */
export function clientOn(platform: Platform, options: ClientOptions): Client {
  const config = resolveConfig(options, platform);
  return {
    config,
    stt: {
      stream: (params, opts) => new SttStream(config, params, opts),
      turns: (params, opts) => new TurnsSession(config, params, opts),
      transcribe: (file, opts) => quiet(transcribe(config, file, opts)),
    },
    tts: {
      websocket: (opts) => new TtsWebSocket(config, opts, liveLinter),
      bytes: (request, opts) => quiet(synthesizeBytes(config, request, opts)),
      sse: (request, opts) => quiet(synthesizeSse(config, request, opts)),
    },
    accessToken: {
      create: (grants, expiresIn, opts) => quiet(createAccessToken(config, grants, expiresIn, opts)),
    },
  };
}
