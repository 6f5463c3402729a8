/**
 * Recording → scenario (issue 18): a pure converter from what the recording proxy captured of one
 * session (both directions, wall time; audio positions are worked out here from the client's audio)
 * to a scenario file and the audio files beside it, which the ordinary mock replays.
 *
 * Stable text: no time of the recording run, no upstream request or context id (placeholders the
 * replay fills in), keys and tokens redacted everywhere (every frame and body through the journal's
 * `redactText`, plus every secret the proxy handled, whatever its shape), numbers as recorded. So a
 * re-recording of a deterministic upstream diffs clean; a real upstream's differences are its own.
 */
import { sttTurns, sttV1, tts, ttsBytes, ttsSse } from "@speechwire/protocol";
import { stringify } from "yaml";
import { digestPrefixes } from "../core/audio-digest.js";
import { AudioClock, sttEncodingOf } from "../core/stt/session.js";
import { byteOffsetOf } from "../core/stt/replay.js";
import { roundTime } from "../core/stt/script.js";
import { requestKey } from "../core/tts/replay.js";
import type { RecordedStt, RecordedSttEvent, RecordedTts, ScenarioInput } from "../scenario/schema.js";
import { redactSecret, redactText } from "../server/journal.js";

/** The endpoints the proxy relays. */
export type CaptureEndpoint = "stt-v1" | "stt-turns" | "tts" | "tts-bytes" | "tts-sse" | "stt-batch" | "access-token";

/** One thing that happened in a captured session; `t` is milliseconds since it opened. */
export type CaptureEvent =
  | { t: number; dir: "client"; kind: "audio"; data: Uint8Array }
  | { t: number; dir: "client" | "server"; kind: "text"; text: string }
  | { t: number; dir: "client" | "server"; kind: "close"; code: number; reason: string }
  | { t: number; dir: "server"; kind: "drop" };

/** What the proxy captured of one session (a WebSocket, or one HTTP request). */
export interface Capture {
  endpoint: CaptureEndpoint;
  /** The handshake or request query (credentials are left out when written). */
  query: Record<string, string>;
  version?: string;
  /** The upstream refused the handshake or answered the request with an error status. */
  refused?: { status: number; body: string };
  /** WebSockets: frames both ways; HTTP: the request body as a client `text` event. */
  events: CaptureEvent[];
  /** HTTP: the response (success). */
  response?: { status: number; contentType: string; body: Uint8Array };
}

/** How to write a capture. */
export interface ConvertOptions {
  /** The scenario's name (also the prefix of its audio files). */
  name: string;
  /** Secrets to scrub from every text, whatever their shape (the API key the proxy used or saw). */
  secrets?: string[];
  /** The replay policy written into the scenario. */
  match?: "position" | "digest";
  /**
   * Recorded latencies (`delayMs`) are rounded to this many milliseconds (default `LATENCY_STEP_MS`);
   * 0 leaves them out, so that re-recordings of a deterministic upstream are byte-identical.
   */
  latencyStepMs?: number;
  /** Free text for `description` (no timestamps: keep re-recordings diff-clean). */
  description?: string;
}

/** A converted session: the scenario text (YAML) and the audio files beside it. */
export interface Converted {
  /** undefined when the session has nothing to replay (`/stt` batch, `/access-token`). */
  scenario?: ScenarioInput;
  yaml?: string;
  files: { name: string; data: Uint8Array }[];
  /** What was left out, and why. */
  notes: string[];
}

/** Query parameters never written (credentials; the mock's own scenario selector). */
const DROPPED_PARAMS = new Set(["api_key", "access_token", "speechwire_scenario"]);

/**
 * Recorded latencies are kept to this many milliseconds: a re-recording then diffs only where the
 * upstream's timing really moved (wall-clock noise below it would change every file every run).
 */
export const LATENCY_STEP_MS = 10;

/** A measured latency as written: rounded to `step` ms (default `LATENCY_STEP_MS`); a step of 0 leaves latencies out (0). */
export function latencyOf(ms: number, step: number = LATENCY_STEP_MS): number {
  return step > 0 ? Math.max(0, Math.round(ms / step) * step) : 0;
}

/** The converter's stand-ins for ids that differ on every run. */
export const REQUEST_ID_PLACEHOLDER = "(request)";
export const CONTEXT_ID_PLACEHOLDER = "(context)";

/** Scrubs `text`: the journal's redaction, then every listed secret (longest first). */
export function scrub(text: string, secrets: readonly string[] = []): string {
  let out = redactText(text);
  for (const s of [...secrets].filter((x) => x.length >= 4).sort((a, b) => b.length - a.length)) out = out.split(s).join(redactSecret(s));
  return out;
}

const isCommand = (endpoint: "stt-v1" | "stt-turns", text: string): boolean =>
  endpoint === "stt-v1" ? ["finalize", "close", "done"].includes(text.trim()) : /"type"\s*:\s*"close"/.test(text);

/** A server frame as written: parsed JSON with placeholders for the run's ids; undefined if not a JSON object. */
function frameOf(text: string, secrets: readonly string[]): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(scrub(text, secrets));
    if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
    const frame = value as Record<string, unknown>;
    if ("request_id" in frame) frame.request_id = REQUEST_ID_PLACEHOLDER;
    if ("context_id" in frame) frame.context_id = CONTEXT_ID_PLACEHOLDER;
    return frame;
  } catch {
    return undefined;
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Standard base64 to bytes (chunk `data`). */
function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

function cleanQuery(query: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(query).sort()) if (!DROPPED_PARAMS.has(key)) out[key] = redactText(query[key] as string);
  return out;
}

/** The `message` of an error body (JSON `message`/`error`/`title`, else the text), scrubbed and clipped. */
function errorMessage(body: string, secrets: readonly string[]): string {
  let message = body;
  try {
    const v = JSON.parse(body) as Record<string, unknown>;
    const m = v.message ?? v.error ?? v.title;
    if (typeof m === "string") message = m;
  } catch {
    // plain text body
  }
  return scrub(message, secrets).slice(0, 500);
}

/** Converts an STT WebSocket capture to its recorded session (events on the audio clock). */
function convertStt(capture: Capture, endpoint: "stt-v1" | "stt-turns", options: ConvertOptions, files: Converted["files"]): RecordedStt {
  const secrets = options.secrets ?? [];
  const encoding = capture.query.encoding ?? "pcm_s16le";
  const sampleRate = Number(capture.query.sample_rate ?? 16000) || 16000;
  const clock = new AudioClock(sttEncodingOf(encoding), sampleRate);
  const audio: Uint8Array[] = [];
  const events: RecordedSttEvent[] = [];
  const parse = endpoint === "stt-v1" ? sttV1.parseClientMessage : sttTurns.parseClientMessage;
  let texts = 0;
  let command: { index: number; t: number } | undefined;
  let clientClosed = false;
  for (const e of capture.events) {
    if (e.dir === "client") {
      if (e.kind === "audio") {
        audio.push(clock.push(e.data).slice());
        command = undefined;
      } else if (e.kind === "text") {
        // Frames the mock refuses itself are not counted (the replay counts the same way).
        if (!parse(e.text, { strictness: "validating", version: capture.version }).ok) continue;
        if (isCommand(endpoint, e.text)) command = { index: texts, t: e.t };
        texts += 1;
      } else if (e.kind === "close") {
        clientClosed = true;
      }
      continue;
    }
    const at = roundTime(clock.seconds);
    const tie = command ? { after: command.index, delayMs: latencyOf(e.t - command.t, options.latencyStepMs) } : {};
    if (e.kind === "text") {
      const frame = frameOf(e.text, secrets);
      if (frame) events.push({ at, ...tie, frame });
    } else if (e.kind === "close") {
      // The server's answer to the client's own close is not the server's doing.
      if (!clientClosed) events.push({ at, ...tie, close: { code: e.code, reason: scrub(e.reason, secrets) } });
    } else if (e.kind === "drop" && !clientClosed) {
      events.push({ at, ...tie, drop: true });
    }
  }
  const sent = concat(audio);
  if (options.match === "digest") {
    const marks = events.filter((e) => e.after === undefined).map((e) => byteOffsetOf(e.at, sampleRate, encoding));
    const digests = digestPrefixes(sent, marks);
    for (const e of events) if (e.after === undefined) e.digest = digests.get(byteOffsetOf(e.at, sampleRate, encoding)) as string;
  }
  const file = `${options.name}.client-audio.raw`;
  if (sent.length > 0) files.push({ name: file, data: sent });
  return {
    endpoint,
    query: cleanQuery(capture.query),
    audio: { encoding, sampleRate, bytes: sent.length, ...(sent.length > 0 ? { file } : {}) },
    events,
  };
}

/** Converts a `/tts/websocket` capture: one recorded context per context the client opened. */
function convertTtsSocket(capture: Capture, options: ConvertOptions, files: Converted["files"], notes: string[]): RecordedTts[] {
  const secrets = options.secrets ?? [];
  interface Ctx {
    requests: Record<string, unknown>[];
    last: { index: number; t: number; answered: boolean };
    frames: RecordedTts["frames"];
    audio: Uint8Array[];
  }
  const contexts = new Map<string, Ctx>();
  for (const e of capture.events) {
    if (e.kind !== "text") continue;
    if (e.dir === "client") {
      const parsed = tts.parseClientMessage(e.text, { strictness: "validating", version: capture.version });
      if (!parsed.ok) continue;
      const id = (parsed.value as { context_id?: string }).context_id ?? "";
      let ctx = contexts.get(id);
      if (!ctx) {
        ctx = { requests: [], last: { index: 0, t: e.t, answered: false }, frames: [], audio: [] };
        contexts.set(id, ctx);
      }
      ctx.requests.push(requestKey(JSON.parse(scrub(JSON.stringify(parsed.value), secrets)) as object));
      ctx.last = { index: ctx.requests.length - 1, t: e.t, answered: false };
      continue;
    }
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(e.text) as Record<string, unknown>;
    } catch {
      continue;
    }
    const ctx = typeof raw.context_id === "string" ? contexts.get(raw.context_id) : undefined;
    if (!ctx) {
      notes.push(`a server frame with no known context was left out: ${scrub(e.text, secrets).slice(0, 120)}`);
      continue;
    }
    const frame = frameOf(e.text, secrets) as Record<string, unknown>;
    let bytes: number | undefined;
    if (raw.type === "chunk" && typeof raw.data === "string") {
      const data = fromBase64(raw.data);
      ctx.audio.push(data);
      bytes = data.length;
      frame.data = "";
    }
    // The first answer to a request keeps its latency (time to first audio); the rest follow it.
    const delayMs = ctx.last.answered ? 0 : latencyOf(e.t - ctx.last.t, options.latencyStepMs);
    ctx.last.answered = true;
    ctx.frames.push({ after: ctx.last.index, delayMs, frame, ...(bytes !== undefined ? { bytes } : {}) });
  }
  return [...contexts.values()].map((ctx, i) => {
    const name = `${options.name}.tts-${String(i + 1).padStart(2, "0")}.raw`;
    files.push({ name, data: concat(ctx.audio) });
    return { endpoint: "tts", requests: ctx.requests, audio: name, frames: ctx.frames };
  });
}

/** Converts a `/tts/bytes` or `/tts/sse` capture (a success) to its recorded request. */
function convertTtsHttp(capture: Capture, endpoint: "tts-bytes" | "tts-sse", options: ConvertOptions, files: Converted["files"]): RecordedTts | undefined {
  const secrets = options.secrets ?? [];
  const body = capture.events.find((e) => e.dir === "client" && e.kind === "text");
  if (!body || body.kind !== "text" || !capture.response) return undefined;
  const parser = endpoint === "tts-bytes" ? ttsBytes.parseRequest : ttsSse.parseRequest;
  const parsed = parser(body.text, { strictness: "validating", version: capture.version });
  if (!parsed.ok) return undefined;
  const requests = [requestKey(JSON.parse(scrub(JSON.stringify(parsed.value), secrets)) as object)];
  const name = `${options.name}.audio.${endpoint === "tts-bytes" ? (capture.response.contentType.includes("wav") ? "wav" : capture.response.contentType.includes("mpeg") ? "mp3" : "raw") : "raw"}`;
  if (endpoint === "tts-bytes") {
    files.push({ name, data: capture.response.body });
    return { endpoint, requests, audio: name, contentType: capture.response.contentType, frames: [] };
  }
  const frames: RecordedTts["frames"] = [];
  const audio: Uint8Array[] = [];
  for (const block of new TextDecoder().decode(capture.response.body).split(/\n\n/)) {
    const line = block.split("\n").find((l) => l.startsWith("data:"));
    if (!line) continue;
    const text = line.slice(5).trimStart();
    const frame = frameOf(text, secrets);
    if (!frame) continue;
    let bytes: number | undefined;
    const raw = JSON.parse(text) as Record<string, unknown>;
    if (raw.type === "chunk" && typeof raw.data === "string") {
      const data = fromBase64(raw.data);
      audio.push(data);
      bytes = data.length;
      frame.data = "";
    }
    frames.push({ after: 0, delayMs: 0, frame, ...(bytes !== undefined ? { bytes } : {}) });
  }
  files.push({ name, data: concat(audio) });
  return { endpoint, requests, audio: name, frames };
}

/** Converts one captured session to a scenario and its audio files (pure: the caller writes them). */
export function convertCapture(capture: Capture, options: ConvertOptions): Converted {
  const files: Converted["files"] = [];
  const notes: string[] = [];
  const scenario: ScenarioInput = {
    name: options.name,
    description: options.description ?? `A recorded ${capture.endpoint} session.`,
  };
  if (capture.refused) {
    scenario.handshake = { status: capture.refused.status, message: errorMessage(capture.refused.body, options.secrets ?? []) };
  } else if (capture.endpoint === "stt-v1" || capture.endpoint === "stt-turns") {
    scenario.replay = { match: options.match ?? "position", stt: [convertStt(capture, capture.endpoint, options, files)] };
  } else if (capture.endpoint === "tts") {
    scenario.replay = { match: options.match ?? "position", tts: convertTtsSocket(capture, options, files, notes) };
  } else if (capture.endpoint === "tts-bytes" || capture.endpoint === "tts-sse") {
    const recorded = convertTtsHttp(capture, capture.endpoint, options, files);
    if (!recorded) return { files: [], notes: [`${capture.endpoint}: no successful response to record`] };
    scenario.replay = { match: options.match ?? "position", tts: [recorded] };
  } else {
    return { files: [], notes: [`${capture.endpoint} is relayed but not written (nothing to replay; an access token is a credential)`] };
  }
  return { scenario, yaml: stringify(scenario, { lineWidth: 0 }), files, notes };
}
