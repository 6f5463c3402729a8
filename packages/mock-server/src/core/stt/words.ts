/**
 * Word timings as the STT sockets send them (docs/protocol §2.3, §3.3): `{word, start, end}` in
 * stream-relative seconds, rounded to 10 ms as the real service rounds them (update §3, STT-WORDS).
 */
import type { TimedWord } from "./script.js";

/** Rounds seconds to 10 ms. */
export function roundToCentisecond(seconds: number): number {
  return Math.round(seconds * 100) / 100;
}

/** The words as a message carries them: only the three fields, times rounded to 10 ms. */
export function wireWords(words: readonly TimedWord[]): { word: string; start: number; end: number }[] {
  return words.map((w) => ({ word: w.word, start: roundToCentisecond(w.start), end: roundToCentisecond(w.end) }));
}

/** How many words a transcript holds (words are joined by single spaces). */
export function wordCount(transcript: string): number {
  // The runs of non-space characters, counted without the arrays of split/filter (once per event sent).
  let n = 0;
  let inWord = false;
  for (let i = 0; i < transcript.length; i += 1) {
    const space = transcript.charCodeAt(i) === 32;
    if (!space && !inWord) n += 1;
    inWord = !space;
  }
  return n;
}

/**
 * One entry per word: a script token that holds several words (`"I'd like to"`) is split, its span
 * shared out by the words' lengths, so a message's `words` match its text word for word.
 */
export function splitTokens(words: readonly TimedWord[]): TimedWord[] {
  const out: TimedWord[] = [];
  for (const w of words) {
    const parts = w.word.split(" ").filter((p) => p !== "");
    if (parts.length <= 1) {
      out.push(w);
      continue;
    }
    const chars = parts.reduce((n, p) => n + p.length, 0);
    let at = w.start;
    let seen = 0;
    for (const part of parts) {
      seen += part.length;
      const end = w.start + ((w.end - w.start) * seen) / chars;
      out.push({ word: part, start: at, end });
      at = end;
    }
  }
  return out;
}
