/**
 * The message catalogue: every message and union of every endpoint, with its schema, its JSON Schema
 * file and its row in the README table. The generator, the drift test and `pnpm table` read it.
 */
import type * as z from "zod";
import * as accessToken from "./endpoints/access-token.js";
import * as sttBatch from "./endpoints/stt-batch.js";
import * as sttTurns from "./endpoints/stt-turns.js";
import * as sttV1 from "./endpoints/stt-v1.js";
import * as tts from "./endpoints/tts.js";
import * as ttsBytes from "./endpoints/tts-bytes.js";
import * as ttsSse from "./endpoints/tts-sse.js";
import { audioFrameSchema } from "./shared/frame.js";
import type { SchemaOptions } from "./shared/options.js";
import type { Strictness } from "./shared/strictness.js";

/** The endpoints of DESIGN.md's table. */
export const ENDPOINTS = {
  "stt-v1": { path: sttV1.PATH, transport: "websocket", section: "§2" },
  "stt-turns": { path: sttTurns.PATH, transport: "websocket", section: "§3" },
  "stt-batch": { path: sttBatch.PATH, transport: "http", section: "§4" },
  tts: { path: tts.PATH, transport: "websocket", section: "§5" },
  "tts-bytes": { path: ttsBytes.PATH, transport: "http", section: "§6.1" },
  "tts-sse": { path: ttsSse.PATH, transport: "http", section: "§6.2" },
  "access-token": { path: accessToken.PATH, transport: "http", section: "§7" },
} as const;
/** An endpoint's name in code. */
export type EndpointName = keyof typeof ENDPOINTS;

/**
 * Every endpoint's schemas for one version and strictness: the right error and voice shapes.
 * @example schemasForVersion("2025-04-16", "strict").tts.error // the legacy TTS error event
 */
export function schemasForVersion(version: string, strictness: Strictness = "strict") {
  const options: SchemaOptions = { version, strictness };
  return {
    sttV1: sttV1.schemas(options),
    sttTurns: sttTurns.schemas(options),
    tts: tts.schemas(options),
    ttsBytes: ttsBytes.schemas(options),
    ttsSse: ttsSse.schemas(options),
    sttBatch: sttBatch.schemas(options),
    accessToken: accessToken.schemas(options),
  };
}

/** Which way a message travels. */
export type Direction = "handshake" | "client→server" | "server→client";

/** One row of the catalogue. */
export interface CatalogEntry {
  endpoint: EndpointName;
  direction: Direction;
  /** The type tag, or how the message is told apart when it has none. */
  tag: string;
  /** The expression that reaches the schema from the package's exports. */
  schemaExport: string;
  /** The JSON Schema file under `schemas/`. */
  file: string;
  /** The version whose shape the file describes (where shapes differ by version). */
  version: string;
  /** `input`: the wire form (query strings); `output`: parsed values. */
  io: "input" | "output";
  /** The strict schema the file is generated from. */
  schema: () => z.ZodType;
  /** A union of the messages of one direction. */
  union?: boolean;
}

const LEGACY = "2025-04-16";
/** What a row describes unless it says otherwise: structured errors and `{mode:"id"}` voices. */
const ROW_VERSION = "2026-03-01";
const V2026_08 = "2026-08-14";

type Row = [direction: Direction, tag: string, key: string, file: string, extra?: Partial<CatalogEntry>];

function rows<S extends Record<string, unknown>>(
  endpoint: EndpointName,
  ns: string,
  get: (options: SchemaOptions) => S,
  list: Row[],
): CatalogEntry[] {
  return list.map(([direction, tag, key, file, extra]) => {
    const version = extra?.version ?? ROW_VERSION;
    const versionArg = `, version: "${version}"`;
    return {
      endpoint,
      direction,
      tag,
      schemaExport: extra?.schemaExport ?? `${ns}.schemas({ strictness: "strict"${versionArg} }).${key}`,
      file: `${endpoint}/${file}`,
      version,
      io: "output",
      schema: () => get({ strictness: "strict", version })[key] as z.ZodType,
      ...extra,
    };
  });
}

/** Every message and union, in the order of PROTOCOL.md. */
export const MESSAGE_CATALOG: readonly CatalogEntry[] = [
  ...rows("stt-v1", "sttV1", sttV1.schemas, [
    ["handshake", "query (wire: strings)", "query", "query.wire.json", { io: "input" }],
    ["handshake", "query (parsed)", "query", "query.json"],
    ["client→server", "binary audio", "-", "audio.json", { schema: () => audioFrameSchema, schemaExport: "audioFrameSchema" }],
    ["client→server", "`finalize` / `close` / `done` (bare text)", "command", "command.json"],
    ["client→server", "`config` (JSON text)", "config", "config.json"],
    ["client→server", "union of client frames", "clientMessage", "client-message.json", { union: true }],
    ["server→client", "`transcript`", "transcript", "transcript.json"],
    ["server→client", "`flush_done`", "flushDone", "flush-done.json"],
    ["server→client", "`done`", "done", "done.json"],
    ["server→client", "`error` (structured)", "error", "error.json"],
    ["server→client", "`error` (legacy)", "error", "error.legacy.json", { version: LEGACY }],
    ["server→client", "union of server messages", "serverMessage", "server-message.json", { union: true }],
  ]),
  ...rows("stt-turns", "sttTurns", sttTurns.schemas, [
    ["handshake", "query (wire: strings)", "query", "query.wire.json", { io: "input" }],
    ["handshake", "query (parsed)", "query", "query.json"],
    ["client→server", "binary audio", "-", "audio.json", { schema: () => audioFrameSchema, schemaExport: "audioFrameSchema" }],
    ["client→server", "`close`", "close", "close.json"],
    ["client→server", "`config`", "config", "config.json"],
    ["client→server", "union of JSON commands", "clientCommand", "client-command.json", { union: true }],
    ["client→server", "union of client frames", "clientMessage", "client-message.json", { union: true }],
    ["server→client", "`connected`", "connected", "connected.json"],
    ["server→client", "`turn.start`", "turnStart", "turn-start.json"],
    ["server→client", "`turn.update`", "turnUpdate", "turn-update.json"],
    ["server→client", "`turn.eager_end`", "turnEagerEnd", "turn-eager-end.json"],
    ["server→client", "`turn.resume`", "turnResume", "turn-resume.json"],
    ["server→client", "`turn.end`", "turnEnd", "turn-end.json"],
    // No legacy row: the endpoint answers structured errors whatever the version.
    ["server→client", "`error` (structured)", "error", "error.json"],
    ["server→client", "union of server messages", "serverMessage", "server-message.json", { union: true }],
  ]),
  ...rows("stt-batch", "sttBatch", sttBatch.schemas, [
    ["client→server", "query (wire: strings; raw PCM only)", "query", "query.wire.json", { io: "input" }],
    ["client→server", "multipart form fields (besides `file`)", "form", "form.json", { io: "input" }],
    ["server→client", "transcript response", "response", "response.json"],
    ["server→client", "HTTP error body (structured)", "errorBody", "error-body.json"],
  ]),
  ...rows("tts", "tts", tts.schemas, [
    ["handshake", "query", "query", "query.json"],
    ["client→server", "generation request (voice `{mode:\"id\"}`)", "generationRequest", "generation-request.json"],
    ["client→server", "generation request (voice `string | {id}`)", "generationRequest", "generation-request.2026-08-14.json", { version: V2026_08 }],
    ["client→server", "`cancel`", "cancel", "cancel.json"],
    ["client→server", "union of client messages", "clientMessage", "client-message.json", { union: true }],
    ["server→client", "`chunk`", "chunk", "chunk.json"],
    ["server→client", "`timestamps`", "timestamps", "timestamps.json"],
    ["server→client", "`phoneme_timestamps`", "phonemeTimestamps", "phoneme-timestamps.json"],
    ["server→client", "`flush_done`", "flushDone", "flush-done.json"],
    ["server→client", "`done`", "done", "done.json"],
    ["server→client", "`error` (structured)", "error", "error.json"],
    ["server→client", "`error` (legacy)", "error", "error.legacy.json", { version: LEGACY }],
    ["server→client", "union of server messages", "serverMessage", "server-message.json", { union: true }],
  ]),
  ...rows("tts-bytes", "ttsBytes", ttsBytes.schemas, [
    ["client→server", "request (voice `{mode:\"id\"}`)", "request", "request.json"],
    ["client→server", "request (voice `string | {id}`)", "request", "request.2026-08-14.json", { version: V2026_08 }],
    ["server→client", "audio body (raw / WAV / MP3)", "audioBody", "audio.json", { schemaExport: "ttsBytes.audioBody" }],
    ["server→client", "HTTP error body (structured)", "errorBody", "error-body.json"],
  ]),
  ...rows("tts-sse", "ttsSse", ttsSse.schemas, [
    ["client→server", "request (voice `{mode:\"id\"}`)", "request", "request.json"],
    ["client→server", "request (voice `string | {id}`)", "request", "request.2026-08-14.json", { version: V2026_08 }],
    ["server→client", "`chunk`", "chunk", "chunk.json"],
    ["server→client", "`timestamps`", "timestamps", "timestamps.json"],
    ["server→client", "`phoneme_timestamps`", "phonemeTimestamps", "phoneme-timestamps.json"],
    ["server→client", "`flush_done` (older pages)", "flushDone", "flush-done.json"],
    ["server→client", "`done`", "done", "done.json"],
    ["server→client", "`error` (structured)", "error", "error.json"],
    ["server→client", "`error` (legacy)", "error", "error.legacy.json", { version: LEGACY }],
    ["server→client", "union of events", "event", "event.json", { union: true }],
  ]),
  ...rows("access-token", "accessToken", accessToken.schemas, [
    ["client→server", "request", "request", "request.json"],
    ["server→client", "response", "response", "response.json"],
    ["server→client", "HTTP error body (structured)", "errorBody", "error-body.json"],
  ]),
];

/** The README table of every message, as Markdown. */
export function catalogTable(): string {
  const head = "| endpoint | direction | message | schema export | JSON Schema |\n|---|---|---|---|---|";
  const body = MESSAGE_CATALOG.map(
    (e) => `| \`${e.endpoint}\` | ${e.direction} | ${e.tag} | \`${e.schemaExport}\` | [\`${e.file}\`](schemas/${e.file}) |`,
  );
  return [head, ...body].join("\n");
}
