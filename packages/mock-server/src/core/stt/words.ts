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
  return transcript.split(" ").filter((w) => w !== "").length;
}
