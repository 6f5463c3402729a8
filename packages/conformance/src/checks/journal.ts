/** Reading the mock's journal: the frames of a case's sessions, parsed. Pure functions. */
import { createHash } from "node:crypto";
import { isClippedText, type SessionRecord } from "@speechwire/mock-server";

/** A JSON text frame of a session, with where it was. */
export interface JournalMessage {
  session: number;
  index: number;
  dir: "client" | "server";
  /** The parsed JSON, or the raw text when it is not JSON (`finalize`, `close`, `done`). */
  json: Record<string, unknown> | undefined;
  text: string;
}

/**
 * Whether a journal text was clipped by the journal's size limit (then its content is unknown): the
 * mock's own reading of its clips, a plain one (`…(N chars)` at the end) or a TTS chunk's (its audio cut).
 */
export function isClipped(text: string): boolean {
  return isClippedText(text);
}

/** Every text frame of the sessions in order, JSON parsed where possible. */
export function textFrames(sessions: readonly SessionRecord[], dir?: "client" | "server"): JournalMessage[] {
  const out: JournalMessage[] = [];
  sessions.forEach((s, session) => {
    s.entries.forEach((e, index) => {
      if (e.kind !== "text" || e.text === undefined || (dir && e.dir !== dir)) return;
      let json: Record<string, unknown> | undefined;
      try {
        const v: unknown = JSON.parse(e.text);
        if (v && typeof v === "object" && !Array.isArray(v)) json = v as Record<string, unknown>;
      } catch {
        json = undefined;
      }
      out.push({ session, index, dir: e.dir, json, text: e.text });
    });
  });
  return out;
}

/** The server's JSON messages of the sessions, in order. */
export function serverMessages(sessions: readonly SessionRecord[]): Record<string, unknown>[] {
  return textFrames(sessions, "server").flatMap((m) => (m.json ? [m.json] : []));
}

/** Hex SHA-256 of bytes. */
export function sha256(...parts: Uint8Array[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest("hex");
}

/** A header of a session (names are lower case in the journal). */
export function header(session: SessionRecord, name: string): string | undefined {
  const v = session.headers[name.toLowerCase()];
  return typeof v === "string" ? v : undefined;
}

/** A query parameter of a session (first value). */
export function queryParam(session: SessionRecord, name: string): string | undefined {
  const v = session.query[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The closes of a session in order: who closed, with what. */
export function closes(session: SessionRecord): { dir: "client" | "server"; code: number | undefined; dropped: boolean; entry: number }[] {
  return session.entries.flatMap((e, entry) =>
    e.kind === "close" || e.kind === "drop" ? [{ dir: e.dir, code: e.code, dropped: e.kind === "drop", entry }] : [],
  );
}

/**
 * Where each session's audio lies in the case audio: for session k, the offset (among `candidates`
 * and the end of the previous session) whose slice has the session's digest; `undefined` when none does.
 */
export function locateAudio(sessions: readonly SessionRecord[], audio: Uint8Array, candidates: readonly number[]): (number | undefined)[] {
  const out: (number | undefined)[] = [];
  let prevEnd = 0;
  for (const s of sessions) {
    const tries = [...new Set([prevEnd, 0, ...candidates])].filter((o) => o + s.audio.bytes <= audio.length);
    const found = tries.find((o) => sha256(audio.subarray(o, o + s.audio.bytes)) === s.audio.sha256);
    out.push(found);
    if (found !== undefined) prevEnd = found + s.audio.bytes;
  }
  return out;
}
