import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { setupMockServer } from "@speechwire/mock-server/testing";

// The code under test: streams 16 kHz PCM to the turns endpoint and returns each turn's transcript.
function transcribe(wsUrl: string, audio: Buffer): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${wsUrl}/stt/turns/websocket?model=ink-2&encoding=pcm_s16le&sample_rate=16000`);
    const transcripts: string[] = [];
    ws.on("message", (data) => {
      const event = JSON.parse(String(data)) as { type: string; transcript?: string };
      if (event.type === "turn.end") transcripts.push(event.transcript ?? "");
    });
    ws.on("open", () => {
      for (let i = 0; i < audio.length; i += 640) ws.send(audio.subarray(i, i + 640));
      ws.send(JSON.stringify({ type: "close" }));
    });
    ws.on("close", () => resolve(transcripts));
    ws.on("error", reject);
  });
}

const seconds = (s: number) => Buffer.alloc(s * 32000); // 16 kHz, 16-bit mono

const mock = setupMockServer({ scenario: "eager-resume" }); // port 0, 127.0.0.1, TLS off, seed 1
beforeAll(() => mock.listen());
afterEach(() => mock.reset()); // fails the test if a session broke a protocol rule
afterAll(() => mock.close());

describe("transcribe", () => {
  it("returns the final transcript after an eager end and a resume", async () => {
    expect(await transcribe(mock.urls.ws, seconds(6))).toEqual(["I'd like to change my order. The address is wrong."]);

    const s = await mock.nextSession("stt-turns");
    expect(s.sent).toEqual([{ type: "close" }]);
    expect(s.received.map((m) => m.type).filter((t) => t !== "turn.update")).toEqual([
      "connected", "turn.start", "turn.eager_end", "turn.resume", "turn.end",
    ]);
    expect(s.audioBytes).toBe(6 * 32000);
    expect(s.close).toMatchObject({ side: "server", code: 1000 });
  });

  it("returns every turn, an empty one too", async () => {
    mock.use("empty-turn"); // this test only: reset() restores eager-resume
    expect(await transcribe(mock.urls.ws, seconds(8))).toEqual(["Hello?", "", "Are you still there?"]);
  });

  it("works with a scenario written in the test", async () => {
    mock.use({ name: "greeting", stt: { turns: [{ segments: [{ say: "Good morning." }], endSilence: 1 }] } });
    expect(await transcribe(mock.urls.ws, seconds(3))).toEqual(["Good morning."]);
    expect((await mock.nextSession("stt-turns")).scenario).toBe("greeting");
  });
});
