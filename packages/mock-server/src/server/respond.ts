/** Small HTTP helpers: JSON replies, errors in the version's shape, bodies with a size limit, CORS. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { STATUS_CODES } from "node:http";
import { toHttpErrorResponse, type ErrorShape } from "@speechwire/protocol";

/** An error to send over HTTP (or as a refused handshake). */
export interface HttpError {
  status: number;
  code: string | null;
  title: string;
  message: string;
}

/** CORS headers: browsers on other origins (the playground elsewhere) may call the mock. */
export const CORS_HEADERS: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "authorization, cartesia-version, content-type, x-api-key, x-speechwire-scenario",
  // DELETE: the admin API's, from a browser (the playground on another origin).
  "access-control-allow-methods": "GET, HEAD, POST, DELETE, OPTIONS",
  "access-control-expose-headers": "cartesia-request-id, x-request-id, cartesia-file-id",
};

/** The request-id headers both clients look for (§1.5). */
export function requestIdHeaders(requestId: string): Record<string, string> {
  return { "cartesia-request-id": requestId, "x-request-id": requestId };
}

/** Sends a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, { ...CORS_HEADERS, ...headers, "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** Sends an error in the shape of the request's version (§1.4). */
export function sendError(res: ServerResponse, error: HttpError, shape: ErrorShape, requestId: string): void {
  const reply = toHttpErrorResponse({ ...error, requestId }, shape);
  res.writeHead(reply.status, {
    ...CORS_HEADERS,
    ...requestIdHeaders(requestId),
    "content-type": reply.contentType,
    "content-length": Buffer.byteLength(reply.body),
  });
  res.end(reply.body);
}

/** How long a refused connection may stay half-open before it is cut (a client that never closes). */
const LINGER_MS = 2000;

/**
 * Answers on a raw socket, then closes it: a refused WebSocket upgrade, or a request whose head did
 * not parse. The body takes the version's shape; `extraHeaders` are added (e.g. `Sec-WebSocket-Version`).
 */
export function refuseUpgrade(socket: Duplex, error: HttpError, shape: ErrorShape, requestId: string, extraHeaders: Record<string, string> = {}): void {
  const reply = toHttpErrorResponse({ ...error, requestId }, shape);
  const head = [
    `HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status] ?? "Error"}`,
    `content-type: ${reply.contentType}`,
    `content-length: ${Buffer.byteLength(reply.body)}`,
    `cartesia-request-id: ${requestId}`,
    `x-request-id: ${requestId}`,
    ...Object.entries(extraHeaders).map(([k, v]) => `${k}: ${v}`),
    "connection: close",
  ];
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(`${head.join("\r\n")}\r\n\r\n${reply.body}`);
  // Read and drop what the client still sends (closing with unread data would reset the connection
  // before it reads the answer), and cut a client that never closes its side.
  socket.resume();
  const linger = setTimeout(() => socket.destroy(), LINGER_MS);
  linger.unref();
  socket.once("close", () => clearTimeout(linger));
}

/** Thrown by `readBody` when a body passes the limit. */
export class BodyTooLarge extends Error {}

/** Thrown by `readBody` (and the multipart reader) when the body breaks off: the client aborted, or its framing was bad. */
export class BodyAborted extends Error {}

/** Reads a request body up to `limit` bytes (chunked or not, with or without a Content-Type). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > limit) throw new BodyTooLarge(`body larger than ${limit} bytes`);
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof BodyTooLarge) throw error;
    throw new BodyAborted(`The request body ended early (${(error as Error).message}).`);
  }
  return Buffer.concat(chunks);
}
