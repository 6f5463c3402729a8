/**
 * The journal of an HTTP request to a Cartesia route: the request body (JSON as text; the `/stt`
 * upload as its fields and a binary run of the file), the response head (an `http` entry), the
 * response body (JSON as text, SSE one entry per event, audio as a binary run) and a digest of every
 * body byte sent. Bodies are linted with the protocol's strict schemas; a violation's rule id is
 * `<endpoint>/valid-request`, `tts-sse/valid-event` or `<endpoint>/valid-response` (see `HTTP_RULES`).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { accessToken, sttBatch, ttsBytes, ttsSse, type Rule } from "@speechwire/protocol";
import type { Journal, SessionJournal } from "./journal.js";
import { SCENARIO_QUERY } from "./scenarios.js";

/** The HTTP endpoints the journal names. */
export type HttpEndpoint = "tts-bytes" | "tts-sse" | "stt-batch" | "access-token";

/** Rules for HTTP bodies (the protocol's grammars cover WebSocket sessions only). */
export const HTTP_RULES: Readonly<Record<string, Rule>> = Object.fromEntries(
  (
    [
      ["tts-bytes/valid-request", "§6.1", "The request body is a valid /tts/bytes request (strict schema)."],
      ["tts-sse/valid-request", "§6.2", "The request body is a valid /tts/sse request (strict schema)."],
      ["tts-sse/valid-event", "§6.2", "Every SSE event's data is a valid event (strict schema)."],
      ["stt-batch/valid-request", "§4", "The query and the form fields are valid for POST /stt (strict schema)."],
      ["stt-batch/valid-response", "§4", "A 200 response body is a valid transcript (strict schema)."],
      ["access-token/valid-request", "§7", "The request body is a valid /access-token request (strict schema)."],
      ["access-token/valid-response", "§7", "A 200 response body is a valid token response (strict schema)."],
    ] as const
  ).map(([id, section, statement]) => [id, { id, section, severity: "error", statement } satisfies Rule]),
);

/** Query parameters every endpoint accepts (version, credentials, the mock's scenario), not linted as `/stt`'s own. */
const TRANSPORT_PARAMS = new Set(["cartesia_version", "api_key", "access_token", SCENARIO_QUERY]);

/** Largest unterminated SSE event kept while waiting for its blank line (the mock's are far smaller). */
const SSE_PENDING_LIMIT = 1024 * 1024;

/** A journalled HTTP exchange: the route reports the request body; the response is observed. */
export interface HttpExchangeJournal {
  /** Records a JSON request body and lints it strictly. */
  jsonRequest(body: Uint8Array): void;
  /** Lints `/stt`'s query strictly (before the body is read: a bad query is refused unread). */
  sttQuery(query: URLSearchParams): void;
  /** Records a multipart request: its fields (text) and the file (a binary run, the session's `audio`). */
  multipartRequest(fields: Record<string, string | string[]>, file: Uint8Array | undefined): void;
  /** Records a warning (a replayed scenario met a request it has no recording for). */
  note(rule: string, message: string): void;
}

/**
 * Opens the journal of one HTTP request and observes `res`: every `writeHead`/`write`/`end` of the
 * route (and of the error helpers) goes through it, so the record holds exactly what was sent.
 */
export function journalHttpRequest(
  journal: Journal,
  input: { endpoint: HttpEndpoint; scenario: string; version: string; requestId: string; url: URL },
  req: IncomingMessage,
  res: ServerResponse,
): HttpExchangeJournal {
  const session = journal.open({
    endpoint: input.endpoint,
    scenario: input.scenario,
    version: input.version,
    requestId: input.requestId,
    method: req.method ?? "GET",
    path: input.url.pathname,
    query: input.url.searchParams,
    headers: req.headers,
  });
  const strict = { strictness: "strict", version: input.version } as const;
  const flag = (rule: string, message: string) => {
    const r = HTTP_RULES[rule] as Rule;
    session.violation({ rule: r.id, section: r.section, severity: r.severity, message });
  };
  observeResponse(session, input.endpoint, res, flag, strict);
  return {
    note(rule, message) {
      session.violation({ rule, section: "replay", severity: "warning", message });
    },
    jsonRequest(body) {
      const text = Buffer.from(body).toString("utf8");
      session.text("client", text, 0);
      const parsed =
        input.endpoint === "tts-bytes"
          ? ttsBytes.parseRequest(text, strict)
          : input.endpoint === "tts-sse"
            ? ttsSse.parseRequest(text, strict)
            : accessToken.parseRequest(text.length === 0 ? "{}" : text, strict);
      if (!parsed.ok) flag(`${input.endpoint}/valid-request`, `client body: ${parsed.error.message}`);
    },
    sttQuery(query) {
      // Version, credentials and the scenario may ride on any endpoint's query (§1); the rest is /stt's own.
      const own = new URLSearchParams([...query].filter(([key]) => !TRANSPORT_PARAMS.has(key)));
      const q = sttBatch.parseQuery(own, strict);
      if (!q.ok) flag("stt-batch/valid-request", `query: ${q.error.message}`);
    },
    multipartRequest(fields, file) {
      session.text("client", JSON.stringify({ fields, ...(file ? { file: { bytes: file.byteLength } } : {}) }), 0);
      const f = sttBatch.parseForm(fields, strict);
      if (!f.ok) flag("stt-batch/valid-request", `form: ${f.error.message}`);
      if (file) session.binary("client", file, 0);
    },
  };
}

type Flag = (rule: string, message: string) => void;

/** Wraps `res` so the journal sees the head and every body chunk, and ends the record when it is done. */
function observeResponse(session: SessionJournal, endpoint: HttpEndpoint, res: ServerResponse, flag: Flag, strict: { strictness: "strict"; version: string }): void {
  let kind: "binary" | "sse" | "text" = "text";
  let headRecorded = false;
  // Once the response is summed up (ended, or the connection dropped) nothing more is recorded or
  // hashed: a write after that (an error answer racing a dropped connection) would update a digest
  // already taken.
  let finished = false;
  let contentType: string | undefined;
  let sse = "";
  let json: Buffer[] = [];
  let jsonBytes = 0;

  const recordHead = () => {
    if (headRecorded || finished) return;
    headRecorded = true;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.getHeaders())) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : String(v);
    contentType = headers["content-type"];
    kind = contentType?.startsWith("text/event-stream") ? "sse" : contentType === undefined || /json|^text\//.test(contentType) ? "text" : "binary";
    session.http(res.statusCode, headers);
  };
  const sseEvent = (event: string) => {
    session.text("server", event, 0);
    const data = event
      .split("\n")
      .filter((line) => line.startsWith("data:"))
      .map((line) => line.slice(5).replace(/^ /, ""))
      .join("\n");
    const parsed = ttsSse.parseEvent(data, strict);
    if (!parsed.ok) flag("tts-sse/valid-event", `server event: ${parsed.error.message}`);
  };
  const onChunk = (chunk: Uint8Array) => {
    if (chunk.byteLength === 0 || finished) return;
    recordHead();
    if (kind === "binary") {
      session.responseBytes(chunk);
      return;
    }
    session.hashResponse(chunk);
    if (kind === "sse") {
      sse += Buffer.from(chunk).toString("utf8");
      let at: number;
      while ((at = sse.indexOf("\n\n")) >= 0) {
        sseEvent(sse.slice(0, at));
        sse = sse.slice(at + 2);
      }
      if (sse.length > SSE_PENDING_LIMIT) {
        sseEvent(sse);
        sse = "";
      }
    } else if (jsonBytes <= SSE_PENDING_LIMIT) {
      // A text body is kept (bounded) until it ends, then recorded as one entry (clipped like frames).
      json.push(Buffer.from(chunk));
      jsonBytes += chunk.byteLength;
    }
  };
  const finishBody = () => {
    if (finished) return;
    recordHead();
    if (kind === "sse" && sse.length > 0) sseEvent(sse);
    if (kind === "text" && json.length > 0) {
      const text = Buffer.concat(json).toString("utf8");
      session.text("server", text, 0);
      if (res.statusCode === 200 && endpoint === "stt-batch") {
        const parsed = sttBatch.parseResponse(text, strict);
        if (!parsed.ok) flag("stt-batch/valid-response", `server body: ${parsed.error.message}`);
      }
      if (res.statusCode === 200 && endpoint === "access-token") {
        const parsed = accessToken.parseResponse(text, strict);
        if (!parsed.ok) flag("access-token/valid-response", `server body: ${parsed.error.message}`);
      }
    }
    sse = "";
    json = [];
    finished = true;
    session.finishResponse(res.statusCode, contentType);
  };

  const toBytes = (chunk: unknown, encoding: unknown): Uint8Array | undefined => {
    if (typeof chunk === "string") return Buffer.from(chunk, typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8");
    return chunk instanceof Uint8Array ? chunk : undefined;
  };
  // Patch this response only: every route and error helper writes through these three methods.
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  (res as unknown as { writeHead: (...args: unknown[]) => ServerResponse }).writeHead = (...args: unknown[]) => {
    // Headers given to writeHead are not visible through getHeaders(): set them first.
    const [status, ...rest] = args;
    const headers = rest.find((a) => typeof a === "object" && a !== null) as Record<string, string | number | string[]> | undefined;
    res.statusCode = status as number;
    if (headers) for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    recordHead();
    return writeHead(status);
  };
  (res as unknown as { write: (...args: unknown[]) => boolean }).write = (...args: unknown[]) => {
    const bytes = toBytes(args[0], args[1]);
    if (bytes) onChunk(bytes);
    return write(...args);
  };
  (res as unknown as { end: (...args: unknown[]) => ServerResponse }).end = (...args: unknown[]) => {
    const bytes = typeof args[0] === "function" ? undefined : toBytes(args[0], args[1]);
    if (bytes) onChunk(bytes);
    finishBody();
    return end(...args);
  };
  res.on("close", () => {
    if (!res.writableFinished) {
      // The client went away (or the socket failed) before the response was complete. Nothing sent
      // yet: no head to record and no response summary (none was sent), only the drop.
      if (res.headersSent) finishBody();
      else finished = true;
      session.close("client", undefined, "connection dropped before the response ended", 0, true);
    }
    session.end();
  });
}
