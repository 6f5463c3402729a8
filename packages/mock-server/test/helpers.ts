/** Test helpers: a mock on free loopback ports, and a WebSocket client that records everything. */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { WebSocket } from "ws";
import { startMockServer, type MockServer, type MockServerOptions } from "../src/index.js";

/** Starts a mock on free ports (TLS off unless asked). */
export function startTestServer(options: MockServerOptions = {}): Promise<MockServer> {
  return startMockServer({ port: 0, tlsPort: false, ...options });
}

/** What a recorded WebSocket saw. */
export interface Recorded {
  ws: WebSocket;
  /** Text frames from the server, parsed as JSON where possible. */
  messages: unknown[];
  texts: string[];
  /** Upgrade response headers. */
  headers: Record<string, string | string[] | undefined>;
  /** Resolves with the close code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves once `n` messages have arrived (or rejects on close before that). */
  waitFor(n: number): Promise<unknown[]>;
  /** Resolves once a message satisfies the predicate. */
  waitUntil(predicate: (m: unknown) => boolean): Promise<unknown>;
}

/** Opens a WebSocket and records messages; rejects if the handshake fails (with the HTTP status). */
export function connect(url: string, options: { headers?: Record<string, string>; ca?: string } = {}): Promise<Recorded> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: options.headers, ...(options.ca ? { ca: options.ca } : {}) });
    const messages: unknown[] = [];
    const texts: string[] = [];
    const waiters: (() => void)[] = [];
    let headers: Record<string, string | string[] | undefined> = {};
    let closeInfo: { code: number; reason: string } | undefined;
    const closed = new Promise<{ code: number; reason: string }>((done) => {
      ws.on("close", (code, reason) => {
        closeInfo = { code, reason: reason.toString() };
        done(closeInfo);
        for (const w of waiters.splice(0)) w();
      });
    });
    ws.on("upgrade", (res) => {
      headers = res.headers;
    });
    ws.on("message", (data, isBinary) => {
      const text = isBinary ? "" : data.toString();
      texts.push(text);
      try {
        messages.push(JSON.parse(text));
      } catch {
        messages.push(text);
      }
      for (const w of waiters.splice(0)) w();
    });
    ws.on("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body, headers: res.headers })));
    });
    ws.on("error", (error) => reject(error));
    const until = (ok: () => boolean, what: string) =>
      new Promise<void>((done, fail) => {
        const check = () => {
          if (ok()) done();
          else if (closeInfo) fail(new Error(`closed (${closeInfo.code} ${closeInfo.reason}) before ${what}; got ${JSON.stringify(messages)}`));
          else waiters.push(check);
        };
        check();
      });
    ws.on("open", () =>
      resolve({
        ws,
        messages,
        texts,
        headers,
        closed,
        waitFor: async (n) => {
          await until(() => messages.length >= n, `${n} messages`);
          return messages.slice(0, n);
        },
        waitUntil: async (predicate) => {
          await until(() => messages.some(predicate), "the awaited message");
          return messages.find(predicate);
        },
      }),
    );
  });
}

/** `n` seconds of 16 kHz s16le silence. */
export function silence(seconds: number, sampleRate = 16000): Buffer {
  return Buffer.alloc(Math.round(seconds * sampleRate) * 2);
}

/** Sends audio in fixed-size frames. */
export function sendAudio(ws: WebSocket, audio: Buffer, frameBytes = 640): void {
  for (let i = 0; i < audio.length; i += frameBytes) ws.send(audio.subarray(i, i + frameBytes));
}

/** The turns route with the usual query (16 kHz pcm_s16le, ink-2). */
export const TURNS_PATH = "/stt/turns/websocket?model=ink-2&encoding=pcm_s16le&sample_rate=16000";
/** The v1 route with the usual query (16 kHz pcm_s16le, ink-whisper, en). */
export const V1_PATH = "/stt/websocket?model=ink-whisper&encoding=pcm_s16le&sample_rate=16000&language=en";

/** A TTS WebSocket generation request (raw pcm_s16le 24 kHz) for one context, as JSON text. */
export const TTS_REQUEST = (contextId: string, transcript: string, extra: object = {}) =>
  JSON.stringify({
    model_id: "sonic-3",
    transcript,
    voice: { mode: "id", id: "6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81" },
    output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: 24000 },
    context_id: contextId,
    ...extra,
  });

const packageDir = fileURLToPath(new URL("..", import.meta.url));

/** Runs the CLI from source (no build needed) and resolves `firstLine` with its first stdout line. */
export function runCli(args: string[]) {
  const child = spawn(process.execPath, ["--import", "tsx", join(packageDir, "src/cli.ts"), ...args], { cwd: packageDir, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const firstLine = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    void exited.then((code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  // Tests that expect an early exit never read the line: keep that rejection from going unhandled.
  firstLine.catch(() => undefined);
  return { child, firstLine, exited, stdout: () => stdout, stderr: () => stderr, output: () => stdout + stderr };
}
