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
  "access-control-allow-methods": "GET, POST, OPTIONS",
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

/** Refuses a WebSocket upgrade with an HTTP status and an error body of the version's shape. */
export function refuseUpgrade(socket: Duplex, error: HttpError, shape: ErrorShape, requestId: string): void {
  const reply = toHttpErrorResponse({ ...error, requestId }, shape);
  const head = [
    `HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status] ?? "Error"}`,
    `content-type: ${reply.contentType}`,
    `content-length: ${Buffer.byteLength(reply.body)}`,
    `cartesia-request-id: ${requestId}`,
    `x-request-id: ${requestId}`,
    "connection: close",
  ];
  if (socket.writable) socket.end(`${head.join("\r\n")}\r\n\r\n${reply.body}`);
  else socket.destroy();
}

/** Thrown by `readBody` when a body passes the limit. */
export class BodyTooLarge extends Error {}

/** Reads a request body up to `limit` bytes (chunked or not, with or without a Content-Type). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLarge(`body larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
