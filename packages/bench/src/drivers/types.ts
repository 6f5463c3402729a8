/**
 * The per-endpoint session interface every driver (client under test) implements. A driver opens a
 * session against a target URL and reports each server event to the bench with the `performance.now()`
 * at which the client delivered it to its caller. The bench itself stamps the moments it hands a frame
 * to the client, so every driver is timed by the same code.
 */
import type { Endpoint } from "../metrics/definitions.js";

/** The clients the bench can drive. */
export const CLIENTS = ["speechwire", "cartesia-js", "raw"] as const;
/** One client name. */
export type ClientName = (typeof CLIENTS)[number];

/** A server event as the bench sees it, stamped when the client delivered it. */
export type BenchEvent =
  | { type: "transcript"; at: number; isFinal: boolean; text: string }
  | { type: "flush_done"; at: number }
  | { type: "done"; at: number }
  | { type: "turn.start" | "turn.update" | "turn.eager_end" | "turn.resume" | "turn.end" | "connected"; at: number; transcript?: string }
  | { type: "chunk"; at: number; contextId: string; bytes: number }
  | { type: "timestamps"; at: number; contextId: string; words: number }
  | { type: "context_done"; at: number; contextId: string }
  | { type: "error"; at: number; message: string; contextId?: string }
  | { type: "closed"; at: number; code?: number };

/** Where and how to connect: an http(s) base URL (a path prefix is kept), credentials, TLS trust. */
export interface Connection {
  /** Base URL for STT (e.g. `http://127.0.0.1:PORT/s/bench-turns` or `https://api.cartesia.ai`). */
  baseUrl: string;
  /** The same routes over TLS, where the target has a separate TLS port (cartesia-js forces `wss` for TTS). */
  tlsBaseUrl?: string;
  apiKey: string;
  /** PEM of a certificate to trust (the embedded mock's self-signed one). */
  ca?: string;
  /** Cartesia-Version to send (drivers that let us choose). */
  version: string;
}

/** STT v1 query parameters. */
export interface SttV1Params {
  model: string;
  encoding: "pcm_s16le";
  sample_rate: number;
  language: string;
}

/** STT turns query parameters. */
export interface TurnsParams {
  model: string;
  encoding: "pcm_s16le";
  sample_rate: number;
}

/** TTS generation settings (repeated on every input of a context). */
export interface TtsParams {
  model_id: string;
  voice: { mode: "id"; id: string };
  output_format: { container: "raw"; encoding: "pcm_s16le"; sample_rate: number };
  language: string;
}

/** An open STT socket (v1 or turns). */
export interface SttSession {
  sendAudio(bytes: Uint8Array): void;
  /** v1: the text frame `finalize`. */
  finalize(): void;
  /** v1: `close`; turns: `{"type":"close"}`. */
  close(): void;
  /** Resolves when the socket has closed (after the server's close, or `abort`). */
  readonly ended: Promise<void>;
  abort(): void;
}

/** An open TTS socket. */
export interface TtsSession {
  /** Sends a whole transcript on a new context and ends its input. */
  request(contextId: string, transcript: string): void;
  close(): Promise<void>;
  abort(): void;
}

/** The client under test. */
export interface Driver {
  readonly name: ClientName;
  /** Why this client cannot drive an endpoint, or undefined when it can. */
  unsupported(endpoint: Endpoint): string | undefined;
  /** Opens a socket; resolves once it is open (the handshake is timed around this call). */
  openSttV1(connection: Connection, params: SttV1Params, onEvent: (e: BenchEvent) => void): Promise<SttSession>;
  openTurns(connection: Connection, params: TurnsParams, onEvent: (e: BenchEvent) => void): Promise<SttSession>;
  openTts(connection: Connection, params: TtsParams, onEvent: (e: BenchEvent) => void): Promise<TtsSession>;
}

/** Appends an endpoint path to a base URL, keeping its path prefix, with the scheme turned ws/wss. */
export function socketUrl(baseUrl: string, path: string, query: Record<string, string | number>): URL {
  const url = new URL(baseUrl);
  url.protocol = url.protocol === "https:" || url.protocol === "wss:" ? "wss:" : "ws:";
  url.pathname = `${url.pathname.replace(/\/+$/, "")}${path}`;
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, String(v));
  return url;
}

/** Counts the words of a TTS transcript the way timestamps report them (whitespace-separated). */
export function wordCount(text: string): number {
  return text.split(/\s+/u).filter((w) => w !== "").length;
}
