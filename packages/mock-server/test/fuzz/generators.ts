/**
 * The fuzzer's generators (fast-check 4): handshakes and HTTP requests as raw bytes, frame sequences
 * for each WebSocket endpoint, full valid sessions and abusive clients. Valid messages, queries and
 * bodies come from `@speechwire/protocol/arbitraries`; the generators here mutate them and add what no
 * valid client sends. A case is plain data (strings and numbers), so fast-check prints and shrinks it
 * readably; `render*` turns it into bytes.
 */
import { createHmac } from "node:crypto";
import fc from "fast-check";
import { accessToken, KNOWN_VERSIONS, sttBatch, sttTurns, sttV1, tts } from "@speechwire/protocol";
import {
  accessTokenArbitraries,
  ARBITRARY_VERSIONS,
  sttBatchArbitraries,
  sttTurnsArbitraries,
  sttV1Arbitraries,
  ttsArbitraries,
  ttsBytesArbitraries,
  ttsSseArbitraries,
} from "@speechwire/protocol/arbitraries";
import { closePayload, encodeFrame, OPCODE, renderHead, WS_KEY, type WireStep, type WsStep } from "./wire.js";

// ---------------------------------------------------------------------------------------------
// Credentials
// ---------------------------------------------------------------------------------------------

/** The API key the strict child is started with (`--auth strict --api-key k`). */
export const STRICT_KEY = "k";
/** Stands for a token the server minted (with key `k`, grants tts+stt): the harness fills it in. */
export const MINTED_TOKEN = "@minted-token@";
/** An admin key: refused on API routes in both modes (PROTOCOL.md §1.2). */
export const ADMIN_KEY = "sk_car_admin_fuzz0000000000";

/**
 * A token signed with the secret the mock derives from its seed (`speechwire-token-secret:1`): the
 * forgery of issue item 3.1, and the way to reach claims the mock never mints (`"grants": null`).
 */
export function forgeToken(claims: unknown, seed = 1): string {
  const b64 = (s: string) => Buffer.from(s).toString("base64url");
  const body = `${b64(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${b64(JSON.stringify(claims))}`;
  return `${body}.${createHmac("sha256", `speechwire-token-secret:${seed}`).update(body).digest("base64url")}`;
}

const FAR_FUTURE = 4_102_444_800; // 2100-01-01, seconds
/** Claims of forged tokens: well-formed ones (a lock must refuse them) and shapes the mock never mints. */
const forgedClaimsArb: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constant({ grants: { tts: true, stt: true }, iat: 0, exp: FAR_FUTURE }), weight: 3 },
  { arbitrary: accessTokenArbitraries.grants.map((grants) => ({ grants, iat: 0, exp: FAR_FUTURE })), weight: 2 },
  { arbitrary: fc.constant({ grants: null, exp: FAR_FUTURE }), weight: 2 },
  { arbitrary: fc.constantFrom<unknown>(
    { grants: [], exp: FAR_FUTURE },
    { grants: "tts", exp: FAR_FUTURE },
    { grants: { tts: "yes" }, exp: FAR_FUTURE },
    { grants: { stt: true }, exp: 1 },
    { grants: { stt: true }, exp: "never" },
    { grants: { stt: true } },
    { exp: FAR_FUTURE },
    null,
    [],
    7,
    "claims",
  ), weight: 2 },
);

/** A credential value as some client might send it: good, forged, admin, near-miss or junk. */
export const credentialValueArb: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constant(STRICT_KEY), weight: 3 },
  { arbitrary: fc.constant(MINTED_TOKEN), weight: 2 },
  { arbitrary: forgedClaimsArb.map((c) => forgeToken(c)), weight: 3 },
  { arbitrary: fc.constant(ADMIN_KEY), weight: 1 },
  // Near misses: must not pass for `k` (HTTP trims only spaces and tabs, PROTOCOL.md §1.2).
  { arbitrary: fc.constantFrom(`${STRICT_KEY}\u00a0`, `\u00a0${STRICT_KEY}`), weight: 2 },
  { arbitrary: fc.constantFrom(`${STRICT_KEY}\u0085`, `${STRICT_KEY}\u000b`, ` ${STRICT_KEY}\t`, `${STRICT_KEY}x`, "K", ""), weight: 1 },
  { arbitrary: fc.constantFrom("a.b.c", "...", "eyJ.eyJ.", "sk_car_x", forgeToken({ grants: { tts: true } }, 2)), weight: 1 },
  { arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 24 }), weight: 1 },
);

/** Where a credential travels. */
export type CredentialPlace = "bearer" | "x-api-key" | "api_key" | "access_token" | "authorization-raw";

/** One credential of a request. */
export interface CredentialCase {
  place: CredentialPlace;
  value: string;
}

const credentialArb: fc.Arbitrary<CredentialCase> = fc.record(
  { place: fc.constantFrom<CredentialPlace>("bearer", "x-api-key", "api_key", "access_token", "authorization-raw"), value: credentialValueArb },
  { noNullPrototype: true },
);

// ---------------------------------------------------------------------------------------------
// Request targets
// ---------------------------------------------------------------------------------------------

/** Every route the mock serves (the WebSocket ones, the HTTP ones, the status route and the admin API). */
export const WS_PATHS = [sttV1.PATH, sttTurns.PATH, tts.PATH] as const;
export const HTTP_PATHS = ["/tts/bytes", "/tts/sse", sttBatch.PATH, accessToken.PATH] as const;
const ADMIN_PATHS = [
  "/_speechwire/health",
  "/_speechwire/sessions",
  "/_speechwire/sessions/x",
  "/_speechwire/sessions/s000001",
  "/_speechwire/sessions/%ZZ",
  "/_speechwire/scenarios",
  "/_speechwire/scenarios/default",
  "/_speechwire/scenarios/%ZZ",
  "/_speechwire/scenarios/%E0%A4%A",
  "/_speechwire/scenarios/fuzz-added",
  "/_speechwire/scenarios/eager-end",
  "/_speechwire/reset",
  "/_speechwire/nope",
];
/**
 * The admin routes the HTTP generator sends every method to. Scenarios it may add, replace or delete
 * are `fuzz-added` (run time) and `eager-end` (a built-in no reference, frame or session case uses):
 * what the other cases expect of their scenarios stays true whatever these requests do.
 */
const ADMIN_HTTP_PATHS = [
  "/_speechwire/health",
  "/_speechwire/scenarios",
  "/_speechwire/scenarios/default",
  "/_speechwire/scenarios/fuzz-added",
  "/_speechwire/scenarios/eager-end",
  "/_speechwire/scenarios/%ZZ",
  "/_speechwire/sessions",
  "/_speechwire/sessions/s000001",
  "/_speechwire/sessions/%ZZ",
  "/_speechwire/reset",
  "/_speechwire/nope",
];
const OTHER_PATHS = ["/", "/index.html", "/assets/app.js", "/nope", "/stt/", "/tts", ""];

/** A scenario path segment: known, unknown, percent-encoded, or with escapes that do not decode. */
const scenarioSegmentArb: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom("default", "tts-basic", "eager-resume", "multi-turn", "auth-401", "rate-limit-429", "nope"), weight: 4 },
  { arbitrary: fc.constantFrom("%64efault", "de%66ault", "%74ts-basic", "%ZZ", "%", "%5", "%E0%A4%A", "%C0%80", "%FF", "%ED%A0%80", "%00", "a%2Fb", "%2E%2E", ".."), weight: 3 },
  { arbitrary: fc.string({ unit: fc.constantFrom(..."abz-_.%0123456789AFZ~"), minLength: 1, maxLength: 8 }), weight: 2 },
);

/** How a path is bent after it is chosen. */
const pathMutationArb = fc.oneof(
  { arbitrary: fc.constant("none"), weight: 16 },
  {
    arbitrary: fc.constantFrom("double-slash", "trailing-slash", "dot-segment", "traversal", "encoded-traversal", "percent-encode", "upper-case", "backslash", "nul"),
    weight: 9,
  },
);

function mutatePath(path: string, mutation: string, at: number): string {
  const i = path.length === 0 ? 0 : at % path.length;
  switch (mutation) {
    case "double-slash":
      return `/${path}`;
    case "trailing-slash":
      return `${path}/`;
    case "dot-segment":
      return path.replace(/^\//, "/./");
    case "traversal":
      return `/x/..${path}`;
    case "encoded-traversal":
      return `/%2e%2e${path}`;
    case "percent-encode": {
      const ch = path[i] ?? "/";
      return path.slice(0, i) + `%${ch.charCodeAt(0).toString(16).padStart(2, "0").toUpperCase()}` + path.slice(i + 1);
    }
    case "upper-case":
      return path.toUpperCase();
    case "backslash":
      return path.replace(/\//g, "\\");
    case "nul":
      return `${path.slice(0, i)}%00${path.slice(i)}`;
    default:
      return path;
  }
}

/** A request path: a route, maybe under `/s/<scenario>`, maybe bent. */
export const pathArb: fc.Arbitrary<string> = fc
  .record(
    {
      route: fc.oneof(
        { arbitrary: fc.constantFrom<string>(...WS_PATHS), weight: 4 },
        { arbitrary: fc.constantFrom<string>(...HTTP_PATHS), weight: 3 },
        { arbitrary: fc.constantFrom(...ADMIN_PATHS), weight: 1 },
        { arbitrary: fc.constantFrom(...OTHER_PATHS), weight: 1 },
      ),
      prefix: fc.option(scenarioSegmentArb, { freq: 2, nil: undefined }),
      mutation: pathMutationArb,
      at: fc.nat(),
    },
    { noNullPrototype: true },
  )
  .map(({ route, prefix, mutation, at }) => mutatePath(`${prefix === undefined ? "" : `/s/${prefix}`}${route}`, mutation, at));

/** Queries an endpoint accepts, as `[name, value]` pairs (values decoded), from the protocol's arbitraries. */
function validQueryPairs(path: string): fc.Arbitrary<[string, string][]> {
  const pairs = (q: string) => [...new URLSearchParams(q)] as [string, string][];
  switch (path) {
    case sttV1.PATH:
      return sttV1Arbitraries.query.map((q) => pairs(sttV1.encodeQuery(q)));
    case sttTurns.PATH:
      return sttTurnsArbitraries.query.map((q) => pairs(sttTurns.encodeQuery(q)));
    case tts.PATH:
      return ttsArbitraries.query.map((q) => pairs(tts.encodeQuery(q)));
    case sttBatch.PATH:
      return sttBatchArbitraries.query.map((q) => pairs(sttBatch.encodeQuery(q)));
    case "/_speechwire/scenarios":
      // Protected names need ?replace=true; anything else there is a 400.
      return fc.constantFrom<[string, string][]>([], [], [["replace", "true"]], [["replace", "false"]], [["replace", "yes"]], [["replace", ""]], [["replace", "true"], ["replace", "true"]]);
    default:
      return fc.constant([]);
  }
}

/** Query values that parse badly: empty, out of range, not numbers, raw escapes that do not decode. */
const junkValueArb = fc.oneof(
  fc.constantFrom("", "0", "-1", "1e309", "NaN", "16000.5", "99999999999999999999", "ink-9", "pcm_s8", "en-XX", "true", "null", "%ZZ", "%", "%E0%A4", "a+b", "x".repeat(300)),
  fc.string({ unit: "grapheme", maxLength: 12 }),
);

/** A parameter name some endpoint reads, or none does. */
const paramNameArb = fc.constantFrom(
  "model",
  "encoding",
  "sample_rate",
  "language",
  "min_volume",
  "max_silence_duration_secs",
  "keyterm",
  "turn_start_threshold",
  "turn_eager_end_threshold",
  "turn_end_threshold",
  "turn_end_timeout_ms",
  "cartesia_version",
  "speechwire_scenario",
  "api_key",
  "access_token",
  "cartesia_client",
  "unknown_param",
  "",
);

/** One change to a query. */
type QueryMutation = { op: "set"; name: string; value: string; raw: boolean } | { op: "delete"; index: number } | { op: "duplicate"; index: number };

const queryMutationArb: fc.Arbitrary<QueryMutation> = fc.oneof(
  fc.record({ op: fc.constant("set" as const), name: paramNameArb, value: junkValueArb, raw: fc.boolean() }, { noNullPrototype: true }),
  fc.record({ op: fc.constant("set" as const), name: fc.constant("cartesia_version"), value: fc.oneof(fc.constantFrom(...KNOWN_VERSIONS), fc.constantFrom("2030-01-01", "2026-02-30", "yesterday", " 2025-04-16", "2025-4-16")), raw: fc.constant(false) }, { noNullPrototype: true }),
  fc.record({ op: fc.constant("set" as const), name: fc.constantFrom("speechwire_scenario"), value: scenarioSegmentArb, raw: fc.boolean() }, { noNullPrototype: true }),
  fc.record({ op: fc.constant("delete" as const), index: fc.nat() }, { noNullPrototype: true }),
  fc.record({ op: fc.constant("duplicate" as const), index: fc.nat() }, { noNullPrototype: true }),
);

/** Applies mutations and writes the query string (`raw` values go in unescaped). */
function renderQuery(pairs: [string, string][], mutations: QueryMutation[]): string {
  const items: { name: string; value: string; raw: boolean }[] = pairs.map(([name, value]) => ({ name, value, raw: false }));
  for (const m of mutations) {
    if (m.op === "set") {
      const i = items.findIndex((x) => x.name === m.name);
      if (i >= 0) items[i] = { name: m.name, value: m.value, raw: m.raw };
      else items.push({ name: m.name, value: m.value, raw: m.raw });
    } else if (items.length > 0) {
      const i = m.index % items.length;
      if (m.op === "delete") items.splice(i, 1);
      else items.push({ ...(items[i] as (typeof items)[number]) });
    }
  }
  return items.map((x) => `${encodeURIComponent(x.name)}=${x.raw ? x.value.replace(/[\s#&]/g, "") : encodeURIComponent(x.value)}`).join("&");
}

/** How the request target is written (RFC 9112 §3.2): origin form mostly, and the forms that break URL parsing. */
const targetFormArb = fc.oneof(
  { arbitrary: fc.constant("origin"), weight: 16 },
  { arbitrary: fc.constantFrom("absolute", "absolute-broken", "authority-broken", "double-slash", "asterisk", "empty-path"), weight: 6 },
);

function renderTarget(form: string, pathAndQuery: string): string {
  switch (form) {
    case "absolute":
      return `http://127.0.0.1${pathAndQuery}`;
    case "absolute-broken":
      return `http://[${pathAndQuery}`;
    case "authority-broken":
      return `http://%zz${pathAndQuery}`;
    case "double-slash":
      return `/${pathAndQuery.startsWith("/") ? pathAndQuery : `/${pathAndQuery}`}`;
    case "asterisk":
      return "*";
    case "empty-path":
      return pathAndQuery.replace(/^\/[^?]*/, "//");
    default:
      return pathAndQuery;
  }
}

// ---------------------------------------------------------------------------------------------
// Requests (handshakes and HTTP)
// ---------------------------------------------------------------------------------------------

/** A request as the fuzzer sends it: the head's parts, the body's pieces and how the client ends. */
export interface RequestCase {
  method: string;
  target: string;
  httpVersion: string;
  headers: [string, string][];
  /** Body pieces (latin1 strings: every byte value is one character), written in order. */
  body: string[];
  /** A pause between body pieces (a slow client), milliseconds. */
  pauseMs: number;
  /** After the body: keep the connection open, half-close it, or cut it. */
  end: "keep" | "half-close" | "destroy";
}

/** The bytes of a request, with the harness's minted token in place of `MINTED_TOKEN`. */
export function renderRequest(c: RequestCase, mintedToken: string): WireStep[] {
  const fill = (s: string) => s.split(MINTED_TOKEN).join(mintedToken);
  const steps: WireStep[] = [{ write: renderHead(c.method, fill(c.target), c.headers.map(([k, v]) => [k, fill(v)] as const), c.httpVersion) }];
  c.body.forEach((piece, i) => {
    if (i > 0 && c.pauseMs > 0) steps.push({ pauseMs: c.pauseMs });
    steps.push({ write: Buffer.from(piece, "latin1") });
  });
  if (c.end !== "keep") steps.push({ end: c.end });
  return steps;
}

/** Puts credentials into headers and query. */
function withCredentials(headers: [string, string][], query: string, credentials: CredentialCase[]): { headers: [string, string][]; query: string } {
  const h = [...headers];
  const q: string[] = query === "" ? [] : [query];
  for (const c of credentials) {
    if (c.place === "bearer") h.push(["Authorization", `Bearer ${c.value}`]);
    else if (c.place === "authorization-raw") h.push(["Authorization", c.value]);
    else if (c.place === "x-api-key") h.push(["X-API-Key", c.value]);
    else q.push(`${c.place}=${encodeURIComponent(c.value).replace(/%40minted-token%40/g, MINTED_TOKEN)}`);
  }
  return { headers: h, query: q.join("&") };
}

const versionHeaderArb: fc.Arbitrary<[string, string][]> = fc.oneof(
  { arbitrary: fc.constant([] as [string, string][]), weight: 4 },
  { arbitrary: fc.constantFrom(...KNOWN_VERSIONS).map((v) => [["Cartesia-Version", v]] as [string, string][]), weight: 4 },
  { arbitrary: fc.constantFrom("2030-01-01", "2026-02-30", "", "yesterday", "2025-04-16, 2026-03-01").map((v) => [["cartesia-version", v]] as [string, string][]), weight: 1 },
  { arbitrary: fc.constant([["Cartesia-Version", "2025-04-16"], ["Cartesia-Version", "2026-03-01"]] as [string, string][]), weight: 1 },
);

/** WebSocket upgrade headers, each valid or bent the ways `ws` refuses (§4 of issue 12). */
const bentUpgradeHeadersArb: fc.Arbitrary<[string, string][]> = fc
  .record(
    {
      upgrade: fc.constantFrom("websocket", "websocket", "websocket", "WebSocket", "h2c", "", undefined),
      connection: fc.constantFrom("Upgrade", "Upgrade", "Upgrade", "keep-alive, Upgrade", "upgrade", "close", undefined),
      key: fc.constantFrom(WS_KEY, WS_KEY, WS_KEY, WS_KEY, "", "not base64!", "AAAAAAAAAAAAAAAAAAAAAA", "dGhlIHNhbXBsZSBub25jZQ=", undefined),
      version: fc.constantFrom("13", "13", "13", "13", "8", "14", "", "abc", "13, 8", undefined),
      extensions: fc.constantFrom(undefined, undefined, "permessage-deflate", "x-unknown; a=1"),
      protocol: fc.constantFrom(undefined, undefined, "chat", ","),
    },
    { noNullPrototype: true },
  )
  .map((h) => {
    const out: [string, string][] = [];
    if (h.upgrade !== undefined) out.push(["Upgrade", h.upgrade]);
    if (h.connection !== undefined) out.push(["Connection", h.connection]);
    if (h.key !== undefined) out.push(["Sec-WebSocket-Key", h.key]);
    if (h.version !== undefined) out.push(["Sec-WebSocket-Version", h.version]);
    if (h.extensions !== undefined) out.push(["Sec-WebSocket-Extensions", h.extensions]);
    if (h.protocol !== undefined) out.push(["Sec-WebSocket-Protocol", h.protocol]);
    return out;
  });

const VALID_UPGRADE: [string, string][] = [
  ["Upgrade", "websocket"],
  ["Connection", "Upgrade"],
  ["Sec-WebSocket-Key", WS_KEY],
  ["Sec-WebSocket-Version", "13"],
];
/** Upgrade headers: the valid set mostly, else each header valid or bent the ways `ws` refuses. */
const upgradeHeadersArb: fc.Arbitrary<[string, string][]> = fc.oneof({ arbitrary: fc.constant(VALID_UPGRADE), weight: 2 }, { arbitrary: bentUpgradeHeadersArb, weight: 1 });

/** Header lines that are odd but legal, or that Node's parser refuses (it answers those itself). */
const extraHeadersArb: fc.Arbitrary<[string, string][]> = fc.oneof(
  { arbitrary: fc.constant([] as [string, string][]), weight: 6 },
  {
    arbitrary: fc.array(
      fc.constantFrom<[string, string]>(["X-Speechwire-Scenario", "tts-basic"], ["X-Speechwire-Scenario", "nope"], ["X-Speechwire-Scenario", "%ZZ"], ["Accept", "text/html"], ["Origin", "http://127.0.0.1"], ["Expect", "100-continue"]),
      { minLength: 1, maxLength: 2 },
    ),
    weight: 2,
  },
  { arbitrary: fc.constantFrom<[string, string]>(["X-Junk", "\u0001"], ["Bad Name", "x"], ["", "x"], ["X-Long", "v".repeat(20_000)]).map((h) => [h]), weight: 1 },
);

const methodArb = fc.oneof({ arbitrary: fc.constant("GET"), weight: 12 }, { arbitrary: fc.constantFrom("POST", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE", "CONNECT", "get", "BREW"), weight: 4 });

/**
 * A handshake: request line and headers for any route (WebSocket upgrades mostly), with a query from
 * the endpoint's own valid ones, then mutated; credentials in every place; versions good and bad.
 */
export const handshakeArb: fc.Arbitrary<RequestCase> = fc
  .record(
    {
      method: methodArb,
      path: pathArb,
      form: targetFormArb,
      // The query of the endpoint the path names (or of a random one, for a mismatch).
      queryFor: fc.constantFrom<string>(...WS_PATHS, sttBatch.PATH, "none"),
      mutations: fc.array(queryMutationArb, { maxLength: 3 }),
      credentials: fc.array(credentialArb, { maxLength: 2 }),
      version: versionHeaderArb,
      upgrade: fc.oneof({ arbitrary: upgradeHeadersArb, weight: 5 }, { arbitrary: fc.constant([] as [string, string][]), weight: 1 }),
      extra: extraHeadersArb,
      host: fc.oneof({ arbitrary: fc.constant<[string, string][]>([["Host", "127.0.0.1"]]), weight: 10 }, { arbitrary: fc.constantFrom<[string, string][]>([], [["Host", "[::1"]]), weight: 1 }),
      httpVersion: fc.oneof({ arbitrary: fc.constant("HTTP/1.1"), weight: 16 }, { arbitrary: fc.constantFrom("HTTP/1.0", "HTTP/2.0", "HTTP/1.1 "), weight: 1 }),
      end: fc.constantFrom<RequestCase["end"]>("keep", "keep", "keep", "half-close"),
    },
    { noNullPrototype: true },
  )
  .chain((r) => {
    const routeForQuery = r.queryFor === "none" ? undefined : (WS_PATHS.find((p) => r.path.endsWith(p)) ?? r.queryFor);
    const pairs = routeForQuery === undefined ? fc.constant([] as [string, string][]) : validQueryPairs(routeForQuery);
    return pairs.map((valid) => {
      const { headers, query } = withCredentials([...r.host, ...r.upgrade, ...r.version, ...r.extra], renderQuery(valid, r.mutations), r.credentials);
      const target = renderTarget(r.form, `${r.path}${query === "" ? "" : `?${query}`}`);
      return { method: r.method, target, httpVersion: r.httpVersion, headers, body: [], pauseMs: 0, end: r.end };
    });
  });

/** A handshake that `ws` itself refuses: a bad key, a version other than 13, or a method other than GET. */
export const wsRefusedHandshakeArb: fc.Arbitrary<RequestCase> = fc
  .record(
    {
      path: fc.constantFrom<string>(...WS_PATHS),
      flaw: fc.constantFrom("key", "version", "method"),
      key: fc.constantFrom("", "not base64!", "AAAAAAAAAAAAAAAAAAAAAA", "dGhlIHNhbXBsZSBub25jZQ="),
      version: fc.constantFrom("7", "14", "", "abc", "12"),
      method: fc.constantFrom("POST", "PUT", "DELETE", "PATCH"),
      versionHeader: versionHeaderArb,
    },
    { noNullPrototype: true },
  )
  .chain((r) =>
    validQueryPairs(r.path).map((pairs) => ({
      method: r.flaw === "method" ? r.method : "GET",
      target: `${r.path}?${renderQuery(pairs, [])}`,
      httpVersion: "HTTP/1.1",
      headers: [
        ["Host", "127.0.0.1"],
        ["Upgrade", "websocket"],
        ["Connection", "Upgrade"],
        ["Sec-WebSocket-Key", r.flaw === "key" ? r.key : WS_KEY],
        ["Sec-WebSocket-Version", r.flaw === "version" ? r.version : "13"],
        ...r.versionHeader,
      ] as [string, string][],
      body: [],
      pauseMs: 0,
      end: "keep" as const,
    })),
  );

// ---------------------------------------------------------------------------------------------
// HTTP bodies
// ---------------------------------------------------------------------------------------------

/** A change to a JSON value: drop a key, a wrong-type value, an unknown key, or wrap it. */
const jsonMutationArb = fc.oneof(
  fc.record({ op: fc.constant("drop" as const), index: fc.nat() }, { noNullPrototype: true }),
  fc.record({ op: fc.constant("set" as const), index: fc.nat(), value: fc.jsonValue({ maxDepth: 1 }) }, { noNullPrototype: true }),
  fc.record({ op: fc.constant("add" as const), key: fc.constantFrom("extra", "__proto__", "constructor", "type", "context_id", "transcript", "grants", "continue", "cancel"), value: fc.jsonValue({ maxDepth: 1 }) }, { noNullPrototype: true }),
  fc.record({ op: fc.constant("wrap" as const), how: fc.constantFrom("array", "string", "null", "number") }, { noNullPrototype: true }),
);
type JsonMutation = typeof jsonMutationArb extends fc.Arbitrary<infer T> ? T : never;

/** Applies JSON mutations to a (plain object) message. */
export function mutateJson(value: unknown, mutations: readonly JsonMutation[]): unknown {
  let v: unknown = value;
  for (const m of mutations) {
    if (m.op === "wrap") {
      v = m.how === "array" ? [v] : m.how === "string" ? JSON.stringify(v) : m.how === "null" ? null : 42;
      continue;
    }
    if (typeof v !== "object" || v === null || Array.isArray(v)) continue;
    const o = { ...(v as Record<string, unknown>) };
    const keys = Object.keys(o);
    if (m.op === "add") {
      // A JSON text with a "__proto__" key, as a client would send it (not a prototype change here).
      Object.defineProperty(o, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
    } else if (keys.length > 0) {
      const key = keys[m.index % keys.length] as string;
      if (m.op === "drop") delete o[key];
      else o[key] = m.value;
    }
    v = o;
  }
  return v;
}

/** Text that is not the JSON a route wants: broken JSON, other JSON, invalid UTF-8, bidi and NULs. */
export const junkTextArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("", "{", "}", "{}", "[]", "null", "0", '"x"', '{"type":', '{"type":"close"', "{'a':1}", "\u0000", "close", "finalize", "done", '{"type":"close"}{"type":"close"}', "\ufeff{}"),
  fc.json({ maxDepth: 2 }),
  fc.string({ unit: "binary", maxLength: 40 }),
);

/** Invalid UTF-8 byte sequences (as latin1 strings). */
export const invalidUtf8Arb: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom("\xc3", "\xff", "\xed\xa0\x80", "\xc0\x80", "\xf4\x90\x80\x80", "\xe0\x80", "\x80"), fc.string({ unit: "grapheme-ascii", maxLength: 8 }))
  .map(([bad, text]) => `{"transcript":"${text}${bad}"}`);

/** A JSON body from valid values (mutated or not) or junk, as latin1 (UTF-8 encoded) text. */
function jsonBodyArb(valid: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  const utf8 = (s: string) => Buffer.from(s, "utf8").toString("latin1");
  return fc.oneof(
    { arbitrary: valid.map((v) => utf8(JSON.stringify(v))), weight: 3 },
    { arbitrary: fc.tuple(valid, fc.array(jsonMutationArb, { minLength: 1, maxLength: 3 })).map(([v, m]) => utf8(JSON.stringify(mutateJson(v, m)) ?? "")), weight: 3 },
    { arbitrary: junkTextArb.map(utf8), weight: 2 },
    { arbitrary: invalidUtf8Arb, weight: 1 },
  );
}

/** A WAV header (PCM s16le, mono) for `bytes` of data, as latin1. */
function wavHeader(sampleRate: number, bytes: number): string {
  const h = Buffer.alloc(44);
  h.write("RIFF", 0, "latin1");
  h.writeUInt32LE(36 + bytes, 4);
  h.write("WAVEfmt ", 8, "latin1");
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write("data", 36, "latin1");
  h.writeUInt32LE(bytes, 40);
  return h.toString("latin1");
}

/** A multipart body for `POST /stt` and its Content-Type, with the edge cases busboy must survive. */
export const multipartArb: fc.Arbitrary<{ contentType: string; body: string }> = fc
  .record(
    {
      form: sttBatchArbitraries.form,
      fileBytes: fc.oneof(fc.nat({ max: 4000 }), fc.constant(1000)),
      wav: fc.boolean(),
      boundary: fc.constantFrom("b", "----speechwire", "x".repeat(70), "a b", ""),
      flaw: fc.constantFrom("none", "none", "none", "truncated-in-file", "truncated-in-field", "no-closing", "no-file", "two-files", "bad-boundary", "no-boundary-param", "lf-only", "no-name", "no-part-headers", "preamble", "not-multipart", "empty"),
    },
    { noNullPrototype: true },
  )
  .map(({ form, fileBytes, wav, boundary, flaw }) => {
    const b = boundary;
    const nl = flaw === "lf-only" ? "\n" : "\r\n";
    const fields = Object.entries(sttBatch.encodeForm(form)).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x] as const) : [[k, v as string] as const]));
    const field = ([k, v]: readonly [string, string]) => `--${b}${nl}Content-Disposition: form-data; name="${k}"${nl}${nl}${v}${nl}`;
    const data = (wav ? wavHeader(16000, fileBytes) : "") + "\x01\x00".repeat(Math.floor(fileBytes / 2));
    const fileHead = flaw === "no-name" ? `Content-Disposition: form-data; filename="a.wav"` : `Content-Disposition: form-data; name="file"; filename="a.wav"`;
    const file = flaw === "no-part-headers" ? `--${b}${nl}${nl}${data}${nl}` : `--${b}${nl}${fileHead}${nl}Content-Type: audio/wav${nl}${nl}${data}${nl}`;
    let body = fields.map(field).join("");
    if (flaw === "truncated-in-field") body = `${body}--${b}${nl}Content-Disposition: form-data; name="model"${nl}${nl}ink-wh`;
    else if (flaw !== "no-file") body += file;
    if (flaw === "two-files") body += file;
    if (flaw === "truncated-in-file") body = `${fields.map(field).join("")}--${b}${nl}${fileHead}${nl}${nl}${data}`;
    else if (flaw !== "no-closing" && flaw !== "truncated-in-field") body += `--${b}--${nl}`;
    if (flaw === "preamble") body = `preamble${nl}${body}`;
    if (flaw === "empty") body = "";
    const contentType =
      flaw === "not-multipart" ? "application/json" : flaw === "no-boundary-param" ? "multipart/form-data" : flaw === "bad-boundary" ? "multipart/form-data; boundary=zz" : `multipart/form-data; boundary=${b.includes(" ") ? `"${b}"` : b}`;
    return { contentType, body };
  });

/** How a body is framed on the wire: honest, lying about its length, chunked (well or badly), slow. */
const deliveryArb = fc.record(
  {
    framing: fc.constantFrom("length", "length", "length", "chunked", "chunked-bad-size", "chunked-unterminated", "length-too-long", "length-too-short", "length-and-chunked", "no-length", "length-negative"),
    pieces: fc.integer({ min: 1, max: 4 }),
    pauseMs: fc.constantFrom(0, 0, 0, 5, 40),
    end: fc.constantFrom<RequestCase["end"]>("keep", "keep", "half-close", "half-close", "destroy"),
  },
  { noNullPrototype: true },
);

/** Frames `body` on the wire as `delivery` says: the headers to add and the pieces to write. */
function deliver(body: string, d: { framing: string; pieces: number }): { headers: [string, string][]; pieces: string[] } {
  const split = (s: string, n: number) => {
    const size = Math.max(1, Math.ceil(s.length / n));
    const out: string[] = [];
    for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
    return out.length > 0 ? out : [""];
  };
  const chunk = (s: string) => `${s.length.toString(16)}\r\n${s}\r\n`;
  switch (d.framing) {
    case "chunked":
      return { headers: [["Transfer-Encoding", "chunked"]], pieces: [...split(body, d.pieces).map(chunk), "0\r\n\r\n"] };
    case "chunked-bad-size":
      return { headers: [["Transfer-Encoding", "chunked"]], pieces: [`zz\r\n${body}\r\n0\r\n\r\n`] };
    case "chunked-unterminated":
      return { headers: [["Transfer-Encoding", "chunked"]], pieces: split(body, d.pieces).map(chunk) };
    case "length-too-long":
      return { headers: [["Content-Length", String(body.length + 79)]], pieces: split(body, d.pieces) };
    case "length-too-short":
      return { headers: [["Content-Length", String(Math.max(0, body.length - 5))]], pieces: split(body, d.pieces) };
    case "length-and-chunked":
      return { headers: [["Content-Length", String(body.length)], ["Transfer-Encoding", "chunked"]], pieces: [chunk(body), "0\r\n\r\n"] };
    case "no-length":
      return { headers: [], pieces: split(body, d.pieces) };
    case "length-negative":
      return { headers: [["Content-Length", "-1"]], pieces: [body] };
    default:
      return { headers: [["Content-Length", String(body.length)]], pieces: split(body, d.pieces) };
  }
}

/** A valid body of a route (at the default version), for mutation. */
const bodyForRoute: Record<string, fc.Arbitrary<string>> = {
  "/tts/bytes": jsonBodyArb(ttsBytesArbitraries.request),
  "/tts/sse": jsonBodyArb(ttsSseArbitraries.request),
  [accessToken.PATH]: jsonBodyArb(accessTokenArbitraries.request),
  "/_speechwire/scenarios": fc.constantFrom(
    "",
    "name: [",
    "{}",
    "name: x\nstt: 7",
    '{"name":"default","stt":{"turns":"no"}}',
    "\u0000",
    // Valid: a run-time name (201, again 201) and a built-in one (409 unless ?replace=true).
    "name: fuzz-added\nstt:\n  turns:\n    - segments:\n        - say: Added by the fuzzer.\n",
    "name: eager-end\nstt:\n  turns:\n    - segments:\n        - say: Replaced by the fuzzer.\n",
  ),
};

/** An HTTP request to any route, with a body made for it (or for another), framed honestly or not. */
export const httpRequestArb: fc.Arbitrary<RequestCase> = fc
  .record(
    {
      route: fc.oneof(
        { arbitrary: fc.constantFrom<string>(...HTTP_PATHS), weight: 8 },
        { arbitrary: fc.constantFrom("/", "/nope"), weight: 1 },
        { arbitrary: fc.constantFrom(...ADMIN_HTTP_PATHS), weight: 2 },
      ),
      prefix: fc.option(scenarioSegmentArb, { freq: 4, nil: undefined }),
      method: fc.constantFrom("POST", "POST", "POST", "POST", "POST", "GET", "PUT", "OPTIONS", "HEAD", "DELETE", "PATCH"),
      mutations: fc.array(queryMutationArb, { maxLength: 2 }),
      credentials: fc.array(credentialArb, { maxLength: 2 }),
      version: versionHeaderArb,
      delivery: deliveryArb,
      contentType: fc.constantFrom("application/json", "application/json", "text/plain", "", "application/json; charset=latin1"),
      multipart: multipartArb,
    },
    { noNullPrototype: true },
  )
  .chain((r) => {
    const bodyArb = r.route === sttBatch.PATH ? fc.constant(r.multipart.body) : (bodyForRoute[r.route] ?? fc.constant(""));
    return fc.tuple(bodyArb, validQueryPairs(r.route)).map(([body, pairs]) => {
      const query = renderQuery(pairs, r.mutations);
      const contentType = r.route === sttBatch.PATH ? r.multipart.contentType : r.contentType;
      const framed = deliver(body, { framing: r.delivery.framing, pieces: r.delivery.pieces });
      // A request the client leaves unfinished gets no answer until it ends its side: it half-closes.
      const unfinished = r.delivery.framing === "chunked-unterminated" || r.delivery.framing === "length-too-long";
      const end = unfinished && r.delivery.end === "keep" ? "half-close" : r.delivery.end;
      const base: [string, string][] = [["Host", "127.0.0.1"], ...(contentType === "" ? [] : ([["Content-Type", contentType]] as [string, string][])), ...r.version, ...framed.headers];
      const creds = withCredentials(base, query, r.credentials);
      const path = `${r.prefix === undefined ? "" : `/s/${r.prefix}`}${r.route}`;
      return {
        method: r.method,
        target: `${path}${creds.query === "" ? "" : `?${creds.query}`}`,
        httpVersion: "HTTP/1.1",
        headers: creds.headers,
        body: framed.pieces,
        pauseMs: r.delivery.pauseMs,
        end,
      };
    });
  });

/** A read of the playground folder: files, and every way to climb out of it. */
export const playgroundRequestArb: fc.Arbitrary<RequestCase> = fc
  .record(
    {
      path: fc.oneof(
        fc.constantFrom("/", "/index.html", "/assets/app.js", "/missing.js", "/assets/", "/link-out", "/link-in"),
        fc.constantFrom("/../secret.txt", "/..%2fsecret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt", "/assets/../../secret.txt", "/..\\secret.txt", "/%5c..%5csecret.txt", "/index.html%00.js", "/%ZZ", "//secret.txt", "/./index.html", "/assets/..%252fsecret.txt"),
        fc.array(fc.constantFrom("..", "%2e%2e", ".%2e", "assets", ".", "", "secret.txt", "%00", "index.html"), { minLength: 1, maxLength: 5 }).map((segments) => `/${segments.join("/")}`),
      ),
      method: fc.constantFrom("GET", "GET", "HEAD", "POST"),
      accept: fc.constantFrom("text/html", "*/*", "application/json"),
      form: fc.constantFrom("origin", "origin", "origin", "absolute"),
    },
    { noNullPrototype: true },
  )
  .map((r) => ({
    method: r.method,
    target: r.form === "absolute" ? `http://127.0.0.1${r.path}` : r.path,
    httpVersion: "HTTP/1.1",
    headers: [
      ["Host", "127.0.0.1"],
      ["Accept", r.accept],
      ...(r.method === "POST" ? ([["Content-Length", "0"]] as [string, string][]) : []),
    ] as [string, string][],
    body: [],
    pauseMs: 0,
    end: "keep" as const,
  }));

// ---------------------------------------------------------------------------------------------
// Frame sequences
// ---------------------------------------------------------------------------------------------

/** The WebSocket endpoints by their journal names. */
export type WsEndpoint = "stt-v1" | "stt-turns" | "tts";
export const WS_PATH_OF: Record<WsEndpoint, string> = { "stt-v1": sttV1.PATH, "stt-turns": sttTurns.PATH, tts: tts.PATH };

/** One frame (or a burst of frames) of a sequence; payloads are latin1 strings. */
export type FramePlan =
  | { t: "text"; data: string }
  | { t: "binary"; data: string }
  | { t: "fragmented"; opcode: "text" | "binary"; parts: string[]; pingBetween: boolean }
  | { t: "ping"; count: number; payload: string }
  | { t: "pong"; payload: string }
  | { t: "close"; code: number | undefined; reason: string }
  | { t: "bad"; flaw: "rsv" | "unmasked" | "opcode" | "long-control" | "fragmented-control" | "orphan-continuation" | "oversize" | "unfinished-fragment"; data: string };

/** A WebSocket session of the fuzzer: a valid handshake, then frames. */
export interface FrameCase {
  endpoint: WsEndpoint;
  version: string;
  /** `/s/<scenario>` or "". */
  prefix: string;
  frames: FramePlan[];
  /** After the frames: a normal close (the harness sends it), a half-close, or a cut. */
  end: "close" | "half-close" | "destroy";
}

const utf8 = (s: string) => Buffer.from(s, "utf8").toString("latin1");
const bytesText = (u: Uint8Array) => Buffer.from(u).toString("latin1");

/** A valid client message of the endpoint, as the frame it travels in. */
function validFrameArb(endpoint: WsEndpoint, version: string): fc.Arbitrary<FramePlan> {
  const idOrString = version >= ARBITRARY_VERSIONS.idOrString;
  switch (endpoint) {
    case "tts":
      return (idOrString ? ttsArbitraries.clientMessageIdOrString : ttsArbitraries.clientMessage).map((m) => ({ t: "text" as const, data: utf8(tts.encodeClientMessage(m)) }));
    case "stt-turns":
      return sttTurnsArbitraries.clientMessage.map((m) => {
        const f = sttTurns.encodeClientMessage(m);
        return typeof f === "string" ? { t: "text" as const, data: utf8(f) } : { t: "binary" as const, data: bytesText(f) };
      });
    case "stt-v1":
      return sttV1Arbitraries.clientMessage.map((m) => {
        const f = sttV1.encodeClientMessage(m);
        return typeof f === "string" ? { t: "text" as const, data: utf8(f) } : { t: "binary" as const, data: bytesText(f) };
      });
  }
}

/** A frame that bends a valid one: mutated JSON, text sent as binary and back, cut short. */
function mutatedFrameArb(endpoint: WsEndpoint, version: string): fc.Arbitrary<FramePlan> {
  return fc.tuple(validFrameArb(endpoint, version), fc.array(jsonMutationArb, { minLength: 1, maxLength: 3 }), fc.constantFrom("json", "swap", "truncate", "odd")).map(([frame, mutations, how]): FramePlan => {
    if (frame.t !== "text" && frame.t !== "binary") return frame;
    if (how === "swap") return { t: frame.t === "text" ? "binary" : "text", data: frame.data };
    if (how === "truncate") return { ...frame, data: frame.data.slice(0, Math.max(0, Math.floor(frame.data.length / 2))) };
    if (how === "odd") return { t: "binary", data: `${frame.data}\x00`.slice(0, (frame.data.length | 1)) };
    if (frame.t === "binary") return frame;
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(frame.data, "latin1").toString("utf8"));
    } catch {
      return frame;
    }
    return { t: "text", data: utf8(JSON.stringify(mutateJson(parsed, mutations)) ?? "") };
  });
}

/** Frames no valid client sends, and abuse of the framing layer itself. */
const hostileFrameArb: fc.Arbitrary<FramePlan> = fc.oneof(
  { arbitrary: junkTextArb.map((s) => ({ t: "text" as const, data: utf8(s) })), weight: 4 },
  { arbitrary: invalidUtf8Arb.map((data) => ({ t: "text" as const, data })), weight: 2 },
  { arbitrary: fc.constantFrom("", "\x00", "\x01\x02\x03").map((data) => ({ t: "binary" as const, data })), weight: 2 },
  { arbitrary: fc.uint8Array({ maxLength: 1001 }).map((u) => ({ t: "binary" as const, data: bytesText(u) })), weight: 2 },
  {
    arbitrary: fc
      .record({ opcode: fc.constantFrom<"text" | "binary">("text", "binary"), parts: fc.array(fc.string({ unit: "grapheme-ascii", maxLength: 12 }), { minLength: 1, maxLength: 4 }), pingBetween: fc.boolean() }, { noNullPrototype: true })
      .map((r) => ({ t: "fragmented" as const, ...r })),
    weight: 2,
  },
  { arbitrary: fc.record({ count: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 20 }), weight: 9 }, { arbitrary: fc.constant(300), weight: 1 }), payload: fc.string({ unit: "grapheme-ascii", maxLength: 125 }) }, { noNullPrototype: true }).map((r) => ({ t: "ping" as const, ...r })), weight: 2 },
  { arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 20 }).map((payload) => ({ t: "pong" as const, payload })), weight: 1 },
  {
    arbitrary: fc
      .record(
        {
          code: fc.oneof(fc.constantFrom(undefined, 1000, 1001, 1002, 1003, 1005, 1006, 1007, 1011, 1015, 999, 1004, 2999, 3000, 4000, 4999, 5000, 65535, 0), fc.integer({ min: 0, max: 65535 })),
          reason: fc.oneof(fc.string({ maxLength: 20 }), fc.constant("\xff\xfe"), fc.constant("r".repeat(130))),
        },
        { noNullPrototype: true },
      )
      .map((r) => ({ t: "close" as const, ...r })),
    weight: 1,
  },
  {
    arbitrary: fc
      .record({ flaw: fc.constantFrom("rsv", "unmasked", "opcode", "long-control", "fragmented-control", "orphan-continuation", "oversize", "unfinished-fragment"), data: fc.string({ unit: "grapheme-ascii", maxLength: 16 }) }, { noNullPrototype: true })
      .map((r) => ({ t: "bad" as const, ...r })),
    weight: 2,
  },
);

/** A frame sequence for one endpoint: valid, mutated and hostile frames mixed. */
export function frameCaseArb(endpoint?: WsEndpoint): fc.Arbitrary<FrameCase> {
  return fc
    .record(
      {
        endpoint: endpoint === undefined ? fc.constantFrom<WsEndpoint>("stt-v1", "stt-turns", "tts") : fc.constant(endpoint),
        version: fc.constantFrom(ARBITRARY_VERSIONS.default, ARBITRARY_VERSIONS.legacy, ARBITRARY_VERSIONS.idOrString),
        prefix: fc.constantFrom("", "", "", "/s/default", "/s/tts-basic", "/s/multi-turn", "/s/error-mid-turn", "/s/drop-mid-turn"),
        end: fc.constantFrom<FrameCase["end"]>("close", "close", "close", "half-close", "destroy"),
      },
      { noNullPrototype: true },
    )
    .chain((r) =>
      fc
        .array(
          fc.oneof(
            { arbitrary: validFrameArb(r.endpoint, r.version), weight: 4 },
            { arbitrary: mutatedFrameArb(r.endpoint, r.version), weight: 4 },
            { arbitrary: hostileFrameArb, weight: 3 },
          ),
          { minLength: 1, maxLength: 12 },
        )
        .map((frames) => ({ ...r, frames })),
    );
}

/** How many frames a plan puts on the wire. */
export function frameCount(plan: FramePlan): number {
  switch (plan.t) {
    case "fragmented":
      return plan.parts.length + (plan.pingBetween ? 1 : 0);
    case "ping":
      return plan.count;
    case "bad":
      return plan.flaw === "fragmented-control" || plan.flaw === "unfinished-fragment" ? 2 : 1;
    default:
      return 1;
  }
}

/** The bytes of one plan (one or more frames). */
export function renderFrame(plan: FramePlan): Buffer {
  const b = (s: string) => Buffer.from(s, "latin1");
  switch (plan.t) {
    case "text":
      return encodeFrame({ opcode: OPCODE.text, payload: b(plan.data) });
    case "binary":
      return encodeFrame({ opcode: OPCODE.binary, payload: b(plan.data) });
    case "pong":
      return encodeFrame({ opcode: OPCODE.pong, payload: b(plan.payload) });
    case "close":
      return encodeFrame({ opcode: OPCODE.close, payload: closePayload(plan.code, plan.reason) });
    case "ping": {
      const one = encodeFrame({ opcode: OPCODE.ping, payload: b(plan.payload) });
      return Buffer.concat(Array.from({ length: plan.count }, () => one));
    }
    case "fragmented": {
      const frames = plan.parts.map((part, i) =>
        encodeFrame({ opcode: i === 0 ? OPCODE[plan.opcode] : OPCODE.continuation, fin: i === plan.parts.length - 1, payload: b(part) }),
      );
      if (plan.pingBetween && frames.length > 1) frames.splice(1, 0, encodeFrame({ opcode: OPCODE.ping, payload: b("p") }));
      return Buffer.concat(frames);
    }
    case "bad": {
      const payload = b(plan.data);
      switch (plan.flaw) {
        case "rsv":
          return encodeFrame({ opcode: OPCODE.text, payload, rsv: 4 });
        case "unmasked":
          return encodeFrame({ opcode: OPCODE.text, payload, masked: false });
        case "opcode":
          return encodeFrame({ opcode: 0x3, payload });
        case "long-control":
          return encodeFrame({ opcode: OPCODE.ping, payload: Buffer.alloc(126, 0x61) });
        case "fragmented-control":
          return Buffer.concat([encodeFrame({ opcode: OPCODE.ping, payload, fin: false }), encodeFrame({ opcode: OPCODE.continuation, payload })]);
        case "orphan-continuation":
          return encodeFrame({ opcode: OPCODE.continuation, payload });
        case "oversize":
          // Announces 5 MiB (over the 4 MiB limit) and sends only a few bytes of it.
          return encodeFrame({ opcode: OPCODE.binary, payload, declaredLength: 5 * 1024 * 1024 });
        case "unfinished-fragment":
          return Buffer.concat([encodeFrame({ opcode: OPCODE.text, payload, fin: false }), encodeFrame({ opcode: OPCODE.text, payload })]);
      }
    }
  }
}

/** The valid handshake of a frame case (query from the endpoint's usual one). */
export function frameCaseHandshake(c: { endpoint: WsEndpoint; version: string; prefix: string }, extraQuery = ""): Buffer {
  const query = c.endpoint === "stt-v1" ? "model=ink-whisper&encoding=pcm_s16le&sample_rate=16000&language=en" : c.endpoint === "stt-turns" ? "model=ink-2&encoding=pcm_s16le&sample_rate=16000" : "";
  const q = [query, `cartesia_version=${c.version}`, extraQuery].filter((s) => s !== "").join("&");
  return renderHead("GET", `${c.prefix}${WS_PATH_OF[c.endpoint]}?${q}`, [
    ["Host", "127.0.0.1"],
    ["Upgrade", "websocket"],
    ["Connection", "Upgrade"],
    ["Sec-WebSocket-Key", WS_KEY],
    ["Sec-WebSocket-Version", "13"],
  ]);
}

/** The conversation steps of a frame case. */
export function frameCaseSteps(c: FrameCase): WsStep[] {
  const steps: WsStep[] = c.frames.map((f) => ({ send: renderFrame(f) }));
  if (c.end !== "close") steps.push({ end: c.end });
  return steps;
}

// ---------------------------------------------------------------------------------------------
// Full sessions
// ---------------------------------------------------------------------------------------------

/** A whole valid session: what a well-behaved client does from handshake to the end. */
export type SessionCase =
  | { endpoint: "stt-turns"; query: string; version: string; audioSeconds: number; chunkBytes: number; config: string | undefined }
  | { endpoint: "stt-v1"; query: string; version: string; audioSeconds: number; chunkBytes: number; finalizeEvery: number }
  | { endpoint: "tts"; version: string; requests: string[] }
  | { endpoint: "tts-bytes"; version: string; body: string }
  | { endpoint: "tts-sse"; version: string; body: string };

/** Valid sessions of every endpoint, with the protocol's valid queries and messages. */
export const sessionCaseArb: fc.Arbitrary<SessionCase> = fc.oneof(
  fc
    .record(
      {
        query: sttTurnsArbitraries.query.map((q) => sttTurns.encodeQuery({ ...q, api_key: undefined, access_token: undefined, cartesia_version: undefined } as sttTurns.Query)),
        version: fc.constantFrom(ARBITRARY_VERSIONS.default, ARBITRARY_VERSIONS.legacy),
        audioSeconds: fc.integer({ min: 0, max: 12 }),
        chunkBytes: fc.constantFrom(320, 640, 3200, 16000),
        config: fc.option(sttTurnsArbitraries.config.map((c) => JSON.stringify(c)), { nil: undefined }),
      },
      { noNullPrototype: true },
    )
    .map((r) => ({ endpoint: "stt-turns" as const, ...r })),
  fc
    .record(
      {
        query: sttV1Arbitraries.query.map((q) => sttV1.encodeQuery({ ...q, api_key: undefined, access_token: undefined, cartesia_version: undefined } as sttV1.Query)),
        version: fc.constantFrom(ARBITRARY_VERSIONS.default, ARBITRARY_VERSIONS.legacy),
        audioSeconds: fc.integer({ min: 0, max: 12 }),
        chunkBytes: fc.constantFrom(320, 640, 3200, 16000),
        finalizeEvery: fc.integer({ min: 0, max: 4 }),
      },
      { noNullPrototype: true },
    )
    .map((r) => ({ endpoint: "stt-v1" as const, ...r })),
  fc
    .array(ttsArbitraries.generationRequest, { minLength: 1, maxLength: 3 })
    .map((requests) => ({
      endpoint: "tts" as const,
      version: ARBITRARY_VERSIONS.default,
      // Distinct contexts, each finished (continue:false), so the session ends with a `done` per context.
      requests: requests.map((r, i) => JSON.stringify({ ...r, context_id: `fuzz-${i}`, continue: false, max_buffer_delay_ms: 0 })),
    })),
  // Over HTTP a transcript with nothing to speak is a 400 (the docs' error-handling example): not a valid session.
  ttsBytesArbitraries.request.filter(speaks).map((r) => ({ endpoint: "tts-bytes" as const, version: ARBITRARY_VERSIONS.default, body: JSON.stringify(r) })),
  ttsSseArbitraries.request.filter(speaks).map((r) => ({ endpoint: "tts-sse" as const, version: ARBITRARY_VERSIONS.default, body: JSON.stringify(r) })),
);

/** Whether an HTTP TTS request has a transcript that is not empty or only whitespace. */
function speaks(request: { transcript: string }): boolean {
  return request.transcript.trim() !== "";
}

// ---------------------------------------------------------------------------------------------
// Abusive clients
// ---------------------------------------------------------------------------------------------

/** A client that holds resources without finishing: idle, not reading, half-closing, flooding. */
export type AbuseCase =
  | { kind: "idle-sockets"; count: number; partialHead: boolean; holdMs: number }
  | { kind: "non-reading"; words: number; holdMs: number }
  | { kind: "half-close-after-upgrade"; endpoint: WsEndpoint }
  | { kind: "ping-flood"; endpoint: WsEndpoint; count: number }
  | { kind: "many-sessions"; endpoint: WsEndpoint; count: number };

export const abuseCaseArb: fc.Arbitrary<AbuseCase> = fc.oneof(
  fc.record({ kind: fc.constant("idle-sockets" as const), count: fc.integer({ min: 1, max: 40 }), partialHead: fc.boolean(), holdMs: fc.integer({ min: 0, max: 300 }) }, { noNullPrototype: true }),
  fc.record({ kind: fc.constant("non-reading" as const), words: fc.integer({ min: 50, max: 400 }), holdMs: fc.integer({ min: 50, max: 400 }) }, { noNullPrototype: true }),
  fc.record({ kind: fc.constant("half-close-after-upgrade" as const), endpoint: fc.constantFrom<WsEndpoint>("stt-v1", "stt-turns", "tts") }, { noNullPrototype: true }),
  fc.record({ kind: fc.constant("ping-flood" as const), endpoint: fc.constantFrom<WsEndpoint>("stt-v1", "stt-turns", "tts"), count: fc.integer({ min: 100, max: 5000 }) }, { noNullPrototype: true }),
  fc.record({ kind: fc.constant("many-sessions" as const), endpoint: fc.constantFrom<WsEndpoint>("stt-v1", "stt-turns", "tts"), count: fc.integer({ min: 2, max: 30 }) }, { noNullPrototype: true }),
);
