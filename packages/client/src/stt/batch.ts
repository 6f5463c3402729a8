/** STT batch, `POST /stt` (PROTOCOL.md §4): a multipart upload in, a transcript out. */
import type { sttBatch } from "@speechwire/protocol";
import { encodeQuery, encodeWireRecord, PATHS, readSttBatchResponse } from "@speechwire/protocol/reader";
import type { ClientConfig } from "../config.js";
import { SpeechwireError } from "../errors.js";
import { request } from "../transport/http.js";
import { asBytes, type BinaryInput } from "../util/bytes.js";

/** Options of `client.stt.transcribe`: the form fields (protocol shape), raw-PCM query, file name, signal. */
export interface TranscribeOptions {
  model: sttBatch.Form["model"];
  language?: sttBatch.Form["language"];
  /** `["word"]` for word timings. */
  timestamp_granularities?: sttBatch.Form["timestamp_granularities[]"];
  /** Only for headerless raw PCM (§4). */
  encoding?: sttBatch.Query["encoding"];
  sample_rate?: sttBatch.Query["sample_rate"];
  /** The upload's file name (its extension tells the server the container). Default `audio.wav`. */
  filename?: string;
  signal?: AbortSignal;
}

/** Uploads a file (a `Blob`/`File`, or bytes) and returns the parsed transcript. */
export async function transcribe(config: ClientConfig, file: Blob | BinaryInput, options: TranscribeOptions): Promise<sttBatch.Response> {
  const form = new FormData();
  const fields = encodeWireRecord("sttBatchForm", {
    model: options.model,
    ...(options.language !== undefined ? { language: options.language } : {}),
    ...(options.timestamp_granularities !== undefined ? { "timestamp_granularities[]": options.timestamp_granularities } : {}),
  });
  for (const [key, value] of Object.entries(fields)) for (const v of typeof value === "string" ? [value] : value) form.append(key, v);
  const blob = file instanceof Blob ? file : new Blob([asBytes(file).slice()]);
  form.append("file", blob, options.filename ?? ((file as { name?: unknown }).name as string | undefined) ?? "audio.wav");
  const query =
    options.encoding !== undefined || options.sample_rate !== undefined
      ? encodeQuery("sttBatch", {
          ...(options.encoding !== undefined ? { encoding: options.encoding } : {}),
          ...(options.sample_rate !== undefined ? { sample_rate: options.sample_rate } : {}),
        })
      : "";
  const res = await request(config, { path: PATHS.sttBatch, query, body: form, signal: options.signal });
  const parsed = readSttBatchResponse(await res.text());
  if (!parsed.ok) throw new SpeechwireError(`unexpected /stt response: ${parsed.error.message}`);
  return parsed.value;
}
