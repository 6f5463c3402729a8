/**
 * A long TTS generation keeps going when the machine is slow: each pull turn has a time budget, and a
 * turn whose budget is gone before its first pull must still pull (else nothing schedules the next
 * turn and the generation stalls; a loaded CI machine saw one hang for 60 s). The clock is made to
 * jump 5 ms at every read, so every budget check fails, on a real mock over 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { MockServer } from "../src/index.js";
import { connect, startTestServer, TTS_REQUEST } from "./helpers.js";

type Msg = { type: string; context_id?: string };

let mock: MockServer;
beforeAll(async () => {
  mock = await startTestServer();
});
afterAll(async () => {
  vi.restoreAllMocks();
  await mock.close();
});

describe("pull turns on a slow machine", () => {
  it("a generation of many chunks reaches done when every pull turn's time budget is already spent", async () => {
    const rec = await connect(`${mock.urls.ws}/tts/websocket`);
    const real = performance.now.bind(performance);
    let reads = 0;
    vi.spyOn(performance, "now").mockImplementation(() => real() + 5 * ++reads);
    rec.ws.send(TTS_REQUEST("slow", "word ".repeat(40), { continue: false }));
    await rec.waitUntil((m) => (m as Msg).type === "done" && (m as Msg).context_id === "slow");
    vi.restoreAllMocks();
    const chunks = (rec.messages as Msg[]).filter((m) => m.type === "chunk");
    expect(chunks.length).toBeGreaterThan(32); // more than one pull turn's worth
    rec.ws.close();
  });
});
