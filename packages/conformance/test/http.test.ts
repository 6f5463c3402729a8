/**
 * TTS over HTTP: the checks as pure functions of hand-made exchanges, the generated requests against
 * the protocol's strict schemas, and the recording relay against a real mock.
 */
import * as fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scenarioSchema, startMockServer, type MockServer } from "@speechwire/mock-server";
import { sttBatch, ttsBytes, ttsSse } from "@speechwire/protocol";
import { CHECKS_BY_ID, type CheckInput } from "../src/checks/catalogue.js";
import { SPEECHWIRE_CAPABILITIES } from "../src/adapter/speechwire.js";
import { caseSchema, type Case, type ObservationEvent } from "../src/adapter/schema.js";
import { batchCaseArb, fixedCases, ttsHttpCaseArb } from "../src/runner/cases.js";
import { startHttpRecorder, type HttpExchange } from "../src/runner/http-recorder.js";
import { RUNS, SEED } from "./helpers.js";

const VOICE = { mode: "id", id: "6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81" };
const REQUEST = { model_id: "sonic-3", transcript: "Hi there. ", voice: VOICE, output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: 24000 }, language: "en" };

function httpCase(endpoint: "bytes" | "sse", over: Record<string, unknown> = {}): Case {
  return caseSchema.parse({ id: "h", suite: "tts-http", http: { endpoint, request: { ...REQUEST, ...over } }, actions: [] });
}

function exchange(over: Partial<HttpExchange> = {}): HttpExchange {
  return {
    method: "POST",
    path: "/tts/bytes",
    scenario: "x",
    query: {},
    headers: { authorization: "present", "cartesia-version": "2026-03-01", "content-type": "application/json" },
    body: JSON.stringify(REQUEST),
    requestBytes: new TextEncoder().encode(JSON.stringify(REQUEST)),
    status: 200,
    responseHeaders: {},
    response: new Uint8Array([1, 2, 3, 4, 5, 6]),
    incomplete: false,
    ...over,
  };
}

function input(c: Case, http: HttpExchange[], events: ObservationEvent[] = [], extra: Partial<CheckInput> = {}): CheckInput {
  return {
    case: c,
    scenario: scenarioSchema.parse({ name: "x" }),
    sessions: [],
    observations: { events, result: { crashed: false } },
    capabilities: SPEECHWIRE_CAPABILITIES,
    audio: new Uint8Array(0),
    http,
    ...extra,
  };
}

const grade = (id: string, i: CheckInput) => {
  const check = CHECKS_BY_ID.get(id);
  if (!check) throw new Error(`no check ${id}`);
  return check.evaluate(i);
};
const b64 = (bytes: number[]) => Buffer.from(bytes).toString("base64");

describe("tts-http checks", () => {
  it("bytes-request: credentials, version, a strictly valid body with the caller's fields", () => {
    const c = httpCase("bytes");
    expect(grade("tts-http/bytes-request", input(c, [exchange()]))?.grade).toBe("pass");
    expect(grade("tts-http/bytes-request", input(c, []))?.message).toMatch(/never sent/u);
    expect(grade("tts-http/bytes-request", input(c, [exchange({ headers: { authorization: "present" } })]))?.message).toMatch(/Cartesia-Version/u);
    expect(grade("tts-http/bytes-request", input(c, [exchange({ headers: { "cartesia-version": "2026-03-01" } })]))?.message).toMatch(/credentials/u);
    expect(grade("tts-http/bytes-request", input(c, [exchange({ method: "GET" })]))?.grade).toBe("fail");
    // Key order inside objects does not matter.
    const reordered = { language: "en", output_format: { sample_rate: 24000, encoding: "pcm_s16le", container: "raw" }, voice: { id: VOICE.id, mode: "id" }, transcript: "Hi there. ", model_id: "sonic-3" };
    expect(grade("tts-http/bytes-request", input(c, [exchange({ body: JSON.stringify(reordered) })]))?.grade).toBe("pass");
    // An unknown field fails the strict schema; a trimmed transcript is not what the caller asked for.
    expect(grade("tts-http/bytes-request", input(c, [exchange({ body: JSON.stringify({ ...REQUEST, context_id: "x" }) })]))?.message).toMatch(/request body/u);
    expect(grade("tts-http/bytes-request", input(c, [exchange({ body: JSON.stringify({ ...REQUEST, transcript: "Hi there." }) })]))?.message).toMatch(/transcript/u);
    // Not for SSE cases, nor for deliberately invalid requests.
    expect(grade("tts-http/bytes-request", input(httpCase("sse"), [exchange()]))).toBeUndefined();
    const invalid = caseSchema.parse({ ...c, http: { ...c.http, invalid: true } });
    expect(grade("tts-http/bytes-request", input(invalid, [exchange()]))).toBeUndefined();
  });

  it("sse-request: the SSE schema (raw only)", () => {
    const c = httpCase("sse", { add_timestamps: true });
    const body = JSON.stringify({ ...REQUEST, add_timestamps: true });
    expect(grade("tts-http/sse-request", input(c, [exchange({ path: "/tts/sse", body })]))?.grade).toBe("pass");
    const wav = httpCase("sse", { output_format: { container: "wav", encoding: "pcm_s16le", sample_rate: 24000 } });
    expect(grade("tts-http/sse-request", input(wav, [exchange({ path: "/tts/sse", body: JSON.stringify(wav.http?.request) })]))?.grade).toBe("fail");
  });

  it("bytes-audio: byte for byte, the answered exchange after retries", () => {
    const c = httpCase("bytes");
    const whole: ObservationEvent[] = [{ type: "http.audio", data: b64([1, 2, 3]) }, { type: "http.audio", data: b64([4, 5, 6]) }];
    expect(grade("tts-http/bytes-audio", input(c, [exchange()], whole))?.grade).toBe("pass");
    expect(grade("tts-http/bytes-audio", input(c, [exchange()], whole.slice(0, 1)))?.message).toMatch(/3 bytes surfaced, 6 expected; first difference at byte 3/u);
    expect(grade("tts-http/bytes-audio", input(c, [exchange()], [{ type: "http.audio", data: b64([1, 2, 3, 4, 5, 7]) }]))?.message).toMatch(/byte 5/u);
    expect(grade("tts-http/bytes-audio", input(c, [exchange({ incomplete: true })], whole))?.grade).toBe("fail");
    // A 429 then a 200 (a retry): the audio is the 200's.
    expect(grade("tts-http/bytes-audio", input(c, [exchange({ status: 429, response: new Uint8Array([9]) }), exchange()], whole))?.grade).toBe("pass");
    expect(grade("tts-http/bytes-audio", input(c, [exchange({ status: 401 })], []))).toBeUndefined();
  });

  it("sse-events: every event in order, audio exact and equal to /tts/bytes", () => {
    const c = httpCase("sse", { add_timestamps: true });
    const sse = [
      { type: "chunk", data: b64([1, 2]), done: false, status_code: 206, step_time: 1 },
      { type: "timestamps", done: false, status_code: 206, word_timestamps: { words: ["Hi"], start: [0], end: [0.2] } },
      { type: "phoneme_timestamps", done: false, status_code: 206, phoneme_timestamps: { phonemes: ["h"], start: [0], end: [0.1] } },
      { type: "chunk", data: b64([3, 4]), done: false, status_code: 206, step_time: 1 },
      { type: "done", done: true, status_code: 200 },
    ];
    const body = new TextEncoder().encode(sse.map((e) => `data: ${JSON.stringify(e)}\n\n`).join(""));
    const ex = exchange({ path: "/tts/sse", response: body });
    const good: ObservationEvent[] = [
      { type: "http.audio", data: b64([1, 2]) },
      { type: "http.timestamps", words: ["Hi"], start: [0], end: [0.2] },
      { type: "http.audio", data: b64([3, 4]) },
      { type: "http.done" },
    ];
    const reference = new Uint8Array([1, 2, 3, 4]);
    expect(grade("tts-http/sse-events", input(c, [ex], good, { reference }))?.grade).toBe("pass");
    expect(grade("tts-http/sse-events", input(c, [ex], good.slice(0, 3), { reference }))?.message).toMatch(/event 3: expected done, surfaced \(nothing\)/u);
    expect(grade("tts-http/sse-events", input(c, [ex], [good[2]!, good[1]!, good[0]!, good[3]!], { reference }))?.grade).toBe("fail");
    // The SSE audio must be what /tts/bytes gives for the same request.
    expect(grade("tts-http/sse-events", input(c, [ex], good, { reference: new Uint8Array([1, 2, 3]) }))?.message).toMatch(/against \/tts\/bytes/u);
    // Without the timestamps capability, timestamps are not compared.
    const noTs = input(c, [ex], [good[0]!, good[2]!, good[3]!], { reference, capabilities: { ...SPEECHWIRE_CAPABILITIES, timestamps: false } });
    expect(grade("tts-http/sse-events", noTs)?.grade).toBe("pass");
  });

  it("errors-surfaced: status and code from structured JSON, status from legacy plain text, never as audio", () => {
    const c = httpCase("bytes");
    const structured = exchange({ status: 429, response: new TextEncoder().encode('{"error_code":"concurrency_limited","title":"Too many","message":"m","request_id":"r"}') });
    const legacy = exchange({ status: 401, response: new TextEncoder().encode("Unauthorized: bad key") });
    expect(grade("tts-http/errors-surfaced", input(c, [structured], [{ type: "error", status: 429, code: "concurrency_limited" }]))?.grade).toBe("pass");
    expect(grade("tts-http/errors-surfaced", input(c, [structured], [{ type: "error", status: 429, code: null }]))?.message).toMatch(/concurrency_limited/u);
    expect(grade("tts-http/errors-surfaced", input(c, [structured], [{ type: "error", message: "failed" }]))?.message).toMatch(/without its status/u);
    expect(grade("tts-http/errors-surfaced", input(c, [legacy], [{ type: "error", status: 401, code: null }]))?.grade).toBe("pass");
    expect(grade("tts-http/errors-surfaced", input(c, [legacy], []))?.message).toMatch(/legacy plain-text body\) was not surfaced/u);
    const asAudio: ObservationEvent[] = [{ type: "error", status: 401 }, { type: "http.audio", data: b64([85]) }];
    expect(grade("tts-http/errors-surfaced", input(c, [legacy], asAudio))?.message).toMatch(/as audio/u);
    expect(grade("tts-http/errors-surfaced", input(c, [exchange()], []))).toBeUndefined();
  });
});

describe("tts-http cases", () => {
  it("every fixed and generated request is valid at its version unless marked invalid (and the invalid one is not)", () => {
    const valid = (c: Case) => {
      const h = c.http as NonNullable<Case["http"]>;
      const body = JSON.stringify(h.request);
      const options = { strictness: "strict" as const, version: c.version };
      return (h.endpoint === "bytes" ? ttsBytes.parseRequest(body, options) : ttsSse.parseRequest(body, options)).ok;
    };
    for (const c of fixedCases("tts-http")) expect(valid(c), c.id).toBe(!c.http?.invalid);
    fc.assert(
      fc.property(ttsHttpCaseArb(), (c) => valid(c) && c.http?.invalid === false),
      { seed: SEED, numRuns: Math.max(RUNS, 50) },
    );
  });
});

describe("the recording relay", () => {
  let mock: MockServer;
  beforeAll(async () => {
    mock = await startMockServer({ port: 0, tlsPort: false, seed: 1 });
  });
  afterAll(async () => {
    await mock.close();
  });

  it("passes requests through unchanged and records every byte of the answers, per scenario", async () => {
    const recorder = await startHttpRecorder(mock.urls.http);
    try {
      const headers = { authorization: "Bearer sk_car_secret", "cartesia-version": "2026-03-01", "content-type": "application/json" };
      const body = JSON.stringify(REQUEST);
      const direct = new Uint8Array(await (await fetch(`${mock.urls.http}/s/tts-basic/tts/bytes`, { method: "POST", headers, body })).arrayBuffer());
      const res = await fetch(`${recorder.url}/s/tts-basic/tts/bytes`, { method: "POST", headers, body });
      const relayed = new Uint8Array(await res.arrayBuffer());
      expect(res.status).toBe(200);
      expect(Buffer.from(relayed).equals(Buffer.from(direct))).toBe(true);
      expect(direct.length).toBeGreaterThan(1000);
      const refused = await fetch(`${recorder.url}/s/auth-401/tts/sse`, { method: "POST", headers, body });
      expect(refused.status).toBe(401);
      const [ex] = await recorder.take("tts-basic");
      expect(ex).toMatchObject({ method: "POST", path: "/tts/bytes", scenario: "tts-basic", status: 200, body, incomplete: false });
      expect(ex?.headers.authorization).toBe("present"); // the key itself is not kept
      expect(Buffer.from(ex?.response ?? []).equals(Buffer.from(direct))).toBe(true);
      const [no] = await recorder.take("auth-401");
      expect(no).toMatchObject({ path: "/tts/sse", status: 401 });
      expect(JSON.parse(new TextDecoder().decode(no?.response))).toMatchObject({ request_id: expect.any(String) });
      expect(await recorder.take("tts-basic")).toEqual([]);
    } finally {
      await recorder.close();
    }
  });
});

describe("stt-batch checks", () => {
  const FILE = new Uint8Array([82, 73, 70, 70, 1, 2, 3, 4]);
  const batch = (over: Record<string, unknown> = {}) =>
    caseSchema.parse({ id: "b", suite: "stt-batch", batch: { file: Buffer.from(FILE).toString("base64"), filename: "a.wav", model: "ink-whisper", language: "en", words: true, ...over }, actions: [] });
  const upload = (form: HttpExchange["form"], over: Partial<HttpExchange> = {}) =>
    exchange({ path: "/stt", body: "", requestBytes: new Uint8Array(0), form, response: new TextEncoder().encode(JSON.stringify({ type: "transcript", text: " Grüße, 日本.", words: [{ word: "Grüße,", start: 0.1, end: 0.4 }] })), ...over });
  const goodForm = { fields: { model: ["ink-whisper"], language: ["en"], "timestamp_granularities[]": ["word"] }, file: { name: "a.wav", bytes: FILE } };

  it("request: the file byte for byte, strict fields as asked, raw PCM in the query", () => {
    const c = batch();
    expect(grade("stt-batch/request", input(c, [upload(goodForm)]))?.grade).toBe("pass");
    expect(grade("stt-batch/request", input(c, [upload({ ...goodForm, file: { name: "a.wav", bytes: FILE.slice(0, 7) } })]))?.message).toMatch(/uploaded file: 7 bytes/u);
    expect(grade("stt-batch/request", input(c, [upload({ fields: goodForm.fields })]))?.message).toMatch(/no `file` part/u);
    expect(grade("stt-batch/request", input(c, [upload({ error: "not a multipart/form-data body: x" })]))?.message).toMatch(/multipart/u);
    expect(grade("stt-batch/request", input(c, [upload({ ...goodForm, fields: { model: ["ink-whisper"], language: ["en"] } })]))?.message).toMatch(/word timings were asked for/u);
    expect(grade("stt-batch/request", input(c, [upload({ ...goodForm, fields: { ...goodForm.fields, model: ["ink-2"] } })]))?.message).toMatch(/form fields/u);
    const raw = batch({ encoding: "pcm_s16le", sample_rate: 16000 });
    expect(grade("stt-batch/request", input(raw, [upload(goodForm)]))?.message).toMatch(/encoding=pcm_s16le&sample_rate=16000/u);
    expect(grade("stt-batch/request", input(raw, [upload(goodForm, { query: { encoding: "pcm_s16le", sample_rate: "16000" } })]))?.grade).toBe("pass");
  });

  it("text: exact (no trim), words as sent; errors in both shapes", () => {
    const c = batch();
    const words = [{ word: "Grüße,", start: 0.1, end: 0.4 }];
    expect(grade("stt-batch/text", input(c, [upload(goodForm)], [{ type: "batch.transcript", text: " Grüße, 日本.", words }]))?.grade).toBe("pass");
    expect(grade("stt-batch/text", input(c, [upload(goodForm)], [{ type: "batch.transcript", text: "Grüße, 日本.", words }]))?.message).toMatch(/surfaced, the server sent/u);
    expect(grade("stt-batch/text", input(c, [upload(goodForm)], [{ type: "batch.transcript", text: " Grüße, 日本." }]))?.message).toMatch(/words/u);
    expect(grade("stt-batch/text", input(c, [upload(goodForm)], []))?.message).toMatch(/0 transcripts/u);
    const refused = upload(goodForm, { status: 429, response: new TextEncoder().encode("Too many concurrent requests: limit") });
    expect(grade("stt-batch/text", input(c, [refused], []))).toBeUndefined();
    expect(grade("stt-batch/errors-surfaced", input(c, [refused], [{ type: "error", status: 429, code: null }]))?.grade).toBe("pass");
    expect(grade("stt-batch/errors-surfaced", input(c, [refused], []))?.grade).toBe("fail");
  });

  it("every generated upload's fields are valid under the strict form schema", () => {
    fc.assert(
      fc.property(batchCaseArb(), (c) => {
        const b = c.batch as NonNullable<Case["batch"]>;
        const fields: Record<string, string> = { model: b.model, ...(b.language ? { language: b.language } : {}), ...(b.words ? { "timestamp_granularities[]": "word" } : {}) };
        return sttBatch.parseForm(fields, { strictness: "strict", version: c.version }).ok && Buffer.from(b.file, "base64").length > 0;
      }),
      { seed: SEED, numRuns: Math.max(RUNS, 30) },
    );
  });
});
