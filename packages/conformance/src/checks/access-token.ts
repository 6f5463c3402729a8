/**
 * The access-token checks (`access-token`, docs/protocol §7, §1.2, §1.3). The runner's mock runs in
 * strict auth mode, so only the run's API key or a token it minted opens anything. What the client
 * sent is read from the mock's journal (which records `POST /access-token` with its body, answer and
 * `access-token/valid-request` violations, and every WebSocket handshake); the journal holds no usable
 * secret, only each one's digest (`redacted:<8 hex>`, `redactSecret`), so the token a client surfaced
 * or sent is compared with the issued one by digest. What it surfaced comes from the adapter.
 */
import { redactSecret, type SessionRecord } from "@speechwire/mock-server";
import { normalizeHttpError } from "@speechwire/protocol";
import type { ObservationEvent } from "../adapter/schema.js";
import { expectsExpiredRefusal, expectsGrantRefusal } from "../runner/access-token-cases.js";
import type { Check, CheckInput, Verdict } from "./catalogue.js";
import { fail, pass } from "./verdict.js";
import { httpExchange } from "./http.js";
import { header, queryParam } from "./journal.js";
import { canonical } from "./values.js";

/** The case's `POST /access-token` records, oldest first. */
function mints(i: CheckInput): SessionRecord[] {
  return i.sessions.filter((s) => s.endpoint === "access-token");
}

/** The case's WebSocket sessions (what was opened with the token). */
function sockets(i: CheckInput): SessionRecord[] {
  return i.sessions.filter((s) => s.endpoint === "stt-turns" || s.endpoint === "tts" || s.endpoint === "stt-v1");
}

/** A journalled HTTP record's request body (`client`) or answer (`server`) as a JSON object, if it is one. */
function bodyJson(s: SessionRecord, dir: "client" | "server"): Record<string, unknown> | undefined {
  const exchange = httpExchange(s);
  const text = dir === "client" ? exchange?.body : exchange?.responseText[0];
  if (text === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The token the mock issued in the case (the last successful mint's answer), as the journal shows it: its digest. */
function issuedToken(i: CheckInput): string | undefined {
  const ok = mints(i).filter((s) => s.response?.status === 200);
  const last = ok[ok.length - 1];
  const token = last ? bodyJson(last, "server")?.token : undefined;
  return typeof token === "string" ? token : undefined;
}

/** The surfaced error observations. */
function errorsOf(events: readonly ObservationEvent[]): Extract<ObservationEvent, { type: "error" }>[] {
  return events.filter((o): o is Extract<ObservationEvent, { type: "error" }> => o.type === "error");
}

/** `access-token/request`: a valid (strict) `POST /access-token` with the grants and expiry asked for, an API key and a version. */
function request(i: CheckInput): Verdict | undefined {
  const spec = i.case.accessToken;
  // A refused key stops the request before its body is read, so the journal has no body to check.
  if (!spec || spec.key !== "valid") return undefined;
  const list = mints(i);
  if (list.length === 0) return fail("the client never sent POST /access-token");
  for (const s of list) {
    if (s.method !== "POST") return fail(`${s.method ?? "?"} ${s.path}: the token is minted with POST`);
    const bad = s.violations.filter((v) => v.rule === "access-token/valid-request");
    if (bad.length > 0) return fail(`the request body is not valid (strict, §7): ${bad.map((v) => v.message).join("; ")}`);
    const authorization = header(s, "authorization");
    const apiKey = header(s, "x-api-key");
    if (!authorization && !apiKey) return fail("no API key in the request headers (Authorization: Bearer or X-API-Key, §1.2)");
    if (authorization && !/^Bearer\b/iu.test(authorization)) return fail(`the Authorization header is not a Bearer credential (${authorization})`);
    if (!header(s, "cartesia-version") && !queryParam(s, "cartesia_version")) return fail("no Cartesia-Version on the request (§1.3)");
    const body = bodyJson(s, "client");
    if (!body) return fail("the request body is not a JSON object");
    if (canonical(body.grants ?? {}) !== canonical(spec.grants)) return fail(`grants ${canonical(body.grants)} sent, ${canonical(spec.grants)} asked for`);
    if (body.expires_in !== spec.expires_in) return fail(`expires_in ${String(body.expires_in)} sent, ${String(spec.expires_in)} asked for`);
  }
  return pass;
}

/** `access-token/token-surfaced`: the token handed to the caller is the one the server issued. */
function tokenSurfaced(i: CheckInput): Verdict | undefined {
  const issued = issuedToken(i);
  if (issued === undefined) return undefined;
  const surfaced = i.observations.events.filter((o): o is Extract<ObservationEvent, { type: "access_token" }> => o.type === "access_token");
  if (surfaced.length === 0) return fail("the issued token was not surfaced to the caller");
  const last = surfaced[surfaced.length - 1] as Extract<ObservationEvent, { type: "access_token" }>;
  const surfacedDigest = redactSecret(last.token);
  if (surfacedDigest !== issued) return fail(`the surfaced token (${surfacedDigest}) is not the one the server issued (${issued})`);
  return pass;
}

/** The turn and TTS events a working token session surfaces. */
const SESSION_EVENTS = new Set(["connected", "turn.start", "turn.update", "turn.eager_end", "turn.resume", "turn.end", "tts.audio", "tts.timestamps", "tts.flush_done", "tts.done"]);

/** `access-token/used-on-websocket`: the session carries the token (`?access_token=` or Bearer), never the API key, and works exactly when the grants cover it. */
function usedOnWebSocket(i: CheckInput): Verdict | undefined {
  const spec = i.case.accessToken;
  if (!spec || spec.use === "none" || spec.key !== "valid") return undefined;
  const issued = issuedToken(i);
  if (issued === undefined) return undefined;
  const opened = sockets(i);
  if (expectsGrantRefusal(i.case) || expectsExpiredRefusal(i.case)) {
    // The mock refuses a token outside its grants or past its expiry before the upgrade, so a session
    // in the journal means the client authenticated with something else: the API key.
    const why = spec.expired ? "the token has expired" : "the token does not grant it";
    if (opened.length > 0) return fail(`the server accepted a ${spec.use} session although ${why}: the client authenticated with the API key, not the token`);
    return pass;
  }
  if (opened.length === 0) return fail(`the client never opened the ${spec.use} session with the token`);
  for (const s of opened) {
    if (queryParam(s, "api_key") !== undefined) return fail("the session's handshake carries ?api_key: a browser must never hold the API key");
    if (header(s, "x-api-key") !== undefined) return fail("the session's handshake carries an X-API-Key header");
    const query = queryParam(s, "access_token");
    const authorization = header(s, "authorization");
    if (query !== undefined && query !== issued) return fail(`?access_token= carries something other than the issued token (${query}, issued ${issued})`);
    if (query === undefined && !authorization) return fail("the session's handshake carries no token (neither ?access_token= nor Authorization: Bearer)");
    if (query === undefined && authorization !== undefined && !new RegExp(`^Bearer ${issued}$`, "iu").test(authorization)) {
      return fail(`Authorization carries something other than the issued token (${authorization}, issued Bearer ${issued})`);
    }
  }
  const events = i.observations.events;
  const done = spec.use === "tts" ? events.some((e) => e.type === "tts.done") : events.some((e) => e.type === "turn.end");
  if (!done) return fail(`the ${spec.use} session opened with the token did not complete (no ${spec.use === "tts" ? "tts.done" : "turn.end"} surfaced)`);
  return pass;
}

/** `access-token/grant-refused`: a session the token does not grant is refused (403), and that is surfaced with its status. */
function grantRefused(i: CheckInput): Verdict | undefined {
  if (!expectsGrantRefusal(i.case) || issuedToken(i) === undefined) return undefined;
  return refusalSurfaced(i, 403, "the token does not grant the endpoint");
}

/** A refused handshake surfaced as an error with its status, and no session event after it. */
function refusalSurfaced(i: CheckInput, status: 401 | 403, why: string): Verdict {
  const errors = errorsOf(i.observations.events);
  if (errors.length === 0) return fail(`the ${status} refusal (${why}) was not surfaced`);
  if (!errors.some((e) => e.status === status)) return fail(`the refusal was surfaced without its status ${status} (got ${errors.map((e) => String(e.status)).join(", ")})`);
  const leaked = i.observations.events.find((e) => SESSION_EVENTS.has(e.type));
  if (leaked) return fail(`a refused session surfaced ${leaked.type}`);
  return pass;
}

/** `access-token/expired-refused`: a session opened with an expired token is refused (401, no session in the journal), and that is surfaced with its status. */
function expiredRefused(i: CheckInput): Verdict | undefined {
  const spec = i.case.accessToken;
  if (!spec || !expectsExpiredRefusal(i.case) || issuedToken(i) === undefined) return undefined;
  // A refused upgrade opens no session, so the journal shows the refusal as the session's absence.
  if (sockets(i).length > 0) return fail(`the ${spec.use} handshake with an expired token was not refused: the journal has the session (was it opened with the API key?)`);
  return refusalSurfaced(i, 401, "the token has expired");
}

/** `access-token/errors-surfaced`: a refused mint (bad API key) is surfaced with its status and code, and no token. */
function errorsSurfaced(i: CheckInput): Verdict | undefined {
  const refused = mints(i).filter((s) => (s.response?.status ?? 0) >= 400);
  const last = refused[refused.length - 1];
  if (!last?.response) return undefined;
  const status = last.response.status;
  const { code } = normalizeHttpError(status, httpExchange(last)?.responseText.join("") ?? "");
  const errors = errorsOf(i.observations.events);
  if (errors.length === 0) return fail(`HTTP ${status} from POST /access-token was not surfaced`);
  const match = errors.find((e) => e.status === status);
  if (!match) return fail(`HTTP ${status} surfaced without its status (got ${errors.map((e) => String(e.status)).join(", ")})`);
  if (code !== null && match.code !== code) return fail(`HTTP ${status} surfaced with code ${JSON.stringify(match.code)}, the body says ${JSON.stringify(code)}`);
  if (i.observations.events.some((e) => e.type === "access_token")) return fail(`a token was surfaced although the server answered ${status}`);
  return pass;
}

/** The `access-token` suite. */
export const ACCESS_TOKEN_CHECKS: readonly Check[] = [
  {
    id: "access-token/request",
    suite: "access-token",
    section: "§7, §1.2, §1.3",
    source: "sent",
    statement: "`POST /access-token` is valid under the strict schema (`grants`, `expires_in` ≤ 3600) with the grants and expiry asked for, an API key (Bearer or X-API-Key) and a Cartesia-Version.",
    evaluate: request,
  },
  {
    id: "access-token/token-surfaced",
    suite: "access-token",
    section: "§7",
    source: "surfaced",
    statement: "The token handed to the caller is exactly the one the server issued.",
    evaluate: tokenSurfaced,
  },
  {
    id: "access-token/used-on-websocket",
    suite: "access-token",
    section: "§7, §1.2",
    source: "sent",
    statement: "A session opened with the token carries it (`?access_token=`, or Bearer) and never the API key, and works exactly when the grants cover its endpoint.",
    evaluate: usedOnWebSocket,
  },
  {
    id: "access-token/grant-refused",
    suite: "access-token",
    section: "§7, §1.4",
    source: "surfaced",
    requires: ["errors"],
    statement: "A session the token's grants do not cover is refused with 403, surfaced with its status (no session events).",
    evaluate: grantRefused,
  },
  {
    id: "access-token/expired-refused",
    suite: "access-token",
    section: "§7, §1.4",
    source: "surfaced",
    requires: ["errors"],
    statement: "A session opened with an expired token (minted `expires_in` + 1 s in the past) is refused with 401, surfaced with its status (no session events, no session in the journal).",
    evaluate: expiredRefused,
  },
  {
    id: "access-token/errors-surfaced",
    suite: "access-token",
    section: "§7, §1.4",
    source: "surfaced",
    requires: ["errors"],
    statement: "A refused mint (a bad API key: 401) is surfaced with its status and code, and no token.",
    evaluate: errorsSurfaced,
  },
  {
    id: "access-token/no-crash",
    suite: "access-token",
    section: "—",
    source: "surfaced",
    statement: "The client finishes every case without throwing (errors are reported, not thrown).",
    evaluate: (i) => (i.observations.result.crashed ? fail(`the client crashed: ${i.observations.result.crash ?? "(no detail)"}`) : pass),
  },
];
