/**
 * The checks the `ws` library makes on an upgrade request before it answers 101, made first by the
 * mock, so that a refusal takes the version's shape and carries the request-id headers (`ws` answers
 * these with text/html and nothing else) — RFC 6455 §4.2.1.
 */
import type { IncomingMessage } from "node:http";
import type { HttpError } from "./respond.js";

/** `Sec-WebSocket-Key`: base64 of 16 bytes (what `ws` accepts). */
const KEY = /^[+/0-9A-Za-z]{22}==$/;
/** RFC 7230 `tchar`: what a subprotocol name may be made of. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Why an upgrade is refused before `ws` sees it, with headers to add to the refusal. */
export interface HandshakeRefusal {
  error: HttpError;
  headers?: Record<string, string>;
}

/** Checks an upgrade request's method and WebSocket headers; `undefined` when `ws` will accept them. */
export function handshakeRefusal(req: IncomingMessage): HandshakeRefusal | undefined {
  const bad = (message: string): HandshakeRefusal => ({ error: { status: 400, code: "invalid_request", title: "Invalid WebSocket handshake", message } });
  if (req.method !== "GET") return bad(`A WebSocket handshake is a GET request, not ${req.method ?? "none"}.`);
  const upgrade = req.headers.upgrade;
  if (upgrade === undefined || upgrade.toLowerCase() !== "websocket") return bad("The Upgrade header must be \"websocket\".");
  const key = req.headers["sec-websocket-key"];
  if (key === undefined || !KEY.test(key)) return bad("Sec-WebSocket-Key must be the base64 encoding of 16 bytes.");
  if (req.headers["sec-websocket-version"] !== "13") {
    return {
      error: { status: 426, code: "invalid_request", title: "Upgrade required", message: "Sec-WebSocket-Version must be 13." },
      headers: { "sec-websocket-version": "13" },
    };
  }
  const protocols = req.headers["sec-websocket-protocol"];
  if (protocols !== undefined && !validProtocolList(protocols)) return bad("Sec-WebSocket-Protocol must be a list of distinct tokens.");
  return undefined;
}

/** A comma-separated list of distinct tokens, as `ws` parses `Sec-WebSocket-Protocol`. */
function validProtocolList(value: string): boolean {
  const names = value.split(",").map((name) => name.trim());
  return names.every((name) => TOKEN.test(name)) && new Set(names).size === names.length;
}
