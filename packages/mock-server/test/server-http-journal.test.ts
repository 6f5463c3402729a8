/** The journal of HTTP requests, over real sockets on 127.0.0.1: what was asked, what was answered, what broke a rule. */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HTTP_RULES, redactSecret, type MockServer, type SessionRecord } from "../src/index.js";
import { startTestServer } from "./helpers.js";

const TTS_REQUEST = {
  model_id: "sonic-3",
  transcript: "Hello there.",
  voice: { mode: "id", id: "6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81" },
  output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: 24000 },
};
const SSE_REQUEST = { ...TTS_REQUEST, add_timestamps: true, output_format: { container: "raw", encoding: "pcm_f32le", sample_rate: 16000 } };
const SECRET_KEY = "sk_car_very_secret_key_0123456789";

let mock: MockServer;
let wide: MockServer;

beforeAll(async () => {
  mock = await startTestServer();
  // Large enough that no SSE event is clipped, so entries can be compared with what was received.
  wide = await startTestServer({ journalLimits: { textChars: 1_000_000 } });
});
afterAll(async () => {
  await mock.close();
  await wide.close();
});

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

const post = (server: MockServer, path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${server.urls.http}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

/** The record of a request id, once it has ended (the response's `close` may follow the client's read). */
async function ended(server: MockServer, requestId: string | null): Promise<SessionRecord> {
  expect(requestId).toBeTruthy();
  for (let i = 0; i < 500; i += 1) {
    const record = server.sessions().find((s) => s.requestId === requestId);
    if (record?.endedAt) return record;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no ended journal record for ${requestId}`);
}

describe("HTTP journal: successful requests", () => {
  it("records POST /tts/bytes: redacted Authorization, the body, the status, the audio as a run and its digest", async () => {
    const body = JSON.stringify(TTS_REQUEST);
    const res = await post(mock, "/tts/bytes", body, { authorization: `Bearer ${SECRET_KEY}` });
    expect(res.status).toBe(200);
    const audio = new Uint8Array(await res.arrayBuffer());
    const record = await ended(mock, res.headers.get("cartesia-request-id"));
    expect(record).toMatchObject({ endpoint: "tts-bytes", method: "POST", path: "/tts/bytes", scenario: "default", version: "2026-08-14" });
    expect(record.headers.authorization).not.toContain(SECRET_KEY);
    expect(record.headers.authorization).toContain("redacted");
    expect(JSON.stringify(record)).not.toContain(SECRET_KEY);
    expect(record.entries[0]).toMatchObject({ dir: "client", kind: "text", text: body });
    const head = record.entries.find((e) => e.kind === "http");
    expect(head).toMatchObject({ dir: "server", status: 200, headers: { "content-type": "application/octet-stream", "cartesia-request-id": record.requestId } });
    const runs = record.entries.filter((e) => e.kind === "binary" && e.dir === "server");
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ offset: 0, bytes: audio.byteLength });
    expect(record.response).toEqual({ status: 200, bytes: audio.byteLength, sha256: sha256(audio), contentType: "application/octet-stream" });
    expect(audio.byteLength).toBeGreaterThan(1000);
    expect(record.violations).toEqual([]);
  });

  it("records POST /tts/sse with one entry per event, in the order received", async () => {
    const res = await post(wide, "/tts/sse", JSON.stringify(SSE_REQUEST), { "x-api-key": SECRET_KEY });
    expect(res.status).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const received = Buffer.from(bytes).toString("utf8").split("\n\n").filter((e) => e.length > 0);
    expect(received.length).toBeGreaterThan(2);
    const record = await ended(wide, res.headers.get("cartesia-request-id"));
    expect(record.endpoint).toBe("tts-sse");
    expect(record.headers["x-api-key"]).not.toContain(SECRET_KEY);
    const events = record.entries.filter((e) => e.dir === "server" && e.kind === "text").map((e) => e.text);
    expect(events).toEqual(received);
    expect(events.at(-1)).toContain('"type":"done"');
    expect(record.response).toMatchObject({ status: 200, bytes: bytes.byteLength, sha256: sha256(bytes), contentType: "text/event-stream" });
    expect(record.violations).toEqual([]);
  });

  it("records a POST /stt upload: fields as text, the file as a run, and the session audio digest is the file's", async () => {
    const file = new Uint8Array(32000).map((_, i) => (i * 7919) % 251);
    const data = new FormData();
    data.append("model", "ink-whisper");
    data.append("language", "en");
    data.append("file", new Blob([file]), "audio.wav");
    // Version, credential and scenario parameters are not /stt's own query: no violation for them.
    const query = `cartesia_version=2026-03-01&api_key=${SECRET_KEY}&speechwire_scenario=default`;
    const res = await fetch(`${mock.urls.http}/stt?${query}`, { method: "POST", body: data, headers: { authorization: `Bearer ${SECRET_KEY}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    const record = await ended(mock, res.headers.get("cartesia-request-id"));
    expect(record).toMatchObject({ endpoint: "stt-batch", method: "POST", path: "/stt" });
    expect(record.headers.authorization).not.toContain(SECRET_KEY);
    expect(record.query.api_key).not.toContain(SECRET_KEY);
    expect(record.audio).toEqual({ bytes: file.byteLength, sha256: sha256(file) });
    const [fields, upload] = record.entries;
    expect(JSON.parse(fields?.text ?? "")).toEqual({ fields: { model: "ink-whisper", language: "en" }, file: { bytes: file.byteLength } });
    expect(upload).toMatchObject({ dir: "client", kind: "binary", offset: 0, bytes: file.byteLength });
    expect(record.entries.find((e) => e.kind === "http")?.status).toBe(200);
    expect(record.entries.at(-1)).toMatchObject({ dir: "server", kind: "text", text });
    expect(record.response).toMatchObject({ status: 200, sha256: sha256(Buffer.from(text)) });
    expect(record.violations).toEqual([]);
  });

  it("records POST /access-token with the token response, the token redacted to its digest", async () => {
    const body = JSON.stringify({ grants: { stt: true }, expires_in: 60 });
    const res = await post(mock, "/access-token", body, { authorization: `Bearer ${SECRET_KEY}` });
    expect(res.status).toBe(200);
    const text = await res.text();
    const record = await ended(mock, res.headers.get("cartesia-request-id"));
    expect(record.endpoint).toBe("access-token");
    expect(record.headers.authorization).not.toContain(SECRET_KEY);
    expect(record.entries[0]).toMatchObject({ dir: "client", kind: "text", text: body });
    const { token } = JSON.parse(text) as { token: string };
    expect(record.entries.at(-1)).toMatchObject({ dir: "server", kind: "text", text: text.replace(token, redactSecret(token)) });
    // The digest covers the bytes as sent.
    expect(record.response).toMatchObject({ status: 200, bytes: Buffer.byteLength(text), sha256: sha256(Buffer.from(text)) });
    expect(record.violations).toEqual([]);
  });
});

describe("HTTP journal: refused requests and violations", () => {
  it("records a 401 from the auth-401 scenario with its error body", async () => {
    const res = await post(mock, "/s/auth-401/tts/bytes", JSON.stringify(TTS_REQUEST));
    expect(res.status).toBe(401);
    const text = await res.text();
    const record = await ended(mock, res.headers.get("cartesia-request-id"));
    expect(record).toMatchObject({ endpoint: "tts-bytes", scenario: "auth-401", path: "/s/auth-401/tts/bytes" });
    expect(record.entries.find((e) => e.kind === "http")).toMatchObject({ status: 401 });
    expect(record.entries.at(-1)).toMatchObject({ dir: "server", kind: "text", text });
    expect(text).toContain("Invalid API key.");
    expect(record.response).toMatchObject({ status: 401, sha256: sha256(Buffer.from(text)) });
  });

  it("records a 400 for a bad body, with the body, the error and a valid-request violation", async () => {
    const body = JSON.stringify({ ...TTS_REQUEST, transcript: 5 });
    const res = await post(mock, "/tts/sse", body);
    expect(res.status).toBe(400);
    const text = await res.text();
    const record = await ended(mock, res.headers.get("cartesia-request-id"));
    expect(record.endpoint).toBe("tts-sse");
    expect(record.entries[0]).toMatchObject({ dir: "client", kind: "text", text: body });
    expect(record.entries.find((e) => e.kind === "http")).toMatchObject({ status: 400 });
    expect(record.entries.at(-1)).toMatchObject({ dir: "server", kind: "text", text });
    expect(record.violations).toHaveLength(1);
    expect(record.violations[0]).toMatchObject({ rule: "tts-sse/valid-request", section: "§6.2", severity: "error", index: 0 });
    expect(record.violations[0]?.message).toContain("transcript");
    expect(HTTP_RULES[record.violations[0]?.rule ?? ""]).toMatchObject({ section: "§6.2", severity: "error" });
  });

  it("records a violation for a body the mock accepts (validating) that the strict schema refuses", async () => {
    const res = await post(mock, "/tts/bytes", JSON.stringify({ ...TTS_REQUEST, unknown_field: 1 }));
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const record = await ended(mock, res.headers.get("cartesia-request-id"));
    expect(record.response?.status).toBe(200);
    expect(record.violations.map((v) => v.rule)).toEqual(["tts-bytes/valid-request"]);
    expect(record.violations[0]?.message).toContain("unknown_field");
  });

  it("records a 405 with its method, and a multipart upload's bad field as a stt-batch violation", async () => {
    const res = await fetch(`${mock.urls.http}/tts/bytes`);
    expect(res.status).toBe(405);
    await res.text();
    const record = await ended(mock, res.headers.get("cartesia-request-id"));
    expect(record).toMatchObject({ method: "GET", endpoint: "tts-bytes", response: { status: 405 } });

    const data = new FormData();
    data.append("model", "ink-9");
    data.append("file", new Blob([new Uint8Array(10)]), "a.wav");
    const bad = await fetch(`${mock.urls.http}/stt`, { method: "POST", body: data });
    expect(bad.status).toBe(400);
    await bad.text();
    const badRecord = await ended(mock, bad.headers.get("cartesia-request-id"));
    expect(badRecord.violations.map((v) => v.rule)).toContain("stt-batch/valid-request");
    expect(badRecord.audio.bytes).toBe(10);

    const badQuery = await fetch(`${mock.urls.http}/stt?encoding=pcm_s16le&sample_rate=16000&extra=1`, { method: "POST", body: data });
    expect(badQuery.status).toBe(400);
    await badQuery.text();
    const badQueryRecord = await ended(mock, badQuery.headers.get("cartesia-request-id"));
    // The query is linted before the body is read; the bad form is flagged after it.
    expect(badQueryRecord.violations.map((v) => v.message)).toEqual(["query: extra: unknown field", expect.stringContaining("form: model")]);
  });

  it("keeps entries bounded and still digests every byte when a response passes the per-session limit", async () => {
    const small = await startTestServer({ journalLimits: { entriesPerSession: 4 } });
    try {
      const res = await post(small, "/tts/sse", JSON.stringify({ ...SSE_REQUEST, transcript: "One two three four five six seven eight nine ten." }));
      const bytes = new Uint8Array(await res.arrayBuffer());
      const record = await ended(small, res.headers.get("cartesia-request-id"));
      expect(record.entries).toHaveLength(4);
      expect(record.droppedEntries).toBeGreaterThan(0);
      expect(record.response).toMatchObject({ bytes: bytes.byteLength, sha256: sha256(bytes) });
    } finally {
      await small.close();
    }
  });

  it("records a drop when the client goes away before the audio ends", async () => {
    const transcript = Array.from({ length: 400 }, (_, i) => `word${i}`).join(" ");
    const url = new URL(`${mock.urls.http}/tts/bytes`);
    const requestId = await new Promise<string>((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { "content-type": "application/json" } }, (res) => {
        res.once("data", () => {
          // Stop reading and cut the connection after the first chunk.
          res.pause();
          req.destroy();
          resolve(String(res.headers["cartesia-request-id"]));
        });
      });
      req.on("error", () => undefined);
      req.on("close", () => reject(new Error("closed before the first chunk")));
      req.end(JSON.stringify({ ...TTS_REQUEST, transcript }));
    });
    const record = await ended(mock, requestId);
    expect(record.entries.at(-1)).toMatchObject({ kind: "drop", dir: "client" });
    expect(record.response?.status).toBe(200);
    expect(record.response?.bytes).toBeGreaterThan(0);
  });

  it("appends HTTP records to the JSONL files of --journal DIR, ending with the response digest", async () => {
    const dir = mkdtempSync(join(tmpdir(), "speechwire-http-journal-"));
    const server = await startTestServer({ journalDir: dir });
    try {
      const res = await post(server, "/tts/bytes", JSON.stringify(TTS_REQUEST));
      const audio = new Uint8Array(await res.arrayBuffer());
      const record = await ended(server, res.headers.get("cartesia-request-id"));
      const lines = readFileSync(join(server.journalDir as string, `${record.id}.jsonl`), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines[0]).toMatchObject({ kind: "session", endpoint: "tts-bytes", method: "POST" });
      expect(lines.some((l) => l.kind === "http" && l.status === 200)).toBe(true);
      const chunks = lines.filter((l) => l.kind === "binary" && l.dir === "server");
      expect(chunks.reduce((n, l) => n + (l.bytes as number), 0)).toBe(audio.byteLength);
      expect(lines.at(-1)).toMatchObject({ kind: "end", response: { status: 200, bytes: audio.byteLength, sha256: sha256(audio) } });
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
