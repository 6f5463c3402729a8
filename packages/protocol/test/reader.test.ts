/**
 * The zod-free reader (`@speechwire/protocol/reader`) against the lenient zod parsers it is generated
 * from. "Reads identically" means, for every text frame:
 * - both succeed or both fail;
 * - on success the values are deeply equal (`toStrictEqual`: same keys present, same values — unknown
 *   keys dropped at every depth);
 * - on failure the `reason` is the same (`invalid_json`, `unexpected_binary`, `unknown_type`,
 *   `invalid_message`); the issue's wording may differ (both name the field).
 * Checked over every valid message of the arbitraries (both error shapes), the same with unknown
 * fields added, mutated messages (a field at any depth replaced by any JSON value or removed), any JSON
 * value, and text that is not JSON. Also: the generated tables match the schemas (drift), queries and
 * forms encode to the same strings, HTTP errors normalize the same, and turn configs are accepted by
 * the same rule.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  accessTokenArbitraries,
  sttBatchArbitraries,
  sttTurnsArbitraries,
  sttV1Arbitraries,
  ttsArbitraries,
  ttsSseArbitraries,
} from "../src/arbitraries/index.js";
import { accessToken, normalizeHttpError, sttBatch, sttTurns, sttV1, tts, ttsSse, type Result } from "../src/index.js";
import {
  BAD,
  checkTurnConfig,
  encodeQuery,
  encodeWireRecord,
  PATHS,
  readAccessTokenResponse,
  readHttpError,
  readShape,
  readSttBatchResponse,
  readSttTurnsMessage,
  readSttV1Message,
  readTtsMessage,
  readTtsSseEvent,
  readValue,
} from "../src/reader/index.js";
import * as shapes from "../src/reader/shapes.js";
import { readerShapesSource } from "../scripts/reader-shapes.js";
import { fcOptions } from "./fc-options.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Asserts that two results say the same thing (see the header). */
function expectSame(reader: Result<unknown>, zod: Result<unknown>, frame: unknown): void {
  const context = JSON.stringify(frame)?.slice(0, 300);
  expect(reader.ok, `ok differs for ${context}: zod ${zod.ok ? "accepts" : `rejects (${zod.error.message})`}`).toBe(zod.ok);
  if (reader.ok && zod.ok) expect(reader.value).toStrictEqual(zod.value);
  if (!reader.ok && !zod.ok) expect(reader.error.reason).toBe(zod.error.reason);
}

/** Every path to a value inside a JSON value (the root excluded). */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [];
  const out: (string | number)[][] = [];
  const entries: [string | number, Json][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  for (const [key, v] of entries) {
    out.push([...prefix, key]);
    out.push(...paths(v, [...prefix, key]));
  }
  return out;
}

const anyJson: fc.Arbitrary<Json> = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>;

/** One edit of a JSON value: replace a value at some path, remove it, or add an unknown key to an object. */
const mutationArb = fc.record({
  kind: fc.constantFrom("replace", "replace", "remove", "add"),
  at: fc.nat(),
  key: fc.string({ maxLength: 8 }),
  // Edge values near each rule (integers vs not, bounds, empty containers) as well as any JSON.
  value: fc.oneof(
    anyJson,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom<Json>(0, -1, 0.5, 1.5, 2 ** 53, -(2 ** 53), 9007199254740991, "", "transcript", true, false, null, [], {}),
  ),
});

function mutate(message: Json, edits: { kind: string; at: number; key: string; value: Json }[]): Json {
  let out = structuredClone(message);
  for (const edit of edits) {
    const all = paths(out);
    if (all.length === 0) break;
    const path = all[edit.at % all.length] as (string | number)[];
    const parentPath = path.slice(0, -1);
    let parent: Json = out;
    for (const p of parentPath) parent = (parent as Record<string | number, Json>)[p] as Json;
    const last = path[path.length - 1] as string | number;
    const target = (parent as Record<string | number, Json>)[last] as Json;
    if (edit.kind === "replace") (parent as Record<string | number, Json>)[last] = edit.value;
    else if (edit.kind === "remove") {
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete (parent as Record<string, Json>)[last];
    } else if (target !== null && typeof target === "object" && !Array.isArray(target)) {
      target[edit.key] = edit.value;
    } else {
      (parent as Record<string | number, Json>)[last] = edit.value;
    }
    out = structuredClone(out);
  }
  return out;
}

/** Adds unknown fields to every object of a value (forward compatibility: they must be dropped). */
function withUnknownFields(value: Json, extra: Record<string, Json>): Json {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => withUnknownFields(v, extra));
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(value)) out[k] = withUnknownFields(v, extra);
  for (const [k, v] of Object.entries(extra)) if (!(k in out)) out[k] = v;
  return out;
}

const unknownFieldsArb = fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }).map((k) => `x_${k}`), anyJson, { maxKeys: 3 });

interface Endpoint {
  name: string;
  messages: fc.Arbitrary<unknown>;
  reader: (frame: string) => Result<unknown>;
  zod: (frame: string) => Result<unknown>;
}

const endpoints: Endpoint[] = [
  {
    name: "stt-v1",
    messages: fc.oneof(sttV1Arbitraries.serverMessage, sttV1Arbitraries.legacyServerMessage),
    reader: readSttV1Message,
    zod: (f) => sttV1.parseServerMessage(f),
  },
  {
    name: "stt-turns",
    messages: fc.oneof(sttTurnsArbitraries.serverMessage, sttTurnsArbitraries.legacyServerMessage),
    reader: readSttTurnsMessage,
    zod: (f) => sttTurns.parseServerMessage(f),
  },
  { name: "tts", messages: fc.oneof(ttsArbitraries.serverMessage, ttsArbitraries.legacyServerMessage), reader: readTtsMessage, zod: (f) => tts.parseServerMessage(f) },
  { name: "tts-sse", messages: fc.oneof(ttsSseArbitraries.event, ttsSseArbitraries.legacyEvent), reader: readTtsSseEvent, zod: (f) => ttsSse.parseEvent(f) },
  { name: "stt-batch response", messages: sttBatchArbitraries.response, reader: readSttBatchResponse, zod: (f) => sttBatch.parseResponse(f) },
  { name: "access-token response", messages: accessTokenArbitraries.response, reader: readAccessTokenResponse, zod: (f) => accessToken.parseResponse(f) },
];

describe("reader tables", () => {
  it("are what the zod schemas generate (run `pnpm --filter @speechwire/protocol generate` after a schema change)", () => {
    const committed = readFileSync(fileURLToPath(new URL("../src/reader/shapes.ts", import.meta.url)), "utf8");
    expect(committed).toBe(readerShapesSource());
  });

  it("name the endpoint paths of the endpoint modules", () => {
    expect(PATHS).toStrictEqual({ sttV1: sttV1.PATH, sttTurns: sttTurns.PATH, tts: tts.PATH, ttsBytes: "/tts/bytes", ttsSse: ttsSse.PATH, sttBatch: sttBatch.PATH, accessToken: accessToken.PATH });
  });
});

describe.each(endpoints)("reader reads $name frames like the lenient zod parser", ({ messages, reader, zod }) => {
  it("every valid message: the same value", () => {
    fc.assert(
      fc.property(messages, (m) => {
        const frame = JSON.stringify(m);
        const r = reader(frame);
        expect(r.ok).toBe(true);
        expectSame(r, zod(frame), m);
      }),
      fcOptions(),
    );
  });

  it("valid messages with unknown fields at every depth: the same value, unknown fields dropped", () => {
    fc.assert(
      fc.property(messages, unknownFieldsArb, (m, extra) => {
        const frame = JSON.stringify(withUnknownFields(m as Json, extra));
        expectSame(reader(frame), zod(frame), frame);
      }),
      fcOptions(),
    );
  });

  it("mutated messages (any field replaced, removed or added, at any depth): accepted and rejected alike", () => {
    fc.assert(
      fc.property(messages, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (m, edits) => {
        const frame = JSON.stringify(mutate(JSON.parse(JSON.stringify(m)) as Json, edits));
        expectSame(reader(frame), zod(frame), frame);
      }),
      fcOptions(),
    );
  });

  it("any JSON value and any text: the same outcome and failure reason", () => {
    fc.assert(
      fc.property(fc.oneof(anyJson.map((v) => JSON.stringify(v)), fc.string({ maxLength: 30 }), fc.constant("{\"type\":1e400}")), (frame) => {
        expectSame(reader(frame), zod(frame), frame);
      }),
      fcOptions(),
    );
  });
});

describe("reader details", () => {
  it("binary frames fail as unexpected_binary, like the zod parsers", () => {
    const bytes = new TextEncoder().encode('{"type":"done"}');
    const r = readSttV1Message(bytes);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.reason).toBe("unexpected_binary");
    expectSame(r, sttV1.parseServerMessage(bytes), "binary");
  });

  it("returns the decoded object itself when it has no unknown keys, and a stripped copy otherwise", () => {
    const chunk = { type: "chunk", data: "AAAA", done: false, status_code: 206, step_time: 1, context_id: "c" };
    const same = readValue(shapes.tts.chunk as never, chunk);
    expect(same.ok && same.value).toBe(chunk);
    const extra = { ...chunk, extra: { deep: 1 } };
    const stripped = readValue(shapes.tts.chunk as never, extra);
    expect(stripped.ok && stripped.value).not.toBe(extra);
    expect(stripped.ok && stripped.value).toStrictEqual(chunk);
    // The input is never modified.
    expect(extra.extra).toStrictEqual({ deep: 1 });
  });

  it("names the deepest field that broke", () => {
    const r = readSttV1Message(JSON.stringify({ type: "transcript", text: "hi", is_final: true, words: [{ word: "hi", start: 0, end: "x" }] }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/^words\[0\]\.end: expected number/);
    expect(readShape(shapes.sttTurns["turn.end"] as never, { type: "turn.end" })).toBe(BAD);
  });

  it("normalizes HTTP error bodies like normalizeHttpError (JSON of either shape, plain text, anything)", () => {
    const bodies = fc.oneof(
      sttBatchArbitraries.errorBody.map((b) => JSON.stringify(b)),
      fc.tuple(sttBatchArbitraries.errorBody, unknownFieldsArb).map(([b, x]) => JSON.stringify({ ...b, ...x })),
      fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 20 })).map(([t, m]) => `${t}: ${m}`),
      anyJson.map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 30 }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 400, max: 599 }), bodies, fc.option(fc.string({ maxLength: 10 }), { nil: undefined }), (status, body, header) => {
        expect(readHttpError(status, body, header)).toStrictEqual(normalizeHttpError(status, body, header));
      }),
      fcOptions(),
    );
  });

  it("accepts a turn config exactly when the validating zod schema does", () => {
    const validating = sttTurns.schemas({ strictness: "validating" }).turnConfig;
    const number = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 20000 }), fc.constantFrom(0.05, 0.3, 0.5, 0.6, 0.9, 640, 11200));
    const configs = fc.oneof(
      sttTurnsArbitraries.turnConfig,
      fc.record(
        { start_threshold: number, eager_end_threshold: number, end_threshold: number, end_timeout_ms: fc.oneof(number, anyJson) as fc.Arbitrary<unknown>, x: anyJson },
        { requiredKeys: [], noNullPrototype: true },
      ),
      anyJson,
    );
    fc.assert(
      fc.property(configs, (turn) => {
        const zodOk = validating.safeParse(turn).success;
        const issues = checkTurnConfig(turn);
        expect(issues.length === 0, `${JSON.stringify(turn)}: zod ${zodOk ? "accepts" : "rejects"}, reader ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`).toBe(zodOk);
      }),
      fcOptions(),
    );
  });

  it("encodes queries and forms to the same wire form as the zod codecs (unknown keys dropped)", () => {
    const cases = [
      ["sttV1", sttV1Arbitraries.query, (q: never) => sttV1.encodeQuery(q)],
      ["sttTurns", sttTurnsArbitraries.query, (q: never) => sttTurns.encodeQuery(q)],
      ["tts", ttsArbitraries.query, (q: never) => tts.encodeQuery(q)],
      ["sttBatch", sttBatchArbitraries.query, (q: never) => sttBatch.encodeQuery(q)],
    ] as const;
    for (const [name, arb, zodEncode] of cases) {
      fc.assert(
        fc.property(arb as fc.Arbitrary<object>, fc.dictionary(fc.constantFrom("x", "y_z"), fc.string(), { maxKeys: 2 }), (q, extra) => {
          const query = { ...q, ...extra };
          expect(encodeQuery(name, query)).toBe(zodEncode(query as never));
        }),
        fcOptions({ numRuns: 50 }),
      );
    }
    fc.assert(
      fc.property(sttBatchArbitraries.form, (form) => {
        expect(encodeWireRecord("sttBatchForm", form)).toStrictEqual(sttBatch.encodeForm(form));
      }),
      fcOptions({ numRuns: 50 }),
    );
    expect(() => encodeQuery("sttV1", { model: "ink-2", sample_rate: "16000" })).toThrow(/sample_rate/);
  });

  it("checks every number field as zod's encode does: throws exactly when it throws, naming the field", () => {
    const cases = [
      ["sttV1", sttV1Arbitraries.query, (q: never) => sttV1.encodeQuery(q)],
      ["sttTurns", sttTurnsArbitraries.query, (q: never) => sttTurns.encodeQuery(q)],
      ["sttBatch", sttBatchArbitraries.query, (q: never) => sttBatch.encodeQuery(q)],
    ] as const;
    // Integers, fractions, negatives, zero, ±Infinity and NaN: what a caller might pass by mistake.
    const anyNumber = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -0, 0.5, -1, 16000.5, Number.MAX_SAFE_INTEGER + 2));
    for (const [name, arb, zodEncode] of cases) {
      const numberFields = Object.entries(shapes.queries[name] ?? {}).filter(([, kind]) => kind !== "s" && kind !== "r").map(([key]) => key);
      expect(numberFields.length, name).toBeGreaterThan(0);
      fc.assert(
        fc.property(arb as fc.Arbitrary<object>, fc.constantFrom(...numberFields), anyNumber, (q, field, n) => {
          const query = { ...q, [field]: n };
          let zodError: unknown;
          try {
            zodEncode(query as never);
          } catch (error) {
            zodError = error;
          }
          if (zodError === undefined) expect(encodeQuery(name, query)).toBe(zodEncode(query as never));
          else expect(() => encodeQuery(name, query), `zod rejects ${field}=${n}`).toThrow(new RegExp(`^${field}: `));
        }),
        fcOptions({ numRuns: 100 }),
      );
    }
    expect(() => encodeQuery("sttV1", { model: "ink-2", sample_rate: 16000.5 })).toThrow(/^sample_rate: expected integer/);
    expect(() => encodeQuery("sttBatch", { sample_rate: -8000 })).toThrow(/^sample_rate: expected a number > 0, got -8000/);
  });
});
