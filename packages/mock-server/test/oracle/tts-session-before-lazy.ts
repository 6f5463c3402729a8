/**
 * THE ORACLE, not product code: the `/tts/websocket` core as it was before generation became lazy
 * (commit 290e695, src/core/tts/session.ts, unchanged but for these import paths, this note and
 * ignoring the new `pull` input, which it never asks for). It
 * renders every generation whole in the step of its request; test/core-tts-pull.test.ts checks that
 * the lazy core emits, lane by lane, exactly what this one did, with the same delays from the same steps.
 */
/**
 * The sans-IO core of `/tts/websocket` (PROTOCOL.md §5): contexts multiplexed on one socket,
 * continuations, buffering (`max_buffer_delay_ms`), flushes, cancel, errors by version, scripted
 * latency and faults. Pure and deterministic: the same frames and ticks give the same outputs.
 *
 * Choices where PROTOCOL.md is silent (§11), each also noted where it is made:
 * - `cancel` drops what has not been generated and answers `done` (the old spec example shows a
 *   `done` after a cancel, and a client that waits for one then never hangs). A cancel for an unknown
 *   or already finished context gets nothing.
 * - An error ends only its context; the socket stays open (livekit-js treats 4xx as non-fatal).
 *   Any input on a context that has ended (`continue:false`, cancel, error) gets a 400 error.
 * - `flush_id` is on every chunk and timestamps message, from 1 (FLUSH-OLD), even with no flush.
 * - A word or an unfinished `<…` at the end of the text waits for the next input even with
 *   `max_buffer_delay_ms: 0`, so continuations concatenate verbatim ("Hel" + "lo" is one word).
 * - Scenario faults: `{message: n}` fires as the client's n-th frame (from 0, any kind) arrives, in
 *   place of handling it (a stall instead delays what it causes); `{event, index}` fires right after
 *   the server's index-th message of that type. `{audio}` triggers are about received audio (STT)
 *   and do not apply here.
 */
import {
  decodeJsonObject,
  encodeJson,
  shapesForVersion,
  toErrorEvent,
  tts,
  type ErrorShape,
  type FrameInput,
  type ParseFailure,
  type TtsEncoding,
} from "@speechwire/protocol";
import { sampleLatency } from "../../src/core/latency.js";
import { createRng, deriveSeed, type Rng } from "../../src/core/random.js";
import type { CoreInput, CoreOutput, SessionCore } from "../../src/core/types.js";
import type { Fault, Scenario } from "../../src/scenario/schema.js";
import { renderGeneration, synthConfigOf } from "../../src/core/tts/generate.js";
import { initialSynthState, type SynthConfig, type SynthState } from "../../src/core/tts/synth.js";
import { initialTextState, lastSentenceEnd, stateAfter, tokenize, type TextState, type Token, type TokenizeMode } from "../../src/core/tts/text.js";

/** What a TTS core needs to know about its connection. */
export interface TtsCoreOptions {
  /** The session's `Cartesia-Version` (selects error and voice shapes). */
  version: string;
  /** The connection's request id (sent in error events). */
  requestId: string;
  scenario: Scenario;
  /** Seeds the latency draws. */
  seed: number;
  /** 1-based number of this connection within the scenario (faults with `connections` use it). */
  connection: number;
}

/** Close codes after a fatal scripted error: 1011 (internal error) for 5xx, 1008 (policy) for 4xx. */
export const FATAL_CLOSE = { server: 1011, client: 1008 } as const;

/** Timer keys of buffer delays: one per context. */
const TIMER_PREFIX = "buffer:";

interface Context {
  id: string;
  /** The first request: later inputs must repeat its `REPEATED_FIELDS`. */
  first: tts.GenerationRequest;
  encoding: TtsEncoding;
  sampleRate: number;
  addTimestamps: boolean;
  addPhonemes: boolean;
  bufferDelayMs: number;
  config: SynthConfig;
  /** Text received but not generated yet. */
  buffer: string;
  text: TextState;
  synth: SynthState;
  /** The `flush_id` of what is generated now; the n-th flush moves it to n + 1. */
  flushId: number;
  /** `continue:false` received. */
  ended: boolean;
  /** `done` or an error sent (or cancelled): nothing more goes out for it. */
  finished: boolean;
  /** Waiting on the buffer timer. */
  waiting: boolean;
}

interface ErrorSpec {
  status: number;
  code: string | null;
  title: string;
  message: string;
}

/** JSON with sorted keys, so `{a,b}` and `{b,a}` compare equal. */
function stable(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  ) ?? "undefined";
}

class TtsCore implements SessionCore {
  readonly #version: string;
  readonly #requestId: string;
  readonly #scenario: Scenario;
  readonly #shape: ErrorShape;
  readonly #rng: Rng;
  readonly #faults: { fault: Fault; fired: boolean }[];
  readonly #contexts = new Map<string, Context>();
  /** Contexts an error ended before they opened (a fault on their first message): they stay ended. */
  readonly #endedUnopened = new Set<string>();
  readonly #events = new Map<string, number>();
  #out: CoreOutput[] = [];
  /** After a close or drop nothing more happens. */
  #dead = false;
  /**
   * A stall's delay, added to the next output: it is then due that much later, and by lane order so
   * is what follows it in its context (a barrier — close, drop, an error with no context — holds
   * everything after it). Within one generation the later pieces keep their pacing after it.
   */
  #pendingDelay = 0;
  #messages = 0;
  #anonymous = 0;
  #audioSeconds = 0;

  constructor(options: TtsCoreOptions) {
    this.#version = options.version;
    this.#requestId = options.requestId;
    this.#scenario = options.scenario;
    this.#shape = shapesForVersion(options.version).errors;
    this.#rng = createRng(deriveSeed(options.seed, `tts:${options.connection}`));
    this.#faults = options.scenario.faults
      .filter((f) => (f.endpoints === undefined || f.endpoints.includes("tts")) && (f.connections === undefined || options.connection <= f.connections))
      .map((fault) => ({ fault, fired: false }));
  }

  get audioSeconds(): number {
    return this.#audioSeconds;
  }

  open(): CoreOutput[] {
    // The server sends nothing until the first request (§5.1).
    return [];
  }

  step(input: CoreInput): CoreOutput[] {
    if (this.#dead || input.kind === "pull") return [];
    if (input.kind === "tick") this.#onTick(input.key ?? "");
    else this.#onFrame(input.data);
    const out = this.#out;
    this.#out = [];
    return out;
  }

  // ------------------------------------------------------------ input

  #onFrame(frame: FrameInput): void {
    const index = this.#messages;
    this.#messages += 1;
    // A message fault fires as the n-th message arrives, in place of handling it (a stall only delays).
    for (const armed of this.#faults) {
      const at = armed.fault.at;
      if (armed.fired || !("message" in at) || at.message !== index) continue;
      armed.fired = true;
      if (armed.fault.action.type === "stall") {
        this.#pendingDelay += armed.fault.action.seconds * 1000;
        continue;
      }
      this.#fire(armed.fault, peekContextId(frame));
      return;
    }
    const parsed = tts.parseClientMessage(frame, { strictness: "validating", version: this.#version });
    if (!parsed.ok) {
      this.#invalid(frame, parsed.error);
      return;
    }
    if (tts.isCancel(parsed.value)) this.#cancel(parsed.value.context_id);
    else this.#request(parsed.value);
  }

  /** A context's buffer delay is due (each waiting context has its own timer, keyed by its id). */
  #onTick(key: string): void {
    const ctx = key.startsWith(TIMER_PREFIX) ? this.#contexts.get(key.slice(TIMER_PREFIX.length)) : undefined;
    if (ctx?.waiting && !ctx.finished && !this.#dead) this.#release(ctx, "timer");
  }

  #request(request: tts.GenerationRequest): void {
    // context_id is optional in the 2025 spec (§10.20): such a request is a context of its own.
    const id = request.context_id ?? `${this.#requestId}-${(this.#anonymous += 1)}`;
    let ctx = this.#contexts.get(id);
    if (!ctx && this.#endedUnopened.has(id)) {
      this.#error({ status: 400, code: "invalid_request", title: "Invalid request", message: `context_id: context "${id}" has already ended; use a new context_id` }, id);
      return;
    }
    if (!ctx) {
      ctx = this.#openContext(id, request);
    } else {
      if (ctx.ended || ctx.finished) {
        this.#error({ status: 400, code: "invalid_request", title: "Invalid request", message: `context_id: context "${id}" has already ended; use a new context_id` }, id);
        return;
      }
      for (const field of tts.REPEATED_FIELDS) {
        if (stable(request[field] ?? undefined) !== stable(ctx.first[field] ?? undefined)) {
          this.#error(
            { status: 400, code: "invalid_request", title: "Invalid request", message: `${field}: must be the same on every input of context "${id}"` },
            id,
          );
          return;
        }
      }
      if (request.add_timestamps != null) ctx.addTimestamps = request.add_timestamps;
      if (request.add_phoneme_timestamps != null) ctx.addPhonemes = request.add_phoneme_timestamps;
      if (request.max_buffer_delay_ms != null) ctx.bufferDelayMs = request.max_buffer_delay_ms;
      ctx.config = synthConfigOf(request, ctx.config);
    }
    ctx.buffer += request.transcript;
    const ending = request.continue !== true;
    if (request.flush === true || ending) {
      this.#release(ctx, "final");
      if (this.#dead || ctx.finished) return;
      if (request.flush === true) {
        const flushDone: tts.FlushDone = { type: "flush_done", done: false, flush_done: true, flush_id: ctx.flushId, status_code: tts.STATUS_PARTIAL, context_id: id };
        ctx.flushId += 1;
        this.#send(flushDone, id);
        if (this.#dead || ctx.finished) return;
      }
      if (ending) {
        ctx.ended = true;
        // `done` only after every output of the context (§5.4): everything was generated above.
        const done: tts.Done = { type: "done", done: true, status_code: tts.STATUS_PARTIAL, context_id: id };
        this.#finish(ctx);
        this.#send(done, id);
      }
    } else if (ctx.bufferDelayMs === 0) {
      // "Generate immediately" (BUFFER), less a word or tag that the next piece may still extend.
      this.#release(ctx, "input");
    } else {
      this.#releaseSentences(ctx);
    }
  }

  #openContext(id: string, request: tts.GenerationRequest): Context {
    const ctx: Context = {
      id,
      first: request,
      // Validated against TTS_ENCODINGS by the validating schema.
      encoding: request.output_format.encoding as TtsEncoding,
      sampleRate: request.output_format.sample_rate,
      addTimestamps: request.add_timestamps === true,
      addPhonemes: request.add_phoneme_timestamps === true,
      // The current default (BUFFER, §10.17) for every version; livekit sends 0 explicitly.
      bufferDelayMs: request.max_buffer_delay_ms ?? tts.MAX_BUFFER_DELAY_MS.default,
      config: synthConfigOf(request),
      buffer: "",
      text: initialTextState(),
      synth: initialSynthState(request.output_format.sample_rate),
      flushId: 1,
      ended: false,
      finished: false,
      waiting: false,
    };
    this.#contexts.set(id, ctx);
    return ctx;
  }

  #cancel(id: string): void {
    const ctx = this.#contexts.get(id);
    // Unknown or already finished: nothing to stop and nothing to answer.
    if (!ctx || ctx.finished) return;
    // Generation here is instantaneous, so whatever started has been sent; drop the rest (CONTEXTS-OLD).
    this.#finish(ctx);
    const done: tts.Done = { type: "done", done: true, status_code: tts.STATUS_PARTIAL, context_id: id };
    this.#send(done, id);
  }

  /** A frame that does not parse: the error a real server would send, shaped by version. */
  #invalid(frame: FrameInput, failure: ParseFailure): void {
    const decoded = typeof frame === "string" ? decodeJsonObject(frame) : undefined;
    const raw = decoded?.ok ? decoded.value : undefined;
    const contextId = typeof raw?.context_id === "string" ? raw.context_id : undefined;
    if (failure.reason === "unexpected_binary") {
      this.#error(
        { status: 400, code: "invalid_request", title: "Invalid message", message: "binary frames are not accepted on /tts/websocket; send JSON text frames" },
        undefined,
      );
    } else if (failure.reason === "invalid_json") {
      this.#error({ status: 400, code: "invalid_request", title: "Invalid JSON", message: failure.message }, undefined);
    } else if (typeof raw?.model_id === "string" && failure.issues.some((i) => i.path === "model_id")) {
      this.#error({ status: 400, code: "model_not_found", title: "Invalid model", message: "The model is not valid, make sure it is a valid model ID." }, contextId);
    } else if (hasEmptyVoiceId(raw)) {
      // 404 for a voice that does not exist (CHG-2026); the code is the illustrative one of §5.7.
      this.#error({ status: 404, code: "voice_not_found", title: "Voice not found", message: "voice.id: no voice has an empty id" }, contextId);
    } else {
      this.#error({ status: 400, code: "invalid_request", title: "Invalid request", message: failure.message }, contextId);
    }
  }

  // ------------------------------------------------------------ generation

  #release(ctx: Context, mode: TokenizeMode): void {
    const t = tokenize(ctx.buffer, ctx.text, mode);
    ctx.buffer = ctx.buffer.slice(t.consumed);
    ctx.text = t.state;
    ctx.waiting = false;
    this.#generate(ctx, t.tokens);
  }

  /** With a buffer delay: generate up to the last sentence end; the rest waits for more or the timer. */
  #releaseSentences(ctx: Context): void {
    const t = tokenize(ctx.buffer, ctx.text, "input");
    const last = lastSentenceEnd(t.tokens);
    if (last >= 0) {
      const released = t.tokens.slice(0, last + 1);
      ctx.buffer = ctx.buffer.slice((released[last] as Token).end);
      ctx.text = stateAfter(released, ctx.text);
      this.#generate(ctx, released);
      if (this.#dead || ctx.finished) return;
    }
    // Whitespace alone does not wait: it goes out with the next text or at the end.
    if (/\S/.test(ctx.buffer)) this.#wait(ctx);
    else ctx.waiting = false;
  }

  #wait(ctx: Context): void {
    if (ctx.waiting) return;
    ctx.waiting = true;
    this.#out.push({ kind: "timer", afterMs: ctx.bufferDelayMs, key: `${TIMER_PREFIX}${ctx.id}` });
  }

  #generate(ctx: Context, tokens: readonly Token[]): void {
    if (tokens.length === 0) return;
    const want = { words: ctx.addTimestamps, phonemes: ctx.addPhonemes };
    const format = { encoding: ctx.encoding, sampleRate: ctx.sampleRate };
    const chunkMs = this.#scenario.tts.chunkMs;
    const generation = renderGeneration(tokens, ctx.synth, ctx.config, format, chunkMs, want);
    if (generation.samples === 0) return;
    this.#audioSeconds += generation.samples / ctx.sampleRate;
    // Delays count from now, this step (CoreOutput): each piece is due at the request → first chunk
    // latency (DESIGN "Latency"), plus, with pacing, the audio of the pieces before it ÷ pace, plus
    // any stall met on the way. The piece's first message carries that offset when it is new (the
    // first piece, or pacing); the rest follow by lane order — except a message a stall lands on,
    // which needs the whole offset for the stall to count from there.
    const pace = this.#scenario.tts.pace;
    let offset = sampleLatency(this.#scenario.latency?.ttsFirstChunk, this.#rng);
    let previous = 0;
    for (const [index, piece] of generation.pieces.entries()) {
      if (this.#dead || ctx.finished) return;
      if (pace > 0) offset += (previous * 1000) / ctx.sampleRate / pace;
      previous = piece.samples;
      let first = index === 0 || pace > 0;
      const emit = (message: tts.ServerMessage) => {
        offset += this.#send(message, ctx.id, first || this.#pendingDelay > 0 ? offset : 0);
        first = false;
      };
      const flushId = ctx.flushId;
      if (piece.words) {
        emit({ type: "timestamps", done: false, status_code: tts.STATUS_PARTIAL, context_id: ctx.id, flush_id: flushId, word_timestamps: piece.words });
        if (this.#dead || ctx.finished) return;
      }
      if (piece.phonemes) {
        emit({ type: "phoneme_timestamps", done: false, status_code: tts.STATUS_PARTIAL, context_id: ctx.id, flush_id: flushId, phoneme_timestamps: piece.phonemes });
        if (this.#dead || ctx.finished) return;
      }
      emit({ type: "chunk", data: piece.data, done: false, status_code: tts.STATUS_PARTIAL, step_time: piece.stepTime, context_id: ctx.id, flush_id: flushId });
    }
  }

  #finish(ctx: Context): void {
    ctx.finished = true;
    ctx.buffer = "";
    ctx.waiting = false;
  }

  // ------------------------------------------------------------ output

  /**
   * Queues a message in its context's lane (none without a context: then it follows everything);
   * counts it for event-triggered faults and fires them after it. Returns the stall delay it took on.
   */
  #send(message: tts.ServerMessage, contextId: string | undefined, delayMs = 0): number {
    const stalled = this.#pendingDelay;
    const total = delayMs + stalled;
    this.#pendingDelay = 0;
    const output: CoreOutput = { kind: "send", data: encodeJson(message) };
    if (contextId !== undefined) output.lane = contextId;
    if (total > 0) output.delayMs = total;
    this.#out.push(output);
    const index = this.#events.get(message.type) ?? 0;
    this.#events.set(message.type, index + 1);
    for (const armed of this.#faults) {
      const at = armed.fault.at;
      if (this.#dead) return stalled;
      if (armed.fired || !("event" in at) || at.event !== message.type || at.index !== index) continue;
      armed.fired = true;
      this.#fire(armed.fault, contextId);
    }
    return stalled;
  }

  /** Sends an error event for a context (or none) and ends that context; the socket stays open. */
  #error(spec: ErrorSpec, contextId: string | undefined): void {
    const ctx = contextId !== undefined ? this.#contexts.get(contextId) : undefined;
    if (ctx && !ctx.finished) this.#finish(ctx);
    // An error ends its context (`done: true`), even one that never opened: later input on it must
    // not start a fresh context that sends audio and `done` after the error.
    if (!ctx && contextId !== undefined) this.#endedUnopened.add(contextId);
    const event = toErrorEvent({ ...spec, requestId: this.#requestId, contextId }, "tts", this.#shape);
    // toErrorEvent builds the version's wire shape; it is a tts error event by construction.
    this.#send(event as tts.ErrorEvent, contextId);
  }

  #fire(fault: Fault, contextId: string | undefined): void {
    const action = fault.action;
    switch (action.type) {
      case "error":
        this.#error({ status: action.status, code: action.code, title: action.title, message: action.message }, contextId);
        if (action.fatal) this.#close(action.status >= 500 ? FATAL_CLOSE.server : FATAL_CLOSE.client, action.title);
        return;
      case "close":
        this.#close(action.code, action.reason);
        return;
      case "drop":
        this.#out.push(this.#pendingDelay > 0 ? { kind: "drop", delayMs: this.#pendingDelay } : { kind: "drop" });
        this.#pendingDelay = 0;
        this.#dead = true;
        return;
      case "stall":
        this.#pendingDelay += action.seconds * 1000;
        return;
    }
  }

  #close(code: number, reason: string): void {
    if (this.#dead) return;
    this.#out.push(this.#pendingDelay > 0 ? { kind: "close", code, reason, delayMs: this.#pendingDelay } : { kind: "close", code, reason });
    this.#pendingDelay = 0;
    this.#dead = true;
  }
}

/** The `context_id` of a JSON text frame, if it has one (for errors about frames that do not parse). */
function peekContextId(frame: FrameInput): string | undefined {
  if (typeof frame !== "string") return undefined;
  const decoded = decodeJsonObject(frame);
  return decoded.ok && typeof decoded.value.context_id === "string" ? decoded.value.context_id : undefined;
}

/** True when the request names a voice with an empty id (`"voice": ""` or `"voice": {"id": ""}`). */
function hasEmptyVoiceId(raw: Record<string, unknown> | undefined): boolean {
  const voice = raw?.voice;
  if (voice === "") return true;
  return typeof voice === "object" && voice !== null && (voice as Record<string, unknown>).id === "";
}

/** Creates the core of one `/tts/websocket` connection. */
export function createTtsCore(options: TtsCoreOptions): SessionCore {
  return new TtsCore(options);
}
