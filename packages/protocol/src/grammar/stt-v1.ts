/** The `/stt/websocket` grammar (PROTOCOL.md §2.4). */
import type { ClientMessage, ServerMessage } from "../endpoints/stt-v1.js";
import { BaseChecker, defineRules, type GrammarChecker } from "./types.js";

/** The rules of the stt-v1 grammar. */
export const STT_V1_RULES = defineRules([
  {
    id: "stt-v1/flush-done-answers-finalize",
    section: "§2.4",
    severity: "error",
    statement: "Every `flush_done` answers a `finalize` that has not been answered yet.",
  },
  {
    id: "stt-v1/finals-before-flush-done",
    section: "§2.4",
    severity: "error",
    statement: "Between `finalize` and its `flush_done` the server sends only final transcripts (unless more audio came after the `finalize`).",
  },
  {
    id: "stt-v1/done-answers-close",
    section: "§2.4",
    severity: "error",
    statement: "`done` is sent only after the client's `close` (or legacy `done`).",
  },
  {
    id: "stt-v1/nothing-after-done",
    section: "§2.4",
    severity: "error",
    statement: "Nothing follows the server's `done`.",
  },
  {
    id: "stt-v1/close-answered",
    section: "§2.4",
    severity: "error",
    statement: "A `close` (or `done`) is answered by the remaining finals and then `done` before the socket closes.",
  },
  {
    id: "stt-v1/client-after-close",
    section: "§2.2",
    severity: "error",
    statement: "The client sends no audio or command after `close` (or `done`).",
  },
  {
    id: "stt-v1/request-id-stable",
    section: "§2.3",
    severity: "warning",
    statement: "`request_id` stays the same for the whole connection (one per connection; an old example disagrees, §10.5).",
  },
]);

class SttV1Checker extends BaseChecker<ClientMessage, ServerMessage> {
  #pendingFinalizes = 0;
  #audioAfterFinalize = false;
  #closeSent = false;
  #doneReceived = false;
  #errored = false;
  #requestId: string | undefined;

  constructor() {
    super(STT_V1_RULES);
  }

  protected onClient(message: ClientMessage): void {
    if (this.#closeSent) {
      this.report("stt-v1/client-after-close", `client sent ${message.type === "audio" ? "audio" : `"${message.type}"`} after "close"`);
      return;
    }
    if (message.type === "audio") {
      if (this.#pendingFinalizes > 0) this.#audioAfterFinalize = true;
    } else if (message.type === "finalize") {
      if (this.#pendingFinalizes === 0) this.#audioAfterFinalize = false;
      this.#pendingFinalizes += 1;
    } else if (message.type !== "config") {
      // `close` or legacy `done`; a `config` changes lists and asks for nothing (update D4).
      this.#closeSent = true;
    }
  }

  protected onServer(message: ServerMessage): void {
    if (this.#doneReceived) {
      this.report("stt-v1/nothing-after-done", `server sent "${message.type}" after "done"`);
      return;
    }
    const requestId = message.type === "error" ? undefined : message.request_id;
    if (requestId !== undefined) {
      if (this.#requestId !== undefined && requestId !== this.#requestId) {
        this.report("stt-v1/request-id-stable", `request_id changed from "${this.#requestId}" to "${requestId}"`);
      }
      this.#requestId ??= requestId;
    }
    switch (message.type) {
      case "transcript":
        if (!message.is_final && this.#pendingFinalizes > 0 && !this.#audioAfterFinalize) {
          this.report("stt-v1/finals-before-flush-done", "interim transcript between \"finalize\" and its \"flush_done\"");
        }
        break;
      case "flush_done":
        if (this.#pendingFinalizes === 0) this.report("stt-v1/flush-done-answers-finalize", "\"flush_done\" without an unanswered \"finalize\"");
        else this.#pendingFinalizes -= 1;
        if (this.#pendingFinalizes === 0) this.#audioAfterFinalize = false;
        break;
      case "done":
        if (!this.#closeSent) this.report("stt-v1/done-answers-close", "\"done\" before the client sent \"close\"");
        this.#doneReceived = true;
        break;
      case "error":
        this.#errored = true;
        break;
    }
  }

  protected override onEnd(): void {
    if (this.#closeSent && !this.#doneReceived && !this.#errored && !this.dropped) {
      this.report("stt-v1/close-answered", "the session ended after \"close\" without \"done\"");
    }
  }
}

/** A checker for one `/stt/websocket` session. */
export function createSttV1Checker(): GrammarChecker<ClientMessage, ServerMessage> {
  return new SttV1Checker();
}
