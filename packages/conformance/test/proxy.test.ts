/** The unknown-frame relay: passes a real session through and injects one unknown frame. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startMockServer, type MockServer } from "@speechwire/mock-server";
import { startUnknownInjector, UNKNOWN_FRAME, type UnknownInjector } from "../src/runner/proxy.js";

let mock: MockServer;
let relay: UnknownInjector;
beforeAll(async () => {
  mock = await startMockServer({ port: 0, tlsPort: false });
  relay = await startUnknownInjector(mock.urls.ws);
});
afterAll(async () => {
  await relay.close();
  await mock.close();
});

describe("startUnknownInjector", () => {
  it("relays a turns session both ways, injecting the unknown frame after the server's first one", async () => {
    const ws = new WebSocket(`${relay.url.replace(/^http/u, "ws")}/s/eager-resume/stt/turns/websocket?model=ink-2&encoding=pcm_s16le&sample_rate=16000`, {
      headers: { Authorization: "Bearer sk_car_relay", "Cartesia-Version": "2026-03-01" },
    });
    const frames: string[] = [];
    ws.on("message", (data) => frames.push(String(data)));
    await new Promise((resolve) => ws.once("open", resolve));
    ws.send(new Uint8Array(16000 * 2 * 5));
    ws.send(JSON.stringify({ type: "close" }));
    const code = await new Promise<number>((resolve) => ws.once("close", (c) => resolve(c)));
    expect(code).toBe(1000);
    expect(JSON.parse(frames[0]!)).toMatchObject({ type: "connected" });
    expect(frames[1]).toBe(UNKNOWN_FRAME);
    expect(frames.filter((f) => f === UNKNOWN_FRAME)).toHaveLength(1);
    expect(frames.at(-1)).toContain("turn.end");
    // The mock saw the real session (credentials and audio) and none of the injected frame.
    const session = mock.sessions().find((s) => s.scenario === "eager-resume" && s.endpoint === "stt-turns")!;
    expect(session.audio.bytes).toBe(16000 * 2 * 5);
    expect(session.headers.authorization).toContain("redacted");
    expect(session.entries.some((e) => e.text === UNKNOWN_FRAME)).toBe(false);
  });

  it("passes a refused handshake through with its status", async () => {
    const ws = new WebSocket(`${relay.url.replace(/^http/u, "ws")}/s/auth-401/stt/turns/websocket?model=ink-2&encoding=pcm_s16le&sample_rate=16000`);
    const status = await new Promise<number | undefined>((resolve) => {
      ws.on("unexpected-response", (_req, res) => resolve(res.statusCode));
      ws.on("error", () => resolve(undefined));
    });
    expect(status).toBe(401);
  });
});
