/**
 * The built-in adapter for `@livekit/agents-plugin-cartesia` 1.8.1 (optional peers `@livekit/agents`
 * 1.8.1 and `@livekit/rtc-node`): its STT `stream()` (which always uses `/stt/turns/websocket`) and
 * TTS `stream()` over the pooled `/tts/websocket` socket, used as a LiveKit agent uses them.
 *
 * Normalization: the plugin turns Cartesia events into LiveKit `SpeechEvent`s — START_OF_SPEECH is
 * `turn.start`, INTERIM_TRANSCRIPT `turn.update`, PREFLIGHT_TRANSCRIPT `turn.eager_end`,
 * FINAL_TRANSCRIPT `turn.end` (END_OF_SPEECH and usage carry nothing more). It surfaces no
 * `connected` and re-emits the last interim on `turn.resume`; the adapter reports what it surfaces.
 * For TTS the plugin picks its own `context_id` per stream (`SynthesizedAudio.requestId`), which the
 * adapter reports as `result.contexts`.
 *
 * TTS over HTTP: `TTS.synthesize()` (its ChunkedStream) posts to `/tts/bytes` over `node:https` with
 * no agent of its own, always raw `pcm_s16le`, and builds the path from the base URL's host and port
 * only; it has no SSE call. The adapter gives it the mock's TLS URL and trusts the mock's certificate
 * on `https.globalAgent` for the case (the way docs/real-clients.md shows), restoring it afterwards.
 */
import { globalAgent } from "node:https";
import { rootCertificates } from "node:tls";
import type { Adapter, Observe } from "./types.js";
import type { Action, Capabilities, Case, CaseResult, ObservationEvent, Target } from "./schema.js";
import { audioPieces } from "./speechwire.js";

/** The capabilities the LiveKit adapter declares. */
export const LIVEKIT_CAPABILITIES: Capabilities = {
  name: "livekit",
  version: "@livekit/agents-plugin-cartesia 1.8.1",
  // Its STT always connects to the turns endpoint; it has no STT v1 stream, and no batch STT.
  suites: ["stt-turns", "tts", "tts-http"],
  reconnect: false,
  keepAlive: false,
  // It never sends a Cartesia flush (its flush() flushes its sentence tokenizer) and never cancels.
  finalize: false,
  flush: false,
  cancel: false,
  timestamps: true,
  errors: true,
  // Its SpeechEvents carry the transcript only; it never sends a `config`.
  turnWords: false,
  turnLanguages: false,
  config: false,
  tls: false,
  mp3: false,
  // synthesize() is /tts/bytes only, raw pcm_s16le only (its encoding option allows nothing else).
  sse: false,
  httpFormats: ["raw/pcm_s16le"],
};

/* eslint-disable @typescript-eslint/no-explicit-any -- the optional peers are loaded at run time */
type AnyModule = Record<string, any>;

interface Loaded {
  agents: AnyModule;
  plugin: AnyModule;
  rtc: AnyModule;
}

let loggerReady = false;

async function load(): Promise<Loaded> {
  try {
    const [agents, plugin, rtc] = await Promise.all([import("@livekit/agents"), import("@livekit/agents-plugin-cartesia"), import("@livekit/rtc-node")]);
    if (!loggerReady) {
      // The plugin logs through a process-wide logger that must exist first; keep it off stdout's way.
      (agents as AnyModule).initializeLogger({ pretty: false, level: "silent" });
      loggerReady = true;
    }
    return { agents: agents as AnyModule, plugin: plugin as AnyModule, rtc: rtc as AnyModule };
  } catch (error) {
    throw new Error(
      `the livekit adapter needs the optional peers @livekit/agents-plugin-cartesia 1.8.1, @livekit/agents 1.8.1 and @livekit/rtc-node: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function errorObservation(e: { error?: unknown } | unknown): ObservationEvent {
  const error = (e as { error?: unknown }).error ?? e;
  const status = (error as { statusCode?: unknown }).statusCode;
  return { type: "error", ...(typeof status === "number" ? { status } : {}), message: error instanceof Error ? error.message : String(error) };
}

/** Creates the LiveKit plugin adapter. */
export function createLivekitAdapter(): Adapter {
  const loaded = load();
  // A failed load is reported when the adapter is used, not as an unhandled rejection.
  loaded.catch(() => undefined);
  return {
    capabilities: async () => {
      await loaded;
      return LIVEKIT_CAPABILITIES;
    },
    async runCase(target, c, observe) {
      try {
        const lk = await loaded;
        if (c.suite === "tts-http") return await runTtsHttp(lk, target, c, observe);
        return c.suite === "tts" ? await runTts(lk, target, c, observe) : await runStt(lk, target, c, observe);
      } catch (error) {
        return { crashed: true, crash: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
      }
    },
  };
}

async function runStt(lk: Loaded, target: Target, c: Case, observe: Observe): Promise<CaseResult> {
  const stt = c.stt;
  if (!stt) throw new Error(`case ${c.id} has no stt section`);
  if (stt.encoding !== "pcm_s16le") throw new Error("the plugin sends only pcm_s16le");
  const client = new lk.plugin.STT({ apiKey: target.apiKey, baseUrl: target.baseUrl, sampleRate: stt.sample_rate });
  client.on("error", (e: unknown) => observe(errorObservation(e)));
  const E = lk.agents.stt.SpeechEventType;
  const stream = client.stream({ connOptions: { ...lk.agents.DEFAULT_API_CONNECT_OPTIONS, maxRetry: 0 } });
  const turns: string[] = [];
  const consume = (async () => {
    for await (const event of stream as AsyncIterable<{ type: number; alternatives?: { text: string }[] }>) {
      const text = event.alternatives?.[0]?.text ?? "";
      if (event.type === E.START_OF_SPEECH) observe({ type: "turn.start" });
      else if (event.type === E.INTERIM_TRANSCRIPT) observe({ type: "turn.update", transcript: text });
      else if (event.type === E.PREFLIGHT_TRANSCRIPT) observe({ type: "turn.eager_end", transcript: text });
      else if (event.type === E.FINAL_TRANSCRIPT) {
        observe({ type: "turn.end", transcript: text });
        turns.push(text);
      }
    }
  })().catch((error: unknown) => observe(errorObservation(error)));
  const audio = Buffer.from(stt.audio, "base64");
  // LiveKit agents push 10–20 ms AudioFrames and the plugin re-chunks them to 160 ms on the wire, so
  // smaller case chunks are coalesced to at least 10 ms (a frame object per sample is not LiveKit usage).
  const minBytes = Math.max(2, Math.round(stt.sample_rate / 100) * 2);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const push = (force: boolean) => {
    if (pendingBytes === 0 || (!force && pendingBytes < minBytes)) return;
    const bytes = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    const samples = new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    stream.pushFrame(new lk.rtc.AudioFrame(samples, stt.sample_rate, 1, samples.length));
  };
  let offset = 0;
  for (const a of c.actions as Action[]) {
    switch (a.op) {
      case "audio":
        for (const piece of audioPieces(audio, stt.chunkBytes, offset, a.bytes)) {
          pending.push(Buffer.from(piece));
          pendingBytes += piece.byteLength;
          push(false);
        }
        push(true);
        offset += a.bytes;
        break;
      case "idle":
        await sleep(a.ms);
        break;
      case "close":
        // flush() sends the last partial chunk; endInput() sends {"type":"close"} and waits for the drain.
        stream.flush();
        stream.endInput();
        break;
      case "finalize":
      case "wait-disconnect":
        break;
      default:
        throw new Error(`action ${a.op} does not apply to stt-turns`);
    }
  }
  await consume;
  await client.close?.();
  return { crashed: false, turns, text: turns.join("") };
}

async function runTts(lk: Loaded, target: Target, c: Case, observe: Observe): Promise<CaseResult> {
  const streams = new Map<string, { stream: any; consume: Promise<void> }>();
  const contexts: Record<string, string> = {};
  // One TTS (one pooled socket) per distinct context format: the plugin fixes the format per instance.
  const clients = new Map<string, any>();
  const streamOf = (id: string) => {
    const existing = streams.get(id);
    if (existing) return existing.stream;
    const spec = c.contexts.find((x) => x.id === id);
    if (!spec) throw new Error(`case ${c.id}: no context ${id}`);
    const options = {
      model: spec.model_id,
      voice: spec.voice.id,
      sampleRate: spec.output_format.sample_rate,
      ...(spec.language ? { language: spec.language } : {}),
      wordTimestamps: spec.add_timestamps,
    };
    const key = JSON.stringify(options);
    let client = clients.get(key);
    if (!client) {
      client = new lk.plugin.TTS({ apiKey: target.apiKey, baseUrl: target.baseUrl, ...options });
      client.on("error", (e: unknown) => observe(errorObservation(e)));
      clients.set(key, client);
    }
    const stream = client.stream();
    const END = lk.agents.tts.SynthesizeStream.END_OF_STREAM;
    const consume = (async () => {
      for await (const event of stream as AsyncIterable<any>) {
        if (event === END) {
          if (contexts[id]) observe({ type: "tts.done", context_id: contexts[id] });
          continue;
        }
        const wireId = String(event.requestId);
        contexts[id] = wireId;
        const data = event.frame.data as Int16Array;
        observe({ type: "tts.audio", context_id: wireId, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64") });
        const timed = (event.timedTranscripts ?? []) as { text: string; startTime: number; endTime: number }[];
        if (timed.length > 0) {
          // The plugin appends a space to every word ("for consistency"): the wire word is the text without it.
          observe({ type: "tts.timestamps", context_id: wireId, words: timed.map((t) => t.text.replace(/ $/u, "")), start: timed.map((t) => t.startTime), end: timed.map((t) => t.endTime) });
        }
      }
    })().catch((error: unknown) => observe(errorObservation(error)));
    streams.set(id, { stream, consume });
    return stream;
  };
  for (const a of c.actions as Action[]) {
    switch (a.op) {
      case "push":
        streamOf(a.context).pushText(a.transcript);
        break;
      case "flush":
        // The plugin's flush() ends a sentence segment (no Cartesia flush goes out).
        streamOf(a.context).flush();
        break;
      case "end":
        streamOf(a.context).endInput();
        break;
      case "cancel":
        // The plugin has no cancel: closing the stream stops listening for its context.
        streamOf(a.context).close();
        break;
      case "idle":
        await sleep(a.ms);
        break;
      case "close":
        await Promise.all([...streams.values()].map((s) => s.consume));
        for (const s of streams.values()) s.stream.close();
        for (const client of clients.values()) await client.close();
        break;
      default:
        throw new Error(`action ${a.op} does not apply to tts`);
    }
  }
  return { crashed: false, contexts };
}

/** The `/tts/bytes` request fields a case gives (the plugin builds its own body from options). */
interface BytesRequest {
  model_id: string;
  transcript: string;
  voice: { mode: string; id?: string };
  output_format: { container: string; encoding?: string; sample_rate: number };
  language?: string;
}

async function runTtsHttp(lk: Loaded, target: Target, c: Case, observe: Observe): Promise<CaseResult> {
  const http = c.http;
  if (!http) throw new Error(`case ${c.id} has no http section`);
  if (http.endpoint !== "bytes") throw new Error("the plugin has no /tts/sse call");
  if (!target.tlsBaseUrl) throw new Error("LiveKit's synthesize() always uses https: the runner gave no TLS URL");
  const r = http.request as unknown as BytesRequest;
  const f = r.output_format;
  if (f.container !== "raw" || f.encoding !== "pcm_s16le") throw new Error("the plugin asks only for raw pcm_s16le");
  if (r.voice.mode !== "id" || !r.voice.id) throw new Error("the adapter maps only voice {mode: id}");
  const client = new lk.plugin.TTS({
    apiKey: target.apiKey,
    baseUrl: target.tlsBaseUrl,
    apiVersion: c.version,
    model: r.model_id,
    voice: r.voice.id,
    sampleRate: f.sample_rate,
    ...(r.language ? { language: r.language } : {}),
  });
  client.on("error", (e: unknown) => observe(errorObservation(e)));
  // synthesize() passes no agent to node:https: trust the mock's certificate on the global agent, for this case only.
  const agentOptions = globalAgent.options as { ca?: unknown };
  const previousCa = agentOptions.ca;
  if (target.ca) agentOptions.ca = [...rootCertificates, target.ca];
  try {
    const stream = client.synthesize(r.transcript, { ...lk.agents.DEFAULT_API_CONNECT_OPTIONS, maxRetry: 0 });
    try {
      for await (const audio of stream as AsyncIterable<{ frame: { data: Int16Array } }>) {
        const data = audio.frame.data;
        if (data.byteLength > 0) observe({ type: "http.audio", data: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64") });
      }
    } catch (error) {
      observe(errorObservation(error));
    }
  } finally {
    agentOptions.ca = previousCa;
    await client.close?.();
  }
  return { crashed: false };
}
