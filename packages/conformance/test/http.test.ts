/**
 * The HTTP suites: the checks as pure functions of hand-made journal records (the mock's shape), the
 * generated requests against the protocol's strict schemas, and the mock's real journal read back.
 */
import { createHash } from "node:crypto";
import * as fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scenarioSchema, startMockServer, type MockServer, type SessionRecord } from "@speechwire/mock-server";
import { sttBatch, ttsBytes, ttsSse } from "@speechwire/protocol";
import { CHECKS_BY_ID, type CheckInput } from "../src/checks/catalogue.js";
import { httpExchange } from "../src/checks/http.js";
import { SPEECHWIRE_CAPABILITIES } from "../src/adapter/speechwire.js";
import { caseSchema, type Case, type ObservationEvent } from "../src/adapter/schema.js";
import { batchCaseArb, fixedCases, ttsHttpCaseArb } from "../src/runner/cases.js";
import { caseApplies } from "../src/runner/run.js";
import { LIVEKIT_CAPABILITIES } from "../src/adapter/livekit.js";
import { RUNS, SEED } from "./helpers.js";

const VOICE = { mode: "id", id: "6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81" };
const REQUEST = { model_id: "sonic-3", transcript: "Hi there. ", voice: VOICE, output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: 24000 }, language: "en" };
const AUDIO = new Uint8Array([1, 2, 3, 4, 5, 6]);

function httpCase(endpoint: "bytes" | "sse", over: Record<string, unknown> = {}): Case {
  return caseSchema.parse({ id: "h", suite: "tts-http", http: { endpoint, request: { ...REQUEST, ...over } }, actions: [] });
}

const hex = (...parts: Uint8Array[]) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest("hex");
};
const utf8 = (t: string) => new TextEncoder().encode(t);

interface RecordSpec {
  endpoint?: SessionRecord["endpoint"];
  method?: string;
  headers?: Record<string, string>;
  query?: Record<string, string | string[]>;
  /** The JSON request body (TTS), or nothing read. */
  body?: string | null;
  /** `/stt`: the form fields and the file the mock read. */
  form?: { fields: Record<string, string | string[]>; file?: Uint8Array };
  status?: number;
  /** A binary body (audio); or text entries (one JSON body, or SSE events). */
  audio?: Uint8Array;
  text?: string[];
  /** The client went away before the response ended. */
  dropped?: boolean;
  violations?: SessionRecord["violations"];
}

/** A journal record in the mock's shape (packages/mock-server README, "Admin API and journal"). */
function record(spec: RecordSpec = {}): SessionRecord {
  const endpoint = spec.endpoint ?? "tts-bytes";
  const status = spec.status ?? 200;
  const entries: SessionRecord["entries"] = [];
  const body = spec.body === undefined ? JSON.stringify(REQUEST) : spec.body;
  let upload: Uint8Array = new Uint8Array(0);
  if (spec.form) {
    entries.push({ t: 0, dir: "client", audio: 0, kind: "text", text: JSON.stringify({ fields: spec.form.fields, ...(spec.form.file ? { file: { bytes: spec.form.file.length } } : {}) }) });
    if (spec.form.file) {
      upload = spec.form.file;
      entries.push({ t: 0, dir: "client", audio: 0, kind: "binary", bytes: upload.length, offset: 0, frames: 1 });
    }
  } else if (body !== null) entries.push({ t: 0, dir: "client", audio: 0, kind: "text", text: body });
  entries.push({ t: 1, dir: "server", audio: 0, kind: "http", status, headers: {} });
  let responseBytes: Uint8Array;
  if (spec.text) {
    for (const t of spec.text) entries.push({ t: 2, dir: "server", audio: 0, kind: "text", text: t });
    responseBytes = utf8(spec.text.join(endpoint === "tts-sse" ? "\n\n" : ""));
  } else {
    responseBytes = spec.audio ?? AUDIO;
    entries.push({ t: 2, dir: "server", audio: 0, kind: "binary", bytes: responseBytes.length, offset: 0, frames: 1 });
  }
  if (spec.dropped) entries.push({ t: 3, dir: "client", audio: 0, kind: "drop", reason: "connection dropped before the response ended" });
  return {
    id: "s000001",
    endpoint,
    scenario: "x",
    version: "2026-03-01",
    requestId: "r",
    method: spec.method ?? "POST",
    path: "/s/x/tts/bytes",
    query: spec.query ?? {},
    headers: spec.headers ?? { authorization: "Bearer sk_car_…", "cartesia-version": "2026-03-01", "content-type": "application/json" },
    startedAt: "2026-01-01T00:00:00.000Z",
    endedAt: "2026-01-01T00:00:01.000Z",
    audio: { bytes: upload.length, sha256: hex(upload) },
    entries,
    droppedEntries: 0,
    violations: spec.violations ?? [],
    ...(spec.dropped ? {} : { response: { status, bytes: responseBytes.length, sha256: hex(responseBytes) } }),
  };
}

function input(c: Case, sessions: SessionRecord[], events: ObservationEvent[] = [], extra: Partial<CheckInput> = {}): CheckInput {
  return {
    case: c,
    scenario: scenarioSchema.parse({ name: "x" }),
    sessions,
    observations: { events, result: { crashed: false } },
    capabilities: SPEECHWIRE_CAPABILITIES,
    audio: new Uint8Array(0),
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
    expect(grade("tts-http/bytes-request", input(c, [record()]))?.grade).toBe("pass");
    expect(grade("tts-http/bytes-request", input(c, []))?.message).toMatch(/never sent/u);
    expect(grade("tts-http/bytes-request", input(c, [record({ headers: { authorization: "x" } })]))?.message).toMatch(/Cartesia-Version/u);
    expect(grade("tts-http/bytes-request", input(c, [record({ headers: { "cartesia-version": "2026-03-01" } })]))?.message).toMatch(/credentials/u);
    expect(grade("tts-http/bytes-request", input(c, [record({ headers: { "x-api-key": "x", "cartesia-version": "2026-03-01" } })]))?.grade).toBe("pass");
    expect(grade("tts-http/bytes-request", input(c, [record({ method: "GET" })]))?.grade).toBe("fail");
    expect(grade("tts-http/bytes-request", input(c, [record({ body: null })]))?.message).toMatch(/no request body/u);
    // Refused by the scenario before its body was read: only the method and the headers are graded.
    const refusing = { scenario: scenarioSchema.parse({ name: "x", handshake: { status: 401 } }) };
    expect(grade("tts-http/bytes-request", input(c, [record({ body: null, status: 401, text: ["{}"] })], [], refusing))?.grade).toBe("pass");
    expect(grade("tts-http/bytes-request", input(c, [record({ body: null, status: 401, text: ["{}"], headers: { authorization: "x" } })], [], refusing))?.message).toMatch(/Cartesia-Version/u);
    expect(grade("tts-http/bytes-request", input(c, [record({ body: null, status: 401, text: ["{}"] })]))?.message).toMatch(/no request body/u);
    // Key order inside objects does not matter.
    const reordered = { language: "en", output_format: { sample_rate: 24000, encoding: "pcm_s16le", container: "raw" }, voice: { id: VOICE.id, mode: "id" }, transcript: "Hi there. ", model_id: "sonic-3" };
    expect(grade("tts-http/bytes-request", input(c, [record({ body: JSON.stringify(reordered) })]))?.grade).toBe("pass");
    // An unknown field fails the strict schema; a trimmed transcript is not what the caller asked for.
    expect(grade("tts-http/bytes-request", input(c, [record({ body: JSON.stringify({ ...REQUEST, context_id: "x" }) })]))?.message).toMatch(/request body/u);
    expect(grade("tts-http/bytes-request", input(c, [record({ body: JSON.stringify({ ...REQUEST, transcript: "Hi there." }) })]))?.message).toMatch(/transcript/u);
    // The mock's own strict-schema finding is reported as it stands.
    const flagged = record({ violations: [{ rule: "tts-bytes/valid-request", section: "§6.1", severity: "error", message: "client body: unknown field max_buffer_delay_ms", index: 0 }] });
    expect(grade("tts-http/bytes-request", input(c, [flagged]))?.message).toMatch(/strict schema at 2026-03-01\): unknown field max_buffer_delay_ms/u);
    // A body the journal clipped is not guessed at.
    expect(grade("tts-http/bytes-request", input(c, [record({ body: `${JSON.stringify(REQUEST).slice(0, 20)}…(9999 chars)` })]))?.message).toMatch(/clipped/u);
    // Not for SSE cases, nor for deliberately invalid requests; only records of the case's endpoint count.
    expect(grade("tts-http/bytes-request", input(httpCase("sse"), [record()]))).toBeUndefined();
    const invalid = caseSchema.parse({ ...c, http: { ...c.http, invalid: true } });
    expect(grade("tts-http/bytes-request", input(invalid, [record()]))).toBeUndefined();
    expect(grade("tts-http/bytes-request", input(c, [record({ endpoint: "tts-sse" })]))?.message).toMatch(/never sent/u);
  });

  it("sse-request: the SSE schema (raw only)", () => {
    const c = httpCase("sse", { add_timestamps: true });
    const body = JSON.stringify({ ...REQUEST, add_timestamps: true });
    expect(grade("tts-http/sse-request", input(c, [record({ endpoint: "tts-sse", body, text: [] })]))?.grade).toBe("pass");
    const wav = httpCase("sse", { output_format: { container: "wav", encoding: "pcm_s16le", sample_rate: 24000 } });
    expect(grade("tts-http/sse-request", input(wav, [record({ endpoint: "tts-sse", body: JSON.stringify(wav.http?.request), text: [] })]))?.grade).toBe("fail");
  });

  it("bytes-audio: count and digest of the answer, the answered record after retries, first differing byte from a re-render", () => {
    const c = httpCase("bytes");
    const whole: ObservationEvent[] = [{ type: "http.audio", data: b64([1, 2, 3]) }, { type: "http.audio", data: b64([4, 5, 6]) }];
    expect(grade("tts-http/bytes-audio", input(c, [record()], whole))?.grade).toBe("pass");
    const short = grade("tts-http/bytes-audio", input(c, [record()], whole.slice(0, 1)))?.message ?? "";
    expect(short).toMatch(/3 bytes surfaced \(sha256 [0-9a-f]{12}…\), 6 expected \(sha256 [0-9a-f]{12}…\)$/u);
    expect(short).toContain(hex(AUDIO).slice(0, 12));
    // With the mock's re-render (same digest as the journal's), the first differing byte is named.
    const flipped: ObservationEvent[] = [{ type: "http.audio", data: b64([1, 2, 3, 4, 5, 7]) }];
    expect(grade("tts-http/bytes-audio", input(c, [record()], flipped, { rerender: AUDIO }))?.message).toMatch(/6 expected .*; first difference at byte 5$/u);
    expect(grade("tts-http/bytes-audio", input(c, [record()], whole.slice(0, 1), { rerender: AUDIO }))?.message).toMatch(/first difference at byte 3$/u);
    // A re-render that is not what was sent is not used for an offset.
    expect(grade("tts-http/bytes-audio", input(c, [record()], flipped, { rerender: new Uint8Array([9, 9, 9, 9, 9, 9]) }))?.message).not.toMatch(/first difference/u);
    expect(grade("tts-http/bytes-audio", input(c, [record({ dropped: true })], whole))?.message).toMatch(/not read to its end/u);
    // A 429 then a 200 (a retry): the audio is the 200's.
    expect(grade("tts-http/bytes-audio", input(c, [record({ status: 429, text: ["Too many: x"] }), record()], whole))?.grade).toBe("pass");
    expect(grade("tts-http/bytes-audio", input(c, [record({ status: 401, text: ["{}"] })], []))).toBeUndefined();
  });

  it("sse-events: every journalled event in order, audio exact and equal to /tts/bytes", () => {
    const c = httpCase("sse", { add_timestamps: true });
    const sse = [
      { type: "chunk", data: b64([1, 2]), done: false, status_code: 206, step_time: 1 },
      { type: "timestamps", done: false, status_code: 206, word_timestamps: { words: ["Hi"], start: [0], end: [0.2] } },
      { type: "phoneme_timestamps", done: false, status_code: 206, phoneme_timestamps: { phonemes: ["h"], start: [0], end: [0.1] } },
      { type: "chunk", data: b64([3, 4]), done: false, status_code: 206, step_time: 1 },
      { type: "done", done: true, status_code: 200 },
    ];
    const ex = record({ endpoint: "tts-sse", text: sse.map((e) => `data: ${JSON.stringify(e)}`) });
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
    // A stream the client abandoned is a failure.
    expect(grade("tts-http/sse-events", input(c, [record({ endpoint: "tts-sse", text: [`data: ${JSON.stringify(sse[0])}`], dropped: true })], good.slice(0, 1)))?.message).toMatch(/not read to its end/u);
  });

  it("errors-surfaced: status and code from structured JSON, status from legacy plain text, never as audio", () => {
    const c = httpCase("bytes");
    const structured = record({ status: 429, text: ['{"error_code":"concurrency_limited","title":"Too many","message":"m","request_id":"r"}'] });
    const legacy = record({ status: 401, text: ["Unauthorized: bad key"] });
    expect(grade("tts-http/errors-surfaced", input(c, [structured], [{ type: "error", status: 429, code: "concurrency_limited" }]))?.grade).toBe("pass");
    expect(grade("tts-http/errors-surfaced", input(c, [structured], [{ type: "error", status: 429, code: null }]))?.message).toMatch(/concurrency_limited/u);
    expect(grade("tts-http/errors-surfaced", input(c, [structured], [{ type: "error", message: "failed" }]))?.message).toMatch(/without its status/u);
    expect(grade("tts-http/errors-surfaced", input(c, [legacy], [{ type: "error", status: 401, code: null }]))?.grade).toBe("pass");
    expect(grade("tts-http/errors-surfaced", input(c, [legacy], []))?.message).toMatch(/legacy plain-text body\) was not surfaced$/u);
    // The error body handed over as audio (LiveKit's synthesize() does not look at the status).
    expect(grade("tts-http/errors-surfaced", input(c, [legacy], [{ type: "http.audio", data: b64([85, 110]) }]))?.message).toMatch(/not surfaced \(its 2 body bytes were surfaced as audio\)/u);
    const asAudio: ObservationEvent[] = [{ type: "error", status: 401 }, { type: "http.audio", data: b64([85]) }];
    expect(grade("tts-http/errors-surfaced", input(c, [legacy], asAudio))?.message).toMatch(/as audio/u);
    expect(grade("tts-http/errors-surfaced", input(c, [record()], []))).toBeUndefined();
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

  it("an adapter without sse or with a list of formats gets only the cases it can express", () => {
    const applies = fixedCases("tts-http").filter((c) => caseApplies(c, LIVEKIT_CAPABILITIES)).map((c) => c.id);
    expect(applies).toEqual(["http-bytes-raw", "http-bytes-401", "http-bytes-429-legacy", "http-bytes-400"]);
    expect(fixedCases("tts-http").filter((c) => caseApplies(c, SPEECHWIRE_CAPABILITIES))).toHaveLength(fixedCases("tts-http").length);
    fc.assert(
      fc.property(ttsHttpCaseArb(), (c) => {
        const f = c.http?.request.output_format as { container: string; encoding?: string };
        const expressible = c.http?.endpoint === "bytes" && f.container === "raw" && f.encoding === "pcm_s16le";
        return caseApplies(c, LIVEKIT_CAPABILITIES) === expressible;
      }),
      { seed: SEED, numRuns: Math.max(RUNS, 50) },
    );
  });
});

describe("the mock's journal of HTTP requests, read back", () => {
  let mock: MockServer;
  beforeAll(async () => {
    mock = await startMockServer({ port: 0, tlsPort: false, seed: 1, journalLimits: { textChars: 4 * 1024 * 1024 } });
  });
  afterAll(async () => {
    await mock.close();
  });
  const of = (scenario: string, endpoint: string) => mock.sessions().filter((s) => s.scenario === scenario && s.endpoint === endpoint).map((s) => httpExchange(s));

  it("/tts/bytes and /tts/sse: request, status, digest of every answer byte, SSE events one by one", async () => {
    const headers = { authorization: "Bearer sk_car_secret", "cartesia-version": "2026-03-01", "content-type": "application/json" };
    const body = JSON.stringify(REQUEST);
    const audio = new Uint8Array(await (await fetch(`${mock.urls.http}/s/tts-basic/tts/bytes`, { method: "POST", headers, body })).arrayBuffer());
    expect(audio.length).toBeGreaterThan(1000);
    const sseText = await (await fetch(`${mock.urls.http}/s/tts-basic/tts/sse`, { method: "POST", headers, body })).text();
    const refused = await fetch(`${mock.urls.http}/s/auth-401/tts/sse`, { method: "POST", headers, body });
    expect(refused.status).toBe(401);
    const refusedBody = await refused.text();
    const [bytes] = of("tts-basic", "tts-bytes");
    expect(bytes).toMatchObject({ method: "POST", status: 200, body, incomplete: false, response: { bytes: audio.length, sha256: hex(audio) } });
    expect(bytes?.headers.authorization).not.toContain("secret"); // the key itself is not kept
    const [sse] = of("tts-basic", "tts-sse");
    expect(sse?.responseText.map((e) => `${e}\n\n`).join("")).toBe(sseText);
    expect(sse?.response).toEqual({ bytes: utf8(sseText).length, sha256: hex(utf8(sseText)) });
    const [no] = of("auth-401", "tts-sse");
    expect(no).toMatchObject({ status: 401, responseText: [refusedBody] });
    // The checks pass on what a careful client would surface from these very exchanges.
    const c = httpCase("bytes");
    const sessions = mock.sessions().filter((s) => s.scenario === "tts-basic" && s.endpoint === "tts-bytes");
    expect(grade("tts-http/bytes-request", input(c, sessions))?.grade).toBe("pass");
    expect(grade("tts-http/bytes-audio", input(c, sessions, [{ type: "http.audio", data: Buffer.from(audio).toString("base64") }]))?.grade).toBe("pass");
    expect(grade("tts-http/bytes-audio", input(c, sessions, [{ type: "http.audio", data: Buffer.from(audio.subarray(1)).toString("base64") }]))?.grade).toBe("fail");
  });

  it("/stt: the form fields and the uploaded file's count and digest", async () => {
    const file = new Uint8Array(3200).map((_, k) => k % 251);
    const form = new FormData();
    form.append("model", "ink-whisper");
    form.append("timestamp_granularities[]", "word");
    form.append("file", new Blob([file]), "a.raw");
    const res = await fetch(`${mock.urls.http}/s/tts-basic/stt?encoding=pcm_s16le&sample_rate=16000`, { method: "POST", headers: { "x-api-key": "k", "cartesia-version": "2026-03-01" }, body: form });
    expect(res.status).toBe(200);
    const answer = await res.text();
    const [ex] = of("tts-basic", "stt-batch");
    expect(ex).toMatchObject({ status: 200, form: { fields: { model: "ink-whisper", "timestamp_granularities[]": "word" }, file: true }, upload: { bytes: file.length, sha256: hex(file) }, responseText: [answer] });
    expect(ex?.query).toMatchObject({ encoding: "pcm_s16le", sample_rate: "16000" });
  });
});

describe("stt-batch checks", () => {
  const FILE = new Uint8Array([82, 73, 70, 70, 1, 2, 3, 4]);
  const batch = (over: Record<string, unknown> = {}) =>
    caseSchema.parse({ id: "b", suite: "stt-batch", batch: { file: Buffer.from(FILE).toString("base64"), filename: "a.wav", model: "ink-whisper", language: "en", words: true, ...over }, actions: [] });
  const ANSWER = JSON.stringify({ type: "transcript", text: " Grüße, 日本.", words: [{ word: "Grüße,", start: 0.1, end: 0.4 }] });
  const upload = (form: RecordSpec["form"], over: RecordSpec = {}) => record({ endpoint: "stt-batch", ...(form ? { form } : { body: null }), text: [ANSWER], ...over });
  const goodForm = { fields: { model: "ink-whisper", language: "en", "timestamp_granularities[]": "word" }, file: FILE };

  it("request: the file by count and digest, strict fields as asked, raw PCM in the query", () => {
    const c = batch();
    expect(grade("stt-batch/request", input(c, [upload(goodForm)]))?.grade).toBe("pass");
    const cut = grade("stt-batch/request", input(c, [upload({ ...goodForm, file: FILE.slice(0, 7) })]))?.message ?? "";
    expect(cut).toMatch(/uploaded file: the mock received 7 bytes \(sha256 [0-9a-f]{12}…\), the caller's file has 8 \(sha256 [0-9a-f]{12}…\)/u);
    const flipped = FILE.slice();
    flipped[3] = 0;
    expect(grade("stt-batch/request", input(c, [upload({ ...goodForm, file: flipped })]))?.message).toMatch(/received 8 bytes/u);
    expect(grade("stt-batch/request", input(c, [upload({ fields: goodForm.fields })]))?.message).toMatch(/no `file` part/u);
    expect(grade("stt-batch/request", input(c, [upload(undefined, { status: 400, text: ['{"title":"Bad"}'] })]))?.message).toMatch(/no multipart body \(status 400/u);
    const refusing = { scenario: scenarioSchema.parse({ name: "x", handshake: { status: 429 } }) };
    expect(grade("stt-batch/request", input(c, [upload(undefined, { status: 429, text: ["Too many: x"] })], [], refusing))?.grade).toBe("pass");
    expect(grade("stt-batch/request", input(c, [upload(undefined, { status: 429, text: ["Too many: x"], headers: { "x-api-key": "k" } })], [], refusing))?.message).toMatch(/Cartesia-Version/u);
    expect(grade("stt-batch/request", input(c, [upload({ ...goodForm, fields: { model: "ink-whisper", language: "en" } })]))?.message).toMatch(/word timings were asked for/u);
    expect(grade("stt-batch/request", input(c, [upload({ ...goodForm, fields: { ...goodForm.fields, model: "ink-2" } })]))?.message).toMatch(/form fields/u);
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
    const refused = upload(undefined, { status: 429, text: ["Too many concurrent requests: limit"] });
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
