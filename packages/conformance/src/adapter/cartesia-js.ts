/**
 * The built-in adapter for `@cartesia/cartesia-js` 4.2.0 (an optional peer dependency): its STT
 * manual-finalize and auto-finalize sockets and its TTS socket, used the way its README shows, with
 * what a careful caller adds (an `error` listener, finals concatenated, `turn.end` as the turn's text).
 *
 * Loaded through its CommonJS build: the ESM build calls `require('ws')`, which does not exist in an
 * ES module, so every socket of the ESM build throws on Node 20 (docs/real-clients.md of the mock).
 * Its TTS socket always uses `wss://`, so the adapter declares `tls` and connects to the TLS port.
 */
import { createRequire } from "node:module";
import type { Adapter, Observe } from "./types.js";
import type { Action, Capabilities, Case, CaseResult, ObservationEvent, Target } from "./schema.js";
import { audioPieces } from "./speechwire.js";

/** The capabilities the cartesia-js adapter declares. */
export const CARTESIA_JS_CAPABILITIES: Capabilities = {
  name: "cartesia-js",
  version: "@cartesia/cartesia-js 4.2.0",
  suites: ["stt-v1", "stt-turns", "tts", "tts-http", "stt-batch", "access-token"],
  // Opt-in `reconnect` option of its STT sockets.
  reconnect: true,
  // No keep-alive: the SDK sends nothing on its own while idle.
  keepAlive: false,
  finalize: true,
  flush: true,
  cancel: true,
  timestamps: true,
  errors: true,
  // Its `event` listener hands over the raw server message, `words` and `languages` included, as sent:
  // word times are relative to the connection (nothing shifts them after a reconnect).
  turnWords: true,
  turnLanguages: true,
  // `send()` JSON-encodes an object on the turns socket (typed `{type:"config", turn?}` in 4.2: the
  // lists go through untyped) and sends a string as is on the v1 socket (typed `"finalize" | "close"`:
  // a caller casts the JSON text past it). Nothing is re-sent after a reconnect.
  config: true,
  tls: true,
  // `tts.generate()` hands back the fetch Response: any container's bytes.
  mp3: true,
  sse: true,
};

type Listener = (...args: never[]) => void;
interface SttSocket {
  on(event: string, listener: Listener): unknown;
  send(message: unknown): unknown;
  sendRaw(data: Uint8Array): unknown;
  close(): unknown;
}
interface TtsContext {
  push(o: { transcript: string }): Promise<void>;
  flush(): Promise<void>;
  no_more_inputs(): Promise<void>;
  cancel(): Promise<void>;
  receive(o?: { timeout?: number }): AsyncGenerator<Record<string, unknown>>;
}
interface TtsSocket {
  on(event: string, listener: Listener): unknown;
  context(o: Record<string, unknown>): TtsContext;
  close(): unknown;
}
interface CartesiaClient {
  stt: {
    /** `POST /stt` (multipart). */
    transcribe(params: Record<string, unknown>, options?: Record<string, unknown>): Promise<{ text: string; words?: { word: string; start: number; end: number }[] }>;
    manualFinalize: { websocket(params: Record<string, unknown>, options?: Record<string, unknown>): SttSocket };
    autoFinalize: { websocket(params: Record<string, unknown>, options?: Record<string, unknown>): SttSocket };
  };
  tts: {
    websocket(options?: Record<string, unknown>): Promise<TtsSocket>;
    /** `POST /tts/bytes`: the fetch Response. */
    generate(body: Record<string, unknown>, options?: Record<string, unknown>): Promise<Response>;
    /** `POST /tts/sse`: the parsed events. */
    generateSSE(body: Record<string, unknown>, options?: Record<string, unknown>): Promise<AsyncIterable<Record<string, unknown>>>;
  };
}
type CartesiaCtor = new (options: Record<string, unknown>) => CartesiaClient & {
  /** `POST /access-token` (`resources/access-token.d.ts`). */
  accessToken: { create(body: { grants?: Record<string, boolean | undefined>; expires_in?: number }, options?: Record<string, unknown>): Promise<{ token: string }> };
};
/** How a client authenticates: the API key, or an access token (`new Cartesia({ token })`). */
type Credentials = { apiKey: string } | { token: string };
/** The SDK's `toFile(bytes, name)`: how its README uploads bytes. */
type ToFile = (value: Uint8Array, name: string) => Promise<unknown>;

/** Loads the SDK's CommonJS build; throws a clear error when the optional peer is missing. */
function loadCartesia(): CartesiaCtor {
  try {
    return (createRequire(import.meta.url)("@cartesia/cartesia-js") as { Cartesia: CartesiaCtor }).Cartesia;
  } catch (error) {
    throw new Error(`the cartesia-js adapter needs the optional peer dependency @cartesia/cartesia-js 4.2.0 (and ws): ${error instanceof Error ? error.message : String(error)}`);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** An error event of either shape (the SDK hands the raw event on `error.error`). */
function errorFromEvent(raw: Record<string, unknown> | undefined, fallback: string, contextId?: string): ObservationEvent {
  const status = typeof raw?.status_code === "number" ? raw.status_code : typeof raw?.code === "number" ? raw.code : undefined;
  const code = typeof raw?.error_code === "string" ? raw.error_code : null;
  const message = typeof raw?.message === "string" ? raw.message : typeof raw?.error === "string" ? raw.error : fallback;
  const ctx = typeof raw?.context_id === "string" ? raw.context_id : contextId;
  return { type: "error", ...(status !== undefined ? { status, code } : {}), message, ...(ctx ? { context_id: ctx } : {}) };
}

/** Creates the cartesia-js adapter. */
export function createCartesiaJsAdapter(): Adapter {
  const Cartesia = loadCartesia();
  return {
    capabilities: async () => CARTESIA_JS_CAPABILITIES,
    async runCase(target, c, observe) {
      try {
        if (c.suite === "tts-http") return await runTtsHttp(Cartesia, target, c, observe);
        if (c.suite === "stt-batch") return await runBatch(Cartesia, target, c, observe);
        if (c.suite === "access-token") return await runAccessToken(Cartesia, target, c, observe);
        return c.suite === "tts" ? await runTts(Cartesia, target, c, observe) : await runStt(Cartesia, target, c, observe);
      } catch (error) {
        return { crashed: true, crash: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
      }
    },
  };
}

/**
 * TTS over HTTP with `tts.generate()` (`/tts/bytes`) and `tts.generateSSE()` (`/tts/sse`). A non-2xx
 * answer rejects with the SDK's `APIError` (`status`, and `error`: the parsed JSON body, if any).
 * HTTP goes to the plain base URL: only its TTS WebSocket forces TLS.
 */
async function runTtsHttp(Cartesia: CartesiaCtor, target: Target, c: Case, observe: Observe): Promise<CaseResult> {
  const http = c.http;
  if (!http) throw new Error(`case ${c.id} has no http section`);
  const client = new Cartesia({ apiKey: target.apiKey, baseURL: target.baseUrl, maxRetries: 0 });
  const options = { headers: { "cartesia-version": c.version } };
  try {
    if (http.endpoint === "bytes") {
      const res = await client.tts.generate(http.request, options);
      if (!res.body) return { crashed: false };
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) observe({ type: "http.audio", data: Buffer.from(chunk).toString("base64") });
    } else {
      for await (const m of await client.tts.generateSSE(http.request, options)) {
        if (m.type === "chunk" && typeof m.data === "string") observe({ type: "http.audio", data: m.data });
        else if (m.type === "timestamps" && m.word_timestamps) {
          const w = m.word_timestamps as { words: string[]; start: number[]; end: number[] };
          observe({ type: "http.timestamps", words: w.words, start: w.start, end: w.end });
        } else if (m.type === "done") observe({ type: "http.done" });
        else if (m.type === "error") observe(errorFromEvent(m, "error event"));
      }
    }
  } catch (error) {
    observeApiError(error, observe);
  }
  return { crashed: false };
}

/** Observes an SDK API error (it carries `status` and the parsed body as `error`); anything else is rethrown. */
function observeApiError(error: unknown, observe: Observe): void {
  const e = error as Error & { status?: number; error?: unknown };
  if (typeof e.status !== "number") throw error;
  const body = e.error && typeof e.error === "object" ? (e.error as Record<string, unknown>) : undefined;
  observe({ type: "error", status: e.status, code: typeof body?.error_code === "string" ? body.error_code : null, message: e.message });
}

/** Batch STT with `stt.transcribe({file: await toFile(bytes, name), …})`; errors as for TTS over HTTP. */
async function runBatch(Cartesia: CartesiaCtor, target: Target, c: Case, observe: Observe): Promise<CaseResult> {
  const b = c.batch;
  if (!b) throw new Error(`case ${c.id} has no batch section`);
  const toFile = (createRequire(import.meta.url)("@cartesia/cartesia-js") as { toFile: ToFile }).toFile;
  const client = new Cartesia({ apiKey: target.apiKey, baseURL: target.baseUrl, maxRetries: 0 });
  try {
    const r = await client.stt.transcribe(
      {
        file: await toFile(new Uint8Array(Buffer.from(b.file, "base64")), b.filename),
        model: b.model,
        ...(b.language !== undefined ? { language: b.language } : {}),
        ...(b.words ? { timestamp_granularities: ["word"] } : {}),
        ...(b.encoding !== undefined ? { encoding: b.encoding } : {}),
        ...(b.sample_rate !== undefined ? { sample_rate: b.sample_rate } : {}),
      },
      { headers: { "cartesia-version": c.version } },
    );
    observe({ type: "batch.transcript", text: r.text, ...(r.words ? { words: r.words.map((w) => ({ word: w.word, start: w.start, end: w.end })) } : {}) });
  } catch (error) {
    observeApiError(error, observe);
  }
  return { crashed: false };
}

/** A raw turn event's transcript, and its `words` and `languages` as the server sent them. */
function rawTurnText(e: Record<string, unknown>): { transcript: string; words?: { word: string; start: number; end: number }[]; languages?: { language: string; confidence: number }[] } {
  const words = Array.isArray(e.words) ? (e.words as { word: string; start: number; end: number }[]).map((w) => ({ word: w.word, start: w.start, end: w.end })) : undefined;
  const languages = Array.isArray(e.languages) ? (e.languages as { language: string; confidence: number }[]).map((l) => ({ language: l.language, confidence: l.confidence })) : undefined;
  return { transcript: String(e.transcript ?? ""), ...(words ? { words } : {}), ...(languages ? { languages } : {}) };
}

async function runStt(Cartesia: CartesiaCtor, target: Target, c: Case, observe: Observe, credentials: Credentials = { apiKey: target.apiKey }): Promise<CaseResult> {
  const stt = c.stt;
  if (!stt) throw new Error(`case ${c.id} has no stt section`);
  const client = new Cartesia({ ...credentials, baseURL: target.baseUrl, maxRetries: 0 });
  const v1 = c.suite === "stt-v1";
  const params = { model: stt.model, encoding: stt.encoding, sample_rate: stt.sample_rate, ...(v1 && stt.language ? { language: stt.language } : {}) };
  const options = {
    headers: { "cartesia-version": c.version },
    ...(c.reconnect ? { reconnect: { onReconnecting: () => undefined, initialDelay: 100 } } : {}),
  };
  const ws = v1 ? client.stt.manualFinalize.websocket(params, options) : client.stt.autoFinalize.websocket(params, options);
  let text = "";
  const turns: string[] = [];
  const flushWaiters: (() => void)[] = [];
  let onDrop: () => void = () => {};
  const dropped = new Promise<void>((resolve) => (onDrop = resolve));
  const closed = new Promise<void>((resolve) =>
    ws.on("close", (() => {
      onDrop();
      for (const w of flushWaiters.splice(0)) w();
      resolve();
    }) as Listener),
  );
  ws.on("error", ((error: Error & { error?: Record<string, unknown> }) => observe(errorFromEvent(error.error, error.message))) as Listener);
  ws.on("reconnecting", (() => {
    observe({ type: "reconnecting" });
    onDrop();
  }) as Listener);
  ws.on("reconnected", (() => observe({ type: "reconnected" })) as Listener);
  ws.on("event", ((e: Record<string, unknown>) => {
    const type = e.type;
    if (v1 && type === "transcript") {
      const words = Array.isArray(e.words) ? (e.words as { word: string; start: number; end: number }[]).map((w) => ({ word: w.word, start: w.start, end: w.end })) : undefined;
      observe({ type: "transcript", is_final: e.is_final === true, text: String(e.text ?? ""), ...(words ? { words } : {}) });
      if (e.is_final === true) text += String(e.text ?? "");
    } else if (v1 && type === "flush_done") {
      observe({ type: "flush_done" });
      flushWaiters.shift()?.();
    } else if (v1 && type === "done") observe({ type: "done" });
    else if (!v1 && (type === "connected" || type === "turn.start" || type === "turn.resume")) observe({ type });
    else if (!v1 && (type === "turn.update" || type === "turn.eager_end")) observe({ type, ...rawTurnText(e) });
    else if (!v1 && type === "turn.end") {
      observe({ type: "turn.end", ...rawTurnText(e) });
      turns.push(String(e.transcript ?? ""));
    }
  }) as Listener);
  const audio = Buffer.from(stt.audio, "base64");
  let offset = 0;
  for (const a of c.actions as Action[]) {
    switch (a.op) {
      case "audio":
        for (const piece of audioPieces(audio, stt.chunkBytes, offset, a.bytes)) ws.sendRaw(new Uint8Array(piece));
        offset += a.bytes;
        break;
      case "finalize": {
        const acked = new Promise<void>((resolve) => flushWaiters.push(resolve));
        ws.send("finalize");
        if (a.wait) await acked;
        break;
      }
      case "idle":
        await sleep(a.ms);
        break;
      case "wait-disconnect":
        await Promise.race([dropped, sleep(10_000)]);
        break;
      case "close":
        // Then wait for the server to drain and close (the SDK does not wait by itself).
        ws.send(v1 ? "close" : { type: "close" });
        break;
      case "config": {
        const { op: _op, ...fields } = a;
        const message = { type: "config", ...fields };
        ws.send(v1 ? JSON.stringify(message) : message);
        break;
      }
      default:
        throw new Error(`action ${a.op} does not apply to ${c.suite}`);
    }
  }
  // A careful caller bounds the wait for the drain (LiveKit waits 5 s, §3.5), then closes itself.
  const drained = await Promise.race([closed.then(() => true), sleep(5000).then(() => false)]);
  if (!drained) {
    ws.close();
    await Promise.race([closed, sleep(2000)]);
  }
  return v1 ? { crashed: false, text } : { crashed: false, turns, text: turns.join("") };
}

async function runTts(Cartesia: CartesiaCtor, target: Target, c: Case, observe: Observe, credentials: Credentials = { apiKey: target.apiKey }): Promise<CaseResult> {
  if (!target.tlsBaseUrl) throw new Error("cartesia-js forces wss:// for TTS: the runner gave no TLS URL");
  const client = new Cartesia({ ...credentials, baseURL: target.tlsBaseUrl, maxRetries: 0 });
  // `tts.websocket(options)` is `new TTSWS(client, options).connect()`: built here instead so the
  // `error` listener exists before the handshake. Otherwise a refused handshake (e.g. 403) makes the
  // SDK reject a promise nobody holds, and that unhandled rejection ends the process.
  const TTSWS = (createRequire(import.meta.url)("@cartesia/cartesia-js/resources/tts/ws") as { TTSWS: new (client: CartesiaClient, options: Record<string, unknown>) => TtsSocket & { connect(): Promise<unknown> } }).TTSWS;
  const ws = new TTSWS(client, { ...(target.ca ? { ca: target.ca } : {}), headers: { "cartesia-version": c.version } });
  ws.on("error", ((error: Error & { error?: Record<string, unknown> }) => observe(errorFromEvent(error.error, error.message))) as Listener);
  try {
    await ws.connect();
  } catch {
    return { crashed: false }; // the refusal reached the `error` listener above
  }
  const contexts = new Map<string, TtsContext>();
  const receivers: Promise<void>[] = [];
  const ctxOf = (id: string): TtsContext => {
    const existing = contexts.get(id);
    if (existing) return existing;
    const spec = c.contexts.find((x) => x.id === id);
    if (!spec) throw new Error(`case ${c.id}: no context ${id}`);
    // The SDK's voice type follows its default version: a plain id from 2026-08-14, `{mode:"id"}` before.
    const voice = c.version >= "2026-08-14" ? spec.voice.id : spec.voice;
    const ctx = ws.context({
      contextId: id,
      model_id: spec.model_id,
      voice,
      output_format: spec.output_format,
      ...(spec.language ? { language: spec.language } : {}),
      ...(spec.add_timestamps ? { add_timestamps: true } : {}),
      ...(spec.max_buffer_delay_ms !== undefined ? { max_buffer_delay_ms: spec.max_buffer_delay_ms } : {}),
    });
    contexts.set(id, ctx);
    receivers.push(
      (async () => {
        try {
          for await (const e of ctx.receive({ timeout: 30_000 })) {
            if (e.type === "chunk" && typeof e.data === "string") observe({ type: "tts.audio", context_id: id, data: e.data });
            else if (e.type === "timestamps" && e.word_timestamps) {
              const w = e.word_timestamps as { words: string[]; start: number[]; end: number[] };
              observe({ type: "tts.timestamps", context_id: id, words: w.words, start: w.start, end: w.end });
            } else if (e.type === "flush_done") observe({ type: "tts.flush_done", context_id: id, flush_id: Number(e.flush_id) });
            else if (e.type === "done") observe({ type: "tts.done", context_id: id });
            else if (e.type === "error") observe(errorFromEvent(e, "error", id));
          }
        } catch {
          // receive() throws after yielding the error event (already observed) or on its timeout.
        }
      })(),
    );
    return ctx;
  };
  const sends: Promise<unknown>[] = [];
  for (const a of c.actions as Action[]) {
    switch (a.op) {
      case "push":
        sends.push(ctxOf(a.context).push({ transcript: a.transcript }));
        break;
      case "flush":
        sends.push(ctxOf(a.context).flush());
        break;
      case "end":
        sends.push(ctxOf(a.context).no_more_inputs());
        break;
      case "cancel":
        sends.push(ctxOf(a.context).cancel());
        break;
      case "idle":
        await sleep(a.ms);
        break;
      case "close":
        await Promise.allSettled(sends);
        await Promise.all(receivers);
        ws.close();
        break;
      default:
        throw new Error(`action ${a.op} does not apply to tts`);
    }
  }
  return { crashed: false };
}

/**
 * Access tokens (§7): `client.accessToken.create({grants, expires_in})` with the API key, then a
 * second client built with `{ token }` only opens the case's session. In Node (where `ws` loads) the
 * SDK sends the token as `Authorization: Bearer` on its sockets; only its browser path uses
 * `?access_token=`, which the adapter cannot reach in Node.
 */
async function runAccessToken(Cartesia: CartesiaCtor, target: Target, c: Case, observe: Observe): Promise<CaseResult> {
  const spec = c.accessToken;
  if (!spec) throw new Error(`case ${c.id} has no accessToken section`);
  const server = new Cartesia({ apiKey: target.apiKey, baseURL: target.baseUrl, maxRetries: 0 });
  let token: string;
  try {
    ({ token } = await server.accessToken.create({ grants: spec.grants, ...(spec.expires_in !== undefined ? { expires_in: spec.expires_in } : {}) }, { headers: { "cartesia-version": c.version } }));
  } catch (error) {
    observeApiError(error, observe);
    return { crashed: false };
  }
  observe({ type: "access_token", token });
  if (spec.use === "none") return { crashed: false };
  const session: Case = { ...c, suite: spec.use };
  return spec.use === "tts" ? runTts(Cartesia, target, session, observe, { token }) : runStt(Cartesia, target, session, observe, { token });
}
