/** The typed view of one journalled session that `nextSession` resolves with. */
import { sttV1, type accessToken, type sttBatch, type sttTurns, type tts, type ttsBytes, type ttsSse, type Violation } from "@speechwire/protocol";
import type { HttpResponseSummary, SessionRecord } from "../server/journal.js";

/** An endpoint as the journal names it (`stt-turns`, `tts`, `tts-bytes`, …). */
export type SessionEndpoint = SessionRecord["endpoint"];

/** A text frame or body that is not JSON (or was clipped by the journal), kept as it came. */
export interface UnparsedText {
  type: "unparsed";
  text: string;
}

/** The `/stt` request as the journal records it: the form fields, and the file by size. */
export interface SttBatchUpload {
  fields: Record<string, string | string[]>;
  file?: { bytes: number };
}

/** What a client sends on each endpoint, typed with the protocol's messages. */
export interface SentMessages {
  /** STT v1's bare commands (`finalize`, `close`, `done`) appear as `{type}`. */
  "stt-v1": sttV1.Config | { type: sttV1.Command };
  "stt-turns": sttTurns.Close | sttTurns.Config;
  tts: tts.ClientMessage;
  "tts-bytes": ttsBytes.Request;
  "tts-sse": ttsSse.Request;
  "stt-batch": SttBatchUpload;
  "access-token": accessToken.Request;
}

/** What the server answers on each endpoint (HTTP error bodies included), typed with the protocol's messages. */
export interface ReceivedMessages {
  "stt-v1": sttV1.ServerMessage;
  "stt-turns": sttTurns.ServerMessage;
  tts: tts.ServerMessage;
  "tts-bytes": ttsBytes.ErrorBody;
  "tts-sse": ttsSse.Event;
  "stt-batch": sttBatch.Response | ttsBytes.ErrorBody;
  "access-token": accessToken.Response | ttsBytes.ErrorBody;
}

/** How a session ended: who closed first, with what code; `dropped` when a side went away without a close frame. */
export interface SessionClose {
  side: "client" | "server";
  code?: number;
  reason: string;
  dropped: boolean;
}

/**
 * One ended session, typed for its endpoint. Messages are the journal's text entries parsed as JSON,
 * as they crossed the wire: typed as the protocol's messages but not validated (`violations` says
 * which rules they broke).
 */
export interface MockSession<E extends SessionEndpoint = SessionEndpoint> {
  id: string;
  endpoint: E;
  scenario: string;
  version: string;
  /** The client's text messages (WebSocket) or request body (HTTP), in order. */
  sent: (SentMessages[E] | UnparsedText)[];
  /** The server's text messages (WebSocket), or JSON/SSE response bodies (HTTP), in order. */
  received: (ReceivedMessages[E] | UnparsedText)[];
  /** Bytes of audio the client sent (the `/stt` upload on HTTP). */
  audioBytes: number;
  /** Hex SHA-256 of every audio byte the client sent, in order. */
  audioSha256: string;
  /** Every rule the session broke (both severities), with rule ids. */
  violations: Violation[];
  /** WebSocket sessions: the first close (or drop) recorded; HTTP: a drop, if the client went away. */
  close?: SessionClose;
  /** HTTP requests: status, size and digest of the response body as sent. */
  response?: HttpResponseSummary;
  /** The raw journal record. */
  record: SessionRecord;
}

const COMMANDS: ReadonlySet<string> = new Set(sttV1.COMMANDS);

/** Parses one journal text: JSON, an SSE event's `data:` lines, or STT v1's bare commands; else kept as `unparsed`. */
function parseText(text: string, endpoint: SessionEndpoint, dir: "client" | "server"): unknown {
  if (endpoint === "stt-v1" && dir === "client" && COMMANDS.has(text)) return { type: text };
  let json = text;
  if (endpoint === "tts-sse" && dir === "server" && /^(data|event):/.test(text)) {
    // One SSE event per entry, as sent: `data: {…}`, or `event: error` then `data: {…}`.
    json = text
      .split("\n")
      .filter((line) => line.startsWith("data:"))
      .map((line) => line.slice(5).replace(/^ /, ""))
      .join("\n");
  }
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return { type: "unparsed", text } satisfies UnparsedText;
  }
}

/** The typed view of a session's record (the record stays as it is). */
export function sessionView<E extends SessionEndpoint>(record: SessionRecord): MockSession<E> {
  const sent: unknown[] = [];
  const received: unknown[] = [];
  let close: SessionClose | undefined;
  for (const entry of record.entries) {
    if (entry.kind === "text" && entry.text !== undefined) {
      (entry.dir === "client" ? sent : received).push(parseText(entry.text, record.endpoint, entry.dir));
    } else if ((entry.kind === "close" || entry.kind === "drop") && close === undefined) {
      close = { side: entry.dir, reason: entry.reason ?? "", dropped: entry.kind === "drop", ...(entry.code !== undefined ? { code: entry.code } : {}) };
    }
  }
  return {
    id: record.id,
    endpoint: record.endpoint as E,
    scenario: record.scenario,
    version: record.version,
    sent: sent as MockSession<E>["sent"],
    received: received as MockSession<E>["received"],
    audioBytes: record.audio.bytes,
    audioSha256: record.audio.sha256,
    violations: record.violations,
    ...(close ? { close } : {}),
    ...(record.response ? { response: record.response } : {}),
    record,
  };
}
