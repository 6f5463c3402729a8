/** Lints raw traffic: parses every frame (schemas) and feeds the endpoint's grammar checker. */
import * as sttTurns from "../endpoints/stt-turns.js";
import * as sttV1 from "../endpoints/stt-v1.js";
import * as tts from "../endpoints/tts.js";
import type { FrameInput } from "../shared/frame.js";
import type { SchemaOptions } from "../shared/options.js";
import type { Result } from "../shared/result.js";
import { createSttTurnsChecker, STT_TURNS_RULES } from "./stt-turns.js";
import { createSttV1Checker, STT_V1_RULES } from "./stt-v1.js";
import { createTtsChecker, TTS_RULES } from "./tts.js";
import { defineRules, type CloseInfo, type GrammarChecker, type Rule, type Violation } from "./types.js";
import { UNVERIFIED_RULES, unverifiedValues } from "./unverified.js";

/** The WebSocket endpoints that have a grammar. */
export type GrammarEndpoint = "stt-v1" | "stt-turns" | "tts";

/** Schema rules: every frame must parse as a message of its direction. */
export const MESSAGE_RULES = defineRules([
  { id: "stt-v1/valid-message", section: "§2.2–§2.3", severity: "error", statement: "Every frame is a valid message of its direction." },
  { id: "stt-turns/valid-message", section: "§3.2–§3.3", severity: "error", statement: "Every frame is a valid message of its direction." },
  { id: "tts/valid-message", section: "§5.2–§5.3", severity: "error", statement: "Every frame is a valid message of its direction." },
]);

/** Every rule of every grammar, by id. */
export const GRAMMAR_RULES: Readonly<Record<string, Rule>> = { ...STT_V1_RULES, ...STT_TURNS_RULES, ...TTS_RULES, ...MESSAGE_RULES, ...UNVERIFIED_RULES };

/** A raw event of a session: a frame as it travelled, or a close. */
export type RawSessionEvent = { from: "client" | "server"; frame: FrameInput } | { from: "client" | "server"; close: CloseInfo };

interface Parsers<C, S> {
  checker: () => GrammarChecker<C, S>;
  client: (frame: FrameInput, options: SchemaOptions) => Result<C>;
  server: (frame: FrameInput, options: SchemaOptions) => Result<S>;
}

const PARSERS: { [E in GrammarEndpoint]: Parsers<never, never> } = {
  "stt-v1": {
    checker: createSttV1Checker,
    client: sttV1.parseClientMessage,
    server: sttV1.parseServerMessage,
  } as unknown as Parsers<never, never>,
  "stt-turns": {
    checker: createSttTurnsChecker,
    client: sttTurns.parseClientMessage,
    server: sttTurns.parseServerMessage,
  } as unknown as Parsers<never, never>,
  tts: { checker: createTtsChecker, client: tts.parseClientMessage, server: tts.parseServerMessage } as unknown as Parsers<never, never>,
};

const NO_BYTES: Uint8Array = new Uint8Array(0);

/** An incremental linter for one session: `push` raw events as they happen, `end` when it is over. */
export interface SessionLinter {
  push(event: RawSessionEvent): Violation[];
  end(): Violation[];
  readonly violations: readonly Violation[];
}

/**
 * Creates a linter for one session of an endpoint. Frames that do not parse are reported under
 * `<endpoint>/valid-message` and skipped by the grammar; the rest go through the checker.
 * @example const l = createSessionLinter("stt-turns", { strictness: "strict" }); l.push({ from: "server", frame: text });
 */
export function createSessionLinter(endpoint: GrammarEndpoint, options: SchemaOptions = {}): SessionLinter {
  return new Linter(endpoint, options);
}

/**
 * A class, not an object literal with a `violations` getter: such a literal is a dictionary-mode
 * object (a hash table per linter), and the mock keeps one linter per open session.
 */
class Linter implements SessionLinter {
  readonly #endpoint: GrammarEndpoint;
  readonly #options: SchemaOptions;
  readonly #parsers: Parsers<unknown, unknown>;
  readonly #checker: GrammarChecker<unknown, unknown>;
  readonly #own: Violation[] = [];
  readonly #all: Violation[] = [];
  #index = -1;
  readonly #rule: Rule;
  // STT audio: what the parser makes of every binary client frame, built once instead of per 20 ms
  // chunk (the STT checkers read only the message's type and keep no reference to it).
  readonly #audio: { from: "client"; message: { type: "audio"; data: Uint8Array } } | undefined;

  constructor(endpoint: GrammarEndpoint, options: SchemaOptions) {
    this.#endpoint = endpoint;
    this.#options = options;
    this.#parsers = PARSERS[endpoint] as Parsers<unknown, unknown>;
    this.#checker = this.#parsers.checker();
    this.#rule = MESSAGE_RULES[`${endpoint}/valid-message`];
    this.#audio = endpoint === "tts" ? undefined : { from: "client", message: { type: "audio", data: NO_BYTES } };
  }

  get violations(): readonly Violation[] {
    return this.#all;
  }

  push(event: RawSessionEvent): Violation[] {
    const index = (this.#index += 1);
    const audio = this.#audio;
    let found: Violation[];
    if (audio !== undefined && event.from === "client" && "frame" in event && event.frame instanceof Uint8Array) {
      audio.message.data = event.frame;
      found = this.#checker.push(audio as never);
      audio.message.data = NO_BYTES;
    } else if ("close" in event) {
      found = this.#checker.push(event);
    } else {
      const parsed = event.from === "client" ? this.#parsers.client(event.frame, this.#options) : this.#parsers.server(event.frame, this.#options);
      if (parsed.ok) {
        found = this.#checker.push({ from: event.from, message: parsed.value } as never);
        // Audio has no unverified values: a 20 ms chunk (50 a second per stream) skips the look.
        if (event.from === "client" && typeof event.frame === "string") {
          const warnings = unverifiedValues(this.#endpoint, parsed.value, index);
          if (warnings.length > 0) {
            this.#own.push(...warnings);
            found = [...found, ...warnings];
          }
        }
      } else {
        const v: Violation = {
          rule: this.#rule.id,
          section: this.#rule.section,
          severity: this.#rule.severity,
          message: `${event.from} frame: ${parsed.error.message}`,
          index,
        };
        this.#own.push(v);
        found = [v];
      }
    }
    // The checker numbers only the events it saw: report indices in the raw stream instead.
    if (found.length === 0) return found;
    const fixed = found.map((v) => (this.#own.includes(v) ? v : { ...v, index }));
    this.#all.push(...fixed);
    return fixed;
  }

  end(): Violation[] {
    const found = this.#checker.end();
    this.#all.push(...found);
    return found;
  }
}

/** Lints a whole recorded session and returns every violation (schema and grammar). */
export function lintSession(endpoint: GrammarEndpoint, events: Iterable<RawSessionEvent>, options?: SchemaOptions): Violation[] {
  const linter = createSessionLinter(endpoint, options);
  for (const event of events) linter.push(event);
  linter.end();
  return [...linter.violations];
}

/** A fresh grammar checker for an endpoint, fed parsed messages. */
export function createChecker(endpoint: "stt-v1"): ReturnType<typeof createSttV1Checker>;
export function createChecker(endpoint: "stt-turns"): ReturnType<typeof createSttTurnsChecker>;
export function createChecker(endpoint: "tts"): ReturnType<typeof createTtsChecker>;
export function createChecker(endpoint: GrammarEndpoint): GrammarChecker<unknown, unknown> {
  return PARSERS[endpoint].checker() as GrammarChecker<unknown, unknown>;
}
