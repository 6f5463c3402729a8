/**
 * The language-neutral shapes of the kit: capabilities, cases, observations and the JSON-lines
 * messages the runner and a command adapter exchange over stdin/stdout. Zod schemas (exported as
 * JSON Schema in `schemas/`), so an adapter in any language can validate what it reads and writes.
 */
import * as z from "zod";

/** The suites (endpoints) a case can exercise: the three WebSockets, TTS over HTTP (`/tts/bytes`, `/tts/sse`), batch STT (`POST /stt`) and access tokens (`POST /access-token`, then a session opened with the token). */
export const SUITES = ["stt-v1", "stt-turns", "tts", "tts-http", "stt-batch", "access-token"] as const;
/** One suite. */
export type Suite = (typeof SUITES)[number];

/** What an adapter says it can do; the runner builds the check matrix from it. */
export const capabilitiesSchema = z
  .strictObject({
    /** A short name for reports and baselines, e.g. `speechwire-client`. */
    name: z.string().min(1),
    /** Free text: client name and version. */
    version: z.string().optional(),
    suites: z.array(z.enum(SUITES)).meta({ description: "The endpoints the client supports." }),
    reconnect: z.boolean().default(false).meta({ description: "STT: reconnects after a server-initiated drop and resends the audio." }),
    keepAlive: z.boolean().default(false).meta({ description: "STT: keeps an idle session open (silence) below the idle limit." }),
    finalize: z.boolean().default(true).meta({ description: "STT v1: can send `finalize` on demand." }),
    flush: z.boolean().default(true).meta({ description: "TTS: can send a manual flush." }),
    cancel: z.boolean().default(true).meta({ description: "TTS: can cancel a context." }),
    timestamps: z.boolean().default(true).meta({ description: "Surfaces word timestamps (TTS `add_timestamps`, STT v1 `words`)." }),
    errors: z.boolean().default(true).meta({ description: "Surfaces server error events to its caller." }),
    turnWords: z
      .boolean()
      .default(false)
      .meta({ description: "STT turns: surfaces the `words` of turn events (`{word, start, end}`; ink-preview) in stream seconds, as observation `words`." }),
    turnLanguages: z.boolean().default(false).meta({ description: "STT turns: surfaces the `languages` of turn events (`{language, confidence}`; ink-preview), as observation `languages`." }),
    config: z
      .boolean()
      .default(false)
      .meta({ description: "STT: can send a `config` message mid-session (`keyterms`, `language_hints`; `turn` on the turns endpoint). Without it, the runner leaves the `config` actions out of the cases." }),
    sttModels: z
      .strictObject({ "stt-v1": z.array(z.string().min(1)).optional(), "stt-turns": z.array(z.string().min(1)).optional() })
      .optional()
      .meta({
        description:
          "STT: the models the client can open each socket with, where it cannot open it with any (LiveKit's Python plugin picks the endpoint from the model: only `ink-whisper` reaches `/stt/websocket`). Cases with another model are not run; every model when left out.",
      }),
    tls: z.boolean().default(false).meta({ description: "Needs the TLS URLs (e.g. cartesia-js forces wss for TTS)." }),
    mp3: z.boolean().default(false).meta({ description: "TTS over HTTP: can request and surface `/tts/bytes` audio in the `mp3` container." }),
    sse: z.boolean().default(true).meta({ description: "TTS over HTTP: can call `/tts/sse` (LiveKit's plugin has only `/tts/bytes`)." }),
    httpFormats: z
      .array(z.string().regex(/^(raw|wav)\/pcm_(s16le|f32le|mulaw|alaw)$/u))
      .optional()
      .meta({ description: "TTS over HTTP: the raw and WAV output formats the client can ask for, as `container/encoding` (e.g. `raw/pcm_s16le`); every one when left out. MP3 is the `mp3` capability." }),
  })
  .meta({ title: "capabilities" });
/** Declared capabilities (defaults filled in). */
export type Capabilities = z.output<typeof capabilitiesSchema>;
/** Capabilities as written by an adapter. */
export type CapabilitiesInput = z.input<typeof capabilitiesSchema>;

/** One thing the client is asked to do, in order. */
export const actionSchema = z
  .discriminatedUnion("op", [
    z.strictObject({ op: z.literal("audio"), bytes: z.number().int().nonnegative().meta({ description: "Send the next `bytes` of the case audio, in `chunkBytes` pieces." }) }),
    z.strictObject({ op: z.literal("finalize"), wait: z.boolean().default(false).meta({ description: "Wait for its flush_done before the next action." }) }),
    z.strictObject({ op: z.literal("idle"), ms: z.number().int().positive().meta({ description: "Send nothing for this long (keep-alive cases)." }) }),
    z.strictObject({ op: z.literal("wait-disconnect").meta({ description: "Wait until the client has noticed that the server dropped the connection (reconnect cases)." }) }),
    z.strictObject({ op: z.literal("close") }),
    z
      .strictObject({
        op: z.literal("config"),
        keyterms: z.array(z.string()).optional(),
        language_hints: z.array(z.string()).optional(),
        turn: z.record(z.string(), z.number()).optional().meta({ description: "Turn settings (turns endpoint only)." }),
      })
      .meta({
        description: "STT: send a `config` message with these fields (docs/protocol §2.2, §3.2): a list replaces the session's, `[]` clears it, an omitted field keeps it. Given only to adapters with the `config` capability.",
      }),
    z.strictObject({ op: z.literal("push"), context: z.string(), transcript: z.string() }),
    z.strictObject({ op: z.literal("flush"), context: z.string() }),
    z.strictObject({ op: z.literal("end"), context: z.string() }),
    z.strictObject({ op: z.literal("cancel"), context: z.string() }),
  ])
  .meta({ title: "action" });
/** One action. */
export type Action = z.output<typeof actionSchema>;

const rawFormat = z.strictObject({
  container: z.literal("raw"),
  encoding: z.enum(["pcm_s16le", "pcm_f32le", "pcm_mulaw", "pcm_alaw"]),
  sample_rate: z.number().int().positive(),
});

/** A TTS context's fixed fields: what every input on it repeats (§5.2). */
export const contextSpecSchema = z.strictObject({
  id: z.string().min(1),
  model_id: z.string(),
  voice: z.strictObject({ mode: z.literal("id"), id: z.string() }),
  output_format: rawFormat,
  language: z.string().optional(),
  add_timestamps: z.boolean().default(false),
  max_buffer_delay_ms: z.number().int().min(0).max(5000).optional(),
});
/** A TTS context spec. */
export type ContextSpec = z.output<typeof contextSpecSchema>;

/** A TTS HTTP case's request: which endpoint, and the JSON body the client must send (§6.1, §6.2). */
export const httpRequestSchema = z.strictObject({
  endpoint: z.enum(["bytes", "sse"]).meta({ description: "`bytes`: POST /tts/bytes; `sse`: POST /tts/sse." }),
  /** The generation request, sent as the JSON body exactly as given (model_id, transcript, voice, output_format, …). */
  request: z.record(z.string(), z.unknown()),
  /** The request is deliberately invalid (the server answers 400); checks of what was sent do not apply. */
  invalid: z.boolean().default(false),
});
/** A TTS HTTP request of a case. */
export type HttpRequestSpec = z.output<typeof httpRequestSchema>;

/** A batch STT case's upload (§4): the file and the options the caller passes. */
export const batchRequestSchema = z.strictObject({
  /** The file's bytes, base64 (a WAV file, or headerless raw PCM described by `encoding`/`sample_rate`). */
  file: z.string(),
  filename: z.string().min(1),
  model: z.string(),
  language: z.string().optional(),
  /** Ask for word timings (`timestamp_granularities[]=word`). */
  words: z.boolean().default(false),
  /** Raw PCM only: sent as query parameters. */
  encoding: z.string().optional(),
  sample_rate: z.number().int().positive().optional(),
});
/** A batch STT upload of a case. */
export type BatchRequestSpec = z.output<typeof batchRequestSchema>;

/**
 * An access-token case (§7): mint a token with the API key, then (unless `use` is `none`) open a
 * session with the token alone, the way a browser would, and run the case's actions on it.
 */
export const accessTokenRequestSchema = z.strictObject({
  /** The grants to ask for, passed as given (§7). */
  grants: z.strictObject({ tts: z.boolean().optional(), stt: z.boolean().optional(), agent: z.boolean().optional() }),
  /** Seconds the token lives (1–3600); left out: the server's default. */
  expires_in: z.number().int().min(1).max(3600).optional(),
  /** The endpoint to open with the token (its suite's `stt`/`contexts` and actions), or `none`. */
  use: z.enum(["none", "stt-turns", "tts"]).default("none"),
  /** `invalid`: the runner hands the adapter an API key the server refuses (401 on the mint). */
  key: z.enum(["valid", "invalid"]).default("valid"),
  /**
   * `true`: the token is already expired when the session opens (401). The runner moves the mock's
   * token clock `expires_in + 1` s back for the mint only; the adapter does nothing different.
   */
  expired: z.boolean().optional(),
});
/** An access-token request of a case. */
export type AccessTokenRequestSpec = z.output<typeof accessTokenRequestSchema>;

/**
 * A case: one session on one endpoint, with the mock scenario that scripts the server and the
 * actions that script the client. The runner fills in `scenario.name`.
 */
export const caseSchema = z
  .strictObject({
    id: z.string().min(1),
    suite: z.enum(SUITES),
    /** Cartesia-Version the client should send (selects the error shape). */
    version: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).default("2026-03-01"),
    /** A mock scenario object (`@speechwire/mock-server` `scenarioSchema`), without `name`. */
    scenario: z.record(z.string(), z.unknown()).default({}),
    /** STT: handshake parameters. */
    stt: z
      .strictObject({
        model: z.string(),
        encoding: z.enum(["pcm_s16le", "pcm_s32le", "pcm_f16le", "pcm_f32le", "pcm_mulaw", "pcm_alaw"]),
        sample_rate: z.number().int().positive(),
        language: z.string().optional(),
        /** The whole audio of the case, base64. */
        audio: z.string(),
        chunkBytes: z.number().int().positive(),
      })
      .optional(),
    /** Batch STT: the one upload of the case. */
    batch: batchRequestSchema.optional(),
    /** TTS over HTTP: the one request of the case. */
    http: httpRequestSchema.optional(),
    /** Access tokens: the token to mint and the endpoint to open with it. */
    accessToken: accessTokenRequestSchema.optional(),
    /** TTS: the contexts of the case. */
    contexts: z.array(contextSpecSchema).default([]),
    actions: z.array(actionSchema),
    /** Turn reconnect on (when the adapter can). */
    reconnect: z.boolean().default(false),
    /** The server's idle limit in this case, ms (keep-alive cases): keep the session open past it. */
    idleLimitMs: z.number().int().positive().optional(),
    /** Inject a frame of an unknown type into the server's stream (the runner's proxy does it). */
    injectUnknown: z.boolean().default(false),
    /** What the case exercises (the checks that read it), for people. */
    purpose: z.string().default(""),
  })
  .meta({ title: "case" });
/** A case (defaults filled in). */
export type Case = z.output<typeof caseSchema>;
/** A case as written. */
export type CaseInput = z.input<typeof caseSchema>;

/** What a turn event carries: its transcript, and the words and languages where the client surfaces them. */
const turnText = {
  transcript: z.string(),
  words: z
    .array(z.strictObject({ word: z.string(), start: z.number(), end: z.number() }))
    .optional()
    .meta({ description: "The event's words in stream seconds (capability `turnWords`); left out when the server sent none." }),
  languages: z
    .array(z.strictObject({ language: z.string(), confidence: z.number() }))
    .optional()
    .meta({ description: "The languages the event reported (capability `turnLanguages`); left out when the server sent none." }),
};

/** One normalized thing the client surfaced to its caller, in the order it surfaced it. */
export const observationEventSchema = z
  .discriminatedUnion("type", [
    // stt-v1
    z.strictObject({
      type: z.literal("transcript"),
      is_final: z.boolean(),
      text: z.string(),
      words: z.array(z.strictObject({ word: z.string(), start: z.number(), end: z.number() })).optional(),
    }),
    z.strictObject({ type: z.literal("flush_done") }),
    z.strictObject({ type: z.literal("done") }),
    // stt-turns
    z.strictObject({ type: z.literal("connected") }),
    z.strictObject({ type: z.literal("turn.start") }),
    z.strictObject({ type: z.literal("turn.update"), ...turnText }),
    z.strictObject({ type: z.literal("turn.eager_end"), ...turnText }),
    z.strictObject({ type: z.literal("turn.resume") }),
    z.strictObject({ type: z.literal("turn.end"), ...turnText }),
    // tts
    z.strictObject({ type: z.literal("tts.audio"), context_id: z.string(), data: z.string().meta({ description: "base64 audio bytes" }) }),
    z.strictObject({
      type: z.literal("tts.timestamps"),
      context_id: z.string(),
      words: z.array(z.string()),
      start: z.array(z.number()),
      end: z.array(z.number()),
    }),
    z.strictObject({ type: z.literal("tts.flush_done"), context_id: z.string(), flush_id: z.number().int() }),
    z.strictObject({ type: z.literal("tts.done"), context_id: z.string() }),
    // tts-http (one request per case)
    z.strictObject({ type: z.literal("http.audio"), data: z.string().meta({ description: "base64 audio bytes: a /tts/bytes body chunk or an SSE chunk's data, as surfaced" }) }),
    z.strictObject({ type: z.literal("http.timestamps"), words: z.array(z.string()), start: z.array(z.number()), end: z.array(z.number()) }),
    z.strictObject({ type: z.literal("http.done").meta({ description: "The SSE `done` event" }) }),
    // stt-batch
    z.strictObject({
      type: z.literal("batch.transcript"),
      text: z.string(),
      words: z.array(z.strictObject({ word: z.string(), start: z.number(), end: z.number() })).optional(),
    }),
    // access-token
    z.strictObject({ type: z.literal("access_token"), token: z.string().meta({ description: "The token the client handed to its caller" }) }),
    // every endpoint
    z.strictObject({
      type: z.literal("error"),
      status: z.number().int().optional(),
      code: z.string().nullable().optional(),
      message: z.string().optional(),
      context_id: z.string().optional(),
    }),
    z.strictObject({ type: z.literal("reconnecting") }),
    z.strictObject({ type: z.literal("reconnected") }),
  ])
  .meta({ title: "observation event" });
/** One observation event. */
export type ObservationEvent = z.output<typeof observationEventSchema>;

/** What the client produced when the case ended. */
export const caseResultSchema = z
  .strictObject({
    /** STT: the whole session's final text as the client hands it to its caller. */
    text: z.string().optional(),
    /** STT turns: the text the client committed for each turn (what a voice agent would answer). */
    turns: z.array(z.string()).optional(),
    /** TTS: the wire `context_id` of each case context, for clients that choose their own ids. */
    contexts: z.record(z.string(), z.string()).optional(),
    /** The client threw or hung where it should not have. */
    crashed: z.boolean().default(false),
    crash: z.string().optional(),
  })
  .meta({ title: "case result" });
/** A case result. */
export type CaseResult = z.output<typeof caseResultSchema>;

/** Everything the runner learns from the adapter about one case. */
export interface Observations {
  events: ObservationEvent[];
  result: CaseResult;
}

/** Where the adapter connects for a case. */
export const targetSchema = z.strictObject({
  /** http(s) base URL (with the case's `/s/<scenario>` prefix); clients map it to ws(s). */
  baseUrl: z.string(),
  /** The same routes over TLS, when the mock serves TLS. */
  tlsBaseUrl: z.string().optional(),
  /** PEM of the TLS certificate to trust. */
  ca: z.string().optional(),
  apiKey: z.string(),
});
/** A case target. */
export type Target = z.output<typeof targetSchema>;

/** Runner → adapter (one JSON object per line on the adapter's stdin). */
export const runnerMessageSchema = z
  .discriminatedUnion("type", [
    z.strictObject({ type: z.literal("hello"), protocol: z.literal(1) }),
    z.strictObject({ type: z.literal("case"), target: targetSchema, case: caseSchema }),
    z.strictObject({ type: z.literal("shutdown") }),
  ])
  .meta({ title: "runner message" });
/** A runner message. */
export type RunnerMessage = z.output<typeof runnerMessageSchema>;

/** Adapter → runner (one JSON object per line on the adapter's stdout; anything else on stderr). */
export const adapterMessageSchema = z
  .discriminatedUnion("type", [
    z.strictObject({ type: z.literal("capabilities"), capabilities: capabilitiesSchema }),
    z.strictObject({ type: z.literal("observation"), case: z.string(), event: observationEventSchema }),
    z.strictObject({ type: z.literal("done"), case: z.string(), result: caseResultSchema }),
  ])
  .meta({ title: "adapter message" });
/** An adapter message. */
export type AdapterMessage = z.output<typeof adapterMessageSchema>;
