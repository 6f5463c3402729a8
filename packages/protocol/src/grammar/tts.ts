/** The `/tts/websocket` grammar, per context (PROTOCOL.md §5.2–§5.4). */
import { REPEATED_FIELDS, isCancel, type ClientMessage, type GenerationRequest, type ServerMessage } from "../endpoints/tts.js";
import { BaseChecker, defineRules, type GrammarChecker } from "./types.js";

/** The rules of the tts grammar. */
export const TTS_RULES = defineRules([
  {
    id: "tts/context-id-present",
    section: "§5.3",
    severity: "error",
    statement: "Every server message other than an error without a known context carries `context_id`.",
  },
  {
    id: "tts/known-context",
    section: "§5.4",
    severity: "error",
    statement: "The server answers only contexts the client opened.",
  },
  {
    id: "tts/nothing-after-done",
    section: "§5.4",
    severity: "error",
    statement: "Nothing follows a context's `done` or `error` on that context, but the error that refuses input sent to it afterwards.",
  },
  {
    id: "tts/flush-id-sequence",
    section: "§5.4",
    severity: "error",
    statement: "A context's `flush_done` ids are 1, 2, 3, … increasing by one.",
  },
  {
    id: "tts/flush-done-answers-flush",
    section: "§5.4",
    severity: "warning",
    statement: "Every `flush_done` answers a flush request (pipecat reports boundary markers without one).",
  },
  {
    id: "tts/chunk-flush-id-order",
    section: "§5.4",
    severity: "error",
    statement: "`flush_id` on a context's chunks and timestamps never decreases.",
  },
  {
    id: "tts/done-after-end",
    section: "§5.4",
    severity: "error",
    statement: "`done` comes only after the client's `continue:false` (or a `cancel`).",
  },
  {
    id: "tts/done-sent",
    section: "§5.4",
    severity: "error",
    statement: "A context whose input ended gets `done` (or an error) before the session ends.",
  },
  {
    id: "tts/input-after-end",
    section: "§5.4",
    severity: "error",
    statement: "The client sends no input on a context after its `continue:false` (cancel excepted).",
  },
  {
    id: "tts/repeat-context-fields",
    section: "§5.2",
    severity: "error",
    statement: "Every input on a context repeats `model_id`, `voice`, `output_format` and `language` unchanged.",
  },
]);

interface ContextState {
  first: GenerationRequest;
  ended: boolean;
  cancelled: boolean;
  finished: boolean;
  flushesSent: number;
  lastFlushDone: number;
  lastChunkFlushId: number;
  /** Inputs sent after the context finished, each answered by a 400 error (§5.4 Mock). */
  errorsOwed: number;
}

const stable = (value: unknown): string => JSON.stringify(value, (_k, v: unknown) =>
  v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
);

class TtsChecker extends BaseChecker<ClientMessage, ServerMessage> {
  readonly #contexts = new Map<string, ContextState>();

  constructor() {
    super(TTS_RULES);
  }

  protected onClient(message: ClientMessage): void {
    if (isCancel(message)) {
      const ctx = this.#contexts.get(message.context_id);
      if (ctx) ctx.cancelled = true;
      return;
    }
    // A request without context_id (allowed by older specs) cannot be followed per context.
    const id = message.context_id;
    if (id === undefined) return;
    const ctx = this.#contexts.get(id);
    if (!ctx) {
      this.#contexts.set(id, {
        first: message,
        ended: message.continue !== true,
        cancelled: false,
        finished: false,
        flushesSent: message.flush === true ? 1 : 0,
        lastFlushDone: 0,
        lastChunkFlushId: 0,
        errorsOwed: 0,
      });
      return;
    }
    // Input on a finished context is refused with an error naming it: that answer is not "after done".
    if (ctx.finished) ctx.errorsOwed += 1;
    if (ctx.ended) {
      this.report("tts/input-after-end", `input on context "${id}" after "continue:false"`, id);
      return;
    }
    for (const field of REPEATED_FIELDS) {
      if (stable(message[field]) !== stable(ctx.first[field])) {
        this.report("tts/repeat-context-fields", `"${field}" differs from the context's first request`, id);
      }
    }
    if (message.flush === true) ctx.flushesSent += 1;
    if (message.continue !== true) ctx.ended = true;
  }

  protected onServer(message: ServerMessage): void {
    const id = message.context_id;
    if (id === undefined || id === null) {
      if (message.type !== "error") this.report("tts/context-id-present", `"${message.type}" without context_id`);
      return;
    }
    const ctx = this.#contexts.get(id);
    if (!ctx) {
      // An error may answer a request the server could not attach to a context.
      if (message.type !== "error") this.report("tts/known-context", `"${message.type}" for context "${id}" the client never opened`, id);
      return;
    }
    if (ctx.finished) {
      if (message.type === "error" && ctx.errorsOwed > 0) {
        ctx.errorsOwed -= 1;
        return;
      }
      this.report("tts/nothing-after-done", `"${message.type}" on context "${id}" after its "done"`, id);
      return;
    }
    switch (message.type) {
      case "chunk":
      case "timestamps":
      case "phoneme_timestamps":
        if (message.flush_id != null) {
          if (message.flush_id < ctx.lastChunkFlushId) {
            this.report("tts/chunk-flush-id-order", `flush_id ${message.flush_id} after ${ctx.lastChunkFlushId}`, id);
          }
          ctx.lastChunkFlushId = Math.max(ctx.lastChunkFlushId, message.flush_id);
        }
        return;
      case "flush_done":
        if (message.flush_id !== ctx.lastFlushDone + 1) {
          this.report("tts/flush-id-sequence", `flush_id ${message.flush_id} after ${ctx.lastFlushDone} (expected ${ctx.lastFlushDone + 1})`, id);
        }
        if (ctx.lastFlushDone + 1 > ctx.flushesSent) {
          this.report("tts/flush-done-answers-flush", `"flush_done" ${message.flush_id} but only ${ctx.flushesSent} flush request(s)`, id);
        }
        ctx.lastFlushDone = message.flush_id;
        return;
      case "done":
        if (!ctx.ended && !ctx.cancelled) this.report("tts/done-after-end", `"done" on context "${id}" before "continue:false"`, id);
        ctx.finished = true;
        return;
      case "error":
        ctx.finished = true;
        return;
    }
  }

  protected override onEnd(): void {
    if (this.dropped) return;
    for (const [id, ctx] of this.#contexts) {
      if (ctx.ended && !ctx.cancelled && !ctx.finished) {
        this.report("tts/done-sent", `context "${id}" ended its input but got no "done"`, id);
      }
    }
  }
}

/** A checker for one `/tts/websocket` session (all its contexts). */
export function createTtsChecker(): GrammarChecker<ClientMessage, ServerMessage> {
  return new TtsChecker();
}
