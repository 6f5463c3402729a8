/** Word timings and detected languages as both STT sockets surface them. */
import type { sttTurns, sttV1 } from "@speechwire/protocol";

/** One recognized word, in seconds from the start of the stream (across reconnects). */
export type SttWord = sttTurns.Word;

/** A language detected in a turn, with its confidence (0–1), as the server sent it (ink-preview). */
export type DetectedLanguage = sttTurns.DetectedLanguage;

/**
 * Reads either word shape (§10.6) as `{word,start,end}` and shifts it by `offset` seconds: a new
 * connection's times start at its first byte, which is `offset` seconds into the stream.
 */
export function normalizeWords(words: sttV1.Transcript["words"], offset: number): SttWord[] {
  if (!words) return [];
  const shift = (t: number) => (offset === 0 ? t : Math.round((t + offset) * 1e6) / 1e6);
  // The docs' list, or the SDKs' `Array<WordTimestamps>` groups (update D5): groups flatten in order.
  return words.flatMap((w): SttWord[] =>
    "word" in w
      ? [{ word: w.word, start: shift(w.start), end: shift(w.end) }]
      : w.words.map((word, i) => ({ word, start: shift(w.start[i] ?? 0), end: shift(w.end[i] ?? 0) })),
  );
}
