// A `node:test` file using the helper through the package's own export (the built dist), run by
// testing-frameworks.test.ts. SPEECHWIRE_BREAK_RULE=1 makes one client break a rule, so the run must fail.
import assert from "node:assert/strict";
import { after, afterEach, before, test } from "node:test";
import { WebSocket } from "ws";
import { setupMockServer } from "@speechwire/mock-server/testing";

const mock = setupMockServer({ scenario: "eager-end" });
before(() => mock.listen());
afterEach(() => mock.reset());
after(() => mock.close());

/** Streams `seconds` of silence to the turns endpoint, optionally after a config, then closes. */
function turns(seconds, config) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${mock.urls.ws}/stt/turns/websocket?model=ink-2&encoding=pcm_s16le&sample_rate=16000`);
    ws.on("error", reject);
    ws.on("close", () => resolve());
    ws.on("open", () => {
      if (config) ws.send(JSON.stringify({ type: "config", turn: config }));
      const audio = Buffer.alloc(seconds * 32000);
      for (let i = 0; i < audio.length; i += 640) ws.send(audio.subarray(i, i + 640));
      ws.send('{"type":"close"}');
    });
  });
}

test("the session's typed journal", async () => {
  await turns(4);
  const s = await mock.nextSession("stt-turns");
  assert.deepEqual(s.sent, [{ type: "close" }]);
  assert.deepEqual(
    s.received.filter((m) => m.type !== "turn.update").map((m) => m.type),
    ["connected", "turn.start", "turn.eager_end", "turn.end"],
  );
  assert.equal(s.received.at(-1).transcript, "What time do you close today?");
  assert.equal(s.audioBytes, 4 * 32000);
});

test("use() picks this test's scenario", async () => {
  mock.use("empty-turn");
  await turns(8);
  const s = await mock.nextSession("stt-turns");
  assert.deepEqual(
    s.received.filter((m) => m.type === "turn.end").map((m) => m.transcript),
    ["Hello?", "", "Are you still there?"],
  );
});

if (process.env.SPEECHWIRE_BREAK_RULE === "1") {
  // Its assertions pass; the afterEach hook's reset() must fail it (end_threshold above 0.5 breaks §3.2).
  test("a client that breaks a rule", async () => {
    await turns(1, { end_threshold: 0.9 });
    assert.ok(true);
  });
}

test("the scenario is back to the file's after reset()", () => {
  assert.equal(mock.server.scenarios.defaultName, "eager-end");
});
