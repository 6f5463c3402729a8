/**
 * The terminal log: one record per session (from its journal record when it ends) and per HTTP
 * request that has no journal session (status, admin API, playground files, preflights, refusals),
 * and its two renderings: a human line and a JSON line with stable field names. Pure functions.
 */
import type { SessionRecord } from "./journal.js";

/** Where a request without a journal session went. */
export type RequestRoute = "status" | "admin" | "playground" | "preflight" | "websocket" | "none";

/**
 * One line of the log. Every field is always present (`null` where it does not apply), so a machine
 * reading `--log json` sees the same keys on every line.
 */
export interface LogRecord {
  /** When it ended, ISO 8601 UTC with milliseconds. */
  time: string;
  /** `session`: a journalled session (WebSocket or Cartesia HTTP route); `request`: any other HTTP request. */
  kind: "session" | "request";
  /** Sessions: the journal's endpoint (`stt-turns`, `tts-bytes`, …); requests: a `RequestRoute`. */
  route: string;
  /** The HTTP method; `null` for a WebSocket session. */
  method: string | null;
  /** The request path as sent, without the query (which may hold credentials). */
  path: string;
  scenario: string | null;
  /** The Cartesia version the session ran at; `null` for requests outside the Cartesia API. */
  version: string | null;
  /** From the request's arrival (or the session's opening) to its end, in milliseconds. */
  durationMs: number;
  /** The HTTP status sent; `null` for a WebSocket session, or when the client left before an answer. */
  status: number | null;
  /** WebSocket sessions: the close code; `null` when the connection was dropped or for HTTP. */
  close: number | null;
  /** WebSocket sessions: which side closed or dropped first; `null` for HTTP or when unknown. */
  closedBy: "client" | "server" | null;
  /** Protocol violations the journal recorded; `null` for requests that are not linted. */
  violations: number | null;
  /** The journal's session id (`s000001`); `null` for requests. */
  session: string | null;
  /** The request id the answer carried (`cartesia-request-id`). */
  requestId: string | null;
}

/** The log formats of the CLI's `--log`. */
export type LogFormat = "text" | "json";

const WS_ENDPOINTS = new Set(["stt-v1", "stt-turns", "tts"]);

/** The log record of a session that ended (a `Journal.onSessionEnd` listener's argument). */
export function sessionLogRecord(record: SessionRecord, now: () => Date = () => new Date()): LogRecord {
  const ended = record.endedAt === undefined ? now() : new Date(record.endedAt);
  const started = Date.parse(record.startedAt);
  const websocket = WS_ENDPOINTS.has(record.endpoint);
  // The journal keeps one close (or drop) entry per session: the side that ended it first.
  const last = websocket ? [...record.entries].reverse().find((e) => e.kind === "close" || e.kind === "drop") : undefined;
  return {
    time: ended.toISOString(),
    kind: "session",
    route: record.endpoint,
    method: record.method ?? null,
    path: record.path,
    scenario: record.scenario,
    version: record.version,
    durationMs: Number.isFinite(started) ? Math.max(0, ended.getTime() - started) : 0,
    status: websocket ? null : (record.response?.status ?? null),
    close: last?.kind === "close" ? (last.code ?? null) : null,
    closedBy: last?.dir ?? null,
    violations: record.violations.length,
    session: record.id,
    requestId: record.requestId,
  };
}

/** The log record of an HTTP request with no journal session. */
export function requestLogRecord(input: {
  route: RequestRoute;
  method: string;
  path: string;
  status: number | null;
  durationMs: number;
  requestId: string;
  scenario?: string;
  version?: string;
  time?: Date;
}): LogRecord {
  return {
    time: (input.time ?? new Date()).toISOString(),
    kind: "request",
    route: input.route,
    method: input.method,
    path: input.path,
    scenario: input.scenario ?? null,
    version: input.version ?? null,
    durationMs: Math.max(0, input.durationMs),
    status: input.status,
    close: null,
    closedBy: null,
    violations: null,
    session: null,
    requestId: input.requestId,
  };
}

/**
 * A duration as people read it: `85ms` under a second, `4.2s` under 100 s, `312s` beyond.
 * @example formatDuration(4210) === "4.2s"
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "-";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 99_950) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.round(ms / 1000)}s`;
}

/** Characters that would break a line apart or fake another one are escaped (paths come from clients). */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/gu, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/**
 * One human line, UTC time first.
 * @example "06:41:02.123 stt-turns /stt/turns/websocket default 2026-03-01 4.2s close 1000 by client 0 violations"
 */
export function formatLogText(record: LogRecord): string {
  const time = record.time.slice(11, 23);
  const outcome =
    record.status !== null
      ? `status ${record.status}`
      : record.method === null
        ? record.close !== null
          ? `close ${record.close}${record.closedBy ? ` by ${record.closedBy}` : ""}`
          : `dropped${record.closedBy ? ` by ${record.closedBy}` : ""}`
        : "no answer";
  const parts = [
    time,
    record.route,
    ...(record.method === null ? [] : [record.method]),
    printable(record.path),
    printable(record.scenario ?? "-"),
    printable(record.version ?? "-"),
    formatDuration(record.durationMs),
    outcome,
    ...(record.violations === null ? [] : [`${record.violations} violation${record.violations === 1 ? "" : "s"}`]),
  ];
  return parts.join(" ");
}

/** One JSON line (no newline), keys in a fixed order. */
export function formatLogJson(record: LogRecord): string {
  const { time, kind, route, method, path, scenario, version, durationMs, status, close, closedBy, violations, session, requestId } = record;
  return JSON.stringify({ time, kind, route, method, path, scenario, version, durationMs, status, close, closedBy, violations, session, requestId });
}

/** The line of a record in a format (without the newline). */
export function formatLogRecord(record: LogRecord, format: LogFormat): string {
  return format === "json" ? formatLogJson(record) : formatLogText(record);
}
