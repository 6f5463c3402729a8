/**
 * The cross-cutting rules: versions (§1.3), audio sizes (§8), query encoding (§2.1, §9.1), credentials
 * (§1.2), error shapes (§1.4) and the SSE framing of §6.2.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  accessToken,
  bytesForDuration,
  bytesPerSample,
  DEFAULT_VERSION,
  durationOfBytes,
  KNOWN_VERSIONS,
  normalizeErrorEvent,
  normalizeHttpError,
  queryRecord,
  queryString,
  readCredentials,
  resolveVersion,
  samplesInBytes,
  schemasForVersion,
  shapesForVersion,
  STT_ENCODINGS,
  sttBatch,
  sttTurns,
  sttV1,
  toErrorEvent,
  toHttpErrorResponse,
  tts,
  ttsBytes,
  ttsSse,
  type CartesiaError,
  type ErrorFamily,
  type ErrorShape,
  type SttEncoding,
} from "../src/index.js";
import { example, exampleJson, SSE_EXAMPLE_BODY } from "./fixtures/protocol-examples.js";

// ---------------------------------------------------------------------------------------------
// §1.3 versions

describe("resolveVersion (§1.3)", () => {
  it("lets ?cartesia_version win over the Cartesia-Version header", () => {
    expect(resolveVersion({ header: "2025-04-16", query: "2026-03-01" })).toEqual({ ok: true, value: { version: "2026-03-01", source: "query" } });
    expect(resolveVersion({ header: "2026-08-14", query: "2024-11-13" })).toEqual({ ok: true, value: { version: "2024-11-13", source: "query" } });
  });

  it("uses the header alone when there is no query parameter", () => {
    for (const query of [undefined, null, ""]) {
      expect(resolveVersion({ header: "2025-04-16", query })).toEqual({ ok: true, value: { version: "2025-04-16", source: "header" } });
    }
  });

  it("falls back to 2026-08-14, the docs' latest stable, with neither (update D12)", () => {
    expect(DEFAULT_VERSION).toBe("2026-08-14");
    for (const input of [{}, { header: null, query: null }, { header: "", query: "" }]) {
      expect(resolveVersion(input)).toEqual({ ok: true, value: { version: "2026-08-14", source: "default" } });
    }
  });

  it("accepts every version seen in the wild and real leap days", () => {
    for (const version of [...KNOWN_VERSIONS, "2024-02-29", "2000-02-29", "2027-01-01"]) {
      expect(resolveVersion({ header: version })).toEqual({ ok: true, value: { version, source: "header" } });
    }
  });

  it.each(["2026-3-1", "20260301", "2026/03/01", "latest", "2026-03-01T00:00:00Z", "v2026-03-01", "26-03-01", "2026-03-01x", "２０２６-03-01"])(
    "rejects the malformed date %j, naming cartesia_version",
    (value) => {
      for (const input of [{ header: value }, { query: value, header: "2026-03-01" }]) {
        const result = resolveVersion(input);
        expect(result.ok).toBe(false);
        if (result.ok) continue;
        expect(result.error.issues.map((i) => i.path)).toEqual(["cartesia_version"]);
        expect(result.error.message).toContain("cartesia_version");
        expect(result.error.message).toContain(value);
      }
    },
  );

  it.each(["2026-02-30", "2025-02-29", "1900-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-01-00", "2026-01-32"])(
    "rejects the non-calendar date %s, naming cartesia_version",
    (value) => {
      const result = resolveVersion({ query: value });
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.issues[0]?.path).toBe("cartesia_version");
        expect(result.error.message).toMatch(/^cartesia_version: /);
      }
    },
  );
});

describe("shapesForVersion (§1.4, §5.2)", () => {
  it.each([
    ["2024-06-10", "legacy", "mode-object"],
    ["2024-11-13", "legacy", "mode-object"],
    ["2025-04-16", "legacy", "mode-object"],
    ["2025-11-04", "legacy", "mode-object"],
    ["2026-02-28", "legacy", "mode-object"],
    ["2026-03-01", "structured", "mode-object"],
    ["2026-08-13", "structured", "mode-object"],
    ["2026-08-14", "structured", "id-or-string"],
    ["2027-01-01", "structured", "id-or-string"],
  ] as const)("%s → errors %s, voice %s", (version, errors, voice) => {
    expect(shapesForVersion(version)).toEqual({ errors, voice });
  });
});

describe("schemasForVersion", () => {
  const legacyTts = exampleJson("tts error (legacy)");
  const structuredTts = exampleJson("tts error (structured)");
  const legacyStt = exampleJson("stt-v1 error (legacy)");
  const structuredStt = exampleJson("stt-v1 error (structured)");

  it("gives the legacy TTS error for 2025-04-16 under strict (the default strictness)", () => {
    const s = schemasForVersion("2025-04-16");
    expect(s.tts.error.safeParse(legacyTts).success).toBe(true);
    expect(s.tts.error.safeParse(structuredTts).success).toBe(false);
    // strict: an extra field is not accepted on the legacy shape either.
    expect(s.tts.error.safeParse({ ...legacyTts, title: "Voice not found" }).success).toBe(false);
    expect(schemasForVersion("2025-04-16", "strict").tts.error.safeParse(legacyTts).success).toBe(true);
  });

  it("gives the structured errors for 2026-03-01 and the legacy STT error before it", () => {
    const current = schemasForVersion("2026-03-01");
    expect(current.tts.error.safeParse(structuredTts).success).toBe(true);
    expect(current.tts.error.safeParse(legacyTts).success).toBe(false);
    expect(current.sttV1.error.safeParse(structuredStt).success).toBe(true);
    expect(current.sttTurns.error.safeParse(legacyStt).success).toBe(false);
    const legacy = schemasForVersion("2024-11-13");
    expect(legacy.sttV1.error.safeParse(legacyStt).success).toBe(true);
    // The turns endpoint postdates the legacy shape: structured at every version.
    expect(legacy.sttTurns.error.safeParse(legacyStt).success).toBe(false);
    expect(legacy.sttTurns.error.safeParse(structuredStt).success).toBe(true);
    expect(legacy.sttV1.error.safeParse(structuredStt).success).toBe(false);
  });

  it("gives the 2026-08-14 voice only from 2026-08-14", () => {
    const request = { ...exampleJson("tts generation request (continue)"), voice: "a-voice-id" };
    expect(schemasForVersion("2026-08-14").tts.generationRequest.safeParse(request).success).toBe(true);
    expect(schemasForVersion("2026-03-01").tts.generationRequest.safeParse(request).success).toBe(false);
  });

  it("agrees with each endpoint's own schemas(options)", () => {
    const s = schemasForVersion("2025-04-16", "validating");
    expect(s.tts.error).toBe(tts.schemas({ strictness: "validating", version: "2025-04-16" }).error);
    expect(s.sttV1.error).toBe(sttV1.schemas({ strictness: "validating", version: "2025-04-16" }).error);
  });
});

// ---------------------------------------------------------------------------------------------
// §8 audio

describe("audio sizes (§8)", () => {
  it.each([
    ["pcm_s16le", 2],
    ["pcm_s32le", 4],
    ["pcm_f16le", 2],
    ["pcm_f32le", 4],
    ["pcm_mulaw", 1],
    ["pcm_alaw", 1],
  ] as const)("%s has %i bytes per sample", (encoding, bytes) => {
    expect(bytesPerSample(encoding)).toBe(bytes);
  });

  it("covers every STT encoding", () => {
    expect([...STT_ENCODINGS].sort()).toEqual(["pcm_alaw", "pcm_f16le", "pcm_f32le", "pcm_mulaw", "pcm_s16le", "pcm_s32le"]);
  });

  it("sizes the frames real clients send", () => {
    expect(bytesForDuration(0.1, "pcm_s16le", 16000)).toBe(3200);
    // livekit-js: 160 ms frames = 5120 bytes at 16 kHz (§9.2).
    expect(bytesForDuration(0.16, "pcm_s16le", 16000)).toBe(5120);
    expect(bytesForDuration(0.02, "pcm_mulaw", 8000)).toBe(160);
    expect(bytesForDuration(1, "pcm_f32le", 48000)).toBe(192000);
    expect(bytesForDuration(0.1, "pcm_s32le", 44100)).toBe(4410 * 4);
  });

  it("counts whole samples only: 3201 bytes of s16le are 1600 samples", () => {
    expect(samplesInBytes(3201, "pcm_s16le")).toBe(1600);
    expect(durationOfBytes(3201, "pcm_s16le", 16000)).toBe(0.1);
    expect(durationOfBytes(3200, "pcm_s16le", 16000)).toBe(0.1);
    expect(samplesInBytes(3, "pcm_f32le")).toBe(0);
    expect(durationOfBytes(3, "pcm_f32le", 16000)).toBe(0);
    expect(samplesInBytes(7, "pcm_alaw")).toBe(7);
  });

  it("round-trips bytes → duration → bytes, dropping a partial sample", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<SttEncoding>(...STT_ENCODINGS),
        fc.constantFrom(8000, 16000, 22050, 24000, 44100, 48000),
        fc.nat({ max: 10_000_000 }),
        (encoding, rate, bytes) => {
          const whole = bytes - (bytes % bytesPerSample(encoding));
          expect(bytesForDuration(durationOfBytes(bytes, encoding, rate), encoding, rate)).toBe(whole);
        },
      ),
      { seed: 8, numRuns: 500 },
    );
  });

  it("round-trips duration → bytes → duration to within half a sample", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<SttEncoding>(...STT_ENCODINGS),
        fc.constantFrom(8000, 16000, 22050, 24000, 44100, 48000),
        fc.double({ min: 0, max: 600, noNaN: true }),
        (encoding, rate, seconds) => {
          const bytes = bytesForDuration(seconds, encoding, rate);
          expect(bytes % bytesPerSample(encoding)).toBe(0);
          expect(Math.abs(durationOfBytes(bytes, encoding, rate) - seconds)).toBeLessThanOrEqual(0.5 / rate + 1e-9);
        },
      ),
      { seed: 8, numRuns: 500 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// §2.1 / §9.1 query encoding

describe("query decoding and encoding (§2.1, §9.1)", () => {
  const base = "model=ink-2&encoding=pcm_s16le&sample_rate=16000";

  it("decodes both + and %20 as spaces (Python urlencode vs cartesia-js)", () => {
    for (const wire of ["keyterm=New+York", "keyterm=New%20York"]) {
      const result = sttV1.parseQuery(`${base}&${wire}`, { strictness: "strict" });
      expect(result).toMatchObject({ ok: true, value: { keyterm: ["New York"] } });
    }
    expect(queryRecord("?a=x+y&b=x%20y&c=x%2By")).toEqual({ a: "x y", b: "x y", c: "x+y" });
  });

  it("turns a repeated keyterm into an array, and a single one into an array of one", () => {
    const repeated = sttTurns.parseQuery(`${base}&keyterm=Cartesia&keyterm=ink+2&keyterm=Sonic%203`, { strictness: "strict" });
    expect(repeated).toMatchObject({ ok: true, value: { keyterm: ["Cartesia", "ink 2", "Sonic 3"] } });
    expect(sttV1.parseQuery(`${base}&keyterm=one`)).toMatchObject({ ok: true, value: { keyterm: ["one"] } });
    expect(queryRecord("keyterm=a&keyterm=b&model=ink-2")).toEqual({ keyterm: ["a", "b"], model: "ink-2" });
  });

  it("reads a URLSearchParams and a plain record the same as a string", () => {
    const fromString = sttV1.parseQuery(`?${base}&keyterm=a&keyterm=b c`);
    const fromParams = sttV1.parseQuery(new URLSearchParams(`${base}&keyterm=a&keyterm=b+c`));
    const fromRecord = sttV1.parseQuery({ model: "ink-2", encoding: "pcm_s16le", sample_rate: "16000", keyterm: ["a", "b c"], language: undefined });
    expect(fromString).toEqual(fromParams);
    expect(fromRecord).toEqual(fromParams);
    expect(fromParams).toMatchObject({ ok: true, value: { sample_rate: 16000, keyterm: ["a", "b c"] } });
  });

  it("encodeQuery writes spaces as %20 and repeats the key", () => {
    const wire = sttV1.encodeQuery({ model: "ink-2", encoding: "pcm_s16le", sample_rate: 16000, keyterm: ["New York", "Los Angeles"] });
    expect(wire).toBe("model=ink-2&encoding=pcm_s16le&sample_rate=16000&keyterm=New%20York&keyterm=Los%20Angeles");
    expect(wire).not.toContain("+");
    const turns = sttTurns.encodeQuery({ model: "ink-2", encoding: "pcm_s16le", sample_rate: 16000, keyterm: ["a b"], turn_end_threshold: 0.15 });
    expect(new URLSearchParams(turns).getAll("keyterm")).toEqual(["a b"]);
    expect(turns).toContain("turn_end_threshold=0.15");
    expect(queryString({ k: ["x y", "z&w"], n: "1+1" })).toBe("k=x%20y&k=z%26w&n=1%2B1");
  });

  it("round-trips parse(encode(query))", () => {
    const query: sttV1.Query = {
      model: "ink-whisper",
      encoding: "pcm_mulaw",
      sample_rate: 8000,
      language: "es",
      min_volume: 0.25,
      max_silence_duration_secs: 0.4,
      keyterm: ["Señor Pérez", "a&b=c", "100%"],
    };
    expect(sttV1.parseQuery(sttV1.encodeQuery(query), { strictness: "strict" })).toEqual({ ok: true, value: query });
    const batch: sttBatch.Query = { encoding: "pcm_s16le", sample_rate: 16000 };
    expect(sttBatch.parseQuery(sttBatch.encodeQuery(batch), { strictness: "strict" })).toEqual({ ok: true, value: batch });
  });

  it("round-trips any keyterms (fast-check)", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 8 }), (terms) => {
        const query: sttTurns.Query = { model: "ink-2", encoding: "pcm_s16le", sample_rate: 16000, keyterm: terms };
        const wire = sttTurns.encodeQuery(query);
        expect(wire).not.toMatch(/[ +]/);
        expect(sttTurns.parseQuery(wire, { strictness: "lenient" })).toEqual({ ok: true, value: query });
      }),
      { seed: 21, numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// §1.2 auth

describe("readCredentials (§1.2)", () => {
  it("reads Authorization: Bearer", () => {
    expect(readCredentials({ headers: { authorization: "Bearer sk_car_abc" } })).toEqual([{ kind: "bearer", value: "sk_car_abc", source: "authorization" }]);
    expect(readCredentials({ headers: { Authorization: "bearer   tok_1  " } })).toEqual([{ kind: "bearer", value: "tok_1", source: "authorization" }]);
  });

  it("ignores an Authorization header that is not a bearer credential", () => {
    expect(readCredentials({ headers: { authorization: "Basic dXNlcjpwYXNz" } })).toEqual([]);
    expect(readCredentials({ headers: { authorization: "Bearer" } })).toEqual([]);
  });

  it.each(["x-api-key", "X-API-Key", "X-API-KEY", "x-Api-kEY"])("reads the %s header (names are case-insensitive)", (name) => {
    expect(readCredentials({ headers: { [name]: "sk_car_key" } })).toEqual([{ kind: "api_key", value: "sk_car_key", source: "x-api-key" }]);
  });

  it("reads a fetch Headers object", () => {
    const headers = new Headers({ "X-API-KEY": "sk_car_key", Authorization: "Bearer tok" });
    expect(readCredentials({ headers })).toEqual([
      { kind: "bearer", value: "tok", source: "authorization" },
      { kind: "api_key", value: "sk_car_key", source: "x-api-key" },
    ]);
  });

  it("reads Node-style repeated headers (the first value)", () => {
    expect(readCredentials({ headers: { "x-api-key": ["first", "second"] } })).toEqual([{ kind: "api_key", value: "first", source: "x-api-key" }]);
  });

  it("reads ?api_key and ?access_token, access_token first (the browser SDK's precedence)", () => {
    expect(readCredentials({ query: new URLSearchParams("api_key=sk_car_q") })).toEqual([{ kind: "api_key", value: "sk_car_q", source: "query:api_key" }]);
    expect(readCredentials({ query: new URLSearchParams("access_token=tok_q") })).toEqual([
      { kind: "access_token", value: "tok_q", source: "query:access_token" },
    ]);
    expect(readCredentials({ query: new URLSearchParams("api_key=k&access_token=t") }).map((c) => c.source)).toEqual(["query:access_token", "query:api_key"]);
  });

  it("lists every credential, headers before query", () => {
    const found = readCredentials({
      headers: { authorization: "Bearer b", "X-Api-Key": "h" },
      query: new URLSearchParams("api_key=q&access_token=t"),
    });
    expect(found.map((c) => `${c.kind}:${c.value}`)).toEqual(["bearer:b", "api_key:h", "access_token:t", "api_key:q"]);
  });

  it("finds nothing in an empty request", () => {
    expect(readCredentials({})).toEqual([]);
    expect(readCredentials({ headers: {}, query: new URLSearchParams() })).toEqual([]);
    expect(readCredentials({ headers: { "x-api-key": "  " }, query: new URLSearchParams("api_key=") })).toEqual([]);
  });

  it("strips only SP and HTAB around a header credential, never U+00A0 or other Unicode spaces", () => {
    expect(readCredentials({ headers: { authorization: "\tBearer \t k1 \t", "x-api-key": " \tk2\t " } }).map((c) => c.value)).toEqual(["k1", "k2"]);
    for (const space of ["\u00a0", "\u2003", "\u3000", "\ufeff", "\u000b", "\u000c"]) {
      expect(readCredentials({ headers: { "x-api-key": `k${space}` } }).map((c) => c.value)).toEqual([`k${space}`]);
      expect(readCredentials({ headers: { "x-api-key": `${space}k` } }).map((c) => c.value)).toEqual([`${space}k`]);
      expect(readCredentials({ headers: { authorization: `Bearer k${space}` } }).map((c) => c.value)).toEqual([`k${space}`]);
      // Not a bearer credential at all: the scheme is separated by SP or HTAB only.
      expect(readCredentials({ headers: { authorization: `Bearer${space}k` } })).toEqual([]);
    }
  });
});

describe("accessToken.grantCovers (§7)", () => {
  it("opens a path inside a true grant's scope only", () => {
    expect(accessToken.grantCovers({ stt: true }, "/stt/turns/websocket")).toBe(true);
    expect(accessToken.grantCovers({ stt: true }, "/tts/websocket")).toBe(false);
    expect(accessToken.grantCovers({ tts: false }, "/tts/bytes")).toBe(false);
  });

  it("is total: grants that are not an object of grants open nothing and never throw", () => {
    for (const grants of [null, undefined, [], ["tts"], "tts", 1, true, { tts: "true" }, { tts: 1 }]) {
      expect(accessToken.grantCovers(grants, "/tts/bytes")).toBe(false);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// §1.4 errors

describe("error shapes (§1.4)", () => {
  const error: Omit<CartesiaError, "shape" | "requestId"> & { requestId: string } = {
    status: 404,
    code: "voice_not_found",
    title: "Voice not found",
    message: "No voice with that id.",
    requestId: "5a1e…:turn-42:9c0d…",
    contextId: "turn-42",
  };
  const versionOf: Record<ErrorShape, string> = { structured: "2026-03-01", legacy: "2025-04-16" };
  const otherShape: Record<ErrorShape, ErrorShape> = { structured: "legacy", legacy: "structured" };
  /** The strict WebSocket parse of each family. */
  const parseStrict = (family: ErrorFamily, event: object, version: string) =>
    family === "tts"
      ? [tts.parseServerMessage(JSON.stringify(event), { strictness: "strict", version })]
      : [
          sttV1.parseServerMessage(JSON.stringify(event), { strictness: "strict", version }),
          // The turns endpoint is structured at every version (§3.3): it reads only that shape.
          ...(version >= "2026-03-01" ? [sttTurns.parseServerMessage(JSON.stringify(event), { strictness: "strict", version })] : []),
        ];

  const expectedKeys: Record<ErrorFamily, Record<ErrorShape, string[]>> = {
    stt: {
      structured: ["type", "done", "status_code", "error_code", "title", "message", "request_id"],
      legacy: ["type", "message", "code", "request_id"],
    },
    tts: {
      structured: ["type", "done", "status_code", "error_code", "title", "message", "request_id", "context_id"],
      legacy: ["type", "done", "error", "status_code", "context_id"],
    },
  };

  describe.each(["stt", "tts"] as const)("%s", (family) => {
    it.each(["structured", "legacy"] as const)("toErrorEvent(%s) has the §1.4 fields and parses with that version's strict schema", (shape) => {
      const event = toErrorEvent(error, family, shape);
      expect(Object.keys(event).sort()).toEqual([...expectedKeys[family][shape]].sort());
      expect(event.type).toBe("error");
      for (const result of parseStrict(family, event, versionOf[shape])) {
        if (!result.ok) expect.fail(result.error.message);
      }
      // ...and not with the other shape's.
      for (const result of parseStrict(family, event, versionOf[otherShape[shape]])) expect(result.ok).toBe(false);
    });

    it.each(["structured", "legacy"] as const)("normalizeErrorEvent(toErrorEvent(%s)) keeps title, message and status", (shape) => {
      const back = normalizeErrorEvent(toErrorEvent(error, family, shape) as Parameters<typeof normalizeErrorEvent>[0]);
      expect(back).toMatchObject({ title: error.title, message: error.message, status: error.status, shape });
      expect(back.code).toBe(shape === "structured" ? error.code : null);
      if (family === "tts") expect(back.contextId).toBe("turn-42");
    });
  });

  it("legacy events carry the `Title: Message` text and the status", () => {
    expect(toErrorEvent(error, "stt", "legacy")).toEqual({
      type: "error",
      message: "Voice not found: No voice with that id.",
      code: 404,
      request_id: "5a1e…:turn-42:9c0d…",
    });
    expect(toErrorEvent(error, "tts", "legacy")).toEqual(exampleJson("tts error (legacy)"));
  });

  it("reproduces the printed examples", () => {
    expect(toErrorEvent(error, "tts", "structured")).toEqual(exampleJson("tts error (structured)"));
    const stt = { status: 400, code: "model_not_found", title: "Invalid model", message: "Model 'ink-9' does not exist.", requestId: "7d1c3f0e-5a2b-4c9d-8e11-2f6a9b0c4d51" };
    expect(toErrorEvent(stt, "stt", "legacy")).toEqual(exampleJson("stt-v1 error (legacy)"));
    // The STT example omits `done`; §1.4 says WebSocket errors carry `done: true`.
    expect(toErrorEvent(stt, "stt", "structured")).toEqual({ ...exampleJson("stt-v1 error (structured)"), done: true });
  });

  it("adds doc_url when known, and never context_id on STT", () => {
    const withDoc = { ...error, docUrl: "https://docs.cartesia.ai/use-the-api/api-errors" };
    expect(toErrorEvent(withDoc, "tts", "structured")).toMatchObject({ doc_url: withDoc.docUrl, context_id: "turn-42" });
    expect(toErrorEvent(withDoc, "stt", "structured")).toMatchObject({ doc_url: withDoc.docUrl });
    expect(toErrorEvent(withDoc, "stt", "structured")).not.toHaveProperty("context_id");
    expect(toErrorEvent({ ...error, code: null }, "tts", "structured")).toMatchObject({ error_code: null });
  });

  it.each([
    ["stt-v1 error (structured)", { title: "Invalid model", message: "Model 'ink-9' does not exist.", status: 400, code: "model_not_found", shape: "structured" }],
    ["stt-v1 error (legacy)", { title: "Invalid model", message: "Model 'ink-9' does not exist.", status: 400, code: null, shape: "legacy" }],
    ["tts error (structured)", { title: "Voice not found", message: "No voice with that id.", status: 404, code: "voice_not_found", shape: "structured", contextId: "turn-42" }],
    ["tts error (legacy)", { title: "Voice not found", message: "No voice with that id.", status: 404, code: null, shape: "legacy", contextId: "turn-42" }],
  ] as const)("normalizeErrorEvent reads the %s example", (name, expected) => {
    expect(normalizeErrorEvent(exampleJson(name) as Parameters<typeof normalizeErrorEvent>[0])).toMatchObject(expected);
  });

  it("toHttpErrorResponse: legacy is text/plain `Title: Message`", () => {
    const response = toHttpErrorResponse(error, "legacy");
    expect(response.status).toBe(404);
    expect(response.contentType).toMatch(/^text\/plain\b/);
    expect(response.body).toBe("Voice not found: No voice with that id.");
  });

  it("toHttpErrorResponse: structured is the §1.4 JSON body, valid under strict", () => {
    const response = toHttpErrorResponse({ ...error, docUrl: "https://docs.cartesia.ai/x" }, "structured");
    expect(response.status).toBe(404);
    expect(response.contentType).toMatch(/^application\/json\b/);
    const body = JSON.parse(response.body) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["doc_url", "error_code", "message", "request_id", "title"]);
    expect(ttsBytes.schemas({ strictness: "strict" }).errorBody.safeParse(body).success).toBe(true);
    expect(Object.keys(exampleJson("HTTP error body (structured)")).every((k) => k in body)).toBe(true);
  });

  it("normalizeHttpError reads both shapes and round-trips toHttpErrorResponse", () => {
    for (const shape of ["structured", "legacy"] as const) {
      const response = toHttpErrorResponse(error, shape);
      const back = normalizeHttpError(response.status, response.body, "hdr-request-id");
      expect(back).toMatchObject({ status: 404, title: error.title, message: error.message, shape });
      expect(back.code).toBe(shape === "structured" ? "voice_not_found" : null);
      // Structured bodies carry their own request id; legacy text takes the header's.
      expect(back.requestId).toBe(shape === "structured" ? error.requestId : "hdr-request-id");
    }
    expect(normalizeHttpError(429, example("HTTP error body (structured)").text)).toMatchObject({ code: "concurrency_limited", shape: "structured" });
    expect(normalizeHttpError(401, "Unauthorized: Invalid API key\n")).toMatchObject({ title: "Unauthorized", message: "Invalid API key", shape: "legacy" });
    expect(normalizeHttpError(500, "Internal error")).toMatchObject({ title: "", message: "Internal error", shape: "legacy" });
  });
});

// ---------------------------------------------------------------------------------------------
// §6.2 SSE framing

describe("SseDecoder (§6.2)", () => {
  const chunk = '{"type":"chunk","data":"AAAAAP//AQA=","done":false,"status_code":206,"step_time":11.2,"context_id":"sse-1"}';
  const done = '{"type":"done","done":true,"status_code":206,"context_id":"sse-1"}';

  /** Feeds `text` in pieces cut at `cuts`, then ends the stream. */
  function decodeInPieces(text: string, cuts: number[]): string[] {
    const decoder = new ttsSse.SseDecoder();
    const out: string[] = [];
    let at = 0;
    for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
      out.push(...decoder.push(text.slice(at, cut)));
      at = cut;
    }
    out.push(...decoder.push(text.slice(at)));
    out.push(...decoder.end());
    return out;
  }

  it("decodes the §6.2 example", () => {
    expect(decodeInPieces(SSE_EXAMPLE_BODY, [])).toEqual([chunk, done]);
  });

  const bodies: Array<[string, string, string[]]> = [
    ["LF line endings", SSE_EXAMPLE_BODY, [chunk, done]],
    ["CRLF line endings", SSE_EXAMPLE_BODY.replaceAll("\n", "\r\n"), [chunk, done]],
    ["CR line endings", SSE_EXAMPLE_BODY.replaceAll("\n", "\r"), [chunk, done]],
    [
      "comments, event:, id: and retry: lines",
      `: keep-alive\r\nevent: chunk\r\nid: 1\r\nretry: 1000\r\ndata: ${chunk}\r\n\r\n:\r\nevent: done\r\ndata: ${done}\r\n\r\n`,
      [chunk, done],
    ],
    ["multi-line data joined by \\n", 'data: {"type":"done",\ndata: "done":true}\n\ndata:no-space\n\n', ['{"type":"done",\n"done":true}', "no-space"]],
    ["blank lines between events", `\n\n\ndata: ${chunk}\n\n\n\ndata: ${done}\n\n`, [chunk, done]],
  ];

  it.each(bodies)("%s, split at every single position", (_name, body, expected) => {
    for (let cut = 0; cut <= body.length; cut++) expect(decodeInPieces(body, [cut]), `cut at ${cut}`).toEqual(expected);
  });

  it.each(bodies)("%s, split at random positions (fast-check)", (_name, body, expected) => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: body.length }), { maxLength: 12 }), (cuts) => {
        expect(decodeInPieces(body, cuts)).toEqual(expected);
      }),
      { seed: 62, numRuns: 200 },
    );
  });

  it("handles a chunk boundary inside \\r\\n without an extra blank line", () => {
    const decoder = new ttsSse.SseDecoder();
    expect(decoder.push(`data: ${chunk}\r`)).toEqual([]);
    expect(decoder.push("\n")).toEqual([]);
    expect(decoder.push("\r")).toEqual([]);
    expect(decoder.push("\ndata: x\r")).toEqual([chunk]);
    expect(decoder.push("\n\r\n")).toEqual(["x"]);
    expect(decoder.end()).toEqual([]);
  });

  it("end() flushes a final event that lacks the blank line", () => {
    for (const tail of [`data: ${done}`, `data: ${done}\n`, `data: ${done}\r`, `data: ${done}\r\n`]) {
      const decoder = new ttsSse.SseDecoder();
      expect(decoder.push(`data: ${chunk}\n\n${tail}`), JSON.stringify(tail)).toEqual([chunk]);
      expect(decoder.end(), JSON.stringify(tail)).toEqual([done]);
    }
  });

  it("end() on an empty or comment-only stream yields nothing", () => {
    expect(new ttsSse.SseDecoder().end()).toEqual([]);
    const decoder = new ttsSse.SseDecoder();
    expect(decoder.push(": just a comment\nevent: ping\n\n")).toEqual([]);
    expect(decoder.end()).toEqual([]);
  });

  it("every decoded event of an encoded stream parses back to the same event", () => {
    const events = [exampleJson("tts chunk"), exampleJson("tts done")].map((e) => {
      const { flush_id: _flush, ...rest } = e;
      return rest as ttsSse.Event;
    });
    const body = events.map((e) => ttsSse.encodeEvent(e)).join("");
    const decoded = decodeInPieces(body, [5, 17, body.length - 1]);
    expect(decoded.map((d) => ttsSse.parseEvent(d, { strictness: "strict" }))).toEqual(events.map((value) => ({ ok: true, value })));
  });
});
