/**
 * Raw loopback wire for the fuzzer: HTTP/1.1 requests written byte for byte on a `node:net` socket
 * (so malformed heads, wrong lengths, truncated and slow bodies and half-closes reach the server as
 * sent), the one response read back, and RFC 6455 frames encoded by hand (masked, with every header
 * bit settable) and decoded from the server.
 */
import { connect, type Socket } from "node:net";

/** One piece of a request as written: bytes, a pause, or how the client ends its side. */
export type WireStep = { write: Buffer } | { pauseMs: number } | { end: "half-close" | "destroy" };

/** A response as read: status line, headers (lower-case names, repeated ones joined by ", "), body. */
export interface HttpAnswer {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: Buffer;
  /** The whole response arrived (by Content-Length, chunked terminator, or close for close-delimited). */
  complete: boolean;
}

/** How an exchange ended. */
export interface Exchange {
  /** The response, if a full head arrived. */
  answer?: HttpAnswer;
  /** Bytes received that did not make a response head (e.g. the server closed mid-head). */
  stray: Buffer;
  /** Nothing ended the exchange within the timeout. */
  timedOut: boolean;
  /** The server closed or reset the connection. */
  closedByServer: boolean;
  /** After a 101: the socket, the bytes already read past the head, for the WebSocket layer. */
  upgraded?: { socket: Socket; rest: Buffer };
}

/** Default time an exchange may take before it counts as a hang. */
export const EXCHANGE_TIMEOUT_MS = 10_000;

/** Parses a response head; `undefined` until the blank line has arrived. */
function parseHead(buf: Buffer): { status: number; statusText: string; headers: Record<string, string>; headLength: number } | undefined {
  const end = buf.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const lines = buf.subarray(0, end).toString("latin1").split("\r\n");
  const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0] ?? "");
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { status: m ? Number(m[1]) : 0, statusText: m?.[2] ?? lines[0] ?? "", headers, headLength: end + 4 };
}

/** Decodes a chunked body; `undefined` until the terminating chunk has arrived. */
function dechunk(buf: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = buf.indexOf("\r\n", at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(buf.subarray(at, lineEnd).toString("latin1").split(";")[0] ?? "", 16);
    if (!Number.isFinite(size)) return Buffer.concat(parts);
    if (size === 0) return Buffer.concat(parts);
    if (buf.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/**
 * Writes `steps` to `127.0.0.1:port` and reads one response. Ends when the response is complete (or,
 * for a 101, at once with the socket handed over), when the server closes, or after `timeoutMs`.
 * `headRequest` says the response has no body (HEAD).
 */
export function exchange(port: number, steps: readonly WireStep[], options: { timeoutMs?: number; headRequest?: boolean } = {}): Promise<Exchange> {
  const timeoutMs = options.timeoutMs ?? EXCHANGE_TIMEOUT_MS;
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    let received: Buffer = Buffer.alloc(0);
    let settled = false;
    let writing = true;
    const finish = (result: Omit<Exchange, "stray"> & { stray?: Buffer }, keepSocket = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      writing = false;
      socket.removeAllListeners("data");
      if (!keepSocket) socket.destroy();
      resolve({ stray: Buffer.alloc(0), ...result });
    };
    const timer = setTimeout(() => finish({ ...read(false), timedOut: true, closedByServer: false }), timeoutMs);
    const read = (closed: boolean): Pick<Exchange, "answer" | "stray"> & { done: boolean } => {
      const head = parseHead(received);
      if (!head) return { stray: received, done: closed };
      const body = received.subarray(head.headLength);
      const noBody = options.headRequest || head.status === 204 || head.status === 304 || head.status === 101 || (head.status >= 100 && head.status < 200);
      let complete = false;
      let content = body;
      if (noBody) {
        complete = true;
        content = Buffer.alloc(0);
      } else if (head.headers["transfer-encoding"]?.toLowerCase().includes("chunked")) {
        const decoded = dechunk(body);
        complete = decoded !== undefined;
        content = decoded ?? body;
      } else if (head.headers["content-length"] !== undefined) {
        const length = Number(head.headers["content-length"]);
        complete = body.length >= length;
        content = body.subarray(0, length);
      } else {
        complete = closed;
      }
      const answer: HttpAnswer = { status: head.status, statusText: head.statusText, headers: head.headers, body: content, complete };
      return { answer, stray: Buffer.alloc(0), done: complete };
    };
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // Interim answers (100 Continue) come before the real one: drop them.
      for (let h = parseHead(received); h && h.status >= 100 && h.status < 200 && h.status !== 101; h = parseHead(received)) {
        received = received.subarray(h.headLength);
      }
      const head = parseHead(received);
      if (head?.status === 101) {
        // Hold further bytes in the socket until the WebSocket layer listens (`converse` resumes it).
        socket.pause();
        const { answer } = read(false);
        finish({ answer, timedOut: false, closedByServer: false, upgraded: { socket, rest: received.subarray(head.headLength) } }, true);
        return;
      }
      const r = read(false);
      if (r.done) finish({ ...r, timedOut: false, closedByServer: false });
    });
    socket.on("error", () => finish({ ...read(true), timedOut: false, closedByServer: true }));
    socket.on("close", () => finish({ ...read(true), timedOut: false, closedByServer: true }));
    socket.once("connect", () => {
      void (async () => {
        for (const step of steps) {
          if (!writing) return;
          if ("write" in step) {
            if (!socket.write(step.write)) await new Promise<void>((r) => socket.once("drain", () => r()).once("close", () => r()));
          } else if ("pauseMs" in step) {
            await new Promise((r) => setTimeout(r, step.pauseMs));
          } else if (step.end === "half-close") {
            socket.end();
          } else {
            finish({ ...read(true), timedOut: false, closedByServer: false });
            return;
          }
        }
      })().catch(() => undefined);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// RFC 6455 frames
// ---------------------------------------------------------------------------------------------

/** Frame opcodes (RFC 6455 §5.2). */
export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** A client frame to encode; every field a fuzzer may want wrong is settable. */
export interface FrameSpec {
  opcode: number;
  payload: Buffer;
  fin?: boolean;
  /** RSV1–3 as a 3-bit number (must be 0 without extensions). */
  rsv?: number;
  /** Clients must mask (RFC 6455 §5.3); `false` sends the payload in clear. */
  masked?: boolean;
  /** Announce this length instead of the payload's (an oversize header without the bytes). */
  declaredLength?: number;
}

/** Encodes one frame as a client sends it (masked unless told otherwise). */
export function encodeFrame(spec: FrameSpec): Buffer {
  const fin = spec.fin ?? true;
  const masked = spec.masked ?? true;
  const length = spec.declaredLength ?? spec.payload.length;
  const head: number[] = [(fin ? 0x80 : 0) | (((spec.rsv ?? 0) & 7) << 4) | (spec.opcode & 0x0f)];
  const maskBit = masked ? 0x80 : 0;
  if (length < 126) head.push(maskBit | length);
  else if (length < 65536) head.push(maskBit | 126, length >> 8, length & 0xff);
  else {
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(BigInt(length));
    head.push(maskBit | 127, ...big);
  }
  if (!masked) return Buffer.concat([Buffer.from(head), spec.payload]);
  // A fixed mask keeps frames reproducible from a seed; the server must unmask any key.
  const key = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
  const body = Buffer.from(spec.payload);
  for (let i = 0; i < body.length; i += 1) body[i] = (body[i] as number) ^ (key[i & 3] as number);
  return Buffer.concat([Buffer.from(head), key, body]);
}

/** A close frame's payload: the code (any number, even invalid ones) and a reason. */
export function closePayload(code: number | undefined, reason = ""): Buffer {
  if (code === undefined) return Buffer.alloc(0);
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code & 0xffff);
  return Buffer.concat([b, Buffer.from(reason, "utf8")]);
}

/** A frame from the server. */
export interface ServerFrame {
  opcode: number;
  fin: boolean;
  payload: Buffer;
}

/** Incremental decoder of server frames (unmasked, RFC 6455 §5.2). */
export class FrameDecoder {
  #buffer: Buffer = Buffer.alloc(0);
  /** Set when the server sent something that is not a valid server frame (e.g. a masked one). */
  malformed: string | undefined;

  /** Adds bytes; returns every frame they completed. */
  push(bytes: Buffer): ServerFrame[] {
    this.#buffer = this.#buffer.length === 0 ? bytes : Buffer.concat([this.#buffer, bytes]);
    const frames: ServerFrame[] = [];
    for (;;) {
      const b = this.#buffer;
      if (b.length < 2) break;
      const b0 = b[0] as number;
      const b1 = b[1] as number;
      let length = b1 & 0x7f;
      let at = 2;
      if (length === 126) {
        if (b.length < 4) break;
        length = b.readUInt16BE(2);
        at = 4;
      } else if (length === 127) {
        if (b.length < 10) break;
        length = Number(b.readBigUInt64BE(2));
        at = 10;
      }
      if (b1 & 0x80) this.malformed ??= "server frame is masked";
      if (b0 & 0x70) this.malformed ??= "server frame has RSV bits set";
      const maskLength = b1 & 0x80 ? 4 : 0;
      if (b.length < at + maskLength + length) break;
      frames.push({ opcode: b0 & 0x0f, fin: (b0 & 0x80) !== 0, payload: b.subarray(at + maskLength, at + maskLength + length) });
      this.#buffer = b.subarray(at + maskLength + length);
    }
    return frames;
  }
}

/** A valid `Sec-WebSocket-Key`: base64 of 16 bytes. */
export const WS_KEY = "dGhlIHNhbXBsZSBub25jZQ==";

/** Renders a request head (request line, headers in order, blank line) as bytes. */
export function renderHead(method: string, target: string, headers: readonly (readonly [string, string])[], httpVersion = "HTTP/1.1"): Buffer {
  const lines = [`${method} ${target} ${httpVersion}`, ...headers.map(([k, v]) => `${k}: ${v}`)];
  return Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1");
}

/** One step of a WebSocket conversation after the upgrade. */
export type WsStep =
  | { send: Buffer }
  | { pauseMs: number }
  /** Waits until a text frame satisfies the predicate (or the server closes). */
  | { waitText: (text: string) => boolean }
  | { end: "half-close" | "destroy" };

/** What a WebSocket conversation saw. */
export interface WsTranscript {
  frames: ServerFrame[];
  /** Text frames from the server, in order, decoded as UTF-8. */
  texts: string[];
  /** The server's close frame, if one came: code (undefined when the payload was empty) and reason. */
  close?: { code: number | undefined; reason: string };
  /** The TCP connection ended (FIN or reset from the server). */
  ended: boolean;
  /** A step or the closing handshake did not finish within the timeout. */
  timedOut: boolean;
  /** The server sent something that is not a valid server frame. */
  malformed?: string;
  /** Pongs received (the server must answer pings). */
  pongs: number;
}

/**
 * Runs `steps` on an upgraded socket and reads every server frame. Answers a server close with a close
 * (as a client must), and unless the steps end the connection themselves, finishes with a normal
 * close (1000) so that every conversation ends; `timeoutMs` bounds the whole conversation.
 */
export function converse(socket: Socket, rest: Buffer, steps: readonly WsStep[], options: { timeoutMs?: number; finalClose?: boolean } = {}): Promise<WsTranscript> {
  const timeoutMs = options.timeoutMs ?? EXCHANGE_TIMEOUT_MS;
  const decoder = new FrameDecoder();
  const out: WsTranscript = { frames: [], texts: [], ended: false, timedOut: false, pongs: 0 };
  let closeSent = false;
  const changed: (() => void)[] = [];
  const notify = () => {
    for (const f of changed.splice(0)) f();
  };
  const sendClose = (code: number | undefined) => {
    if (closeSent || socket.destroyed || !socket.writable) return;
    closeSent = true;
    socket.write(encodeFrame({ opcode: OPCODE.close, payload: closePayload(code) }));
  };
  const onFrames = (frames: ServerFrame[]) => {
    for (const frame of frames) {
      out.frames.push(frame);
      if (frame.opcode === OPCODE.text) out.texts.push(frame.payload.toString("utf8"));
      else if (frame.opcode === OPCODE.pong) out.pongs += 1;
      else if (frame.opcode === OPCODE.close && !out.close) {
        out.close = frame.payload.length >= 2 ? { code: frame.payload.readUInt16BE(0), reason: frame.payload.subarray(2).toString("utf8") } : { code: undefined, reason: "" };
        // Echo the close (with its code, as ws does) so the server ends the TCP connection now.
        sendClose(out.close.code);
      }
    }
    if (decoder.malformed) out.malformed = decoder.malformed;
    notify();
  };
  socket.on("data", (chunk: Buffer) => onFrames(decoder.push(chunk)));
  socket.on("error", () => undefined);
  socket.resume();
  const ended = new Promise<void>((resolve) =>
    socket.once("close", () => {
      out.ended = true;
      notify();
      resolve();
    }),
  );
  if (rest.length > 0) onFrames(decoder.push(rest));
  const deadline = Date.now() + timeoutMs;
  const until = (ok: () => boolean) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
      const check = () => {
        if (ok()) {
          clearTimeout(timer);
          resolve(true);
        } else changed.push(check);
      };
      check();
    });
  return (async () => {
    let endedByUs = false;
    for (const step of steps) {
      if (out.ended || out.close) break;
      if ("send" in step) {
        if (!socket.writable) break;
        if (!socket.write(step.send)) {
          let drained = false;
          socket.once("drain", () => {
            drained = true;
            notify();
          });
          if (!(await until(() => drained || out.ended))) {
            out.timedOut = true;
            break;
          }
        }
      } else if ("pauseMs" in step) {
        await new Promise((r) => setTimeout(r, step.pauseMs));
      } else if ("waitText" in step) {
        if (!(await until(() => out.texts.some(step.waitText) || out.ended || out.close !== undefined))) {
          out.timedOut = true;
          break;
        }
      } else if (step.end === "half-close") {
        socket.end();
        endedByUs = true;
        break;
      } else {
        socket.destroy();
        endedByUs = true;
        break;
      }
    }
    if (!out.timedOut && !endedByUs && options.finalClose !== false) sendClose(1000);
    if (!out.timedOut && !(await until(() => out.ended))) out.timedOut = true;
    socket.destroy();
    await ended;
    return out;
  })();
}
