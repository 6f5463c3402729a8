/** Server-Sent Events framing (§6.2), without zod. */

/**
 * An incremental Server-Sent Events decoder: feed it text as it arrives, get each complete event's
 * data (multi-line `data:` fields joined by `\n`; comments, `event:`, `id:` and `retry:` ignored).
 * @example const d = new SseDecoder(); d.push('data: {"type":"done"}\n\n') // ['{"type":"done"}']
 */
export class SseDecoder {
  #buffer = "";
  #data: string[] = [];

  /** Adds text; returns the data of every event it completed. */
  push(text: string): string[] {
    this.#buffer += text;
    const events: string[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.#buffer);
      // A lone trailing "\r" may be the first half of "\r\n": wait for more text.
      if (!match || (match[0] === "\r" && match.index === this.#buffer.length - 1)) break;
      const line = this.#buffer.slice(0, match.index);
      this.#buffer = this.#buffer.slice(match.index + match[0].length);
      if (line === "") {
        if (this.#data.length > 0) events.push(this.#data.join("\n"));
        this.#data = [];
      } else if (line === "data") {
        this.#data.push("");
      } else if (line.startsWith("data:")) {
        this.#data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
      }
    }
    return events;
  }

  /** Ends the stream: returns the last event if the body ended without a blank line. */
  end(): string[] {
    const rest = this.push("\n\n");
    this.#buffer = "";
    return rest;
  }
}
