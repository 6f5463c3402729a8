/**
 * Normalization: what a probe saw, reduced to the parts that describe the API rather than one
 * answer. A shape is a flat, ordered map `aspect → value` (`sequence`, `turn.end field transcript`,
 * `close code`, …) so two shapes compare key by key. Kept: statuses, message types in order, field
 * names with their JSON types, the values of the error fields clients branch on (`error_code`, `code`,
 * `status_code`, `title`), close codes and reasons. Dropped: transcript text, audio bytes, ids and
 * timestamp values, and how many chunks or updates came (audio length and timing must not count).
 */

/** A probe's normalized outcome: aspect → value, in the order they were seen. */
export type Shape = Record<string, string>;

/** What a WebSocket probe recorded. */
export interface WsRecording {
  kind: "ws";
  /** The handshake's HTTP status (101 when upgraded), and for a refusal its body. */
  handshake?: { status: number; contentType?: string; body?: Uint8Array };
  /** Server frames in order: text as strings, binary as bytes. */
  messages: (string | Uint8Array)[];
  close?: { code: number; reason: string };
  /** The probe's time ran out before the server closed. */
  timedOut: boolean;
  /** A connection failure (its error code, e.g. ECONNRESET). */
  failure?: string;
}

/** What an HTTP probe recorded. */
export interface HttpRecording {
  kind: "http";
  status?: number;
  contentType?: string;
  body: Uint8Array;
  timedOut: boolean;
  failure?: string;
}

/** A probe's recording. */
export type Recording = WsRecording | HttpRecording;

/**
 * Message types that stream (their count follows audio length and chunking): a run of them, in any
 * mix, becomes one token, e.g. `chunk+` or `[chunk|timestamps]+`.
 */
export const STREAMING_TYPES: ReadonlySet<string> = new Set(["chunk", "timestamps", "phoneme_timestamps", "transcript", "turn.update", "<binary>"]);

/** The error fields whose values a client branches on; every other value is left out. */
export const ERROR_VALUE_FIELDS = ["error_code", "code", "status_code", "title"] as const;

/** Nesting kept in field paths (`words[].start` is depth 2). */
const MAX_DEPTH = 4;

/** `string`, `number`, `boolean`, `null`, `array` or `object`. */
export function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value === "object" ? "object" : typeof value;
}

/** Adds every field path of `value` under `prefix` with its JSON type (arrays' elements as `path[]`). */
function collectFields(value: unknown, path: string, into: Map<string, Set<string>>, depth: number): void {
  if (path !== "") {
    const types = into.get(path) ?? new Set<string>();
    types.add(jsonType(value));
    into.set(path, types);
  }
  if (depth >= MAX_DEPTH) return;
  if (Array.isArray(value)) for (const item of value) collectFields(item, `${path}[]`, into, depth + 1);
  else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) collectFields(item, path === "" ? key : `${path}.${key}`, into, depth + 1);
  }
}

/** Field paths → sorted union of types, e.g. `flush_id → "null|number"`. */
function fieldTypes(values: readonly unknown[]): [string, string][] {
  const into = new Map<string, Set<string>>();
  for (const v of values) collectFields(v, "", into, 0);
  return [...into.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, types]) => [path, [...types].sort().join("|")]);
}

/** The error values of some bodies: name → the distinct values seen, JSON-encoded (so `null`, `400` and `"400"` differ). */
function errorValues(values: readonly unknown[]): [string, string][] {
  const out: [string, string][] = [];
  for (const name of ERROR_VALUE_FIELDS) {
    const seen = new Set<string>();
    for (const v of values) if (v !== null && typeof v === "object" && !Array.isArray(v) && name in v) seen.add(JSON.stringify((v as Record<string, unknown>)[name]));
    if (seen.size > 0) out.push([name, [...seen].sort().join(" / ")]);
  }
  return out;
}

/** The token of one message in a sequence: its `type`, or `<binary>`, `<text>` (not JSON), `<untyped>`. */
function token(message: string | Uint8Array): { token: string; json?: unknown } {
  if (typeof message !== "string") return { token: "<binary>" };
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return { token: "<text>" };
  }
  const type = json !== null && typeof json === "object" && !Array.isArray(json) ? (json as { type?: unknown }).type : undefined;
  return { token: typeof type === "string" && type !== "" ? type : "<untyped>", json };
}

/** Message types in order, each run of streaming types collapsed to one `type+` token. */
export function sequenceOf(tokens: readonly string[]): string {
  const out: string[] = [];
  let run = new Set<string>();
  const flush = () => {
    if (run.size === 0) return;
    const types = [...run].sort();
    out.push(types.length === 1 ? `${types[0]}+` : `[${types.join("|")}]+`);
    run = new Set();
  };
  for (const t of tokens) {
    if (STREAMING_TYPES.has(t)) run.add(t);
    else {
      flush();
      out.push(t);
    }
  }
  flush();
  return out.length === 0 ? "(none)" : out.join(" ");
}

/** Adds the shape of a stream of typed messages (WebSocket frames or SSE data): sequence, fields per type, error values. */
function addMessages(shape: Shape, messages: readonly (string | Uint8Array)[], eventNames?: readonly string[]): void {
  const tokens: string[] = [];
  const byType = new Map<string, unknown[]>();
  const events = new Map<string, Set<string>>();
  messages.forEach((m, i) => {
    const t = token(m);
    tokens.push(t.token);
    if (t.json !== undefined) byType.set(t.token, [...(byType.get(t.token) ?? []), t.json]);
    if (eventNames) events.set(t.token, (events.get(t.token) ?? new Set<string>()).add(eventNames[i] ?? "message"));
  });
  shape.sequence = sequenceOf(tokens);
  for (const [type, values] of byType) {
    if (eventNames) shape[`${type} event`] = [...(events.get(type) ?? [])].sort().join(" / ");
    for (const [path, types] of fieldTypes(values)) shape[`${type} field ${path}`] = types;
    if (type === "error") for (const [name, value] of errorValues(values)) shape[`${type} value ${name}`] = value;
  }
}

/** The media type of a Content-Type header, lowercased, without parameters. */
export function mediaType(contentType: string | undefined): string | undefined {
  const t = contentType?.split(";")[0]?.trim().toLowerCase();
  return t === "" ? undefined : t;
}

/** Bytes as UTF-8 text, or undefined when they are not valid UTF-8 or hold control bytes (audio). */
function asText(body: Uint8Array): string | undefined {
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(body);
    return /[\u0000-\u0008\u000e-\u001f]/u.test(text) ? undefined : text;
  } catch {
    return undefined;
  }
}

/** One Server-Sent Event: its name (`message` unless an `event:` line says otherwise) and its data. */
export interface SseEvent {
  event: string;
  data: string;
}

/** Splits an SSE body into events (`event:` and `data:` lines; comments, `id:` and `retry:` ignored). */
export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  let event = "";
  let data: string[] = [];
  const dispatch = () => {
    if (data.length > 0) events.push({ event: event || "message", data: data.join("\n") });
    event = "";
    data = [];
  };
  for (const line of text.split(/\r\n|\r|\n/u)) {
    if (line === "") dispatch();
    else if (line.startsWith("data")) data.push(line.replace(/^data:? ?/u, ""));
    else if (line.startsWith("event:")) event = line.slice(6).trim();
  }
  dispatch();
  return events;
}

/** Adds a body's kind and, for JSON and SSE, its fields; error values when `isError`. */
function addBody(shape: Shape, prefix: string, contentType: string | undefined, body: Uint8Array, isError: boolean): void {
  const type = mediaType(contentType);
  if (type !== undefined) shape[`${prefix}content-type`] = type;
  if (body.length === 0) {
    shape[`${prefix}body`] = "empty";
    return;
  }
  const text = type?.startsWith("audio/") ? undefined : asText(body);
  if (text === undefined) {
    shape[`${prefix}body`] = "binary";
    return;
  }
  if (type === "text/event-stream") {
    shape[`${prefix}body`] = "sse";
    const events = parseSse(text);
    addMessages(
      shape,
      events.map((e) => e.data),
      events.map((e) => e.event),
    );
    return;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    shape[`${prefix}body`] = "text";
    return;
  }
  shape[`${prefix}body`] = `json ${jsonType(json)}`;
  for (const [path, types] of fieldTypes([json])) shape[`${prefix}body field ${path}`] = types;
  if (isError) for (const [name, value] of errorValues([json])) shape[`${prefix}body value ${name}`] = value;
}

/** Normalizes a recording into its shape. */
export function shapeOf(recording: Recording): Shape {
  const shape: Shape = {};
  if (recording.kind === "http") {
    if (recording.status !== undefined) {
      shape.status = String(recording.status);
      addBody(shape, "", recording.contentType, recording.body, recording.status >= 400);
    }
  } else {
    const h = recording.handshake;
    if (h) {
      shape.handshake = String(h.status);
      if (h.status !== 101) addBody(shape, "handshake ", h.contentType, h.body ?? new Uint8Array(), true);
      else addMessages(shape, recording.messages);
    }
    if (h?.status === 101 || recording.close) {
      shape["close code"] = recording.close ? String(recording.close.code) : "none";
      if (recording.close) shape["close reason"] = JSON.stringify(recording.close.reason);
    }
  }
  if (recording.timedOut) shape.timeout = "the probe's time ran out";
  if (recording.failure !== undefined) shape.failure = recording.failure;
  return shape;
}
