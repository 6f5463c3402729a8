/** HTTP routes: the Cartesia HTTP endpoints, the status route and the admin API (`/_speechwire/…`). */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import busboy from "busboy";
import type * as z from "zod";
import {
  accessToken,
  decodeJsonObject,
  DEFAULT_VERSION,
  headerValue,
  refuseModel,
  sttBatch,
  ttsBytes,
  ttsSse,
  type ErrorShape,
  type Result,
} from "@speechwire/protocol";
import { transcribeBatch } from "../core/stt/index.js";
import { sseEvents, sseFaults, synthesizeBytes, transcriptTooLong, ttsReplayMiss, ttsRequestRefusal, type SseControl } from "../core/tts/index.js";
import { parseScenarioText } from "../scenario/load.js";
import type { Scenario } from "../scenario/schema.js";
import type { ADMIN_BODY_SCHEMAS } from "./admin-schemas.js";
import { resetServerState, type ServerContext } from "./context.js";
import { journalHttpRequest, type HttpEndpoint, type HttpExchangeJournal } from "./http-journal.js";
import { requestLogRecord, type LogRecord, type RequestRoute } from "./log.js";
import { BodyAborted, BodyTooLarge, CORS_HEADERS, readBody, refuseUpgrade, requestIdHeaders, sendError, sendJson, type HttpError } from "./respond.js";
import { readRequestHead, shapeOfRawHead, type RequestHead } from "./request-target.js";
import { decodePathSegment, requestedScenario, SCENARIO_HEADER, scenarioRefusal } from "./scenarios.js";
import { resolveStaticPath, sendStaticFile, wantsHtml } from "./static.js";

const JSON_LIMIT = 1024 * 1024;
/** The Cartesia HTTP routes: never shadowed by a file of the playground. */
const API_PATHS = new Set<string>([ttsBytes.PATH, ttsSse.PATH, sttBatch.PATH, accessToken.PATH]);
const UPLOAD_LIMIT = 64 * 1024 * 1024;
/** A body of the mock's own routes as the handlers build it (the OpenAPI document's component of that name). */
type AdminBody<K extends keyof typeof ADMIN_BODY_SCHEMAS> = z.input<(typeof ADMIN_BODY_SCHEMAS)[K]>;

/** The journal's endpoint name of each Cartesia HTTP route. */
const ENDPOINT_BY_PATH: Record<string, HttpEndpoint> = {
  [ttsBytes.PATH]: "tts-bytes",
  [ttsSse.PATH]: "tts-sse",
  [sttBatch.PATH]: "stt-batch",
  [accessToken.PATH]: "access-token",
};

/** The package version, shown by `GET /` and the health route. */
export interface ServerInfo {
  version: string;
  startedAt: number;
  openSessions: () => number;
}

/** The response in flight on each socket, so that a request whose body breaks is answered in its version's shape. */
const inFlight = new WeakMap<Duplex, { res: ServerResponse; shape: ErrorShape; requestId: string }>();

/**
 * What the handler learns about a request for the log: where it went, and whether a journal session
 * records it (that one is logged when its session ends, not here).
 */
interface RequestNote {
  route: RequestRoute;
  journalled: boolean;
}

/**
 * Handles one HTTP request; never throws (errors become responses). `log` hears of each request that
 * has no journal session once its response is done (or its connection closed).
 */
export function createRequestHandler(ctx: ServerContext, info: ServerInfo, log?: (record: LogRecord) => void) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const head = readRequestHead(req);
    const requestId = ctx.nextRequestId();
    const socket = req.socket;
    const note: RequestNote = { route: "none", journalled: false };
    inFlight.set(socket, { res, shape: head.shape, requestId });
    res.once("close", () => {
      if (inFlight.get(socket)?.res === res) inFlight.delete(socket);
      if (log && !note.journalled) {
        const path = head.target.ok ? head.target.url.pathname : (req.url ?? "").split("?")[0] ?? "";
        log(requestLogRecord({ route: note.route, method: req.method ?? "GET", path, status: res.headersSent ? res.statusCode : null, durationMs: performance.now() - started, requestId }));
      }
    });
    handle(ctx, info, req, res, head, requestId, note).catch((error: unknown) => {
      // A bug: 500 in the version's shape if nothing was sent yet, else the connection is cut.
      if (canAnswer(res)) sendError(res, { status: 500, code: "internal_error", title: "Internal error", message: String(error) }, head.shape, requestId);
      else if (!res.writableEnded) res.destroy();
    });
  };
}

/**
 * Handles the HTTP parser's errors (a `clientError` listener): a body that breaks mid-stream (bad
 * chunked framing, fewer bytes than Content-Length before the client half-closes) is answered with 400
 * in its request's version's shape, on that request's response (so the journal records it), and the
 * connection closes; a request head that does not parse gets 400 (431 too-large headers, 408 timeout)
 * in the default version's shape. A connection that cannot answer any more is closed.
 */
export function createClientErrorHandler(ctx: ServerContext, log?: (record: LogRecord) => void) {
  // The parser stays in its error state: more bytes from the client raise the error again, while
  // the first answer is still on its way out (it closes the connection when sent).
  const answered = new WeakSet<Duplex>();
  return (error: Error & { code?: string; rawPacket?: Buffer }, socket: Duplex) => {
    if (answered.has(socket)) return;
    if (error.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = error.code === "HPE_HEADER_OVERFLOW" ? 431 : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : error.code === "HPE_CHUNK_EXTENSIONS_OVERFLOW" ? 413 : 400;
    const title = status === 408 ? "Request timeout" : status === 400 ? "Bad request" : "Request too large";
    const code = status === 400 ? "invalid_request" : status === 413 ? "payload_too_large" : null;
    const message =
      status === 408
        ? "The request did not arrive in time."
        : status === 431
          ? "The request's headers are larger than the limit."
          : status === 413
            ? "A chunk extension is larger than the limit."
            : `The request could not be parsed (${error.code ?? error.message}).`;
    answered.add(socket);
    const current = inFlight.get(socket);
    if (current && canAnswer(current.res)) {
      // The parser cannot go on on this connection: answer, then close it.
      current.res.shouldKeepAlive = false;
      sendError(current.res, { status, code, title, message }, current.shape, current.requestId);
      return;
    }
    if (current) {
      socket.destroy();
      return;
    }
    const requestId = ctx.nextRequestId();
    refuseUpgrade(socket, { status, code, title, message }, shapeOfRawHead(error.rawPacket), requestId);
    if (log) {
      // What can be read of a head the parser refused: its method and target, if it has them.
      const line = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) +(\S+)/.exec(error.rawPacket?.subarray(0, 2048).toString("latin1") ?? "");
      log(requestLogRecord({ route: "none", method: line?.[1] ?? "-", path: line?.[2]?.split("?")[0] ?? "-", status, durationMs: 0, requestId }));
    }
  };
}

/** Whether a response can still be sent: nothing written yet and the connection still writable. */
function canAnswer(res: ServerResponse): boolean {
  return !res.headersSent && !res.destroyed && res.socket?.writable === true;
}

async function handle(ctx: ServerContext, info: ServerInfo, req: IncomingMessage, res: ServerResponse, head: RequestHead, requestId: string, note: RequestNote): Promise<void> {
  const { versionResult, version, shape } = head;
  const fail = (error: HttpError) => sendError(res, error, shape, requestId);
  const method = req.method ?? "GET";
  if (!head.target.ok) {
    fail({ status: 400, code: "invalid_request", title: "Invalid request target", message: head.target.message });
    return;
  }
  const { url, routed, rawPath } = head.target;

  if (method === "OPTIONS") {
    note.route = "preflight";
    res.writeHead(204, { ...CORS_HEADERS, ...requestIdHeaders(requestId) });
    res.end();
    return;
  }

  if (routed.path.startsWith("/_speechwire/")) {
    note.route = "admin";
    return admin(ctx, info, routed.path, url, method, req, res, requestId, shape);
  }

  // The playground (when served) answers reads outside the API: `/` for browsers, and its files.
  // API clients asking `GET /` without text/html still get the JSON status.
  const servesPage = ctx.playgroundDir !== undefined && (method === "GET" || method === "HEAD") && routed.scenarioFromPath === undefined;
  if (servesPage && !API_PATHS.has(routed.path)) {
    const found = await resolveStaticPath(ctx.playgroundDir as string, rawPath);
    if (!found.ok && found.status === 400) return fail({ status: 400, code: "invalid_request", title: "Invalid path", message: found.message });
    if (found.ok && (routed.path !== "/" || wantsHtml(req))) {
      note.route = "playground";
      return sendStaticFile(req, res, found.file, requestIdHeaders(requestId));
    }
  }

  if (routed.path === "/" && method === "GET") {
    note.route = "status";
    sendJson(res, 200, { ok: true, version: DEFAULT_VERSION, server: "speechwire-mock", speechwire: info.version } satisfies AdminBody<"Status">, requestIdHeaders(requestId));
    return;
  }

  const endpoint = ENDPOINT_BY_PATH[routed.path];
  if (!endpoint) {
    fail({ status: 404, code: "not_found", title: "Not found", message: `No route ${method} ${url.pathname}.` });
    return;
  }
  const scenarioName = requestedScenario(routed, url.searchParams, headerValue(req.headers, SCENARIO_HEADER)) ?? ctx.registry.defaultName;
  // Every request to a Cartesia route is journalled, refused ones too (405, bad version, 401/429).
  note.journalled = true;
  const journal = journalHttpRequest(ctx.journal, { endpoint, scenario: scenarioName, version, requestId, url }, req, res);
  const api: Record<string, (s: Scenario) => Promise<void>> = {
    [ttsBytes.PATH]: (s) => bytesRoute(ctx, req, res, s, version, shape, requestId, journal),
    [ttsSse.PATH]: (s) => sseRoute(ctx, req, res, s, version, shape, requestId, journal),
    [sttBatch.PATH]: (s) => batchRoute(req, res, url, s, version, shape, requestId, journal),
    [accessToken.PATH]: () => tokenRoute(ctx, req, res, url, version, shape, requestId, journal),
  };
  const route = api[routed.path] as (s: Scenario) => Promise<void>;
  if (method !== "POST") {
    res.setHeader("allow", "POST");
    fail({ status: 405, code: "method_not_allowed", title: "Method not allowed", message: `${routed.path} takes POST.` });
    return;
  }
  if (!versionResult.ok) {
    fail({ status: 400, code: "invalid_version", title: "Invalid version", message: versionResult.error.message });
    return;
  }
  const scenario = ctx.registry.get(scenarioName);
  if (!scenario) {
    fail({ status: 404, code: "scenario_not_found", title: "Scenario not found", message: `No scenario "${scenarioName}".` });
    return;
  }
  const scripted = scenarioRefusal(scenario, "request");
  if (scripted) {
    fail(scripted);
    return;
  }
  if (routed.path !== accessToken.PATH) {
    const authFailure = ctx.auth.check(routed.path, req.headers, url.searchParams);
    if (authFailure) {
      fail({ ...authFailure, code: authFailure.status === 403 ? "forbidden" : "unauthorized" });
      return;
    }
  }
  try {
    await route(scenario);
  } catch (error) {
    if (error instanceof BodyTooLarge) fail({ status: 413, code: "payload_too_large", title: "Payload too large", message: error.message });
    else if (error instanceof BodyAborted) {
      // Usually answered already by the clientError handler; a connection that cannot answer is cut.
      if (canAnswer(res)) {
        res.shouldKeepAlive = false;
        fail({ status: 400, code: "invalid_request", title: "Bad request", message: error.message });
      } else if (!res.writableEnded) res.destroy();
    } else throw error;
  }
}

/**
 * Reads, journals and parses a TTS request body (`/tts/bytes`, `/tts/sse`) and checks its transcript
 * (not empty, within the limit); answers 400 in the version's shape and returns undefined when it is refused.
 */
async function readTtsRequest<T extends { transcript: string }>(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  parse: (body: Uint8Array, options: { strictness: "validating"; version: string }) => Result<T>,
  endpoint: "tts-bytes" | "tts-sse",
  version: string,
  shape: ErrorShape,
  requestId: string,
  journal: HttpExchangeJournal,
): Promise<T | undefined> {
  const body = await readBody(req, JSON_LIMIT);
  journal.jsonRequest(body);
  const parsed = parse(body, { strictness: "validating", version });
  if (!parsed.ok) {
    const raw = decodeJsonObject(new TextDecoder().decode(body));
    sendError(res, ttsRequestRefusal(endpoint, raw.ok ? raw.value : undefined, parsed.error), shape, requestId);
    return undefined;
  }
  const transcript = parsed.value.transcript;
  // The docs' error-handling example: an empty transcript "will cause a 400 bad request response".
  // Whitespace alone is read as empty too: it has nothing to speak (the WebSocket is different: there
  // `transcript:""` ends a context or flushes, §5.2).
  if (transcript.trim() === "") {
    sendError(res, { status: 400, code: "invalid_request", title: "Invalid request", message: `transcript: must not be empty${transcript === "" ? "" : " or only whitespace"}; give the text to speak` }, shape, requestId);
    return undefined;
  }
  if (transcript.length > ctx.maxTranscriptChars) {
    sendError(res, transcriptTooLong(`a transcript of ${transcript.length} characters`, ctx.maxTranscriptChars), shape, requestId);
    return undefined;
  }
  return parsed.value;
}

/** `POST /tts/bytes`: the JSON body is read whatever the Content-Type (livekit sends none). */
async function bytesRoute(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  scenario: Scenario,
  version: string,
  shape: ErrorShape,
  requestId: string,
  journal: HttpExchangeJournal,
) {
  const parsed = await readTtsRequest(ctx, req, res, ttsBytes.parseRequest, "tts-bytes", version, shape, requestId, journal);
  if (!parsed) return;
  const unrecorded = ttsReplayMiss(scenario, "tts-bytes", parsed); // issue 18: a recorded scenario's miss is a warning
  if (unrecorded) journal.note("replay/unrecorded-request", unrecorded);
  const audio = synthesizeBytes(parsed, scenario);
  // A WAV header needs the length: the text is planned through once first, yielding as it goes.
  if (!(await stepThrough(res, audio.prepare))) return;
  const headers: Record<string, string> = { ...CORS_HEADERS, ...requestIdHeaders(requestId), "content-type": audio.contentType };
  if (parsed.save === true) headers["cartesia-file-id"] = `file_${requestId}`;
  res.writeHead(200, headers);
  await writeBody(res, audio.chunks);
}

/** `POST /tts/sse`: `data: <json>` events, ending with `done` (or as the scenario's `tts-sse` faults say). */
async function sseRoute(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  scenario: Scenario,
  version: string,
  shape: ErrorShape,
  requestId: string,
  journal: HttpExchangeJournal,
) {
  const parsed = await readTtsRequest(ctx, req, res, ttsSse.parseRequest, "tts-sse", version, shape, requestId, journal);
  if (!parsed) return;
  // Counted among the scenario's connections only when a fault may care (`connections`), so that
  // SSE requests leave the WebSocket sessions' numbers (and their seeded draws) as they were.
  const unrecorded = ttsReplayMiss(scenario, "tts-sse", parsed); // issue 18: a recorded scenario's miss is a warning
  if (unrecorded) journal.note("replay/unrecorded-request", unrecorded);
  const connection = sseFaults(scenario).length > 0 ? ctx.registry.nextConnection(scenario.name) : 1;
  res.writeHead(200, { ...CORS_HEADERS, ...requestIdHeaders(requestId), "content-type": "text/event-stream", "cache-control": "no-cache" });
  await writeBody(res, sseEvents(parsed, scenario, requestId, { shape, connection }));
}

/** One response body never holds the event loop longer than this before letting others in. */
const YIELD_MS = 4;

/**
 * Writes a streamed body as the client takes it: the parts are made one at a time (a TTS body is
 * rendered as it is iterated), a full socket buffer waits for 'drain', the loop is yielded every
 * `YIELD_MS`, and a client that went away ends it (nothing more is rendered). A scenario's stall
 * pauses it; a drop cuts the connection. Returns whether the body was sent whole.
 */
async function writeBody(res: ServerResponse, parts: Iterable<string | Uint8Array | SseControl>): Promise<boolean> {
  let since = performance.now();
  for (const part of parts) {
    if (res.destroyed) return false;
    if (typeof part !== "string" && !(part instanceof Uint8Array)) {
      if ("drop" in part) {
        res.destroy();
        return false;
      }
      if (!(await paused(res, part.stallMs))) return false;
      since = performance.now();
      continue;
    }
    if (!res.write(part)) {
      if (!(await drained(res))) return false;
      since = performance.now();
    } else if (performance.now() - since > YIELD_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      since = performance.now();
    }
  }
  if (res.destroyed) return false;
  res.end();
  return true;
}

/** Takes steps of work, yielding to the event loop every `YIELD_MS`; false if the client went away meanwhile. */
async function stepThrough(res: ServerResponse, steps: Iterable<void>): Promise<boolean> {
  let since = performance.now();
  for (const _ of steps) {
    if (res.destroyed) return false;
    if (performance.now() - since > YIELD_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      since = performance.now();
    }
  }
  return !res.destroyed;
}

/** Waits `ms`; resolves false at once if the response closes meanwhile (the client went away). */
function paused(res: ServerResponse, ms: number): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off("close", onClose);
      resolve(!res.destroyed);
    }, ms);
    res.once("close", onClose);
  });
}

/** Resolves true on 'drain', false if the response closes first (the client went away). */
function drained(res: ServerResponse): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const finish = (ok: boolean) => {
      res.off("drain", onDrain);
      res.off("close", onClose);
      resolve(ok);
    };
    const onDrain = () => finish(true);
    const onClose = () => finish(false);
    res.once("drain", onDrain);
    res.once("close", onClose);
  });
}

/** `POST /stt`: multipart form with `file`, `model`, `language`, `timestamp_granularities[]`. */
async function batchRoute(req: IncomingMessage, res: ServerResponse, url: URL, scenario: Scenario, version: string, shape: ErrorShape, requestId: string, journal: HttpExchangeJournal) {
  const bad = (message: string, status = 400) =>
    sendError(res, { status, code: status === 413 ? "payload_too_large" : "invalid_request", title: "Invalid request", message }, shape, requestId);
  journal.sttQuery(url.searchParams);
  const query = sttBatch.parseQuery(url.searchParams, { strictness: "validating", version });
  if (!query.ok) return bad(query.error.message);
  let form: { fields: Record<string, string | string[]>; file?: Buffer };
  try {
    form = await readMultipart(req);
  } catch (error) {
    if (error instanceof BodyAborted) throw error;
    return bad(error instanceof BodyTooLarge ? error.message : `malformed multipart body: ${(error as Error).message}`, error instanceof BodyTooLarge ? 413 : 400);
  }
  journal.multipartRequest(form.fields, form.file);
  if (!form.file) return bad("file: a file part is required");
  const fields = sttBatch.parseForm(form.fields, { strictness: "validating", version });
  if (!fields.ok) {
    // A refused model gets its documented body (update D15), like the realtime endpoints.
    const model = typeof form.fields.model === "string" && fields.error.issues.some((i) => i.path === "model") ? refuseModel("stt-batch", form.fields.model) : undefined;
    if (model) return sendError(res, { status: model.status, code: model.code, title: model.title, message: model.message }, shape, requestId);
    return bad(fields.error.message);
  }
  const response = transcribeBatch(fields.value, new Uint8Array(form.file), scenario, requestId, query.value);
  sendJson(res, 200, response, requestIdHeaders(requestId));
}

/** Reads the `/stt` form: its fields and the one file; rejects on a malformed or broken body, never throws past that. */
function readMultipart(req: IncomingMessage): Promise<{ fields: Record<string, string | string[]>; file?: Buffer }> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { fileSize: UPLOAD_LIMIT, files: 1, fields: 50 } });
    } catch (error) {
      reject(error as Error);
      return;
    }
    const fields: Record<string, string | string[]> = {};
    const chunks: Buffer[] = [];
    let sawFile = false;
    let tooLarge = false;
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      req.unpipe(parser);
      reject(error);
    };
    parser.on("field", (name, value) => {
      const prev = fields[name];
      fields[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    });
    parser.on("file", (_name, stream) => {
      sawFile = true;
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("limit", () => {
        tooLarge = true;
      });
      // busboy errors the file stream too when the form ends inside it; the parser's error says why.
      stream.on("error", () => undefined);
    });
    parser.on("error", (error) => fail(error as Error));
    parser.on("close", () => {
      if (settled) return;
      settled = true;
      if (tooLarge) reject(new BodyTooLarge(`file larger than ${UPLOAD_LIMIT} bytes`));
      else resolve(sawFile ? { fields, file: Buffer.concat(chunks) } : { fields });
    });
    // `pipe` does not forward the request's own errors: without this an aborted upload never settles.
    req.on("error", (error) => fail(new BodyAborted(`The request body ended early (${error.message}).`)));
    req.pipe(parser);
  });
}

/** `POST /access-token`: mints a signed token with grants and expiry. */
async function tokenRoute(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, url: URL, version: string, shape: ErrorShape, requestId: string, journal: HttpExchangeJournal) {
  const authFailure = ctx.auth.checkMinter(req.headers, url.searchParams);
  if (authFailure) {
    sendError(res, { ...authFailure, code: "unauthorized" }, shape, requestId);
    return;
  }
  const body = await readBody(req, JSON_LIMIT);
  journal.jsonRequest(body);
  const parsed = accessToken.parseRequest(body.length === 0 ? "{}" : body.toString("utf8"), { strictness: "validating", version });
  if (!parsed.ok) {
    sendError(res, { status: 400, code: "invalid_request", title: "Invalid request", message: parsed.error.message }, shape, requestId);
    return;
  }
  const token = ctx.auth.mint(parsed.value.grants ?? {}, parsed.value.expires_in ?? accessToken.MAX_EXPIRES_IN);
  sendJson(res, 200, { token }, requestIdHeaders(requestId));
}

/** The admin routes, each with the methods it takes (HEAD wherever GET is: the same head, no body). */
export const ADMIN_ROUTES: { pattern: RegExp; route: AdminRouteName; methods: readonly string[] }[] = [
  { pattern: /^\/_speechwire\/health$/, route: "health", methods: ["GET", "HEAD"] },
  { pattern: /^\/_speechwire\/scenarios$/, route: "scenarios", methods: ["GET", "HEAD", "POST"] },
  { pattern: /^\/_speechwire\/scenarios\/([^/]+)$/, route: "scenario", methods: ["GET", "HEAD", "DELETE"] },
  { pattern: /^\/_speechwire\/sessions$/, route: "sessions", methods: ["GET", "HEAD", "DELETE"] },
  { pattern: /^\/_speechwire\/sessions\/([^/]+)$/, route: "session", methods: ["GET", "HEAD", "DELETE"] },
  { pattern: /^\/_speechwire\/reset$/, route: "reset", methods: ["POST"] },
];
type AdminRouteName = "health" | "scenarios" | "scenario" | "sessions" | "session" | "reset";

/** Which admin route a path names, with its one path segment (percent-encoded as sent), if any. */
function adminRoute(path: string): { route: AdminRouteName; methods: readonly string[]; segment?: string } | undefined {
  for (const r of ADMIN_ROUTES) {
    const m = r.pattern.exec(path);
    if (m) return { route: r.route, methods: r.methods, ...(m[1] !== undefined ? { segment: m[1] } : {}) };
  }
  return undefined;
}

/**
 * The admin API: open in open mode; in strict mode every route but `GET /_speechwire/health` needs an
 * admin key (an unknown path or a wrong method too: nothing about the API shows without one). A known
 * path with a method it does not take gets 405 with `Allow`.
 */
async function admin(ctx: ServerContext, info: ServerInfo, path: string, url: URL, method: string, req: IncomingMessage, res: ServerResponse, requestId: string, shape: ErrorShape) {
  // Every admin answer carries the request-id headers, as the API routes' answers do.
  const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => sendJson(res, status, body, { ...requestIdHeaders(requestId), ...headers });
  const notFound = () => reply(404, { error: "not found", path } satisfies AdminBody<"AdminNotFound">);
  const found = adminRoute(path);
  const read = method === "GET" || method === "HEAD";
  const isHealth = found?.route === "health" && read;
  // Health stays open in both modes: a liveness probe, and it shows no secret (no key, token or journal).
  const refused = isHealth ? undefined : ctx.auth.checkAdmin(req.headers);
  if (refused) {
    sendError(res, { ...refused, code: "unauthorized" }, shape, requestId);
    return;
  }
  if (!found) return notFound();
  if (!found.methods.includes(method)) {
    const allow = found.methods.join(", ");
    reply(405, { error: "method not allowed", path, allow: [...found.methods], message: `${path} takes ${allow}, not ${method}.` } satisfies AdminBody<"MethodNotAllowed">, { allow });
    return;
  }
  let name: string | undefined;
  if (found.segment !== undefined) {
    name = decodePathSegment(found.segment);
    if (name === undefined) {
      const what = found.route === "scenario" ? "scenario name" : "session id";
      sendError(res, { status: 400, code: "invalid_request", title: "Invalid path", message: `Malformed percent-encoding in the ${what}.` }, shape, requestId);
      return;
    }
  }
  switch (found.route) {
    case "health": {
      const memory = process.memoryUsage();
      reply(200, {
        ok: true,
        version: info.version,
        uptimeSeconds: Math.round((Date.now() - info.startedAt) / 1000),
        openSessions: info.openSessions(),
        defaultScenario: ctx.registry.defaultName,
        // Bytes, for the benchmark's memory-per-session figure and anyone watching a long-running mock.
        memory: { rss: memory.rss, heapUsed: memory.heapUsed },
      } satisfies AdminBody<"Health">);
      return;
    }
    case "scenarios":
      if (read) reply(200, ctx.registry.list().map((s) => ({ name: s.name, description: s.description, default: s.name === ctx.registry.defaultName })) satisfies AdminBody<"ScenarioList">);
      else await addScenario(ctx, url, req, reply);
      return;
    case "scenario": {
      const scenarioName = name as string;
      if (read) {
        const scenario = ctx.registry.get(scenarioName);
        if (scenario) reply(200, scenario);
        else notFound();
        return;
      }
      const outcome = ctx.registry.remove(scenarioName);
      if (outcome === "unknown") notFound();
      else if (outcome === "protected") {
        reply(409, {
          error: `scenario "${scenarioName}" is one the server started with and cannot be deleted`,
          name: scenarioName,
          message: "Built-in scenarios, those of --scenarios and the startup default stay; a replaced one is restored by deleting it again, or by POST /_speechwire/reset.",
        } satisfies AdminBody<"ScenarioConflict">);
      } else reply(200, { name: scenarioName, result: outcome, defaultScenario: ctx.registry.defaultName } satisfies AdminBody<"ScenarioDeleted">);
      return;
    }
    case "sessions":
      if (read) reply(200, ctx.journal.list() satisfies AdminBody<"SessionSummary">[]);
      else reply(200, { deleted: ctx.journal.clear() } satisfies AdminBody<"SessionsDeleted">);
      return;
    case "session": {
      const id = name as string;
      if (read) {
        const record = ctx.journal.get(id);
        if (record) reply(200, record satisfies AdminBody<"SessionRecord">);
        else notFound();
      } else if (ctx.journal.delete(id)) reply(200, { deleted: 1, id } satisfies AdminBody<"SessionDeleted">);
      else notFound();
      return;
    }
    case "reset": {
      const { sessions } = resetServerState(ctx);
      reply(200, { reset: true, deleted: sessions, defaultScenario: ctx.registry.defaultName } satisfies AdminBody<"Reset">);
      return;
    }
  }
}

/**
 * `POST /_speechwire/scenarios`: adds a scenario (YAML or JSON body), or replaces one added at run
 * time. A scenario the server started with is replaced only with `?replace=true` (else 409).
 */
async function addScenario(ctx: ServerContext, url: URL, req: IncomingMessage, reply: (status: number, body: unknown) => void) {
  const replace = url.searchParams.getAll("replace");
  if (replace.length > 1 || (replace.length === 1 && replace[0] !== "true" && replace[0] !== "false")) {
    reply(400, { error: "invalid query", message: `replace takes true or false (once), got ${replace.map((v) => JSON.stringify(v)).join(", ")}.` } satisfies AdminBody<"InvalidQuery">);
    return;
  }
  let text: string;
  try {
    text = (await readBody(req, JSON_LIMIT)).toString("utf8");
  } catch (error) {
    // A body that broke off is answered by the request entry (400, or the connection closes).
    if (!(error instanceof BodyTooLarge)) throw error;
    reply(413, { error: "scenario larger than 1 MiB" } satisfies AdminBody<"TooLarge">);
    return;
  }
  const result = parseScenarioText(text);
  if (!result.ok) {
    reply(400, { error: "invalid scenario", issues: result.issues } satisfies AdminBody<"InvalidScenario">);
    return;
  }
  const name = result.scenario.name;
  if (ctx.registry.isProtected(name) && replace[0] !== "true") {
    reply(409, {
      error: `scenario "${name}" is one the server started with: add ?replace=true to replace it`,
      name,
      message: `POST /_speechwire/scenarios?replace=true replaces it until DELETE /_speechwire/scenarios/${encodeURIComponent(name)} or POST /_speechwire/reset restores it.`,
    } satisfies AdminBody<"ScenarioConflict">);
    return;
  }
  ctx.registry.add(result.scenario);
  reply(201, result.scenario);
}
