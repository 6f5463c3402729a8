/**
 * Turn events' `words` and `languages` (docs/protocol §3.3): what the client surfaced, compared with
 * what the server sent, event by event. Words must be the server's, in order, with times in seconds
 * from the start of the stream: a connection's times start at its first audio byte, so a session
 * whose audio begins `o` bytes into the case audio shifts them by `o / byte rate` (a client that
 * replays from a boundary, or that does not resend what it sent before a drop, starts later).
 */
import { bytesPerSample } from "@speechwire/protocol";
import type { ObservationEvent } from "../adapter/schema.js";
import type { CheckInput, Verdict } from "./catalogue.js";
import { locateAudio, textFrames } from "./journal.js";
import { canonical } from "./values.js";
import { fail, pass } from "./verdict.js";

const TEXT_TYPES = ["turn.update", "turn.eager_end", "turn.end"] as const;
/** How far a surfaced time may be from the server's, shifted (the wire has 10 ms steps; shifts add float error). */
const TOLERANCE_S = 0.001;

type Word = { word: string; start: number; end: number };
type Language = { language: string; confidence: number };
type TurnText = Extract<ObservationEvent, { type: (typeof TEXT_TYPES)[number] }>;

/** A turn.update / eager_end / end the server sent, with the session it came on. */
interface SentText {
  session: number;
  type: string;
  transcript: string;
  words: Word[] | undefined;
  languages: Language[] | undefined;
}

function sentTexts(i: CheckInput): SentText[] {
  return textFrames(i.sessions, "server").flatMap((m) => {
    const j = m.json;
    if (!j || !(TEXT_TYPES as readonly unknown[]).includes(j.type)) return [];
    return [
      {
        session: m.session,
        type: String(j.type),
        transcript: String(j.transcript ?? ""),
        words: Array.isArray(j.words) ? (j.words as Word[]) : undefined,
        languages: Array.isArray(j.languages) ? (j.languages as Language[]) : undefined,
      },
    ];
  });
}

const surfacedTexts = (i: CheckInput): TurnText[] => i.observations.events.filter((e): e is TurnText => (TEXT_TYPES as readonly string[]).includes(e.type));

/**
 * Seconds into the stream at which each session's audio starts, where the journal shows it (its audio
 * is a slice of the case audio); undefined where it does not (keep-alive silence, injected frames).
 */
function sessionStarts(i: CheckInput): (number | undefined)[] {
  const stt = i.case.stt;
  if (!stt) return i.sessions.map(() => undefined);
  const sent = i.case.actions.reduce((n, a) => n + (a.op === "audio" ? a.bytes : 0), 0);
  const byteRate = bytesPerSample(stt.encoding) * stt.sample_rate;
  return locateAudio(i.sessions, i.audio.subarray(0, sent), []).map((o) => (o === undefined ? undefined : o / byteRate));
}

/** Pairs surfaced turn texts with the server's, or says why they cannot be paired. */
function paired(i: CheckInput, sent: SentText[]): { pairs: [SentText, TurnText][] } | { problem: string } {
  const got = surfacedTexts(i);
  if (got.length !== sent.length) return { problem: `the server sent ${sent.length} turn.update/eager_end/end messages, the client surfaced ${got.length} (see turns/events-in-order)` };
  for (let k = 0; k < sent.length; k += 1) {
    const m = sent[k] as SentText;
    const e = got[k] as TurnText;
    if (e.type !== m.type || e.transcript !== m.transcript) return { problem: `event ${k}: surfaced ${e.type} ${JSON.stringify(e.transcript)} where the server sent ${m.type} ${JSON.stringify(m.transcript)}` };
  }
  return { pairs: sent.map((m, k) => [m, got[k] as TurnText]) };
}

const label = (m: SentText) => `${m.type} ${JSON.stringify(m.transcript)}`;
const tokens = (text: string) => text.split(/\s+/u).filter((t) => t !== "");

/** `turns/words-match-transcript`: see the module comment. Applies when the server sent words. */
export function wordsMatch(i: CheckInput): Verdict | undefined {
  const sent = sentTexts(i);
  if (!sent.some((m) => m.words && m.words.length > 0)) return undefined;
  const p = paired(i, sent);
  if ("problem" in p) return fail(p.problem);
  const starts = sessionStarts(i);
  for (const [m, e] of p.pairs) {
    const wire = m.words ?? [];
    const got = e.words ?? [];
    if (wire.length === 0) {
      if (got.length > 0) return fail(`${label(m)}: surfaced ${got.length} words, the server sent none`);
      continue;
    }
    if (canonical(got.map((w) => w.word)) !== canonical(wire.map((w) => w.word))) {
      return fail(`${label(m)}: surfaced the words ${JSON.stringify(got.map((w) => w.word))}, the server sent ${JSON.stringify(wire.map((w) => w.word))}`);
    }
    for (let k = 0; k < got.length; k += 1) {
      const w = got[k] as Word;
      if (!(w.start <= w.end)) return fail(`${label(m)}: word ${JSON.stringify(w.word)} ends (${w.end}s) before it starts (${w.start}s)`);
      const before = got[k - 1];
      if (before && w.start < before.start) return fail(`${label(m)}: word ${JSON.stringify(w.word)} starts at ${w.start}s, before the word before it (${before.start}s)`);
    }
    const shift = starts[m.session];
    if (shift !== undefined) {
      for (let k = 0; k < got.length; k += 1) {
        const w = got[k] as Word;
        const x = wire[k] as Word;
        if (Math.abs(w.start - (x.start + shift)) > TOLERANCE_S || Math.abs(w.end - (x.end + shift)) > TOLERANCE_S) {
          const where = m.session === 0 ? "" : ` on connection ${m.session + 1}, whose audio starts ${shift}s into the stream`;
          return fail(`${label(m)}: word ${JSON.stringify(w.word)} surfaced at ${w.start}–${w.end}s; the server sent ${x.start}–${x.end}s${where}: ${x.start + shift}–${x.end + shift}s in stream time`);
        }
      }
    }
    // eager_end and end carry every word of the turn: together they are its transcript.
    if (m.type !== "turn.update" && tokens(wire.map((w) => w.word).join(" ")).join(" ") !== tokens(m.transcript).join(" ")) {
      return fail(`${label(m)}: the server's words ${JSON.stringify(wire.map((w) => w.word))} are not all the words of the turn (mock fault)`);
    }
  }
  return pass;
}

/** `turns/languages-surfaced`: each turn event's languages as the server sent them. Applies when the server sent languages. */
export function languagesSurfaced(i: CheckInput): Verdict | undefined {
  const sent = sentTexts(i);
  if (!sent.some((m) => m.languages && m.languages.length > 0)) return undefined;
  const p = paired(i, sent);
  if ("problem" in p) return fail(p.problem);
  for (const [m, e] of p.pairs) {
    const want = (m.languages ?? []).map((l) => ({ language: l.language, confidence: l.confidence }));
    const got = e.languages ?? [];
    if (canonical(got) !== canonical(want)) return fail(`${label(m)}: surfaced the languages ${JSON.stringify(got)}, the server sent ${JSON.stringify(want)}`);
  }
  return pass;
}
