/**
 * TTS over HTTP: `POST /tts/bytes` (PROTOCOL.md §6.1, raw / WAV / MP3 audio streamed as it is
 * generated) and `POST /tts/sse` (§6.2, events parsed with the protocol's lenient schemas).
 */
import type { ttsBytes, ttsSse } from "@speechwire/protocol";
import { PATHS, readTtsSseEvent, SseDecoder } from "@speechwire/protocol/reader";
import type { ClientConfig } from "../config.js";
import { readBody, request, responseRequestId } from "../transport/http.js";
import { concatBytes } from "../util/bytes.js";
import { toTtsEvent, unknownEvent, type TtsSseEvent } from "./events.js";

/** A `/tts/bytes` response: iterate it for chunks as they arrive, or read it whole with `bytes()`. */
export class TtsAudioStream implements AsyncIterable<Uint8Array> {
  /** `Content-Type` of the response (`audio/wav`, `audio/mpeg`, …). */
  readonly contentType: string | undefined;
  readonly requestId: string | undefined;
  readonly #response: Response;
  #used = false;

  /** @internal */
  constructor(response: Response) {
    this.#response = response;
    this.contentType = response.headers.get("content-type") ?? undefined;
    this.requestId = responseRequestId(response);
  }

  /** The audio chunks as they stream in (iterate once). */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this.#used) return (async function* () {})();
    this.#used = true;
    return readBody(this.#response);
  }

  /** The whole audio. */
  async bytes(): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    for await (const chunk of this) parts.push(chunk);
    return concatBytes(parts);
  }
}

/** Options of the HTTP TTS calls. */
export interface TtsHttpOptions {
  signal?: AbortSignal;
}

/** `POST /tts/bytes`: resolves once the response starts (rejects with a typed error), then streams the audio. */
export async function synthesizeBytes(config: ClientConfig, body: ttsBytes.Request, options: TtsHttpOptions = {}): Promise<TtsAudioStream> {
  const res = await request(config, {
    path: PATHS.ttsBytes,
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
    signal: options.signal,
  });
  return new TtsAudioStream(res);
}

/** `POST /tts/sse`: resolves once the response starts (rejects with a typed error), then yields parsed events until the body ends. */
export async function synthesizeSse(config: ClientConfig, body: ttsSse.Request, options: TtsHttpOptions = {}): Promise<AsyncIterable<TtsSseEvent> & { requestId: string | undefined }> {
  const res = await request(config, {
    path: PATHS.ttsSse,
    body: JSON.stringify(body),
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    signal: options.signal,
  });
  async function* events(): AsyncGenerator<TtsSseEvent> {
    const decoder = new SseDecoder();
    const text = new TextDecoder();
    const read = function* (datas: string[]): Generator<TtsSseEvent> {
      for (const data of datas) {
        const parsed = readTtsSseEvent(data);
        yield parsed.ok ? toTtsEvent(parsed.value) : unknownEvent(data, parsed.error);
      }
    };
    for await (const chunk of readBody(res)) yield* read(decoder.push(text.decode(chunk, { stream: true })));
    yield* read(decoder.push(text.decode()));
    yield* read(decoder.end());
  }
  let used = false;
  return {
    requestId: responseRequestId(res),
    [Symbol.asyncIterator]() {
      if (used) return (async function* () {})();
      used = true;
      return events();
    },
  };
}
