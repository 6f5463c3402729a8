/** Test helpers: a mock on 127.0.0.1, scenario audio, event collection, digests. */
import { createHash } from "node:crypto";
import { compileScript } from "@speechwire/mock-server/core";
import { scenarioSchema, startMockServer, type MockServer, type MockServerOptions, type ScenarioInput, type SessionRecord } from "@speechwire/mock-server";
import { WebSocket as WsWebSocket } from "ws";
import { createClient, type ClientOptions } from "../src/index.js";

export const VOICE = { mode: "id", id: "6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81" } as const;
export const RAW_24K = { container: "raw", encoding: "pcm_s16le", sample_rate: 24000 } as const;
export const TURNS_PARAMS = { model: "ink-2", encoding: "pcm_s16le", sample_rate: 16000 } as const;
export const V1_PARAMS = { model: "ink-whisper", encoding: "pcm_s16le", sample_rate: 16000, language: "en" } as const;

/** Starts a mock on a free loopback port, no TLS. */
export function startMock(options: MockServerOptions = {}): Promise<MockServer> {
  return startMockServer({ port: 0, tlsPort: false, ...options });
}

/** A client against the mock (optionally under a scenario prefix). */
export function clientFor(mock: MockServer, scenario?: string, options: ClientOptions = {}) {
  return createClient({ baseUrl: scenario ? `${mock.urls.http}/s/${scenario}` : mock.urls.http, apiKey: "sk_car_test", ...options });
}

/** Adds a scenario (validated) to a running mock; returns its name. */
export function addScenario(mock: MockServer, input: ScenarioInput): string {
  mock.scenarios.add(scenarioSchema.parse(input));
  return input.name;
}

/** Seconds of audio a scenario's speech script needs (one pass). */
export function scriptSeconds(mock: MockServer, name: string): number {
  const scenario = mock.scenarios.get(name);
  if (!scenario) throw new Error(`no scenario ${name}`);
  return compileScript(scenario.stt).duration;
}

/** `seconds` of 16 kHz s16le audio with a deterministic non-silent byte pattern (so reordering shows). */
export function patternAudio(seconds: number, sampleRate = 16000, seed = 1): Uint8Array {
  const out = new Uint8Array(Math.round(seconds * sampleRate) * 2);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < out.length; i += 1) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** Splits bytes into chunks of `size`. */
export function* chunks(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, Math.min(bytes.length, i + size));
}

/** Hex SHA-256. */
export function sha256(...parts: Uint8Array[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest("hex");
}

/** Reads an async iterable to its end. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** Journal records of a scenario on an endpoint, oldest first. */
export function sessionsOf(mock: MockServer, scenario: string, endpoint: SessionRecord["endpoint"]): SessionRecord[] {
  return mock.sessions().filter((s) => s.scenario === scenario && s.endpoint === endpoint);
}

/** The journal record of a request id. */
export function sessionById(mock: MockServer, requestId: string | undefined): SessionRecord {
  const record = mock.sessions().find((s) => s.requestId === requestId);
  if (!record) throw new Error(`no journal record for request ${requestId}`);
  return record;
}

/** Waits until `check` is true (polling), or fails after `ms`. */
export async function until(check: () => boolean, ms = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A standard (browser-shaped) WebSocket built on `ws` that takes no headers: what the client sees in
 * a browser, so credentials and version go in the query.
 */
export class BrowserLikeWebSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  readonly #ws: WsWebSocket;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  urls: string[] = [];

  constructor(url: string) {
    BrowserLikeWebSocket.opened.push(url);
    this.#ws = new WsWebSocket(url);
    this.#ws.binaryType = "arraybuffer";
    this.#ws.on("open", () => this.onopen?.({}));
    this.#ws.on("message", (data, isBinary) => {
      const buf = data as Buffer;
      this.onmessage?.({ data: isBinary ? buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) : buf.toString() });
    });
    this.#ws.on("close", (code, reason) => this.onclose?.({ code, reason: reason.toString() }));
    this.#ws.on("error", () => this.onerror?.({}));
    this.#ws.on("unexpected-response", () => {
      // A browser learns nothing about a refused handshake but a close.
      this.#ws.terminate();
    });
  }

  static opened: string[] = [];

  get readyState(): number {
    return this.#ws.readyState;
  }
  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }
  get binaryType(): string {
    return "arraybuffer";
  }
  set binaryType(_value: string) {}
  send(data: string | ArrayBufferLike | ArrayBufferView): void {
    this.#ws.send(data as Buffer);
  }
  close(code?: number, reason?: string): void {
    this.#ws.close(code, reason);
  }
}

/** A `ws` subclass that records every frame the server sent (what "the mock sent", independently of the client). */
export class RecordingWebSocket extends WsWebSocket {
  static received: string[] = [];
  constructor(...args: ConstructorParameters<typeof WsWebSocket>) {
    super(...args);
    this.on("message", (data, isBinary) => {
      if (!isBinary) RecordingWebSocket.received.push((data as Buffer).toString());
    });
  }
}

/** A `ws` subclass that records the size of every binary frame the client sent. */
export class SendRecordingWebSocket extends WsWebSocket {
  static binarySizes: number[] = [];
  override send(data: unknown, ...rest: unknown[]): void {
    if (typeof data !== "string") SendRecordingWebSocket.binarySizes.push((data as Uint8Array).byteLength);
    (super.send as (...args: unknown[]) => void)(data, ...rest);
  }
}

/** The error of the first `error` event. */
export function firstError<T extends { type: string }>(events: T[]): Error | undefined {
  const e = events.find((x) => x.type === "error") as { error?: Error } | undefined;
  return e?.error;
}
