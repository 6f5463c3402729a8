/**
 * The fuzzer's oracle: one place that says whether an answer is valid. An HTTP answer is a valid
 * success for its route, or a 4xx in the shape of the request's version (PROTOCOL.md §1.4; the turns
 * endpoint's is structured whatever the version) with the
 * request-id headers, or a refusal by Node's HTTP parser before any route ran; a WebSocket conversation
 * has only server messages the protocol's strict schemas accept at the session's version, and ends with
 * a close code the mock documents. Strict mode is checked as a lock: nothing opens without a credential
 * the server issued. Every check returns problems as text; the harness turns them into findings.
 */
import {
  DEFAULT_VERSION,
  normalizeHttpError,
  resolveVersion,
  shapesForVersion,
  sttBatch,
  sttTurns,
  sttV1,
  tts,
  ttsSse,
  accessToken,
  type ErrorShape,
} from "@speechwire/protocol";
import { SseDecoder } from "@speechwire/protocol/reader";
import { MINTED_TOKEN, STRICT_KEY, type RequestCase, type WsEndpoint } from "./generators.js";
import type { Exchange, HttpAnswer, WsTranscript } from "./wire.js";

/** The turns endpoint answers structured errors whatever the version (it postdates the legacy shape). */
const TURNS_ROUTE = "/stt/turns/websocket";
/** The version whose schemas read a session's errors: for turns, a structured one whatever was sent. */
const readingVersion = (endpoint: WsEndpoint, version: string) => (endpoint === "stt-turns" && shapesForVersion(version).errors === "legacy" ? "2026-03-01" : version);

/** The auth mode of the mock under test. */
export type Mode = "open" | "strict";

/** What the oracle knows about a request, read from it the way HTTP and the protocol define. */
export interface RequestMeta {
  method: string;
  /** The path after any `/s/<scenario>` prefix; `undefined` when the target or prefix does not decode. */
  route: string | undefined;
  /** The scenario the prefix names, if any. */
  scenario: string | undefined;
  /** The error shape the answer must take; "either" when the target does not parse (no version known). */
  shape: ErrorShape | "either";
  version: string;
  /** Carries a credential the strict server issued (`k`, or a token it minted). */
  legit: boolean;
  /** Carries a credential that may mint tokens (the key `k`). */
  minter: boolean;
  /** Carries credentials, all of them admin keys. */
  adminOnly: boolean;
}

const API_ROUTES = new Set<string>([sttV1.PATH, sttTurns.PATH, tts.PATH, "/tts/bytes", "/tts/sse", sttBatch.PATH]);
const WS_ROUTES = new Set<string>([sttV1.PATH, sttTurns.PATH, tts.PATH]);

/** Header values as Node hands them to the server: latin1, repeated ones joined by ", " (first only for authorization). */
/** A string as the server sees it after `renderHead` wrote it as latin1 (each character's low byte). */
function onWire(text: string): string {
  return Buffer.from(text, "latin1").toString("latin1");
}

function header(c: RequestCase, name: string): string | undefined {
  const values = c.headers.filter(([k]) => k.toLowerCase() === name).map(([, v]) => v);
  if (values.length === 0) return undefined;
  return name === "authorization" ? values[0] : values.join(", ");
}

/** Trims HTTP's optional whitespace (spaces and tabs only, RFC 9110 §5.6.3). */
const owsTrim = (s: string) => s.replace(/^[ \t]+|[ \t]+$/g, "");

/** Reads what the oracle needs from a request case. */
export function describeRequest(c: RequestCase, mintedToken: string): RequestMeta {
  // The harness sends the minted token in place of `MINTED_TOKEN`, in the target and the headers alike.
  const fill = (s: string) => s.split(MINTED_TOKEN).join(mintedToken);
  let url: URL | undefined;
  try {
    // As the server reads it: the head goes out as latin1 (`renderHead`), so a character above U+00FF
    // arrives as its low byte, which may be a `#`, a space or a control byte.
    // A path (origin form) is read as a path: resolved against a base, `//x/…` would name a host `x`
    // and its path would lose that segment (RFC 9112 §3.2.1: `//./s/…` is the path `//./s/…`).
    const target = onWire(fill(c.target));
    url = target.startsWith("/") ? new URL(`http://mock${target}`) : new URL(target, "http://mock");
  } catch {
    url = undefined;
  }
  let route: string | undefined;
  let scenario: string | undefined;
  if (url) {
    const m = /^\/s\/([^/]+)(\/.*)?$/.exec(url.pathname);
    try {
      scenario = m ? decodeURIComponent(m[1] as string) : undefined;
      route = m ? (m[2] ?? "/") : url.pathname;
    } catch {
      route = undefined;
    }
  }
  const query = url?.searchParams ?? new URLSearchParams();
  const versionHeader = header(c, "cartesia-version");
  const resolved = resolveVersion({ header: versionHeader === undefined ? undefined : onWire(versionHeader), query: query.get("cartesia_version") });
  const version = resolved.ok ? resolved.value.version : DEFAULT_VERSION;
  const bearerMatch = /^bearer[ \t]+([^ \t]+)$/i.exec(owsTrim(fill(header(c, "authorization") ?? "")));
  const bearer = bearerMatch?.[1];
  const xApiKey = header(c, "x-api-key") === undefined ? undefined : owsTrim(fill(header(c, "x-api-key") as string));
  const apiKey = query.get("api_key") ?? undefined;
  const accessTokenParam = query.get("access_token") ?? undefined;
  const keys = [bearer, xApiKey, apiKey].filter((v): v is string => v !== undefined && v !== "");
  const all = [...keys, accessTokenParam].filter((v): v is string => v !== undefined && v !== "");
  return {
    method: c.method,
    route,
    scenario,
    shape: url ? (route === TURNS_ROUTE ? "structured" : shapesForVersion(version).errors) : "either",
    version,
    legit: keys.includes(STRICT_KEY) || bearer === mintedToken || accessTokenParam === mintedToken,
    minter: keys.includes(STRICT_KEY),
    adminOnly: all.length > 0 && all.every((v) => v.startsWith("sk_car_admin_")),
  };
}

/** True for Node's own refusal of a request its parser cannot read (sent before any handler runs). */
function isParserRefusal(a: HttpAnswer): boolean {
  return [400, 413, 414, 431, 505, 501].includes(a.status) && a.body.length === 0 && a.headers["content-type"] === undefined && a.headers["cartesia-request-id"] === undefined && a.headers.connection === "close";
}

/** The text that marks the file outside the playground folder: it must never be served. */
export const SECRET_MARKER = "speechwire-fuzz-secret-outside-the-playground";

/** Options of the HTTP check. */
export interface HttpCheck {
  mode: Mode;
  /** The mock serves a playground folder. */
  playground?: boolean;
}

/** Checks a request-id pair: both headers, equal, non-empty. */
function requestIdProblems(a: HttpAnswer): string[] {
  const id = a.headers["cartesia-request-id"];
  if (!id) return [`${a.status} without cartesia-request-id`];
  if (a.headers["x-request-id"] !== id) return [`${a.status}: x-request-id ${a.headers["x-request-id"]} differs from cartesia-request-id ${id}`];
  return [];
}

/** Checks an error answer's body and headers against the shape of the request's version (§1.4). */
export function errorShapeProblems(a: HttpAnswer, shape: ErrorShape | "either", headRequest: boolean): string[] {
  const problems = requestIdProblems(a);
  const type = a.headers["content-type"] ?? "";
  const got: ErrorShape = type.startsWith("application/json") ? "structured" : "legacy";
  if (shape !== "either" && got !== shape) problems.push(`${a.status} answered ${type || "without a content type"}, not in the ${shape} shape`);
  if (!type.startsWith("application/json") && !type.startsWith("text/plain")) problems.push(`${a.status} error body of content type "${type}"`);
  if (headRequest || !a.complete) return problems;
  const body = a.body.toString("utf8");
  const error = normalizeHttpError(a.status, body, a.headers["cartesia-request-id"]);
  if (got === "structured") {
    if (error.shape !== "structured") problems.push(`${a.status} JSON error body does not read as the structured shape: ${body.slice(0, 200)}`);
    else if (error.requestId !== a.headers["cartesia-request-id"]) problems.push(`${a.status} body request_id ${error.requestId} differs from the header`);
  } else if (!error.title || body.trim() === "") {
    problems.push(`${a.status} legacy error body is not "Title: Message": ${body.slice(0, 200)}`);
  }
  return problems;
}

/** Methods some admin route takes. */
const ADMIN_METHODS = new Set(["GET", "HEAD", "POST", "DELETE"]);

/**
 * Checks an admin API refusal: the request-id pair; a 405 names the methods the path takes in
 * `Allow` (not the one sent); the body is the admin's JSON (`{error, …}`) or, for the refusals the
 * Cartesia routes share (401, a malformed path segment), an error in the version's shape.
 */
function adminErrorProblems(meta: RequestMeta, a: HttpAnswer): string[] {
  const problems = requestIdProblems(a);
  if (a.status === 405) {
    const allow = (a.headers.allow ?? "").split(",").map((m) => m.trim()).filter((m) => m !== "");
    if (allow.length === 0) problems.push("admin 405 without an Allow header");
    if (allow.includes(meta.method)) problems.push(`admin 405 for ${meta.method} while Allow lists it: ${a.headers.allow}`);
    for (const m of allow) if (!ADMIN_METHODS.has(m)) problems.push(`admin 405 Allow lists ${m}, which no admin route takes`);
  }
  if (meta.method === "HEAD" || !a.complete) return problems;
  const type = a.headers["content-type"] ?? "";
  const body = a.body.toString("utf8");
  if (type.startsWith("application/json")) {
    try {
      const parsed = JSON.parse(body) as Record<string, unknown> | null;
      if (typeof parsed?.error !== "string" && typeof parsed?.title !== "string") problems.push(`admin ${a.status} JSON body has neither error nor title: ${body.slice(0, 200)}`);
    } catch {
      problems.push(`admin ${a.status} body is not JSON: ${body.slice(0, 200)}`);
    }
  } else if (type.startsWith("text/plain")) {
    problems.push(...errorShapeProblems(a, "legacy", false).filter((p) => !p.includes("request-id")));
  } else {
    problems.push(`admin ${a.status} answered with content type "${type}"`);
  }
  return problems;
}

/** Checks a 2xx answer's body for its route. */
function successProblems(meta: RequestMeta, a: HttpAnswer, check: HttpCheck): string[] {
  const route = meta.route ?? "";
  const head = meta.method === "HEAD";
  const body = a.body.toString("utf8");
  // Every answer carries the request-id pair: API routes, admin routes, OPTIONS and playground files.
  const problems: string[] = requestIdProblems(a);
  if (body.includes(SECRET_MARKER)) problems.push(`${a.status} served the file outside the playground folder`);
  if (!a.complete) return [...problems, `${a.status} body incomplete`];
  if (meta.method === "OPTIONS") return a.status === 204 ? problems : [...problems, `OPTIONS answered ${a.status}`];
  if (route.startsWith("/_speechwire/")) {
    if (!head) {
      try {
        JSON.parse(body);
      } catch {
        problems.push(`admin ${a.status} body is not JSON`);
      }
    }
    return problems;
  }
  if (head) return problems;
  const strict = { strictness: "strict" as const, version: meta.version };
  const type = a.headers["content-type"] ?? "";
  if (route === "/tts/bytes") {
    if (!["application/octet-stream", "audio/wav", "audio/mpeg"].includes(type)) problems.push(`/tts/bytes 200 with content type ${type}`);
  } else if (route === "/tts/sse") {
    const decoder = new SseDecoder();
    const events = [...decoder.push(body), ...decoder.end()];
    for (const data of events) {
      const parsed = ttsSse.parseEvent(data, strict);
      if (!parsed.ok) problems.push(`/tts/sse event does not parse strictly at ${meta.version}: ${parsed.error.message}: ${data.slice(0, 120)}`);
    }
    const last = events.at(-1);
    if (!last || !/"type":"(done|error)"/.test(last)) problems.push(`/tts/sse stream does not end with done: ${last?.slice(0, 120)}`);
  } else if (route === sttBatch.PATH) {
    const parsed = sttBatch.parseResponse(body, strict);
    if (!parsed.ok) problems.push(`/stt 200 body does not parse strictly: ${parsed.error.message}`);
  } else if (route === accessToken.PATH) {
    const parsed = accessToken.parseResponse(body, strict);
    if (!parsed.ok) problems.push(`/access-token 200 body does not parse strictly: ${parsed.error.message}`);
  } else if (route === "/" && type.startsWith("application/json")) {
    if (!/"ok":\s*true/.test(body)) problems.push(`GET / 200 without ok:true`);
  } else if (!check.playground) {
    problems.push(`${a.status} on ${route} (no such route)`);
  }
  return problems;
}

/** The strict lock (issue 12 §3): nothing opens without a credential the server issued. */
function lockProblems(meta: RequestMeta, status: number, check: HttpCheck): string[] {
  const opened = (status >= 200 && status < 300) || status === 101;
  if (!opened || meta.method === "OPTIONS") return [];
  const route = meta.route ?? "";
  const problems: string[] = [];
  if (meta.adminOnly && (API_ROUTES.has(route) || route === accessToken.PATH)) problems.push(`${route} opened (${status}) with only an admin key (§1.2: refused on API routes)`);
  if (check.mode !== "strict") return problems;
  if (API_ROUTES.has(route) && !meta.legit) problems.push(`strict mode: ${route} opened (${status}) without an issued credential`);
  if (route === accessToken.PATH && !meta.minter) problems.push(`strict mode: /access-token minted (${status}) without the API key`);
  // Liveness is left open for probes; everything else of the admin API needs an admin credential.
  if (route.startsWith("/_speechwire/") && route !== "/_speechwire/health") problems.push(`strict mode: admin route ${meta.method} ${route} answered ${status} without an admin credential`);
  return problems;
}

/**
 * Checks the answer to a request (an HTTP request or a handshake). A 101 is checked here for its
 * headers only; the conversation after it goes through `wsProblems`.
 */
export function httpProblems(meta: RequestMeta, ex: Exchange, check: HttpCheck): string[] {
  if (ex.timedOut) return [`no answer within the timeout (hang)${ex.answer ? `: head ${ex.answer.status} arrived, body incomplete` : ""}`];
  const a = ex.answer;
  // A closed connection without an answer is a valid refusal (issue 12 §1): the liveness probe tells a crash apart.
  if (!a) return [];
  if (isParserRefusal(a)) return [];
  const problems: string[] = [...lockProblems(meta, a.status, check)];
  if (a.status === 101) {
    if (!WS_ROUTES.has(meta.route ?? "")) problems.push(`101 on ${meta.route}`);
    problems.push(...requestIdProblems(a));
    return problems;
  }
  if (a.status >= 500) return [...problems, `${a.status} answer (a 500 only where a scenario scripts one): ${a.body.toString("utf8").slice(0, 200)}`];
  if (a.status >= 400) {
    // The admin API is the mock's own: JSON, not Cartesia's error shapes (but its 401s and 400s for a bad path).
    if ((meta.route ?? "").startsWith("/_speechwire/")) return [...problems, ...adminErrorProblems(meta, a)];
    return [...problems, ...errorShapeProblems(a, meta.shape, meta.method === "HEAD")];
  }
  if (a.status >= 200 && a.status < 300) return [...problems, ...successProblems(meta, a, check)];
  return [...problems, `unexpected status ${a.status}`];
}

/** Close codes the mock documents (README §11), and those `ws` sends for framing errors. */
const SERVER_CLOSE_CODES = new Set([1000, 1001, 1002, 1007, 1008, 1009, 1011]);

/** Options of the WebSocket check. */
export interface WsCheck {
  endpoint: WsEndpoint;
  version: string;
  /** Close codes the client sent (the server may echo them). */
  clientCloseCodes?: readonly (number | undefined)[];
  /** The session's scenario scripts a server error (e.g. `error-mid-turn`): a 5xx error event is valid. */
  scriptedServerError?: boolean;
  /** The scenario may drop the connection (no close frame). */
  mayDrop?: boolean;
}

/** Checks a WebSocket conversation: every server frame valid at the version, a documented close, no hang. */
export function wsProblems(t: WsTranscript, check: WsCheck): string[] {
  const problems: string[] = [];
  if (t.timedOut) problems.push("the conversation did not end within the timeout (hang)");
  if (t.malformed) problems.push(`malformed server frame: ${t.malformed}`);
  const parse = check.endpoint === "tts" ? tts.parseServerMessage : check.endpoint === "stt-v1" ? sttV1.parseServerMessage : sttTurns.parseServerMessage;
  const options = { strictness: "strict" as const, version: readingVersion(check.endpoint, check.version) };
  for (const frame of t.frames) {
    if (frame.opcode === 0x2) problems.push("the server sent a binary frame");
    if (![0x1, 0x2, 0x8, 0x9, 0xa].includes(frame.opcode) || !frame.fin) problems.push(`unexpected server frame opcode ${frame.opcode} fin ${frame.fin}`);
  }
  for (const text of t.texts) {
    const parsed = parse(text, options);
    if (!parsed.ok) {
      problems.push(`server message does not parse strictly at ${options.version}: ${parsed.error.message}: ${text.slice(0, 160)}`);
      continue;
    }
    const m = parsed.value as { type: string; status_code?: number; code?: number };
    const status = m.type === "error" ? (m.status_code ?? m.code ?? 0) : 0;
    if (status >= 500 && !check.scriptedServerError) problems.push(`error event ${status} (not scripted): ${text.slice(0, 160)}`);
  }
  if (t.close) {
    const code = t.close.code;
    if (code !== undefined && !SERVER_CLOSE_CODES.has(code) && !(check.clientCloseCodes ?? []).includes(code)) problems.push(`close code ${code} is not one the mock documents`);
  }
  return problems;
}

/** The kinds of finding the fuzzer reports. */
export type FindingKind = "crash" | "stderr" | "hang" | "shape" | "lock" | "reference";

/** Which kind a problem from these checks is. */
export function problemKind(problem: string): FindingKind {
  if (problem.includes("(hang)")) return "hang";
  if (problem.startsWith("strict mode") || problem.includes("admin key")) return "lock";
  return "shape";
}
