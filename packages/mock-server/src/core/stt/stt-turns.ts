/**
 * The `/stt/turns/websocket` core (PROTOCOL.md §3): `connected` on open, then the scenario's turn
 * events as the audio clock reaches them (no audio, no events: §3.5), JSON `config` and `close`.
 *
 * - `{"type":"close"}` drains: every event the received audio supports is sent, an open turn ends at
 *   that point (all its words if its speech already ended, else the words heard so far), then the
 *   socket closes with 1000. There is no `done` on this endpoint (§3.2).
 * - `config` is read at the `validating` level (ranges checked, unknown fields ignored); out of range
 *   or out of order (end < eager_end < start after merging with the session's values), or hints the
 *   model does not take → `error` 400 naming the field, nothing changes, and the socket stays open.
 *   Success gets no reply (update D4). Accepted settings and lists are kept (see `settings`, `lists`)
 *   but the script, not the thresholds, decides when events fire: a mock is scripted by design.
 * - Models with word timestamps (ink-preview) put `words` on `turn.update` (the words so far),
 *   `turn.eager_end` and `turn.end` (every word of the turn), left out until the turn's first word;
 *   models that take hints also report `languages` on `turn.eager_end` and `turn.end` (update D6).
 * - Anything else in a text frame (not JSON, an unknown `type`, the bare `close` / `finalize` of
 *   `/stt/websocket`) → `error` 400, socket open. After the close everything is ignored.
 */
import { findModel, sttTurns } from "@speechwire/protocol";
import { sampleLatency } from "../latency.js";
import { createRng, deriveSeed } from "../random.js";
import type { SessionCore } from "../types.js";
import { applyConfigLists, listsOfQuery, type SttLists } from "./config.js";
import { LoopCursor, roundTime, sharedScript, type TimedWord, type TurnEvent, type TurnEventType } from "./script.js";
import { AudioClock, audioFeeder, badInput, SttCore, SttSession, sttEncodingOf, type SttCoreOptions, type SttCoreParts } from "./session.js";
import { replayIfRecorded } from "./replay.js";
import { createEnergyDetector, createSpeechTracker } from "./vad.js";
import { splitTokens, wireWords, wordCount } from "./words.js";

/** Options of a turns session. */
export type SttTurnsCoreOptions = SttCoreOptions<sttTurns.Query>;

/** The turn settings of a session (§3.1), after the handshake and any `config`. */
export interface TurnSettings {
  start_threshold: number;
  eager_end_threshold: number;
  end_threshold: number;
  end_timeout_ms: number;
}

/** A turns core: a session core that also shows its current turn settings. */
export interface SttTurnsCore extends SessionCore {
  readonly settings: Readonly<TurnSettings>;
  /** The session's keyterms and language hints, after the handshake and any `config`. */
  readonly lists: SttLists;
}

interface Due {
  type: TurnEventType;
  at: number;
  /** Ordinal of the turn in the session (passes of a looping script count on). */
  turn: number;
  transcript?: string;
  iteration?: number;
  scriptTurn?: number;
  /** VAD mode: the word an update reveals, or the words a turn end reveals. */
  word?: TimedWord;
  rest?: TimedWord[];
}

interface OpenTurn {
  turn: number;
  transcript: string;
  iteration: number;
  scriptTurn: number;
  /** The turn's words on the stream's clock, as far as they are known (VAD: revealed so far). */
  words: TimedWord[];
}

/** Creates the sans-IO core of one `/stt/turns/websocket` session. */
export function createSttTurnsCore(options: SttTurnsCoreOptions): SttTurnsCore {
  const { query, scenario, requestId } = options;
  const script = sharedScript(scenario.stt);
  const clock = new AudioClock(sttEncodingOf(query.encoding), query.sample_rate);
  const session = new SttSession({ endpoint: "stt-turns", scenario, version: options.version, requestId, connection: options.connection });
  const latencyRng = createRng(deriveSeed(options.seed, `stt-turns:${options.connection}:turnEnd`));
  const d = sttTurns.TURN_SETTINGS;
  let settings: TurnSettings = {
    start_threshold: query.turn_start_threshold ?? d.start_threshold.default,
    eager_end_threshold: query.turn_eager_end_threshold ?? d.eager_end_threshold.default,
    end_threshold: query.turn_end_threshold ?? d.end_threshold.default,
    end_timeout_ms: query.turn_end_timeout_ms ?? d.end_timeout_ms.default,
  };

  let lists = listsOfQuery(query);
  const model = findModel(query.model);
  const withWords = model?.features.wordTimestamps === true;
  const withLanguages = model?.features.languageHints === true;

  const vadMode = scenario.stt.timing === "vad";
  const nTurns = Math.max(1, script.turns.length);
  const cursor = new LoopCursor<TurnEvent>(script.events, script.duration, script.loop);
  const detector = vadMode ? createEnergyDetector(clock.encoding, clock.sampleRate, options.vad) : undefined;
  const { turnStartDelay, eagerDelay, resumeDelay, endDelay } = script.timings;
  const tracker = vadMode
    ? createSpeechTracker(script, { turnStartDelay, eagerAfter: eagerDelay, resumeDelay, endAfter: endDelay }, options.vad)
    : undefined;

  let open: OpenTurn | undefined;

  const peek = (): Due | undefined => {
    if (tracker) return tracker.peek();
    const next = cursor.peek();
    if (!next) return undefined;
    const { item, at, iteration } = next;
    return { ...item, at, turn: iteration * nTurns + item.turn, iteration, scriptTurn: item.turn };
  };
  const shift = () => (tracker ? tracker.shift() : cursor.shift());

  const send = (type: TurnEventType | "connected", transcript?: string, delayMs?: number) => {
    // Field order of the §3.6 examples; words and languages after the transcript, as in the docs.
    let message: { type: string; [field: string]: unknown };
    if (transcript === undefined) {
      message = { type, request_id: requestId };
    } else {
      message = { type, transcript };
      const n = wordCount(transcript);
      // Left out until the turn has its first complete word (STT-WORDS).
      if (withWords && open && n > 0) message.words = wireWords(open.words.slice(0, n));
      if (withLanguages && n > 0 && type !== "turn.update") message.languages = [{ language: script.language, confidence: 1 }];
      message.request_id = requestId;
    }
    session.send(message, delayMs ? { delayMs } : {});
  };

  /** The words a turn will say, on the stream's clock (audio mode: the script's, shifted by the loop pass). */
  const scriptWords = (scriptTurn: number, iteration: number): TimedWord[] => {
    if (vadMode) return [];
    const offset = iteration * script.duration;
    return splitTokens((script.turns[scriptTurn]?.words ?? []).map((w) => ({ word: w.word, start: roundTime(w.start + offset), end: roundTime(w.end + offset) })));
  };

  const endTurn = (transcript: string) => {
    send("turn.end", transcript, Math.round(sampleLatency(scenario.latency?.turnEnd, latencyRng)));
    open = undefined;
  };

  const emit = (e: Due) => {
    if (open && e.word) open.words.push(...splitTokens([e.word]));
    if (open && e.rest) open.words.push(...splitTokens(e.rest));
    switch (e.type) {
      case "turn.start":
        open = { turn: e.turn, transcript: "", iteration: e.iteration ?? 0, scriptTurn: e.scriptTurn ?? 0, words: scriptWords(e.scriptTurn ?? 0, e.iteration ?? 0) };
        send("turn.start");
        return;
      case "turn.update":
      case "turn.eager_end":
        if (open) open.transcript = e.transcript ?? open.transcript;
        send(e.type, e.transcript ?? "");
        return;
      case "turn.resume":
        send("turn.resume");
        return;
      case "turn.end":
        endTurn(e.transcript ?? "");
        return;
    }
  };

  /** Sends every event and fires every audio fault due at `seconds`, in time order (events first on ties). */
  const release = (seconds: number) => {
    while (!session.finished) {
      // Most frames have nothing due: compare times before building the event.
      const at = tracker ? tracker.peek()?.at : cursor.nextAt();
      const fault = session.nextAudioFault();
      if (at !== undefined && at <= seconds && (fault === undefined || at <= fault)) {
        const e = peek() as Due;
        shift();
        emit(e);
      } else if (fault !== undefined && fault <= seconds) {
        session.fireAudioFaults(fault);
      } else {
        return;
      }
    }
  };

  const onAudio = audioFeeder(clock, detector && tracker ? { detector, tracker } : undefined, session, release);

  /** The words of the open turn heard so far (audio mode), or the tracker's cut (VAD mode). */
  const drainTranscript = (turn: OpenTurn): string => {
    let text: string;
    if (tracker) {
      // A turn.end already scheduled (held back by a delay) wins; otherwise cut the open stretch.
      let queued: Due | undefined;
      for (let e = tracker.peek(); e; e = tracker.peek()) {
        tracker.shift();
        // Updates held back (by a delay) still revealed their words.
        if (e.turn === turn.turn && e.word) turn.words.push(...splitTokens([e.word]));
        if (e.turn === turn.turn && e.type === "turn.end") queued = e;
      }
      const cut = queued ?? tracker.cut();
      if (cut && cut.turn === turn.turn && cut.rest) turn.words.push(...splitTokens(cut.rest));
      text = cut && cut.turn === turn.turn ? (cut.transcript ?? "") : turn.transcript;
    } else {
      const offset = turn.iteration * script.duration;
      const words = script.turns[turn.scriptTurn]?.words ?? [];
      text = words
        .filter((w) => roundTime(w.end + offset) <= clock.seconds)
        .map((w) => w.word)
        .join(" ");
    }
    // Transcripts never shrink within a turn (§3.3).
    return text.startsWith(turn.transcript) ? text : turn.transcript;
  };

  const onClose = () => {
    release(clock.seconds);
    if (session.finished) return;
    if (open) endTurn(drainTranscript(open));
    session.close(1000, "OK");
  };

  const onText = (text: string) => {
    const parsed = sttTurns.parseClientMessage(text, { strictness: "validating", version: options.version });
    if (!parsed.ok) {
      const title = parsed.error.reason === "unknown_type" ? "Unknown message type" : parsed.error.reason === "invalid_json" ? "Invalid JSON" : "Invalid message";
      session.sendError(badInput(title, parsed.error.message));
      return;
    }
    const message = parsed.value;
    if (message.type === "close") {
      onClose();
    } else if (message.type === "config") {
      // Nothing changes unless all of it is accepted; success gets no reply (update D4).
      const merged: TurnSettings = { ...settings };
      for (const key of ["start_threshold", "eager_end_threshold", "end_threshold", "end_timeout_ms"] as const) {
        const value = message.turn?.[key];
        if (value != null) merged[key] = value;
      }
      const applied = applyConfigLists(query.model, lists, message);
      const problem = sttTurns.checkThresholdOrder(merged) ?? ("problem" in applied ? applied.problem : undefined);
      if (problem) {
        session.sendError(badInput("Invalid config", problem));
      } else {
        settings = merged;
        if ("lists" in applied) lists = applied.lists;
      }
    } else {
      onAudio(message.data);
    }
  };

  const core = new SttTurnsCoreOf({ clock, session, onAudio, onText, onOpen: () => send("connected"), lists: () => lists }, () => settings);
  // A recorded scenario replays its recording instead of the script (issue 18).
  return replayIfRecorded(core, options, "stt-turns", sttTurns.parseClientMessage);
}

/** The turns core: an `SttCore` that also shows its turn settings. */
class SttTurnsCoreOf extends SttCore implements SttTurnsCore {
  readonly #settings: () => Readonly<TurnSettings>;

  constructor(parts: SttCoreParts, settings: () => Readonly<TurnSettings>) {
    super(parts);
    this.#settings = settings;
  }

  get settings(): Readonly<TurnSettings> {
    return this.#settings();
  }
}
