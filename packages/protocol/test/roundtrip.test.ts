/**
 * Property tests over the message arbitraries: every generated message survives its endpoint's
 * encode → parse round trip unchanged (strict at the versions it is valid at, and lenient), and
 * validates against the strict schema the message catalogue lists for it.
 * Replay a failure with FC_SEED=<seed> (fast-check prints it); FC_NUM_RUNS sets the run count.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import {
  ARBITRARY_VERSIONS,
  accessTokenArbitraries,
  base64AudioArb,
  contextIdArb,
  requestIdArb,
  sttBatchArbitraries,
  sttTurnsArbitraries,
  sttV1Arbitraries,
  transcriptTextArb,
  ttsArbitraries,
  ttsBytesArbitraries,
  ttsSseArbitraries,
} from "../src/arbitraries/messages.js";
import {
  accessToken,
  MESSAGE_CATALOG,
  normalizeHttpError,
  queryRecord,
  schemasForVersion,
  sttBatch,
  sttTurns,
  sttV1,
  toHttpErrorResponse,
  tts,
  ttsBytes,
  ttsSse,
  type Result,
  type SchemaOptions,
} from "../src/index.js";
import { fcOptions } from "./fc-options.js";

const { default: DEFAULT, legacy: LEGACY, idOrString: ID_OR_STRING } = ARBITRARY_VERSIONS;
/** Versions where a message's shape does not depend on the version. */
const ANY_VERSION = [DEFAULT, LEGACY, ID_OR_STRING];
/** Versions with structured errors. */
const STRUCTURED = [DEFAULT, ID_OR_STRING];
/** Versions with the `{mode:"id"}` voice. */
const MODE_OBJECT = [DEFAULT, LEGACY];

/** The parsed value, or an error naming the reason and fields (fast-check reports it with the seed). */
function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`parse failed (${result.error.reason}): ${result.error.message}`);
  return result.value;
}

interface RoundTrip {
  name: string;
  arb: fc.Arbitrary<unknown>;
  /** The versions whose strict schemas accept every generated value. */
  versions: readonly string[];
  /** Encodes the value, parses it back with the options and returns the parsed value. */
  run: (value: unknown, options: SchemaOptions) => unknown;
}

function rt<T>(name: string, arb: fc.Arbitrary<T>, versions: readonly string[], run: (value: T, options: SchemaOptions) => unknown): RoundTrip {
  return { name, arb: arb as fc.Arbitrary<unknown>, versions, run: run as RoundTrip["run"] };
}

/** HTTP error body → `CartesiaError` → HTTP error body, and JSON through the endpoint's errorBody schema. */
function errorBodyRoundTrip(endpoint: "ttsBytes" | "ttsSse" | "sttBatch" | "accessToken") {
  return (body: z.output<ReturnType<typeof ttsBytes.schemas>["errorBody"]>, options: SchemaOptions) => {
    const schema = schemasForVersion(options.version ?? DEFAULT, options.strictness)[endpoint].errorBody;
    const viaSchema = schema.safeParse(JSON.parse(JSON.stringify(body)));
    if (!viaSchema.success) throw new Error(`errorBody rejected: ${viaSchema.error.message}`);
    expect(viaSchema.data).toStrictEqual(body);
    const normalized = normalizeHttpError(400, JSON.stringify(body));
    const response = toHttpErrorResponse({ ...normalized, requestId: normalized.requestId ?? "" }, "structured");
    return JSON.parse(response.body) as unknown;
  };
}

const sttV1Server = (m: sttV1.ServerMessage, o: SchemaOptions) => unwrap(sttV1.parseServerMessage(sttV1.encodeServerMessage(m), o));
const sttTurnsServer = (m: sttTurns.ServerMessage, o: SchemaOptions) => unwrap(sttTurns.parseServerMessage(sttTurns.encodeServerMessage(m), o));
const ttsServer = (m: tts.ServerMessage, o: SchemaOptions) => unwrap(tts.parseServerMessage(tts.encodeServerMessage(m), o));
const ttsClient = (m: tts.ClientMessage, o: SchemaOptions) => unwrap(tts.parseClientMessage(tts.encodeClientMessage(m), o));
const sseEvent = (e: ttsSse.Event, o: SchemaOptions) => {
  // Through the SSE framing and the incremental decoder, as a client reads it.
  const data = new ttsSse.SseDecoder().push(ttsSse.encodeEvent(e));
  expect(data).toHaveLength(1);
  return unwrap(ttsSse.parseEvent(data[0] as string, o));
};

/** Every exported arbitrary of every group, with its round trip. */
const ROUND_TRIPS: Record<string, RoundTrip[]> = {
  sttV1Arbitraries: [
    rt("query", sttV1Arbitraries.query, ANY_VERSION, (q, o) => unwrap(sttV1.parseQuery(sttV1.encodeQuery(q), o))),
    rt("command", sttV1Arbitraries.command, ANY_VERSION, (c) => unwrap(sttV1.parseClientMessage(sttV1.encodeClientMessage({ type: c }))).type),
    rt("audio", sttV1Arbitraries.audio, ANY_VERSION, (data) => {
      const parsed = unwrap(sttV1.parseClientMessage(sttV1.encodeClientMessage({ type: "audio", data })));
      return parsed.type === "audio" ? parsed.data : parsed;
    }),
    rt("clientMessage", sttV1Arbitraries.clientMessage, ANY_VERSION, (m) => unwrap(sttV1.parseClientMessage(sttV1.encodeClientMessage(m)))),
    rt("config", sttV1Arbitraries.config, ANY_VERSION, (c, o) => unwrap(sttV1.parseClientMessage(sttV1.encodeClientMessage(c), o))),
    rt("clientFrame", sttV1Arbitraries.clientFrame, ANY_VERSION, (frame, o) => {
      const wire = typeof frame === "object" && !(frame instanceof Uint8Array) ? JSON.stringify(frame) : frame;
      const parsed = unwrap(sttV1.parseClientMessage(wire, o));
      return parsed.type === "config" ? parsed : sttV1.encodeClientMessage(parsed);
    }),
    rt("transcript", sttV1Arbitraries.transcript, ANY_VERSION, sttV1Server),
    rt("flushDone", sttV1Arbitraries.flushDone, ANY_VERSION, sttV1Server),
    rt("done", sttV1Arbitraries.done, ANY_VERSION, sttV1Server),
    rt("error", sttV1Arbitraries.error, STRUCTURED, sttV1Server),
    rt("legacyError", sttV1Arbitraries.legacyError, [LEGACY], sttV1Server),
    rt("serverMessage", sttV1Arbitraries.serverMessage, STRUCTURED, sttV1Server),
    rt("legacyServerMessage", sttV1Arbitraries.legacyServerMessage, [LEGACY], sttV1Server),
  ],
  sttTurnsArbitraries: [
    rt("query", sttTurnsArbitraries.query, ANY_VERSION, (q, o) => unwrap(sttTurns.parseQuery(sttTurns.encodeQuery(q), o))),
    rt("turnConfig", sttTurnsArbitraries.turnConfig, ANY_VERSION, (turn, o) => {
      const parsed = unwrap(sttTurns.parseClientMessage(sttTurns.encodeClientMessage({ type: "config", turn }), o));
      return parsed.type === "config" ? parsed.turn : parsed;
    }),
    rt("close", sttTurnsArbitraries.close, ANY_VERSION, (m, o) => unwrap(sttTurns.parseClientMessage(sttTurns.encodeClientMessage(m), o))),
    rt("config", sttTurnsArbitraries.config, ANY_VERSION, (m, o) => unwrap(sttTurns.parseClientMessage(sttTurns.encodeClientMessage(m), o))),
    rt("clientCommand", sttTurnsArbitraries.clientCommand, ANY_VERSION, (m, o) => unwrap(sttTurns.parseClientMessage(sttTurns.encodeClientMessage(m), o))),
    rt("audio", sttTurnsArbitraries.audio, ANY_VERSION, (data, o) => {
      const parsed = unwrap(sttTurns.parseClientMessage(sttTurns.encodeClientMessage({ type: "audio", data }), o));
      return parsed.type === "audio" ? parsed.data : parsed;
    }),
    rt("clientMessage", sttTurnsArbitraries.clientMessage, ANY_VERSION, (m, o) => unwrap(sttTurns.parseClientMessage(sttTurns.encodeClientMessage(m), o))),
    rt("clientFrame", sttTurnsArbitraries.clientFrame, ANY_VERSION, (frame, o) => {
      const wire = frame instanceof Uint8Array ? frame : JSON.stringify(frame);
      const parsed = unwrap(sttTurns.parseClientMessage(wire, o));
      return parsed.type === "audio" ? parsed.data : parsed;
    }),
    rt("connected", sttTurnsArbitraries.connected, ANY_VERSION, sttTurnsServer),
    rt("turnStart", sttTurnsArbitraries.turnStart, ANY_VERSION, sttTurnsServer),
    rt("turnUpdate", sttTurnsArbitraries.turnUpdate, ANY_VERSION, sttTurnsServer),
    rt("turnEagerEnd", sttTurnsArbitraries.turnEagerEnd, ANY_VERSION, sttTurnsServer),
    rt("turnResume", sttTurnsArbitraries.turnResume, ANY_VERSION, sttTurnsServer),
    rt("turnEnd", sttTurnsArbitraries.turnEnd, ANY_VERSION, sttTurnsServer),
    rt("error", sttTurnsArbitraries.error, STRUCTURED, sttTurnsServer),
    // The endpoint answers structured errors at every version: only lenient reading takes the legacy shape.
    rt("legacyError", sttTurnsArbitraries.legacyError, [LEGACY], (m) => sttTurnsServer(m, { strictness: "lenient" })),
    rt("serverMessage", sttTurnsArbitraries.serverMessage, STRUCTURED, sttTurnsServer),
    rt("legacyServerMessage", sttTurnsArbitraries.legacyServerMessage, [LEGACY], (m) => sttTurnsServer(m, { strictness: "lenient" })),
  ],
  ttsArbitraries: [
    rt("query", ttsArbitraries.query, ANY_VERSION, (q, o) => unwrap(tts.parseQuery(tts.encodeQuery(q), o))),
    rt("voice", ttsArbitraries.voice, MODE_OBJECT, (voice, o) => {
      const schema = tts.schemas(o).generationRequest.shape.voice;
      return unwrap(schemaResult(schema, JSON.parse(JSON.stringify(voice))));
    }),
    rt("voiceIdOrString", ttsArbitraries.voiceIdOrString, [ID_OR_STRING], (voice, o) => {
      const schema = tts.schemas(o).generationRequest.shape.voice;
      return unwrap(schemaResult(schema, JSON.parse(JSON.stringify(voice))));
    }),
    rt("generationConfig", ttsArbitraries.generationConfig, ANY_VERSION, (config, o) => {
      const schema = tts.schemas(o).generationRequest.shape.generation_config;
      return unwrap(schemaResult(schema, JSON.parse(JSON.stringify(config))));
    }),
    rt("outputFormat", ttsArbitraries.outputFormat, ANY_VERSION, (format, o) => {
      const schema = tts.schemas(o).generationRequest.shape.output_format;
      return unwrap(schemaResult(schema, JSON.parse(JSON.stringify(format))));
    }),
    rt("generationRequest", ttsArbitraries.generationRequest, MODE_OBJECT, ttsClient),
    rt("generationRequestIdOrString", ttsArbitraries.generationRequestIdOrString, [ID_OR_STRING], ttsClient),
    rt("flushRequest", ttsArbitraries.flushRequest, MODE_OBJECT, ttsClient),
    rt("flushRequestIdOrString", ttsArbitraries.flushRequestIdOrString, [ID_OR_STRING], ttsClient),
    rt("cancel", ttsArbitraries.cancel, ANY_VERSION, ttsClient),
    rt("clientMessage", ttsArbitraries.clientMessage, MODE_OBJECT, ttsClient),
    rt("clientMessageIdOrString", ttsArbitraries.clientMessageIdOrString, [ID_OR_STRING], ttsClient),
    rt("chunk", ttsArbitraries.chunk, ANY_VERSION, ttsServer),
    rt("timestamps", ttsArbitraries.timestamps, ANY_VERSION, ttsServer),
    rt("phonemeTimestamps", ttsArbitraries.phonemeTimestamps, ANY_VERSION, ttsServer),
    rt("flushDone", ttsArbitraries.flushDone, ANY_VERSION, ttsServer),
    rt("done", ttsArbitraries.done, ANY_VERSION, ttsServer),
    rt("error", ttsArbitraries.error, STRUCTURED, ttsServer),
    rt("legacyError", ttsArbitraries.legacyError, [LEGACY], ttsServer),
    rt("serverMessage", ttsArbitraries.serverMessage, STRUCTURED, ttsServer),
    rt("legacyServerMessage", ttsArbitraries.legacyServerMessage, [LEGACY], ttsServer),
  ],
  ttsBytesArbitraries: [
    rt("outputFormat", ttsBytesArbitraries.outputFormat, ANY_VERSION, (format, o) => {
      const schema = ttsBytes.schemas(o).request.shape.output_format;
      return unwrap(schemaResult(schema, JSON.parse(JSON.stringify(format))));
    }),
    rt("request", ttsBytesArbitraries.request, MODE_OBJECT, (r, o) => unwrap(ttsBytes.parseRequest(ttsBytes.encodeRequest(r), o))),
    rt("requestIdOrString", ttsBytesArbitraries.requestIdOrString, [ID_OR_STRING], (r, o) => {
      // Bodies arrive as bytes from HTTP servers: read them that way too.
      return unwrap(ttsBytes.parseRequest(new TextEncoder().encode(ttsBytes.encodeRequest(r)), o));
    }),
    rt("audio", ttsBytesArbitraries.audio, ANY_VERSION, (bytes) => Uint8Array.from(bytes)),
    rt("errorBody", ttsBytesArbitraries.errorBody, STRUCTURED, errorBodyRoundTrip("ttsBytes")),
  ],
  ttsSseArbitraries: [
    rt("request", ttsSseArbitraries.request, MODE_OBJECT, (r, o) => unwrap(ttsSse.parseRequest(ttsSse.encodeRequest(r), o))),
    rt("requestIdOrString", ttsSseArbitraries.requestIdOrString, [ID_OR_STRING], (r, o) =>
      unwrap(ttsSse.parseRequest(new TextEncoder().encode(ttsSse.encodeRequest(r)), o)),
    ),
    rt("chunk", ttsSseArbitraries.chunk, ANY_VERSION, sseEvent),
    rt("timestamps", ttsSseArbitraries.timestamps, ANY_VERSION, sseEvent),
    rt("phonemeTimestamps", ttsSseArbitraries.phonemeTimestamps, ANY_VERSION, sseEvent),
    rt("flushDone", ttsSseArbitraries.flushDone, ANY_VERSION, sseEvent),
    rt("done", ttsSseArbitraries.done, ANY_VERSION, sseEvent),
    rt("error", ttsSseArbitraries.error, STRUCTURED, sseEvent),
    rt("legacyError", ttsSseArbitraries.legacyError, [LEGACY], sseEvent),
    rt("event", ttsSseArbitraries.event, STRUCTURED, sseEvent),
    rt("legacyEvent", ttsSseArbitraries.legacyEvent, [LEGACY], sseEvent),
    rt("errorBody", ttsSseArbitraries.errorBody, STRUCTURED, errorBodyRoundTrip("ttsSse")),
  ],
  sttBatchArbitraries: [
    rt("query", sttBatchArbitraries.query, ANY_VERSION, (q, o) => unwrap(sttBatch.parseQuery(sttBatch.encodeQuery(q), o))),
    // The module has no form encoder: encode the typed fields to their wire strings with the codec.
    rt("form", sttBatchArbitraries.form, ANY_VERSION, (f, o) => unwrap(sttBatch.parseForm(sttBatch.encodeForm(f), o))),
    rt("response", sttBatchArbitraries.response, ANY_VERSION, (r, o) => unwrap(sttBatch.parseResponse(sttBatch.encodeResponse(r), o))),
    rt("errorBody", sttBatchArbitraries.errorBody, STRUCTURED, errorBodyRoundTrip("sttBatch")),
  ],
  accessTokenArbitraries: [
    rt("grants", accessTokenArbitraries.grants, ANY_VERSION, (grants, o) => {
      const parsed = unwrap(accessToken.parseRequest(accessToken.encodeRequest({ grants }), o));
      return parsed.grants;
    }),
    rt("request", accessTokenArbitraries.request, ANY_VERSION, (r, o) => unwrap(accessToken.parseRequest(accessToken.encodeRequest(r), o))),
    rt("response", accessTokenArbitraries.response, ANY_VERSION, (r, o) => unwrap(accessToken.parseResponse(accessToken.encodeResponse(r), o))),
    rt("errorBody", accessTokenArbitraries.errorBody, STRUCTURED, errorBodyRoundTrip("accessToken")),
  ],
};

const GROUPS: Record<string, Record<string, fc.Arbitrary<unknown>>> = {
  sttV1Arbitraries,
  sttTurnsArbitraries,
  ttsArbitraries,
  ttsBytesArbitraries,
  ttsSseArbitraries,
  sttBatchArbitraries,
  accessTokenArbitraries,
};

function schemaResult<T>(schema: z.ZodType<T>, value: unknown): Result<T> {
  const parsed = schema.safeParse(value);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, error: { reason: "invalid_message", message: parsed.error.message, issues: [] } };
}

describe("message arbitraries round-trip through encode → parse", () => {
  it("covers every arbitrary of every group", () => {
    for (const [group, arbs] of Object.entries(GROUPS)) {
      const covered = (ROUND_TRIPS[group] ?? []).map((c) => c.name).sort();
      expect(covered, group).toEqual(Object.keys(arbs).sort());
    }
  });

  for (const [group, cases] of Object.entries(ROUND_TRIPS)) {
    describe(group, () => {
      for (const c of cases) {
        for (const version of c.versions) {
          it(`${c.name}: strict at ${version}`, () => {
            fc.assert(
              fc.property(c.arb, (m) => {
                expect(c.run(m, { strictness: "strict", version })).toStrictEqual(m);
              }),
              fcOptions(),
            );
          });
        }
        it(`${c.name}: lenient`, () => {
          fc.assert(
            fc.property(c.arb, (m) => {
              expect(c.run(m, { strictness: "lenient", version: c.versions[0] as string })).toStrictEqual(m);
            }),
            fcOptions(),
          );
        });
      }
    });
  }
});

// -------------------------------------------------------------------------------------------------
// Catalogue: every listed schema accepts what the arbitraries generate
// -------------------------------------------------------------------------------------------------

type Check = "parse" | "encode";

interface CatalogCase {
  arb: fc.Arbitrary<unknown>;
  /** Turns a generated value into what the schema reads (wire strings for `io: "input"` queries). */
  toInput?: (value: unknown) => unknown;
  /**
   * `parse`: `schema.safeParse(value)`. `encode`: the schema is a codec whose parsed side the value
   * is (`query (parsed)`), so the value is checked with `z.safeEncode` and the wire form must parse
   * back to it.
   */
  check?: Check;
  /** Turns the value into wire form for `encode` checks. */
  toWire?: (value: unknown) => unknown;
}

const arb = <T>(a: fc.Arbitrary<T>) => a as fc.Arbitrary<unknown>;
const sttV1Wire = (q: unknown) => queryRecord(sttV1.encodeQuery(q as sttV1.Query));
const sttTurnsWire = (q: unknown) => queryRecord(sttTurns.encodeQuery(q as sttTurns.Query));

/** The arbitrary behind each catalogue file. */
const CATALOG_CASES: Record<string, CatalogCase> = {
  "stt-v1/query.wire.json": { arb: arb(sttV1Arbitraries.query), toInput: sttV1Wire },
  "stt-v1/query.json": { arb: arb(sttV1Arbitraries.query), check: "encode", toWire: sttV1Wire },
  "stt-v1/audio.json": { arb: arb(sttV1Arbitraries.audio) },
  "stt-v1/command.json": { arb: arb(sttV1Arbitraries.command) },
  "stt-v1/config.json": { arb: arb(sttV1Arbitraries.config) },
  "stt-v1/client-message.json": { arb: arb(sttV1Arbitraries.clientFrame) },
  "stt-v1/transcript.json": { arb: arb(sttV1Arbitraries.transcript) },
  "stt-v1/flush-done.json": { arb: arb(sttV1Arbitraries.flushDone) },
  "stt-v1/done.json": { arb: arb(sttV1Arbitraries.done) },
  "stt-v1/error.json": { arb: arb(sttV1Arbitraries.error) },
  "stt-v1/error.legacy.json": { arb: arb(sttV1Arbitraries.legacyError) },
  "stt-v1/server-message.json": { arb: arb(sttV1Arbitraries.serverMessage) },

  "stt-turns/query.wire.json": { arb: arb(sttTurnsArbitraries.query), toInput: sttTurnsWire },
  "stt-turns/query.json": { arb: arb(sttTurnsArbitraries.query), check: "encode", toWire: sttTurnsWire },
  "stt-turns/audio.json": { arb: arb(sttTurnsArbitraries.audio) },
  "stt-turns/close.json": { arb: arb(sttTurnsArbitraries.close) },
  "stt-turns/config.json": { arb: arb(sttTurnsArbitraries.config) },
  "stt-turns/client-command.json": { arb: arb(sttTurnsArbitraries.clientCommand) },
  "stt-turns/client-message.json": { arb: arb(sttTurnsArbitraries.clientFrame) },
  "stt-turns/connected.json": { arb: arb(sttTurnsArbitraries.connected) },
  "stt-turns/turn-start.json": { arb: arb(sttTurnsArbitraries.turnStart) },
  "stt-turns/turn-update.json": { arb: arb(sttTurnsArbitraries.turnUpdate) },
  "stt-turns/turn-eager-end.json": { arb: arb(sttTurnsArbitraries.turnEagerEnd) },
  "stt-turns/turn-resume.json": { arb: arb(sttTurnsArbitraries.turnResume) },
  "stt-turns/turn-end.json": { arb: arb(sttTurnsArbitraries.turnEnd) },
  "stt-turns/error.json": { arb: arb(sttTurnsArbitraries.error) },
  "stt-turns/server-message.json": { arb: arb(sttTurnsArbitraries.serverMessage) },

  "stt-batch/query.wire.json": { arb: arb(sttBatchArbitraries.query), toInput: (q) => queryRecord(sttBatch.encodeQuery(q as sttBatch.Query)) },
  "stt-batch/form.json": { arb: arb(sttBatchArbitraries.form), toInput: (f) => sttBatch.encodeForm(f as sttBatch.Form) },
  "stt-batch/response.json": { arb: arb(sttBatchArbitraries.response) },
  "stt-batch/error-body.json": { arb: arb(sttBatchArbitraries.errorBody) },

  "tts/query.json": { arb: arb(ttsArbitraries.query) },
  "tts/generation-request.json": { arb: fc.oneof(arb(ttsArbitraries.generationRequest), arb(ttsArbitraries.flushRequest)) },
  "tts/generation-request.2026-08-14.json": {
    arb: fc.oneof(arb(ttsArbitraries.generationRequestIdOrString), arb(ttsArbitraries.flushRequestIdOrString)),
  },
  "tts/cancel.json": { arb: arb(ttsArbitraries.cancel) },
  "tts/client-message.json": { arb: arb(ttsArbitraries.clientMessage) },
  "tts/chunk.json": { arb: arb(ttsArbitraries.chunk) },
  "tts/timestamps.json": { arb: arb(ttsArbitraries.timestamps) },
  "tts/phoneme-timestamps.json": { arb: arb(ttsArbitraries.phonemeTimestamps) },
  "tts/flush-done.json": { arb: arb(ttsArbitraries.flushDone) },
  "tts/done.json": { arb: arb(ttsArbitraries.done) },
  "tts/error.json": { arb: arb(ttsArbitraries.error) },
  "tts/error.legacy.json": { arb: arb(ttsArbitraries.legacyError) },
  "tts/server-message.json": { arb: arb(ttsArbitraries.serverMessage) },

  "tts-bytes/request.json": { arb: arb(ttsBytesArbitraries.request) },
  "tts-bytes/request.2026-08-14.json": { arb: arb(ttsBytesArbitraries.requestIdOrString) },
  "tts-bytes/audio.json": { arb: arb(ttsBytesArbitraries.audio) },
  "tts-bytes/error-body.json": { arb: arb(ttsBytesArbitraries.errorBody) },

  "tts-sse/request.json": { arb: arb(ttsSseArbitraries.request) },
  "tts-sse/request.2026-08-14.json": { arb: arb(ttsSseArbitraries.requestIdOrString) },
  "tts-sse/chunk.json": { arb: arb(ttsSseArbitraries.chunk) },
  "tts-sse/timestamps.json": { arb: arb(ttsSseArbitraries.timestamps) },
  "tts-sse/phoneme-timestamps.json": { arb: arb(ttsSseArbitraries.phonemeTimestamps) },
  "tts-sse/flush-done.json": { arb: arb(ttsSseArbitraries.flushDone) },
  "tts-sse/done.json": { arb: arb(ttsSseArbitraries.done) },
  "tts-sse/error.json": { arb: arb(ttsSseArbitraries.error) },
  "tts-sse/error.legacy.json": { arb: arb(ttsSseArbitraries.legacyError) },
  "tts-sse/event.json": { arb: arb(ttsSseArbitraries.event) },

  "access-token/request.json": { arb: arb(accessTokenArbitraries.request) },
  "access-token/response.json": { arb: arb(accessTokenArbitraries.response) },
  "access-token/error-body.json": { arb: arb(accessTokenArbitraries.errorBody) },
};

describe("every generated message validates against its strict catalogue schema", () => {
  it("has an arbitrary for every catalogue entry", () => {
    expect(MESSAGE_CATALOG.map((e) => e.file).filter((f) => !(f in CATALOG_CASES))).toEqual([]);
    expect(Object.keys(CATALOG_CASES).filter((f) => !MESSAGE_CATALOG.some((e) => e.file === f))).toEqual([]);
  });

  for (const entry of MESSAGE_CATALOG) {
    const c = CATALOG_CASES[entry.file];
    if (!c) continue;
    it(`${entry.file} (${entry.tag}, strict at ${entry.version})`, () => {
      const schema = entry.schema();
      fc.assert(
        fc.property(c.arb, (value) => {
          if (c.check === "encode") {
            const encoded = z.safeEncode(schema, value);
            if (!encoded.success) throw new Error(`${entry.file}: encode rejected: ${encoded.error.message}`);
            const decoded = schema.safeParse(c.toWire ? c.toWire(value) : encoded.data);
            if (!decoded.success) throw new Error(`${entry.file}: wire form rejected: ${decoded.error.message}`);
            expect(decoded.data).toStrictEqual(value);
            return;
          }
          const parsed = schema.safeParse(c.toInput ? c.toInput(value) : value);
          if (!parsed.success) throw new Error(`${entry.file}: rejected: ${parsed.error.message}`);
        }),
        fcOptions(),
      );
    });
  }

  it("id-or-string requests of /tts/bytes and /tts/sse validate at 2026-08-14", () => {
    const s = schemasForVersion(ID_OR_STRING, "strict");
    fc.assert(
      fc.property(ttsBytesArbitraries.requestIdOrString, ttsSseArbitraries.requestIdOrString, (bytes, sse) => {
        const a = s.ttsBytes.request.safeParse(bytes);
        if (!a.success) throw new Error(`tts-bytes request rejected: ${a.error.message}`);
        const b = s.ttsSse.request.safeParse(sse);
        if (!b.success) throw new Error(`tts-sse request rejected: ${b.error.message}`);
      }),
      fcOptions(),
    );
  });

  it("error arbitraries match only their version's shape", () => {
    const structured = schemasForVersion(DEFAULT, "strict");
    const legacy = schemasForVersion(LEGACY, "strict");
    const pairs: [fc.Arbitrary<unknown>, fc.Arbitrary<unknown>, "sttV1" | "sttTurns" | "tts" | "ttsSse"][] = [
      [arb(sttV1Arbitraries.error), arb(sttV1Arbitraries.legacyError), "sttV1"],
      [arb(ttsArbitraries.error), arb(ttsArbitraries.legacyError), "tts"],
      [arb(ttsSseArbitraries.error), arb(ttsSseArbitraries.legacyError), "ttsSse"],
    ];
    for (const [structuredArb, legacyArb, endpoint] of pairs) {
      fc.assert(
        fc.property(structuredArb, legacyArb, (s, l) => {
          expect(legacy[endpoint].error.safeParse(s).success).toBe(false);
          expect(structured[endpoint].error.safeParse(l).success).toBe(false);
        }),
        fcOptions(),
      );
    }
  });
});

describe("building blocks", () => {
  it("base64AudioArb is standard padded base64 that decodes", () => {
    fc.assert(
      fc.property(base64AudioArb, (b64) => {
        expect(Buffer.from(b64, "base64").toString("base64")).toBe(b64);
      }),
      fcOptions(),
    );
  });

  it("ids are non-empty; transcript text is well-formed unicode", () => {
    fc.assert(
      fc.property(requestIdArb, contextIdArb, transcriptTextArb, (requestId, contextId, text) => {
        expect(requestId.length).toBeGreaterThan(0);
        expect(contextId.length).toBeGreaterThan(0);
        expect(/[\uD800-\uDFFF]/u.test(text)).toBe(false);
      }),
      fcOptions(),
    );
  });

  it("transcript text reaches empty strings, emoji, CJK and combining marks", () => {
    const sample = fc.sample(transcriptTextArb, { numRuns: 2000, seed: 42 });
    expect(sample).toContain("");
    expect(sample.some((t) => /\p{Extended_Pictographic}/u.test(t))).toBe(true);
    expect(sample.some((t) => /\p{Script=Han}/u.test(t))).toBe(true);
    expect(sample.some((t) => /\p{M}/u.test(t))).toBe(true);
  });
});
