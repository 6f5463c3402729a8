/** The server's reset and session-end hooks (the core under the admin API's reset and the test helper), on a real mock. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILTIN_SCENARIOS, type MockServer, type SessionRecord } from "../src/index.js";
import { connect, startTestServer } from "./helpers.js";

const builtin = BUILTIN_SCENARIOS[0] as (typeof BUILTIN_SCENARIOS)[number];

describe("reset and session ends", () => {
  let mock: MockServer;
  beforeAll(async () => {
    mock = await startTestServer();
  });
  afterAll(() => mock.close());

  it("tells each ended session once, with its final record", async () => {
    const ended: SessionRecord[] = [];
    const stop = mock.onSessionEnd((r) => ended.push(r));
    const s = await connect(`${mock.urls.ws}/stt/websocket?model=ink-whisper&encoding=pcm_s16le&sample_rate=16000`);
    s.ws.send(Buffer.alloc(640));
    s.ws.send("done");
    await s.closed;
    await expect.poll(() => ended.length).toBe(1);
    const [record] = ended as [SessionRecord];
    expect(record.endpoint).toBe("stt-v1");
    expect(record.endedAt).toBeDefined();
    expect(record.audio.bytes).toBe(640);
    expect(mock.session(record.id)).toBe(record);
    stop();
    const t = await connect(`${mock.urls.ws}/stt/websocket?model=ink-whisper&encoding=pcm_s16le&sample_rate=16000`);
    t.ws.send("done");
    await t.closed;
    // The client sees the close before the server's side of the session ends: wait for the record.
    await expect.poll(() => mock.sessions().filter((r) => r.endedAt !== undefined).length).toBe(2);
    expect(ended).toHaveLength(1);
  });

  it("forgets sessions, run-time scenarios and the default; a session open across the reset ends unheard", async () => {
    mock.scenarios.add({ ...builtin, name: "added-in-test" });
    mock.scenarios.add({ ...builtin, name: builtin.name, description: "replaced in test" });
    mock.scenarios.defaultName = "added-in-test";
    const ended: SessionRecord[] = [];
    const stop = mock.onSessionEnd((r) => ended.push(r));
    const open = await connect(`${mock.urls.ws}/stt/websocket?model=ink-whisper&encoding=pcm_s16le&sample_rate=16000`);
    await expect.poll(() => mock.sessions().length).toBeGreaterThan(0);

    mock.reset();
    expect(mock.sessions()).toEqual([]);
    expect(mock.scenarios.get("added-in-test")).toBeUndefined();
    expect(mock.scenarios.get(builtin.name)).toBe(builtin);
    expect(mock.scenarios.defaultName).toBe("default");

    open.ws.send("done");
    await open.closed;
    const after = await connect(`${mock.urls.ws}/stt/websocket?model=ink-whisper&encoding=pcm_s16le&sample_rate=16000`);
    after.ws.send("done");
    await after.closed;
    await expect.poll(() => ended.length).toBe(1);
    expect(ended[0]?.id).toBe(mock.sessions()[0]?.id);
    expect(mock.sessions()).toHaveLength(1);
    stop();
  });

  it("removes only run-time scenarios; a replaced startup scenario comes back", () => {
    const registry = mock.scenarios;
    expect(registry.isProtected(builtin.name)).toBe(true);
    expect(registry.remove(builtin.name)).toBe("protected");
    expect(registry.remove("never-added")).toBe("unknown");
    registry.add({ ...builtin, name: "temporary" });
    expect(registry.isProtected("temporary")).toBe(false);
    expect(registry.remove("temporary")).toBe("removed");
    expect(registry.get("temporary")).toBeUndefined();
    registry.add({ ...builtin, description: "replaced" });
    expect(registry.remove(builtin.name)).toBe("restored");
    expect(registry.get(builtin.name)).toBe(builtin);
  });
});
