/**
 * STT v1, `/stt/websocket` (PROTOCOL.md §2): `send(audio)`, `finalize()` (resolves on its
 * `flush_done`), `close()` (drains to `done`, resolves with the final text), `configure({keyterms,
 * language_hints})` (a JSON `config` text frame), typed events.
 *
 * Reconnect guarantee (with `reconnect`): the server acknowledges no audio, so the client keeps a
 * replay log of every frame after the last *confirmed boundary* and, on a new connection, sends it
 * again in order. A boundary is confirmed by
 * - `flush_done`: the server has processed every byte sent before that `finalize` (frames on one
 *   socket are processed in order) and has sent their final transcripts — an exact byte offset;
 * - `done`: everything;
 * - a final transcript with word timings: the audio up to the end of its last word has been
 *   finalized (word times are stream-relative, as in the docs' examples).
 * Audio after the boundary is replayed, so no byte is lost and no final transcript is produced
 * twice; audio the lost connection had received but not finalized is sent again (its transcript
 * died with the connection). So a byte is sent to the server more than once only when the
 * connection drops after the server received it but before it was confirmed; when the drop comes
 * at a confirmed boundary (e.g. right after `flush_done`), the server receives every byte exactly
 * once across the connections. Call `finalize()` at utterance ends to keep boundaries close.
 */
import type { sttV1 } from "@speechwire/protocol";
import { encodeQuery, PATHS, readSttV1Message } from "@speechwire/protocol/reader";
import type { ClientConfig } from "../config.js";
import { ConnectionError, SpeechwireError } from "../errors.js";
import type { CommonEvent } from "../events.js";
import { withSignal } from "../util/abort.js";
import { deferred, quiet, type Deferred } from "../util/promise.js";
import { audioFormat } from "./audio.js";
import { checkListParams, type SttConfig } from "./config.js";
import type { LogEntry } from "./replay.js";
import { alreadyAborted, rejected, SttSocketSession, type SttSessionOptions } from "./session.js";
import { normalizeWords, type SttWord } from "./words.js";

/** Handshake parameters of `/stt/websocket` (the protocol's query type, without auth fields). */
export type SttStreamParams = Omit<sttV1.Query, "cartesia_version" | "api_key" | "access_token" | "cartesia_client">;
/** Options of `client.stt.stream`. */
export type SttStreamOptions = SttSessionOptions;
/** What `configure` changes on `/stt/websocket`: keyterms and language hints (no turn settings there). */
export type SttStreamConfig = Omit<SttConfig, "turn">;


/** An interim (`isFinal: false`) or final transcript. `text` is the delta since the last final (§2.3). */
export interface TranscriptEvent {
  type: "transcript";
  isFinal: boolean;
  text: string;
  /** Word timings in either wire shape, as `{word,start,end}` in stream seconds. */
  words: SttWord[];
  duration: number | undefined;
  language: string | undefined;
  message: sttV1.Transcript;
}

/** `flush_done`: the acknowledgement of a `finalize`. */
export interface FlushDoneEvent {
  type: "flushDone";
  message: sttV1.FlushDone;
}

/** `done`: the acknowledgement of `close`; the server closes next. */
export interface DoneEvent {
  type: "done";
  message: sttV1.Done;
}

/** Every event of an STT v1 stream. */
export type SttStreamEvent = TranscriptEvent | FlushDoneEvent | DoneEvent | CommonEvent;

interface PendingFinalize {
  entry: LogEntry;
  /** Stream offset of the audio before this finalize. */
  offset: number;
  done: Deferred<void>;
}

/** A streaming transcription session; see the module comment for the reconnect guarantee. */
export class SttStream extends SttSocketSession<TranscriptEvent | FlushDoneEvent | DoneEvent, sttV1.ServerMessage> {
  readonly #pending: PendingFinalize[] = [];
  #text = "";
  #seam = false;
  #done = false;
  #closePromise: Promise<string> | undefined;

  /** Use `client.stt.stream(params, options)`; connects at once. */
  constructor(config: ClientConfig, params: SttStreamParams, options: SttStreamOptions = {}) {
    super(
      config,
      "stt-v1",
      PATHS.sttV1,
      (auth) => encodeQuery("sttV1", { ...checkListParams(params), ...auth }),
      audioFormat(params.encoding, params.sample_rate),
      options,
    );
  }

  /** The final transcripts so far, concatenated verbatim (a space is added at a reconnect seam if neither side has one). */
  get text(): string {
    return this.#text;
  }

  /**
   * Sends `{"type":"config", keyterms?, language_hints?}` as a JSON text frame: a list replaces the old
   * one, `[]` clears it, an omitted one is kept. Checked first (keyterm limits, at most 6 hints: a
   * `SpeechwireError` naming the field); a value the server refuses comes back as an `error` event and
   * the stream goes on. The merged lists are re-sent after a reconnect.
   */
  configure(config: SttStreamConfig): void {
    this.sendConfig(config);
  }

  /** Sends `finalize`; resolves when its `flush_done` arrives (the finals for the audio before it came first). */
  finalize(options: { signal?: AbortSignal } = {}): Promise<void> {
    const aborted = alreadyAborted(options.signal);
    if (aborted) return rejected(aborted);
    if (this.closing) return rejected(new SpeechwireError("finalize() after close()"));
    const over = this.over;
    if (over) return rejected(over.error ?? new SpeechwireError("finalize() after the stream ended"));
    const offset = this.log.total;
    const entry = this.sendCommand("finalize");
    const done = deferred<void>();
    this.#pending.push({ entry, offset, done });
    return quiet(withSignal(done.promise, options.signal));
  }

  /**
   * Sends `close`, waits for `done` and the server's close, and resolves with the final text.
   * Rejects (typed) if the session fails first or the drain takes longer than `drainTimeoutMs`.
   */
  close(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<string> {
    this.#closePromise ??= quiet(
      this.drain("close", options).then((event) => {
        if (event.error) throw event.error;
        return this.#text;
      }),
    );
    return this.#closePromise;
  }

  protected override isComplete(): boolean {
    return this.#done;
  }

  protected override onConnectionLost(): void {
    // The next connection's first final starts without the leading space the server adds mid-session.
    this.#seam = this.#text !== "";
  }

  protected override onEnd(error: Error | undefined): void {
    const reason = error ?? new ConnectionError("the stream ended");
    for (const p of this.#pending.splice(0)) p.done.reject(reason);
  }

  protected override parseMessage(data: string | Uint8Array) {
    return readSttV1Message(data);
  }

  protected override handleMessage(message: sttV1.ServerMessage): void {
    switch (message.type) {
      case "transcript":
        this.#transcript(message);
        return;
      case "flush_done": {
        const p = this.#pending.shift();
        if (p) this.confirm(p.offset, (e) => e === p.entry);
        this.events.push({ type: "flushDone", message });
        p?.done.resolve();
        return;
      }
      case "done":
        this.#done = true;
        this.confirm(this.log.total);
        this.events.push({ type: "done", message });
        return;
      case "error":
        this.apiError(message);
        return;
    }
  }

  #transcript(message: sttV1.Transcript): void {
    const offsetSeconds = this.connectionOffset / this.format.byteRate;
    const words = normalizeWords(message.words, offsetSeconds);
    if (message.is_final) {
      const text = message.text;
      if (this.#seam && text !== "") {
        if (!/\s$/u.test(this.#text) && !/^\s/u.test(text)) this.#text += " ";
        this.#seam = false;
      }
      this.#text += text;
      const last = words[words.length - 1];
      if (last) {
        // The audio up to the end of the last final word is transcribed: a boundary (whole samples).
        const samples = Math.floor(last.end * this.format.sampleRate);
        this.confirm(samples * this.format.bytesPerSample);
      }
    }
    this.events.push({
      type: "transcript",
      isFinal: message.is_final,
      text: message.text,
      words,
      duration: message.duration,
      language: message.language,
      message,
    });
  }
}
