/** The `/stt/turns/websocket` grammar (PROTOCOL.md §3.4). */
import type { ClientMessage, ServerMessage } from "../endpoints/stt-turns.js";
import { BaseChecker, defineRules, type GrammarChecker } from "./types.js";

/** The rules of the stt-turns grammar. */
export const STT_TURNS_RULES = defineRules([
  {
    id: "stt-turns/connected-first",
    section: "§3.4",
    severity: "error",
    statement: "`connected` is the server's first message (an `error` may precede it).",
  },
  { id: "stt-turns/connected-once", section: "§3.3", severity: "error", statement: "`connected` is sent once." },
  {
    id: "stt-turns/start-before-turn-events",
    section: "§3.4",
    severity: "error",
    statement: "`turn.update`, `turn.eager_end`, `turn.resume` and `turn.end` come only inside a turn opened by `turn.start`.",
  },
  {
    id: "stt-turns/one-end-per-turn",
    section: "§3.4",
    severity: "error",
    statement: "Every turn ends with exactly one `turn.end` before the next `turn.start`.",
  },
  {
    id: "stt-turns/eager-end-resolved",
    section: "§3.4",
    severity: "error",
    statement: "Every `turn.eager_end` is followed by exactly one of `turn.resume` or `turn.end`.",
  },
  {
    id: "stt-turns/resume-after-eager-end",
    section: "§3.4",
    severity: "error",
    statement: "`turn.resume` comes only after a `turn.eager_end` that is still unresolved.",
  },
  {
    id: "stt-turns/update-while-eager",
    section: "§3.4",
    severity: "warning",
    statement: "A `turn.update` between `turn.eager_end` and its `turn.resume`/`turn.end` is undocumented.",
  },
  {
    id: "stt-turns/transcript-cumulative",
    section: "§3.3",
    severity: "error",
    statement: "Within a turn each transcript extends the previous one: cumulative, never shrinking or revised.",
  },
  {
    id: "stt-turns/drained-at-close",
    section: "§3.5",
    severity: "error",
    statement: "After `{\"type\":\"close\"}` the server ends every open turn before it closes the socket.",
  },
  {
    id: "stt-turns/client-after-close",
    section: "§3.2",
    severity: "error",
    statement: "The client sends no audio or command after `{\"type\":\"close\"}`.",
  },
  {
    id: "stt-turns/request-id-stable",
    section: "§3.3",
    severity: "error",
    statement: "`request_id` is per connection and does not change between turns.",
  },
]);

type TurnState = "idle" | "speaking" | "eager";

class SttTurnsChecker extends BaseChecker<ClientMessage, ServerMessage> {
  #connected = false;
  #serverMessages = 0;
  #state: TurnState = "idle";
  #transcript = "";
  #closeSent = false;
  #errored = false;
  #requestId: string | undefined;

  constructor() {
    super(STT_TURNS_RULES);
  }

  protected onClient(message: ClientMessage): void {
    if (this.#closeSent) {
      this.report("stt-turns/client-after-close", `client sent ${message.type === "audio" ? "audio" : `"${message.type}"`} after "close"`);
      return;
    }
    if (message.type === "close") this.#closeSent = true;
  }

  protected onServer(message: ServerMessage): void {
    this.#serverMessages += 1;
    if (message.type === "error") {
      this.#errored = true;
      return;
    }
    if (message.request_id !== undefined) {
      if (this.#requestId !== undefined && message.request_id !== this.#requestId) {
        this.report("stt-turns/request-id-stable", `request_id changed from "${this.#requestId}" to "${message.request_id}"`);
      }
      this.#requestId ??= message.request_id;
    }
    if (message.type === "connected") {
      if (this.#connected) this.report("stt-turns/connected-once", "a second \"connected\"");
      else if (this.#serverMessages > 1 && !this.#errored) this.report("stt-turns/connected-first", "\"connected\" after other events");
      this.#connected = true;
      return;
    }
    if (!this.#connected) {
      this.report("stt-turns/connected-first", `"${message.type}" before "connected"`);
      this.#connected = true; // Report once, then check the rest of the session normally.
    }
    switch (message.type) {
      case "turn.start":
        if (this.#state !== "idle") this.report("stt-turns/one-end-per-turn", "\"turn.start\" while the previous turn has no \"turn.end\"");
        this.#state = "speaking";
        this.#transcript = "";
        return;
      case "turn.update":
        if (!this.#inTurn(message.type)) return;
        if (this.#state === "eager") this.report("stt-turns/update-while-eager", "\"turn.update\" before the \"turn.eager_end\" was resolved");
        this.#extend(message.transcript, message.type);
        return;
      case "turn.eager_end":
        if (!this.#inTurn(message.type)) return;
        if (this.#state === "eager") this.report("stt-turns/eager-end-resolved", "a second \"turn.eager_end\" before \"turn.resume\" or \"turn.end\"");
        this.#extend(message.transcript, message.type);
        this.#state = "eager";
        return;
      case "turn.resume":
        if (!this.#inTurn(message.type)) return;
        if (this.#state !== "eager") this.report("stt-turns/resume-after-eager-end", "\"turn.resume\" without an unresolved \"turn.eager_end\"");
        this.#state = "speaking";
        return;
      case "turn.end":
        if (!this.#inTurn(message.type)) return;
        this.#extend(message.transcript, message.type);
        this.#state = "idle";
        this.#transcript = "";
        return;
    }
  }

  #inTurn(type: string): boolean {
    if (this.#state !== "idle") return true;
    this.report("stt-turns/start-before-turn-events", `"${type}" outside a turn (no "turn.start")`);
    return false;
  }

  #extend(transcript: string, type: string): void {
    if (!transcript.startsWith(this.#transcript)) {
      this.report(
        "stt-turns/transcript-cumulative",
        `"${type}" transcript ${JSON.stringify(transcript)} does not extend ${JSON.stringify(this.#transcript)}`,
      );
    }
    this.#transcript = transcript;
  }

  protected override onEnd(): void {
    if (this.#closeSent && this.#state !== "idle" && !this.#errored && !this.dropped) {
      this.report("stt-turns/drained-at-close", "the session closed after \"close\" with a turn still open");
    }
  }
}

/** A checker for one `/stt/turns/websocket` session. */
export function createSttTurnsChecker(): GrammarChecker<ClientMessage, ServerMessage> {
  return new SttTurnsChecker();
}
