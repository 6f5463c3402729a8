/** The HTTP side of a real mock on 127.0.0.1: status, auth, tokens, versions, scenarios, admin API, TTS/STT routes. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessToken, sttBatch, ttsSse } from "@speechwire/protocol";
import type { MockServer } from "../src/index.js";
import { connect, startTestServer } from "./helpers.js";

const TTS_REQUEST = {
  model_id: "sonic-3",
  transcript: "Hello there.",
  voice: { mode: "id", id: "6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81" },
  output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: 24000 },
};

let mock: MockServer;
let strict: MockServer;
let clock = Date.now();

beforeAll(async () => {
  mock = await startTestServer();
  strict = await startTestServer({ auth: "strict", apiKeys: ["sk_car_good"], clock: () => clock });
});
afterAll(async () => {
  await mock.close();
  await strict.close();
});

const post = (server: MockServer, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.urls.http}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("status and errors", () => {
  it("GET / answers the status with the default version", async () => {
    const res = await fetch(`${mock.urls.http}/`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, version: "2026-08-14" });
  });

  it("answers an unknown route with 404 in the structured shape, with request-id headers", async () => {
    const res = await fetch(`${mock.urls.http}/nope`);
    expect(res.status).toBe(404);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["error_code", "message", "request_id", "title"]);
    expect(res.headers.get("cartesia-request-id")).toBe(body.request_id);
    expect(res.headers.get("x-request-id")).toBe(body.request_id);
  });

  it("answers in the legacy plain-text shape before 2026-03-01, and the query version wins over the header", async () => {
    const legacy = await fetch(`${mock.urls.http}/nope`, { headers: { "cartesia-version": "2025-04-16" } });
    expect(legacy.headers.get("content-type")).toContain("text/plain");
    expect(await legacy.text()).toBe("Not found: No route GET /nope.");
    const queryWins = await fetch(`${mock.urls.http}/nope?cartesia_version=2026-03-01`, { headers: { "cartesia-version": "2025-04-16" } });
    expect(queryWins.headers.get("content-type")).toContain("application/json");
  });

  it("rejects a malformed version with 400 naming cartesia_version", async () => {
    const res = await post(mock, "/tts/bytes", TTS_REQUEST, { "cartesia-version": "yesterday" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain("cartesia_version");
  });
});

describe("auth", () => {
  it("open mode accepts any key and none", async () => {
    expect((await post(mock, "/tts/bytes", TTS_REQUEST, { "x-api-key": "anything" })).status).toBe(200);
    expect((await post(mock, "/tts/bytes", TTS_REQUEST)).status).toBe(200);
  });

  it("strict mode takes only configured keys, by Bearer or X-API-Key in any case, else 401", async () => {
    expect((await post(strict, "/tts/bytes", TTS_REQUEST)).status).toBe(401);
    expect((await post(strict, "/tts/bytes", TTS_REQUEST, { authorization: "Bearer sk_car_bad" })).status).toBe(401);
    expect((await post(strict, "/tts/bytes", TTS_REQUEST, { authorization: "Bearer sk_car_good" })).status).toBe(200);
    expect((await post(strict, "/tts/bytes", TTS_REQUEST, { "X-API-KEY": "sk_car_good" })).status).toBe(200);
  });

  it("refuses admin keys on API routes", async () => {
    const res = await post(mock, "/tts/bytes", TTS_REQUEST, { authorization: "Bearer sk_car_admin_x" });
    expect(res.status).toBe(401);
  });

  it("mints signed tokens whose grants and expiry are enforced", async () => {
    const minted = await post(strict, "/access-token", { grants: { stt: true }, expires_in: 60 }, { authorization: "Bearer sk_car_good" });
    expect(minted.status).toBe(200);
    const { token } = accessToken.schemas({ strictness: "strict" }).response.parse(await minted.json());
    // An stt-only token opens STT but not TTS.
    const tts = await post(strict, "/tts/bytes", TTS_REQUEST, { authorization: `Bearer ${token}` });
    expect(tts.status).toBe(403);
    const ws = await connect(`${strict.urls.ws}/stt/turns/websocket?model=ink-2&encoding=pcm_s16le&sample_rate=16000&access_token=${token}`);
    ws.ws.close();
    await expect(connect(`${strict.urls.ws}/tts/websocket?access_token=${token}`)).rejects.toMatchObject({ status: 403 });
    // A tampered token is refused.
    const tampered = `${token.slice(0, -2)}xx`;
    await expect(connect(`${strict.urls.ws}/stt/turns/websocket?model=ink-2&encoding=pcm_s16le&sample_rate=16000&access_token=${tampered}`)).rejects.toMatchObject({ status: 401 });
    // Past its expiry (the server's clock moves on), it is refused.
    clock += 61_000;
    await expect(connect(`${strict.urls.ws}/stt/turns/websocket?model=ink-2&encoding=pcm_s16le&sample_rate=16000&access_token=${token}`)).rejects.toMatchObject({ status: 401 });
  });

  it("refuses tokens asking for more than 3600 s, naming expires_in", async () => {
    const res = await post(mock, "/access-token", { grants: { tts: true }, expires_in: 7200 });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain("expires_in");
  });
});

describe("TTS over HTTP", () => {
  it("streams raw audio for /tts/bytes without a Content-Type, chunked", async () => {
    const res = await fetch(`${mock.urls.http}/tts/bytes`, { method: "POST", body: JSON.stringify(TTS_REQUEST) });
    expect(res.status).toBe(200);
    expect(res.headers.get("transfer-encoding")).toBe("chunked");
    const audio = new Uint8Array(await res.arrayBuffer());
    expect(audio.length).toBeGreaterThan(24000 * 2 * 0.3);
    expect(audio.length % 2).toBe(0);
  });

  it("returns WAV and MP3 containers", async () => {
    const wav = await post(mock, "/tts/bytes", { ...TTS_REQUEST, output_format: { container: "wav", encoding: "pcm_s16le", sample_rate: 16000 } });
    const wavBytes = Buffer.from(await wav.arrayBuffer());
    expect(wav.headers.get("content-type")).toBe("audio/wav");
    expect(wavBytes.subarray(0, 4).toString()).toBe("RIFF");
    const mp3 = await post(mock, "/tts/bytes", { ...TTS_REQUEST, output_format: { container: "mp3", sample_rate: 24000, bit_rate: 128000 } });
    const mp3Bytes = Buffer.from(await mp3.arrayBuffer());
    expect(mp3.headers.get("content-type")).toBe("audio/mpeg");
    const sync = mp3Bytes.findIndex((b, i) => b === 0xff && ((mp3Bytes[i + 1] ?? 0) & 0xe0) === 0xe0);
    expect(sync).toBeGreaterThanOrEqual(0);
  });

  it("answers a bad request with 400 naming the field", async () => {
    const res = await post(mock, "/tts/bytes", { ...TTS_REQUEST, output_format: { container: "raw", encoding: "pcm_s24le", sample_rate: 24000 } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain("output_format");
    const notJson = await post(mock, "/tts/bytes", "{nope");
    expect(notJson.status).toBe(400);
  });

  it("streams SSE events that parse, ending with done", async () => {
    const res = await post(mock, "/tts/sse", { ...TTS_REQUEST, add_timestamps: true, context_id: "sse-1" });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const decoder = new ttsSse.SseDecoder();
    const events = [...decoder.push(await res.text()), ...decoder.end()].map((data) => {
      const parsed = ttsSse.parseEvent(data, { strictness: "strict" });
      if (!parsed.ok) throw new Error(parsed.error.message);
      return parsed.value;
    });
    expect(events.at(-1)?.type).toBe("done");
    expect(events.some((e) => e.type === "chunk")).toBe(true);
    expect(events.some((e) => e.type === "timestamps")).toBe(true);
  });
});

describe("batch STT", () => {
  const form = (fields: Record<string, string | string[]>, file?: Blob) => {
    const data = new FormData();
    for (const [k, v] of Object.entries(fields)) for (const x of typeof v === "string" ? [v] : v) data.append(k, x);
    if (file) data.append("file", file, "audio.wav");
    return data;
  };

  it("transcribes a multipart upload with word timestamps when asked", async () => {
    const res = await fetch(`${mock.urls.http}/stt`, {
      method: "POST",
      body: form({ model: "ink-whisper", language: "en", "timestamp_granularities[]": "word" }, new Blob([new Uint8Array(32000)])),
    });
    expect(res.status).toBe(200);
    const parsed = sttBatch.parseResponse(await res.text(), { strictness: "strict" });
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(parsed.value.text.length).toBeGreaterThan(0);
    expect(parsed.value.words?.length).toBeGreaterThan(0);
  });

  it("answers malformed multipart, a missing file and a bad model with 400", async () => {
    const malformed = await fetch(`${mock.urls.http}/stt`, {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=xyz" },
      body: "--xyz\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nink-whisper\r\n--xy",
    });
    expect(malformed.status).toBe(400);
    const noFile = await fetch(`${mock.urls.http}/stt`, { method: "POST", body: form({ model: "ink-whisper" }) });
    expect(noFile.status).toBe(400);
    expect(((await noFile.json()) as { message: string }).message).toContain("file");
    const badModel = await fetch(`${mock.urls.http}/stt`, { method: "POST", body: form({ model: "ink-9" }, new Blob([new Uint8Array(10)])) });
    expect(badModel.status).toBe(400);
    expect(((await badModel.json()) as { message: string }).message).toContain("model");
    const notMultipart = await post(mock, "/stt", { model: "ink-whisper" });
    expect(notMultipart.status).toBe(400);
  });
});

describe("scenarios", () => {
  it("refuses requests with the scenario's handshake status (path prefix, query and header selection)", async () => {
    expect((await post(mock, "/s/rate-limit-429/tts/bytes", TTS_REQUEST)).status).toBe(429);
    expect((await post(mock, "/tts/bytes?speechwire_scenario=auth-401", TTS_REQUEST)).status).toBe(401);
    expect((await post(mock, "/tts/bytes", TTS_REQUEST, { "x-speechwire-scenario": "rate-limit-429" })).status).toBe(429);
    const unknown = await post(mock, "/s/no-such/tts/bytes", TTS_REQUEST);
    expect(unknown.status).toBe(404);
  });

  it("refuses a request with the same body as the WebSocket handshake of the same scenario", async () => {
    for (const name of ["auth-401", "rate-limit-429"]) {
      const http = await post(mock, `/s/${name}/tts/bytes`, TTS_REQUEST);
      const ws = await connect(`${mock.urls.ws}/s/${name}/tts/websocket`).catch((e: { status: number; body: string }) => e);
      const { request_id: _httpId, ...httpBody } = (await http.json()) as Record<string, unknown>;
      const { request_id: _wsId, ...wsBody } = JSON.parse((ws as { body: string }).body) as Record<string, unknown>;
      expect((ws as { status: number }).status).toBe(http.status);
      expect({ ...httpBody, message: undefined }).toEqual({ ...wsBody, message: undefined });
      expect(httpBody.error_code).toBe(name === "auth-401" ? "unauthorized" : "concurrency_limited");
    }
  });
});

describe("admin API", () => {
  it("reports health and lists the built-in scenarios", async () => {
    const health = (await (await fetch(`${mock.urls.http}/_speechwire/health`)).json()) as { memory: { rss: number; heapUsed: number } };
    expect(health).toMatchObject({ ok: true, defaultScenario: "default" });
    expect(health.memory.rss).toBeGreaterThan(0);
    expect(health.memory.heapUsed).toBeGreaterThan(0);
    const names = ((await (await fetch(`${mock.urls.http}/_speechwire/scenarios`)).json()) as { name: string }[]).map((s) => s.name);
    for (const name of ["default", "eager-resume", "eager-end", "multi-turn", "empty-turn", "dictation", "error-mid-turn", "drop-mid-turn", "auth-401", "rate-limit-429", "tts-basic"]) {
      expect(names).toContain(name);
    }
  });

  it("adds a valid scenario at run time (YAML) and rejects an invalid one with its issues", async () => {
    const yaml = "name: added-at-runtime\nstt:\n  turns:\n    - segments:\n        - say: Added words.\n";
    const ok = await fetch(`${mock.urls.http}/_speechwire/scenarios`, { method: "POST", body: yaml });
    expect(ok.status).toBe(201);
    expect(mock.scenarios.get("added-at-runtime")).toBeDefined();
    const bad = await fetch(`${mock.urls.http}/_speechwire/scenarios`, {
      method: "POST",
      body: JSON.stringify({ name: "Bad Name", stt: { turns: [{ segments: [{ pause: -1 }] }] } }),
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { issues: { path: string }[] };
    expect(body.issues.map((i) => i.path)).toEqual(expect.arrayContaining(["name", "stt.turns[0].segments[0].pause"]));
    const garbage = await fetch(`${mock.urls.http}/_speechwire/scenarios`, { method: "POST", body: "{{{" });
    expect(garbage.status).toBe(400);
  });

  it("carries the request-id headers on every answer (200, 201, 400, 404)", async () => {
    const base = `${mock.urls.http}/_speechwire`;
    const answers = await Promise.all([
      fetch(`${base}/health`),
      fetch(`${base}/scenarios`),
      fetch(`${base}/scenarios/default`),
      fetch(`${base}/scenarios/no-such-scenario`),
      fetch(`${base}/sessions`),
      fetch(`${base}/sessions/s999999`),
      fetch(`${base}/scenarios`, { method: "POST", body: "name: request-ids\nstt:\n  turns: []\n" }),
      fetch(`${base}/scenarios`, { method: "POST", body: "{{{" }),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 404, 200, 404, 201, 400]);
    const ids = answers.map((r) => r.headers.get("cartesia-request-id"));
    for (const [i, r] of answers.entries()) {
      expect(ids[i]).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.headers.get("x-request-id")).toBe(ids[i]);
    }
    expect(new Set(ids).size).toBe(answers.length);
  });
});
