/**
 * What real clients read from a real mock on 127.0.0.1 (issue 13 §2): TTS words with their
 * punctuation, SSE error framing, empty transcripts over HTTP, the model error's title, and the turns
 * endpoint's structured errors whatever the version.
 */
import { ttsSse } from "@speechwire/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scenarioSchema, type MockServer } from "../src/index.js";
import { connect, startTestServer, TTS_REQUEST } from "./helpers.js";

const VOICE = { mode: "id", id: "6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81" };
const RAW_24K = { container: "raw", encoding: "pcm_s16le", sample_rate: 24000 };
const TEXT = 'Hello from the mock, "this is it." Is it wrong? <break time="200ms"/>Yes...';
const WRITTEN = ["Hello", "from", "the", "mock,", '"this', "is", 'it."', "Is", "it", "wrong?", "Yes..."];

let mock: MockServer;
beforeAll(async () => {
  const error = { type: "error", status: 500, code: "internal_error", title: "Internal server error", message: "Synthesis failed mid-stream." };
  mock = await startTestServer({
    scenarios: [
      scenarioSchema.parse({ name: "sse-error", faults: [{ at: { event: "chunk", index: 1 }, action: error, endpoints: ["tts-sse"] }] }),
      scenarioSchema.parse({ name: "sse-drop-once", faults: [{ at: { event: "chunk", index: 0 }, action: { type: "drop" }, endpoints: ["tts-sse"], connections: 1 }] }),
    ],
  });
});
afterAll(() => mock.close());

type Msg = { type: string; [k: string]: unknown };
const wordsOf = (events: readonly Msg[]) => events.filter((e) => e.type === "timestamps").flatMap((e) => (e.word_timestamps as { words: string[] }).words);

/** POSTs JSON and returns the status, content type and the raw body text. */
async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${mock.urls.http}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  return { status: res.status, type: res.headers.get("content-type") ?? "", text: await res.text() };
}

/** The `data:` payloads of an SSE body, parsed. */
const sseData = (text: string) => text.split("\n\n").filter((e) => e !== "").map((e) => JSON.parse(e.slice(e.indexOf("data: ") + 6)) as Msg);

describe("TTS word timestamps carry their punctuation", () => {
  it("on the WebSocket, however the text is split across continuations", async () => {
    const rec = await connect(`${mock.urls.ws}/tts/websocket`);
    rec.ws.send(TTS_REQUEST("whole", TEXT, { add_timestamps: true, continue: false }));
    // Split inside words, inside a tag and right before glued punctuation: the written words are the same.
    const pieces = ["Hello from the mock", ', "this is it', '." Is it wr', "ong", "? <break", ' time="200ms"/>Ye', "s..."];
    for (const piece of pieces) rec.ws.send(TTS_REQUEST("split", piece, { add_timestamps: true, continue: true, max_buffer_delay_ms: 0 }));
    rec.ws.send(TTS_REQUEST("split", "", { add_timestamps: true, continue: false }));
    await rec.waitUntil((m) => (m as Msg).type === "done" && (m as Msg).context_id === "split");
    await rec.waitUntil((m) => (m as Msg).type === "done" && (m as Msg).context_id === "whole");
    const of = (id: string) => (rec.messages as Msg[]).filter((m) => m.context_id === id);
    expect(wordsOf(of("whole"))).toEqual(WRITTEN);
    expect(wordsOf(of("split"))).toEqual(WRITTEN);
    rec.ws.close();
    await rec.closed;
    const sessions = mock.sessions().filter((s) => s.endpoint === "tts");
    expect(sessions.at(-1)?.violations).toEqual([]);
  });

  it("in /tts/sse timestamps events", async () => {
    const { status, text } = await post("/tts/sse", { model_id: "sonic-3", transcript: TEXT, voice: VOICE, output_format: RAW_24K, add_timestamps: true });
    expect(status).toBe(200);
    expect(wordsOf(sseData(text))).toEqual(WRITTEN);
  });
});

describe("an HTTP TTS request with nothing to speak", () => {
  it("/tts/bytes and /tts/sse answer 400 invalid_request for an empty or whitespace-only transcript, in the version's shape", async () => {
    for (const path of ["/tts/bytes", "/tts/sse"]) {
      for (const transcript of ["", " \n\t "]) {
        const structured = await post(path, { model_id: "sonic-3", transcript, voice: VOICE, output_format: RAW_24K });
        expect(structured.status, `${path} ${JSON.stringify(transcript)}`).toBe(400);
        expect(JSON.parse(structured.text)).toMatchObject({ error_code: "invalid_request", title: "Invalid request", message: expect.stringMatching(/^transcript: must not be empty/) });
        const legacy = await post(path, { model_id: "sonic-3", transcript, voice: VOICE, output_format: RAW_24K }, { "cartesia-version": "2025-04-16" });
        expect(legacy.status).toBe(400);
        expect(legacy.text).toMatch(/^Invalid request: transcript: must not be empty/);
      }
    }
  });

  it("the WebSocket still takes an empty transcript with continue:false as the end of a context", async () => {
    const rec = await connect(`${mock.urls.ws}/tts/websocket`);
    rec.ws.send(TTS_REQUEST("empty", "", { continue: false }));
    expect(await rec.waitFor(1)).toEqual([{ type: "done", done: true, status_code: 206, context_id: "empty" }]);
    rec.ws.close();
    await rec.closed;
  });
});

describe("an unknown TTS model", () => {
  const INVALID_MODEL = { error_code: "model_not_found", title: "Invalid model", message: "The model is not valid, make sure it is a valid model ID." };

  it("gets the docs' model error on the WebSocket", async () => {
    const rec = await connect(`${mock.urls.ws}/tts/websocket`);
    rec.ws.send(TTS_REQUEST("m", "Hi.", { model_id: "sonic-9000" }));
    const [error] = (await rec.waitFor(1)) as Msg[];
    expect(error).toMatchObject({ type: "error", status_code: 400, context_id: "m", ...INVALID_MODEL });
    rec.ws.close();
    await rec.closed;
  });

  it("gets the same error from /tts/bytes and /tts/sse; a missing model stays an invalid_request", async () => {
    for (const path of ["/tts/bytes", "/tts/sse"]) {
      const bad = await post(path, { model_id: "sonic-9000", transcript: "Hi.", voice: VOICE, output_format: RAW_24K });
      expect(bad.status, path).toBe(400);
      expect(JSON.parse(bad.text)).toMatchObject(INVALID_MODEL);
      const legacy = await post(path, { model_id: "sonic-9000", transcript: "Hi.", voice: VOICE, output_format: RAW_24K }, { "cartesia-version": "2025-04-16" });
      expect(legacy.text).toBe(`${INVALID_MODEL.title}: ${INVALID_MODEL.message}`);
      const missing = await post(path, { transcript: "Hi.", voice: VOICE, output_format: RAW_24K });
      expect(JSON.parse(missing.text)).toMatchObject({ error_code: "invalid_request", message: expect.stringContaining("model_id") });
    }
  });
});

describe("/stt/turns/websocket answers errors in the structured shape whatever the version", () => {
  const LEGACY = "cartesia_version=2025-04-16";
  const TURNS_LEGACY = `/stt/turns/websocket?model=ink-2&encoding=pcm_s16le&sample_rate=16000&${LEGACY}`;
  const sessionOf = (requestId: unknown) => mock.sessions().find((s) => s.requestId === requestId);

  it("in session (LiveKit's Python plugin sends 2025-04-16 and reads status_code), and the journal's strict lint agrees", async () => {
    const rec = await connect(`${mock.urls.ws}${TURNS_LEGACY}`);
    const [connected] = (await rec.waitFor(1)) as Msg[];
    rec.ws.send(JSON.stringify({ type: "config", turn: { end_threshold: 0.9 } }));
    const error = (await rec.waitUntil((m) => (m as Msg).type === "error")) as Msg;
    expect(error).toMatchObject({ type: "error", status_code: 400, error_code: "invalid_request", title: expect.any(String), request_id: connected?.request_id });
    expect(error).not.toHaveProperty("code");
    rec.ws.send(JSON.stringify({ type: "close" }));
    expect((await rec.closed).code).toBe(1000);
    const session = sessionOf(connected?.request_id);
    expect(session?.version).toBe("2025-04-16");
    // The bad config is the client's violation; the server's structured error is none.
    expect(session?.violations.map((v) => v.message)).toEqual([expect.stringMatching(/^client frame: turn\.end_threshold/)]);
  });

  it("in the handshake's error event (a bad query), then close 1008", async () => {
    const rec = await connect(`${mock.urls.ws}/stt/turns/websocket?model=ink-9&encoding=pcm_s16le&sample_rate=16000&${LEGACY}`);
    const [error] = (await rec.waitFor(1)) as Msg[];
    expect(error).toMatchObject({ type: "error", status_code: 400, error_code: "model_not_found" });
    expect((await rec.closed).code).toBe(1008);
    expect(sessionOf(rec.headers["cartesia-request-id"])?.violations).toEqual([]);
  });

  it("in a refused handshake's HTTP body", async () => {
    const refused = await connect(`${mock.urls.ws}/s/auth-401${TURNS_LEGACY}`).then(
      () => undefined,
      (error: { status: number; body: string }) => error,
    );
    expect(refused?.status).toBe(401);
    expect(JSON.parse(refused?.body ?? "")).toMatchObject({ error_code: "unauthorized", title: "Unauthorized" });
  });

  it("while /stt/websocket and /tts/websocket keep the version's legacy shape", async () => {
    const v1 = await connect(`${mock.urls.ws}/stt/websocket?model=ink-whisper&encoding=pcm_s16le&sample_rate=16000&language=en&${LEGACY}`);
    v1.ws.send("nonsense");
    expect(await v1.waitUntil((m) => (m as Msg).type === "error")).toMatchObject({ code: 400, message: expect.any(String) });
    v1.ws.close();
    const tts = await connect(`${mock.urls.ws}/tts/websocket?${LEGACY}`);
    tts.ws.send(TTS_REQUEST("m", "Hi.", { model_id: "sonic-9000" }));
    expect(await tts.waitUntil((m) => (m as Msg).type === "error")).toMatchObject({ error: "Invalid model: The model is not valid, make sure it is a valid model ID.", status_code: 400 });
    tts.ws.close();
    const refused = await connect(`${mock.urls.ws}/s/auth-401/stt/websocket?${LEGACY}`).then(
      () => undefined,
      (error: { status: number; body: string }) => error,
    );
    expect(refused?.body).toMatch(/^Unauthorized: /);
  });
});

describe("SSE errors", () => {
  const request = { model_id: "sonic-3", transcript: "Hello there, this goes wrong.", voice: VOICE, output_format: RAW_24K, context_id: "sse-1" };

  it("are written `event: error` then `data: {json}` (done: true, error_code present), ending the stream", async () => {
    const { status, type, text } = await post("/s/sse-error/tts/sse", request);
    expect(status).toBe(200);
    expect(type).toBe("text/event-stream");
    const events = text.split("\n\n").filter((e) => e !== "");
    expect(events.slice(0, 2).every((e) => e.startsWith('data: {"type":"chunk"'))).toBe(true);
    expect(events).toHaveLength(3);
    const last = events[2] as string;
    expect(last.startsWith("event: error\ndata: {")).toBe(true);
    const data = last.slice("event: error\ndata: ".length);
    const requestId = JSON.parse(data).request_id as string;
    expect(JSON.parse(data)).toEqual({
      type: "error",
      done: true,
      status_code: 500,
      error_code: "internal_error",
      title: "Internal server error",
      message: "Synthesis failed mid-stream.",
      request_id: requestId,
      context_id: "sse-1",
    });
    expect(text.endsWith("\n\n")).toBe(true);
    // The SDKs' readers take the data line; the journal's strict lint of the events finds nothing wrong.
    expect(ttsSse.parseEvent(data, { strictness: "strict" }).ok).toBe(true);
    expect(mock.sessions().find((s) => s.requestId === requestId)?.violations).toEqual([]);
  });

  it("take the version's shape (legacy: an `error` string)", async () => {
    const { text } = await post("/s/sse-error/tts/sse", request, { "cartesia-version": "2025-04-16" });
    const last = text.split("\n\n").filter((e) => e !== "").at(-1) as string;
    expect(last.split("\n")[0]).toBe("event: error");
    expect(JSON.parse(last.slice(last.indexOf("data: ") + 6))).toEqual({ type: "error", done: true, error: "Internal server error: Synthesis failed mid-stream.", status_code: 500, context_id: "sse-1" });
  });

  it("a dropping fault cuts the first connection mid-stream, and the next request goes through", async () => {
    await expect(post("/s/sse-drop-once/tts/sse", request)).rejects.toThrow();
    const again = await post("/s/sse-drop-once/tts/sse", request);
    expect(sseData(again.text).at(-1)).toMatchObject({ type: "done" });
  });
});
