/** Server mode finds a server that breaks the rules (a tiny bad server), not only passes the mock. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { checkServer } from "../src/server/probe.js";

describe("checkServer", () => {
  const server = createServer();
  const wss = new WebSocketServer({ server });
  let url = "";
  beforeAll(async () => {
    // A bad turns server: no connected, turn.update before turn.start, a shrinking transcript, then it closes.
    wss.on("connection", (ws) => {
      let sent = false;
      ws.on("message", () => {
        if (sent) return;
        sent = true;
        ws.send(JSON.stringify({ type: "turn.update", transcript: "hello", request_id: "r" }));
        ws.send(JSON.stringify({ type: "turn.start", request_id: "r" }));
        ws.send(JSON.stringify({ type: "turn.update", transcript: "hello", request_id: "r" }));
        ws.send(JSON.stringify({ type: "turn.end", transcript: "he", request_id: "r" }));
        ws.close(1000);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    wss.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("fails the rules it breaks", async () => {
    const r = await checkServer({ url, apiKey: "k", suites: ["stt-turns"] });
    const failed = r.checks.filter((c) => c.grade === "fail").map((c) => c.id);
    expect(failed).toEqual(expect.arrayContaining(["server/stt-turns/connected-first", "server/stt-turns/start-before-turn-events", "server/stt-turns/transcript-cumulative"]));
    expect(r.checks.find((c) => c.id === "server/stt-turns/eager-end-resolved")?.grade).toBe("pass");
  });

  it("fails every rule of an endpoint it cannot reach, with the reason", async () => {
    const r = await checkServer({ url: "http://127.0.0.1:9", apiKey: "k", suites: ["tts"], timeoutMs: 5000 });
    expect(r.checks.length).toBeGreaterThan(0);
    expect(r.checks.every((c) => c.grade === "fail" && (c.reason ?? "") !== "")).toBe(true);
  });
});
