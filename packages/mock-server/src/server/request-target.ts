/**
 * The request line's target and the request's version, read the same way for HTTP requests and
 * WebSocket upgrades. The target may be origin-form (`/path?query`) or absolute-form
 * (`http://host/path?query`). Nothing here throws: a target that does not parse, or a scenario prefix
 * whose percent-encoding is malformed, comes back as an error to answer with 400, and the version is
 * still read (from the raw query and the header) so that the answer takes the version's shape.
 */
import type { IncomingMessage } from "node:http";
import { DEFAULT_VERSION, headerValue, resolveVersion, sttTurns, type ErrorShape, type Result } from "@speechwire/protocol";
import { errorShapeOf } from "../core/error-shape.js";
import { splitScenarioPrefix, type RoutedPath } from "./scenarios.js";

/** `scheme://authority` at the start of an absolute-form target. */
const ABSOLUTE_FORM = /^([a-z][a-z0-9+.-]*):\/\/[^/?#]*/i;
/** Schemes a client may name in an absolute-form target. */
const TARGET_SCHEMES = new Set(["http", "https", "ws", "wss"]);

/** A parsed request target: the URL (path normalized by the URL parser), the path as sent, the scenario prefix split off. */
export type RequestTarget =
  | { ok: true; url: URL; rawPath: string; routed: RoutedPath }
  | { ok: false; message: string; query: URLSearchParams };

/**
 * Parses a request target; never throws.
 * @example parseRequestTarget("/s/eager/stt/websocket?model=ink-2") // ok, routed.path "/stt/websocket"
 * @example parseRequestTarget("http://[/stt/websocket") // { ok: false, message: "…not a valid URL…" }
 */
export function parseRequestTarget(raw: string): RequestTarget {
  const bad = (message: string): RequestTarget => ({ ok: false, message, query: rawQuery(raw) });
  let url: URL;
  let rawPath: string;
  if (raw.startsWith("/")) {
    // Prefix a fixed origin rather than resolve against a base: resolved, `//x` would name a host `x`.
    try {
      url = new URL(`http://mock${raw}`);
    } catch {
      return bad("The request target is not a valid path.");
    }
    rawPath = raw;
  } else {
    const absolute = ABSOLUTE_FORM.exec(raw);
    if (!absolute) return bad(`The request target "${clip(raw)}" is neither a path nor an absolute URL.`);
    if (!TARGET_SCHEMES.has((absolute[1] as string).toLowerCase())) return bad(`The request target's scheme "${clip(absolute[1] as string)}" is not http(s) or ws(s).`);
    try {
      url = new URL(raw);
    } catch {
      return bad(`The request target "${clip(raw)}" is not a valid URL.`);
    }
    rawPath = raw.slice(absolute[0].length) || "/";
  }
  const routed = splitScenarioPrefix(url.pathname);
  if (!routed) return bad("Malformed percent-encoding in the scenario name of the path (/s/<name>/...).");
  return { ok: true, url, rawPath, routed };
}

/** What both edges read first from a request: its target and its version (which, with the path, picks the error shape). */
export interface RequestHead {
  target: RequestTarget;
  /** The version as resolved; a malformed one is refused by the routes that need it (after 404s). */
  versionResult: Result<{ version: string }>;
  /** The resolved version, or the default when it was malformed. */
  version: string;
  /** The version's error shape; structured on `/stt/turns/websocket` whatever the version (`errorShapeOf`). */
  shape: ErrorShape;
}

/** Reads a request's target and version; never throws. */
export function readRequestHead(req: IncomingMessage): RequestHead {
  const target = parseRequestTarget(req.url ?? "/");
  const query = target.ok ? target.url.searchParams : target.query;
  const versionResult = resolveVersion({ header: headerValue(req.headers, "cartesia-version"), query: query.get("cartesia_version") });
  const version = versionResult.ok ? versionResult.value.version : DEFAULT_VERSION;
  return { target, versionResult, version, shape: shapeOf(target, version) };
}

/** The error shape for a target at a version: the turns endpoint's is structured whatever the version. */
function shapeOf(target: RequestTarget, version: string): ErrorShape {
  return errorShapeOf(target.ok && target.routed.path === sttTurns.PATH ? "stt-turns" : undefined, version);
}

/**
 * The error shape of a request whose head the HTTP parser refused (a bad header character, an invalid
 * method, conflicting lengths): read from the raw bytes it saw (`rawPacket` of a `clientError`), so
 * the refusal still takes the shape of the version the client asked for. Default shape when unreadable.
 */
export function shapeOfRawHead(raw: Buffer | undefined): ErrorShape {
  if (raw === undefined) return errorShapeOf(undefined, DEFAULT_VERSION);
  // latin1: one character per byte, never a decoding error; only the head matters.
  const lines = raw.subarray(0, 16 * 1024).toString("latin1").split("\r\n");
  // request-line = method SP target SP version: the target is what lies between the method and the
  // version (it may hold bytes a parser refuses, a form feed among them, but never CR or LF; the line
  // may end in stray whitespace), else between the first and the last space.
  const requestLine = lines[0] ?? "";
  const first = requestLine.indexOf(" ");
  const last = requestLine.lastIndexOf(" ");
  const target =
    /^\S+ (.*?)[ \t]+HTTP\/\S*[ \t]*$/.exec(requestLine)?.[1] ?? (first >= 0 && last > first ? requestLine.slice(first + 1, last) : "/");
  const end = lines.indexOf("", 1);
  // Repeated headers are joined with ", ", as Node joins them for a request that parses.
  const values = lines
    .slice(1, end < 0 ? undefined : end)
    .map((line) => /^cartesia-version[ \t]*:[ \t]*(.*?)[ \t]*$/i.exec(line)?.[1])
    .filter((value) => value !== undefined);
  const header = values.length > 0 ? values.join(", ") : undefined;
  const versionResult = resolveVersion({ header, query: rawQuery(target).get("cartesia_version") });
  // A URL parser reads `\` as `/` in an http path (WHATWG), so `\stt\turns\websocket` names the turns route.
  return shapeOf(parseRequestTarget(target.replaceAll("\\", "/")), versionResult.ok ? versionResult.value.version : DEFAULT_VERSION);
}

/** The query of a target that did not parse as a URL (so its `cartesia_version` still counts). */
function rawQuery(raw: string): URLSearchParams {
  const at = raw.indexOf("?");
  return new URLSearchParams(at < 0 ? "" : (raw.slice(at + 1).split("#", 1)[0] as string));
}

/** A client's text quoted in an error message, clipped. */
function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
}
