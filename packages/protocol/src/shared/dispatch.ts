import type * as z from "zod";
import { decodeJsonObject, type FrameInput } from "./frame.js";
import { fail, fromZod, type Result } from "./result.js";

/**
 * Reads a JSON text frame whose `type` picks the schema. Binary, non-JSON, a missing `type` and an
 * unknown `type` each fail with their own reason, so callers can answer each the right way.
 */
export function parseByType<T>(frame: FrameInput, byType: Readonly<Record<string, z.ZodType<T>>>): Result<T> {
  const json = decodeJsonObject(frame);
  if (!json.ok) return json;
  return parseObjectByType(json.value, byType);
}

/** Like `parseByType`, for an object already decoded from JSON. */
export function parseObjectByType<T>(value: Record<string, unknown>, byType: Readonly<Record<string, z.ZodType<T>>>): Result<T> {
  const type = value.type;
  if (typeof type !== "string") {
    return fail("invalid_message", [{ path: "type", message: `expected one of ${Object.keys(byType).join(", ")}` }]);
  }
  if (!Object.hasOwn(byType, type)) {
    return fail("unknown_type", [{ path: "type", message: `unknown message type "${type}"` }]);
  }
  return fromZod(byType[type] as z.ZodType<T>, value);
}
