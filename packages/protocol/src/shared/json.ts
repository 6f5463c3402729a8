/** JSON text frames without zod: what the zod-free reader and the schema-based parsers share. */
import { fail, ok, type Result } from "./result.js";

/** What a transport may hand over: a string, bytes, an ArrayBuffer or a Node Buffer. */
export type FrameInput = string | Uint8Array | ArrayBuffer;

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
