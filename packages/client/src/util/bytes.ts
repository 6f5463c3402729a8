/** Byte helpers without Node built-ins (Node's `Buffer` is used only when it is there, for speed). */

type NodeBuffer = Uint8Array & { buffer: ArrayBuffer };
type BufferLike = { from(data: string, encoding: "base64"): NodeBuffer };
const NodeBuffer = (globalThis as { Buffer?: BufferLike }).Buffer;
const fromBase64 = (Uint8Array as { fromBase64?: (text: string) => Uint8Array }).fromBase64;

/** Audio or other binary input the client accepts. */
export type BinaryInput = Uint8Array | ArrayBuffer | ArrayBufferView;

/** A view of any binary input as bytes (no copy). */
export function asBytes(data: BinaryInput): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Decodes base64 into a fresh `Uint8Array` that owns its whole `ArrayBuffer` (so typed-array views
 * over `.buffer` are aligned and contain only this audio).
 */
export function decodeBase64(text: string): Uint8Array {
  if (fromBase64) return fromBase64(text);
  if (NodeBuffer) {
    const b = NodeBuffer.from(text, "base64");
    // Small Buffers are slices of a shared pool: copy those out.
    return b.byteOffset === 0 && b.buffer.byteLength === b.byteLength ? new Uint8Array(b.buffer, 0, b.byteLength) : new Uint8Array(b);
  }
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) out[i] = binary.charCodeAt(i);
  return out;
}

/** Concatenates byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.byteLength;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}
