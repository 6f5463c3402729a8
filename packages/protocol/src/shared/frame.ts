import * as z from "zod";

/** One WebSocket frame as it travels: text is a string, binary is bytes. */
export type WireFrame = string | Uint8Array;

import type { FrameInput } from "./json.js";

export { decodeJsonObject, encodeJson, type FrameInput } from "./json.js";

/** Normalizes any frame input to `string | Uint8Array`. */
export function toWireFrame(frame: FrameInput): WireFrame {
  if (typeof frame === "string") return frame;
  if (frame instanceof Uint8Array) return frame;
  return new Uint8Array(frame);
}

/** True when a frame is text. */
export function isTextFrame(frame: FrameInput): frame is string {
  return typeof frame === "string";
}

/**
 * A binary frame of raw audio in the session's encoding. Only `Uint8Array`s pass; in JSON Schema and
 * AsyncAPI it is a binary string.
 */
export const audioFrameSchema = z
  .custom<Uint8Array>((value) => value instanceof Uint8Array, { message: "expected binary audio" })
  .meta({
    type: "string",
    contentEncoding: "binary",
    contentMediaType: "application/octet-stream",
    description: "A binary frame of raw mono audio in the encoding and sample rate named in the handshake.",
  });
