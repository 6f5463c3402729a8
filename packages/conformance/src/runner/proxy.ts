/**
 * A WebSocket relay between the client and the mock that injects one frame of an unknown message
 * type into the server's stream (the mock never sends one; clients must not crash on it). Everything
 * else passes through unchanged, so the mock's journal still records the real session.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";

/** The frame injected after the server's first message. */
export const UNKNOWN_FRAME = JSON.stringify({ type: "speechwire.unknown_event", note: "injected by the conformance runner; clients must ignore it" });

/** A running relay. */
export interface UnknownInjector {
  /** http base URL of the relay (same paths as the mock). */
  url: string;
  close(): Promise<void>;
}

const HOP_HEADERS = new Set(["host", "connection", "upgrade", "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-protocol"]);

/** Starts a relay on a free loopback port in front of `upstreamWs` (e.g. `ws://127.0.0.1:8787`). */
export async function startUnknownInjector(upstreamWs: string): Promise<UnknownInjector> {
  const wss = new WebSocketServer({ noServer: true });
  const server: Server = createServer((_req, res) => {
    res.writeHead(404).end();
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP_HEADERS.has(k) && typeof v === "string") headers[k] = v;
    const upstream = new WebSocket(`${upstreamWs}${req.url ?? "/"}`, { headers });
    upstream.on("unexpected-response", (_r, res) => {
      socket.end(`HTTP/1.1 ${res.statusCode ?? 502} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      upstream.terminate();
    });
    upstream.on("error", () => socket.destroy());
    upstream.on("open", () => {
      wss.handleUpgrade(req, socket, head, (client) => {
        let injected = false;
        upstream.on("message", (data, binary) => {
          if (client.readyState !== WebSocket.OPEN) return;
          client.send(data, { binary });
          if (!injected) {
            injected = true;
            client.send(UNKNOWN_FRAME);
          }
        });
        client.on("message", (data, binary) => {
          if (upstream.readyState === WebSocket.OPEN) upstream.send(data as Buffer, { binary });
        });
        const closeCode = (code: number) => (code === 1005 || code === 1006 || code < 1000 || code > 4999 ? undefined : code);
        upstream.on("close", (code, reason) => {
          const c = closeCode(code);
          if (c === undefined) client.terminate();
          else client.close(c, reason);
        });
        client.on("close", (code, reason) => {
          const c = closeCode(code);
          if (c === undefined) upstream.terminate();
          else if (upstream.readyState === WebSocket.OPEN) upstream.close(c, reason);
        });
        client.on("error", () => upstream.terminate());
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
