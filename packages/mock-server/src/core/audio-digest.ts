/**
 * A running digest of a byte stream that can be read at chosen byte offsets: what replay's
 * `match: digest` compares the client's audio with. Two FNV-1a 32 hashes with different offset bases
 * (64 bits in all): not cryptographic — it tells "the same audio" from "other audio", cheaply and
 * without Node built-ins (the cores stay pure). A byte-identical stream gives identical digests.
 */

const PRIME = 0x01000193;
const BASES = [0x811c9dc5, 0x050c5d1f] as const;

/** The digest's text form: `fnv2x32:` and 16 hex digits. */
function format(a: number, b: number): string {
  return `fnv2x32:${(a >>> 0).toString(16).padStart(8, "0")}${(b >>> 0).toString(16).padStart(8, "0")}`;
}

/** A running digest; `snapshot(offset)` gives the digest of the first `offset` bytes once they have passed. */
export class AudioDigest {
  #a: number = BASES[0];
  #b: number = BASES[1];
  #bytes = 0;
  readonly #marks: number[];
  #nextMark = 0;
  readonly #snapshots = new Map<number, string>();

  /** `marks`: the byte offsets whose digest will be asked for (any order). */
  constructor(marks: Iterable<number> = []) {
    this.#marks = [...new Set(marks)].sort((x, y) => x - y);
    this.#takeMarks();
  }

  /** Bytes digested so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Digests more bytes. */
  push(data: Uint8Array): void {
    let i = 0;
    while (i < data.length) {
      const mark = this.#marks[this.#nextMark];
      // Stop at the next mark (always ahead of `bytes` after #takeMarks) to snapshot there.
      const stop = mark === undefined ? data.length : Math.min(data.length, i + (mark - this.#bytes));
      let a = this.#a;
      let b = this.#b;
      for (let j = i; j < stop; j++) {
        const byte = data[j] as number;
        a = Math.imul(a ^ byte, PRIME);
        b = Math.imul(b ^ byte, PRIME);
      }
      this.#a = a;
      this.#b = b;
      this.#bytes += stop - i;
      i = stop;
      this.#takeMarks();
    }
  }

  /** The digest of the first `offset` bytes, if a mark at `offset` has passed. */
  snapshot(offset: number): string | undefined {
    return this.#snapshots.get(offset);
  }

  /** The digest of everything so far. */
  get current(): string {
    return format(this.#a, this.#b);
  }

  #takeMarks(): void {
    while (this.#nextMark < this.#marks.length && (this.#marks[this.#nextMark] as number) <= this.#bytes) {
      const mark = this.#marks[this.#nextMark] as number;
      if (mark === this.#bytes) this.#snapshots.set(mark, this.current);
      this.#nextMark += 1;
    }
  }
}

/** The digest of a whole byte string (and of every prefix ending at `marks`), e.g. at recording time. */
export function digestPrefixes(data: Uint8Array, marks: Iterable<number>): Map<number, string> {
  const d = new AudioDigest(marks);
  d.push(data);
  const out = new Map<number, string>();
  for (const m of marks) {
    const s = d.snapshot(m);
    if (s !== undefined) out.set(m, s);
  }
  return out;
}
