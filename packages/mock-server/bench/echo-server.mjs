/**
 * The baselines of the benchmark, bare `ws` servers on 127.0.0.1 in their own process:
 * - no arguments: echoes every frame (part a);
 * - `--timeline FILE`: a minimal turns server (part b). It counts the 20 ms chunks each connection
 *   sends and, as soon as a chunk completes an event's position in FILE ([{type, chunk}]), sends that
 *   event as a JSON frame shaped like the mock's; `connected` on open. No parsing, journal or script:
 *   the floor that the same client measures against the same wire traffic.
 * Prints one JSON line with its URL once listening.
 */
import { readFileSync } from "node:fs";
import { WebSocketServer } from "ws";
import { serveBaseline } from "./baseline-server.mjs";

const at = process.argv.indexOf("--timeline");
const timeline = at > 0 ? JSON.parse(readFileSync(process.argv[at + 1], "utf8")) : undefined;

const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
let connections = 0;
wss.on("connection", (ws) => {
  ws.on("error", () => {});
  if (!timeline) {
    ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
    return;
  }
  const requestId = `baseline-${(connections += 1)}`;
  const frames = timeline.map((e) => JSON.stringify(e.transcript === undefined ? { type: e.type, request_id: requestId } : { type: e.type, transcript: e.transcript, request_id: requestId }));
  let chunks = 0;
  let next = 0;
  ws.send(JSON.stringify({ type: "connected", request_id: requestId }));
  ws.on("message", (_data, isBinary) => {
    if (!isBinary) return;
    chunks += 1;
    while (next < timeline.length && timeline[next].chunk < chunks) ws.send(frames[next++]);
  });
});
serveBaseline(wss);
