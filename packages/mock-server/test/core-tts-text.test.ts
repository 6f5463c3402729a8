import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { initialTextState, parseTranscript, tokenize, type Token } from "../src/core/tts/index.js";
import { fcOptions } from "./core-tts-helpers.js";

/** Tokens without source offsets (offsets differ when the same text arrives in pieces). */
const strip = (tokens: readonly Token[]) => tokens.map(({ end: _end, ...rest }) => rest);
const words = (text: string) => parseTranscript(text).flatMap((t) => (t.kind === "word" ? [t.text] : []));
/** The words as their timestamps write them. */
const written = (text: string) => parseTranscript(text).flatMap((t) => (t.kind === "word" ? [t.written] : []));

/** Feeds pieces one by one as a context does, then ends; returns every token. */
function streamed(pieces: readonly string[]): Token[] {
  let buffer = "";
  let state = initialTextState();
  const out: Token[] = [];
  for (const piece of pieces) {
    buffer += piece;
    const t = tokenize(buffer, state, "partial");
    out.push(...t.tokens);
    buffer = buffer.slice(t.consumed);
    state = t.state;
  }
  out.push(...tokenize(buffer, state, "final").tokens);
  return out;
}

describe("tokenize", () => {
  it("splits words, collapses whitespace runs, and keeps punctuation as gaps", () => {
    expect(strip(parseTranscript("Hi,  there. OK?"))).toEqual([
      { kind: "word", text: "Hi", written: "Hi," },
      { kind: "punct", char: ",", sentence: false },
      { kind: "space" },
      { kind: "word", text: "there", written: "there." },
      { kind: "punct", char: ".", sentence: true },
      { kind: "space" },
      { kind: "word", text: "OK", written: "OK?" },
      { kind: "punct", char: "?", sentence: true },
    ]);
  });

  it("reads the tags of §5.6", () => {
    const tokens = strip(
      parseTranscript('<break time="1s"/><break time="500ms"/><speed ratio="1.2"/><volume ratio="0.8"/><emotion value="excited"/><pause>'),
    );
    expect(tokens).toEqual([
      { kind: "break", ms: 1000 },
      { kind: "break", ms: 500 },
      { kind: "speed", ratio: 1.2 },
      { kind: "volume", ratio: 0.8 },
      { kind: "emotion", value: "excited" },
      { kind: "pause" },
    ]);
  });

  it("spells every character of <spell> as its own word, breaks included", () => {
    expect(words("Code <spell>ABC-123</spell> done")).toEqual(["Code", "A", "B", "C", "-", "1", "2", "3", "done"]);
    expect(strip(parseTranscript('<spell>7<break time="200ms"/>Q</spell>'))).toEqual([
      { kind: "spell", on: true },
      { kind: "word", text: "7", written: "7" },
      { kind: "break", ms: 200 },
      { kind: "word", text: "Q", written: "Q" },
      { kind: "spell", on: false },
    ]);
    expect(words("<spell>😀a</spell>")).toEqual(["😀", "a"]);
  });

  it("reads malformed and out-of-range tags as text", () => {
    expect(words('<break time="soon"/>')).toEqual(['<break', 'time="soon"/>']);
    expect(words('a<b>c')).toEqual(["a<b>c"]);
    expect(words('<speed ratio="3"/>')).toEqual(['<speed', 'ratio="3"/>']);
    expect(words('<volume ratio="9"/>')).toEqual(['<volume', 'ratio="9"/>']);
    // Malformed tag text is ordinary text: its "." is punctuation.
    expect(words('<volume ratio="0.1"/>')).toEqual(['<volume', 'ratio="0', '1"/>']);
    expect(words("1 < 2")).toEqual(["1", "<", "2"]);
  });

  it("tags split words that touch them", () => {
    expect(words('Hel<speed ratio="1.2"/>lo')).toEqual(["Hel", "lo"]);
  });

  it("writes each word with the punctuation glued to it, as the service's word timestamps do", () => {
    expect(written("Hello, this is wrong. Right?! Yes...")).toEqual(["Hello,", "this", "is", "wrong.", "Right?!", "Yes..."]);
    // Quotes and brackets: those inside a word stay in it; a closing one right after a mark joins the mark.
    expect(written('He said "Hi." (Then left.) \'Bye,\' she said.')).toEqual(["He", "said", '"Hi."', "(Then", "left.)", "'Bye,'", "she", "said."]);
    expect(words('"Hi." (Then left.)')).toEqual(['"Hi', "(Then", "left"]);
    // Marks before the first word after whitespace lead it; marks between two spaces belong to no word.
    expect(written("Well ...maybe , or not")).toEqual(["Well", "...maybe", "or", "not"]);
    // Tags are left out of the written word and do not end it; a word touching another keeps its own marks.
    expect(written('Hello<break time="1s"/>, world<emotion value="calm"/>.')).toEqual(["Hello,", "world."]);
    expect(written("a,b.c")).toEqual(["a,", "b.", "c"]);
    expect(written("Code <spell>AB-1</spell>. Done")).toEqual(["Code", "A", "B", "-", "1.", "Done"]);
    expect(written("日本語です。はい、")).toEqual(["日本語です。", "はい、"]);
  });

  it("a closing quote or bracket after punctuation is a silent mark, not a word", () => {
    expect(strip(parseTranscript('ok."'))).toEqual([
      { kind: "word", text: "ok", written: 'ok."' },
      { kind: "punct", char: ".", sentence: true },
      { kind: "mark", char: '"' },
    ]);
    // Not after punctuation, it is an ordinary character of a word.
    expect(words('say "ok" now')).toEqual(["say", '"ok"', "now"]);
  });

  it("holds a word whose glued punctuation reaches the end; `input` lets it go at a sentence end", () => {
    expect(tokenize("Hello, wor", initialTextState(), "partial").consumed).toBe(7);
    expect(tokenize("Hello,", initialTextState(), "partial").consumed).toBe(0);
    expect(tokenize("Hello,", initialTextState(), "input").consumed).toBe(0);
    expect(tokenize("Hello.", initialTextState(), "partial").consumed).toBe(0);
    const atEnd = tokenize('One. "Two."', initialTextState(), "input");
    expect(atEnd.consumed).toBe(11);
    expect(atEnd.tokens.flatMap((t) => (t.kind === "word" ? [t.written] : []))).toEqual(["One.", '"Two."']);
    // What comes next continues no word: the same audio (the closer is still a silent mark), written as sent.
    const next = tokenize('") Three', atEnd.state, "final");
    expect(strip(next.tokens)).toEqual([{ kind: "mark", char: '"' }, { kind: "mark", char: ")" }, { kind: "space" }, { kind: "word", text: "Three", written: "Three" }]);
    // The timer lets a word go with the punctuation it has.
    expect(tokenize("Wait,", initialTextState(), "timer").tokens[0]).toMatchObject({ kind: "word", written: "Wait," });
  });

  it("holds a word and an unfinished tag at the end of a piece", () => {
    expect(tokenize("Hello wor", initialTextState(), "partial").consumed).toBe(6);
    expect(tokenize('Hi <break time="1', initialTextState(), "partial").consumed).toBe(3);
    expect(tokenize("x<bre", initialTextState(), "partial").consumed).toBe(0);
    // Not a possible tag: read on.
    expect(tokenize("a <x b", initialTextState(), "partial").consumed).toBe(5);
    // The timer releases the word but still waits for the tag.
    expect(tokenize("Hi wor<brea", initialTextState(), "timer").consumed).toBe(6);
    // The end reads an unfinished tag as text.
    expect(words("Hi <brea")).toEqual(["Hi", "<brea"]);
  });

  it("continuations concatenate verbatim: any split gives the same tokens", () => {
    const piece = fc.constantFrom(
      "Hello",
      " ",
      "  ",
      "world",
      ", ",
      ".",
      "!",
      "\n",
      "a<b",
      "<bread>",
      '<break time="250ms"/>',
      '<speed ratio="1.3"/>',
      '<volume ratio="1.5"/>',
      '<emotion value="calm"/>',
      "<spell>",
      "</spell>",
      "<pause>",
      "ABC-123",
      '"',
      "(",
      ")",
      "…",
      "héllo",
      "😀",
      "日本語",
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 8 }), (parts, cuts) => {
        const text = parts.join("");
        const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const pieces: string[] = [];
        let last = 0;
        for (const p of points) {
          pieces.push(text.slice(last, p));
          last = p;
        }
        pieces.push(text.slice(last));
        expect(strip(streamed(pieces))).toEqual(strip(parseTranscript(text)));
      }),
      fcOptions,
    );
  });
});
