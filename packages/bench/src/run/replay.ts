/**
 * The overhead baseline's server: a bare `ws` server that answers a session with the frames the mock
 * sent for the same input, recorded once ("replay"). It does the least any server could do for the
 * same exchange (count the client's messages, send pre-built strings), so mock ÷ replay on the same
 * metric is the mock's own cost on that metric.
 */
import { once } from "node:events";
import WebSocket, { WebSocketServer } from "ws";

/** One server frame of a recorded session: sent after the client's `after`-th message (1-based; 0: on open). */
export interface RecordedFrame {
  after: number;
  text: string;
}

/** A recorded session of one endpoint: its frames, and the close the server sent (if it closed). */
export interface Recording {
  /** The URL path the session was opened on, e.g. /s/bench-v1/stt/websocket. */
  path: string;
  frames: RecordedFrame[];
  close?: { after: number; code: number };
  /** TTS: the context_id of each request in the recording, by client message number, for rewriting. */
  contexts: Record<number, string>;
}

/** A listening server with its port and close. */
export interface Listening {
  port: number;
  close(): Promise<void>;
}

const endpointOf = (path: string) => (path.includes("/stt/turns/websocket") ? "turns" : path.includes("/stt/websocket") ? "v1" : path.includes("/tts/websocket") ? "tts" : "");

/**
 * A recording proxy on 127.0.0.1: forwards each connection to `upstream` (same path, query and auth
 * headers) and records every upstream frame with the number of client messages forwarded before it
 * arrived. A frame caused by message k arrives after k was forwarded, so it is tagged k or later; a
 * frame the session waits for (flush_done, turn.end, done) is tagged with the message it waited after.
 */
export async function startRecorder(upstream: string): Promise<Listening & { recordings: Recording[] }> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
  await once(wss, "listening");
  const recordings: Recording[] = [];
  wss.on("connection", (client, req) => {
    const path = req.url ?? "/";
    const rec: Recording = { path, frames: [], contexts: {} };
    recordings.push(rec);
    const headers: Record<string, string> = {};
    for (const h of ["authorization", "cartesia-version"]) if (typeof req.headers[h] === "string") headers[h] = req.headers[h] as string;
    const up = new WebSocket(`${upstream}${path}`, { headers, perMessageDeflate: false });
    const pending: [WebSocket.RawData, boolean][] = [];
    let forwarded = 0;
    const forward = (data: WebSocket.RawData, isBinary: boolean) => {
      forwarded += 1;
      if (!isBinary) {
        try {
          const m = JSON.parse(data.toString()) as { context_id?: unknown };
          if (typeof m.context_id === "string") rec.contexts[forwarded] = m.context_id;
        } catch {
          // A bare text command (finalize, close): nothing to rewrite.
        }
      }
      up.send(data, { binary: isBinary });
    };
    client.on("message", (data, isBinary) => (up.readyState === WebSocket.OPEN ? forward(data, isBinary) : pending.push([data, isBinary])));
    up.on("open", () => {
      for (const [d, b] of pending.splice(0)) forward(d, b);
    });
    up.on("message", (data, isBinary) => {
      if (!isBinary) rec.frames.push({ after: forwarded, text: data.toString() });
      client.send(data, { binary: isBinary });
    });
    up.on("close", (code) => {
      rec.close = { after: forwarded, code };
      client.close(code === 1005 || code === 1006 ? 1000 : code);
    });
    up.on("error", () => client.terminate());
    client.on("close", () => up.readyState === WebSocket.OPEN && up.close(1000));
    client.on("error", () => up.terminate());
  });
  return {
    port: (wss.address() as { port: number }).port,
    recordings,
    close: () => closeServer(wss),
  };
}

async function closeServer(wss: WebSocketServer): Promise<void> {
  for (const c of wss.clients) c.terminate();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
}

/**
 * The replay server on 127.0.0.1: per connection, counts the client's messages and after the k-th sends
 * the recording's frames tagged k (TTS: with the recorded context_id replaced by the request's), then
 * closes where the mock closed. Recordings are chosen by endpoint (the path's /stt/websocket,
 * /stt/turns/websocket or /tts/websocket).
 */
export async function startReplay(recordings: Recording[]): Promise<Listening> {
  const byEndpoint = new Map<string, { frames: Map<number, string[]>; close?: { after: number; code: number }; contexts: Record<number, string> }>();
  for (const r of recordings) {
    const frames = new Map<number, string[]>();
    for (const f of r.frames) {
      const list = frames.get(f.after) ?? [];
      list.push(f.text);
      frames.set(f.after, list);
    }
    byEndpoint.set(endpointOf(r.path), { frames, ...(r.close ? { close: r.close } : {}), contexts: r.contexts });
  }
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
  await once(wss, "listening");
  wss.on("connection", (ws, req) => {
    const rec = byEndpoint.get(endpointOf(req.url ?? ""));
    if (!rec) {
      ws.close(1008, "no recording for this endpoint");
      return;
    }
    let k = 0;
    const sendAfter = (n: number, data?: WebSocket.RawData) => {
      const frames = rec.frames.get(n);
      if (frames) {
        const recorded = rec.contexts[n];
        let own: string | undefined;
        if (recorded !== undefined && data !== undefined) {
          // A bare server reads the request too: it must know which context to answer.
          own = (JSON.parse(data.toString()) as { context_id?: string }).context_id;
        }
        for (const text of frames) ws.send(own !== undefined && own !== recorded ? text.split(`"${recorded}"`).join(JSON.stringify(own)) : text);
      }
      if (rec.close && rec.close.after === n) ws.close(rec.close.code === 1005 || rec.close.code === 1006 ? 1000 : rec.close.code);
    };
    ws.on("message", (data, isBinary) => {
      k += 1;
      sendAfter(k, isBinary ? undefined : data);
    });
    ws.on("error", () => {});
    sendAfter(0);
  });
  return { port: (wss.address() as { port: number }).port, close: () => closeServer(wss) };
}
