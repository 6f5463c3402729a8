import * as z from "zod";
import { fail, ok, type Result } from "./result.js";

/** One WebSocket frame as it travels: text is a string, binary is bytes. */
export type WireFrame = string | Uint8Array;

/** What a transport may hand over: a string, bytes, an ArrayBuffer or a Node Buffer. */
export type FrameInput = string | Uint8Array | ArrayBuffer;

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

/** Parses a text frame as a JSON object; binary, non-JSON and non-object frames fail with a reason. */
export function decodeJsonObject(frame: FrameInput): Result<Record<string, unknown>> {
  if (typeof frame !== "string") {
    return fail("unexpected_binary", [{ path: "(root)", message: "expected a JSON text frame, got a binary frame" }]);
  }
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch {
    const preview = frame.length > 40 ? `${frame.slice(0, 40)}…` : frame;
    return fail("invalid_json", [{ path: "(root)", message: `text frame is not JSON: ${JSON.stringify(preview)}` }]);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return fail("invalid_message", [{ path: "(root)", message: "expected a JSON object" }]);
  }
  return ok(value as Record<string, unknown>);
}

/** Encodes a message as a JSON text frame. */
export function encodeJson(message: object): string {
  return JSON.stringify(message);
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
