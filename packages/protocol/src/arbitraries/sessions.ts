/**
 * fast-check arbitraries for whole grammar-valid sessions of each WebSocket endpoint, and mutations
 * that each break exactly one grammar rule (the rule id travels with the mutated session).
 */
import fc from "fast-check";
import type * as SttTurns from "../endpoints/stt-turns.js";
import type * as SttV1 from "../endpoints/stt-v1.js";
import type * as Tts from "../endpoints/tts.js";
import type { SessionEvent } from "../grammar/types.js";

/** A stt-v1 session event. */
export type SttV1Event = SessionEvent<SttV1.ClientMessage, SttV1.ServerMessage>;
/** A stt-turns session event. */
export type SttTurnsEvent = SessionEvent<SttTurns.ClientMessage, SttTurns.ServerMessage>;
/** A tts session event. */
export type TtsEvent = SessionEvent<Tts.ClientMessage, Tts.ServerMessage>;

/** A session broken on purpose: the events and the one rule they break. */
export interface MutatedSession<E> {
  rule: string;
  events: E[];
}

const client = <C>(message: C) => ({ from: "client" as const, message });
const server = <S>(message: S) => ({ from: "server" as const, message });
const serverClose = { from: "server" as const, close: { code: 1000, reason: "" } };

/** Audio bytes of 1–64 bytes (any content: the grammar does not read audio). */
const audioArb = fc.uint8Array({ minLength: 1, maxLength: 64 });

/** A word: ASCII, accented, CJK, emoji or combining marks; never empty. */
export const wordArb = fc.oneof(
  fc.constantFrom("Book", "a", "table", "for", "two.", "café", "naïve", "東京", "👋🏽", "e\u0301", "I'd"),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 6 }).filter((w) => w.trim() !== "" && !w.includes(" ")),
);

const joinWords = (words: readonly string[]) => words.join(" ");

// ---------------------------------------------------------------- stt-v1

/** One stretch of a stt-v1 session before closing. */
type V1Step = SttV1Event[];

function v1Steps(requestId: string): fc.Arbitrary<V1Step> {
  const transcript = (text: string, isFinal: boolean): SttV1.Transcript => ({
    type: "transcript",
    request_id: requestId,
    text,
    is_final: isFinal,
  });
  const finals = fc.array(wordArb.map((w) => server<SttV1.ServerMessage>(transcript(`${w} `, true))), { maxLength: 2 });
  const flushDone = server<SttV1.ServerMessage>({ type: "flush_done", request_id: requestId });
  return fc.oneof(
    audioArb.map((data) => [client<SttV1.ClientMessage>({ type: "audio", data })]),
    wordArb.map((w) => [server<SttV1.ServerMessage>(transcript(w, false))]),
    wordArb.map((w) => [server<SttV1.ServerMessage>(transcript(`${w} `, true))]),
    finals.map((f) => [client<SttV1.ClientMessage>({ type: "finalize" }), ...f, flushDone]),
    // More audio after a finalize lets interims of the new audio interleave.
    fc.tuple(audioArb, wordArb, finals).map(([data, w, f]) => [
      client<SttV1.ClientMessage>({ type: "finalize" }),
      client<SttV1.ClientMessage>({ type: "audio", data }),
      server<SttV1.ServerMessage>(transcript(w, false)),
      ...f,
      flushDone,
    ]),
  );
}

/** A grammar-valid stt-v1 session: audio, interims, finalize blocks, and maybe a close or legacy done. */
export function sttV1SessionArb(options: { closing?: boolean } = {}): fc.Arbitrary<{ requestId: string; body: SttV1Event[]; closing: SttV1Event[] }> {
  return fc.uuid().chain((requestId) =>
    fc.record({
      requestId: fc.constant(requestId),
      body: fc.array(v1Steps(requestId), { maxLength: 10 }).map((steps) => steps.flat()),
      closing: (options.closing === undefined ? fc.boolean() : fc.constant(options.closing)).chain((closes) =>
        closes
          ? fc.tuple(fc.constantFrom<"close" | "done">("close", "done"), fc.array(wordArb, { maxLength: 2 })).map(([command, words]) => [
              client<SttV1.ClientMessage>({ type: command }),
              ...words.map((w) => server<SttV1.ServerMessage>({ type: "transcript", request_id: requestId, text: `${w} `, is_final: true })),
              server<SttV1.ServerMessage>({ type: "done", request_id: requestId }),
              serverClose,
            ])
          : fc.constant([]),
      ),
    }),
  );
}

/** Every stt-v1 rule with a mutation that breaks it. */
export const sttV1Mutations: Record<string, fc.Arbitrary<MutatedSession<SttV1Event>>> = {
  "stt-v1/flush-done-answers-finalize": sttV1SessionArb().map((s) => ({
    rule: "stt-v1/flush-done-answers-finalize",
    events: [server<SttV1.ServerMessage>({ type: "flush_done", request_id: s.requestId }), ...s.body, ...s.closing],
  })),
  "stt-v1/finals-before-flush-done": sttV1SessionArb().map((s) => ({
    rule: "stt-v1/finals-before-flush-done",
    events: [
      ...s.body,
      client<SttV1.ClientMessage>({ type: "finalize" }),
      server<SttV1.ServerMessage>({ type: "transcript", request_id: s.requestId, text: "late", is_final: false }),
      server<SttV1.ServerMessage>({ type: "flush_done", request_id: s.requestId }),
      ...s.closing,
    ],
  })),
  "stt-v1/done-answers-close": sttV1SessionArb({ closing: false }).map((s) => ({
    rule: "stt-v1/done-answers-close",
    events: [...s.body, server<SttV1.ServerMessage>({ type: "done", request_id: s.requestId })],
  })),
  "stt-v1/nothing-after-done": sttV1SessionArb({ closing: true }).map((s) => ({
    rule: "stt-v1/nothing-after-done",
    events: [
      ...s.body,
      ...s.closing.slice(0, -1),
      server<SttV1.ServerMessage>({ type: "transcript", request_id: s.requestId, text: "after", is_final: true }),
      serverClose,
    ],
  })),
  "stt-v1/close-answered": sttV1SessionArb({ closing: true }).map((s) => ({
    rule: "stt-v1/close-answered",
    events: [...s.body, ...s.closing.filter((e) => !("message" in e && e.from === "server" && e.message.type === "done"))],
  })),
  "stt-v1/client-after-close": fc.tuple(sttV1SessionArb({ closing: true }), audioArb).map(([s, data]) => ({
    rule: "stt-v1/client-after-close",
    events: [...s.body, s.closing[0] as SttV1Event, client<SttV1.ClientMessage>({ type: "audio", data }), ...s.closing.slice(1)],
  })),
  "stt-v1/request-id-stable": sttV1SessionArb().map((s) => ({
    rule: "stt-v1/request-id-stable",
    events: [
      server<SttV1.ServerMessage>({ type: "transcript", request_id: s.requestId, text: "", is_final: false }),
      server<SttV1.ServerMessage>({ type: "transcript", request_id: `${s.requestId}-other`, text: "", is_final: false }),
      ...s.body,
      ...s.closing,
    ],
  })),
};

// ---------------------------------------------------------------- stt-turns

/** A scripted turn: its words, and after which words an eager end is followed by a resume. */
interface TurnScript {
  words: string[];
  resumesAfter: number[];
  finalEager: boolean;
}

const turnScriptArb: fc.Arbitrary<TurnScript> = fc
  .array(wordArb, { maxLength: 8 })
  .chain((words) =>
    fc.record({
      words: fc.constant(words),
      resumesAfter: fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, words.length - 1) }), { maxLength: 3 }).map((a) =>
        words.length > 1 ? [...a].sort((x, y) => x - y) : [],
      ),
      finalEager: fc.boolean(),
    }),
  );

/** The server events of one turn: start, cumulative updates, eager/resume cycles, end. */
export function turnEvents(script: TurnScript, requestId: string): SttTurns.ServerMessage[] {
  const out: SttTurns.ServerMessage[] = [{ type: "turn.start", request_id: requestId }];
  for (let i = 1; i <= script.words.length; i += 1) {
    const transcript = joinWords(script.words.slice(0, i));
    out.push({ type: "turn.update", request_id: requestId, transcript });
    if (script.resumesAfter.includes(i) && i < script.words.length) {
      out.push({ type: "turn.eager_end", request_id: requestId, transcript }, { type: "turn.resume", request_id: requestId });
    }
  }
  const final = joinWords(script.words);
  if (script.finalEager) out.push({ type: "turn.eager_end", request_id: requestId, transcript: final });
  out.push({ type: "turn.end", request_id: requestId, transcript: final });
  return out;
}

/** A generated turns session: its parts, so mutations can break one rule precisely. */
export interface TurnsSessionParts {
  requestId: string;
  scripts: TurnScript[];
  /** `connected` and every turn, with client audio and config interleaved. */
  body: SttTurnsEvent[];
  /** Client close (maybe inside the last turn's events) and the server's close; empty if none. */
  closing: SttTurnsEvent[];
}

const configArb: fc.Arbitrary<SttTurns.Config> = fc
  .record({ end_threshold: fc.constantFrom(0.05, 0.1, 0.2, 0.3), end_timeout_ms: fc.integer({ min: 640, max: 11200 }) }, { requiredKeys: [] })
  .map((turn) => ({ type: "config", turn }));

/** A grammar-valid turns session with any number of turns and eager/resume cycles. */
export function sttTurnsSessionArb(options: { minTurns?: number; closing?: boolean } = {}): fc.Arbitrary<TurnsSessionParts> {
  return fc
    .record({
      requestId: fc.uuid(),
      scripts: fc.array(turnScriptArb, { minLength: options.minTurns ?? 0, maxLength: 4 }),
      audioEvery: fc.array(fc.option(audioArb, { nil: undefined }), { minLength: 64, maxLength: 64 }),
      config: fc.option(configArb, { nil: undefined }),
      closes: options.closing === undefined ? fc.boolean() : fc.constant(options.closing),
      closeAt: fc.nat(),
    })
    .map(({ requestId, scripts, audioEvery, config, closes, closeAt }) => {
      const server: SttTurnsEvent[] = [{ from: "server", message: { type: "connected", request_id: requestId } }];
      for (const script of scripts) for (const m of turnEvents(script, requestId)) server.push({ from: "server", message: m });
      // Audio precedes the events it causes: interleave client audio before server events.
      const body: SttTurnsEvent[] = [];
      server.forEach((event, i) => {
        const data = audioEvery[i % audioEvery.length];
        if (data && i > 0) body.push({ from: "client", message: { type: "audio", data } });
        if (config && i === 1) body.push({ from: "client", message: config });
        body.push(event);
      });
      if (!closes) return { requestId, scripts, body, closing: [] };
      // The close may come while the last turn is still open: the server drains it afterwards.
      const lastTurn = scripts.length > 0 ? turnEvents(scripts[scripts.length - 1] as TurnScript, requestId).length : 0;
      const split = body.length - (lastTurn > 0 ? closeAt % (lastTurn + 1) : 0);
      const closing: SttTurnsEvent[] = [
        { from: "client", message: { type: "close" } },
        ...body.slice(split).filter((e) => e.from === "server"),
        serverClose,
      ];
      return { requestId, scripts, body: body.slice(0, split), closing };
    });
}

const turn = (requestId: string, ...messages: SttTurns.ServerMessage[]) => messages.map((m) => server<SttTurns.ServerMessage>(m));

/** Every stt-turns rule with a mutation that breaks it. */
export const sttTurnsMutations: Record<string, fc.Arbitrary<MutatedSession<SttTurnsEvent>>> = {
  "stt-turns/connected-first": sttTurnsSessionArb({ minTurns: 1 }).map((s) => ({
    rule: "stt-turns/connected-first",
    events: [...s.body.filter((e) => !(e.from === "server" && "message" in e && e.message.type === "connected")), ...s.closing],
  })),
  "stt-turns/connected-once": sttTurnsSessionArb().map((s) => ({
    rule: "stt-turns/connected-once",
    events: [...s.body, server<SttTurns.ServerMessage>({ type: "connected", request_id: s.requestId }), ...s.closing],
  })),
  "stt-turns/start-before-turn-events": fc.tuple(sttTurnsSessionArb({ closing: false }), fc.constantFrom("turn.update", "turn.eager_end", "turn.end")).map(
    ([s, type]) => ({
      rule: "stt-turns/start-before-turn-events",
      events: [...s.body, ...turn(s.requestId, { type, request_id: s.requestId, transcript: "stray" } as SttTurns.ServerMessage)],
    }),
  ),
  "stt-turns/one-end-per-turn": sttTurnsSessionArb({ closing: false }).map((s) => ({
    rule: "stt-turns/one-end-per-turn",
    events: [
      ...s.body,
      ...turn(s.requestId, { type: "turn.start", request_id: s.requestId }, { type: "turn.update", request_id: s.requestId, transcript: "cut" }),
      ...turn(s.requestId, { type: "turn.start", request_id: s.requestId }, { type: "turn.end", request_id: s.requestId, transcript: "" }),
    ],
  })),
  "stt-turns/eager-end-resolved": sttTurnsSessionArb({ closing: false }).map((s) => ({
    rule: "stt-turns/eager-end-resolved",
    events: [
      ...s.body,
      ...turn(
        s.requestId,
        { type: "turn.start", request_id: s.requestId },
        { type: "turn.eager_end", request_id: s.requestId, transcript: "so" },
        { type: "turn.eager_end", request_id: s.requestId, transcript: "so" },
        { type: "turn.end", request_id: s.requestId, transcript: "so" },
      ),
    ],
  })),
  "stt-turns/resume-after-eager-end": sttTurnsSessionArb({ closing: false }).map((s) => ({
    rule: "stt-turns/resume-after-eager-end",
    events: [
      ...s.body,
      ...turn(
        s.requestId,
        { type: "turn.start", request_id: s.requestId },
        { type: "turn.resume", request_id: s.requestId },
        { type: "turn.end", request_id: s.requestId, transcript: "" },
      ),
    ],
  })),
  "stt-turns/update-while-eager": sttTurnsSessionArb({ closing: false }).map((s) => ({
    rule: "stt-turns/update-while-eager",
    events: [
      ...s.body,
      ...turn(
        s.requestId,
        { type: "turn.start", request_id: s.requestId },
        { type: "turn.eager_end", request_id: s.requestId, transcript: "so" },
        { type: "turn.update", request_id: s.requestId, transcript: "so it" },
        { type: "turn.end", request_id: s.requestId, transcript: "so it" },
      ),
    ],
  })),
  "stt-turns/transcript-cumulative": fc.tuple(sttTurnsSessionArb({ closing: false }), fc.array(wordArb, { minLength: 2, maxLength: 5 })).map(
    ([s, words]) => ({
      rule: "stt-turns/transcript-cumulative",
      events: [
        ...s.body,
        ...turn(
          s.requestId,
          { type: "turn.start", request_id: s.requestId },
          { type: "turn.update", request_id: s.requestId, transcript: joinWords(words) },
          // Shrinks: drops the last word.
          { type: "turn.end", request_id: s.requestId, transcript: joinWords(words.slice(0, -1)) },
        ),
      ],
    }),
  ),
  "stt-turns/drained-at-close": sttTurnsSessionArb({ closing: false }).map((s) => ({
    rule: "stt-turns/drained-at-close",
    events: [
      ...s.body,
      client<SttTurns.ClientMessage>({ type: "close" }),
      ...turn(s.requestId, { type: "turn.start", request_id: s.requestId }, { type: "turn.update", request_id: s.requestId, transcript: "tail" }),
      serverClose,
    ],
  })),
  "stt-turns/client-after-close": fc.tuple(sttTurnsSessionArb({ closing: true }), audioArb).map(([s, data]) => ({
    rule: "stt-turns/client-after-close",
    events: [...s.body, s.closing[0] as SttTurnsEvent, client<SttTurns.ClientMessage>({ type: "audio", data }), ...s.closing.slice(1)],
  })),
  "stt-turns/request-id-stable": sttTurnsSessionArb({ closing: false }).map((s) => ({
    rule: "stt-turns/request-id-stable",
    events: [
      ...s.body,
      ...turn(
        s.requestId,
        { type: "turn.start", request_id: `${s.requestId}-other` },
        { type: "turn.end", request_id: `${s.requestId}-other`, transcript: "" },
      ),
    ],
  })),
};

// ---------------------------------------------------------------- tts

const BASE_REQUEST = {
  model_id: "sonic-3",
  voice: { mode: "id" as const, id: "6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81" },
  output_format: { container: "raw" as const, encoding: "pcm_s16le", sample_rate: 24000 },
  language: "en",
};

const request = (contextId: string, transcript: string, extra: Partial<Tts.GenerationRequest> = {}): Tts.GenerationRequest => ({
  ...BASE_REQUEST,
  context_id: contextId,
  transcript,
  ...extra,
});

const chunk = (contextId: string, flushId: number): Tts.Chunk => ({
  type: "chunk",
  data: "AAABAAIAAwA=",
  done: false,
  status_code: 206,
  step_time: 12.5,
  context_id: contextId,
  flush_id: flushId,
});

const ttsDone = (contextId: string) => server<Tts.ServerMessage>({ type: "done", done: true, status_code: 206, context_id: contextId });
const ttsFlushDone = (contextId: string, flushId: number) =>
  server<Tts.ServerMessage>({ type: "flush_done", done: false, flush_done: true, flush_id: flushId, status_code: 206, context_id: contextId });

/** One context's script: text pieces, which are followed by a flush, and how it ends. */
interface ContextScript {
  pieces: string[];
  flushAfter: boolean[];
  ending: "continue-false" | "empty-end" | "cancel";
  timestamps: boolean;
}

const contextScriptArb: fc.Arbitrary<ContextScript> = fc.array(wordArb, { minLength: 1, maxLength: 4 }).chain((pieces) =>
  fc.record({
    pieces: fc.constant(pieces.map((p) => `${p} `)),
    flushAfter: fc.array(fc.boolean(), { minLength: pieces.length, maxLength: pieces.length }),
    ending: fc.constantFrom<ContextScript["ending"]>("continue-false", "empty-end", "cancel"),
    timestamps: fc.boolean(),
  }),
);

/** The events of one context in causal order. */
export function contextEvents(contextId: string, script: ContextScript): TtsEvent[] {
  const out: TtsEvent[] = [];
  let flushId = 1;
  script.pieces.forEach((text, i) => {
    const last = i === script.pieces.length - 1;
    const endsHere = last && script.ending === "continue-false";
    out.push(client<Tts.ClientMessage>(request(contextId, text, { continue: !endsHere, add_timestamps: script.timestamps })));
    out.push(server<Tts.ServerMessage>(chunk(contextId, flushId)));
    if (script.timestamps) {
      out.push(
        server<Tts.ServerMessage>({
          type: "timestamps",
          done: false,
          status_code: 206,
          context_id: contextId,
          flush_id: flushId,
          word_timestamps: { words: [text.trim()], start: [0], end: [0.25] },
        }),
      );
    }
    if (script.flushAfter[i] && !endsHere) {
      out.push(client<Tts.ClientMessage>(request(contextId, "", { continue: true, flush: true, add_timestamps: script.timestamps })));
      out.push(ttsFlushDone(contextId, flushId));
      flushId += 1;
    }
  });
  if (script.ending === "empty-end") {
    out.push(client<Tts.ClientMessage>(request(contextId, "", { continue: false, add_timestamps: script.timestamps })));
  } else if (script.ending === "cancel") {
    out.push(client<Tts.ClientMessage>({ context_id: contextId, cancel: true }));
  }
  out.push(ttsDone(contextId));
  return out;
}

/** Interleaves lists, keeping each list's own order, as the choices say. */
function interleave<T>(lists: T[][], choices: number[]): T[] {
  const queues = lists.map((l) => [...l]);
  const out: T[] = [];
  let c = 0;
  for (;;) {
    const open = queues.filter((q) => q.length > 0);
    if (open.length === 0) return out;
    const q = open[(choices[c++ % Math.max(1, choices.length)] ?? 0) % open.length] as T[];
    out.push(q.shift() as T);
  }
}

/** A generated TTS session: its contexts' scripts and the interleaved events. */
export interface TtsSessionParts {
  contexts: { id: string; script: ContextScript }[];
  events: TtsEvent[];
}

const contextIdArb = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s !== "__proto__");

/** A grammar-valid TTS session: 1–3 contexts with flushes, timestamps and ends, interleaved on one socket. */
export function ttsSessionArb(): fc.Arbitrary<TtsSessionParts> {
  return fc
    .record({
      ids: fc.uniqueArray(contextIdArb, { minLength: 1, maxLength: 3 }),
      scripts: fc.array(contextScriptArb, { minLength: 3, maxLength: 3 }),
      choices: fc.array(fc.nat(), { minLength: 1, maxLength: 64 }),
    })
    .map(({ ids, scripts, choices }) => {
      const contexts = ids.map((id, i) => ({ id, script: scripts[i] as ContextScript }));
      return { contexts, events: interleave(contexts.map((c) => contextEvents(c.id, c.script)), choices) };
    });
}

const freshId = (s: TtsSessionParts, base: string) => {
  let id = base;
  while (s.contexts.some((c) => c.id === id)) id += "'";
  return id;
};

const isServerType = (e: TtsEvent, type: string, contextId?: string) =>
  e.from === "server" && "message" in e && e.message.type === type && (contextId === undefined || e.message.context_id === contextId);

/** Every tts rule with a mutation that breaks it. */
export const ttsMutations: Record<string, fc.Arbitrary<MutatedSession<TtsEvent>>> = {
  "tts/context-id-present": ttsSessionArb().map((s) => {
    const at = s.events.findIndex((e) => isServerType(e, "chunk"));
    const events = [...s.events];
    const { context_id: _dropped, ...rest } = (events[at] as { message: Tts.Chunk }).message;
    events[at] = server<Tts.ServerMessage>(rest as Tts.Chunk);
    return { rule: "tts/context-id-present", events };
  }),
  "tts/known-context": ttsSessionArb().map((s) => ({
    rule: "tts/known-context",
    events: [...s.events, server<Tts.ServerMessage>(chunk(freshId(s, "never-opened"), 1))],
  })),
  "tts/nothing-after-done": ttsSessionArb().map((s) => ({
    rule: "tts/nothing-after-done",
    events: [...s.events, server<Tts.ServerMessage>(chunk((s.contexts[0] as { id: string }).id, 99))],
  })),
  "tts/flush-id-sequence": ttsSessionArb().map((s) => {
    const id = freshId(s, "flush-skip");
    return {
      rule: "tts/flush-id-sequence",
      events: [
        ...s.events,
        client<Tts.ClientMessage>(request(id, "one ", { continue: true })),
        client<Tts.ClientMessage>(request(id, "", { continue: true, flush: true })),
        client<Tts.ClientMessage>(request(id, "", { continue: true, flush: true })),
        ttsFlushDone(id, 2),
        client<Tts.ClientMessage>(request(id, "", { continue: false })),
        ttsDone(id),
      ],
    };
  }),
  "tts/flush-done-answers-flush": ttsSessionArb().map((s) => {
    const id = freshId(s, "no-flush");
    return {
      rule: "tts/flush-done-answers-flush",
      events: [
        ...s.events,
        client<Tts.ClientMessage>(request(id, "one ", { continue: true })),
        ttsFlushDone(id, 1),
        client<Tts.ClientMessage>(request(id, "", { continue: false })),
        ttsDone(id),
      ],
    };
  }),
  "tts/chunk-flush-id-order": ttsSessionArb().map((s) => {
    const id = freshId(s, "backwards");
    return {
      rule: "tts/chunk-flush-id-order",
      events: [
        ...s.events,
        client<Tts.ClientMessage>(request(id, "one ", { continue: false })),
        server<Tts.ServerMessage>(chunk(id, 2)),
        server<Tts.ServerMessage>(chunk(id, 1)),
        ttsDone(id),
      ],
    };
  }),
  "tts/done-after-end": ttsSessionArb().map((s) => {
    const id = freshId(s, "early-done");
    return {
      rule: "tts/done-after-end",
      events: [
        ...s.events,
        client<Tts.ClientMessage>(request(id, "one ", { continue: true })),
        ttsDone(id),
      ],
    };
  }),
  "tts/done-sent": ttsSessionArb()
    .filter((s) => s.contexts.some((c) => c.script.ending !== "cancel"))
    .map((s) => {
      const target = s.contexts.find((c) => c.script.ending !== "cancel") as { id: string };
      return { rule: "tts/done-sent", events: s.events.filter((e) => !isServerType(e, "done", target.id)) };
    }),
  "tts/input-after-end": ttsSessionArb()
    .filter((s) => s.contexts.some((c) => c.script.ending !== "cancel"))
    .map((s) => {
      const target = s.contexts.find((c) => c.script.ending !== "cancel") as { id: string };
      return { rule: "tts/input-after-end", events: [...s.events, client<Tts.ClientMessage>(request(target.id, "more ", { continue: true }))] };
    }),
  "tts/repeat-context-fields": fc.tuple(ttsSessionArb(), fc.constantFrom<keyof typeof BASE_REQUEST>("model_id", "voice", "output_format", "language")).map(
    ([s, field]) => {
      const id = freshId(s, "drift");
      const changed: Partial<Tts.GenerationRequest> = {
        model_id: { model_id: "sonic-3.5" },
        voice: { voice: { mode: "id" as const, id: "00000000-0000-4000-8000-000000000000" } },
        output_format: { output_format: { container: "raw" as const, encoding: "pcm_f32le", sample_rate: 24000 } },
        language: { language: "fr" },
      }[field];
      return {
        rule: "tts/repeat-context-fields",
        events: [
          ...s.events,
          client<Tts.ClientMessage>(request(id, "one ", { continue: true })),
          client<Tts.ClientMessage>(request(id, "two ", { continue: false, ...changed })),
          ttsDone(id),
        ],
      };
    },
  ),
};
