/**
 * The `/stt/websocket` core (PROTOCOL.md §2): binary audio advances the clock; bare text `finalize`,
 * `close` and legacy `done`; server `transcript`, `flush_done`, `done`, `error`. No `connected` (§2.3).
 *
 * Transcripts:
 * - An interim (`is_final:false`) as each scripted word completes (its end ≤ the audio position),
 *   one per word, so any chunking of the same audio gives the same frames.
 * - `text` is the delta since the last final: the words not yet finalized, joined by single spaces.
 *   Spacing rule: a transcript starts with one space when text was finalized before it in the session
 *   (like Whisper's " word" tokens), never ends with one. Concatenating the finals verbatim (§2.3)
 *   therefore gives the script's words joined by single spaces, with no stray leading or trailing space.
 * - `words` are `[{word,start,end}]` (the docs' shape, §10.6) in stream-relative seconds rounded to
 *   10 ms, only for models with word timestamps (ink-whisper, ink-preview; not ink-2, update D11);
 *   `duration` is the audio those words span (first start to last end); `language` is the query's
 *   `language`, else the scenario's; `request_id` is the connection's, on every message (§10.5).
 * - A final carries every word heard and not yet finalized, on `finalize`, on `close` / `done`, and
 *   when silence after speech lasts longer than `max_silence_duration_secs` (ink-whisper; default
 *   0.8 s) or `DEFAULT_MAX_SILENCE_SECS` (ink-2, which has no such parameter).
 * - `finalize` → its finals (possibly none), then `flush_done` (transcripts first: §2.4).
 * - `close` / `done` → the remaining finals, `done`, then close 1000.
 * - A JSON `config` replaces `keyterms` / `language_hints` (no reply; a refused value → `error` 400,
 *   nothing changes). Any other text → `error` 400 in the version's shape; the socket stays open.
 * - The scenario's `latency.finalize` holds back the answer to `finalize` and `close` (its first frame,
 *   and so everything after it); auto-finalize is scripted on the audio clock and is not delayed.
 */
import { findModel, sttV1 } from "@speechwire/protocol";
import { sampleLatency } from "../latency.js";
import { createRng, deriveSeed } from "../random.js";
import type { SessionCore } from "../types.js";
import { LoopCursor, roundTime, sharedScript, silenceAfter, type ScriptWord, type TimedWord } from "./script.js";
import { applyConfigLists, listsOfQuery, type SttLists } from "./config.js";
import { AudioClock, audioFeeder, badInput, SttCore, SttSession, sttEncodingOf, type SttCoreOptions } from "./session.js";
import { replayIfRecorded } from "./replay.js";
import { createEnergyDetector, createSpeechTracker, type VadOptions } from "./vad.js";
import { splitTokens, wireWords } from "./words.js";

/** Auto-finalize silence when the query does not set one (and always for ink-2): 0.8 s, undocumented upstream (§11). */
export const DEFAULT_MAX_SILENCE_SECS = 0.8;

/** Options of a `/stt/websocket` session. */
export type SttV1CoreOptions = SttCoreOptions<sttV1.Query>;

/** The auto-finalize silence of a session: the query's for ink-whisper, else `DEFAULT_MAX_SILENCE_SECS`. */
export function maxSilenceOf(query: sttV1.Query): number {
  const whisper = query.model.startsWith("ink-whisper");
  return whisper && query.max_silence_duration_secs !== undefined && query.max_silence_duration_secs > 0
    ? query.max_silence_duration_secs
    : DEFAULT_MAX_SILENCE_SECS;
}

type V1Item = { kind: "word"; at: number; word: ScriptWord } | { kind: "finalize"; at: number };

/** A `/stt/websocket` core: a session core that also shows its current keyterms and hints. */
export interface SttV1Core extends SessionCore {
  readonly lists: SttLists;
}

/** Creates the sans-IO core of one `/stt/websocket` session. */
export function createSttV1Core(options: SttV1CoreOptions): SttV1Core {
  const { query, scenario, requestId } = options;
  const script = sharedScript(scenario.stt);
  const clock = new AudioClock(sttEncodingOf(query.encoding), query.sample_rate);
  const session = new SttSession({ endpoint: "stt-v1", scenario, version: options.version, requestId, connection: options.connection });
  const latencyRng = createRng(deriveSeed(options.seed, `stt-v1:${options.connection}:finalize`));
  const language = query.language ?? script.language;
  const maxSilence = maxSilenceOf(query);
  const withWords = findModel(query.model)?.features.wordTimestamps === true;
  let lists = listsOfQuery(query);

  // Audio mode: every word at its end, and an auto-finalize wherever the silence after a word is longer than maxSilence.
  const items: V1Item[] = [];
  script.words.forEach((word, i) => {
    items.push({ kind: "word", at: word.end, word });
    if (silenceAfter(script, i) > maxSilence) items.push({ kind: "finalize", at: roundTime(word.end + maxSilence) });
  });
  const cursor = new LoopCursor(items, script.duration, script.loop);

  const vadMode = scenario.stt.timing === "vad";
  const whisper = query.model.startsWith("ink-whisper");
  const vadOptions: VadOptions = {
    ...options.vad,
    ...(options.vad?.threshold === undefined && whisper && query.min_volume !== undefined && query.min_volume > 0 ? { threshold: query.min_volume } : {}),
  };
  const detector = vadMode ? createEnergyDetector(clock.encoding, clock.sampleRate, vadOptions) : undefined;
  // stt-v1 has no eager ends; an utterance ends after maxSilence of silence.
  const tracker = vadMode
    ? createSpeechTracker(script, { turnStartDelay: 0, eagerAfter: undefined, resumeDelay: 0, endAfter: maxSilence }, vadOptions)
    : undefined;

  let pending: TimedWord[] = [];
  let finalizedAny = false;

  const transcript = (isFinal: boolean) => {
    const first = pending[0] as TimedWord;
    const last = pending[pending.length - 1] as TimedWord;
    // Field order of the §2.6 examples.
    return {
      type: "transcript",
      is_final: isFinal,
      text: (finalizedAny ? " " : "") + pending.map((w) => w.word).join(" "),
      duration: roundTime(last.end - first.start),
      language,
      ...(withWords ? { words: wireWords(splitTokens(pending)) } : {}),
      request_id: requestId,
    };
  };

  const hear = (word: TimedWord) => {
    pending.push(word);
    session.send(transcript(false), { countAs: ["transcript.interim"] });
  };

  /** Sends one final with every pending word; returns whether there was one. */
  const finalize = (delayMs?: number): boolean => {
    if (pending.length === 0) return false;
    session.send(transcript(true), { countAs: ["transcript.final"], ...(delayMs ? { delayMs } : {}) });
    finalizedAny = true;
    pending = [];
    return true;
  };

  const release = (seconds: number) => {
    while (!session.finished) {
      const fault = session.nextAudioFault();
      let at: number | undefined;
      if (tracker) at = tracker.peek()?.at;
      else at = cursor.nextAt();
      if (at !== undefined && at <= seconds && (fault === undefined || at <= fault)) {
        if (tracker) {
          const e = tracker.shift();
          if (e?.type === "turn.update" && e.word) hear(e.word);
          else if (e?.type === "turn.end") {
            pending.push(...(e.rest ?? []));
            finalize();
          }
        } else {
          const next = cursor.shift();
          if (next?.item.kind === "word") {
            const offset = next.iteration * script.duration;
            const w = next.item.word;
            hear({ word: w.word, start: roundTime(w.start + offset), end: roundTime(w.end + offset) });
          } else if (next) {
            finalize();
          }
        }
      } else if (fault !== undefined && fault <= seconds) {
        session.fireAudioFaults(fault);
      } else {
        return;
      }
    }
  };

  const onAudio = audioFeeder(clock, detector && tracker ? { detector, tracker } : undefined, session, release);

  const latency = () => Math.round(sampleLatency(scenario.latency?.finalize, latencyRng));

  const onText = (text: string) => {
    const parsed = sttV1.parseClientMessage(text, { strictness: "validating", version: options.version });
    if (!parsed.ok) {
      session.sendError(badInput("Invalid message", parsed.error.message));
      return;
    }
    if (parsed.value.type === "config") {
      // Success gets no reply; a refused value changes nothing (update D4).
      const applied = applyConfigLists(query.model, lists, parsed.value);
      if ("problem" in applied) session.sendError(badInput("Invalid config", applied.problem));
      else lists = applied.lists;
      return;
    }
    const command = parsed.value.type;
    release(clock.seconds);
    if (session.finished) return;
    if (command === "finalize") {
      const delayMs = latency();
      const sent = finalize(delayMs);
      session.send({ type: "flush_done", request_id: requestId }, !sent && delayMs ? { delayMs } : {});
    } else if (command === "close" || command === "done") {
      // Speech cut off mid-utterance (VAD) keeps the words revealed so far; an ended one all its words.
      const cut = tracker?.cut();
      if (cut?.rest) pending.push(...cut.rest);
      const delayMs = latency();
      const sent = finalize(delayMs);
      session.send({ type: "done", request_id: requestId }, !sent && delayMs ? { delayMs } : {});
      session.close(1000, "OK");
    }
  };

  // No `connected` on this endpoint (§2.3): nothing on open.
  const core: SttV1Core = new SttCore({ clock, session, onAudio, onText, lists: () => lists });
  // A recorded scenario replays its recording instead of the script (issue 18).
  return replayIfRecorded(core, options, "stt-v1", sttV1.parseClientMessage);
}
