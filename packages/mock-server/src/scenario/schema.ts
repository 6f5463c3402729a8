/**
 * The scenario file: what the "speaker" says and when, what the TTS side does, and which faults
 * happen. YAML or JSON, validated by this schema (exported, and as JSON Schema in `schemas/`).
 *
 * Times are seconds of *audio* (the audio clock: bytes received ÷ bytes per second) in `audio`
 * timing mode; in `vad` mode an energy detector on the received audio finds where speech really is
 * and the scripted words fill it.
 */
import * as z from "zod";
import { latencySchema } from "../core/latency.js";

const seconds = z.number().nonnegative();
const positive = z.number().positive();

/** One explicitly timed word. */
export const timedWordSchema = z.strictObject({
  word: z.string().min(1),
  /** How long the word lasts, in seconds of audio. */
  duration: positive,
  /** Silence after the word before the next one (default: the script's `gapSeconds`). */
  gapAfter: seconds.optional(),
});

/** A stretch of speech: a sentence split on spaces, or explicitly timed words. */
export const speechSegmentSchema = z.union([
  z.strictObject({
    say: z.string().meta({ description: "Text spoken word by word (split on spaces; punctuation stays on its word)." }),
    wordSeconds: positive.optional(),
    gapSeconds: seconds.optional(),
  }),
  z.strictObject({ words: z.array(timedWordSchema).min(1) }),
]);

/** A pause inside a turn: long enough for `turn.eager_end`; speech then continues (`turn.resume`). */
export const pauseSegmentSchema = z.strictObject({
  pause: positive.meta({ description: "Silence in seconds inside the turn." }),
  eager: z
    .boolean()
    .default(true)
    .meta({ description: "Whether the pause triggers turn.eager_end (then turn.resume when speech continues)." }),
});

/** One turn (stt-turns) or utterance (stt-v1): lead silence, speech and pauses, trailing silence. */
export const turnSchema = z.strictObject({
  leadSilence: seconds.default(0.3).meta({ description: "Silence before the turn's speech starts." }),
  segments: z
    .array(z.union([speechSegmentSchema, pauseSegmentSchema]))
    .default([])
    .meta({ description: "Speech and pauses; none makes an empty turn (turn.end with \"\")." }),
  endSilence: seconds.default(0.8).meta({ description: "Silence after the last word; the turn ends inside it." }),
  eagerBeforeEnd: z.boolean().default(false).meta({ description: "Send turn.eager_end before turn.end." }),
});

/** Where in a session a fault fires. */
export const faultTriggerSchema = z.union([
  z.strictObject({ audio: seconds.meta({ description: "Once this much audio has been received." }) }),
  z.strictObject({
    event: z.string().meta({ description: "After the server's n-th (`index`, from 0) event of this type." }),
    index: z.number().int().nonnegative().default(0),
  }),
  z.strictObject({ message: z.number().int().nonnegative().meta({ description: "After the client's n-th message (from 0)." }) }),
]);

/** What a fault does. */
export const faultActionSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("error"),
    status: z.number().int().min(400).max(599),
    code: z.string().nullable().default(null),
    title: z.string().default("Scripted error"),
    message: z.string().default("An error scripted by the scenario."),
    fatal: z.boolean().default(true).meta({ description: "Close the socket after the error event." }),
  }),
  z.strictObject({ type: z.literal("close"), code: z.number().int().min(1000).max(4999), reason: z.string().default("") }),
  z.strictObject({ type: z.literal("drop") }),
  z.strictObject({ type: z.literal("stall"), seconds: positive }),
]);

/** A fault: when, what, and on which endpoints (default: all). */
export const faultSchema = z.strictObject({
  at: faultTriggerSchema,
  action: faultActionSchema,
  endpoints: z
    .array(z.enum(["stt-v1", "stt-turns", "tts", "tts-sse"]))
    .optional()
    .meta({ description: "Where the fault applies: the WebSockets (`tts` is /tts/websocket) and `tts-sse` (/tts/sse). Default: all." }),
  /** Only in the first n connections of the scenario (e.g. drop once, then let the reconnect through). */
  connections: z.number().int().positive().optional(),
});

/** Delays (seconds of audio) between what the speaker does and the events it causes. */
export const sttTimingsSchema = z.strictObject({
  turnStartDelay: seconds.default(0.1),
  eagerDelay: seconds.default(0.2),
  resumeDelay: seconds.default(0.05),
  endDelay: seconds.default(0.4),
});

/** The speech side of a scenario (both STT endpoints and batch). */
export const sttScriptSchema = z.strictObject({
  timing: z.enum(["audio", "vad"]).default("audio"),
  wordSeconds: positive.default(0.3),
  gapSeconds: seconds.default(0.08),
  language: z.string().default("en"),
  turns: z.array(turnSchema).default([]),
  timings: sttTimingsSchema.prefault({}),
  /** When the script runs out: repeat it (`loop`) or hear only silence (`stop`). */
  afterScript: z.enum(["loop", "stop"]).default("stop"),
});

/** The TTS side of a scenario. */
export const ttsScriptSchema = z.strictObject({
  /** Audio per chunk, in milliseconds. */
  chunkMs: positive.default(100),
  /** Pace chunks at this multiple of real time (0: as fast as possible). */
  pace: seconds.default(0),
});

/**
 * One server event of a recorded STT session, in the order it came: a JSON frame, or how the
 * server ended the session (`close`, `drop`). Released once the client's audio reaches `at`, or, with
 * `after`, once the client has sent its n-th text frame (from 0), `delayMs` later (the recorded latency).
 */
export const recordedSttEventSchema = z
  .strictObject({
    at: seconds.meta({ description: "Seconds of audio the client had sent when the event came." }),
    after: z.number().int().nonnegative().optional().meta({ description: "The client's text frame (index from 0) this answers; released then, not by audio." }),
    delayMs: seconds.optional().meta({ description: "After `after`: the recorded wall-time latency of the answer, in milliseconds." }),
    digest: z.string().optional().meta({ description: "match: digest — the digest (`fnv2x32:<hex>`, two FNV-1a 32 hashes) of the audio bytes up to `at`." }),
    frame: z.record(z.string(), z.unknown()).optional().meta({ description: "A server JSON frame (its request_id is the replaying session's)." }),
    close: z.strictObject({ code: z.number().int().min(1000).max(4999), reason: z.string().default("") }).optional(),
    drop: z.literal(true).optional().meta({ description: "The connection was cut without a close frame." }),
  })
  .refine((e) => [e.frame, e.close, e.drop].filter((x) => x !== undefined).length === 1, "exactly one of frame, close, drop");

/** A recorded `/stt/websocket` or `/stt/turns/websocket` session. */
export const recordedSttSchema = z.strictObject({
  endpoint: z.enum(["stt-v1", "stt-turns"]),
  /** The handshake query as recorded (credentials left out). */
  query: z.record(z.string(), z.string()).default({}),
  /** The audio the client sent: its format, size and (informational) file beside the scenario. */
  audio: z
    .strictObject({ encoding: z.string(), sampleRate: z.number().int().positive(), bytes: z.number().int().nonnegative(), file: z.string().optional() })
    .optional(),
  events: z.array(recordedSttEventSchema),
});

/** One recorded TTS server frame: its JSON (chunk `data` and `context_id` filled in at replay). */
export const recordedTtsFrameSchema = z.strictObject({
  after: z.number().int().nonnegative().meta({ description: "The request (index in `requests`) it answers." }),
  delayMs: seconds.default(0).meta({ description: "Recorded milliseconds from that request to this frame." }),
  frame: z.record(z.string(), z.unknown()),
  bytes: z.number().int().nonnegative().optional().meta({ description: "A chunk: how many bytes of `audio` its data holds (in order)." }),
});

/** A recorded TTS exchange: a WebSocket context, or one `/tts/bytes` or `/tts/sse` request. */
export const recordedTtsSchema = z.strictObject({
  endpoint: z.enum(["tts", "tts-bytes", "tts-sse"]),
  /** The requests in order, as parsed (`context_id` left out, keys sorted): what a replayed request must equal. */
  requests: z.array(z.record(z.string(), z.unknown())).min(1),
  /** The audio, a file beside the scenario (path relative to it) or inline `base64:<data>`. */
  audio: z.string(),
  /** `/tts/bytes`: the response's Content-Type. */
  contentType: z.string().optional(),
  frames: z.array(recordedTtsFrameSchema).default([]),
});

/** Recorded sessions replayed instead of the script (see "Record and replay" in the README). */
export const replaySchema = z.strictObject({
  match: z
    .enum(["position", "digest"])
    .default("position")
    .meta({ description: "STT: release recorded events by audio position alone, or also require the audio to be the recorded bytes (a digest at each event)." }),
  stt: z.array(recordedSttSchema).default([]),
  tts: z.array(recordedTtsSchema).default([]),
});

/** A scenario. */
export const scenarioSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "lowercase letters, digits, '.', '_' and '-'"),
    description: z.string().default(""),
    stt: sttScriptSchema.prefault({}),
    tts: ttsScriptSchema.prefault({}),
    faults: z.array(faultSchema).default([]),
    /** Refuse the handshake (WebSocket) or the request (HTTP) with this status. */
    handshake: z
      .strictObject({ status: z.number().int().min(400).max(599), message: z.string().optional() })
      .optional(),
    latency: z
      .strictObject({
        finalize: latencySchema.optional(),
        turnEnd: latencySchema.optional(),
        ttsFirstChunk: latencySchema.optional(),
      })
      .optional(),
    replay: replaySchema.optional(),
  })
  .meta({ title: "speechwire scenario" });

/** A validated scenario (defaults filled in). */
export type Scenario = z.output<typeof scenarioSchema>;
/** A scenario as written in a file. */
export type ScenarioInput = z.input<typeof scenarioSchema>;
/** One turn of a scenario. */
export type Turn = z.output<typeof turnSchema>;
/** A fault. */
export type Fault = z.output<typeof faultSchema>;
/** The speech script. */
export type SttScript = z.output<typeof sttScriptSchema>;
/** Recorded sessions of a scenario. */
export type Replay = z.output<typeof replaySchema>;
/** A recorded STT session. */
export type RecordedStt = z.output<typeof recordedSttSchema>;
/** A recorded STT event. */
export type RecordedSttEvent = z.output<typeof recordedSttEventSchema>;
/** A recorded TTS exchange. */
export type RecordedTts = z.output<typeof recordedTtsSchema>;
