/**
 * Transcript text → tokens: words, whitespace and punctuation gaps, and the SSML-like tags of
 * PROTOCOL.md §5.6 (`<break>`, `<speed>`, `<volume>`, `<emotion>`, `<spell>`, `<pause>`).
 *
 * Continuations on a context are concatenated verbatim ("Hel" + "lo world" is "Hello world", §5.2), so
 * tokenizing is incremental: in `partial` mode a token is only produced once the text proves it
 * complete. A word (or whitespace run) that reaches the end of the text may still grow, and a `<…`
 * at the end may still become a tag; both stay in the buffer until more text (or the end) comes.
 * That makes the token stream, and so the audio, the same however the client splits its text.
 */

/** A break longer than this is treated as malformed (read as text) so one tag cannot ask for hours of audio. */
export const MAX_BREAK_MS = 10_000;
/** `<speed ratio>` range (§5.6); outside it the tag is malformed and read as text. */
export const SPEED_RANGE = { min: 0.6, max: 1.5 } as const;
/** `<volume ratio>` range (§5.6); outside it the tag is malformed and read as text. */
export const VOLUME_RANGE = { min: 0.5, max: 2 } as const;

/** One unit of speech or control. `end` is the offset in the tokenized text just after the token. */
export type Token =
  | { kind: "word"; text: string; end: number }
  /** A run of whitespace (collapsed: one gap however long the run). */
  | { kind: "space"; end: number }
  /** One punctuation mark that makes a pause: `, ; :` (short) or `. ! ?` (sentence end). */
  | { kind: "punct"; char: string; sentence: boolean; end: number }
  /** `<break time="…"/>`: exact silence, not scaled by speed. */
  | { kind: "break"; ms: number; end: number }
  /** `<pause>`: a fixed pause (no reference page documents its length, §5.6). */
  | { kind: "pause"; end: number }
  | { kind: "speed"; ratio: number; end: number }
  | { kind: "volume"; ratio: number; end: number }
  /** Accepted and kept in the stream, but with no audible change. */
  | { kind: "emotion"; value: string; end: number }
  /** `<spell>` (on) and `</spell>` (off): while on, every character is its own word. */
  | { kind: "spell"; on: boolean; end: number };

/** Tokenizer state carried between pieces of text: only whether a `<spell>` is open. */
export interface TextState {
  spell: boolean;
}

/**
 * How much to tokenize:
 * - `partial`: only what is provably complete (the rest waits for more text);
 * - `timer`: the buffer delay elapsed: trailing words and spaces go out, an unfinished `<…` still waits;
 * - `final`: the end of input (flush, `continue:false`): everything, an unfinished `<…` read as text.
 */
export type TokenizeMode = "partial" | "timer" | "final";

/** The outcome of tokenizing: tokens, how many characters they cover, and the state after them. */
export interface Tokenized {
  tokens: Token[];
  consumed: number;
  state: TextState;
}

const SHORT_PUNCT = new Set([",", ";", ":", "，", "、", "；", "："]);
const SENTENCE_PUNCT = new Set([".", "!", "?", "。", "！", "？", "…"]);
const WHITESPACE = /\s/;
const TAG_NAMES = ["break", "speed", "volume", "emotion", "spell", "/spell", "pause"];
/** The longest unfinished tag we wait for; anything longer starting with `<` is text. */
const MAX_TAG_PREFIX = 96;

const NUMBER = String.raw`(\d+(?:\.\d*)?|\.\d+)`;
const BREAK_RE = new RegExp(String.raw`<break\s+time\s*=\s*(["'])\s*${NUMBER}\s*(ms|s)\s*\1\s*\/?\s*>`, "iy");
const SPEED_RE = new RegExp(String.raw`<speed\s+ratio\s*=\s*(["'])\s*${NUMBER}\s*\1\s*\/?\s*>`, "iy");
const VOLUME_RE = new RegExp(String.raw`<volume\s+ratio\s*=\s*(["'])\s*${NUMBER}\s*\1\s*\/?\s*>`, "iy");
const EMOTION_RE = /<emotion\s+value\s*=\s*(["'])\s*([A-Za-z][A-Za-z_-]*)\s*\1\s*\/?\s*>/iy;
const SPELL_OPEN_RE = /<spell\s*>/iy;
const SPELL_CLOSE_RE = /<\/spell\s*>/iy;
const PAUSE_RE = /<pause\s*\/?\s*>/iy;

/** The initial tokenizer state. */
export function initialTextState(): TextState {
  return { spell: false };
}

function isWhitespace(ch: string): boolean {
  return WHITESPACE.test(ch);
}

/** A well-formed tag starting at `at`, or undefined (then the `<` is text). */
function matchTag(text: string, at: number): Token | undefined {
  const exec = (re: RegExp) => {
    re.lastIndex = at;
    return re.exec(text);
  };
  let m = exec(BREAK_RE);
  if (m) {
    const ms = Number(m[2]) * ((m[3] ?? "").toLowerCase() === "s" ? 1000 : 1);
    return ms <= MAX_BREAK_MS ? { kind: "break", ms, end: at + m[0].length } : undefined;
  }
  m = exec(SPEED_RE);
  if (m) {
    const ratio = Number(m[2]);
    return ratio >= SPEED_RANGE.min && ratio <= SPEED_RANGE.max ? { kind: "speed", ratio, end: at + m[0].length } : undefined;
  }
  m = exec(VOLUME_RE);
  if (m) {
    const ratio = Number(m[2]);
    return ratio >= VOLUME_RANGE.min && ratio <= VOLUME_RANGE.max ? { kind: "volume", ratio, end: at + m[0].length } : undefined;
  }
  m = exec(EMOTION_RE);
  if (m) return { kind: "emotion", value: (m[2] ?? "").toLowerCase(), end: at + m[0].length };
  m = exec(SPELL_OPEN_RE);
  if (m) return { kind: "spell", on: true, end: at + m[0].length };
  m = exec(SPELL_CLOSE_RE);
  if (m) return { kind: "spell", on: false, end: at + m[0].length };
  m = exec(PAUSE_RE);
  if (m) return { kind: "pause", end: at + m[0].length };
  return undefined;
}

/**
 * True when the text from `at` to the end could still become a tag once more text arrives: a `<`
 * with no `>` after it whose name is (a prefix of) a known tag name.
 */
function isTagPrefix(text: string, at: number): boolean {
  const tail = text.slice(at, at + MAX_TAG_PREFIX + 1);
  if (tail.length > MAX_TAG_PREFIX || tail.includes(">")) return false;
  const m = /^<(\/?[A-Za-z]*)([\s\S]*)$/.exec(tail);
  if (!m) return false;
  const name = (m[1] ?? "").toLowerCase();
  const rest = m[2] ?? "";
  if (rest === "") return TAG_NAMES.some((n) => n.startsWith(name));
  return TAG_NAMES.includes(name) && /^[\s/]/.test(rest) && !rest.includes("<");
}

/**
 * Tokenizes `text` from `state`. In `partial` and `timer` modes the tokens may cover only a prefix
 * (`consumed`); keep the rest and tokenize it again with more text appended.
 * @example tokenize("Hello wor", initialTextState(), "partial") // word "Hello", space; consumed 6
 */
export function tokenize(text: string, state: TextState, mode: TokenizeMode): Tokenized {
  const tokens: Token[] = [];
  let spell = state.spell;
  let i = 0;
  const n = text.length;
  const waitsAt = (at: number) => mode !== "final" && text[at] === "<" && matchTag(text, at) === undefined && isTagPrefix(text, at);
  while (i < n) {
    const ch = text[i] as string;
    if (ch === "<") {
      const tag = matchTag(text, i);
      if (tag) {
        if (tag.kind === "spell") spell = tag.on;
        tokens.push(tag);
        i = tag.end;
        continue;
      }
      if (waitsAt(i)) break;
      // A malformed tag: the "<" is read as text, like any other character.
    }
    if (isWhitespace(ch)) {
      let j = i + 1;
      while (j < n && isWhitespace(text[j] as string)) j += 1;
      // The run may go on in the next piece: collapse it only once it is known to have ended.
      if (j === n && mode === "partial") break;
      tokens.push({ kind: "space", end: j });
      i = j;
      continue;
    }
    if (spell) {
      // A high surrogate at the end may be half of a character split between two pieces.
      const code = ch.charCodeAt(0);
      if (mode !== "final" && i === n - 1 && code >= 0xd800 && code <= 0xdbff) break;
      // Each character (code point) is its own word: "ABC-123" → A, B, C, -, 1, 2, 3.
      const cp = String.fromCodePoint(text.codePointAt(i) as number);
      tokens.push({ kind: "word", text: cp, end: i + cp.length });
      i += cp.length;
      continue;
    }
    if (SHORT_PUNCT.has(ch) || SENTENCE_PUNCT.has(ch)) {
      tokens.push({ kind: "punct", char: ch, sentence: SENTENCE_PUNCT.has(ch), end: i + 1 });
      i += 1;
      continue;
    }
    let j = i + 1;
    while (j < n) {
      const c = text[j] as string;
      if (isWhitespace(c) || SHORT_PUNCT.has(c) || SENTENCE_PUNCT.has(c)) break;
      if (c === "<" && (matchTag(text, j) !== undefined || waitsAt(j))) break;
      j += 1;
    }
    // A word at the end may continue ("Hel" + "lo"); one glued to an unfinished "<…" may become
    // part of a longer word if the "<…" turns out malformed ("a<b" + "c"). Both wait.
    if (mode === "partial" && (j === n || waitsAt(j))) break;
    tokens.push({ kind: "word", text: text.slice(i, j), end: j });
    i = j;
  }
  return { tokens, consumed: i, state: { spell } };
}

/** The tokenizer state after `tokens`, starting from `state` (for a release that stops mid-buffer). */
export function stateAfter(tokens: readonly Token[], state: TextState): TextState {
  let spell = state.spell;
  for (const t of tokens) if (t.kind === "spell") spell = t.on;
  return { spell };
}

/** Tokenizes a whole transcript at once (the HTTP endpoints, tests). */
export function parseTranscript(text: string): Token[] {
  return tokenize(text, initialTextState(), "final").tokens;
}

/** The index of the last sentence-ending punctuation token, or -1. */
export function lastSentenceEnd(tokens: readonly Token[]): number {
  for (let k = tokens.length - 1; k >= 0; k -= 1) {
    const t = tokens[k] as Token;
    if (t.kind === "punct" && t.sentence) return k;
  }
  return -1;
}
