/**
 * The `chunk` frame, written without JSON-scanning its audio: `JSON.stringify` walks every character
 * of `data` looking for ones to escape (about a tenth of the mock's TTS time, a chunk carrying 6–13 KB
 * of base64), and base64 has none. Byte for byte what `encodeJson` gives (a property test holds them
 * together).
 */
import { tts } from "@speechwire/protocol";

/**
 * Encodes a `chunk` whose `data` came from `toBase64` (standard base64: no character JSON escapes);
 * the keys in the order the core writes them.
 * @example encodeChunkFrame({ type: "chunk", data: "AAA=", done: false, status_code: 206, step_time: 1, context_id: "a" })
 * // '{"type":"chunk","data":"AAA=","done":false,"status_code":206,"step_time":1,"context_id":"a"}'
 */
export function encodeChunkFrame(chunk: tts.Chunk): string {
  const rest = JSON.stringify({ done: chunk.done, status_code: chunk.status_code, step_time: chunk.step_time, context_id: chunk.context_id, flush_id: chunk.flush_id });
  return `${tts.CHUNK_FRAME_HEAD}${chunk.data}",${rest.slice(1)}`;
}
