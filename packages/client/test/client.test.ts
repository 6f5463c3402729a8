/** The client surface: URLs, credentials (headers in Node, query in browsers), access tokens, batch STT. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MockServer } from "@speechwire/mock-server";
import { httpUrl, resolveConfig, wsUrl } from "../src/config.js";
import { nodePlatform } from "../src/platform/node.js";
import { CartesiaApiError, createClient, SpeechwireError, type WebSocketConstructor } from "../src/index.js";
import { BrowserLikeWebSocket, collect, patternAudio, RAW_24K, scriptSeconds, sessionById, startMock, TURNS_PARAMS, VOICE } from "./helpers.js";

let mock: MockServer;
let strict: MockServer;
beforeAll(async () => {
  mock = await startMock();
  strict = await startMock({ auth: "strict", apiKeys: ["sk_car_good"] });
});
afterAll(async () => {
  await mock.close();
  await strict.close();
});

describe("createClient", () => {
  it("maps http → ws and https → wss, keeping a path prefix", () => {
    const local = resolveConfig({ baseUrl: "http://127.0.0.1:8787/s/eager-resume/" }, nodePlatform);
    expect(wsUrl(local, "/stt/turns/websocket", "model=ink-2")).toBe("ws://127.0.0.1:8787/s/eager-resume/stt/turns/websocket?model=ink-2");
    expect(httpUrl(local, "/tts/bytes")).toBe("http://127.0.0.1:8787/s/eager-resume/tts/bytes");
    const remote = resolveConfig({}, nodePlatform);
    expect(wsUrl(remote, "/tts/websocket")).toBe("wss://api.cartesia.ai/tts/websocket");
    expect(httpUrl(remote, "/stt")).toBe("https://api.cartesia.ai/stt");
    expect(resolveConfig({}, nodePlatform).version).toBe("2026-08-14");
    expect(() => createClient({ apiKey: "a", accessToken: "b" })).toThrow(SpeechwireError);
    expect(() => createClient({ baseUrl: "ftp://x" })).toThrow(/http/);
  });

  it("sends credentials and version as headers in Node (ws)", async () => {
    const session = createClient({ baseUrl: strict.urls.http, apiKey: "sk_car_good" }).stt.turns(TURNS_PARAMS);
    await session.ready;
    await session.close();
    const record = sessionById(strict, session.requestId);
    expect(record.headers.authorization).toMatch(/^Bearer/);
    expect(record.headers.authorization).not.toContain("sk_car_good");
    expect(record.headers["cartesia-version"]).toBe("2026-08-14");
    expect(record.query).not.toHaveProperty("api_key");
    expect(record.query).not.toHaveProperty("cartesia_version");
  });

  it("mints an access token, and a browser-shaped client uses it in the query for a turns session and a TTS context", async () => {
    const server = createClient({ baseUrl: strict.urls.http, apiKey: "sk_car_good" });
    const { token } = await server.accessToken.create({ stt: true, tts: true }, 60);
    expect(token.length).toBeGreaterThan(20);
    BrowserLikeWebSocket.opened = [];
    const browser = createClient({ baseUrl: `${strict.urls.http}/s/eager-resume`, accessToken: token, WebSocket: BrowserLikeWebSocket as unknown as WebSocketConstructor });
    const turns = browser.stt.turns(TURNS_PARAMS);
    const events = collect(turns);
    const audio = patternAudio(scriptSeconds(strict, "eager-resume") + 0.5);
    for (let i = 0; i < audio.length; i += 640) turns.send(audio.subarray(i, i + 640));
    expect(await turns.close()).toBe("I'd like to change my order. The address is wrong.");
    // No headers in a browser: the request id comes from the messages.
    expect(turns.requestId).toMatch(/./);
    expect((await events).some((e) => e.type === "eagerEnd")).toBe(true);
    const url = new URL(BrowserLikeWebSocket.opened[0]!);
    expect(url.searchParams.get("access_token")).toBe(token);
    expect(url.searchParams.get("cartesia_version")).toBe("2026-08-14");
    expect(url.pathname).toBe("/s/eager-resume/stt/turns/websocket");
    const record = sessionById(strict, turns.requestId);
    expect(record.headers.authorization).toBeUndefined();
    expect(record.query.access_token).not.toBe(token);

    const tts = browser.tts.websocket();
    const ctx = tts.context({ model_id: "sonic-3", voice: VOICE, output_format: RAW_24K, max_buffer_delay_ms: 0 });
    const ctxEvents = collect(ctx);
    ctx.push("Hello from the browser.");
    await ctx.end();
    expect((await ctxEvents).some((e) => e.type === "audio")).toBe(true);
    await tts.close();

    // HTTP calls carry the token as a bearer.
    const audioBytes = await (await browser.tts.bytes({ model_id: "sonic-3", voice: VOICE, transcript: "Hi.", output_format: RAW_24K })).bytes();
    expect(audioBytes.length).toBeGreaterThan(0);
  });

  it("falls back to ?api_key in the browser shape, and a refused browser handshake still ends typed (no status available)", async () => {
    BrowserLikeWebSocket.opened = [];
    const ok = createClient({ baseUrl: strict.urls.http, apiKey: "sk_car_good", WebSocket: BrowserLikeWebSocket as unknown as WebSocketConstructor }).stt.turns(TURNS_PARAMS);
    await ok.ready;
    await ok.close();
    expect(new URL(BrowserLikeWebSocket.opened[0]!).searchParams.get("api_key")).toBe("sk_car_good");
    const refused = createClient({ baseUrl: strict.urls.http, apiKey: "sk_car_bad", WebSocket: BrowserLikeWebSocket as unknown as WebSocketConstructor }).stt.turns(TURNS_PARAMS);
    const events = await collect(refused);
    expect(events.map((e) => e.type)).toEqual(["error", "close"]);
    await expect(refused.ready).rejects.toMatchObject({ name: "ConnectionError" });
  });

  it("refuses a token without the grant: 403 typed", async () => {
    const server = createClient({ baseUrl: strict.urls.http, apiKey: "sk_car_good" });
    const { token } = await server.accessToken.create({ stt: true }, 60);
    const client = createClient({ baseUrl: strict.urls.http, accessToken: token });
    const error = await client.tts.bytes({ model_id: "sonic-3", voice: VOICE, transcript: "Hi.", output_format: RAW_24K }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CartesiaApiError);
    expect(error).toMatchObject({ status: 403 });
    await expect(server.accessToken.create({ tts: true }, 7200)).rejects.toThrow(/expires_in/);
  });
});

describe("stt.transcribe", () => {
  it("uploads multipart and returns the parsed transcript with words", async () => {
    const client = createClient({ baseUrl: mock.urls.http });
    const result = await client.stt.transcribe(new Uint8Array(32000 * 3), { model: "ink-whisper", language: "en", timestamp_granularities: ["word"], encoding: "pcm_s16le", sample_rate: 16000, filename: "audio.raw" });
    expect(result.text).toBe("Hi, I'd like to book a table for two people tonight. Around seven would be great.");
    expect(result.words?.[0]).toMatchObject({ word: "Hi," });
    const blob = await client.stt.transcribe(new Blob([new Uint8Array(1000)]), { model: "ink-whisper" });
    expect(typeof blob.text).toBe("string");
    await expect(client.stt.transcribe(new Uint8Array(10), { model: "ink-9" as "ink-whisper" })).rejects.toMatchObject({ status: 400 });
  });
});
