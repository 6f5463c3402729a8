// The same helper under jest (native ESM mode), run by test/jest.test.ts: jest's own hooks and expect.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { setupMockServer } from "@speechwire/mock-server/testing";
import { runVoiceAgent, syntheticSpeech } from "../../dist/index.js";

const mock = setupMockServer({ scenario: "eager-end" });
beforeAll(() => mock.listen());
afterEach(() => mock.reset());
afterAll(() => mock.close());

describe("the voice agent under jest", () => {
  it("answers the eager-end turn with the reply it started early", async () => {
    const result = await runVoiceAgent({ baseUrl: mock.urls.http, audio: syntheticSpeech(4), pace: 0 });
    expect(result.turns.map((t) => [t.contextId, t.speculative])).toEqual([["reply-1", true]]);
    const tts = await mock.nextSession("tts");
    expect(tts.sent.map((m) => m.context_id)).toEqual(["reply-1", "reply-1"]);
  });

  it("uses this test's scenario", async () => {
    mock.use("multi-turn");
    const result = await runVoiceAgent({ baseUrl: mock.urls.http, audio: syntheticSpeech(14), pace: 0 });
    expect(result.transcripts).toHaveLength(4);
    expect((await mock.nextSession("stt-turns")).scenario).toBe("multi-turn");
  });

  if (process.env.SPEECHWIRE_BREAK_RULE === "1") {
    // The agent is fine; this raw client is not (end_threshold above 0.5): afterEach's reset() must fail this test.
    it("a client that breaks a rule", async () => {
      const { WebSocket } = await import("ws");
      await new Promise((resolve, reject) => {
        const ws = new WebSocket(`${mock.urls.ws}/stt/turns/websocket?model=ink-2&encoding=pcm_s16le&sample_rate=16000`);
        ws.on("open", () => {
          ws.send(JSON.stringify({ type: "config", turn: { end_threshold: 0.9 } }));
          ws.send(JSON.stringify({ type: "close" }));
        });
        ws.on("close", resolve);
        ws.on("error", reject);
      });
      expect(true).toBe(true);
    });
  }
});
