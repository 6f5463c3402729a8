/**
 * `@speechwire/client/stt` for browser bundles (the `browser` export condition): STT v1
 * (`/stt/websocket`) and batch STT (`POST /stt`); no turns, TTS or access-token code.
 */
import type { sttBatch } from "@speechwire/protocol";
import { resolveConfig, type ClientOptions } from "../config.js";
import { browserPlatform } from "../platform/browser.js";
import { transcribe as transcribeOn, type TranscribeOptions } from "../stt/batch.js";
import { SttStream, type SttStreamOptions, type SttStreamParams } from "../stt/v1.js";
import type { BinaryInput } from "../util/bytes.js";
import { quiet } from "../util/promise.js";

export * from "./stt.surface.js";

/**
 * Opens an STT v1 stream, as `createClient(client).stt.stream(params, options)` does.
 * @example const stream = createSttStream({ accessToken }, { model: "ink-whisper", encoding: "pcm_s16le", sample_rate: 16000 });
 */
export function createSttStream(client: ClientOptions, params: SttStreamParams, options?: SttStreamOptions): SttStream {
  return new SttStream(resolveConfig(client, browserPlatform), params, options);
}

/** Transcribes a file (`POST /stt`, multipart), as `createClient(client).stt.transcribe(file, options)` does. */
export function transcribe(client: ClientOptions, file: Blob | BinaryInput, options: TranscribeOptions): Promise<sttBatch.Response> {
  return quiet(transcribeOn(resolveConfig(client, browserPlatform), file, options));
}
