#!/usr/bin/env node
/**
 * The baseline of part (c)'s "contexts at once": a bare `ws` server in its own process that answers
 * each TTS request with the mock's own recorded frames of one context (`--frames FILE`, a JSON array
 * of frame texts for context id "REC"), the request's context id put in. Like the mock it sends a
 * context's first frame as its request is read and the rest a frame per context in turn, a bounded
 * number per turn of the event loop; it synthesizes, checks and journals nothing. Prints
 * `{"ws": "ws://127.0.0.1:PORT"}` when listening. Not part of the mock.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { WebSocketServer } from "ws";
import { serveBaseline } from "./baseline-server.mjs";

const { values } = parseArgs({ options: { frames: { type: "string" } } });
const KEY = '"context_id":"REC"';
/** Each recorded frame split around its context id. */
const frames = JSON.parse(readFileSync(values.frames, "utf8")).map((f) => {
  const at = f.indexOf(KEY);
  return at < 0 ? [f, ""] : [f.slice(0, at + KEY.length - 4), f.slice(at + KEY.length - 1)];
});
const frameOf = (k, id) => `${frames[k][0]}${frames[k][1] === "" ? "" : id}${frames[k][1]}`;
/** Frames per turn of the event loop, at most (the mock pulls at most 32 batches a turn). */
const PER_TURN = 32;

const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
wss.on("connection", (ws) => {
  /** Contexts still sending: id → next frame. */
  const open = new Map();
  let queued = false;
  const turn = () => {
    queued = false;
    const socket = ws._socket;
    socket.cork();
    let sent = 0;
    while (sent < PER_TURN && open.size > 0) {
      for (const [id, next] of open) {
        ws.send(frameOf(next, id));
        sent += 1;
        if (next + 1 >= frames.length) open.delete(id);
        else open.set(id, next + 1);
        if (sent >= PER_TURN) break;
      }
    }
    socket.uncork();
    if (open.size > 0) schedule();
  };
  const schedule = () => {
    if (queued) return;
    queued = true;
    setImmediate(turn);
  };
  ws.on("message", (data) => {
    const request = JSON.parse(data.toString());
    const id = request.context_id;
    ws.send(frameOf(0, id));
    // Re-inserted so that a context takes its turn after the ones already sending.
    open.delete(id);
    if (frames.length > 1) open.set(id, 1);
    schedule();
  });
});
serveBaseline(wss);
