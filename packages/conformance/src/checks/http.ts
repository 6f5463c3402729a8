/**
 * The HTTP checks (`tts-http`, docs/protocol §6; `stt-batch`, §4), read from the mock's own journal of
 * each request: what the client sent (method, headers, query, the JSON body or the multipart fields,
 * and the upload's byte count and SHA-256), and what the mock answered (status, JSON bodies and every
 * SSE event as text, the byte count and SHA-256 of every response byte, strict-schema violations).
 * What the client surfaced comes from the adapter. Audio is compared by digest: the journal keeps a
 * digest of binary bodies, not the bytes.
 */
import { normalizeHttpError, sttBatch, ttsBytes, ttsSse } from "@speechwire/protocol";
import type { SessionRecord } from "@speechwire/mock-server";
import type { ObservationEvent } from "../adapter/schema.js";
import type { Check, CheckInput, Verdict } from "./catalogue.js";
import { fail, pass } from "./verdict.js";
import { isClipped, sha256 } from "./journal.js";
import { canonical } from "./values.js";


/** The journal's endpoint names of the HTTP routes. */
const ENDPOINTS = { bytes: "tts-bytes", sse: "tts-sse", batch: "stt-batch" } as const;
const PATHS = { bytes: ttsBytes.PATH, sse: ttsSse.PATH } as const;

/** One journalled HTTP request and the mock's answer, in the shape the checks read. */
export interface HttpExchange {
  /** The journal's endpoint name (`tts-bytes`, `tts-sse`, `stt-batch`, `access-token`). */
  endpoint: string;
  method: string;
  /** The query (credentials redacted). */
  query: Record<string, string | string[]>;
  /** Request headers, names in lower case (credentials redacted). */
  headers: Record<string, string>;
  /** A JSON request body as text (TTS), `undefined` when none was read. */
  body: string | undefined;
  /** `/stt`: the multipart fields as the mock parsed them, and whether a `file` part came. */
  form?: { fields: Record<string, string | string[]>; file: boolean };
  /** `/stt`: byte count and SHA-256 of the uploaded file. */
  upload: { bytes: number; sha256: string };
  /** The response status (0 when none was sent). */
  status: number;
  /** Text response bodies: one JSON or plain-text body, or one entry per SSE event (`data: …`). */
  responseText: string[];
  /** Byte count and SHA-256 of every response body byte. */
  response: { bytes: number; sha256: string } | undefined;
  /** The response did not finish (the client went away first), or a text entry was clipped. */
  incomplete: boolean;
  /** Strict-schema violations the mock found in the exchange (`tts-bytes/valid-request`, …). */
  violations: SessionRecord["violations"];
}

/** Reads a journalled HTTP record (pure). WebSocket sessions give `undefined`. */
export function httpExchange(r: SessionRecord): HttpExchange | undefined {
  if (r.method === undefined) return undefined;
  const head = r.entries.findIndex((e) => e.kind === "http");
  const requestEntries = head < 0 ? r.entries : r.entries.slice(0, head);
  const clientText = requestEntries.find((e) => e.kind === "text" && e.dir === "client")?.text;
  let form: HttpExchange["form"];
  let body: string | undefined = clientText;
  if (r.endpoint === ENDPOINTS.batch) {
    body = undefined;
    try {
      const parsed = clientText === undefined ? undefined : (JSON.parse(clientText) as { fields?: Record<string, string | string[]>; file?: unknown });
      if (parsed?.fields) form = { fields: parsed.fields, file: parsed.file !== undefined };
    } catch {
      form = undefined;
    }
  }
  const responseText = head < 0 ? [] : r.entries.slice(head + 1).flatMap((e) => (e.kind === "text" && e.dir === "server" && e.text !== undefined ? [e.text] : []));
  const status = r.response?.status ?? (head >= 0 ? (r.entries[head]?.status ?? 0) : 0);
  const dropped = r.entries.some((e) => e.kind === "drop");
  const clipped = [clientText, ...responseText].some((t) => t !== undefined && isClipped(t));
  return {
    endpoint: r.endpoint,
    method: r.method,
    query: r.query,
    headers: r.headers,
    body,
    ...(form ? { form } : {}),
    upload: r.audio,
    status,
    responseText,
    response: r.response ? { bytes: r.response.bytes, sha256: r.response.sha256 } : undefined,
    incomplete: dropped || clipped || r.response === undefined,
    violations: r.violations,
  };
}

/** The exchanges of the case on its endpoint, oldest first (a client may retry, e.g. on 429). */
function exchangesOf(i: CheckInput): HttpExchange[] {
  const h = i.case.http;
  const endpoint = h ? ENDPOINTS[h.endpoint] : i.case.batch ? ENDPOINTS.batch : undefined;
  if (!endpoint) return [];
  return i.sessions.flatMap((s) => {
    const e = s.endpoint === endpoint ? httpExchange(s) : undefined;
    return e ? [e] : [];
  });
}

/** The exchange whose answer the client surfaced: the last one (after any retries). */
function answered(i: CheckInput): HttpExchange | undefined {
  const list = exchangesOf(i);
  return list[list.length - 1];
}

/** Whether the case's scenario refused the request with its status before the mock read the body (§1.4). */
function refusedUnread(i: CheckInput, e: HttpExchange): boolean {
  return e.body === undefined && e.form === undefined && i.scenario.handshake?.status === e.status;
}

/** Where two byte strings first differ (or `undefined` when they are equal). */
export function firstDiff(a: Uint8Array, b: Uint8Array): number | undefined {
  const n = Math.min(a.length, b.length);
  for (let k = 0; k < n; k += 1) if (a[k] !== b[k]) return k;
  return a.length === b.length ? undefined : n;
}

const short64 = (hex: string) => hex.slice(0, 12);

/**
 * Compares bytes the client surfaced (or sent) with what the journal digested. On a mismatch the
 * message gives both counts and digests, and the first differing byte when the mock's deterministic
 * re-render of the same request (`rerender`) is at hand and has the journal's digest.
 */
function sameDigest(what: string, expected: { bytes: number; sha256: string }, got: Uint8Array, rerender?: Uint8Array): Verdict {
  const digest = sha256(got);
  if (digest === expected.sha256 && got.length === expected.bytes) return pass;
  let at = "";
  if (rerender && rerender.length === expected.bytes && sha256(rerender) === expected.sha256) {
    const k = firstDiff(rerender, got);
    if (k !== undefined) at = `; first difference at byte ${k}`;
  }
  return fail(`${what}: ${got.length} bytes surfaced (sha256 ${short64(digest)}…), ${expected.bytes} expected (sha256 ${short64(expected.sha256)}…)${at}`);
}

/** Compares two byte strings the runner holds whole. */
function sameBytes(what: string, expected: Uint8Array, got: Uint8Array): Verdict {
  const at = firstDiff(expected, got);
  if (at === undefined) return pass;
  return fail(`${what}: ${got.length} bytes surfaced, ${expected.length} expected; first difference at byte ${at}`);
}

/** The audio bytes the adapter surfaced (every `http.audio`, in order). */
export function surfacedAudio(events: readonly ObservationEvent[]): Uint8Array {
  return new Uint8Array(Buffer.concat(events.flatMap((e) => (e.type === "http.audio" ? [Buffer.from(e.data, "base64")] : []))));
}

/** The `data:` payload of a journalled SSE event (its `data:` lines joined, §6.2). */
function sseData(event: string): string {
  return event
    .split(/\r?\n/u)
    .filter((line) => line.startsWith("data:"))
    .map((line) => line.slice(5).replace(/^ /u, ""))
    .join("\n");
}

/** `tts-http/*-request`: method, credentials, version header, and the body valid (strict) and as asked. */
function requestCheck(endpoint: "bytes" | "sse", i: CheckInput): Verdict | undefined {
  const h = i.case.http;
  if (!h || h.endpoint !== endpoint || h.invalid) return undefined;
  const list = exchangesOf(i);
  if (list.length === 0) return fail(`the client never sent POST ${PATHS[endpoint]}`);
  for (const e of list) {
    if (e.method !== "POST") return fail(`${PATHS[endpoint]} was sent with ${e.method}, not POST (§6)`);
    if (!e.headers.authorization && !e.headers["x-api-key"]) return fail("no credentials: neither Authorization nor X-API-Key (§1.2)");
    const version = e.headers["cartesia-version"];
    if (!version) return fail("no Cartesia-Version header (§1.3)");
    if (e.body === undefined) {
      // A request the mock refused before reading its body (a scenario's 401/429, §1.4) has no body
      // entry in the journal: only its method and headers are graded.
      if (refusedUnread(i, e)) continue;
      return fail(`the mock recorded no request body (status ${e.status})`);
    }
    if (isClipped(e.body)) return fail("the request body was clipped by the journal: its content is unknown");
    // The mock lints the body with the same strict schema (`tts-bytes/valid-request`); its finding is the first word.
    const flagged = e.violations.find((v) => v.rule === `${ENDPOINTS[endpoint]}/valid-request`);
    if (flagged) return fail(`request body (strict schema at ${version}): ${flagged.message.replace(/^client body: /u, "")}`);
    const parsed = endpoint === "bytes" ? ttsBytes.parseRequest(e.body, { strictness: "strict", version }) : ttsSse.parseRequest(e.body, { strictness: "strict", version });
    if (!parsed.ok) return fail(`request body: ${parsed.error.message}`);
    const body = parsed.value as Record<string, unknown>;
    for (const [key, value] of Object.entries(h.request)) {
      if (canonical(body[key]) !== canonical(value)) return fail(`request body: \`${key}\` is ${JSON.stringify(body[key])}, the caller asked for ${JSON.stringify(value)}`);
    }
  }
  return pass;
}

/** `tts-http/bytes-audio`: the surfaced audio has the byte count and digest of the response body. */
function bytesAudio(i: CheckInput): Verdict | undefined {
  if (i.case.http?.endpoint !== "bytes") return undefined;
  const e = answered(i);
  if (!e || e.status !== 200) return undefined;
  if (e.incomplete || !e.response) return fail("the response body was not read to its end");
  const container = (i.case.http.request.output_format as { container?: string } | undefined)?.container;
  return sameDigest(`${String(container)} audio`, e.response, surfacedAudio(i.observations.events), i.rerender);
}

/** The SSE events the mock sent (journalled one per entry), as observation keys, and their audio. */
function sseExpected(events: readonly string[], timestamps: boolean): { keys: string[]; audio: Uint8Array[] } {
  const keys: string[] = [];
  const audio: Uint8Array[] = [];
  for (const event of events) {
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(sseData(event)) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (m.type === "chunk" && typeof m.data === "string") {
      const bytes = new Uint8Array(Buffer.from(m.data, "base64"));
      audio.push(bytes);
      keys.push(`audio ${m.data}`);
    } else if (m.type === "timestamps" && timestamps) {
      const w = m.word_timestamps as { words: string[]; start: number[]; end: number[] };
      keys.push(`timestamps ${JSON.stringify([w.words, w.start, w.end])}`);
    } else if (m.type === "done") keys.push("done");
    else if (m.type === "error") keys.push(`error ${String(m.status_code)}`);
    // phoneme_timestamps and flush_done have no observation: not compared.
  }
  return { keys, audio };
}

function observedKey(e: ObservationEvent, timestamps: boolean): string | undefined {
  if (e.type === "http.audio") return `audio ${e.data}`;
  if (e.type === "http.timestamps") return timestamps ? `timestamps ${JSON.stringify([e.words, e.start, e.end])}` : undefined;
  if (e.type === "http.done") return "done";
  if (e.type === "error") return `error ${String(e.status)}`;
  return undefined;
}

const short = (k: string | undefined) => (k === undefined ? "(nothing)" : k.length > 60 ? `${k.slice(0, 57)}…` : k);

/** `tts-http/sse-events`: every SSE event surfaced in order; the audio equals /tts/bytes' for the same request. */
function sseEvents(i: CheckInput): Verdict | undefined {
  if (i.case.http?.endpoint !== "sse") return undefined;
  const e = answered(i);
  if (!e || e.status !== 200) return undefined;
  if (e.incomplete) return fail("the event stream was not read to its end (or the journal clipped an event)");
  const timestamps = i.capabilities.timestamps;
  const expected = sseExpected(e.responseText, timestamps);
  const got = i.observations.events.flatMap((o) => {
    const k = observedKey(o, timestamps);
    return k === undefined ? [] : [k];
  });
  const n = Math.max(expected.keys.length, got.length);
  for (let k = 0; k < n; k += 1) {
    if (expected.keys[k] !== got[k]) return fail(`event ${k}: expected ${short(expected.keys[k])}, surfaced ${short(got[k])} (${expected.keys.length} events sent, ${got.length} surfaced)`);
  }
  if (i.reference) return sameBytes("SSE audio against /tts/bytes (raw) for the same request", i.reference, new Uint8Array(Buffer.concat(expected.audio)));
  return pass;
}

/** `tts-http/errors-surfaced`: an HTTP error reaches the caller with its status, and its code when the body has one. */
function errorsSurfaced(i: CheckInput): Verdict | undefined {
  const e = answered(i);
  if (!e || e.status < 400) return undefined;
  // A legacy plain-text body (`Title: Message`, §1.4) has no code to surface.
  const { code, shape: bodyShape } = normalizeHttpError(e.status, e.responseText.join(""));
  const structured = bodyShape === "structured";
  const errors = i.observations.events.filter((o): o is Extract<ObservationEvent, { type: "error" }> => o.type === "error");
  const shape = structured ? "structured JSON" : "legacy plain-text";
  if (errors.length === 0) {
    const audio = surfacedAudio(i.observations.events);
    return fail(`HTTP ${e.status} (${shape} body) was not surfaced${audio.length > 0 ? ` (its ${audio.length} body bytes were surfaced as audio)` : ""}`);
  }
  const match = errors.find((o) => o.status === e.status);
  if (!match) return fail(`HTTP ${e.status} (${shape} body) surfaced without its status (got ${errors.map((o) => String(o.status)).join(", ")})`);
  if (code !== null && match.code !== code) return fail(`HTTP ${e.status} surfaced with code ${JSON.stringify(match.code)}, the body says ${JSON.stringify(code)}`);
  if (i.observations.events.some((o) => o.type === "http.audio")) return fail(`HTTP ${e.status}: the error body was surfaced as audio`);
  return pass;
}

/** `stt-batch/request`: a multipart upload with the file byte for byte and valid fields and query (strict). */
function batchRequest(i: CheckInput): Verdict | undefined {
  const b = i.case.batch;
  if (!b) return undefined;
  const list = exchangesOf(i);
  if (list.length === 0) return fail(`the client never sent POST ${sttBatch.PATH}`);
  const file = new Uint8Array(Buffer.from(b.file, "base64"));
  for (const e of list) {
    if (e.method !== "POST") return fail(`${sttBatch.PATH} was sent with ${e.method}, not POST (§4)`);
    if (!e.headers.authorization && !e.headers["x-api-key"]) return fail("no credentials: neither Authorization nor X-API-Key (§1.2)");
    const version = e.headers["cartesia-version"];
    if (!version) return fail("no Cartesia-Version header (§1.3)");
    // Refused by the scenario before the body was read: only the method and the headers are graded.
    if (!e.form && refusedUnread(i, e)) continue;
    if (!e.form) return fail(`the mock read no multipart body (status ${e.status}${e.responseText[0] ? `: ${short(e.responseText[0])}` : ""})`);
    if (!e.form.file) return fail("no `file` part in the multipart body (§4)");
    // The journal keeps the file's byte count and SHA-256 (the record's `audio`), not its bytes.
    const digest = sha256(file);
    if (e.upload.bytes !== file.length || e.upload.sha256 !== digest) {
      return fail(`the uploaded file: the mock received ${e.upload.bytes} bytes (sha256 ${short64(e.upload.sha256)}…), the caller's file has ${file.length} (sha256 ${short64(digest)}…)`);
    }
    const form = sttBatch.parseForm(e.form.fields, { strictness: "strict", version });
    if (!form.ok) return fail(`form fields: ${form.error.message}`);
    if (form.value.model !== b.model) return fail(`form field \`model\` is ${JSON.stringify(form.value.model)}, the caller asked for ${JSON.stringify(b.model)}`);
    if (b.language !== undefined && form.value.language !== b.language) return fail(`form field \`language\` is ${JSON.stringify(form.value.language)}, the caller asked for ${JSON.stringify(b.language)}`);
    const words = form.value["timestamp_granularities[]"]?.includes("word") ?? false;
    if (words !== b.words) return fail(b.words ? "word timings were asked for but `timestamp_granularities[]=word` was not sent" : "`timestamp_granularities[]=word` was sent unasked");
    const query = sttBatch.parseQuery(e.query, { strictness: "strict", version });
    if (!query.ok) return fail(`query: ${query.error.message}`);
    if (b.encoding !== undefined && (query.value.encoding !== b.encoding || query.value.sample_rate !== b.sample_rate)) {
      return fail(`raw PCM needs \`encoding=${b.encoding}&sample_rate=${String(b.sample_rate)}\` in the query; got ${JSON.stringify(e.query)}`);
    }
  }
  return pass;
}

/** `stt-batch/text`: the transcript surfaced is the server's, text exact, words when asked. */
function batchText(i: CheckInput): Verdict | undefined {
  const b = i.case.batch;
  const e = answered(i);
  if (!b || !e || e.status !== 200) return undefined;
  let sent: { text?: unknown; words?: { word: string; start: number; end: number }[] };
  try {
    sent = JSON.parse(e.responseText.join("")) as typeof sent;
  } catch {
    return fail("the server's answer was not JSON (the mock's fault, not the client's)");
  }
  const got = i.observations.events.filter((o): o is Extract<ObservationEvent, { type: "batch.transcript" }> => o.type === "batch.transcript");
  if (got.length !== 1) return fail(`${got.length} transcripts surfaced, expected 1`);
  const t = got[0] as Extract<ObservationEvent, { type: "batch.transcript" }>;
  if (t.text !== sent.text) return fail(`text ${JSON.stringify(t.text)} surfaced, the server sent ${JSON.stringify(sent.text)}`);
  if (b.words && i.capabilities.timestamps) {
    const want = (sent.words ?? []).map((w) => [w.word, w.start, w.end]);
    const have = (t.words ?? []).map((w) => [w.word, w.start, w.end]);
    if (JSON.stringify(want) !== JSON.stringify(have)) return fail(`words ${short(JSON.stringify(have))} surfaced, the server sent ${short(JSON.stringify(want))}`);
  }
  return pass;
}

function noCrash(i: CheckInput): Verdict {
  const r = i.observations.result;
  return r.crashed ? fail(`the client crashed: ${r.crash ?? "(no detail)"}`) : pass;
}

/** The `stt-batch` suite. */
export const STT_BATCH_CHECKS: readonly Check[] = [
  {
    id: "stt-batch/request",
    suite: "stt-batch",
    section: "§4, §1.2, §1.3",
    source: "sent",
    statement: "`POST /stt` is multipart with the `file` byte for byte, valid `model`/`language`/`timestamp_granularities[]` fields (strict) as asked, raw PCM described in the query, credentials and a Cartesia-Version.",
    evaluate: batchRequest,
  },
  {
    id: "stt-batch/text",
    suite: "stt-batch",
    section: "§4",
    source: "surfaced",
    statement: "The transcript surfaced is the server's: `text` exact (unicode and empty included), and `words` as sent when word timings were asked for.",
    evaluate: batchText,
  },
  {
    id: "stt-batch/errors-surfaced",
    suite: "stt-batch",
    section: "§1.4, §4",
    source: "surfaced",
    requires: ["errors"],
    statement: "HTTP errors (401, 429) are surfaced with their status and code, from the structured JSON body and the legacy plain-text one.",
    evaluate: errorsSurfaced,
  },
  {
    id: "stt-batch/no-crash",
    suite: "stt-batch",
    section: "—",
    source: "surfaced",
    statement: "The client finishes every case without throwing (errors are reported, not thrown).",
    evaluate: noCrash,
  },
];

/** The `tts-http` suite. */
export const TTS_HTTP_CHECKS: readonly Check[] = [
  {
    id: "tts-http/bytes-request",
    suite: "tts-http",
    section: "§6.1, §1.2, §1.3",
    source: "sent",
    statement: "`POST /tts/bytes` carries credentials, a Cartesia-Version and a valid generation request (strict schema at the version) with the caller's fields unchanged.",
    evaluate: (i) => requestCheck("bytes", i),
  },
  {
    id: "tts-http/sse-request",
    suite: "tts-http",
    section: "§6.2, §1.2, §1.3",
    source: "sent",
    requires: ["sse"],
    statement: "`POST /tts/sse` carries credentials, a Cartesia-Version and a valid SSE request (strict schema, raw output) with the caller's fields unchanged.",
    evaluate: (i) => requestCheck("sse", i),
  },
  {
    id: "tts-http/bytes-audio",
    suite: "tts-http",
    section: "§6.1, §8",
    source: "surfaced",
    statement: "The audio the client surfaces is byte-identical to the body the server sent (raw, WAV, and MP3 when declared).",
    evaluate: bytesAudio,
  },
  {
    id: "tts-http/sse-events",
    suite: "tts-http",
    section: "§6.2",
    source: "surfaced",
    requires: ["sse"],
    statement: "Every SSE `chunk` (audio exact), `timestamps`, `done` and `error` is surfaced in order, and the audio equals `/tts/bytes`' for the same request.",
    evaluate: sseEvents,
  },
  {
    id: "tts-http/errors-surfaced",
    suite: "tts-http",
    section: "§1.4, §6",
    source: "surfaced",
    requires: ["errors"],
    statement: "HTTP errors (400, 401, 429) are surfaced with their status and code, from the structured JSON body and the legacy plain-text one, never as audio.",
    evaluate: errorsSurfaced,
  },
  {
    id: "tts-http/no-crash",
    suite: "tts-http",
    section: "—",
    source: "surfaced",
    statement: "The client finishes every case without throwing (errors are reported, not thrown).",
    evaluate: noCrash,
  },
];
