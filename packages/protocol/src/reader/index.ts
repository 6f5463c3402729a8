/**
 * `@speechwire/protocol/reader`: the lenient reading of every server message, without zod, for
 * clients that ship to browsers. It depends on nothing: its tables (`shapes.ts`) are generated from
 * the same zod schemas as everything else in this package, and a test proves that it reads every
 * frame exactly as the lenient zod parsers do (same `ok`, same value, same failure reason).
 *
 * @example
 * import { readSttTurnsMessage } from "@speechwire/protocol/reader";
 * const r = readSttTurnsMessage('{"type":"turn.end","transcript":"hi","extra":1}');
 * // { ok: true, value: { type: "turn.end", transcript: "hi" } }
 */
import type * as AccessToken from "../endpoints/access-token.js";
import type * as SttBatch from "../endpoints/stt-batch.js";
import type * as SttTurns from "../endpoints/stt-turns.js";
import type * as SttV1 from "../endpoints/stt-v1.js";
import type * as Tts from "../endpoints/tts.js";
import type * as TtsSse from "../endpoints/tts-sse.js";
import { splitLegacyText, type CartesiaError } from "../shared/error-text.js";
import { decodeJsonObject, type FrameInput } from "../shared/json.js";
import { queryString } from "../shared/query-string.js";
import { fail, ok, type ParseIssue, type Result } from "../shared/result.js";
import { BAD, lastIssue, readShape } from "./read.js";
import type { Shape, WireFields } from "./shape.js";
import * as shapes from "./shapes.js";

export { bytesPerSample, STT_ENCODINGS, TTS_ENCODINGS } from "../shared/audio.js";
export { joinLegacyText, normalizeErrorEvent, splitLegacyText, type CartesiaError } from "../shared/error-text.js";
export { decodeJsonObject, encodeJson, type FrameInput } from "../shared/json.js";
export { queryString } from "../shared/query-string.js";
export { KEYTERM_LIMITS, keytermProblem, LANGUAGE_HINT_LIMITS, languageHintCountProblem, queryLanguageHints } from "../shared/limits.js";
export { fail, ok, type ParseFailure, type ParseFailureReason, type ParseIssue, type Result } from "../shared/result.js";
export { SseDecoder } from "../shared/sse.js";
export { DEFAULT_VERSION } from "../shared/version.js";
export { BAD, lastIssue, readShape } from "./read.js";
export type { Shape, WireFields } from "./shape.js";

/** Every endpoint path (from each endpoint module's `PATH`). */
export const PATHS = shapes.paths;

/** Reads a decoded JSON object with a table keyed by `type` (what `parseObjectByType` does with zod). */
function readByType<T>(frame: FrameInput, table: Readonly<Record<string, Shape>>): Result<T> {
  let v: unknown;
  try {
    v = typeof frame === "string" ? JSON.parse(frame) : undefined;
  } catch {
    v = undefined;
  }
  // Only a failure goes through decodeJsonObject (again), for its exact reason and message.
  if (typeof v !== "object" || v === null || Array.isArray(v)) return decodeJsonObject(frame) as Result<T>;
  const type = (v as { type?: unknown }).type;
  if (typeof type !== "string") return fail("invalid_message", [{ path: "type", message: `expected one of ${Object.keys(table).join(", ")}` }]);
  if (!Object.hasOwn(table, type)) return fail("unknown_type", [{ path: "type", message: `unknown message type "${type}"` }]);
  return readValue<T>(table[type] as Shape, v);
}

/** Reads an already decoded value with a shape; a failure is `invalid_message` naming the field. */
export function readValue<T>(shape: Shape, value: unknown): Result<T> {
  const out = readShape(shape, value);
  return out === BAD ? fail("invalid_message", [lastIssue()]) : ok(out as T);
}

function readJson<T>(body: FrameInput, shape: Shape): Result<T> {
  const json = decodeJsonObject(body);
  return json.ok ? readValue<T>(shape, json.value) : json;
}

/** Reads an `/stt/websocket` server frame, like `sttV1.parseServerMessage` (lenient). */
export function readSttV1Message(frame: FrameInput): Result<SttV1.ServerMessage> {
  return readByType(frame, shapes.sttV1);
}

/** Reads an `/stt/turns/websocket` server frame, like `sttTurns.parseServerMessage` (lenient). */
export function readSttTurnsMessage(frame: FrameInput): Result<SttTurns.ServerMessage> {
  return readByType(frame, shapes.sttTurns);
}

/** Reads a `/tts/websocket` server frame, like `tts.parseServerMessage` (lenient). */
export function readTtsMessage(frame: FrameInput): Result<Tts.ServerMessage> {
  return readByType(frame, shapes.tts);
}

/** Reads one `/tts/sse` event's data, like `ttsSse.parseEvent` (lenient). */
export function readTtsSseEvent(data: string): Result<TtsSse.Event> {
  return readByType(data, shapes.ttsSse);
}

/** Reads a `POST /stt` response body, like `sttBatch.parseResponse` (lenient). */
export function readSttBatchResponse(body: string): Result<SttBatch.Response> {
  return readJson(body, shapes.sttBatchResponse);
}

/** Reads a `POST /access-token` response body, like `accessToken.parseResponse` (lenient). */
export function readAccessTokenResponse(body: string): Result<AccessToken.Response> {
  return readJson(body, shapes.accessTokenResponse);
}

/** Reads an HTTP error response body of either shape, like `normalizeHttpError`. */
export function readHttpError(status: number, body: string, requestIdHeader?: string): CartesiaError {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  const b = json === undefined ? BAD : readShape(shapes.httpErrorBody, json);
  if (b !== BAD) {
    const e = b as { error_code: string | null; title: string; message: string; request_id: string; doc_url?: string };
    return { status, code: e.error_code, title: e.title, message: e.message, requestId: e.request_id, docUrl: e.doc_url, shape: "structured" };
  }
  return { status, code: null, ...splitLegacyText(body.trim()), requestId: requestIdHeader, shape: "legacy" };
}

/**
 * Checks a `config` command's `turn` object at the validating level, like
 * `sttTurns.schemas({ strictness: "validating" }).turnConfig`: the documented ranges (generated) and
 * end < eager_end < start among the thresholds it carries (§3.1). Returns the issues (empty when valid).
 */
export function checkTurnConfig(turn: unknown): ParseIssue[] {
  if (readShape(shapes.turnConfig, turn) === BAD) return [lastIssue()];
  const t = turn as { start_threshold?: number; eager_end_threshold?: number; end_threshold?: number };
  const issues: ParseIssue[] = [];
  const start = t.start_threshold;
  const eager = t.eager_end_threshold;
  const end = t.end_threshold;
  if (eager !== undefined && start !== undefined && !(eager < start)) issues.push({ path: "eager_end_threshold", message: `must stay below the start threshold (${start})` });
  const below = eager ?? start;
  if (end !== undefined && below !== undefined && !(end < below)) {
    issues.push({ path: "end_threshold", message: `must stay below the ${eager !== undefined ? "eager_end" : "start"} threshold (${below})` });
  }
  return issues;
}

/** The wire fields of each query: `sttV1`, `sttTurns`, `tts`, `sttBatch`, and the batch form (`sttBatchForm`). */
export type QueryName = "sttV1" | "sttTurns" | "tts" | "sttBatch" | "sttBatchForm";

/**
 * The wire record of a typed query or form, like zod's `encode` of its (lenient) schema: known fields
 * only (unknown ones dropped), numbers as text after the same checks (e.g. `sample_rate` a positive
 * integer), lists repeated. Throws a `TypeError` naming the field when a value does not fit.
 */
export function encodeWireRecord(name: QueryName, query: object): Record<string, string | string[]> {
  const fields = shapes.queries[name] as WireFields;
  const q = query as Record<string, unknown>;
  const out: Record<string, string | string[]> = {};
  for (const key in fields) {
    const value = q[key];
    if (value === undefined) continue;
    const kind = fields[key] as WireFields[string];
    if (kind === "s" || kind === "r") {
      if (kind === "s" ? typeof value !== "string" : !Array.isArray(value) || !value.every((v) => typeof v === "string")) {
        throw new TypeError(`${key}: expected ${kind === "s" ? "a string" : "a list of strings"}`);
      }
      out[key] = value as string | string[];
    } else {
      if (readShape(kind, value) === BAD) throw new TypeError(`${key}: ${lastIssue().message}`);
      out[key] = String(value);
    }
  }
  return out;
}

/** A typed handshake query as its query string, like `sttV1.encodeQuery` and the others. */
export function encodeQuery(name: Exclude<QueryName, "sttBatchForm">, query: object): string {
  return queryString(encodeWireRecord(name, query));
}
