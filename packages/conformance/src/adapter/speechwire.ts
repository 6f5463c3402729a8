/**
 * The built-in adapter for `@speechwire/client`: drives its STT v1 stream, turns session and TTS
 * socket through a case and maps its events to observations. It must pass every check.
 */
import {
  CartesiaApiError,
  createClient,
  type SttStream,
  type SttStreamEvent,
  type TtsContext,
  type TtsContextEvent,
  type TtsSseEvent,
  type DetectedLanguage,
  type SttWord,
  type TurnText,
  type TurnsEvent,
  type TurnsSession,
  type WebSocketConstructor,
} from "@speechwire/client";
import type { Adapter, Observe } from "./types.js";
import type { Action, Capabilities, Case, CaseResult, ObservationEvent, Target } from "./schema.js";

/** The capabilities of `@speechwire/client`. */
export const SPEECHWIRE_CAPABILITIES: Capabilities = {
  name: "speechwire-client",
  version: "@speechwire/client",
  suites: ["stt-v1", "stt-turns", "tts", "tts-http", "stt-batch", "access-token"],
  reconnect: true,
  keepAlive: true,
  finalize: true,
  flush: true,
  cancel: true,
  timestamps: true,
  errors: true,
  turnWords: true,
  turnLanguages: true,
  config: true,
  tls: false,
  mp3: true,
  sse: true,
};

/** Maps an error the client surfaced to an observation. */
export function errorObservation(error: Error, contextId?: string): ObservationEvent {
  if (error instanceof CartesiaApiError) {
    return { type: "error", status: error.status, code: error.code, message: error.message, ...(error.contextId ?? contextId ? { context_id: error.contextId ?? contextId } : {}) };
  }
  return { type: "error", message: `${error.name}: ${error.message}`, ...(contextId ? { context_id: contextId } : {}) };
}

/** Maps an STT v1 event; `undefined` for events with no observation (violations, close, unknown). */
export function v1Observation(e: SttStreamEvent): ObservationEvent | undefined {
  switch (e.type) {
    case "transcript":
      return { type: "transcript", is_final: e.isFinal, text: e.text, words: e.words.map((w) => ({ word: w.word, start: w.start, end: w.end })) };
    case "flushDone":
      return { type: "flush_done" };
    case "done":
      return { type: "done" };
    case "error":
      return errorObservation(e.error);
    case "reconnecting":
      return { type: "reconnecting" };
    case "reconnected":
      return { type: "reconnected" };
    default:
      return undefined;
  }
}

/** Maps a turns event. */
export function turnsObservation(e: TurnsEvent): ObservationEvent | undefined {
  switch (e.type) {
    case "connected":
      return { type: "connected" };
    case "turnStart":
      return { type: "turn.start" };
    case "turnUpdate":
      return { type: "turn.update", ...turnText(e) };
    case "eagerEnd":
      return { type: "turn.eager_end", ...turnText(e) };
    case "resume":
      return { type: "turn.resume" };
    case "turnEnd":
      return { type: "turn.end", ...turnText(e) };
    case "error":
      return errorObservation(e.error);
    case "reconnecting":
      return { type: "reconnecting" };
    case "reconnected":
      return { type: "reconnected" };
    default:
      return undefined;
  }
}

/** A turn event's transcript, words and languages (the last two only when the client surfaced them). */
function turnText(e: TurnText): { transcript: string; words?: SttWord[]; languages?: DetectedLanguage[] } {
  return {
    transcript: e.transcript,
    ...(e.words ? { words: e.words.map((w) => ({ word: w.word, start: w.start, end: w.end })) } : {}),
    ...(e.languages ? { languages: e.languages.map((l) => ({ language: l.language, confidence: l.confidence })) } : {}),
  };
}

/** Maps a TTS context event. */
export function ttsObservation(contextId: string, e: TtsContextEvent): ObservationEvent | undefined {
  switch (e.type) {
    case "audio":
      return { type: "tts.audio", context_id: contextId, data: Buffer.from(e.audio.buffer, e.audio.byteOffset, e.audio.byteLength).toString("base64") };
    case "timestamps":
      return { type: "tts.timestamps", context_id: contextId, words: [...e.words.words], start: [...e.words.start], end: [...e.words.end] };
    case "flushDone":
      return { type: "tts.flush_done", context_id: contextId, flush_id: e.flushId };
    case "done":
      return { type: "tts.done", context_id: contextId };
    case "error":
      return errorObservation(e.error, contextId);
    default:
      return undefined;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Splits the case audio into the `audio` actions' pieces. */
export function* audioPieces(audio: Uint8Array, chunkBytes: number, from: number, bytes: number): Generator<Uint8Array> {
  const end = Math.min(audio.length, from + bytes);
  for (let i = from; i < end; i += chunkBytes) yield audio.subarray(i, Math.min(end, i + chunkBytes));
}

/** Hooks the broken adapters in the tests use to inject faults around the real client. */
export interface SpeechwireHooks {
  /** Rewrites (or drops, with `undefined`) each observation before it reaches the runner. */
  observe?: (event: ObservationEvent, c: Case) => ObservationEvent | undefined;
  /** Whether to pass an audio piece to the client (`false` drops it). */
  sendAudio?: (state: { reconnecting: boolean }) => boolean;
  /** Rewrites the result. */
  result?: (result: CaseResult, events: readonly ObservationEvent[]) => CaseResult;
  /** Replaces the close action. */
  close?: (session: { abort(): void }) => Promise<void> | undefined;
  /** Routes a TTS context's events to another context id (mixing contexts). */
  ttsRoute?: (contextId: string, contexts: readonly string[]) => string;
  /** The WebSocket class the client uses (a faulty transport under the real client). */
  webSocket?: WebSocketConstructor;
  /** Access tokens: the credentials of the session opened after the mint (default: the token alone, in the query). */
  tokenCredentials?: (token: string, target: Target) => SessionCredentials;
}

/** How a session authenticates: the API key (servers) or an access token in the handshake's query (browsers, §1.2). */
type SessionCredentials = { apiKey: string; credentialsIn?: "query" } | { accessToken: string; credentialsIn: "query" };

/** Creates the `@speechwire/client` adapter (`hooks` only for the kit's own broken-adapter tests). */
export function createSpeechwireAdapter(hooks: SpeechwireHooks = {}): Adapter {
  return {
    capabilities: async () => SPEECHWIRE_CAPABILITIES,
    async runCase(target, c, observe) {
      const seen: ObservationEvent[] = [];
      const emit: Observe = (event) => {
        const e = hooks.observe ? hooks.observe(event, c) : event;
        if (!e) return;
        seen.push(e);
        observe(e);
      };
      try {
        const result =
          c.suite === "tts" ? await runTts(target, c, emit, hooks) : c.suite === "tts-http"
              ? await runTtsHttp(target, c, emit)
              : c.suite === "stt-batch"
                ? await runBatch(target, c, emit)
                : c.suite === "access-token"
                  ? await runAccessToken(target, c, emit, hooks)
                  : await runStt(target, c, emit, hooks);
        return hooks.result ? hooks.result(result, seen) : result;
      } catch (error) {
        return { crashed: true, crash: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
      }
    },
  };
}

async function runStt(target: Target, c: Case, emit: Observe, hooks: SpeechwireHooks, credentials: SessionCredentials = { apiKey: target.apiKey }): Promise<CaseResult> {
  const stt = c.stt;
  if (!stt) throw new Error(`case ${c.id} has no stt section`);
  const client = createClient({ baseUrl: target.baseUrl, ...credentials, version: c.version, ...(hooks.webSocket ? { WebSocket: hooks.webSocket } : {}) });
  const params = { model: stt.model, encoding: stt.encoding, sample_rate: stt.sample_rate };
  const reconnect = c.reconnect ? { initialDelayMs: 100 } : false;
  // Well below the limit: timers run late on a busy machine.
  const keepAlive = c.idleLimitMs ? { intervalMs: Math.max(50, Math.floor(c.idleLimitMs / 4)) } : false;
  let session: SttStream | TurnsSession;
  if (c.suite === "stt-v1") {
    session = client.stt.stream({ ...params, ...(stt.language ? { language: stt.language } : {}) }, { reconnect, keepAlive });
  } else {
    // No watchdog silence: the case's audio is the whole conversation and every byte is checked.
    session = client.stt.turns(params, { reconnect, keepAlive, watchdog: false });
  }
  let reconnecting = false;
  let disconnected: () => void = () => {};
  const disconnect = new Promise<void>((resolve) => (disconnected = resolve));
  const consume = (async () => {
    for await (const e of session as AsyncIterable<SttStreamEvent | TurnsEvent>) {
      if (e.type === "reconnecting") {
        reconnecting = true;
        disconnected();
      }
      if (e.type === "close") disconnected();
      const o = c.suite === "stt-v1" ? v1Observation(e as SttStreamEvent) : turnsObservation(e as TurnsEvent);
      if (o) emit(o);
      if (e.type === "reconnected") reconnecting = false;
    }
  })();
  const audio = Buffer.from(stt.audio, "base64");
  let offset = 0;
  let text: string | undefined;
  for (const a of c.actions as Action[]) {
    switch (a.op) {
      case "audio":
        for (const piece of audioPieces(audio, stt.chunkBytes, offset, a.bytes)) {
          if (hooks.sendAudio && !hooks.sendAudio({ reconnecting })) continue;
          session.send(piece);
        }
        offset += a.bytes;
        break;
      case "finalize":
        if (session.closing) break;
        if ("finalize" in session) {
          const p = session.finalize();
          if (a.wait) await p.catch(() => undefined);
        }
        break;
      case "idle":
        await sleep(a.ms);
        break;
      case "wait-disconnect":
        if (c.reconnect) await Promise.race([disconnect, sleep(10_000)]);
        break;
      case "close": {
        const custom = hooks.close?.(session);
        if (custom) await custom;
        else text = await session.close().catch(() => undefined);
        break;
      }
      case "config": {
        if (session.closing) break;
        const { op: _op, turn, ...lists } = a;
        if ("finalize" in session) session.configure(lists);
        else session.configure({ ...lists, ...(turn ? { turn } : {}) });
        break;
      }
      default:
        throw new Error(`action ${a.op} does not apply to ${c.suite}`);
    }
  }
  await consume;
  const turns = "transcripts" in session ? [...session.transcripts] : undefined;
  const whole = "text" in session ? session.text : turns?.join("");
  return { crashed: false, text: text ?? whole, ...(turns ? { turns } : {}) };
}

/** Maps an SSE event to an observation (phonemes and unknown events have none). */
export function sseObservation(e: TtsSseEvent): ObservationEvent | undefined {
  switch (e.type) {
    case "audio":
      return { type: "http.audio", data: Buffer.from(e.audio.buffer, e.audio.byteOffset, e.audio.byteLength).toString("base64") };
    case "timestamps":
      return { type: "http.timestamps", words: [...e.words.words], start: [...e.words.start], end: [...e.words.end] };
    case "done":
      return { type: "http.done" };
    case "error":
      return errorObservation(e.error);
    default:
      return undefined;
  }
}

/** TTS over HTTP: one `/tts/bytes` or `/tts/sse` request; a non-2xx answer rejects with a typed error, which is surfaced. */
async function runTtsHttp(target: Target, c: Case, emit: Observe): Promise<CaseResult> {
  const http = c.http;
  if (!http) throw new Error(`case ${c.id} has no http section`);
  const client = createClient({ baseUrl: target.baseUrl, apiKey: target.apiKey, version: c.version });
  try {
    if (http.endpoint === "bytes") {
      const audio = await client.tts.bytes(http.request as unknown as Parameters<typeof client.tts.bytes>[0]);
      for await (const chunk of audio) emit({ type: "http.audio", data: Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString("base64") });
    } else {
      const events = await client.tts.sse(http.request as unknown as Parameters<typeof client.tts.sse>[0]);
      for await (const e of events) {
        const o = sseObservation(e);
        if (o) emit(o);
      }
    }
  } catch (error) {
    emit(errorObservation(error instanceof Error ? error : new Error(String(error))));
  }
  return { crashed: false };
}

/** Batch STT: one `client.stt.transcribe()` upload; a non-2xx answer rejects with a typed error, which is surfaced. */
async function runBatch(target: Target, c: Case, emit: Observe): Promise<CaseResult> {
  const b = c.batch;
  if (!b) throw new Error(`case ${c.id} has no batch section`);
  const client = createClient({ baseUrl: target.baseUrl, apiKey: target.apiKey, version: c.version });
  type Options = Parameters<typeof client.stt.transcribe>[1];
  const options = {
    model: b.model,
    filename: b.filename,
    ...(b.language !== undefined ? { language: b.language } : {}),
    ...(b.words ? { timestamp_granularities: ["word"] } : {}),
    ...(b.encoding !== undefined ? { encoding: b.encoding } : {}),
    ...(b.sample_rate !== undefined ? { sample_rate: b.sample_rate } : {}),
  } as Options;
  try {
    const r = await client.stt.transcribe(new Uint8Array(Buffer.from(b.file, "base64")), options);
    emit({ type: "batch.transcript", text: r.text, ...(r.words ? { words: r.words.map((w) => ({ word: w.word, start: w.start, end: w.end })) } : {}) });
  } catch (error) {
    emit(errorObservation(error instanceof Error ? error : new Error(String(error))));
  }
  return { crashed: false };
}

async function runTts(target: Target, c: Case, emit: Observe, hooks: SpeechwireHooks, credentials: SessionCredentials = { apiKey: target.apiKey }): Promise<CaseResult> {
  const client = createClient({ baseUrl: target.baseUrl, ...credentials, version: c.version });
  const socket = client.tts.websocket();
  const contexts = new Map<string, TtsContext>();
  const consumers: Promise<void>[] = [];
  const ids = c.contexts.map((x) => x.id);
  const socketEvents = (async () => {
    for await (const e of socket) if (e.type === "error") emit(errorObservation(e.error));
  })();
  const ctxOf = (id: string): TtsContext => {
    const existing = contexts.get(id);
    if (existing) return existing;
    const spec = c.contexts.find((x) => x.id === id);
    if (!spec) throw new Error(`case ${c.id}: no context ${id}`);
    const ctx = socket.context({
      contextId: spec.id,
      model_id: spec.model_id,
      voice: spec.voice,
      output_format: spec.output_format,
      ...(spec.language ? { language: spec.language } : {}),
      ...(spec.add_timestamps ? { add_timestamps: true } : {}),
      ...(spec.max_buffer_delay_ms !== undefined ? { max_buffer_delay_ms: spec.max_buffer_delay_ms } : {}),
    });
    contexts.set(id, ctx);
    consumers.push(
      (async () => {
        for await (const e of ctx) {
          const o = ttsObservation(hooks.ttsRoute ? hooks.ttsRoute(id, ids) : id, e);
          if (o) emit(o);
        }
      })(),
    );
    return ctx;
  };
  // The client's API says when a context is over (an error ended it): later input is not offered.
  const open = (id: string) => {
    const ctx = ctxOf(id);
    return ctx.state === "finished" ? undefined : ctx;
  };
  for (const a of c.actions as Action[]) {
    switch (a.op) {
      case "push":
        open(a.context)?.push(a.transcript);
        break;
      case "flush":
        void open(a.context)?.flush().catch(() => undefined);
        break;
      case "end":
        void open(a.context)?.end().catch(() => undefined);
        break;
      case "cancel":
        open(a.context)?.cancel();
        break;
      case "idle":
        await sleep(a.ms);
        break;
      case "close": {
        const custom = hooks.close?.({ abort: () => void socket.close({ timeoutMs: 0 }).catch(() => undefined) });
        if (custom) await custom;
        else await socket.close().catch(() => undefined);
        break;
      }
      default:
        throw new Error(`action ${a.op} does not apply to tts`);
    }
  }
  await Promise.all(consumers);
  await socketEvents;
  return { crashed: false };
}

/**
 * Access tokens (§7): the server side mints a token with the API key (`client.accessToken.create`);
 * the browser side then opens the case's session with a client that holds only the token, sent in
 * the handshake's query as a browser must (`credentialsIn: "query"`; `ws` underneath, so a refused
 * handshake is read with its status, which a browser's WebSocket cannot see).
 */
async function runAccessToken(target: Target, c: Case, emit: Observe, hooks: SpeechwireHooks): Promise<CaseResult> {
  const spec = c.accessToken;
  if (!spec) throw new Error(`case ${c.id} has no accessToken section`);
  const server = createClient({ baseUrl: target.baseUrl, apiKey: target.apiKey, version: c.version });
  let token: string;
  try {
    ({ token } = await server.accessToken.create(spec.grants, spec.expires_in));
  } catch (error) {
    emit(errorObservation(error instanceof Error ? error : new Error(String(error))));
    return { crashed: false };
  }
  emit({ type: "access_token", token });
  if (spec.use === "none") return { crashed: false };
  const credentials = hooks.tokenCredentials?.(token, target) ?? { accessToken: token, credentialsIn: "query" };
  const session: Case = { ...c, suite: spec.use };
  return spec.use === "tts" ? runTts(target, session, emit, hooks, credentials) : runStt(target, session, emit, hooks, credentials);
}
