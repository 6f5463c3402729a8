/**
 * The `config` message (docs/protocol §2.2, §3.2): what the client sent, read from the journal. A list
 * replaces the session's, `[]` clears it, an omitted field keeps it; turn settings replace one by one.
 * The server holds each connection's lists from its handshake (`keyterm`, `language_hint(s)`, the
 * `turn_*` parameters) and every `config` after it; a new connection starts from its handshake again,
 * so a client that reconnects must say it again (in the handshake or a `config`).
 */
import { queryLanguageHints, sttTurns, sttV1 } from "@speechwire/protocol";
import type { SessionRecord } from "@speechwire/mock-server";
import type { CheckInput, Verdict } from "./catalogue.js";
import { textFrames } from "./journal.js";
import { canonical } from "./values.js";
import { fail, pass } from "./verdict.js";

/** The lists and turn settings a `config` (or a handshake) sets. */
interface Held {
  keyterms: string[];
  language_hints: string[];
  turn: Record<string, number>;
}

const TURN_PARAMS: Record<string, string> = {
  turn_start_threshold: "start_threshold",
  turn_eager_end_threshold: "eager_end_threshold",
  turn_end_threshold: "end_threshold",
  turn_end_timeout_ms: "end_timeout_ms",
};

const list = (v: string | string[] | undefined): string[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

/** What a session's handshake sets. */
function fromHandshake(s: SessionRecord): Held {
  const turn: Record<string, number> = {};
  for (const [param, field] of Object.entries(TURN_PARAMS)) {
    const v = s.query[param];
    if (typeof v === "string") turn[field] = Number(v);
  }
  const hints = queryLanguageHints({ language_hint: list(s.query.language_hint), language_hints: list(s.query.language_hints) });
  return { keyterms: list(s.query.keyterm) ?? [], language_hints: hints, turn };
}

/** Applies a `config`'s fields (null and omitted keep). */
function apply(held: Held, config: Record<string, unknown>): Held {
  return {
    keyterms: Array.isArray(config.keyterms) ? (config.keyterms as string[]) : held.keyterms,
    language_hints: Array.isArray(config.language_hints) ? (config.language_hints as string[]) : held.language_hints,
    turn: config.turn && typeof config.turn === "object" ? { ...held.turn, ...(config.turn as Record<string, number>) } : held.turn,
  };
}

/** `v1/config`, `turns/config`: applies when the case sends `config`. */
export function configSent(suite: "stt-v1" | "stt-turns") {
  return (i: CheckInput): Verdict | undefined => {
    const asked = i.case.actions.flatMap((a) => (a.op === "config" ? [a as Record<string, unknown>] : []));
    if (asked.length === 0 || i.sessions.length === 0) return undefined;
    const want = asked.reduce(apply, { keyterms: [], language_hints: [], turn: {} });
    for (const f of textFrames(i.sessions, "client").filter((m) => m.json?.type === "config")) {
      const version = (i.sessions[f.session] as SessionRecord).version;
      const parsed = suite === "stt-v1" ? sttV1.parseClientMessage(f.text, { strictness: "strict", version }) : sttTurns.parseClientMessage(f.text, { strictness: "strict", version });
      if (!parsed.ok) return fail(`session ${f.session + 1}: the config ${f.text} is not valid: ${parsed.error.message}`);
    }
    for (let k = 0; k < i.sessions.length; k += 1) {
      const s = i.sessions[k] as SessionRecord;
      // A connection that heard no audio transcribed nothing: what it held does not matter.
      if (s.audio.bytes === 0) continue;
      const frames = textFrames([s], "client").flatMap((m) => (m.json?.type === "config" ? [m.json] : []));
      const held = frames.reduce(apply, fromHandshake(s));
      const where = k === 0 ? "the session" : `connection ${k + 1} (after a reconnect)`;
      for (const key of ["keyterms", "language_hints"] as const) {
        if (canonical(held[key]) !== canonical(want[key])) {
          return fail(`${where} holds ${key} ${JSON.stringify(held[key])} after the handshake and the client's ${frames.length} config message(s); the caller asked for ${JSON.stringify(want[key])}`);
        }
      }
      for (const [field, value] of Object.entries(want.turn)) {
        if (held.turn[field] !== value) return fail(`${where} holds turn.${field} ${held.turn[field] ?? "(default)"}; the caller asked for ${value}`);
      }
    }
    return pass;
  };
}
