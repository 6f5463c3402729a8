/**
 * The probe's fixed set of requests: short, named, one or a few per endpoint, the same bytes to the
 * target and to the reference. Each is data (a URL and steps, or an HTTP request) so the report can
 * say exactly what was sent; `run.ts` plays them. Models are the plain current ones (ink-2, sonic-3),
 * so a probe breaks only when the API moves, not when a snapshot is retired.
 */
import { wavFile } from "../runner/cases.js";

/** The endpoints the probe covers. */
export type ProbeEndpoint = "stt-v1" | "stt-turns" | "tts" | "tts-bytes" | "tts-sse" | "stt-batch" | "access-token";

/** What a WebSocket probe does once the handshake succeeded, in order. */
export type WsStep =
  /** A text frame (objects are sent as JSON). */
  | { send: string | Record<string, unknown> }
  /** The probe's STT audio (`"turns"`: a few utterances with silences; `"utterance"`: one), in 100 ms frames. */
  | { audio: "turns" | "utterance" }
  /**
   * Waits until a message of one of these types arrives or the socket closes; at most `within` ms when
   * given (then the next step runs: a server that stays silent is an answer too), else up to the
   * probe's time limit.
   */
  | { until: string[]; within?: number }
  /** Waits this long, collecting whatever comes (to see that nothing does). */
  | { quiet: number }
  /** The client closes the socket with this code. */
  | { close: number };

/** A WebSocket probe: the handshake, then steps; afterwards it waits for the server's close. */
export interface WsProbe {
  kind: "ws";
  name: string;
  endpoint: ProbeEndpoint;
  purpose: string;
  path: string;
  query: Record<string, string>;
  steps: WsStep[];
}

/** An HTTP probe: one POST. */
export interface HttpProbe {
  kind: "http";
  name: string;
  endpoint: ProbeEndpoint;
  purpose: string;
  path: string;
  query?: Record<string, string>;
  /** A JSON body, or a multipart form (file fields are bytes). */
  body: { json: unknown } | { form: Record<string, string | { file: Uint8Array; filename: string; type: string }> };
}

/** One named request of the fixed set. */
export type Probe = WsProbe | HttpProbe;

/** What the fixed set depends on. */
export interface ProbeSettings {
  /** Cartesia-Version sent with every request. */
  version: string;
  /** Voice id of the TTS requests. */
  voice: string;
}

/** The first version whose voice is a bare id (or `{id}`); older ones want `{mode: "id", id}` (PROTOCOL.md §5.2). */
const BARE_VOICE_FROM = "2026-08-14";

/** A voice specifier in the version's shape. */
export function voiceFor(settings: ProbeSettings): unknown {
  return settings.version >= BARE_VOICE_FROM ? settings.voice : { mode: "id", id: settings.voice };
}

/** 16 kHz mono s16le: what every STT probe declares and sends. */
export const STT_RATE = 16000;
const STT_QUERY = { encoding: "pcm_s16le", sample_rate: String(STT_RATE) };
const V1_QUERY = { model: "ink-2", language: "en", ...STT_QUERY };
const TURNS_QUERY = { model: "ink-2", ...STT_QUERY };
const RAW_16K = { container: "raw", encoding: "pcm_s16le", sample_rate: 16000 };
/** Out of every documented set (PROTOCOL.md §8): a bad field on every TTS path. */
const BAD_RATE = 12345;
const BAD_MODEL_STT = "ink-speechwire-probe";
const BAD_MODEL_TTS = "sonic-speechwire-probe";

/** The text the TTS probes speak (also the STT audio's source when the target can synthesize it). */
export const PROBE_TEXT = "Hello from the speechwire probe.";

/** The fixed set, in the order it runs. */
export function probeRequests(settings: ProbeSettings): Probe[] {
  const voice = voiceFor(settings);
  const ttsFields = (extra: Record<string, unknown> = {}) => ({ model_id: "sonic-3", transcript: PROBE_TEXT, voice, output_format: RAW_16K, language: "en", ...extra });
  const context = (id: string, extra: Record<string, unknown> = {}) => ({ ...ttsFields(extra), context_id: id, continue: false, max_buffer_delay_ms: 0 });
  const ends = ["done", "error"];
  const ws = (name: string, endpoint: ProbeEndpoint, path: string, query: Record<string, string>, steps: WsStep[], purpose: string): WsProbe => ({ kind: "ws", name, endpoint, purpose, path, query, steps });
  const http = (name: string, endpoint: ProbeEndpoint, path: string, body: HttpProbe["body"], purpose: string, query?: Record<string, string>): HttpProbe => ({
    kind: "http",
    name,
    endpoint,
    purpose,
    path,
    body,
    ...(query ? { query } : {}),
  });
  const batchForm = (model: string) => ({
    model,
    language: "en",
    "timestamp_granularities[]": "word",
    // One second of silence: the shape of the answer, not its words, is compared.
    file: { file: wavFile(new Uint8Array(STT_RATE * 2), STT_RATE), filename: "probe.wav", type: "audio/wav" },
  });
  return [
    ws("stt-v1.handshake", "stt-v1", "/stt/websocket", V1_QUERY, [{ send: "close" }], "a good handshake (ink-2, s16le 16 kHz), then `close` at once"),
    ws("stt-v1.finalize", "stt-v1", "/stt/websocket", V1_QUERY, [{ audio: "utterance" }, { send: "finalize" }, { until: ["flush_done", "error"] }, { send: "close" }], "one utterance, `finalize` until `flush_done`, then `close`"),
    ws("stt-v1.bad-model", "stt-v1", "/stt/websocket", { ...V1_QUERY, model: BAD_MODEL_STT }, [], "an unknown model in the handshake"),
    ws("stt-v1.bad-field", "stt-v1", "/stt/websocket", { ...V1_QUERY, encoding: "pcm_speechwire" }, [], "an unknown encoding in the handshake"),
    ws("stt-turns.handshake", "stt-turns", "/stt/turns/websocket", TURNS_QUERY, [{ until: ["connected", "error"] }, { send: { type: "close" } }], "a good handshake (ink-2, s16le 16 kHz), then `{type: close}`"),
    ws("stt-turns.audio", "stt-turns", "/stt/turns/websocket", TURNS_QUERY, [{ audio: "turns" }, { send: { type: "close" } }], "a few turns of audio with silences between them, then `{type: close}`"),
    ws("stt-turns.bad-model", "stt-turns", "/stt/turns/websocket", { ...TURNS_QUERY, model: BAD_MODEL_STT }, [], "an unknown model in the handshake"),
    ws("stt-turns.bad-field", "stt-turns", "/stt/turns/websocket", { ...TURNS_QUERY, sample_rate: "0" }, [], "sample_rate 0 in the handshake"),
    ws(
      "stt-turns.config",
      "stt-turns",
      "/stt/turns/websocket",
      TURNS_QUERY,
      [{ until: ["connected", "error"] }, { send: { type: "config", turn: { end_threshold: 0.3, end_timeout_ms: 2000 } } }, { quiet: 500 }, { send: { type: "close" } }],
      "a good `config` (expected: no reply), then `{type: close}`",
    ),
    ws(
      "stt-turns.bad-config",
      "stt-turns",
      "/stt/turns/websocket",
      TURNS_QUERY,
      [{ until: ["connected", "error"] }, { send: { type: "config", turn: { end_threshold: 5 } } }, { until: ["error"], within: 2000 }, { quiet: 200 }, { send: { type: "close" } }],
      "a `config` with end_threshold 5 (out of range): an error event, the socket stays open",
    ),
    ws("tts.handshake", "tts", "/tts/websocket", {}, [{ quiet: 300 }, { close: 1000 }], "a good handshake, nothing sent, the client closes"),
    ws("tts.context", "tts", "/tts/websocket", {}, [{ send: context("probe-1", { add_timestamps: true }) }, { until: ends }, { close: 1000 }], "one context with word timestamps until `done`"),
    ws("tts.bad-model", "tts", "/tts/websocket", {}, [{ send: context("probe-1", { model_id: BAD_MODEL_TTS }) }, { until: ends, within: 3000 }, { quiet: 200 }, { close: 1000 }], "an unknown model_id"),
    ws(
      "tts.bad-field",
      "tts",
      "/tts/websocket",
      {},
      [{ send: context("probe-1", { output_format: { ...RAW_16K, sample_rate: BAD_RATE } }) }, { until: ends, within: 3000 }, { quiet: 200 }, { close: 1000 }],
      `output_format.sample_rate ${BAD_RATE}`,
    ),
    http("tts-bytes", "tts-bytes", "/tts/bytes", { json: ttsFields({ output_format: { ...RAW_16K, container: "wav" } }) }, "WAV s16le 16 kHz"),
    http("tts-bytes.bad-model", "tts-bytes", "/tts/bytes", { json: ttsFields({ model_id: BAD_MODEL_TTS }) }, "an unknown model_id"),
    http("tts-bytes.bad-field", "tts-bytes", "/tts/bytes", { json: ttsFields({ output_format: { ...RAW_16K, sample_rate: BAD_RATE } }) }, `output_format.sample_rate ${BAD_RATE}`),
    http("tts-sse", "tts-sse", "/tts/sse", { json: ttsFields({ context_id: "probe-sse", add_timestamps: true }) }, "raw s16le 16 kHz with word timestamps"),
    http("tts-sse.bad-model", "tts-sse", "/tts/sse", { json: ttsFields({ model_id: BAD_MODEL_TTS }) }, "an unknown model_id"),
    http("stt-batch", "stt-batch", "/stt", { form: batchForm("ink-whisper") }, "one second of WAV, ink-whisper, word timestamps"),
    http("stt-batch.bad-model", "stt-batch", "/stt", { form: batchForm(BAD_MODEL_STT) }, "an unknown model"),
    http("access-token", "access-token", "/access-token", { json: { grants: { stt: true }, expires_in: 60 } }, "an STT grant for 60 s"),
    http("access-token.bad-field", "access-token", "/access-token", { json: { grants: { stt: true }, expires_in: 86_400 } }, "expires_in 86 400 (over the 3 600 s limit)"),
  ];
}

/** A request that synthesizes the STT probes' speech with the target's own TTS (raw s16le 16 kHz). */
export function speechRequest(settings: ProbeSettings): HttpProbe {
  return {
    kind: "http",
    name: "speech",
    endpoint: "tts-bytes",
    purpose: "STT audio from the target's TTS",
    path: "/tts/bytes",
    body: { json: { model_id: "sonic-3", transcript: PROBE_TEXT, voice: voiceFor(settings), output_format: RAW_16K, language: "en" } },
  };
}
