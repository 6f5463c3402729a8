/**
 * The sans-IO core of `/tts/websocket` (PROTOCOL.md §5): contexts multiplexed on one socket,
 * continuations, buffering (`max_buffer_delay_ms`), flushes, cancel, errors by version, scripted
 * latency and faults. Pure and deterministic: the same frames and ticks give the same outputs.
 *
 * Generation is lazy: released text is queued in its context's lane as a generation whose chunks are
 * rendered a bounded batch at a time, its first chunk in the request's own step and each next batch
 * when the edge pulls the lane (`more` / `pull`, see `CoreOutput`), so a context holds a few chunks,
 * not its whole audio, a client that stops reading stops its generation, and contexts requested
 * together each get a first chunk before any gets more. Text released whole
 * (`flush`, `continue:false`) is also tokenized and planned a window at a time as it renders (a long
 * text costs no more at once); text released by the buffer delay is planned when released, and so is
 * everything while `{event, index}` faults on audio messages are still to fire (they are counted
 * ahead). Everything else is decided when the request arrives, exactly as if the whole generation had
 * been sent then: which message an `{event, index}` fault lands on, the delays (latency, pacing,
 * stalls: counted from the request's step through `since`/`anchor`), the `flush_id`s, and
 * `flush_done`/`done`/error after the audio in the lane. A message without a context, a close and a
 * drop wait in the core until everything produced before them has been emitted. `audioSeconds`
 * counts audio as it is planned.
 *
 * Choices where PROTOCOL.md is silent (§11), each also noted where it is made:
 * - `cancel` stops the context's generation: chunks not yet emitted are dropped, what is already
 *   decided (`flush_done`, an error, a `done` already due) still goes out, and a context that had not
 *   ended gets `done` (the old spec example shows a `done` after a cancel, and a client that waits for
 *   one then never hangs). A cancel for an unknown context, or one whose `done` or error has gone
 *   out, gets nothing.
 * - A request's transcript, and a context's text not yet generated, are limited to
 *   `maxTranscriptChars` characters (no official limit is documented): past it the context gets a
 *   400 error event and ends.
 * - An error ends only its context; the socket stays open (livekit-js treats 4xx as non-fatal).
 *   Any input on a context that has ended (`continue:false`, cancel, error) gets a 400 error.
 * - `flush_id` is on every chunk and timestamps message, from 1 (FLUSH-OLD), even with no flush.
 * - A word or an unfinished `<…` at the end of the text waits for the next input even with
 *   `max_buffer_delay_ms: 0`, so continuations concatenate verbatim ("Hel" + "lo" is one word); so
 *   does a word whose glued punctuation reaches the end, as it may still grow ("Hi," + '"'),
 *   unless that punctuation ends a sentence (the service generates at sentence punctuation).
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
import { sampleLatency } from "../latency.js";
import { createRng, deriveSeed, type Rng } from "../random.js";
import { Fifo, type ScheduledOutput } from "../schedule.js";
import type { CoreInput, CoreOutput, SessionCore } from "../types.js";
import type { Fault, Scenario } from "../../scenario/schema.js";
import { encodeChunkFrame } from "./chunk-frame.js";
import { planGeneration, streamGeneration, synthConfigOf, type LazyGeneration } from "./generate.js";
import { ttsRequestRefusal } from "./refusal.js";
import { createTtsReplayCore, hasTtsReplay } from "./replay.js";
import { initialSynthState, type SynthConfig, type SynthState, type TextPlanner } from "./synth.js";
import { initialTextState, lastSentenceEnd, stateAfter, tokenize, type TextState, type Token, type TokenizeMode } from "./text.js";

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
  /** Characters of text planned at a time (default `PLAN_WINDOW_CHARS`; tests make it small). */
  planWindowChars?: number;
  /**
   * The most characters (JavaScript string length) a request's transcript, or a context's text not
   * yet generated, may have; more is refused with a 400 error event. Default `DEFAULT_MAX_TRANSCRIPT_CHARS`.
   */
  maxTranscriptChars?: number;
}

/**
 * The default transcript limit: Cartesia documents none; this is ~80,000 words (about 9 hours of this
 * mock's audio), far beyond a real utterance. (A request's text is kept whole until it is generated;
 * its plan and audio are made a window and a batch at a time.)
 */
export const DEFAULT_MAX_TRANSCRIPT_CHARS = 500_000;

/**
 * The 400 for a transcript over the limit (every TTS route says the same), e.g.
 * `transcriptTooLong("a transcript of 600000 characters", 500000)`.
 */
export function transcriptTooLong(what: string, limit: number): { status: 400; code: "invalid_request"; title: string; message: string } {
  return {
    status: 400,
    code: "invalid_request",
    title: "Transcript too long",
    message: `transcript: ${what} is over this server's limit of ${limit} characters per request and per context; split the text over several contexts or requests`,
  };
}

/** A batch (one per pull) stops after this many chunks… */
const BATCH_PIECES = 16;
/**
 * …or this much audio, whichever comes first (and after at least one chunk): a chunk or so, so that
 * contexts pulled round-robin interleave at chunk granularity (the edge bounds the pulls per turn).
 */
const BATCH_SECONDS = 0.1;
/**
 * …but in a step that is not a pull (a request's) after one: many requests read at once then each get
 * their first chunk before any gets its second (the rest comes by pulls, round-robin at the edge).
 */
const STEP_PIECES = 1;

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
  /**
   * A generation planned a window at a time whose end states (`text`, `synth` after it) are not
   * known yet: the next release on the context works them out first (`#settle`).
   */
  planner?: TextPlanner;
  /** The `flush_id` of what is generated now; the n-th flush moves it to n + 1. */
  flushId: number;
  /** `continue:false` received. */
  ended: boolean;
  /** `done` or an error sent (or cancelled): nothing more goes out for it. */
  finished: boolean;
  /** Waiting on the buffer timer. */
  waiting: boolean;
}

/** A generation queued in its context's lane: planned, rendered a piece at a time as the lane is pulled. */
interface Run {
  ctx: Context;
  generation: LazyGeneration;
  flushId: number;
  /** Messages of the run emitted so far. */
  message: number;
  /** The run ends after this many messages: a fault ended its context or the session there. */
  stopAt: number;
  /** Stall delays (ms) taken on by message n of the run, decided when it was produced. */
  stalls: Map<number, number>;
  /** The due offset of the current piece (latency, then + pacing + stalls), as the old loop kept it. */
  offset: number;
  /** Samples of the previous piece (pacing). */
  previous: number;
  /** Pieces emitted so far. */
  pieces: number;
}

/** What waits in a lane: an output decided already, or a generation still to render. */
type Item = { kind: "out"; output: ScheduledOutput; step: number } | { kind: "run"; run: Run; step: number };

/**
 * Everything produced between two barriers (a message without a context, a close, a drop): lanes of
 * waiting items, then the barrier that waits for all of them.
 */
interface Segment {
  lanes: Map<string, Fifo<Item>>;
  barrier?: { output: ScheduledOutput; step: number };
}

/** The message types of a run (their `{event, index}` faults are counted when the run is produced). */
const RUN_EVENTS = new Set(["chunk", "timestamps", "phoneme_timestamps"]);

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
  readonly #maxChars: number;
  readonly #planWindow: number | undefined;
  #out: CoreOutput[] = [];
  /** Timer requests of this step (they go after its sends, as they were made after the generation). */
  #timers: CoreOutput[] = [];
  /** What waits to be emitted, barrier by barrier; the first segment is the one being emitted. */
  readonly #segments: Segment[] = [{ lanes: new Map() }];
  /** Lanes that were told `more` and not pulled since. */
  readonly #awaiting = new Set<string>();
  /**
   * Lanes of the first segment that may need serving: after a serve every lane there awaits a pull
   * (each was drained and dropped, or told `more`), so only a lane pulled, made or un-awaited since can
   * need it. With one, a serve looks at that lane alone (a pull with 100 contexts open looked at all
   * 100); with more, at every lane in order, as always.
   */
  readonly #candidates = new Set<string>();
  /** Steps so far: each step's moment is an anchor for what it queued. */
  #step = 0;
  /** Queued items per producing step (its anchor is released when they are all out). */
  readonly #refs = new Map<number, number>();
  /** Unfired `{event, index}` faults on chunk / timestamps / phoneme_timestamps. */
  #runFaults: number;
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
    this.#runFaults = this.#faults.filter(({ fault }) => "event" in fault.at && RUN_EVENTS.has(fault.at.event)).length;
    this.#maxChars = options.maxTranscriptChars ?? DEFAULT_MAX_TRANSCRIPT_CHARS;
    this.#planWindow = options.planWindowChars;
  }

  get audioSeconds(): number {
    return this.#audioSeconds;
  }

  open(): CoreOutput[] {
    // The server sends nothing until the first request (§5.1).
    return [];
  }

  step(input: CoreInput): CoreOutput[] {
    this.#step += 1;
    // A pull is served even after a close or drop: what was produced before it still goes out first.
    if (input.kind === "pull") {
      this.#awaiting.delete(input.lane);
      this.#candidates.add(input.lane);
    }
    else if (this.#dead) return [];
    else if (input.kind === "tick") this.#onTick(input.key ?? "");
    else this.#onFrame(input.data);
    this.#serve(input.kind === "pull" ? BATCH_PIECES : STEP_PIECES);
    // What this step queued counts its delays from this step's moment.
    if (this.#refs.has(this.#step)) this.#out.push({ kind: "anchor", id: this.#step });
    const out = this.#timers.length > 0 ? [...this.#out, ...this.#timers] : this.#out;
    this.#out = [];
    this.#timers = [];
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
      if (request.transcript.length > this.#maxChars) {
        this.#error(this.#tooLong(`a transcript of ${request.transcript.length} characters`), id);
        return;
      }
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
      if (ctx.buffer.length + request.transcript.length > this.#maxChars) {
        const held = ctx.buffer.length > 0 ? ` (${ctx.buffer.length} held + ${request.transcript.length} new)` : "";
        this.#error(this.#tooLong(`${ctx.buffer.length + request.transcript.length} characters of text not yet generated${held}`), id);
        return;
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

  /** The 400 for text over `maxTranscriptChars`. */
  #tooLong(what: string): ErrorSpec {
    return transcriptTooLong(what, this.#maxChars);
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
    if (!ctx) return;
    // Stop generating: chunks not emitted yet are dropped (CONTEXTS-OLD); decided messages stay.
    this.#dropRuns(id);
    // Already finished: its done or error is on its way (or gone); nothing more to answer.
    if (ctx.finished) return;
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
    } else {
      this.#error(ttsRequestRefusal("tts", raw, failure), contextId);
    }
  }

  // ------------------------------------------------------------ generation

  #release(ctx: Context, mode: TokenizeMode): void {
    this.#settle(ctx);
    if (mode === "final" && this.#runFaults === 0) {
      // All of it goes: plan it a window at a time as it renders (a long text costs no more at once).
      const text = ctx.buffer;
      ctx.buffer = "";
      ctx.waiting = false;
      this.#stream(ctx, text);
      return;
    }
    const t = tokenize(ctx.buffer, ctx.text, mode);
    ctx.buffer = ctx.buffer.slice(t.consumed);
    ctx.text = t.state;
    ctx.waiting = false;
    this.#generate(ctx, t.tokens);
  }

  /** The tokenizer and synth states after a generation still being planned, before the context plans more. */
  #settle(ctx: Context): void {
    if (!ctx.planner) return;
    const end = ctx.planner.endStates();
    ctx.text = end.textState;
    ctx.synth = end.synth;
    ctx.planner = undefined;
  }

  /** With a buffer delay: generate up to the last sentence end; the rest waits for more or the timer. */
  #releaseSentences(ctx: Context): void {
    this.#settle(ctx);
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
    this.#timers.push({ kind: "timer", afterMs: ctx.bufferDelayMs, key: `${TIMER_PREFIX}${ctx.id}` });
  }

  /**
   * Plans a generation and queues it in the context's lane. Its messages are counted now, in order, as
   * if they were all sent now (faults fire on the same message as ever; a fault that ends the
   * context or the session cuts the run there); they are rendered when the lane is served.
   */
  #generate(ctx: Context, tokens: readonly Token[]): void {
    if (tokens.length === 0 || this.#dead || ctx.finished) return;
    const want = { words: ctx.addTimestamps, phonemes: ctx.addPhonemes };
    const format = { encoding: ctx.encoding, sampleRate: ctx.sampleRate };
    const generation = planGeneration(tokens, ctx.synth, ctx.config, format, this.#scenario.tts.chunkMs, want);
    const samples = generation.samples as number;
    if (samples === 0) return;
    this.#audioSeconds += samples / ctx.sampleRate;
    this.#countRun(this.#queueRun(ctx, generation));
  }

  /**
   * Queues all of a context's text (a final release) as a generation planned a window at a time:
   * only whether it has any audio is found out now. Its audio counts in `audioSeconds` as it is
   * planned. (With `{event, index}` faults still to fire on its messages, `#generate` plans it at
   * once instead: they are counted ahead.)
   */
  #stream(ctx: Context, text: string): void {
    if (text.length === 0 || this.#dead || ctx.finished) return;
    const want = { words: ctx.addTimestamps, phonemes: ctx.addPhonemes };
    const format = { encoding: ctx.encoding, sampleRate: ctx.sampleRate };
    const { generation, planner } = streamGeneration(text, ctx.text, ctx.synth, ctx.config, format, this.#scenario.tts.chunkMs, want, this.#planWindow);
    planner.onPlanned = (samples) => {
      this.#audioSeconds += samples / ctx.sampleRate;
    };
    ctx.planner = planner;
    if (!generation.hasAudio()) return;
    const run = this.#queueRun(ctx, generation);
    // No fault counts these messages: only a stall already pending lands, on the first one.
    if (this.#pendingDelay > 0) {
      run.stalls.set(0, this.#pendingDelay);
      this.#pendingDelay = 0;
    }
  }

  /** Queues a generation in its context's lane, with the first-chunk latency drawn for it now. */
  #queueRun(ctx: Context, generation: LazyGeneration): Run {
    // Delays count from this step (`since` once pulled): each piece is due at the request → first
    // chunk latency (DESIGN "Latency"), plus, with pacing, the audio of the pieces before it ÷ pace,
    // plus any stall met on the way.
    const run: Run = {
      ctx,
      generation,
      flushId: ctx.flushId,
      message: 0,
      stopAt: Number.POSITIVE_INFINITY,
      stalls: new Map(),
      offset: sampleLatency(this.#scenario.latency?.ttsFirstChunk, this.#rng),
      previous: 0,
      pieces: 0,
    };
    this.#lane(ctx.id).push({ kind: "run", run, step: this.#ref() });
    return run;
  }

  /**
   * Counts a run's messages for `{event, index}` faults, in the order they will go out, without
   * rendering: stalls met are remembered for the message they land on, and a fault that ends the
   * context or the session ends the run after its message (its own outputs queue behind the run).
   */
  #countRun(run: Run): void {
    const { ctx, generation } = run;
    let message = 0;
    const count = (type: string): boolean => {
      const stalled = this.#pendingDelay;
      this.#pendingDelay = 0;
      if (stalled > 0) run.stalls.set(message, stalled);
      if (this.#runFaults > 0) this.#count(type, ctx.id);
      message += 1;
      if (this.#dead || ctx.finished) {
        run.stopAt = message;
        return false;
      }
      return true;
    };
    for (const piece of generation.outline()) {
      // Past the last fault and stall nothing depends on the count: stop walking.
      if (this.#runFaults === 0 && this.#pendingDelay === 0) return;
      if (piece.words && !count("timestamps")) return;
      if (piece.phonemes && !count("phoneme_timestamps")) return;
      if (!count("chunk")) return;
    }
  }

  /**
   * Emits a run's next piece (its timestamps, phonemes and chunk) with the delays the old single-step
   * loop gave it; returns its samples, or 0 when the run is over.
   */
  #emitPiece(run: Run, step: number): number {
    if (run.message >= run.stopAt) return 0;
    const piece = run.generation.next();
    if (!piece) return 0;
    const { ctx } = run;
    const pace = this.#scenario.tts.pace;
    if (pace > 0) run.offset += (run.previous * 1000) / ctx.sampleRate / pace;
    run.previous = piece.samples;
    // The piece's first message carries its offset when it is new (the first piece, or pacing); the
    // rest follow by lane order — except a message a stall lands on, which needs the whole offset
    // for the stall to count from there.
    let first = run.pieces === 0 || pace > 0;
    run.pieces += 1;
    const emit = (message: tts.ServerMessage): boolean => {
      if (run.message >= run.stopAt) return false;
      const stalled = run.stalls.get(run.message) ?? 0;
      const delay = (first || stalled > 0 ? run.offset : 0) + stalled;
      run.offset += stalled;
      first = false;
      run.message += 1;
      // A piece's audio is `toBase64` output, which a chunk frame carries without JSON-scanning it.
      const output: ScheduledOutput = { kind: "send", data: message.type === "chunk" ? encodeChunkFrame(message) : encodeJson(message), lane: ctx.id };
      if (delay > 0) output.delayMs = delay;
      this.#emit(output, step);
      return true;
    };
    const flushId = run.flushId;
    if (piece.words && !emit({ type: "timestamps", done: false, status_code: tts.STATUS_PARTIAL, context_id: ctx.id, flush_id: flushId, word_timestamps: piece.words })) return piece.samples;
    if (piece.phonemes && !emit({ type: "phoneme_timestamps", done: false, status_code: tts.STATUS_PARTIAL, context_id: ctx.id, flush_id: flushId, phoneme_timestamps: piece.phonemes })) return piece.samples;
    emit({ type: "chunk", data: piece.data, done: false, status_code: tts.STATUS_PARTIAL, step_time: piece.stepTime, context_id: ctx.id, flush_id: flushId });
    return piece.samples;
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
    const output: ScheduledOutput = { kind: "send", data: encodeJson(message) };
    if (contextId !== undefined) output.lane = contextId;
    if (total > 0) output.delayMs = total;
    this.#produce(output);
    this.#count(message.type, contextId);
    return stalled;
  }

  /** Counts a message of a type and fires the `{event, index}` faults it meets. */
  #count(type: string, contextId: string | undefined): void {
    const index = this.#events.get(type) ?? 0;
    this.#events.set(type, index + 1);
    for (const armed of this.#faults) {
      const at = armed.fault.at;
      if (this.#dead) return;
      if (armed.fired || !("event" in at) || at.event !== type || at.index !== index) continue;
      armed.fired = true;
      if (RUN_EVENTS.has(type)) this.#runFaults -= 1;
      this.#fire(armed.fault, contextId);
    }
  }

  // ------------------------------------------------------------ the lanes

  /**
   * An output decided now: out at once when nothing it must follow is waiting, else queued behind
   * that (its lane's waiting items; for a barrier, everything).
   */
  #produce(output: ScheduledOutput): void {
    const last = this.#segments[this.#segments.length - 1] as Segment;
    const lane = output.kind === "send" ? output.lane : undefined;
    const free = this.#segments.length === 1 && (lane === undefined ? last.lanes.size === 0 : !last.lanes.has(lane));
    if (free) {
      this.#out.push(output);
    } else if (lane !== undefined) {
      this.#lane(lane).push({ kind: "out", output, step: this.#ref() });
    } else {
      last.barrier = { output, step: this.#ref() };
      this.#segments.push({ lanes: new Map() });
    }
  }

  /** The queue of a lane in the segment being produced. */
  #lane(lane: string): Fifo<Item> {
    const last = this.#segments[this.#segments.length - 1] as Segment;
    let fifo = last.lanes.get(lane);
    if (!fifo) {
      fifo = new Fifo();
      last.lanes.set(lane, fifo);
      if (this.#segments.length === 1) this.#candidates.add(lane);
    }
    return fifo;
  }

  /** Counts one more item queued by this step; returns the step. */
  #ref(): number {
    this.#refs.set(this.#step, (this.#refs.get(this.#step) ?? 0) + 1);
    return this.#step;
  }

  /** One item of `step` left the queues; its anchor goes once none is left (if it was ever named). */
  #unref(step: number): void {
    const left = (this.#refs.get(step) ?? 1) - 1;
    if (left > 0) {
      this.#refs.set(step, left);
      return;
    }
    this.#refs.delete(step);
    if (step !== this.#step) this.#out.push({ kind: "release", id: step });
  }

  /** Emits an output produced by `step` (counted from that step's anchor when it was an earlier one). */
  #emit(output: ScheduledOutput, step: number): void {
    this.#out.push(step === this.#step ? output : { ...output, since: step });
  }

  /**
   * Emits what may go now: a batch of every lane of the first segment that is not waiting for a
   * pull (it gets `more` if it has more), then, once that segment is empty, its barrier and the next.
   */
  #serve(maxPieces: number): void {
    const only = this.#candidates.size === 1 ? (this.#candidates.values().next().value as string) : undefined;
    this.#candidates.clear();
    for (let shifted = false; ; shifted = true) {
      const first = this.#segments[0] as Segment;
      const fifo = only !== undefined && !shifted ? first.lanes.get(only) : undefined;
      if (fifo !== undefined) this.#serveLane(first, only as string, fifo, maxPieces);
      // Every lane in order: more than one may need serving, or serving one un-awaited others (a fault).
      if (fifo === undefined || this.#candidates.size > 0) {
        this.#candidates.clear();
        for (const [lane, f] of first.lanes) this.#serveLane(first, lane, f, maxPieces);
      }
      if (first.lanes.size > 0 || this.#segments.length === 1) return;
      const barrier = first.barrier as NonNullable<Segment["barrier"]>;
      this.#segments.shift();
      this.#emit(barrier.output, barrier.step);
      this.#unref(barrier.step);
    }
  }

  /** Serves a lane of the first segment unless it awaits a pull: a batch, then dropped when empty or told `more`. */
  #serveLane(first: Segment, lane: string, fifo: Fifo<Item>, maxPieces: number): void {
    if (this.#awaiting.has(lane)) return;
    this.#drain(fifo, maxPieces);
    if (fifo.size === 0) {
      first.lanes.delete(lane);
    } else {
      this.#awaiting.add(lane);
      this.#out.push({ kind: "more", lane });
    }
  }

  /** Emits one batch (at most `maxPieces` items) from a lane's queue: decided outputs, and pieces of its generations. */
  #drain(fifo: Fifo<Item>, maxPieces: number): void {
    let pieces = 0;
    let seconds = 0;
    while (pieces < maxPieces && seconds < BATCH_SECONDS) {
      const item = fifo.peek();
      if (!item) return;
      if (item.kind === "out") {
        this.#emit(item.output, item.step);
        pieces += 1;
      } else {
        const samples = this.#emitPiece(item.run, item.step);
        if (samples > 0) {
          pieces += 1;
          seconds += samples / item.run.ctx.sampleRate;
          continue;
        }
      }
      fifo.shift();
      this.#unref(item.step);
    }
  }

  /** Drops the generations still queued for a context (a cancel): their pieces are never rendered. */
  #dropRuns(lane: string): void {
    for (const [i, segment] of this.#segments.entries()) {
      const fifo = segment.lanes.get(lane);
      if (!fifo) continue;
      fifo.retain((item) => {
        if (item.kind === "out") return true;
        this.#unref(item.step);
        return false;
      });
      if (fifo.size === 0) segment.lanes.delete(lane);
      // What is left (decided messages) goes out without waiting for another pull.
      if (i === 0) {
        this.#awaiting.delete(lane);
        this.#candidates.add(lane);
      }
    }
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
        this.#produce(this.#pendingDelay > 0 ? { kind: "drop", delayMs: this.#pendingDelay } : { kind: "drop" });
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
    this.#produce(this.#pendingDelay > 0 ? { kind: "close", code, reason, delayMs: this.#pendingDelay } : { kind: "close", code, reason });
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

/** Creates the core of one `/tts/websocket` connection (pull it when it says `more`, see `CoreOutput`). */
export function createTtsCore(options: TtsCoreOptions): SessionCore {
  const core = new TtsCore(options);
  // A scenario with recorded TTS answers recorded requests from the recording (issue 18).
  return hasTtsReplay(options.scenario) ? createTtsReplayCore(options.scenario, options.version, core) : core;
}
