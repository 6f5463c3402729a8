/**
 * The replay log: the unconfirmed suffix of what the client sent on an STT socket, audio and
 * commands in order. Frames are appended, sent when the connection is open, and kept until the
 * server confirms them (`confirm`); after a reconnect everything kept is sent again, in order, on
 * the new connection. Without reconnects the log keeps only what has not been sent yet.
 */

/** One frame of the log. */
export type LogEntry =
  | { kind: "audio"; data: Uint8Array; /** Stream offset of its first byte. */ offset: number }
  | { kind: "command"; frame: string };

/** See the module comment. */
export class ReplayLog {
  #entries: LogEntry[] = [];
  /** Index of the first entry not sent on the current connection. */
  #unsent = 0;
  #base = 0;
  #total = 0;
  #retained = 0;
  #lost = 0;

  constructor(
    /** Keep sent frames until confirmed (reconnects on). */
    readonly keep: boolean,
    /** Most audio bytes kept; older sent audio beyond it is dropped and counted as lost. */
    readonly maxBytes: number,
  ) {}

  /** Audio bytes appended so far (the stream offset of the next byte). */
  get total(): number {
    return this.#total;
  }

  /** Stream offset of the oldest audio byte kept: the confirmed boundary. */
  get base(): number {
    return this.#base;
  }

  /** Audio bytes kept for a replay. */
  get retained(): number {
    return this.#retained;
  }

  /** Audio bytes dropped from the log unconfirmed (buffer overflow). */
  get lost(): number {
    return this.#lost;
  }

  /** Audio bytes sent on the current connection or confirmed before: the stream offset sent so far. */
  get sentOffset(): number {
    for (let i = this.#unsent - 1; i >= 0; i -= 1) {
      const e = this.#entries[i] as LogEntry;
      if (e.kind === "audio") return e.offset + e.data.byteLength;
    }
    return this.keep ? this.#base : this.#total - this.#unsentBytes();
  }

  /** Appends audio (the log owns `data` from here on). */
  appendAudio(data: Uint8Array): LogEntry {
    const entry: LogEntry = { kind: "audio", data, offset: this.#total };
    this.#total += data.byteLength;
    this.#retained += data.byteLength;
    this.#entries.push(entry);
    return entry;
  }

  /** Appends a text command. */
  appendCommand(frame: string): LogEntry {
    const entry: LogEntry = { kind: "command", frame };
    this.#entries.push(entry);
    return entry;
  }

  /** Sends what has not been sent, in order, while `send` accepts frames. */
  flush(send: (frame: string | Uint8Array) => boolean): void {
    while (this.#unsent < this.#entries.length) {
      const e = this.#entries[this.#unsent] as LogEntry;
      if (!send(e.kind === "audio" ? e.data : e.frame)) break;
      this.#unsent += 1;
    }
    if (!this.keep) {
      this.#dropSent();
      return;
    }
    this.#enforceCap();
  }

  /** A new connection: everything kept goes out again. Returns the audio bytes to replay. */
  rewind(): number {
    this.#unsent = 0;
    return this.#retained;
  }

  /**
   * The server confirmed the stream up to `offset` (clamped to what was sent): sent audio before it
   * is dropped (the entry that straddles it is cut), and sent commands for which `dropCommand` says
   * so. Returns the new boundary.
   */
  confirm(offset: number, dropCommand: (entry: LogEntry) => boolean = () => false): number {
    const limit = Math.min(offset, this.sentOffset);
    if (limit > this.#base) this.#base = limit;
    const kept: LogEntry[] = [];
    let unsent = this.#unsent;
    this.#entries.forEach((e, i) => {
      const sent = i < this.#unsent;
      if (sent && e.kind === "audio" && e.offset + e.data.byteLength <= this.#base) {
        this.#retained -= e.data.byteLength;
        unsent -= 1;
        return;
      }
      if (sent && e.kind === "audio" && e.offset < this.#base) {
        const cut = this.#base - e.offset;
        this.#retained -= cut;
        kept.push({ kind: "audio", data: e.data.subarray(cut), offset: this.#base });
        return;
      }
      if (sent && e.kind === "command" && dropCommand(e)) {
        unsent -= 1;
        return;
      }
      kept.push(e);
    });
    this.#entries = kept;
    this.#unsent = unsent;
    return this.#base;
  }

  /** Drops every entry (the session is over). */
  clear(): void {
    this.#entries = [];
    this.#unsent = 0;
    this.#retained = 0;
  }

  #unsentBytes(): number {
    let n = 0;
    for (let i = this.#unsent; i < this.#entries.length; i += 1) {
      const e = this.#entries[i] as LogEntry;
      if (e.kind === "audio") n += e.data.byteLength;
    }
    return n;
  }

  #dropSent(): void {
    if (this.#unsent === 0) return;
    const sent = this.#entries.slice(0, this.#unsent);
    for (const e of sent) if (e.kind === "audio") this.#retained -= e.data.byteLength;
    this.#entries = this.#entries.slice(this.#unsent);
    this.#unsent = 0;
  }

  /** Over the cap: the oldest sent audio goes (counted as lost for a later replay). */
  #enforceCap(): void {
    if (this.#retained <= this.maxBytes) return;
    let i = 0;
    while (this.#retained > this.maxBytes && i < this.#unsent) {
      const e = this.#entries[i] as LogEntry;
      if (e.kind === "audio") {
        this.#retained -= e.data.byteLength;
        this.#lost += e.data.byteLength;
        this.#base = e.offset + e.data.byteLength;
        this.#entries.splice(i, 1);
        this.#unsent -= 1;
      } else {
        i += 1;
      }
    }
  }
}
