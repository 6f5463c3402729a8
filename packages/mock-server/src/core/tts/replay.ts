/**
 * Replay of recorded TTS (issue 18): a request that equals a recorded one gets the recorded frames
 * (or bytes) again, byte for byte — the audio from the recording's file, its timestamps, flush ids
 * and `done`, each frame after its recorded delay from the request — with the client's `context_id`.
 * A request with no recording is synthesized as usual, and the journal gets a warning (a `note`).
 *
 * Matching: the request as the protocol parser reads it, without `context_id`, keys sorted
 * (`canonicalRequest`): model, voice, transcript, output format, language, timestamps flags, … must
 * all be equal. On the WebSocket a context is matched by its first request, then each later message
 * of the context must equal the recorded next one; at the first that does not, the rest of the
 * context is synthesized (and a warning noted). Each recorded context is used once per connection.
 */
import { tts, type FrameInput } from "@speechwire/protocol";
import type { RecordedTts, Scenario } from "../../scenario/schema.js";
import type { CoreInput, CoreOutput, SessionCore } from "../types.js";
import { toBase64 } from "./synth.js";

/** A JSON value with object keys sorted, recursively (stable text for comparing and for files). */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = sortKeys(v);
  }
  return out;
}

/** A parsed request as recordings store it: `context_id` left out, keys sorted. */
export function requestKey(request: object): Record<string, unknown> {
  const { context_id: _ignored, ...rest } = request as Record<string, unknown>;
  return sortKeys(rest) as Record<string, unknown>;
}

/** `requestKey` as text: what two requests are compared by. */
export function canonicalRequest(request: object): string {
  return JSON.stringify(requestKey(request));
}

const decoded = new WeakMap<RecordedTts, Uint8Array | undefined>();

/** A recording's audio bytes (`base64:` inline, as the loader leaves it); undefined for a file that was never read. */
export function recordedAudio(recording: RecordedTts): Uint8Array | undefined {
  if (decoded.has(recording)) return decoded.get(recording);
  let bytes: Uint8Array | undefined;
  if (recording.audio.startsWith("base64:")) {
    const binary = atob(recording.audio.slice("base64:".length));
    bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  }
  decoded.set(recording, bytes);
  return bytes;
}

/** The recorded frames of `recording` answering its request `index`, as JSON text for `contextId`. */
export function replayFrames(recording: RecordedTts, index: number, contextId: string | undefined): { data: string; delayMs: number }[] {
  const audio = recordedAudio(recording) ?? new Uint8Array(0);
  let offset = 0;
  const out: { data: string; delayMs: number }[] = [];
  for (const f of recording.frames) {
    const start = offset;
    if (f.bytes !== undefined) offset += f.bytes;
    if (f.after !== index) continue;
    const frame: Record<string, unknown> = { ...f.frame };
    if (f.bytes !== undefined && "data" in frame) frame.data = toBase64(audio.subarray(start, start + f.bytes));
    if ("context_id" in frame && contextId !== undefined) frame.context_id = contextId;
    out.push({ data: JSON.stringify(frame), delayMs: f.delayMs });
  }
  return out;
}

/** The recordings of `endpoint` whose first request equals `request` (usable: their audio is loaded). */
export function findRecordings(scenario: Scenario, endpoint: RecordedTts["endpoint"], request: object): RecordedTts[] {
  const key = canonicalRequest(request);
  return (scenario.replay?.tts ?? []).filter(
    (r) => r.endpoint === endpoint && JSON.stringify(r.requests[0]) === key && recordedAudio(r) !== undefined,
  );
}

/** Whether a scenario has recorded TTS (so a miss deserves a warning). */
export function hasTtsReplay(scenario: Scenario): boolean {
  return (scenario.replay?.tts.length ?? 0) > 0;
}

/** The warning for a request no recording matches. */
export function unrecordedMessage(endpoint: string, request: object): string {
  const r = request as { transcript?: unknown; model_id?: unknown };
  const text = typeof r.transcript === "string" ? r.transcript : "";
  const shown = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  return `no recorded ${endpoint} request matches this one (model_id ${JSON.stringify(r.model_id)}, transcript ${JSON.stringify(shown)}): synthesized instead`;
}

interface Bound {
  recording?: RecordedTts;
  /** The index of the next request the context must send. */
  next: number;
}

/**
 * Wraps the `/tts/websocket` core `inner` of a scenario with recorded TTS: matched requests are
 * answered from the recording, everything else goes to `inner` (which synthesizes).
 */
export function createTtsReplayCore(scenario: Scenario, version: string, inner: SessionCore): SessionCore {
  const contexts = new Map<string, Bound>();
  const used = new Set<RecordedTts>();
  const parse = (frame: FrameInput) => tts.parseClientMessage(frame, { strictness: "validating", version });

  const onText = (input: CoreInput & { kind: "text" }): CoreOutput[] => {
    const parsed = parse(input.data);
    // What does not parse is the synthesizing core's to refuse.
    if (!parsed.ok) return inner.step(input);
    const message = parsed.value as { context_id?: string };
    const id = message.context_id ?? "";
    let bound = contexts.get(id);
    if (!bound) {
      const recording = findRecordings(scenario, "tts", message).find((r) => !used.has(r));
      if (recording) used.add(recording);
      bound = recording ? { recording, next: 0 } : { next: 0 };
      contexts.set(id, bound);
      if (!recording) return [{ kind: "note", rule: "replay/unrecorded-request", message: unrecordedMessage("tts", message) }, ...inner.step(input)];
    } else if (bound.recording && JSON.stringify(bound.recording.requests[bound.next]) !== canonicalRequest(message)) {
      bound.recording = undefined;
      const note: CoreOutput = { kind: "note", rule: "replay/unrecorded-request", message: `context ${JSON.stringify(id)} departs from its recording: ${unrecordedMessage("tts", message)}` };
      return [note, ...inner.step(input)];
    }
    if (!bound.recording) return inner.step(input);
    const index = bound.next;
    bound.next += 1;
    return replayFrames(bound.recording, index, message.context_id).map((f) =>
      f.delayMs > 0 ? { kind: "send", data: f.data, lane: id, delayMs: f.delayMs } : { kind: "send", data: f.data, lane: id },
    );
  };

  return {
    get audioSeconds() {
      return inner.audioSeconds;
    },
    open: () => inner.open(),
    step: (input: CoreInput): CoreOutput[] => (input.kind === "text" ? onText(input) : inner.step(input)),
  };
}
