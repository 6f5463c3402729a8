/**
 * The replay baseline of bench/replay.mjs: a hand-written `ws` server on 127.0.0.1 in its own process
 * that sends, for the same client audio, the frames the mock itself sent, at the same audio positions.
 * No parsing, core, journal or linter: what a WebSocket server that already knows its answers costs.
 *
 * `--recording FILE`: JSON { frames: [{ after, text }], closeCode, closeReason } recorded from the
 * mock's journal, where `after` is the number of 20 ms binary chunks the mock had received when it sent
 * the frame, or "close" for frames it sent after the client's `{"type":"close"}` (then it closes the
 * socket with closeCode). Every connection replays the same recording; binary frames count as one
 * chunk each (the bench sends whole chunks only). Prints one JSON line with its URL once listening.
 */
import { readFileSync } from "node:fs";
import { WebSocketServer } from "ws";
import { serveBaseline } from "./baseline-server.mjs";

const at = process.argv.indexOf("--recording");
if (at < 0) throw new Error("usage: node bench/replay-server.mjs --recording FILE");
const recording = JSON.parse(readFileSync(process.argv[at + 1], "utf8"));
// Frames by position, as they will be sent: no per-frame work but the count and the send.
const live = recording.frames.filter((f) => f.after !== "close");
const afterClose = recording.frames.filter((f) => f.after === "close").map((f) => f.text);
const positions = Int32Array.from(live, (f) => f.after);
const texts = live.map((f) => f.text);

const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
wss.on("connection", (ws) => {
  ws.on("error", () => {});
  let chunks = 0;
  let next = 0;
  let closed = false;
  const release = () => {
    while (next < positions.length && positions[next] <= chunks) ws.send(texts[next++]);
  };
  release();
  ws.on("message", (_data, isBinary) => {
    if (closed) return;
    if (isBinary) {
      chunks += 1;
      release();
      return;
    }
    // The only text frame the bench sends is {"type":"close"}: what the mock sent after it, then its close.
    closed = true;
    release();
    for (const text of afterClose) ws.send(text);
    ws.close(recording.closeCode ?? 1000, recording.closeReason ?? "");
  });
});
serveBaseline(wss);
