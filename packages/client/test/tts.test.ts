/** TTS against the mock: contexts on one socket (interleaved, flushed, cancelled), reconnect after idle, errors, bytes and SSE. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MockServer } from "@speechwire/mock-server";
import { CartesiaApiError, ConnectionError, pcmSamples, type TtsContext, type TtsContextEvent, type TtsSocketEvent, type WebSocketConstructor } from "../src/index.js";
import { addScenario, clientFor, collect, firstError, RAW_24K, RecordingWebSocket, startMock, until, VOICE } from "./helpers.js";

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock();
});
afterAll(() => mock.close());

const BASE = { model_id: "sonic-3", voice: VOICE, output_format: RAW_24K, max_buffer_delay_ms: 0 } as const;

const audioOf = (events: TtsContextEvent[]) => Buffer.concat(events.flatMap((e) => (e.type === "audio" ? [e.audio] : [])));

/** What the mock sent per context, decoded from the raw frames a recording socket saw. */
function sentByMock(frames: string[]): Map<string, { audio: Buffer; types: string[] }> {
  const out = new Map<string, { audio: Buffer; types: string[] }>();
  for (const text of frames) {
    const m = JSON.parse(text) as { type: string; context_id?: string; data?: string };
    const id = m.context_id ?? "";
    const entry = out.get(id) ?? { audio: Buffer.alloc(0), types: [] };
    entry.types.push(m.type);
    if (m.type === "chunk" && m.data) entry.audio = Buffer.concat([entry.audio, Buffer.from(m.data, "base64")]);
    out.set(id, entry);
  }
  return out;
}

describe("tts.websocket", () => {
  it("runs three interleaved contexts with two flushes and a cancel: each context's audio is byte-identical to what the mock sent for it", async () => {
    RecordingWebSocket.received = [];
    const client = clientFor(mock, undefined, { WebSocket: RecordingWebSocket as unknown as WebSocketConstructor, debug: true });
    const tts = client.tts.websocket();
    const socketEvents = collect(tts);
    const a = tts.context({ ...BASE, contextId: "ctx-a", add_timestamps: true });
    const b = tts.context({ ...BASE, contextId: "ctx-b" });
    const c = tts.context({ ...BASE, contextId: "ctx-c", add_phoneme_timestamps: true });
    const eventsA = collect(a);
    const eventsC = collect(c);
    const seenB: TtsContextEvent[] = [];
    const bDone = (async () => {
      for await (const e of b) {
        seenB.push(e);
        // Cancel once some of its audio has arrived: the rest is dropped, never handed to another context.
        if (e.type === "audio" && seenB.filter((x) => x.type === "audio").length === 1) b.cancel();
      }
    })();

    a.push("Hello there. ");
    b.push("This context is cancelled long before all of these many words are spoken aloud. ");
    c.push("Third context, ");
    const flush1 = a.flush();
    c.push("speaking in parallel.");
    a.push("How are you today? ");
    const flush2 = a.flush();
    const cEnd = c.end();
    a.push("Fine.");
    await a.end();
    await cEnd;
    await bDone;
    expect(await flush1).toBe(1);
    expect(await flush2).toBe(2);

    const mockSent = sentByMock(RecordingWebSocket.received);
    const gotA = await eventsA;
    const gotC = await eventsC;
    expect(audioOf(gotA).equals(mockSent.get("ctx-a")!.audio)).toBe(true);
    expect(audioOf(gotC).equals(mockSent.get("ctx-c")!.audio)).toBe(true);
    expect(audioOf(gotA).length).toBeGreaterThan(24000 * 2);
    // The cancelled context got a prefix of its own audio, then `cancelled`.
    const audioB = audioOf(seenB);
    expect(audioB.length).toBeGreaterThan(0);
    expect(mockSent.get("ctx-b")!.audio.subarray(0, audioB.length).equals(audioB)).toBe(true);
    expect(seenB.at(-1)).toEqual({ type: "cancelled" });
    await expect(b.done).rejects.toThrow(/cancelled/);

    // Flushes, in order, with the chunks' flush ids around them.
    expect(gotA.filter((e) => e.type === "flushDone").map((e) => (e as { flushId: number }).flushId)).toEqual([1, 2]);
    const ids = gotA.flatMap((e) => (e.type === "audio" ? [e.flushId] : []));
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids)).toEqual(new Set([1, 2, 3]));
    expect(gotA.at(-1)).toEqual({ type: "done" });
    expect(gotA.some((e) => e.type === "timestamps" && e.words.words.includes("Hello"))).toBe(true);
    expect(gotC.some((e) => e.type === "phonemes" && e.phonemes.phonemes.length > 0)).toBe(true);
    expect(gotC.at(-1)).toEqual({ type: "done" });

    await tts.close();
    const socket = await socketEvents;
    expect(socket.filter((e) => e.type === "violation" || e.type === "error" || e.type === "unknown")).toEqual([]);
    const record = mock.sessions().find((s) => s.requestId === tts.requestId)!;
    expect(record.violations).toEqual([]);
    expect(record.entries.some((e) => e.dir === "client" && e.text === '{"context_id":"ctx-b","cancel":true}')).toBe(true);
  });

  it("gives the same audio as /tts/bytes for the same text (tts-basic, pcm_s16le), and typed samples", async () => {
    const client = clientFor(mock, "tts-basic");
    const tts = client.tts.websocket();
    const ctx = tts.context({ ...BASE });
    const events = collect(ctx);
    ctx.push("Checking the audio, word for word.");
    await ctx.end();
    const ws = audioOf(await events);
    const bytes = await (await client.tts.bytes({ model_id: "sonic-3", voice: VOICE, output_format: RAW_24K, transcript: "Checking the audio, word for word." })).bytes();
    expect(Buffer.from(bytes).equals(ws)).toBe(true);
    const samples = pcmSamples(bytes, "pcm_s16le");
    expect(samples).toBeInstanceOf(Int16Array);
    expect(samples.length).toBe(bytes.length / 2);
    await tts.close();
  });

  it("reconnects on the next send after the server closed an idle socket", async () => {
    const quick = await startMock({ idleTimeouts: { tts: 300 } });
    try {
      const tts = clientFor(quick).tts.websocket();
      const socketEvents: TtsSocketEvent[] = [];
      void (async () => {
        for await (const e of tts) socketEvents.push(e);
      })();
      const first = tts.context({ ...BASE });
      first.push("First.");
      await first.end();
      await until(() => socketEvents.some((e) => e.type === "disconnected"), 3000, "the idle close");
      expect(socketEvents.find((e) => e.type === "disconnected")).toMatchObject({ code: 1000, reason: "connection idle timeout" });
      const second = tts.context({ ...BASE });
      const events = collect(second);
      second.push("Second, on a new socket.");
      await second.end();
      expect(audioOf(await events).length).toBeGreaterThan(0);
      expect(socketEvents.filter((e) => e.type === "open")).toHaveLength(2);
      expect(quick.sessions().filter((s) => s.endpoint === "tts")).toHaveLength(2);
      await tts.close();
    } finally {
      await quick.close();
    }
  });

  it("types errors in both shapes: a structured 2026-03-01 error and a legacy 2025-04-16 one end only their context", async () => {
    for (const [version, shape, code] of [
      ["2026-03-01", "structured", "voice_not_found"],
      ["2025-04-16", "legacy", null],
    ] as const) {
      const tts = clientFor(mock, undefined, { version }).tts.websocket();
      const bad = tts.context({ ...BASE, voice: { mode: "id", id: "" }, contextId: "bad" });
      const good = tts.context({ ...BASE, contextId: "good" });
      const badEvents = collect(bad);
      const goodEvents = collect(good);
      bad.push("Nobody speaks this.");
      good.push("Somebody speaks this.");
      await expect(bad.end()).rejects.toBeInstanceOf(CartesiaApiError);
      await good.end();
      const error = firstError(await badEvents);
      expect(error).toMatchObject({ status: 404, code, shape, title: "Voice not found", contextId: "bad" });
      expect(audioOf(await goodEvents).length).toBeGreaterThan(0);
      await tts.close();
    }
  });

  it("surfaces on the socket an error for a context that an earlier error already finished", async () => {
    const tts = clientFor(mock).tts.websocket();
    const socketEvents = collect(tts);
    const bad = tts.context({ ...BASE, voice: { mode: "id", id: "" }, contextId: "bad" });
    const badEvents = collect(bad);
    // Both inputs leave before the first error arrives; the server answers each of them.
    bad.push("Nobody speaks this.");
    await expect(bad.end()).rejects.toBeInstanceOf(CartesiaApiError);
    expect(firstError(await badEvents)).toMatchObject({ status: 404, contextId: "bad" });
    await until(() => mock.sessions().at(-1)!.entries.filter((e) => e.dir === "server" && e.text?.includes('"error"')).length === 2);
    await tts.close();
    const late = (await socketEvents).filter((e) => e.type === "error");
    expect(late).toHaveLength(1);
    expect(firstError(late)).toMatchObject({ contextId: "bad" });
  });

  it("fails every started context with the typed handshake error (auth-401), and throws on misuse synchronously", async () => {
    const tts = clientFor(mock, "auth-401").tts.websocket();
    const ctx = tts.context({ ...BASE });
    const events = collect(ctx);
    ctx.push("Hello.");
    const flush = ctx.flush();
    await expect(flush).rejects.toMatchObject({ status: 401, source: "handshake" });
    expect(firstError(await events)).toBeInstanceOf(CartesiaApiError);
    expect(() => ctx.push("again")).toThrow(/after it finished/);
    await expect(tts.connect()).rejects.toMatchObject({ status: 401 });
    await tts.close();
    expect(() => tts.context({ ...BASE })).toThrow(/after close/);
  });

  it("fails contexts in flight with a ConnectionError when the socket drops, and the next send opens a new socket", async () => {
    const name = addScenario(mock, { name: "tts-drop-once", faults: [{ at: { message: 1 }, action: { type: "drop" }, endpoints: ["tts"], connections: 1 }] });
    const tts = clientFor(mock, name).tts.websocket();
    const inflight = tts.context({ ...BASE });
    const inflightEvents = collect(inflight);
    inflight.push("The first frame is handled, ");
    inflight.push("the second one drops the connection.");
    const error = firstError(await inflightEvents);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).closeCode).toBe(1006);
    const next = tts.context({ ...BASE });
    next.push("A new socket.");
    await next.end();
    await tts.close();
  });

  it("cancels a context on its AbortSignal, and fails everything when the session's signal aborts", async () => {
    const tts = clientFor(mock).tts.websocket();
    const controller = new AbortController();
    const ctx: TtsContext = tts.context({ ...BASE, signal: controller.signal });
    const events = collect(ctx);
    ctx.push("Cancelled by a signal.");
    controller.abort();
    expect((await events).at(-1)).toEqual({ type: "cancelled" });
    const abort = new AbortController();
    const session = clientFor(mock).tts.websocket({ signal: abort.signal });
    const inflight = session.context({ ...BASE });
    const inflightEvents = collect(inflight);
    inflight.push("Still talking when the session is aborted ");
    await session.connect();
    abort.abort();
    expect(firstError(await inflightEvents)?.name).toBe("AbortError");
    await tts.close();
  });
});

describe("tts over HTTP", () => {
  const REQUEST = { model_id: "sonic-3", voice: VOICE, transcript: "Hello over HTTP.", output_format: RAW_24K } as const;

  it("streams /tts/bytes in raw, WAV and MP3", async () => {
    const client = clientFor(mock);
    const raw = await client.tts.bytes(REQUEST);
    expect(raw.contentType).toBe("application/octet-stream");
    expect(raw.requestId).toMatch(/./);
    const chunks: Uint8Array[] = [];
    for await (const chunk of raw) chunks.push(chunk);
    expect(chunks.reduce((n, c) => n + c.length, 0)).toBeGreaterThan(24000);
    const wav = await client.tts.bytes({ ...REQUEST, output_format: { container: "wav", encoding: "pcm_s16le", sample_rate: 16000 } });
    expect(wav.contentType).toBe("audio/wav");
    expect(Buffer.from(await wav.bytes()).subarray(0, 4).toString()).toBe("RIFF");
    const mp3 = await client.tts.bytes({ ...REQUEST, output_format: { container: "mp3", sample_rate: 24000, bit_rate: 128000 } });
    expect(mp3.contentType).toBe("audio/mpeg");
    expect((await mp3.bytes()).length).toBeGreaterThan(100);
  });

  it("parses /tts/sse events; their audio equals /tts/bytes", async () => {
    const client = clientFor(mock);
    const events = await collect(await client.tts.sse({ ...REQUEST, add_timestamps: true, context_id: "sse-1" }));
    expect(events.at(-1)).toEqual({ type: "done" });
    expect(events.some((e) => e.type === "timestamps")).toBe(true);
    expect(events.filter((e) => e.type === "unknown" || e.type === "error")).toEqual([]);
    const sseAudio = Buffer.concat(events.flatMap((e) => (e.type === "audio" ? [e.audio] : [])));
    const bytes = await (await client.tts.bytes(REQUEST)).bytes();
    expect(sseAudio.equals(Buffer.from(bytes))).toBe(true);
  });

  it("rejects with typed errors: 401, 429, 400 naming the field, and the legacy plain-text shape", async () => {
    // The typed error carries exactly what the structured body says.
    const raw = await fetch(`${mock.urls.http}/s/auth-401/tts/bytes`, { method: "POST", body: JSON.stringify(REQUEST) });
    const body = (await raw.json()) as { error_code: string | null; title: string; message: string; request_id: string };
    const error = await clientFor(mock, "auth-401")
      .tts.bytes(REQUEST)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CartesiaApiError);
    expect(error).toMatchObject({ status: 401, source: "http", shape: "structured", code: body.error_code, title: body.title, message: body.message });
    expect((error as CartesiaApiError).requestId).toMatch(/^[0-9a-f-]{36}$/);
    await expect(clientFor(mock, "rate-limit-429").tts.sse(REQUEST)).rejects.toMatchObject({ status: 429, code: "concurrency_limited", retryable: true });
    const bad = clientFor(mock).tts.bytes({ ...REQUEST, output_format: { container: "raw", encoding: "pcm_s24le" as "pcm_s16le", sample_rate: 24000 } });
    await expect(bad).rejects.toMatchObject({ status: 400 });
    await expect(bad).rejects.toThrow(/output_format/);
    const legacy = await clientFor(mock, "auth-401", { version: "2025-04-16" })
      .tts.bytes(REQUEST)
      .catch((e: unknown) => e);
    expect(legacy).toBeInstanceOf(CartesiaApiError);
    expect(legacy).toMatchObject({ status: 401, code: null, shape: "legacy", title: body.title, message: body.message });
    expect((legacy as CartesiaApiError).requestId).toMatch(/./);
  });

  it("aborts a request with its AbortSignal", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(clientFor(mock).tts.bytes(REQUEST, { signal: controller.signal })).rejects.toMatchObject({ name: "AbortError" });
    void ConnectionError;
  });
});
