/**
 * Transcript text → tokens: words, whitespace and punctuation gaps, and the SSML-like tags of
 * PROTOCOL.md §5.6 (`<break>`, `<speed>`, `<volume>`, `<emotion>`, `<spell>`, `<pause>`).
 *
 * Continuations on a context are concatenated verbatim ("Hel" + "lo world" is "Hello world", §5.2), so
 * tokenizing is incremental: in `partial` mode a token is only produced once the text proves it
 * complete. A word (or whitespace run) that reaches the end of the text may still grow, and a `<…`
 * at the end may still become a tag; both stay in the buffer until more text (or the end) comes.
 * That makes the token stream, and so the audio, the same however the client splits its text.
 *
 * Each word also carries how it is `written` in word timestamps: the real service's words keep
 * their punctuation ("Hello,", "wrong."), and pipecat and LiveKit join them into captions. A word is
 * written with the punctuation glued to it, up to the next whitespace or word: the marks after it
 * ("Hello," — a closing quote or bracket right after a mark belongs to the marks: `"Hi."`), and, for
 * the first word after whitespace, the marks before it ("...well"). Tags are left out of the written
 * word and do not end it (`Hello<break time="1s"/>,` is written "Hello,"). Marks between two spaces
 * belong to no word. So the written word needs the text after it: it waits like a word at the end.
 * The audio does not depend on it: a word's tone is made from its spoken `text` alone.
 */

/** A break longer than this is treated as malformed (read as text) so one tag cannot ask for hours of audio. */
export const MAX_BREAK_MS = 10_000;
/** `<speed ratio>` range (§5.6); outside it the tag is malformed and read as text. */
export const SPEED_RANGE = { min: 0.6, max: 1.5 } as const;
/** `<volume ratio>` range (§5.6); outside it the tag is malformed and read as text. */
export const VOLUME_RANGE = { min: 0.5, max: 2 } as const;

/** One unit of speech or control. `end` is the offset in the tokenized text just after the token. */
export type Token =
  /** A spoken word: `text` is what is spoken, `written` what its word timestamp says (punctuation glued on). */
  | { kind: "word"; text: string; written: string; end: number }
  /** A run of whitespace (collapsed: one gap however long the run). */
  | { kind: "space"; end: number }
  /** One punctuation mark that makes a pause: `, ; :` (short) or `. ! ?` (sentence end). */
  | { kind: "punct"; char: string; sentence: boolean; end: number }
  /** A closing quote or bracket right after punctuation (`."`, `!)`): part of it, silent, never a word. */
  | { kind: "mark"; char: string; end: number }
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

/** Tokenizer state carried between pieces of text. */
export interface TextState {
  /** A `<spell>` is open. */
  spell: boolean;
  /** Punctuation glued to the text so far that no word has taken: the next word before whitespace is written with it in front. */
  lead: string;
  /** The punctuation being read went to the word before it (or comes after that word went out): it adds to no word. */
  taken: boolean;
  /** Right after a punctuation mark (tags aside): a closing quote or bracket here is a `mark`, not a word. */
  afterPunct: boolean;
}

/**
 * How much to tokenize:
 * - `partial`: only what is provably complete (the rest waits for more text);
 * - `input`: as `partial`, except that a word whose punctuation reaches the end of the text with a
 *   sentence end in it goes out, written with the punctuation so far: the real service generates at
 *   sentence punctuation (§5.4), so a context's text that ends a sentence is not held for the next
 *   piece. (Only then can a split change a written word: `Hi.` + `")` writes `Hi.` where the whole
 *   text writes `Hi.")`; the audio is the same.)
 * - `timer`: the buffer delay elapsed: trailing words and spaces go out, an unfinished `<…` still waits;
 * - `final`: the end of input (flush, `continue:false`): everything, an unfinished `<…` read as text.
 */
export type TokenizeMode = "partial" | "input" | "timer" | "final";

/** The outcome of tokenizing: tokens, how many characters they cover, and the state after them. */
export interface Tokenized {
  tokens: Token[];
  consumed: number;
  state: TextState;
}

const SHORT_PUNCT = new Set([",", ";", ":", "，", "、", "；", "："]);
const SENTENCE_PUNCT = new Set([".", "!", "?", "。", "！", "？", "…"]);
/** Closing quotes and brackets: right after punctuation they belong to it (`"Hi."`, `(see above.)`). */
const CLOSERS = new Set(['"', "'", "”", "’", "»", "›", ")", "]", "}", "）", "」", "』", "】", "〕", "〉", "》"]);
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
  return { spell: false, lead: "", taken: false, afterPunct: false };
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

/** Whether punctuation glued after a word reaches the end of what is known, and the marks it has so far. */
type Glued = { text: string } | "wait";

/**
 * The punctuation glued after a word that ends at `at`: marks (and closers right after a mark), with
 * tags skipped, up to whitespace, the next word or the end. "wait" when it reaches the end of the
 * text (or an unfinished `<…`) and more text may still add to it.
 */
function gluedAfter(text: string, at: number, spell: boolean, mode: TokenizeMode): Glued {
  let k = at;
  let sp = spell;
  let marks = "";
  let afterPunct = false;
  let sentence = false;
  for (;;) {
    if (k === text.length) return mode === "partial" || (mode === "input" && !sentence) ? "wait" : { text: marks };
    const c = text[k] as string;
    if (c === "<") {
      const tag = matchTag(text, k);
      if (tag) {
        if (tag.kind === "spell") sp = tag.on;
        k = tag.end;
        continue;
      }
      if (mode !== "final" && isTagPrefix(text, k)) return mode === "timer" ? { text: marks } : "wait";
      // A malformed tag is text: it starts the next word.
      return { text: marks };
    }
    if (!sp && (SHORT_PUNCT.has(c) || SENTENCE_PUNCT.has(c))) {
      marks += c;
      afterPunct = true;
      sentence ||= SENTENCE_PUNCT.has(c);
      k += 1;
      continue;
    }
    if (!sp && afterPunct && CLOSERS.has(c)) {
      marks += c;
      k += 1;
      continue;
    }
    // Whitespace, or the next word.
    return { text: marks };
  }
}

/** The state after one token (the written words are decided in `tokenize`; this only keeps the state). */
function advance(state: TextState, token: Token): TextState {
  switch (token.kind) {
    case "word":
      return { spell: state.spell, lead: "", taken: true, afterPunct: false };
    case "space":
      return { spell: state.spell, lead: "", taken: false, afterPunct: false };
    case "punct":
    case "mark":
      return { spell: state.spell, lead: state.taken ? "" : state.lead + token.char, taken: state.taken, afterPunct: true };
    case "spell":
      return { ...state, spell: token.on };
    default:
      return state;
  }
}

/**
 * Tokenizes `text` from `state`. In `partial`, `input` and `timer` modes the tokens may cover only a
 * prefix (`consumed`); keep the rest and tokenize it again with more text appended.
 * @example tokenize("Hello wor", initialTextState(), "partial") // word "Hello", space; consumed 6
 */
export function tokenize(text: string, state: TextState, mode: TokenizeMode): Tokenized {
  const tokens: Token[] = [];
  let st = state;
  let i = 0;
  const n = text.length;
  const holds = mode === "partial" || mode === "input";
  const waitsAt = (at: number) => mode !== "final" && text[at] === "<" && matchTag(text, at) === undefined && isTagPrefix(text, at);
  const push = (token: Token) => {
    tokens.push(token);
    st = advance(st, token);
  };
  /** Pushes a word spoken as `spoken` ending at `j`; false when its glued punctuation is not known yet. */
  const word = (spoken: string, j: number): boolean => {
    const glued = gluedAfter(text, j, st.spell, mode);
    if (glued === "wait") return false;
    push({ kind: "word", text: spoken, written: st.lead + spoken + glued.text, end: j });
    return true;
  };
  while (i < n) {
    const ch = text[i] as string;
    if (ch === "<") {
      const tag = matchTag(text, i);
      if (tag) {
        push(tag);
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
      if (j === n && holds) break;
      push({ kind: "space", end: j });
      i = j;
      continue;
    }
    if (st.spell) {
      // A high surrogate at the end may be half of a character split between two pieces.
      const code = ch.charCodeAt(0);
      if (mode !== "final" && i === n - 1 && code >= 0xd800 && code <= 0xdbff) break;
      // Each character (code point) is its own word: "ABC-123" → A, B, C, -, 1, 2, 3.
      const cp = String.fromCodePoint(text.codePointAt(i) as number);
      if (!word(cp, i + cp.length)) break;
      i += cp.length;
      continue;
    }
    if (SHORT_PUNCT.has(ch) || SENTENCE_PUNCT.has(ch)) {
      push({ kind: "punct", char: ch, sentence: SENTENCE_PUNCT.has(ch), end: i + 1 });
      i += 1;
      continue;
    }
    if (st.afterPunct && CLOSERS.has(ch)) {
      push({ kind: "mark", char: ch, end: i + 1 });
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
    // part of a longer word if the "<…" turns out malformed ("a<b" + "c"). Both wait, and so does a
    // word whose glued punctuation may still grow (`Hi.` + `"`).
    if (holds && (j === n || waitsAt(j))) break;
    if (!word(text.slice(i, j), j)) break;
    i = j;
  }
  return { tokens, consumed: i, state: st };
}

/** The tokenizer state after `tokens`, starting from `state` (for a release that stops mid-buffer). */
export function stateAfter(tokens: readonly Token[], state: TextState): TextState {
  let st = state;
  for (const t of tokens) st = advance(st, t);
  return st;
}

/** Tokenizes a whole transcript at once (the HTTP endpoints, tests). */
export function parseTranscript(text: string): Token[] {
  return tokenize(text, initialTextState(), "final").tokens;
}

/** The index of the last sentence-ending punctuation token (with the closing marks right after it), or -1. */
export function lastSentenceEnd(tokens: readonly Token[]): number {
  for (let k = tokens.length - 1; k >= 0; k -= 1) {
    const t = tokens[k] as Token;
    if (t.kind === "punct" && t.sentence) {
      let end = k;
      while (tokens[end + 1]?.kind === "mark") end += 1;
      return end;
    }
  }
  return -1;
}
