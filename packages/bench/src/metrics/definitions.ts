/**
 * Every metric the bench reports, with the two moments it spans. The statement is printed beside each
 * figure (console, results.json, results.md), because published latencies differ mostly in where they
 * start and stop the clock.
 */

/** The endpoints the bench drives. */
export const ENDPOINTS = ["stt-v1", "stt-turns", "tts"] as const;
/** One endpoint. */
export type Endpoint = (typeof ENDPOINTS)[number];

/** How a metric's values read: milliseconds, or a dimensionless ratio. */
export type MetricUnit = "ms" | "ratio";

/** A metric: id, endpoint, unit and its one-line definition. */
export interface MetricDefinition {
  id: string;
  endpoint: Endpoint | "baseline";
  unit: MetricUnit;
  /** The moment the clock starts (client side, `performance.now()`). */
  from: string;
  /** The moment it stops. */
  to: string;
  /** One line: what exactly is measured. */
  statement: string;
}

const define = <const T extends readonly MetricDefinition[]>(defs: T) => defs;

/** All metric definitions, in report order. */
export const METRICS = define([
  {
    id: "stt-v1.handshake",
    endpoint: "stt-v1",
    unit: "ms",
    from: "the client is asked to connect",
    to: "the WebSocket is open (TCP + TLS if any + HTTP upgrade)",
    statement: "STT v1 handshake: connect requested → socket open; excluded from every other STT v1 metric.",
  },
  {
    id: "stt-v1.finalize-to-final",
    endpoint: "stt-v1",
    unit: "ms",
    from: "the text frame `finalize` is handed to the client",
    to: "the first `transcript` with `is_final: true` after it is delivered to the caller",
    statement: "`finalize` sent → first final transcript received.",
  },
  {
    id: "stt-v1.finalize-to-flush-done",
    endpoint: "stt-v1",
    unit: "ms",
    from: "the text frame `finalize` is handed to the client",
    to: "its `flush_done` is delivered to the caller",
    statement: "`finalize` sent → `flush_done` received.",
  },
  {
    id: "stt-v1.close-to-done",
    endpoint: "stt-v1",
    unit: "ms",
    from: "the text frame `close` is handed to the client",
    to: "`done` is delivered to the caller",
    statement: "`close` sent → `done` received (drain of the stream's tail).",
  },
  {
    id: "stt-turns.handshake",
    endpoint: "stt-turns",
    unit: "ms",
    from: "the client is asked to connect",
    to: "the WebSocket is open",
    statement: "STT turns handshake: connect requested → socket open (not `connected`); excluded from every other turns metric.",
  },
  {
    id: "stt-turns.speech-end-to-turn-end",
    endpoint: "stt-turns",
    unit: "ms",
    from: "the audio frame holding the last byte of the turn's speech (its last word's end: the scenario's timing, or for synthesized speech the last TTS word timestamp's end) is handed to the client",
    to: "that turn's `turn.end` is delivered to the caller",
    statement: "last byte of the turn's speech sent → `turn.end` received (includes the server's end-of-turn silence wait, which real-time pacing makes visible).",
  },
  {
    id: "stt-turns.eager-lead",
    endpoint: "stt-turns",
    unit: "ms",
    from: "a `turn.eager_end` that is not followed by `turn.resume` is delivered",
    to: "the `turn.end` of the same turn is delivered",
    statement: "`turn.eager_end` → `turn.end` of the same turn: how much earlier speculative work could start.",
  },
  {
    id: "stt-turns.resume-share",
    endpoint: "stt-turns",
    unit: "ratio",
    from: "all `turn.eager_end` events of a session",
    to: "those followed by `turn.resume`",
    statement: "share of `turn.eager_end` events followed by `turn.resume` (wasted speculation), one value per session.",
  },
  {
    id: "tts.handshake",
    endpoint: "tts",
    unit: "ms",
    from: "the client is asked to connect",
    to: "the WebSocket is open",
    statement: "TTS handshake: connect requested → socket open; excluded from every other TTS metric.",
  },
  {
    id: "tts.first-chunk",
    endpoint: "tts",
    unit: "ms",
    from: "the generation request (whole transcript, then the end of input) is handed to the client",
    to: "the context's first `chunk` (audio) is delivered to the caller",
    statement: "TTS request sent → first audio chunk received.",
  },
  {
    id: "tts.done",
    endpoint: "tts",
    unit: "ms",
    from: "the generation request is handed to the client",
    to: "the context's `done` is delivered to the caller",
    statement: "TTS request sent → `done` received.",
  },
  {
    id: "tts.real-time-factor",
    endpoint: "tts",
    unit: "ratio",
    from: "request sent → `done` received (wall time)",
    to: "seconds of audio received for the context",
    statement: "real-time factor: (request → `done` wall time) ÷ (audio duration received); below 1 is faster than real time.",
  },
  {
    id: "tts.timestamp-coverage",
    endpoint: "tts",
    unit: "ratio",
    from: "words of the transcript",
    to: "words that came back in `timestamps` events",
    statement: "timestamp coverage: words with a word timestamp ÷ words in the transcript (1 = every word).",
  },
  {
    id: "baseline.ws-echo",
    endpoint: "baseline",
    unit: "ms",
    from: "a small text frame is handed to a raw `ws` client socket",
    to: "a bare `ws` echo server's copy of it is received (loopback, same process)",
    statement: "bare `ws` echo round trip on loopback: the floor any WebSocket exchange pays here.",
  },
  {
    id: "baseline.mock-round-trip",
    endpoint: "baseline",
    unit: "ms",
    from: "`finalize` is handed to a raw `ws` socket of the embedded mock (latency none, no new audio)",
    to: "its `flush_done` is received",
    statement: "legacy baseline: the mock's `finalize` → `flush_done` with no audio and no added latency (raw `ws`); not a reported metric, so ÷ the echo it understates the mock's overhead (see the overhead table: the reported metrics against a replay server).",
  },
] as const);

/** A metric id. */
export type MetricId = (typeof METRICS)[number]["id"];

const BY_ID = new Map<string, MetricDefinition>(METRICS.map((m) => [m.id, m]));

/** The definition of a metric id, or undefined for an unknown id. */
export function metricDefinition(id: string): MetricDefinition | undefined {
  return BY_ID.get(id);
}

/** The metrics of one endpoint, in report order. */
export function metricsOf(endpoint: Endpoint | "baseline"): MetricDefinition[] {
  return METRICS.filter((m) => m.endpoint === endpoint);
}
