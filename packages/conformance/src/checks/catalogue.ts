/**
 * The catalogue of checks: each with a stable id, one line saying what must hold, the docs/protocol
 * section, and a pure evaluator of (case, journal, observations, capabilities). What the client
 * *sent* is read from the mock's journal (and linted with the protocol's grammars); what it
 * *surfaced* comes from the adapter's observations.
 */
import { findModel, sttTurns, sttV1, tts, bytesPerSample, type Violation } from "@speechwire/protocol";
import { compileScript } from "@speechwire/mock-server/core";
import type { Scenario, SessionRecord } from "@speechwire/mock-server";
import type { Capabilities, Case, Observations, ObservationEvent, Suite } from "../adapter/schema.js";
import { STT_BATCH_CHECKS, TTS_HTTP_CHECKS } from "./http.js";
import { ACCESS_TOKEN_CHECKS } from "./access-token.js";
import { configSent } from "./config.js";
import { closes, header, isClipped, locateAudio, queryParam, serverMessages, sha256, textFrames } from "./journal.js";
import { languagesSurfaced, wordsMatch } from "./turn-words.js";
import { fail, pass, warn } from "./verdict.js";

/** A check's outcome. `skipped` means: no case applied, or the adapter lacks the capability. */
export type Grade = "pass" | "fail" | "warning" | "skipped";

/** Everything a check reads about one case. */
export interface CheckInput {
  case: Case;
  /** The validated scenario the mock ran. */
  scenario: Scenario;
  /** The journal records of the case's sessions, oldest first. */
  sessions: SessionRecord[];
  observations: Observations;
  capabilities: Capabilities;
  /** The case audio, decoded (STT). */
  audio: Uint8Array;
  /** TTS over HTTP, SSE cases: the raw `/tts/bytes` audio the mock gives for the same request (fetched by the runner). */
  reference?: Uint8Array;
  /**
   * TTS over HTTP, `/tts/bytes` cases whose surfaced audio does not match the journal's digest: the
   * mock's deterministic re-render of the request the client sent (fetched by the runner), so the
   * failure can name the first differing byte.
   */
  rerender?: Uint8Array;
}

/** One case's verdict on a check; `undefined` when the check does not apply to the case. */
export interface Verdict {
  grade: Exclude<Grade, "skipped">;
  message?: string;
}

/** A check of the catalogue. */
export interface Check {
  id: string;
  suite: Suite;
  /** What must hold, in one line. */
  statement: string;
  /** Section(s) of the protocol reference, docs/protocol. */
  section: string;
  /** Read from the journal (`sent`) or from the adapter (`surfaced`). */
  source: "sent" | "surfaced";
  /** Capabilities the check needs (else it is skipped). */
  requires?: (keyof Capabilities)[];
  evaluate(input: CheckInput): Verdict | undefined;
}


/** Journal violations of a rule (the mock lints every session with the protocol's grammars). */
function violations(sessions: readonly SessionRecord[], rules: readonly string[]): Violation[] {
  return sessions.flatMap((s) => s.violations.filter((v) => rules.includes(v.rule)));
}

/**
 * What a client sent after its end command, read from the journal itself: the protocol's STT v1
 * grammar (December 2026) takes any text message other than `finalize` — a JSON `config` too — for
 * `close`, so its `client-after-close` would blame every frame after a `config`.
 */
function sentAfterEnd(sessions: readonly SessionRecord[], isEnd: (text: string) => boolean): string | undefined {
  for (const [k, s] of sessions.entries()) {
    const end = s.entries.findIndex((e) => e.dir === "client" && e.kind === "text" && isEnd(e.text ?? ""));
    if (end < 0) continue;
    const after = s.entries.slice(end + 1).filter((e) => e.dir === "client" && (e.kind === "text" || e.kind === "binary"));
    if (after.length > 0) {
      const what = after.slice(0, 3).map((e) => (e.kind === "binary" ? "audio" : JSON.stringify(e.text)));
      return `session ${k + 1}: the client sent ${after.length} frame(s) after "${s.entries[end]?.text}" (${what.join(", ")}${after.length > 3 ? ", …" : ""})`;
    }
  }
  return undefined;
}

/** The violations of client frames that did not parse (`valid-message` at client indices). */
function invalidClientFrames(sessions: readonly SessionRecord[], suite: Suite): string[] {
  const out: string[] = [];
  for (const s of sessions) {
    for (const v of s.violations) {
      if (v.rule !== `${suite}/valid-message`) continue;
      const e = s.entries[v.index];
      if (e?.dir === "client") out.push(v.message);
    }
  }
  return out;
}

function handshake(suite: Suite, input: CheckInput): Verdict | undefined {
  if (input.sessions.length === 0) return fail("the client never opened a session");
  for (const s of input.sessions) {
    const creds = header(s, "authorization") ?? header(s, "x-api-key") ?? queryParam(s, "api_key") ?? queryParam(s, "access_token");
    if (!creds) return fail("no credentials: none of Authorization, X-API-Key, ?api_key, ?access_token (docs/protocol §1.2)");
    if (!header(s, "cartesia-version") && !queryParam(s, "cartesia_version")) return fail("no Cartesia-Version header or ?cartesia_version (docs/protocol §1.3)");
    const query = { ...s.query };
    for (const k of ["api_key", "access_token"]) delete query[k];
    const parsed =
      suite === "stt-v1"
        ? sttV1.parseQuery(query, { strictness: "strict", version: s.version })
        : suite === "stt-turns"
          ? sttTurns.parseQuery(query, { strictness: "strict", version: s.version })
          : tts.parseQuery(query, { strictness: "strict", version: s.version });
    if (!parsed.ok) return fail(`handshake query: ${parsed.error.message}`);
  }
  return pass;
}

function audioFormat(input: CheckInput): Verdict | undefined {
  const stt = input.case.stt;
  if (!stt || input.sessions.length === 0) return undefined;
  for (const s of input.sessions) {
    const enc = queryParam(s, "encoding");
    const rate = Number(queryParam(s, "sample_rate"));
    if (enc !== stt.encoding || rate !== stt.sample_rate) {
      return fail(`handshake says ${enc ?? "?"}@${rate || "?"} but the audio is ${stt.encoding}@${stt.sample_rate}`);
    }
    const bps = bytesPerSample(stt.encoding);
    if (s.audio.bytes % bps !== 0) return fail(`session ${s.id} received ${s.audio.bytes} bytes: not whole ${bps}-byte samples`);
  }
  return pass;
}

/** Byte offsets where the case confirmed boundaries (finalize) or began. */
function boundaries(c: Case): number[] {
  const out = [0];
  let at = 0;
  for (const a of c.actions) {
    if (a.op === "audio") at += a.bytes;
    if (a.op === "finalize") out.push(at);
  }
  return out;
}

function sentBytes(c: Case): number {
  return c.actions.reduce((n, a) => n + (a.op === "audio" ? a.bytes : 0), 0);
}

/** Whether the case's scenario drops or closes the connection (a server-initiated drop). */
function hasDrop(s: Scenario): boolean {
  return s.faults.some((f) => f.action.type === "drop" || f.action.type === "close");
}

/**
 * A drop at an audio position rather than right after a server message: what the client had written
 * into the dead socket beyond its last confirmed boundary depends on timing, so re-sending it is right
 * and "exactly once" cannot be asked — only "none lost, in order".
 */
function hasMidStreamDrop(s: Scenario): boolean {
  return s.faults.some((f) => (f.action.type === "drop" || f.action.type === "close") && "audio" in f.at);
}

function hasErrorFault(s: Scenario): boolean {
  return s.faults.some((f) => f.action.type === "error");
}

/** Audio delivered: `exact` = every byte exactly once, in order; else in order with no loss (resends allowed). */
function audioDelivery(input: CheckInput, exact: boolean): Verdict | undefined {
  const c = input.case;
  // Keep-alive cases add the client's own silence to the audio: nothing to compare byte for byte.
  if (!c.stt || hasErrorFault(input.scenario) || input.case.injectUnknown || c.idleLimitMs) return undefined;
  const drop = hasDrop(input.scenario);
  if (drop && !c.reconnect) return undefined;
  const audio = input.audio.subarray(0, sentBytes(c));
  const offsets = locateAudio(input.sessions, audio, boundaries(c));
  const total = input.sessions.reduce((n, s) => n + s.audio.bytes, 0);
  if (input.sessions.length === 0) return fail("no session");
  const lost = offsets.findIndex((o) => o === undefined);
  if (lost >= 0) return fail(`session ${lost + 1}'s audio is not a contiguous, in-order slice of the audio sent (${input.sessions[lost]?.audio.bytes} bytes)`);
  // Each session must start where an earlier one stopped or before: no gap.
  let covered = 0;
  for (let i = 0; i < input.sessions.length; i += 1) {
    const o = offsets[i] as number;
    if (o > covered) return fail(`bytes ${covered}–${o} never reached the server (lost while reconnecting?)`);
    covered = Math.max(covered, o + (input.sessions[i] as SessionRecord).audio.bytes);
  }
  if (covered !== audio.length) return fail(`the server received audio up to byte ${covered} of ${audio.length}`);
  if (exact && total !== audio.length) return fail(`${total - audio.length} bytes reached the server twice across ${input.sessions.length} sessions`);
  return pass;
}

/** The last session's close handshake: the client sent its end command, then waited for the server. */
function drained(input: CheckInput, isEnd: (m: { text: string; json: Record<string, unknown> | undefined }) => boolean): Verdict | undefined {
  const closeAction = input.case.actions.some((a) => a.op === "close");
  if (!closeAction || hasErrorFault(input.scenario) || input.sessions.length === 0) return undefined;
  const last = input.sessions[input.sessions.length - 1] as SessionRecord;
  const ends = textFrames([last], "client").filter(isEnd);
  if (ends.length === 0) return fail("the client closed without sending its end command");
  const endAt = (ends[0] as { index: number }).index;
  const cl = closes(last);
  const first = cl[0];
  if (!first) return fail("the session never closed");
  if (first.dir === "client") {
    return fail(first.entry < endAt ? "the client closed the socket without sending its end command first" : "the client closed the socket before the server drained (it did not wait for the server's close)");
  }
  return pass;
}

/** Observed events of some types, as comparable strings. */
function observedKeys(obs: readonly ObservationEvent[], types: readonly string[]): string[] {
  return obs.filter((e) => types.includes(e.type)).map(keyOf);
}

function keyOf(e: ObservationEvent | Record<string, unknown>): string {
  const r = e as Record<string, unknown>;
  if (r.type === "transcript") return `transcript(${r.is_final ? "final" : "interim"}) ${JSON.stringify(r.text)}`;
  if ("transcript" in r && typeof r.transcript === "string") return `${String(r.type)} ${JSON.stringify(r.transcript)}`;
  return String(r.type);
}

function firstDifference(expected: string[], got: string[]): string {
  const n = Math.max(expected.length, got.length);
  for (let i = 0; i < n; i += 1) {
    if (expected[i] !== got[i]) return `event ${i}: expected ${expected[i] ?? "(nothing)"}, surfaced ${got[i] ?? "(nothing)"}`;
  }
  return "";
}

function sameSequence(expected: string[], got: string[]): Verdict {
  return expected.length === got.length && expected.every((e, i) => e === got[i]) ? pass : fail(firstDifference(expected, got));
}

const V1_TYPES = ["transcript", "flush_done", "done"] as const;
const TURN_TYPES = ["connected", "turn.start", "turn.update", "turn.eager_end", "turn.resume", "turn.end"] as const;

/** Error events the server sent, as {status, code, shape}. */
function serverErrors(sessions: readonly SessionRecord[]): { status: number; code: string | null; legacy: boolean; context?: string }[] {
  return serverMessages(sessions)
    .filter((m) => m.type === "error")
    .map((m) => {
      const legacy = typeof m.title !== "string";
      const status = typeof m.status_code === "number" ? m.status_code : typeof m.code === "number" ? m.code : 0;
      const code = typeof m.error_code === "string" ? m.error_code : null;
      return { status, code, legacy, ...(typeof m.context_id === "string" ? { context: m.context_id } : {}) };
    });
}

function errorsSurfaced(input: CheckInput): Verdict | undefined {
  const sent = serverErrors(input.sessions);
  if (sent.length === 0) return undefined;
  const seen = input.observations.events.filter((e): e is Extract<ObservationEvent, { type: "error" }> => e.type === "error");
  for (const err of sent) {
    const match = seen.find((o) => o.status === err.status && (err.code === null || o.code === err.code));
    if (!match) {
      const shape = err.legacy ? "legacy" : "structured";
      return fail(`the ${shape} error ${err.status}${err.code ? ` ${err.code}` : ""} was not surfaced with its status${err.code ? " and code" : ""} (surfaced: ${JSON.stringify(seen)})`);
    }
  }
  return pass;
}

function noCrash(input: CheckInput): Verdict {
  const r = input.observations.result;
  return r.crashed ? fail(`the client crashed: ${r.crash ?? "(no detail)"}`) : pass;
}

function unknownTolerated(input: CheckInput): Verdict | undefined {
  if (!input.case.injectUnknown) return undefined;
  return noCrash(input);
}

/** Expected events of a v1 session: the server's transcripts, flush_done and done (errors apart). */
function v1Expected(sessions: readonly SessionRecord[]): string[] {
  return serverMessages(sessions)
    .filter((m) => (V1_TYPES as readonly string[]).includes(String(m.type)))
    .map(keyOf);
}

function turnsExpected(sessions: readonly SessionRecord[]): string[] {
  return serverMessages(sessions)
    .filter((m) => (TURN_TYPES as readonly string[]).includes(String(m.type)))
    .map(keyOf);
}

/** The scripted text of each turn, and whether the client heard the whole script. */
function scriptTurns(input: CheckInput): string[] {
  return compileScript(input.scenario.stt).turns.map((t) => t.text);
}

/** turn.end transcripts of the sessions. */
function turnEnds(sessions: readonly SessionRecord[]): string[] {
  return serverMessages(sessions)
    .filter((m) => m.type === "turn.end")
    .map((m) => String(m.transcript));
}

/** TTS: what the server sent per context (journal), decoded. */
function ttsServerPerContext(sessions: readonly SessionRecord[]): { audio: Map<string, Uint8Array[]>; clipped: boolean } {
  const audio = new Map<string, Uint8Array[]>();
  let clipped = false;
  // A context's `done` or error (done:true) ends it: what a server sends on it later is not owed to
  // the caller (that is a server fault, `tts/nothing-after-done`).
  const ended = new Set<string>();
  for (const m of textFrames(sessions, "server")) {
    if (isClipped(m.text)) clipped = true;
    const j = m.json;
    if ((j?.type === "done" || j?.type === "error") && typeof j.context_id === "string") ended.add(j.context_id);
    if (j?.type !== "chunk" || typeof j.context_id !== "string" || typeof j.data !== "string" || ended.has(j.context_id)) continue;
    const list = audio.get(j.context_id) ?? [];
    list.push(Buffer.from(j.data, "base64"));
    audio.set(j.context_id, list);
  }
  return { audio, clipped };
}

/** The wire `context_id` of a case context (clients that choose their own ids report the mapping). */
function wire(i: CheckInput, id: string): string {
  return i.observations.result.contexts?.[id] ?? id;
}

/**
 * The wire ids of the case contexts that an action of `op` names. A client that chooses its own ids
 * and reports no id for a context (it surfaced nothing for it) leaves that context out: its requests
 * cannot be attributed.
 */
function contextsOf(i: CheckInput, op: "end" | "flush" | "cancel"): string[] {
  const map = i.observations.result.contexts;
  return i.case.actions.flatMap((a) => (a.op === op && (!map || a.context in map) ? [wire(i, a.context)] : []));
}

function clientRequests(sessions: readonly SessionRecord[]): Record<string, unknown>[] {
  return textFrames(sessions, "client").flatMap((m) => (m.json ? [m.json] : []));
}

/** Every check, in catalogue order. */
export const CHECKS: readonly Check[] = [
  // ---------------------------------------------------------------- stt-v1
  {
    id: "v1/handshake",
    suite: "stt-v1",
    section: "§2.1, §1.2, §1.3",
    source: "sent",
    statement: "The upgrade carries valid `model`, `encoding`, `sample_rate` (strict query schema), credentials and a Cartesia-Version.",
    evaluate: (i) => handshake("stt-v1", i),
  },
  {
    id: "v1/audio-format",
    suite: "stt-v1",
    section: "§2.1, §8",
    source: "sent",
    statement: "The handshake's `encoding` and `sample_rate` are those of the audio, and the audio is whole samples.",
    evaluate: audioFormat,
  },
  {
    id: "v1/audio-exactly-once",
    suite: "stt-v1",
    section: "§2.2",
    source: "sent",
    statement:
      "Every audio byte reaches the server exactly once and in order, also across a server-initiated drop at a confirmed boundary when the client claims reconnect; across a drop mid-stream, none is lost and the resent audio starts at or before the loss.",
    evaluate: (i) => audioDelivery(i, !hasMidStreamDrop(i.scenario)),
  },
  {
    id: "v1/finalize",
    suite: "stt-v1",
    section: "§2.2, §2.4",
    source: "sent",
    statement: "`finalize` goes out as the bare text `finalize` once per request, and its `flush_done` is awaited.",
    requires: ["finalize"],
    evaluate: (i) => {
      const asked = i.case.actions.filter((a) => a.op === "finalize").length;
      if (asked === 0 || hasErrorFault(i.scenario) || hasDrop(i.scenario)) return undefined;
      const sent = textFrames(i.sessions, "client").filter((m) => m.text === "finalize").length;
      if (sent !== asked) return fail(`asked for ${asked} finalize, the server received ${sent}`);
      const bad = invalidClientFrames(i.sessions, "stt-v1");
      return bad.length > 0 ? fail(bad.join("; ")) : pass;
    },
  },
  {
    id: "v1/close-drains",
    suite: "stt-v1",
    section: "§2.2, §2.4",
    source: "sent",
    statement: "The client ends with `close` (legacy `done`: warning), sends nothing after it, and waits for `done` and the server's close.",
    evaluate: (i) => {
      const v = drained(i, (m) => m.text === "close" || m.text === "done");
      if (!v || v.grade !== "pass") return v;
      const after = sentAfterEnd(i.sessions, (text) => text === "close" || text === "done");
      if (after) return fail(after);
      const last = i.sessions[i.sessions.length - 1] as SessionRecord;
      const legacy = textFrames([last], "client").some((m) => m.text === "done");
      return legacy ? warn("ends with the legacy `done` command; `close` is current (docs/protocol §10.1)") : pass;
    },
  },
  {
    id: "v1/keep-alive",
    suite: "stt-v1",
    section: "§2.5, §1.6",
    source: "sent",
    statement: "While idle, the client sends silence before the idle limit so the session stays open (there is no keep-alive message).",
    requires: ["keepAlive"],
    evaluate: (i) => keepAlive(i),
  },
  {
    id: "v1/config",
    suite: "stt-v1",
    section: "§2.2",
    source: "sent",
    statement:
      "`config` goes out as a valid JSON text frame, and every connection ends up holding the keyterms and language hints asked for (a new list replaces, `[]` clears, an omitted one keeps), a reconnected one too.",
    requires: ["config"],
    evaluate: configSent("stt-v1"),
  },
  {
    id: "v1/events-in-order",
    suite: "stt-v1",
    section: "§2.3, §2.4",
    source: "surfaced",
    statement: "Every `transcript` (interim and final, text exact), `flush_done` and `done` the server sent is surfaced, in order.",
    evaluate: (i) => (i.sessions.length === 0 ? undefined : sameSequence(v1Expected(i.sessions), observedKeys(i.observations.events, V1_TYPES))),
  },
  {
    id: "v1/deltas-concatenated",
    suite: "stt-v1",
    section: "§2.3",
    source: "surfaced",
    statement: "The session's text is the final deltas concatenated verbatim (no trim, no separators) and equals the scripted text.",
    evaluate: (i) => {
      if (hasErrorFault(i.scenario) || i.sessions.length === 0 || i.observations.result.text === undefined) return undefined;
      // Verbatim within a connection. A new connection's first final has no leading space, so across
      // a reconnect both gluing and one space at the seam are accepted (the protocol is silent there).
      const perSession = i.sessions.map((s) =>
        serverMessages([s])
          .filter((m) => m.type === "transcript" && m.is_final === true)
          .map((m) => String(m.text))
          .join(""),
      );
      const glued = perSession.join("");
      const seamed = perSession.filter((t) => t !== "").reduce((acc, t) => (acc === "" || /\s$/u.test(acc) || /^\s/u.test(t) ? acc + t : `${acc} ${t}`), "");
      const got = i.observations.result.text;
      if (got !== glued && got !== seamed) return fail(`text ${JSON.stringify(got)}, the finals concatenate to ${JSON.stringify(glued)}`);
      const script = compileScript(i.scenario.stt).text;
      const drainedAll = serverMessages(i.sessions).some((m) => m.type === "done");
      if (!hasDrop(i.scenario) && drainedAll && coversScript(i) && got !== script) {
        return fail(`text ${JSON.stringify(got)}, the scenario says ${JSON.stringify(script)} (mock and script disagree?)`);
      }
      return pass;
    },
  },
  {
    id: "v1/timestamps",
    suite: "stt-v1",
    section: "§2.3",
    source: "surfaced",
    statement: "Word timings of final transcripts are surfaced (`word`, `start`, `end` in stream seconds), for models that have them (not ink-2, §13.2).",
    requires: ["timestamps"],
    evaluate: (i) => {
      const finals = i.observations.events.filter((e): e is Extract<ObservationEvent, { type: "transcript" }> => e.type === "transcript" && e.is_final && e.text.trim() !== "");
      if (finals.length === 0 || hasDrop(i.scenario)) return undefined;
      // A model without word timestamps (ink-2) sends none: nothing to surface.
      if (i.case.stt && findModel(i.case.stt.model)?.features.wordTimestamps !== true) return undefined;
      const words = new Map(compileScript(i.scenario.stt).words.map((w) => [`${w.word}@${w.start}`, w]));
      for (const f of finals) {
        if (!f.words || f.words.length === 0) return fail(`final ${JSON.stringify(f.text)} surfaced without word timings`);
        for (const w of f.words) {
          if (!words.has(`${w.word}@${w.start}`)) return fail(`word ${JSON.stringify(w.word)} at ${w.start}s is not a scripted word at that time`);
        }
      }
      return pass;
    },
  },
  {
    id: "v1/errors-surfaced",
    suite: "stt-v1",
    section: "§1.4",
    source: "surfaced",
    statement: "Error events are surfaced with their status and code, in the structured (2026-03-01+) and the legacy `{message, code}` shape.",
    requires: ["errors"],
    evaluate: errorsSurfaced,
  },
  {
    id: "v1/unknown-message",
    suite: "stt-v1",
    section: "§2.3",
    source: "surfaced",
    statement: "A message of an unknown type does not crash the client.",
    evaluate: unknownTolerated,
  },
  {
    id: "v1/no-crash",
    suite: "stt-v1",
    section: "—",
    source: "surfaced",
    statement: "The client finishes every case without throwing (errors are reported, not thrown).",
    evaluate: noCrash,
  },
  // ---------------------------------------------------------------- stt-turns
  {
    id: "turns/handshake",
    suite: "stt-turns",
    section: "§3.1, §1.2, §1.3",
    source: "sent",
    statement: "The upgrade carries valid `model`, `encoding`, `sample_rate` (strict query schema, no `language`), credentials and a Cartesia-Version.",
    evaluate: (i) => handshake("stt-turns", i),
  },
  {
    id: "turns/audio-format",
    suite: "stt-turns",
    section: "§3.1, §8",
    source: "sent",
    statement: "The handshake's `encoding` and `sample_rate` are those of the audio, and the audio is whole samples.",
    evaluate: audioFormat,
  },
  {
    id: "turns/audio-delivered",
    suite: "stt-turns",
    section: "§3.2, §3.5",
    source: "sent",
    statement: "Every audio byte reaches the server in order with none lost (exactly once without drops); across a drop, resent audio restarts at or before the lost turn.",
    evaluate: (i) => audioDelivery(i, !hasDrop(i.scenario)),
  },
  {
    id: "turns/close-drains",
    suite: "stt-turns",
    section: "§3.2, §3.5",
    source: "sent",
    statement: "The client ends with `{\"type\":\"close\"}`, sends nothing after it, and waits for the server to drain and close.",
    evaluate: (i) => {
      const v = drained(i, (m) => m.json?.type === "close");
      if (!v || v.grade !== "pass") return v;
      const bad = [...violations(i.sessions, ["stt-turns/client-after-close"]).map((x) => x.message), ...invalidClientFrames(i.sessions, "stt-turns")];
      return bad.length > 0 ? fail(bad.join("; ")) : pass;
    },
  },
  {
    id: "turns/keep-alive",
    suite: "stt-turns",
    section: "§3.5, §1.6",
    source: "sent",
    statement: "While idle, the client sends silence before the idle limit so the session stays open (there is no keep-alive message).",
    requires: ["keepAlive"],
    evaluate: (i) => keepAlive(i),
  },
  {
    id: "turns/config",
    suite: "stt-turns",
    section: "§3.2",
    source: "sent",
    statement:
      "`config` is valid, and every connection ends up holding the keyterms, language hints and turn settings asked for (a new list replaces, `[]` clears, an omitted field keeps), a reconnected one too.",
    requires: ["config"],
    evaluate: configSent("stt-turns"),
  },
  {
    id: "turns/events-in-order",
    suite: "stt-turns",
    section: "§3.3, §3.4",
    source: "surfaced",
    statement: "Every turn event (`connected`, `turn.start`, `turn.update`, `turn.eager_end`, `turn.resume`, `turn.end`) is surfaced in order with its transcript.",
    evaluate: (i) => (i.sessions.length === 0 ? undefined : sameSequence(turnsExpected(i.sessions), observedKeys(i.observations.events, TURN_TYPES))),
  },
  {
    id: "turns/eager-resume-order",
    suite: "stt-turns",
    section: "§3.3, §3.4",
    source: "surfaced",
    statement: "A `turn.eager_end` resolved by `turn.resume` is surfaced followed by that resume, and its speculative transcript is dropped (never committed as the turn's text).",
    evaluate: (i) => {
      const server = serverMessages(i.sessions);
      const resumed: { turn: number; transcript: string }[] = [];
      let turn = -1;
      server.forEach((m, k) => {
        if (m.type === "turn.start") turn += 1;
        if (m.type === "turn.eager_end" && server[k + 1]?.type === "turn.resume") resumed.push({ turn, transcript: String(m.transcript) });
      });
      if (resumed.length === 0 || hasDrop(i.scenario)) return undefined;
      const obs = i.observations.events.filter((e) => (TURN_TYPES as readonly string[]).includes(e.type));
      const eagerIdx = obs.flatMap((e, k) => (e.type === "turn.eager_end" ? [k] : []));
      const resumes = obs.filter((e) => e.type === "turn.resume").length;
      const expectedResumes = server.filter((m) => m.type === "turn.resume").length;
      if (resumes !== expectedResumes) return fail(`the server sent ${expectedResumes} turn.resume, the client surfaced ${resumes}`);
      for (const k of eagerIdx) {
        const next = obs[k + 1];
        if (next && next.type !== "turn.resume" && next.type !== "turn.end") return fail(`turn.eager_end surfaced followed by ${next.type}`);
      }
      const turns = i.observations.result.turns;
      if (turns) {
        const ends = turnEnds(i.sessions);
        for (const r of resumed) {
          const committed = turns[r.turn];
          if (committed === r.transcript && ends[r.turn] !== r.transcript) {
            return fail(`turn ${r.turn + 1}: the speculative transcript ${JSON.stringify(r.transcript)} was committed although turn.resume dropped it`);
          }
        }
      }
      return pass;
    },
  },
  {
    id: "turns/final-text-per-turn",
    suite: "stt-turns",
    section: "§3.3",
    source: "surfaced",
    statement: "The text committed for each turn is exactly its `turn.end` transcript, which is the scripted text (unicode and empty turns included).",
    evaluate: (i) => {
      const turns = i.observations.result.turns;
      if (!turns || hasErrorFault(i.scenario) || hasDrop(i.scenario) || i.sessions.length === 0) return undefined;
      const ends = turnEnds(i.sessions);
      if (JSON.stringify(turns) !== JSON.stringify(ends)) return fail(`committed ${JSON.stringify(turns)}, turn.end said ${JSON.stringify(ends)}`);
      const script = scriptTurns(i).slice(0, ends.length);
      if (coversScript(i) && JSON.stringify(script) !== JSON.stringify(ends)) return fail(`turn.end said ${JSON.stringify(ends)}, the scenario scripts ${JSON.stringify(script)} (mock fault)`);
      return pass;
    },
  },
  {
    id: "turns/final-text-concatenated",
    suite: "stt-turns",
    section: "§3.3",
    source: "surfaced",
    statement: "The session's text is the `turn.end` transcripts concatenated verbatim (not the cumulative updates).",
    evaluate: (i) => {
      const text = i.observations.result.text;
      if (text === undefined || hasErrorFault(i.scenario) || hasDrop(i.scenario) || i.sessions.length === 0) return undefined;
      const expected = turnEnds(i.sessions).join("");
      return text === expected ? pass : fail(`text ${JSON.stringify(text)}, expected ${JSON.stringify(expected)}`);
    },
  },
  {
    id: "turns/words-match-transcript",
    suite: "stt-turns",
    section: "§3.3",
    source: "surfaced",
    statement:
      "Turn events' `words` (ink-preview) are surfaced as the server sent them: the same words, in order, `start ≤ end`, in stream seconds (shifted by where the connection's audio starts); `turn.eager_end` and `turn.end` carry every word of the turn.",
    requires: ["turnWords"],
    evaluate: wordsMatch,
  },
  {
    id: "turns/languages-surfaced",
    suite: "stt-turns",
    section: "§3.3",
    source: "surfaced",
    statement: "Turn events' `languages` (ink-preview) are surfaced as the server sent them (`language`, `confidence`), and none where it sent none.",
    requires: ["turnLanguages"],
    evaluate: languagesSurfaced,
  },
  {
    id: "turns/errors-surfaced",
    suite: "stt-turns",
    section: "§1.4",
    source: "surfaced",
    statement: "Error events are surfaced with their status and code, in the structured (2026-03-01+) and the legacy `{message, code}` shape.",
    requires: ["errors"],
    evaluate: errorsSurfaced,
  },
  {
    id: "turns/unknown-message",
    suite: "stt-turns",
    section: "§3.3",
    source: "surfaced",
    statement: "A message of an unknown type does not crash the client.",
    evaluate: unknownTolerated,
  },
  {
    id: "turns/no-crash",
    suite: "stt-turns",
    section: "—",
    source: "surfaced",
    statement: "The client finishes every case without throwing (errors are reported, not thrown).",
    evaluate: noCrash,
  },
  // ---------------------------------------------------------------- tts
  {
    id: "tts/handshake",
    suite: "tts",
    section: "§5.1, §1.2, §1.3",
    source: "sent",
    statement: "The upgrade carries credentials and a Cartesia-Version, and no generation parameters in the URL.",
    evaluate: (i) => handshake("tts", i),
  },
  {
    id: "tts/valid-requests",
    suite: "tts",
    section: "§5.2",
    source: "sent",
    statement: "Every client message is a valid generation request or cancel (strict schema at the session's version).",
    evaluate: (i) => {
      if (i.sessions.length === 0) return undefined;
      const bad = invalidClientFrames(i.sessions, "tts");
      return bad.length > 0 ? fail(bad.join("; ")) : pass;
    },
  },
  {
    id: "tts/repeat-context-fields",
    suite: "tts",
    section: "§5.2",
    source: "sent",
    statement: "Every input on a context repeats `model_id`, `voice`, `output_format` and `language` unchanged.",
    evaluate: (i) => {
      if (i.sessions.length === 0) return undefined;
      const v = violations(i.sessions, ["tts/repeat-context-fields"]);
      return v.length > 0 ? fail(v.map((x) => x.message).join("; ")) : pass;
    },
  },
  {
    id: "tts/end-context",
    suite: "tts",
    section: "§5.2, §5.4",
    source: "sent",
    statement: "Ending a context sends `continue:false` (`transcript:\"\"`; `\" \"` is a warning) once, and no input follows it.",
    evaluate: (i) => {
      const ended = contextsOf(i, "end");
      if (ended.length === 0 || i.sessions.length === 0) return undefined;
      const reqs = clientRequests(i.sessions);
      let warning: string | undefined;
      for (const ctx of ended) {
        const ends = reqs.filter((r) => r.context_id === ctx && r.cancel !== true && r.continue !== true);
        if (ends.length !== 1) return fail(`context ${ctx}: ${ends.length} requests with continue:false (expected 1)`);
        const t = (ends[0] as Record<string, unknown>).transcript;
        if (typeof t === "string" && t !== "" && t.trim() === "") warning = `context ${ctx} ended with ${JSON.stringify(t)} instead of "" (docs/protocol §5.2: livekit-js does this)`;
      }
      const after = violations(i.sessions, ["tts/input-after-end"]);
      if (after.length > 0) return fail(after.map((x) => x.message).join("; "));
      return warning ? warn(warning) : pass;
    },
  },
  {
    id: "tts/flush",
    suite: "tts",
    section: "§5.2, §5.4",
    source: "sent",
    statement: "A flush is sent as `transcript:\"\"`, `continue:true`, `flush:true` on the same context, once per request.",
    requires: ["flush"],
    evaluate: (i) => {
      const asked = contextsOf(i, "flush");
      if (asked.length === 0 || i.sessions.length === 0) return undefined;
      const reqs = clientRequests(i.sessions);
      for (const ctx of new Set(asked)) {
        const want = asked.filter((a) => a === ctx).length;
        const flushes = reqs.filter((r) => r.context_id === ctx && r.flush === true);
        if (flushes.length !== want) return fail(`context ${ctx}: asked ${want} flushes, sent ${flushes.length}`);
        const bad = flushes.find((r) => r.transcript !== "" || r.continue !== true);
        if (bad) return fail(`context ${ctx}: flush sent as ${JSON.stringify(bad)}`);
      }
      return pass;
    },
  },
  {
    id: "tts/cancel",
    suite: "tts",
    section: "§5.2, §5.4",
    source: "sent",
    statement: "Cancel sends `{context_id, cancel:true}` for that context.",
    requires: ["cancel"],
    evaluate: (i) => {
      const asked = contextsOf(i, "cancel");
      if (asked.length === 0 || i.sessions.length === 0) return undefined;
      const reqs = clientRequests(i.sessions);
      for (const ctx of asked) {
        if (!reqs.some((r) => r.context_id === ctx && r.cancel === true)) return fail(`no cancel sent for context ${ctx}`);
      }
      return pass;
    },
  },
  {
    id: "tts/audio-per-context",
    suite: "tts",
    section: "§5.3, §5.4",
    source: "surfaced",
    statement: "Each context's surfaced audio is byte-identical to what the server sent for it, with contexts interleaved on one socket.",
    evaluate: (i) => {
      if (i.sessions.length === 0) return undefined;
      const { audio, clipped } = ttsServerPerContext(i.sessions);
      if (clipped) return fail("the journal clipped a server frame (over its text limit): cannot compare audio — use smaller chunks");
      const cancelled = new Set(contextsOf(i, "cancel"));
      const got = new Map<string, Uint8Array[]>();
      for (const e of i.observations.events) {
        if (e.type !== "tts.audio") continue;
        const list = got.get(e.context_id) ?? [];
        list.push(Buffer.from(e.data, "base64"));
        got.set(e.context_id, list);
      }
      for (const [ctx, parts] of audio) {
        const want = sha256(...parts);
        const have = sha256(...(got.get(ctx) ?? []));
        const wantLen = parts.reduce((n, p) => n + p.length, 0);
        const haveLen = (got.get(ctx) ?? []).reduce((n, p) => n + p.length, 0);
        // A cancelled context may stop surfacing audio at the cancel: a prefix is fine.
        if (cancelled.has(ctx)) {
          const joined = Buffer.concat(parts);
          const mine = Buffer.concat(got.get(ctx) ?? []);
          if (!joined.subarray(0, mine.length).equals(mine)) return fail(`context ${ctx} (cancelled): surfaced audio is not a prefix of what the server sent`);
          continue;
        }
        if (want !== have) return fail(`context ${ctx}: surfaced ${haveLen} bytes (sha256 ${have.slice(0, 12)}), the server sent ${wantLen} (sha256 ${want.slice(0, 12)})`);
      }
      for (const ctx of got.keys()) if (!audio.has(ctx)) return fail(`audio surfaced for context ${ctx}, which the server never sent audio for`);
      return pass;
    },
  },
  {
    id: "tts/timestamps",
    suite: "tts",
    section: "§5.3",
    source: "surfaced",
    statement: "Word timestamps are surfaced per context exactly as the server sent them.",
    requires: ["timestamps"],
    evaluate: (i) => {
      const map = i.observations.result.contexts;
      const withTs = new Set(i.case.contexts.filter((c) => c.add_timestamps && (!map || c.id in map)).map((c) => wire(i, c.id)));
      if (withTs.size === 0 || i.sessions.length === 0) return undefined;
      const cancelled = new Set(contextsOf(i, "cancel"));
      for (const ctx of withTs) {
        if (cancelled.has(ctx)) continue;
        const want = serverMessages(i.sessions)
          .filter((m) => m.type === "timestamps" && m.context_id === ctx)
          .flatMap((m) => ((m.word_timestamps as { words?: string[] } | undefined)?.words ?? []));
        const have = i.observations.events.flatMap((e) => (e.type === "tts.timestamps" && e.context_id === ctx ? e.words : []));
        if (JSON.stringify(want) !== JSON.stringify(have)) return fail(`context ${ctx}: surfaced words ${JSON.stringify(have)}, the server sent ${JSON.stringify(want)}`);
      }
      return pass;
    },
  },
  {
    id: "tts/flush-done-surfaced",
    suite: "tts",
    section: "§5.4",
    source: "surfaced",
    statement: "Each `flush_done` is surfaced on its context with its `flush_id`.",
    requires: ["flush"],
    evaluate: (i) => {
      const want = serverMessages(i.sessions)
        .filter((m) => m.type === "flush_done")
        .map((m) => `${String(m.context_id)}#${String(m.flush_id)}`);
      if (want.length === 0) return undefined;
      const have = i.observations.events.flatMap((e) => (e.type === "tts.flush_done" ? [`${e.context_id}#${e.flush_id}`] : []));
      const missing = want.filter((w) => !have.includes(w));
      return missing.length > 0 ? fail(`flush_done not surfaced: ${missing.join(", ")}`) : pass;
    },
  },
  {
    id: "tts/done-surfaced",
    suite: "tts",
    section: "§5.4",
    source: "surfaced",
    statement: "Each context's `done` is surfaced on that context, after all its audio.",
    evaluate: (i) => {
      const cancelled = new Set(contextsOf(i, "cancel"));
      // An error (done:true) ends its context: whatever the server sends on it later is not owed to the caller.
      const errored = new Set(serverErrors(i.sessions).flatMap((e) => (e.context ? [e.context] : [])));
      const want = serverMessages(i.sessions)
        .filter((m) => m.type === "done" && !cancelled.has(String(m.context_id)) && !errored.has(String(m.context_id)))
        .map((m) => String(m.context_id));
      if (want.length === 0) return undefined;
      for (const ctx of want) {
        const idx = i.observations.events.findIndex((e) => e.type === "tts.done" && e.context_id === ctx);
        if (idx < 0) return fail(`done not surfaced for context ${ctx}`);
        const later = i.observations.events.slice(idx + 1).some((e) => e.type === "tts.audio" && e.context_id === ctx);
        if (later) return fail(`audio for context ${ctx} surfaced after its done`);
      }
      return pass;
    },
  },
  {
    id: "tts/errors-surfaced",
    suite: "tts",
    section: "§1.4, §5.4",
    source: "surfaced",
    statement: "Error events are surfaced with their status and code, in the structured (2026-03-01+) and the legacy `{error}` shape.",
    requires: ["errors"],
    evaluate: errorsSurfaced,
  },
  {
    id: "tts/unknown-message",
    suite: "tts",
    section: "§5.3",
    source: "surfaced",
    statement: "A message of an unknown type does not crash the client.",
    evaluate: unknownTolerated,
  },
  {
    id: "tts/no-crash",
    suite: "tts",
    section: "—",
    source: "surfaced",
    statement: "The client finishes every case without throwing (errors are reported, not thrown).",
    evaluate: noCrash,
  },
  // ---------------------------------------------------------------- tts-http
  ...TTS_HTTP_CHECKS,
  // ---------------------------------------------------------------- stt-batch
  ...STT_BATCH_CHECKS,
  // ---------------------------------------------------------------- access-token
  ...ACCESS_TOKEN_CHECKS,
];

/** Whether the case's audio covers the whole script (so every scripted turn ended). */
function coversScript(i: CheckInput): boolean {
  if (!i.case.stt) return false;
  const compiled = compileScript(i.scenario.stt);
  const bps = bytesPerSample(i.case.stt.encoding) * i.case.stt.sample_rate;
  return sentBytes(i.case) / bps >= compiled.duration;
}

/** Keep-alive: an idle action longer than the limit, and the session was not closed for idleness. */
function keepAlive(i: CheckInput): Verdict | undefined {
  const idle = i.case.actions.find((a) => a.op === "idle");
  if (!idle || !i.case.idleLimitMs || i.sessions.length === 0) return undefined;
  for (const s of i.sessions) {
    const idleClose = s.entries.find((e) => e.dir === "server" && e.kind === "close" && /idle/iu.test(e.reason ?? ""));
    if (idleClose) return fail(`the server closed the session for idleness after ${idleClose.t} ms (limit ${i.case.idleLimitMs} ms): no keep-alive audio`);
  }
  return pass;
}

/** Checks by id. */
export const CHECKS_BY_ID: ReadonlyMap<string, Check> = new Map(CHECKS.map((c) => [c.id, c]));

/** The checks of some suites. */
export function checksFor(suites: readonly Suite[]): Check[] {
  return CHECKS.filter((c) => suites.includes(c.suite));
}
