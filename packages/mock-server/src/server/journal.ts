/**
 * The journal: every session's frames in both directions, with the audio position and time, and every
 * schema or grammar violation with its rule id (the protocol's linter). Bounded in memory; secrets
 * redacted; optionally appended to a JSONL file per session.
 */
import * as crypto from "node:crypto";
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { createSessionLinter, tts, type GrammarEndpoint, type SessionLinter, type Violation } from "@speechwire/protocol";

/** One frame or event in a session. */
export interface JournalEntry {
  /** Milliseconds since the session opened. */
  t: number;
  dir: "client" | "server";
  /** Seconds of audio received when this happened. */
  audio: number;
  /**
   * `http`: the response head of an HTTP request (`status`, `headers`), dir "server". HTTP request and
   * response bodies use `text` (JSON, one SSE event per entry) and `binary` runs (the `/stt` upload,
   * `/tts/bytes` audio) like WebSocket frames.
   */
  kind: "text" | "binary" | "close" | "drop" | "http";
  /** Text frames: the text. */
  text?: string;
  /**
   * Binary frames. Consecutive client audio frames with nothing else between them are recorded as one
   * run: `frames` frames, `bytes` in all, starting at `offset` in the session's audio; `t`/`audio` are
   * the first frame's and `tEnd`/`audioEnd` the last one's. (One entry per 20 ms chunk made the
   * journal the mock's largest cost at scale; the session-wide `audio.sha256` covers every byte.)
   */
  bytes?: number;
  offset?: number;
  frames?: number;
  tEnd?: number;
  audioEnd?: number;
  code?: number;
  reason?: string;
  /** `http` entries: the response status. */
  status?: number;
  /** `http` entries: the response headers (names in lower case). */
  headers?: Record<string, string>;
}

/** An HTTP request's response as sent: status, body size and SHA-256 of every body byte, Content-Type. */
export interface HttpResponseSummary {
  status: number;
  bytes: number;
  sha256: string;
  contentType?: string;
}

/** A session's record. */
export interface SessionRecord {
  id: string;
  endpoint: GrammarEndpoint | "tts-bytes" | "tts-sse" | "stt-batch" | "access-token";
  scenario: string;
  version: string;
  requestId: string;
  /** HTTP requests: the method (WebSocket sessions leave it out). */
  method?: string;
  path: string;
  /** The query with credentials redacted. */
  query: Record<string, string | string[]>;
  /** Request headers with credentials redacted. */
  headers: Record<string, string>;
  startedAt: string;
  endedAt?: string;
  /** Every audio byte the client sent: total and a digest of all of it, in order. */
  audio: { bytes: number; sha256: string };
  entries: JournalEntry[];
  /** Entries left out because the session passed the per-session limit. */
  droppedEntries: number;
  violations: Violation[];
  /** HTTP requests: the response, once it has finished (or the client went away). */
  response?: HttpResponseSummary;
}

/** Headers whose whole value is a credential (Authorization keeps its scheme word). */
const SECRET_HEADERS = new Set(["authorization", "proxy-authorization", "x-api-key", "cookie"]);
/** Query parameters that carry credentials (§1.2). */
const SECRET_PARAMS = new Set(["api_key", "access_token"]);
/** An auth scheme and its credentials (`Bearer <token>`), split at SP/HTAB (RFC 9110 §11.4). */
const SCHEME_AND_CREDENTIALS = /^[ \t]*([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]+(.*?)[ \t]*$/s;
/**
 * Secrets recognized inside any text (frames, bodies, other headers and parameters): JWT-shaped tokens
 * (what `/access-token` mints, `eyJ….eyJ….<signature>`) and Cartesia-shaped keys (`sk_car_…`). Neither
 * can occur in base64 audio (no `.` there; `sk_car_` has `_`, which standard base64 lacks).
 */
const SECRETS_IN_TEXT = /eyJ[A-Za-z0-9_-]*\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*|sk_car_[A-Za-z0-9_-]+/g;

/**
 * The journal's stand-in for a secret: `redacted:` and the first 8 hex digits of its SHA-256. Two
 * records with the same secret show the same digest, so they can be correlated (and a caller holding
 * the secret can find its records), but the digest opens nothing.
 */
export function redactSecret(secret: string): string {
  return `redacted:${crypto.createHash("sha256").update(secret, "utf8").digest("hex").slice(0, 8)}`;
}

/** Replaces every token- or key-shaped secret inside `text` by its `redactSecret` form. */
export function redactText(text: string): string {
  if (!maySecret(text)) return text;
  return text.replace(SECRETS_IN_TEXT, (secret) => redactSecret(secret));
}

/**
 * False only when `SECRETS_IN_TEXT` cannot match: a token holds `.eyJ` (its second part), a key
 * `sk_car_`. Both are looked for by their rare first characters (a one-character search is fast): a TTS
 * chunk frame, 6 KB of base64 with neither a `.` nor a `_` in its audio, is searched only in the few
 * fields after it. (Looking for `.` and then `eyJ` scanned the audio for `eyJ` whenever a field had a
 * dot, as `step_time` does: a fifth of what storing a chunk entry cost.)
 */
function maySecret(text: string): boolean {
  if (text.includes(".eyJ")) return true;
  for (let i = text.indexOf("_"); i >= 0; i = text.indexOf("_", i + 1)) if (text.startsWith("sk_car_", i - 2)) return true;
  return false;
}

/**
 * Redacts a header value for the journal: a credential header's secret becomes its `redactSecret`
 * form (Authorization keeps the scheme word: `Bearer redacted:1a2b3c4d`, the digest of the credential
 * exactly as the server reads it); any other header has secrets inside its text redacted.
 */
export function redactHeader(name: string, value: string): string {
  const lower = name.toLowerCase();
  if (!SECRET_HEADERS.has(lower)) return redactText(value);
  const scheme = lower.endsWith("authorization") ? SCHEME_AND_CREDENTIALS.exec(value) : null;
  if (scheme) return `${scheme[1] as string} ${redactSecret(scheme[2] as string)}`;
  return redactSecret(value.replace(/^[ \t]+|[ \t]+$/g, ""));
}

/** Redacts a query parameter's value: credentials wholly, any other value's secrets inside its text. */
export function redactParam(name: string, value: string): string {
  return SECRET_PARAMS.has(name) ? redactSecret(value) : redactText(value);
}

/** Limits that keep the journal's memory bounded. */
export interface JournalLimits {
  sessions: number;
  entriesPerSession: number;
  /** A text entry is clipped at this many characters. */
  textChars: number;
  /**
   * Characters of text a session may store at `textChars`; past it, its text entries are clipped at
   * `SPENT_CLIP_CHARS` (a 40,000-word TTS request made 25,600 chunk entries: 100 MiB at 4,096 each).
   */
  textCharsPerSession: number;
  /** Characters of text all sessions together may store; past it, the oldest sessions are let go. */
  textCharsTotal: number;
}

/** The journal's default bounds: at most about 8 M characters of text per session, 256 M in all. */
export const DEFAULT_JOURNAL_LIMITS: JournalLimits = {
  sessions: 500,
  entriesPerSession: 20_000,
  textChars: 4096,
  textCharsPerSession: 8_000_000,
  textCharsTotal: 256_000_000,
};

/** The SHA-256 of no bytes: a new session's audio digest (computed once, not per session). */
const EMPTY_SHA256 = crypto.createHash("sha256").digest("hex");

/** Bytes of client audio hashed at once (see `SessionJournal.#hashAudio`). */
const AUDIO_HASH_BLOCK = 16 * 1024;

/** Where a text entry is clipped once its session's text budget is spent. */
const SPENT_CLIP_CHARS = 128;

/** How each live record's `audio` is read (its session's running digest, computed when asked for). */
const LIVE_AUDIO = new WeakMap<SessionRecord, () => SessionRecord["audio"]>();

/**
 * A live record's `audio`: one getter shared by every record. A getter made per record (a closure)
 * put each record in dictionary mode, a hash table of about 0.8 KiB per open session.
 */
const LIVE_AUDIO_PROPERTY: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: SessionRecord): SessionRecord["audio"] {
    return LIVE_AUDIO.get(this)?.() ?? { bytes: 0, sha256: EMPTY_SHA256 };
  },
};

/** A live session's journal handle. */
export class SessionJournal {
  readonly #audioHash = crypto.createHash("sha256");
  /**
   * Client audio not hashed yet: one digest update per 20 ms chunk cost more in calls than in hashing,
   * so chunks are copied here and hashed 16 KiB at a time (allocated on the first audio frame).
   */
  #audioPending: Buffer | undefined;
  #audioPendingBytes = 0;
  readonly #linter: SessionLinter | undefined;
  #audioBytes = 0;
  #audioSummary: SessionRecord["audio"] | undefined;
  /** Whether the last entry is a client audio run that the next audio frame may extend. */
  #runOpen = false;
  #start = 0;
  /** Events recorded so far (each frame of a run counts), the index a violation refers to. */
  #events = 0;
  readonly #responseHash = crypto.createHash("sha256");
  #responseBytes = 0;
  #responseRunOpen = false;
  /** Characters of text this session's entries hold. */
  #storedChars = 0;

  constructor(
    readonly record: SessionRecord,
    private readonly limits: JournalLimits,
    private readonly clock: () => number,
    private readonly file?: string,
    /** Tells the journal how many characters an entry of this session stores (its global budget). */
    private readonly charge: (chars: number) => void = () => {},
    /** Called once when the session ends (the journal tells its listeners). */
    private readonly onEnd: (record: SessionRecord) => void = () => {},
  ) {
    this.#start = clock();
    const grammar = ["stt-v1", "stt-turns", "tts"].includes(record.endpoint) ? (record.endpoint as GrammarEndpoint) : undefined;
    // Linted at a version whose error shape is the session's (the turns endpoint answers structured on every version).
    this.#linter = grammar ? createSessionLinter(grammar, { strictness: "strict", version: record.version }) : undefined;
    // `audio` is computed when read, not on every frame (finalizing a copy of the running digest for
    // every 20 ms chunk was a quarter of the journal's cost per frame); `end()` fixes the value.
    LIVE_AUDIO.set(record, () => this.#audio());
  }

  /** Records a text frame (linted as sent, stored with secrets redacted, then clipped). */
  text(dir: "client" | "server", frame: string, audio: number): void {
    this.#lint({ from: dir, frame });
    // Past the per-session limit the entry is only counted (the file, if any, still gets it): redacting
    // and clipping would only make garbage, which at TTS rates V8 learns to allocate in the old space.
    const kept = this.file !== undefined || this.record.entries.length < this.limits.entriesPerSession;
    const text = kept ? redactText(frame) : "";
    const clipAt = this.#storedChars < this.limits.textCharsPerSession ? this.limits.textChars : Math.min(this.limits.textChars, SPENT_CLIP_CHARS);
    const clipped = text.length > clipAt ? clipText(text, clipAt) : text;
    if (this.record.entries.length < this.limits.entriesPerSession) {
      this.#storedChars += clipped.length;
      this.charge(clipped.length);
    }
    this.#push({ t: this.#now(), dir, audio, kind: "text", text: clipped });
  }

  /** Records a binary frame (client audio) by size, offset and digest. */
  binary(dir: "client" | "server", data: Uint8Array, audio: number): void {
    this.#lint({ from: dir, frame: data });
    this.#events += 1;
    const offset = this.#audioBytes;
    if (dir === "client") {
      this.#hashAudio(data);
      this.#audioBytes += data.byteLength;
    }
    const last = this.record.entries[this.record.entries.length - 1];
    if (dir === "client" && last?.kind === "binary" && last.dir === "client" && this.#runOpen) {
      last.frames = (last.frames ?? 1) + 1;
      last.bytes = (last.bytes ?? 0) + data.byteLength;
      last.tEnd = this.#now();
      last.audioEnd = audio;
      if (this.file) appendFileSync(this.file, `${JSON.stringify({ t: last.tEnd, dir, audio, kind: "binary", bytes: data.byteLength, offset })}\n`);
      return;
    }
    this.#push({ t: this.#now(), dir, audio, kind: "binary", bytes: data.byteLength, offset, frames: 1 });
    this.#runOpen = dir === "client";
  }

  /** Records a close (or a dropped connection) from either side. */
  close(dir: "client" | "server", code: number | undefined, reason: string, audio: number, dropped = false): void {
    this.#lint({ from: dir, close: code === undefined ? {} : { code, reason } });
    this.#push({ t: this.#now(), dir, audio, kind: dropped ? "drop" : "close", ...(code !== undefined ? { code } : {}), reason: redactText(reason) });
  }

  /** Records an HTTP response head (status and headers). */
  http(status: number, headers: Record<string, string>): void {
    this.#push({ t: this.#now(), dir: "server", audio: 0, kind: "http", status, headers });
  }

  /**
   * Records a chunk of an HTTP response body by size: consecutive chunks form one run (like client
   * audio) and the digest is updated incrementally, so a large body is never held in memory.
   */
  responseBytes(data: Uint8Array): void {
    this.#events += 1;
    this.#responseHash.update(data);
    const offset = this.#responseBytes;
    this.#responseBytes += data.byteLength;
    const last = this.record.entries[this.record.entries.length - 1];
    if (this.#responseRunOpen && last?.kind === "binary" && last.dir === "server") {
      last.frames = (last.frames ?? 1) + 1;
      last.bytes = (last.bytes ?? 0) + data.byteLength;
      last.tEnd = this.#now();
      if (this.file) appendFileSync(this.file, `${JSON.stringify({ t: last.tEnd, dir: "server", audio: 0, kind: "binary", bytes: data.byteLength, offset })}\n`);
      return;
    }
    this.#push({ t: this.#now(), dir: "server", audio: 0, kind: "binary", bytes: data.byteLength, offset, frames: 1 }, false);
    this.#responseRunOpen = true;
  }

  /** Hashes response body bytes already recorded as text entries (JSON, SSE). */
  hashResponse(data: Uint8Array): void {
    this.#responseHash.update(data);
    this.#responseBytes += data.byteLength;
  }

  /** Fixes the response summary (status, every body byte's count and digest). */
  finishResponse(status: number, contentType: string | undefined): void {
    if (this.record.response) return;
    const sha256 = this.#responseHash.digest("hex");
    this.record.response = { status, bytes: this.#responseBytes, sha256, ...(contentType !== undefined ? { contentType } : {}) };
  }

  /** Records a violation found outside the grammar linter (HTTP bodies), at the latest event. */
  violation(v: Omit<Violation, "index">): void {
    this.record.violations.push({ ...v, message: redactText(v.message), index: Math.max(0, this.#events - 1) });
  }

  /** Ends the session: end-of-session rules run, totals are final. */
  end(): void {
    if (this.record.endedAt) return;
    if (this.#linter) this.#violations(this.#linter.end());
    this.record.endedAt = new Date().toISOString();
    Object.defineProperty(this.record, "audio", { value: this.#audio(), enumerable: true, configurable: true, writable: true });
    LIVE_AUDIO.delete(this.record);
    if (this.file) appendFileSync(this.file, `${JSON.stringify({ kind: "end", endedAt: this.record.endedAt, audio: this.record.audio, violations: this.record.violations, response: this.record.response })}\n`);
    this.onEnd(this.record);
  }

  #lint(event: Parameters<SessionLinter["push"]>[0]): void {
    if (this.#linter) this.#violations(this.#linter.push(event));
  }

  /** Keeps the linter's violations; a message may quote the frame, so it is stored redacted like the frame. */
  #violations(found: Violation[]): void {
    for (const v of found) this.record.violations.push({ ...v, message: redactText(v.message) });
  }

  /** Adds client audio to the running digest, through the pending buffer. */
  #hashAudio(data: Uint8Array): void {
    this.#audioPending ??= Buffer.allocUnsafe(AUDIO_HASH_BLOCK);
    if (data.byteLength > AUDIO_HASH_BLOCK - this.#audioPendingBytes) {
      this.#flushAudioHash();
      if (data.byteLength >= AUDIO_HASH_BLOCK) {
        this.#audioHash.update(data);
        return;
      }
    }
    this.#audioPending.set(data, this.#audioPendingBytes);
    this.#audioPendingBytes += data.byteLength;
  }

  #flushAudioHash(): void {
    if (this.#audioPending === undefined || this.#audioPendingBytes === 0) return;
    this.#audioHash.update(this.#audioPending.subarray(0, this.#audioPendingBytes));
    this.#audioPendingBytes = 0;
  }

  /** Every audio byte so far: total and digest (recomputed only after more audio arrived). */
  #audio(): SessionRecord["audio"] {
    if (this.#audioSummary?.bytes !== this.#audioBytes) {
      this.#flushAudioHash();
      this.#audioSummary = { bytes: this.#audioBytes, sha256: this.#audioHash.copy().digest("hex") };
    }
    return this.#audioSummary as SessionRecord["audio"];
  }

  #now(): number {
    return Math.round(this.clock() - this.#start);
  }

  #push(entry: JournalEntry, counted = entry.kind !== "binary"): void {
    // Binary frames count themselves in `binary`/`responseBytes` (a merged frame is an event too).
    if (counted) this.#events += 1;
    this.#runOpen = false;
    this.#responseRunOpen = false;
    if (this.file) appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
    if (this.record.entries.length < this.limits.entriesPerSession) this.record.entries.push(entry);
    else this.record.droppedEntries += 1;
  }
}

/** Characters of a clipped chunk's audio kept, at most: enough to tell one chunk from another. */
const CHUNK_AUDIO_KEPT = 64;

/**
 * A text entry clipped at `clipAt` characters, marked `…(N chars)`; a copy, so the entry does not keep
 * the whole frame alive.
 * - A TTS `chunk` frame (`{"type":"chunk","data":"…` with no escape in its audio) loses the middle of its
 *   audio instead, so the entry stays JSON with its context id, `done`, `flush_id`…:
 *   `{"type":"chunk","data":"UklGRi…(6400 chars)","done":false,…}` (N counts the audio's characters).
 *   It keeps up to 64 characters of the audio, fewer where `clipAt` is smaller, and is no longer than
 *   a plain clip would be; a chunk whose other fields alone pass `clipAt` is clipped plainly.
 * - Anything else keeps its first `clipAt` characters: `{"type":"transcr…(5000 chars)`.
 * @example clipText(`{"type":"chunk","data":"${"A".repeat(6400)}","done":false}`, 128) // '{"type":"chunk","data":"AAAA…(6400 chars)","done":false}' (with 64 A)
 */
export function clipText(text: string, clipAt: number): string {
  const end = text.startsWith(tts.CHUNK_FRAME_HEAD) ? text.indexOf('"', tts.CHUNK_FRAME_HEAD.length) : -1;
  if (end > 0) {
    const audio = end - tts.CHUNK_FRAME_HEAD.length;
    // Room left for audio once the head and the fields after it are kept whole.
    const room = clipAt - tts.CHUNK_FRAME_HEAD.length - (text.length - end);
    const escape = text.indexOf("\\", tts.CHUNK_FRAME_HEAD.length);
    if (room >= 0 && (escape < 0 || escape > end)) {
      return copyOf(`${text.slice(0, tts.CHUNK_FRAME_HEAD.length + Math.min(CHUNK_AUDIO_KEPT, room, audio))}…(${audio} chars)${text.slice(end)}`);
    }
  }
  return `${copyOf(text.slice(0, clipAt))}…(${text.length} chars)`;
}

/** Whether a journal text entry was clipped (`clipText`): its content is then not the frame's. */
export function isClippedText(text: string): boolean {
  return CLIPPED_TAIL.test(text) || CLIPPED_CHUNK.test(text);
}
const CLIPPED_TAIL = /…\(\d+ chars\)$/u;
const CLIPPED_CHUNK = /^\{"type":"chunk","data":"[^"\\]*…\(\d+ chars\)"/u;

/**
 * A copy of a string that holds none of the frame it was cut from: a slice of a long frame (or a
 * concatenation of slices) would keep the whole frame alive as long as the entry. Slicing a
 * concatenation makes V8 flatten it into a new string first; the slice then refers to that copy only.
 * (A test holds the journal to it by its heap. Through a UTF-8 Buffer, as before, cost 4–5 times as much.)
 */
function copyOf(text: string): string {
  return `${text} `.slice(0, -1);
}

/**
 * Makes a new folder for one run's JSONL files inside `parent`: `<UTC time>-<pid>` (`-2`, `-3`, … if a
 * server of the same process started in the same millisecond), so a run never appends to an earlier
 * run's files. Throws (with the path) when `parent` cannot hold it.
 * @example makeRunDir("journal") // "journal/2026-12-07T06-41-02.123Z-4242"
 */
export function makeRunDir(parent: string, now: Date = new Date(), pid: number = process.pid): string {
  const base = join(parent, `${now.toISOString().replaceAll(":", "-")}-${pid}`);
  try {
    mkdirSync(parent, { recursive: true });
    for (let n = 1; ; n += 1) {
      const dir = n === 1 ? base : `${base}-${n}`;
      try {
        // Not recursive: an existing folder throws EEXIST, so two servers never share one.
        mkdirSync(dir);
        return dir;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST" || n >= 1000) throw error;
      }
    }
  } catch (error) {
    throw new Error(`cannot make a journal run folder in ${parent}: ${(error as Error).message}`);
  }
}

/** All sessions' journals, newest last, at most `limits.sessions` of them. */
export class Journal {
  readonly #records: SessionRecord[] = [];
  /** Characters of text each kept session's entries hold, and their sum. */
  readonly #chars = new Map<SessionRecord, number>();
  #totalChars = 0;
  #counter = 0;
  /** Listeners of session ends; `forgotten: true` ones hear of sessions forgotten while open too (the terminal log). */
  readonly #endListeners = new Map<(record: SessionRecord) => void, { forgotten?: boolean }>();
  /** Sessions forgotten by `clear()`/`delete()`: their end is not told (one let go for room still is). */
  readonly #forgotten = new WeakSet<SessionRecord>();

  /** The folder of this journal's JSONL files: a new run folder inside the `dir` given, if any. */
  readonly runDir: string | undefined;

  constructor(
    private readonly limits: JournalLimits = DEFAULT_JOURNAL_LIMITS,
    dir?: string,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.runDir = dir ? makeRunDir(dir) : undefined;
  }

  /** Opens a session's journal. Headers and query are redacted here. */
  open(input: Omit<SessionRecord, "id" | "startedAt" | "entries" | "droppedEntries" | "violations" | "audio" | "query" | "headers"> & {
    query: URLSearchParams;
    headers: Record<string, string | string[] | undefined>;
  }): SessionJournal {
    this.#counter += 1;
    const id = `s${String(this.#counter).padStart(6, "0")}`;
    const query: Record<string, string | string[]> = {};
    for (const key of new Set(input.query.keys())) {
      const values = input.query.getAll(key).map((v) => redactParam(key, v));
      query[key] = values.length === 1 ? (values[0] as string) : values;
    }
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(input.headers)) {
      if (value === undefined) continue;
      const text = Array.isArray(value) ? value.join(", ") : value;
      headers[key] = redactHeader(key, text);
    }
    const record: SessionRecord = {
      id,
      endpoint: input.endpoint,
      scenario: input.scenario,
      version: input.version,
      requestId: input.requestId,
      ...(input.method !== undefined ? { method: input.method } : {}),
      path: input.path,
      query,
      headers,
      startedAt: new Date().toISOString(),
    } as SessionRecord;
    // Added in the record's key order, `audio` as an accessor from the start (see LIVE_AUDIO_PROPERTY).
    Object.defineProperty(record, "audio", LIVE_AUDIO_PROPERTY);
    record.entries = [];
    record.droppedEntries = 0;
    record.violations = [];
    this.#records.push(record);
    this.#chars.set(record, 0);
    while (this.#records.length > this.limits.sessions) this.#letGo();
    const file = this.runDir ? join(this.runDir, `${id}.jsonl`) : undefined;
    if (file) appendFileSync(file, `${JSON.stringify({ kind: "session", ...record, entries: undefined })}\n`);
    const charge = (chars: number) => {
      const held = this.#chars.get(record);
      // A session already let go holds its text only until it ends: it no longer counts.
      if (held === undefined) return;
      this.#chars.set(record, held + chars);
      this.#totalChars += chars;
      // The oldest sessions go first; the newest (the one writing) always stays.
      while (this.#totalChars > this.limits.textCharsTotal && this.#records.length > 1) this.#letGo();
    };
    // A session cleared or deleted while open ends unheard: a reset between tests leaves no stragglers.
    const onEnd = (ended: SessionRecord) => {
      const forgotten = this.#forgotten.has(ended);
      for (const [listener, options] of [...this.#endListeners]) if (!forgotten || options.forgotten) listener(ended);
    };
    return new SessionJournal(record, this.limits, this.clock, file, charge, onEnd);
  }

  /**
   * Calls `listener` with each session's record when it ends (WebSocket closed, HTTP response
   * finished); returns the function that stops it. A session forgotten (`clear`, `delete`) while open
   * is not told, unless `options.forgotten`.
   */
  onSessionEnd(listener: (record: SessionRecord) => void, options: { forgotten?: boolean } = {}): () => void {
    // A Map keyed by the listener: the same function added twice is told once, as with a Set.
    this.#endListeners.set(listener, options);
    return () => this.#endListeners.delete(listener);
  }

  /** Forgets every session (open ones too: they end unrecorded here). Ids keep counting. JSONL files stay. */
  clear(): number {
    const count = this.#records.length;
    for (const record of this.#records) this.#forgotten.add(record);
    this.#records.length = 0;
    this.#chars.clear();
    this.#totalChars = 0;
    return count;
  }

  /** Forgets one session; false when there is none with that id. Its JSONL file, if any, stays. */
  delete(id: string): boolean {
    const index = this.#records.findIndex((r) => r.id === id);
    if (index < 0) return false;
    const [record] = this.#records.splice(index, 1) as [SessionRecord];
    this.#forgotten.add(record);
    this.#totalChars -= this.#chars.get(record) ?? 0;
    this.#chars.delete(record);
    return true;
  }

  /** Drops the oldest session's record from the journal (its JSONL file, if any, stays). */
  #letGo(): void {
    const oldest = this.#records.shift();
    if (oldest === undefined) return;
    this.#totalChars -= this.#chars.get(oldest) ?? 0;
    this.#chars.delete(oldest);
  }

  /** A summary of every session (no frames). */
  list(): Omit<SessionRecord, "entries">[] {
    return this.#records.map(({ entries: _entries, ...rest }) => ({ ...rest, violations: rest.violations }));
  }

  /** One session with its frames. */
  get(id: string): SessionRecord | undefined {
    return this.#records.find((r) => r.id === id);
  }
}
