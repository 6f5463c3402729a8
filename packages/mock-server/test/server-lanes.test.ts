/**
 * Delays at the socket edge on a real mock on 127.0.0.1: each output waits its own delay from when it
 * was produced, TTS contexts are independent lanes, and a close never overtakes a queued frame.
 * Order and interleaving are asserted; the only timing bounds are generous ones (the machine is noisy).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileScript } from "../src/core/stt/index.js";
import type { MockServer } from "../src/index.js";
import { BUILTIN_SCENARIOS } from "../src/scenario/builtin.js";
import { scenarioSchema } from "../src/scenario/schema.js";
import { connect, sendAudio, silence, startTestServer, TTS_REQUEST, TURNS_PATH as TURNS } from "./helpers.js";

type Msg = { type: string; context_id?: string; transcript?: string; [k: string]: unknown };

const TURN_END_MS = 200;
const multiTurn = BUILTIN_SCENARIOS.find((s) => s.name === "multi-turn")!;

let mock: MockServer;
beforeAll(async () => {
  mock = await startTestServer({
    scenarios: [
      // Paced at 10× real time after a 300 ms first-chunk latency.
      scenarioSchema.parse({ name: "lanes-tts", tts: { chunkMs: 100, pace: 10 }, latency: { ttsFirstChunk: 300 } }),
      scenarioSchema.parse({ name: "lanes-turns", stt: multiTurn.stt, latency: { turnEnd: TURN_END_MS } }),
      scenarioSchema.parse({
        name: "lanes-close",
        latency: { ttsFirstChunk: 300 },
        faults: [{ at: { message: 1 }, action: { type: "close", code: 4001, reason: "scripted close" } }],
      }),
    ],
  });
});
afterAll(() => mock.close());

describe("lanes at the edge", () => {
  it("TTS: a second context's first chunk does not wait behind the first context's paced chunks", async () => {
    const rec = await connect(`${mock.urls.ws}/s/lanes-tts/tts/websocket`);
    rec.ws.send(TTS_REQUEST("a", `${"word ".repeat(20)}end.`, { continue: false }));
    rec.ws.send(TTS_REQUEST("b", "Hi.", { continue: false }));
    await rec.waitUntil((m) => (m as Msg).type === "done" && (m as Msg).context_id === "a");
    await rec.waitUntil((m) => (m as Msg).type === "done" && (m as Msg).context_id === "b");
    const requestId = rec.headers["cartesia-request-id"];
    rec.ws.close();
    await rec.closed;

    const messages = rec.messages as Msg[];
    const index = (pred: (m: Msg) => boolean, last = false) => (last ? messages.findLastIndex(pred) : messages.findIndex(pred));
    const isChunk = (id: string) => (m: Msg) => m.type === "chunk" && m.context_id === id;
    const aChunks = messages.filter(isChunk("a"));
    // A's audio is long enough that its pacing spans hundreds of milliseconds (20+ chunks × 10 ms).
    expect(aChunks.length).toBeGreaterThan(20);
    // Under the old single queue B's first chunk came after all of A; now it comes well before A's end.
    expect(index(isChunk("b"))).toBeLessThan(index(isChunk("a"), true));
    expect(index((m) => m.type === "done" && m.context_id === "b")).toBeLessThan(index((m) => m.type === "done" && m.context_id === "a"));
    // Each context still ends with its done after all its chunks.
    for (const id of ["a", "b"]) {
      expect(index(isChunk(id), true)).toBeLessThan(index((m) => m.type === "done" && m.context_id === id));
      expect(messages.filter((m) => m.context_id === id && m.type === "done")).toHaveLength(1);
    }
    const record = mock.sessions().find((s) => s.requestId === requestId)!;
    expect(record.violations).toEqual([]);
  });

  it("TTS: a paced generation many batches long keeps its pacing from the request, not from each pull", async () => {
    const rec = await connect(`${mock.urls.ws}/s/lanes-tts/tts/websocket`);
    const arrivals: number[] = [];
    rec.ws.on("message", (data) => {
      if ((JSON.parse(data.toString()) as Msg).type === "chunk") arrivals.push(performance.now());
    });
    const sentAt = performance.now();
    // 60 words: 192 chunks of 100 ms, pulled a second of audio (10 chunks) at a time; paced at 10×, chunk
    // k is due 300 + 10 k ms after the request.
    rec.ws.send(TTS_REQUEST("long", "word ".repeat(60), { continue: false }));
    await rec.waitUntil((m) => (m as Msg).type === "done");
    rec.ws.close();
    expect(arrivals).toHaveLength(192);
    const due = (k: number) => 300 + 10 * k;
    // Never early (timers may fire a millisecond early)…
    arrivals.forEach((t, k) => expect(t - sentAt).toBeGreaterThan(due(k) - 10));
    // …and not counted from each pull: that would add up the 300 ms and the pacing of every batch before
    // (bound: 2 × its due time).
    expect((arrivals.at(-1) as number) - sentAt).toBeLessThan(2 * due(191));
  });

  it("STT turns streamed fast: each turn.end waits its own latency, so they do not add up", async () => {
    const rec = await connect(`${mock.urls.ws}/s/lanes-turns${TURNS}`);
    await rec.waitFor(1); // connected
    const arrivals: number[] = [];
    rec.ws.on("message", (data) => {
      if ((JSON.parse(data.toString()) as Msg).type === "turn.end") arrivals.push(performance.now());
    });
    const audio = silence(compileScript(multiTurn.stt).duration + 1);
    const sentAt = performance.now();
    sendAudio(rec.ws, audio, 3200);
    rec.ws.send(JSON.stringify({ type: "close" }));
    expect((await rec.closed).code).toBe(1000);

    const ends = (rec.messages as Msg[]).filter((m) => m.type === "turn.end").map((m) => m.transcript);
    expect(ends).toEqual(["Hello.", "Can you check my balance?", "The account ends in four two seven.", "Thanks, that's all."]);
    expect(arrivals).toHaveLength(4);
    // The latency still holds the first turn.end back (timers may fire a millisecond early).
    expect((arrivals[0] as number) - sentAt).toBeGreaterThan(TURN_END_MS - 10);
    // All four turns' audio arrived at once: the old queue spread their turn.ends over ≥ 3 × 200 ms,
    // one delay after another; now they are all due about 200 ms after the audio (bound: 2 × 200).
    expect((arrivals[3] as number) - (arrivals[0] as number)).toBeLessThan(2 * TURN_END_MS);
  });

  it("a scripted close does not overtake frames that are still held by latency", async () => {
    const rec = await connect(`${mock.urls.ws}/s/lanes-close/tts/websocket`);
    rec.ws.send(TTS_REQUEST("a", "Held back a while.", { continue: false }));
    rec.ws.send(TTS_REQUEST("b", "Never answered.", { continue: false }));
    const closed = await rec.closed;
    expect(closed).toEqual({ code: 4001, reason: "scripted close" });
    const messages = rec.messages as Msg[];
    expect(messages.some((m) => m.type === "chunk" && m.context_id === "a")).toBe(true);
    expect(messages.at(-1)).toMatchObject({ type: "done", context_id: "a" });
    expect(messages.some((m) => m.context_id === "b")).toBe(false);
  });
});
