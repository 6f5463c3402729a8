/** The WebSocket side of a real mock on 127.0.0.1: handshakes, sessions, faults, limits, journal, TLS, shutdown. */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lintSession, type RawSessionEvent } from "@speechwire/protocol";
import { compileScript } from "../src/core/stt/index.js";
import { isClippedText, type MockServer } from "../src/index.js";
import { connect, sendAudio, silence, startTestServer, TTS_REQUEST, TURNS_PATH as TURNS, V1_PATH as V1 } from "./helpers.js";


let mock: MockServer;
beforeAll(async () => {
  mock = await startTestServer({ tlsPort: 0, idleTimeouts: { stt: 180_000, tts: 300_000 } });
});
afterAll(() => mock.close());

const audioFor = (name: string) => silence(compileScript(mock.scenarios.get(name)!.stt).duration + 1);
type Msg = { type: string; transcript?: string; request_id?: string; [k: string]: unknown };

describe("stt-turns", () => {
  it("sends connected first, with the request id of the upgrade headers, and drains on close", async () => {
    const rec = await connect(`${mock.urls.ws}${TURNS}`, { headers: { authorization: "Bearer sk_car_test" } });
    const [first] = (await rec.waitFor(1)) as Msg[];
    expect(first?.type).toBe("connected");
    expect(rec.headers["cartesia-request-id"]).toBe(first?.request_id);
    expect(rec.headers["x-request-id"]).toBe(first?.request_id);
    const audio = audioFor("default");
    sendAudio(rec.ws, audio);
    rec.ws.send(JSON.stringify({ type: "close" }));
    expect((await rec.closed).code).toBe(1000);
    const ends = (rec.messages as Msg[]).filter((m) => m.type === "turn.end").map((m) => m.transcript);
    expect(ends).toEqual(["Hi, I'd like to book a table for two people tonight.", "Around seven would be great."]);
    // The journal saw every frame both ways, every audio byte, and no violation.
    const record = mock.sessions().find((s) => s.requestId === first?.request_id)!;
    expect(record.audio).toEqual({ bytes: audio.length, sha256: createHash("sha256").update(audio).digest("hex") });
    expect(record.violations).toEqual([]);
    expect(record.entries.filter((e) => e.dir === "server" && e.kind === "text")).toHaveLength(rec.messages.length);
    expect(record.headers.authorization).not.toContain("sk_car_test");
  });

  it("plays the §3.6 example event for event under /s/eager-resume", async () => {
    const rec = await connect(`${mock.urls.ws}/s/eager-resume${TURNS}`);
    sendAudio(rec.ws, audioFor("eager-resume"));
    rec.ws.send(JSON.stringify({ type: "close" }));
    await rec.closed;
    expect((rec.messages as Msg[]).map((m) => [m.type, m.transcript])).toEqual([
      ["connected", undefined],
      ["turn.start", undefined],
      ["turn.update", "I'd like to"],
      ["turn.eager_end", "I'd like to change my order."],
      ["turn.resume", undefined],
      ["turn.update", "I'd like to change my order. The address"],
      ["turn.end", "I'd like to change my order. The address is wrong."],
    ]);
  });

  it("answers an out-of-range config with a 400 naming the field and keeps the socket open", async () => {
    const rec = await connect(`${mock.urls.ws}${TURNS}`);
    rec.ws.send(JSON.stringify({ type: "config", turn: { end_threshold: 0.9 } }));
    const error = (await rec.waitUntil((m) => (m as Msg).type === "error")) as Msg;
    expect(error).toMatchObject({ status_code: 400, error_code: "invalid_request" });
    expect(String(error.message)).toContain("turn.end_threshold");
    rec.ws.send(JSON.stringify({ type: "close" }));
    expect((await rec.closed).code).toBe(1000);
  });

  it("drops the first connection of drop-mid-turn, and lets the next one through", async () => {
    const first = await connect(`${mock.urls.ws}/s/drop-mid-turn${TURNS}`);
    sendAudio(first.ws, audioFor("drop-mid-turn"));
    expect((await first.closed).code).toBe(1006);
    const second = await connect(`${mock.urls.ws}/s/drop-mid-turn${TURNS}`);
    sendAudio(second.ws, audioFor("drop-mid-turn"));
    second.ws.send(JSON.stringify({ type: "close" }));
    expect((await second.closed).code).toBe(1000);
    expect((second.messages as Msg[]).some((m) => m.type === "turn.end")).toBe(true);
  });

  it("sends a fatal scripted error mid-turn, then closes 1011", async () => {
    const rec = await connect(`${mock.urls.ws}/s/error-mid-turn${TURNS}`);
    sendAudio(rec.ws, audioFor("error-mid-turn"));
    expect((await rec.closed).code).toBe(1011);
    const error = (rec.messages as Msg[]).find((m) => m.type === "error");
    expect(error).toMatchObject({ status_code: 500, done: true });
  });
});

describe("stt-v1", () => {
  it("answers finalize with finals then flush_done, and close with done then close 1000", async () => {
    const rec = await connect(`${mock.urls.ws}${V1}`);
    sendAudio(rec.ws, audioFor("default"));
    rec.ws.send("finalize");
    await rec.waitUntil((m) => (m as Msg).type === "flush_done");
    rec.ws.send("close");
    const closed = await rec.closed;
    expect(closed.code).toBe(1000);
    const types = (rec.messages as Msg[]).map((m) => m.type);
    expect(types.at(-1)).toBe("done");
    expect(types).not.toContain("connected");
    const finals = (rec.messages as Msg[]).filter((m) => m.type === "transcript" && m.is_final).map((m) => m.text).join("");
    expect(finals).toBe("Hi, I'd like to book a table for two people tonight. Around seven would be great.");
  });

  it("accepts the legacy done command", async () => {
    const rec = await connect(`${mock.urls.ws}${V1}`);
    rec.ws.send("done");
    expect((await rec.closed).code).toBe(1000);
    expect((rec.messages as Msg[]).at(-1)?.type).toBe("done");
  });

  it("answers text other than the commands with an error in the version's shape and stays open", async () => {
    const structured = await connect(`${mock.urls.ws}${V1}`);
    structured.ws.send('{"type":"close"}');
    const e1 = (await structured.waitFor(1))[0] as Msg;
    expect(e1).toMatchObject({ type: "error", status_code: 400, error_code: "invalid_request" });
    expect(e1).toHaveProperty("title");
    const legacy = await connect(`${mock.urls.ws}${V1}&cartesia_version=2025-04-16`);
    legacy.ws.send("flush please");
    const e2 = (await legacy.waitFor(1))[0] as Msg;
    expect(Object.keys(e2).sort()).toEqual(["code", "message", "request_id", "type"]);
    expect(e2.code).toBe(400);
    legacy.ws.send("close");
    expect((await legacy.closed).code).toBe(1000);
    structured.ws.close();
  });
});

describe("handshakes", () => {
  it("sends model_not_found for an unknown model, then closes 1008", async () => {
    const rec = await connect(`${mock.urls.ws}/stt/websocket?model=ink-9&encoding=pcm_s16le&sample_rate=16000`);
    expect((await rec.closed).code).toBe(1008);
    expect(rec.messages[0]).toMatchObject({ type: "error", status_code: 400, error_code: "model_not_found" });
  });

  it.each([
    ["a bad encoding", "/stt/turns/websocket?model=ink-2&encoding=pcm_s24le&sample_rate=16000", "encoding"],
    ["sample rate 0", "/stt/turns/websocket?model=ink-2&encoding=pcm_s16le&sample_rate=0", "sample_rate"],
    ["a missing sample rate", "/stt/websocket?model=ink-2&encoding=pcm_s16le", "sample_rate"],
  ])("answers %s with invalid_request naming the parameter", async (_what, path, field) => {
    const rec = await connect(`${mock.urls.ws}${path}`);
    await rec.closed;
    expect(rec.messages[0]).toMatchObject({ type: "error", status_code: 400, error_code: "invalid_request" });
    expect(String((rec.messages[0] as Msg).message)).toContain(field);
  });

  it("refuses the handshake of auth-401 and rate-limit-429 with their status", async () => {
    await expect(connect(`${mock.urls.ws}/s/auth-401${TURNS}`)).rejects.toMatchObject({ status: 401 });
    const refused = await connect(`${mock.urls.ws}${TURNS}&speechwire_scenario=rate-limit-429`).catch((e: { status: number; body: string }) => e);
    expect(refused).toMatchObject({ status: 429 });
    expect(JSON.parse((refused as { body: string }).body)).toMatchObject({ error_code: "concurrency_limited" });
  });

  it("refuses an unknown path with 404", async () => {
    await expect(connect(`${mock.urls.ws}/stt/nope`)).rejects.toMatchObject({ status: 404 });
  });

  it("serves the same routes over TLS with the generated certificate", async () => {
    expect(mock.urls.wss).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    const rec = await connect(`${mock.urls.wss}/tts/websocket`, { ca: mock.cert! });
    rec.ws.send(TTS_REQUEST("tls", "Secure hello.", { continue: false }));
    await rec.waitUntil((m) => (m as Msg).type === "done");
    expect((rec.messages as Msg[]).every((m) => m.context_id === "tls")).toBe(true);
    rec.ws.close();
  });
});

describe("tts", () => {
  it("multiplexes contexts, and answers a binary frame with an error without closing", async () => {
    const rec = await connect(`${mock.urls.ws}/tts/websocket`);
    rec.ws.send(Buffer.from([1, 2, 3]));
    const error = (await rec.waitFor(1))[0] as Msg;
    expect(error).toMatchObject({ type: "error", status_code: 400 });
    rec.ws.send(TTS_REQUEST("a", "One two ", { continue: true }));
    rec.ws.send(TTS_REQUEST("b", "Three.", { continue: false }));
    rec.ws.send(TTS_REQUEST("a", "", { continue: false }));
    await rec.waitUntil((m) => (m as Msg).type === "done" && (m as Msg).context_id === "a");
    await rec.waitUntil((m) => (m as Msg).type === "done" && (m as Msg).context_id === "b");
    const record = mock.sessions().at(-1)!;
    expect(record.endpoint).toBe("tts");
    rec.ws.close();
  });

  it("clips journalled text frames at journalLimits.textChars (4096 by default), and keeps them whole when raised", async () => {
    const speak = async (server: MockServer) => {
      const rec = await connect(`${server.urls.ws}/tts/websocket`);
      rec.ws.send(TTS_REQUEST("long", "A sentence long enough for a full hundred millisecond chunk.", { continue: false }));
      await rec.waitUntil((m) => (m as Msg).type === "done");
      rec.ws.close();
      await rec.closed;
      const chunks = rec.texts.filter((t) => t.includes('"chunk"'));
      const journalled = server.sessions().at(-1)!.entries.filter((e) => e.dir === "server" && e.text?.includes('"chunk"'));
      return { chunks, journalled: journalled.map((e) => e.text) };
    };
    const clipped = await speak(mock);
    expect(Math.max(...clipped.chunks.map((c) => c.length))).toBeGreaterThan(4096);
    // A clipped chunk loses the middle of its audio and keeps its fields: still JSON, its context id there.
    const cut = clipped.journalled.filter((t) => isClippedText(t!));
    expect(cut.length).toBeGreaterThan(0);
    for (const t of cut) expect(JSON.parse(t!)).toMatchObject({ type: "chunk", context_id: "long", data: expect.stringMatching(/…\(\d+ chars\)$/u) });
    const whole = await startTestServer({ tlsPort: false, journalLimits: { textChars: 1 << 20 } });
    try {
      const kept = await speak(whole);
      expect(kept.journalled).toEqual(kept.chunks);
    } finally {
      await whole.close();
    }
  });

  it("runs each context's buffer delay on its own timer", async () => {
    const rec = await connect(`${mock.urls.ws}/tts/websocket`);
    rec.ws.send(TTS_REQUEST("slow", "no punctuation", { continue: true, max_buffer_delay_ms: 3000 }));
    rec.ws.send(TTS_REQUEST("fast", "no punctuation", { continue: true, max_buffer_delay_ms: 50 }));
    const first = (await rec.waitUntil((m) => (m as Msg).type === "chunk")) as Msg;
    // The short delay releases its context without waiting for (or releasing) the long one.
    expect(first.context_id).toBe("fast");
    rec.ws.send(TTS_REQUEST("slow", "", { continue: false }));
    rec.ws.send(TTS_REQUEST("fast", "", { continue: false }));
    await rec.waitUntil((m) => (m as Msg).type === "done" && (m as Msg).context_id === "slow");
    rec.ws.close();
  });

  it("keeps serving others while one client stops reading (backpressure)", async () => {
    const stalled = await connect(`${mock.urls.ws}/tts/websocket`);
    const raw = (stalled.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    raw.pause();
    stalled.ws.send(TTS_REQUEST("long", "word ".repeat(4000), { continue: false, max_buffer_delay_ms: 0 }));
    const other = await connect(`${mock.urls.ws}/tts/websocket`);
    other.ws.send(TTS_REQUEST("quick", "Still here.", { continue: false }));
    await other.waitUntil((m) => (m as Msg).type === "done");
    other.ws.close();
    raw.resume();
    await stalled.waitUntil((m) => (m as Msg).type === "done");
    stalled.ws.close();
  });
});

describe("limits and lifecycle", () => {
  it("closes an oversize frame with 1009 and keeps serving", async () => {
    const small = await startTestServer({ maxFrameBytes: 1024 });
    try {
      const rec = await connect(`${small.urls.ws}${TURNS}`);
      rec.ws.send(Buffer.alloc(4096));
      expect((await rec.closed).code).toBe(1009);
      const next = await connect(`${small.urls.ws}${TURNS}`);
      expect(((await next.waitFor(1))[0] as Msg).type).toBe("connected");
      next.ws.close();
    } finally {
      await small.close();
    }
  });

  it("survives a flood of tiny frames and odd byte counts, counting every byte", async () => {
    const rec = await connect(`${mock.urls.ws}${V1}`);
    const bytes = Buffer.alloc(5001, 1);
    for (let i = 0; i < bytes.length; i += 1) rec.ws.send(bytes.subarray(i, i + 1));
    rec.ws.send("close");
    expect((await rec.closed).code).toBe(1000);
    const record = mock.sessions().find((s) => s.audio.bytes === 5001)!;
    // The 5001 one-byte frames are one audio run in the journal, not 5001 entries.
    expect(record.entries.filter((e) => e.kind === "binary")).toMatchObject([{ dir: "client", frames: 5001, bytes: 5001, offset: 0 }]);
  });

  it("keeps a live session's audio total and digest current (computed when read)", async () => {
    const rec = await connect(`${mock.urls.ws}${TURNS}`);
    const [first] = (await rec.waitFor(1)) as Msg[];
    // turn.start of `default` is due at 0.4 s: once it arrives, the 20 chunks up to it are counted.
    const audio = Buffer.alloc(12_800, 3);
    sendAudio(rec.ws, audio);
    await rec.waitUntil((m) => (m as Msg).type === "turn.start");
    const live = () => mock.sessions().find((s) => s.requestId === first?.request_id)!;
    expect(live().audio).toEqual({ bytes: 12_800, sha256: createHash("sha256").update(audio).digest("hex") });
    const runs = live().entries.filter((e) => e.kind === "binary");
    expect(runs.reduce((n, e) => n + (e.frames ?? 0), 0)).toBe(20);
    expect(runs[0]).toMatchObject({ offset: 0 });
    const more = Buffer.alloc(640, 5);
    rec.ws.send(more);
    rec.ws.send(JSON.stringify({ type: "close" }));
    await rec.closed;
    expect(live().audio).toEqual({ bytes: 13_440, sha256: createHash("sha256").update(audio).update(more).digest("hex") });
  });

  it("closes idle sessions after the configured timeout with 1000", async () => {
    const quick = await startTestServer({ idleTimeouts: { stt: 150, tts: 150 } });
    try {
      const rec = await connect(`${quick.urls.ws}${TURNS}`);
      expect(await rec.closed).toEqual({ code: 1000, reason: "connection idle timeout" });
    } finally {
      await quick.close();
    }
  });

  it("closes open sessions with 1001 on shutdown", async () => {
    const server = await startTestServer();
    const rec = await connect(`${server.urls.ws}${TURNS}`);
    await rec.waitFor(1);
    await server.close();
    expect((await rec.closed).code).toBe(1001);
  });

  it("is deterministic: two servers with the same seed send byte-identical frames for the same input", async () => {
    const run = async () => {
      const server = await startTestServer({ seed: 42 });
      try {
        const rec = await connect(`${server.urls.ws}/s/multi-turn${TURNS}`);
        sendAudio(rec.ws, silence(compileScript(server.scenarios.get("multi-turn")!.stt).duration + 1), 1234);
        rec.ws.send(JSON.stringify({ type: "close" }));
        await rec.closed;
        const events: RawSessionEvent[] = rec.texts.map((frame) => ({ from: "server", frame }));
        expect(lintSession("stt-turns", events, { strictness: "strict" })).toEqual([]);
        return rec.texts;
      } finally {
        await server.close();
      }
    };
    const [a, b] = [await run(), await run()];
    expect(a.length).toBeGreaterThan(5);
    expect(b).toEqual(a);
  });
});
