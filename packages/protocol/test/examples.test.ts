/**
 * Every example of PROTOCOL.md parses with its endpoint's parse function, strictly at its own
 * version and leniently; the error examples are tied to their version's shape (§1.4).
 */
import { describe, expect, it } from "vitest";
import {
  accessToken,
  fail,
  KNOWN_VERSIONS,
  normalizeHttpError,
  ok,
  readCredentials,
  resolveVersion,
  shapesForVersion,
  STRICTNESS_LEVELS,
  sttBatch,
  sttTurns,
  sttV1,
  tts,
  ttsBytes,
  ttsSse,
  type Result,
  type SchemaOptions,
} from "../src/index.js";
import {
  CURRENT_VERSION,
  example,
  exampleJson,
  LEGACY_STT_VERSION,
  LEGACY_TTS_VERSION,
  PROTOCOL_EXAMPLES,
  SSE_EXAMPLE_BODY,
  type ProtocolExample,
} from "./fixtures/protocol-examples.js";

/** The HTTP endpoints whose error body is the §1.4 one. */
const HTTP_ERROR_BODIES = {
  "tts-bytes": (o: SchemaOptions) => ttsBytes.schemas(o).errorBody,
  "tts-sse": (o: SchemaOptions) => ttsSse.schemas(o).errorBody,
  "stt-batch": (o: SchemaOptions) => sttBatch.schemas(o).errorBody,
  "access-token": (o: SchemaOptions) => accessToken.schemas(o).errorBody,
} as const;

/** Reads an HTTP error body with a schema, as a `Result` like every other parse. */
function parseHttpErrorBody(text: string, endpoint: keyof typeof HTTP_ERROR_BODIES, options: SchemaOptions): Result<unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail("invalid_json", [{ path: "(root)", message: "not JSON" }]);
  }
  const parsed = HTTP_ERROR_BODIES[endpoint](options).safeParse(json);
  return parsed.success
    ? ok(parsed.data)
    : fail("invalid_message", parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })));
}

/** The `data` payloads of an SSE text, through the package's own decoder. */
function sseData(text: string): string[] {
  const decoder = new ttsSse.SseDecoder();
  return [...decoder.push(text), ...decoder.end()];
}

/** Parses an example with the parse function its endpoint and direction call for. */
function parseExample(e: ProtocolExample, options: SchemaOptions): Result<unknown> {
  switch (e.format) {
    case "url": {
      const query = new URL(e.text, "wss://api.cartesia.ai").searchParams;
      if (e.endpoint === "stt-v1") return sttV1.parseQuery(query, options);
      if (e.endpoint === "stt-turns") return sttTurns.parseQuery(query, options);
      if (e.endpoint === "tts") return tts.parseQuery(query, options);
      if (e.endpoint === "stt-batch") return sttBatch.parseQuery(query, options);
      throw new Error(`no query parser for ${e.endpoint}`);
    }
    case "sse": {
      const events = sseData(`${e.text}\n\n`);
      if (events.length !== 1) return fail("invalid_message", [{ path: "(root)", message: `expected 1 SSE event, got ${events.length}` }]);
      return ttsSse.parseEvent(events[0] as string, options);
    }
    case "http-error":
      return parseHttpErrorBody(e.text, e.endpoint as keyof typeof HTTP_ERROR_BODIES, options);
    case "json": {
      const fromServer = e.direction === "server→client";
      switch (e.endpoint) {
        case "stt-v1":
          return fromServer ? sttV1.parseServerMessage(e.text, options) : sttV1.parseClientMessage(e.text);
        case "stt-turns":
          return fromServer ? sttTurns.parseServerMessage(e.text, options) : sttTurns.parseClientMessage(e.text, options);
        case "tts":
          return fromServer ? tts.parseServerMessage(e.text, options) : tts.parseClientMessage(e.text, options);
        case "tts-sse":
          return fromServer ? ttsSse.parseEvent(e.text, options) : ttsSse.parseRequest(e.text, options);
        case "tts-bytes":
          return ttsBytes.parseRequest(e.text, options);
        case "stt-batch":
          return sttBatch.parseResponse(e.text, options);
        case "access-token":
          return fromServer ? accessToken.parseResponse(e.text, options) : accessToken.parseRequest(e.text, options);
      }
    }
  }
}

/** The example as the JSON value it carries (the `data:` payload for SSE lines). */
function expectedValue(e: ProtocolExample): unknown {
  if (e.format === "sse") return JSON.parse(e.text.slice("data: ".length));
  if (e.format === "url") return undefined;
  return JSON.parse(e.text);
}

/** Asserts success with a readable failure message (the parse error, not just `false`). */
function expectOk(result: Result<unknown>, label: string): unknown {
  if (!result.ok) expect.fail(`${label}: ${result.error.reason}: ${result.error.message}`);
  return result.value;
}

const label = (e: ProtocolExample) => `${e.section} ${e.name}`;

describe("the fixtures cover every example section of PROTOCOL.md", () => {
  it("has the sections §1.4, §2.6, §3.6, §4, §5.7, §6.2 and §7", () => {
    expect(new Set(PROTOCOL_EXAMPLES.map((e) => e.section))).toEqual(new Set(["§1.4", "§2.6", "§3.6", "§4", "§5.7", "§6.2", "§7"]));
  });

  it("has both error shapes for STT and TTS, each at a version of its shape", () => {
    const errors = PROTOCOL_EXAMPLES.filter((e) => e.errorShape !== undefined);
    for (const e of errors) expect(shapesForVersion(e.version).errors, label(e)).toBe(e.errorShape);
    expect(errors.map((e) => `${e.endpoint}/${e.errorShape}`).sort()).toEqual(
      ["stt-v1/legacy", "stt-v1/structured", "tts-bytes/structured", "tts/legacy", "tts/structured"].sort(),
    );
  });

  it("uses a legacy version only for legacy shapes, and 2026-03-01 for everything else", () => {
    for (const e of PROTOCOL_EXAMPLES) {
      if (e.errorShape === "legacy") expect([LEGACY_STT_VERSION, LEGACY_TTS_VERSION], label(e)).toContain(e.version);
      else expect(e.version, label(e)).toBe(CURRENT_VERSION);
    }
  });
});

describe.each(PROTOCOL_EXAMPLES.map((e) => [label(e), e] as const))("%s", (_name, e) => {
  it(`parses under strict at ${e.version}, unchanged`, () => {
    const value = expectOk(parseExample(e, { strictness: "strict", version: e.version }), label(e));
    const expected = expectedValue(e);
    if (expected !== undefined) expect(value).toEqual(expected);
  });

  it("parses under lenient (no version given, and at its version)", () => {
    const value = expectOk(parseExample(e, { strictness: "lenient" }), label(e));
    expectOk(parseExample(e, { strictness: "lenient", version: e.version }), label(e));
    const expected = expectedValue(e);
    if (expected !== undefined) expect(value).toEqual(expected);
  });

  it("parses under validating at its version (what the mock server uses)", () => {
    expectOk(parseExample(e, { strictness: "validating", version: e.version }), label(e));
  });
});

describe("error examples are tied to the shape of their version (§1.4)", () => {
  const errorExamples = PROTOCOL_EXAMPLES.filter((e) => e.errorShape !== undefined && e.format === "json");

  it.each(errorExamples.map((e) => [label(e), e] as const))("%s is rejected by strict at a version of the other shape", (_n, e) => {
    const otherVersions = e.errorShape === "structured" ? [LEGACY_STT_VERSION, LEGACY_TTS_VERSION] : [CURRENT_VERSION, "2026-08-14"];
    for (const version of otherVersions) {
      const result = parseExample(e, { strictness: "strict", version });
      expect(result.ok, `${label(e)} at ${version}`).toBe(false);
      if (result.ok) continue;
      expect(result.error.reason).toBe("invalid_message");
      // The issues name the fields that tell the shapes apart.
      const paths = result.error.issues.map((i) => i.path);
      if (e.errorShape === "legacy") expect(paths).toContain("title");
      else expect(paths).toContain(e.endpoint === "tts" ? "error" : "code");
    }
  });

  it("the structured STT error is rejected before 2026-03-01 on /stt/websocket, and taken at every version on the turns endpoint", () => {
    const text = example("stt-v1 error (structured)").text;
    for (const version of ["2024-11-13", "2025-04-16", "2025-11-04"]) {
      expect(sttV1.parseServerMessage(text, { strictness: "strict", version }).ok, version).toBe(false);
      // The turns endpoint postdates the legacy shape (§1.4, §3.3).
      expect(sttTurns.parseServerMessage(text, { strictness: "strict", version }).ok, version).toBe(true);
    }
  });

  it("the legacy STT error is rejected at 2026-03-01 and 2026-08-14 on both STT endpoints", () => {
    const text = example("stt-v1 error (legacy)").text;
    for (const version of ["2026-03-01", "2026-08-14"]) {
      expect(sttV1.parseServerMessage(text, { strictness: "strict", version }).ok, version).toBe(false);
      expect(sttTurns.parseServerMessage(text, { strictness: "strict", version }).ok, version).toBe(false);
    }
  });

  it("the §2.6 structured STT error is also a valid turns error; the legacy one only for lenient reading (§3.3)", () => {
    const structured = example("stt-v1 error (structured)");
    expectOk(sttTurns.parseServerMessage(structured.text, { strictness: "strict", version: structured.version }), structured.name);
    const legacy = example("stt-v1 error (legacy)");
    expect(sttTurns.parseServerMessage(legacy.text, { strictness: "strict", version: legacy.version }).ok).toBe(false);
    expectOk(sttTurns.parseServerMessage(legacy.text, { strictness: "lenient" }), legacy.name);
  });

  it("lenient reading accepts both shapes at any version, so a client understands either server", () => {
    for (const e of errorExamples) {
      for (const version of KNOWN_VERSIONS) expectOk(parseExample(e, { strictness: "lenient", version }), `${label(e)} at ${version}`);
    }
  });
});

describe("examples whose shape does not depend on the version", () => {
  const versionFree = PROTOCOL_EXAMPLES.filter((e) => e.errorShape === undefined && !(e.endpoint === "tts" && e.direction === "client→server"));

  it.each(versionFree.map((e) => [label(e), e] as const))("%s parses under strict at every known version", (_n, e) => {
    for (const version of KNOWN_VERSIONS) expectOk(parseExample(e, { strictness: "strict", version }), `${label(e)} at ${version}`);
  });

  it("§5.7 requests use the {mode:\"id\"} voice, valid at every version up to 2026-03-01 (§5.2 table)", () => {
    const requests = PROTOCOL_EXAMPLES.filter((e) => e.endpoint === "tts" && e.direction === "client→server");
    expect(requests).toHaveLength(4);
    for (const e of requests) {
      for (const version of KNOWN_VERSIONS.filter((v) => v <= CURRENT_VERSION)) {
        expectOk(parseExample(e, { strictness: "strict", version }), `${label(e)} at ${version}`);
      }
    }
  });

  it("a §5.7 request with the 2026-08-14 string voice is valid at 2026-08-14 only", () => {
    const request = { ...exampleJson("tts generation request (continue)"), voice: "6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81" };
    expectOk(tts.parseClientMessage(JSON.stringify(request), { strictness: "strict", version: "2026-08-14" }), "string voice at 2026-08-14");
    const old = tts.parseClientMessage(JSON.stringify(request), { strictness: "strict", version: CURRENT_VERSION });
    expect(old.ok).toBe(false);
    if (!old.ok) expect(old.error.issues.map((i) => i.path)).toContain("voice");
  });
});

describe("§2.6 handshake", () => {
  const e = example("stt-v1 handshake");
  const url = new URL(e.text, "wss://api.cartesia.ai");

  it("is the /stt/websocket path", () => {
    expect(url.pathname).toBe(sttV1.PATH);
  });

  it("decodes numbers as numbers", () => {
    const value = expectOk(sttV1.parseQuery(url.search, { strictness: "strict" }), e.name);
    expect(value).toEqual({ model: "ink-whisper", encoding: "pcm_s16le", sample_rate: 16000, language: "en", max_silence_duration_secs: 0.4 });
  });

  it("re-encodes to the same query string", () => {
    const parsed = sttV1.parseQuery(url.searchParams, { strictness: "strict" });
    if (!parsed.ok) expect.fail(parsed.error.message);
    expect(sttV1.encodeQuery(parsed.value)).toBe(url.search.slice(1));
  });

  it("carries a bearer credential and the 2026-03-01 version in its headers", () => {
    const headers = e.headers ?? {};
    expect(readCredentials({ headers, query: url.searchParams })).toEqual([{ kind: "bearer", value: "sk_car_…", source: "authorization" }]);
    const version = resolveVersion({ header: headers["Cartesia-Version"], query: url.searchParams.get("cartesia_version") });
    expect(version).toEqual({ ok: true, value: { version: "2026-03-01", source: "header" } });
    expect(shapesForVersion(CURRENT_VERSION)).toEqual({ errors: "structured", voice: "mode-object" });
  });
});

describe("§3.6 turns examples", () => {
  it("parses each event into its own type, in the printed order", () => {
    const events = PROTOCOL_EXAMPLES.filter((e) => e.endpoint === "stt-turns" && e.direction === "server→client");
    const types = events.map((e) => (expectOk(sttTurns.parseServerMessage(e.text, { strictness: "strict" }), e.name) as { type: string }).type);
    expect(types).toEqual(["connected", "turn.start", "turn.update", "turn.eager_end", "turn.resume", "turn.update", "turn.end"]);
  });

  it("parses the client commands and re-encodes them to the same JSON", () => {
    for (const name of ["stt-turns config command", "stt-turns close command"]) {
      const e = example(name);
      const value = expectOk(sttTurns.parseClientMessage(e.text, { strictness: "strict" }), name);
      expect(JSON.parse(sttTurns.encodeClientMessage(value as sttTurns.ClientMessage) as string)).toEqual(JSON.parse(e.text));
    }
  });
});

describe("round trips through the encoders", () => {
  it.each(PROTOCOL_EXAMPLES.filter((e) => e.format === "json").map((e) => [label(e), e] as const))("%s", (_n, e) => {
    const value = expectOk(parseExample(e, { strictness: "strict", version: e.version }), label(e));
    const fromServer = e.direction === "server→client";
    let encoded: string;
    switch (e.endpoint) {
      case "stt-v1":
        encoded = sttV1.encodeServerMessage(value as sttV1.ServerMessage);
        break;
      case "stt-turns":
        encoded = fromServer
          ? sttTurns.encodeServerMessage(value as sttTurns.ServerMessage)
          : (sttTurns.encodeClientMessage(value as sttTurns.ClientMessage) as string);
        break;
      case "tts":
        encoded = fromServer ? tts.encodeServerMessage(value as tts.ServerMessage) : tts.encodeClientMessage(value as tts.ClientMessage);
        break;
      case "stt-batch":
        encoded = sttBatch.encodeResponse(value as sttBatch.Response);
        break;
      case "access-token":
        encoded = fromServer ? accessToken.encodeResponse(value as accessToken.Response) : accessToken.encodeRequest(value as accessToken.Request);
        break;
      default:
        throw new Error(`no encoder for ${e.endpoint}`);
    }
    expect(JSON.parse(encoded)).toEqual(JSON.parse(e.text));
  });

  it("tts cancel is told apart from a generation request", () => {
    const cancel = expectOk(tts.parseClientMessage(example("tts cancel").text, { strictness: "strict" }), "cancel") as tts.ClientMessage;
    const request = expectOk(
      tts.parseClientMessage(example("tts generation request (flush)").text, { strictness: "strict" }),
      "flush",
    ) as tts.ClientMessage;
    expect(tts.isCancel(cancel)).toBe(true);
    expect(tts.isCancel(request)).toBe(false);
  });
});

describe("§6.2 SSE example body", () => {
  it("decodes to two events, chunk then done, each valid under strict and lenient", () => {
    const data = sseData(SSE_EXAMPLE_BODY);
    expect(data).toHaveLength(2);
    for (const strictness of STRICTNESS_LEVELS) {
      const types = data.map((d) => (expectOk(ttsSse.parseEvent(d, { strictness }), strictness) as { type: string }).type);
      expect(types).toEqual(["chunk", "done"]);
    }
  });

  it("re-encodes each event to the printed line", () => {
    for (const e of PROTOCOL_EXAMPLES.filter((x) => x.format === "sse")) {
      const value = expectOk(parseExample(e, { strictness: "strict" }), e.name);
      expect(ttsSse.encodeEvent(value as ttsSse.Event)).toBe(`${e.text}\n\n`);
    }
  });
});

describe("§1.4 HTTP error example", () => {
  const e = example("HTTP error body (structured)");

  it.each(Object.keys(HTTP_ERROR_BODIES))("is a valid %s error body under every strictness", (endpoint) => {
    for (const strictness of STRICTNESS_LEVELS) {
      expectOk(parseHttpErrorBody(e.text, endpoint as keyof typeof HTTP_ERROR_BODIES, { strictness, version: e.version }), `${endpoint} ${strictness}`);
    }
  });

  it("normalizes to a structured error with its code", () => {
    expect(normalizeHttpError(429, e.text)).toEqual({
      status: 429,
      code: "concurrency_limited",
      title: "Too many concurrent requests",
      message: "Concurrency limit exceeded for this plan.",
      requestId: "1b4e28ba-2fa1-41d2-883f-0016d3cca427",
      docUrl: undefined,
      shape: "structured",
    });
  });
});
