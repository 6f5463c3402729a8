/**
 * Compiles a scenario's `stt` script into a timeline on the audio clock (seconds of audio received):
 * every word with its start and end, the turn events of `/stt/turns/websocket`, and the same script
 * read as `/stt/websocket` utterances.
 *
 * Rules (PROTOCOL.md §3.3–§3.4 and the scenario schema):
 * - A turn is lead silence, then speech and pause segments, then end silence. Words of a speech
 *   segment follow each other with the segment's gap; a pause replaces the gap between the two words
 *   around it. Pauses before the first word lengthen the lead silence; pauses after the last word
 *   lengthen the end silence (they never produce `turn.eager_end`; `eagerBeforeEnd` does that).
 * - `turn.start` = first word start + `turnStartDelay`.
 * - `turn.update` after the end of each word that more speech follows without an eager pause, with the
 *   turn's words so far joined by single spaces. The word before an eager pause is reported by that
 *   pause's `turn.eager_end` and the turn's last word by `turn.end` (or the eager end before it), so no
 *   update repeats the transcript the next event carries: that is the shape of the §3.6 example.
 * - `turn.eager_end` = pause start + `eagerDelay`; `turn.resume` = speech restart + `resumeDelay`.
 * - `eagerBeforeEnd`: `turn.eager_end` = last word end + `eagerDelay`, before the end.
 * - `turn.end` = last word end + `endDelay`, the full transcript. A turn with no words is noise: it
 *   starts `turnStartDelay` after the lead silence and ends `endDelay` after its pauses, with `""`.
 * - Events keep their logical order: an event is never earlier than the one before it (a delay that
 *   would put it earlier is clamped), so the grammar holds for any timings.
 * - Times are rounded to the microsecond so that positions computed from whole samples
 *   (samples ÷ sample rate) compare exactly with scripted times like 0.3 + 0.08.
 */
import type { SttScript } from "../../scenario/schema.js";

/** A word with its position in the audio, in seconds. */
export interface TimedWord {
  word: string;
  start: number;
  end: number;
}

/** A word of the script: its turn and its index within the turn. */
export interface ScriptWord extends TimedWord {
  turn: number;
  index: number;
}

/** The event types of a turn (§3.3). */
export type TurnEventType = "turn.start" | "turn.update" | "turn.eager_end" | "turn.resume" | "turn.end";

/** A scheduled turn event: due once the audio clock reaches `at`. */
export interface TurnEvent {
  type: TurnEventType;
  at: number;
  /** Index of the turn in the script. */
  turn: number;
  /** update, eager_end and end carry the cumulative transcript. */
  transcript?: string;
}

/** One compiled turn. */
export interface CompiledTurn {
  index: number;
  /** Where the turn's audio starts (its lead silence). */
  start: number;
  /** First word start (or, for an empty turn, the end of its lead silence). */
  speechStart: number;
  /** Last word end (or, for an empty turn, the end of its pauses). */
  speechEnd: number;
  /** Where the turn's audio ends (after its end silence); the next turn starts here. */
  end: number;
  words: ScriptWord[];
  /** The words joined by single spaces (`""` for an empty turn). */
  text: string;
}

/** A script on the audio clock. */
export interface CompiledScript {
  turns: CompiledTurn[];
  /** Every word, in order. */
  words: ScriptWord[];
  /** Every turn event, in logical order, with non-decreasing `at`. */
  events: TurnEvent[];
  /** Seconds of audio the script lasts (one pass). */
  duration: number;
  /** Whether the script repeats (`afterScript: loop`) with a period of `duration`. */
  loop: boolean;
  /** Every word of every turn joined by single spaces: what the whole session says. */
  text: string;
  language: string;
  timings: SttScript["timings"];
}

/** An utterance of `/stt/websocket`: words with no silence longer than the auto-finalize threshold. */
export interface Utterance {
  words: TimedWord[];
  text: string;
  start: number;
  end: number;
  /** When silence auto-finalizes it: last word end + max silence; `undefined` if speech never pauses that long. */
  finalizeAt: number | undefined;
}

/** Rounds seconds to the microsecond (see the module comment). */
export function roundTime(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}

interface Piece {
  word: string;
  duration: number;
  gap: number;
}

type Item = { kind: "word"; piece: Piece } | { kind: "pause"; seconds: number; eager: boolean };

function itemsOf(script: SttScript, turn: SttScript["turns"][number]): Item[] {
  const items: Item[] = [];
  for (const segment of turn.segments) {
    if ("pause" in segment) {
      items.push({ kind: "pause", seconds: segment.pause, eager: segment.eager });
    } else if ("say" in segment) {
      const duration = segment.wordSeconds ?? script.wordSeconds;
      const gap = segment.gapSeconds ?? script.gapSeconds;
      for (const word of segment.say.split(/\s+/u).filter((w) => w !== "")) items.push({ kind: "word", piece: { word, duration, gap } });
    } else {
      for (const w of segment.words) {
        items.push({ kind: "word", piece: { word: w.word, duration: w.duration, gap: w.gapAfter ?? script.gapSeconds } });
      }
    }
  }
  return items;
}

/** Compiles an `stt` script (defaults already filled in by the scenario schema) into its timeline. */
export function compileScript(script: SttScript): CompiledScript {
  const { turnStartDelay, eagerDelay, resumeDelay, endDelay } = script.timings;
  const turns: CompiledTurn[] = [];
  const words: ScriptWord[] = [];
  const events: TurnEvent[] = [];
  let last = 0;
  // Logical order first, time second: clamping keeps `at` non-decreasing.
  const push = (type: TurnEventType, at: number, turn: number, transcript?: string) => {
    last = Math.max(last, roundTime(at));
    events.push(transcript === undefined ? { type, at: last, turn } : { type, at: last, turn, transcript });
  };

  let t = 0;
  script.turns.forEach((turn, turnIndex) => {
    const start = t;
    t += turn.leadSilence;
    const items = itemsOf(script, turn);
    const firstWord = items.findIndex((i) => i.kind === "word");
    const lastWord = items.length - 1 - [...items].reverse().findIndex((i) => i.kind === "word");
    const turnWords: ScriptWord[] = [];
    // Whether an eager pause follows the word of each index (pauses between two words only).
    const eagerAfter: boolean[] = [];
    let gap = 0;
    let pausedSinceWord = false;
    let eagerPause = false;
    items.forEach((item, i) => {
      if (item.kind === "pause") {
        t += item.seconds;
        if (firstWord >= 0 && i > firstWord && i < lastWord) {
          pausedSinceWord = true;
          eagerPause ||= item.eager;
        }
        return;
      }
      if (turnWords.length > 0) {
        eagerAfter[turnWords.length - 1] = pausedSinceWord && eagerPause;
        if (!pausedSinceWord) t += gap;
      }
      const w: ScriptWord = {
        word: item.piece.word,
        start: roundTime(t),
        end: roundTime(t + item.piece.duration),
        turn: turnIndex,
        index: turnWords.length,
      };
      t += item.piece.duration;
      gap = item.piece.gap;
      pausedSinceWord = false;
      eagerPause = false;
      turnWords.push(w);
    });

    const firstStart = turnWords[0]?.start;
    const lastEnd = turnWords[turnWords.length - 1]?.end;
    // An empty turn is noise: it "speaks" from the end of its lead silence to the end of its pauses.
    const speechStart = firstStart ?? roundTime(start + turn.leadSilence);
    const speechEnd = lastEnd ?? roundTime(t);
    if (lastEnd !== undefined) t = Math.max(t, lastEnd);
    t += turn.endSilence;

    const transcriptTo = (n: number) =>
      turnWords
        .slice(0, n)
        .map((w) => w.word)
        .join(" ");
    push("turn.start", speechStart + turnStartDelay, turnIndex);
    turnWords.forEach((w, k) => {
      const next = turnWords[k + 1];
      if (!next) return;
      if (eagerAfter[k]) {
        push("turn.eager_end", w.end + eagerDelay, turnIndex, transcriptTo(k + 1));
        push("turn.resume", next.start + resumeDelay, turnIndex);
      } else {
        push("turn.update", w.end, turnIndex, transcriptTo(k + 1));
      }
    });
    const text = transcriptTo(turnWords.length);
    if (turn.eagerBeforeEnd) push("turn.eager_end", speechEnd + eagerDelay, turnIndex, text);
    push("turn.end", speechEnd + endDelay, turnIndex, text);

    turns.push({ index: turnIndex, start: roundTime(start), speechStart, speechEnd, end: roundTime(t), words: turnWords, text });
    words.push(...turnWords);
  });

  const duration = roundTime(t);
  return {
    turns,
    words,
    events,
    duration,
    // A script with no audio cannot repeat (it would loop forever without advancing the clock).
    loop: script.afterScript === "loop" && duration > 0,
    text: words.map((w) => w.word).join(" "),
    language: script.language,
    // A copy: the shared, frozen script must not freeze the scenario's own object.
    timings: { ...script.timings },
  };
}

/** Compiled scripts by the scenario script they came from: sessions of one scenario share one. */
const SHARED = new WeakMap<SttScript, CompiledScript>();

/**
 * The compiled timeline of a scenario's `stt` script, computed once per script object and shared by
 * every session of that scenario (about 5.6 KiB of objects and strings a session used to rebuild).
 * It is deeply frozen: a core that tried to change it would throw, not change its neighbours' sessions.
 * Scenario scripts are immutable once parsed (the registry replaces a scenario, never edits it).
 */
export function sharedScript(script: SttScript): CompiledScript {
  let compiled = SHARED.get(script);
  if (!compiled) {
    compiled = deepFreeze(compileScript(script));
    SHARED.set(script, compiled);
  }
  return compiled;
}

/** Freezes `value` and everything reachable from it (compiled scripts are plain data: no cycles). */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Seconds of silence after word `i` before the next word (across a loop boundary when the script loops). */
export function silenceAfter(script: CompiledScript, i: number): number {
  const word = script.words[i];
  if (!word) return Infinity;
  const next = script.words[i + 1];
  if (next) return roundTime(next.start - word.end);
  const first = script.words[0];
  return script.loop && first ? roundTime(script.duration - word.end + first.start) : Infinity;
}

/**
 * The script read as `/stt/websocket` utterances (one pass): words grouped wherever the silence
 * between them is longer than `maxSilence` (the auto-finalize threshold, §2.4).
 */
export function scriptUtterances(script: CompiledScript, maxSilence: number): Utterance[] {
  const out: Utterance[] = [];
  let current: TimedWord[] = [];
  script.words.forEach((w, i) => {
    current.push({ word: w.word, start: w.start, end: w.end });
    const silence = silenceAfter(script, i);
    const last = i === script.words.length - 1;
    if (silence > maxSilence || last) {
      const first = current[0] as TimedWord;
      out.push({
        words: current,
        text: current.map((x) => x.word).join(" "),
        start: first.start,
        end: w.end,
        finalizeAt: silence > maxSilence ? roundTime(w.end + maxSilence) : undefined,
      });
      current = [];
    }
  });
  return out;
}

/** An item of a looping schedule, with its offset time and the pass (`iteration`) it belongs to. */
export interface Scheduled<T> {
  item: T;
  at: number;
  iteration: number;
}

/**
 * Walks a schedule of one script pass, repeating it every `period` seconds when `loop` is set.
 * Times never decrease: an item of the next pass is never due before the last one of this pass.
 */
export class LoopCursor<T extends { at: number }> {
  #index = 0;
  #iteration = 0;
  #last = 0;
  /** `nextAt()`'s answer until the next shift (null: not computed yet). */
  #nextAt: number | undefined | null = null;

  constructor(
    private readonly items: readonly T[],
    private readonly period: number,
    private readonly loop: boolean,
  ) {}

  /** When the next item is due, without building it (the audio path asks this for every frame: cached until a shift). */
  nextAt(): number | undefined {
    if (this.#nextAt !== null) return this.#nextAt;
    if (this.#index < this.items.length) this.#nextAt = Math.max(this.#last, roundTime((this.items[this.#index] as T).at + this.#iteration * this.period));
    else if (!this.loop || this.period <= 0 || this.items.length === 0) this.#nextAt = undefined;
    else this.#nextAt = Math.max(this.#last, roundTime((this.items[0] as T).at + (this.#iteration + 1) * this.period));
    return this.#nextAt;
  }

  /** The next item without consuming it. */
  peek(): Scheduled<T> | undefined {
    if (this.#index >= this.items.length) {
      if (!this.loop || this.period <= 0 || this.items.length === 0) return undefined;
      this.#index = 0;
      this.#iteration += 1;
    }
    const item = this.items[this.#index] as T;
    const at = Math.max(this.#last, roundTime(item.at + this.#iteration * this.period));
    return { item, at, iteration: this.#iteration };
  }

  /** Consumes and returns the next item. */
  shift(): Scheduled<T> | undefined {
    const next = this.peek();
    if (next) {
      this.#index += 1;
      this.#last = next.at;
      this.#nextAt = null;
    }
    return next;
  }
}
