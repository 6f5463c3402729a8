/**
 * The `config` command both STT sockets take mid-session (§2.2, §3.2) and the list parameters of their
 * handshakes, checked before anything is sent: the keyterm limits (§2.1) and the number of language
 * hints. Which hint codes a model takes (and whether it takes hints at all: ink-2 does not) is the
 * server's to say; it answers a refused `config` with an `error` event and the session goes on.
 * The limits are the protocol's, from its zod-free reader (`keytermProblem`, `languageHintCountProblem`).
 */
import type { sttTurns } from "@speechwire/protocol";
import { checkTurnConfig, keytermProblem, languageHintCountProblem, queryLanguageHints } from "@speechwire/protocol/reader";

/** What a `config` command sets (the protocol's message without `type`; `null` means omitted). */
export type SttConfig = Omit<sttTurns.Config, "type" | "language_hint">;

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");

/** Why a `config` cannot be sent, naming the field (`turn.end_threshold: …`), or `undefined`. */
export function configProblem(config: SttConfig): string | undefined {
  if (config.turn != null) {
    const issue = checkTurnConfig(config.turn)[0];
    if (issue) return `turn${issue.path === "(root)" ? "" : `.${issue.path}`}: ${issue.message}`;
  }
  for (const key of ["keyterms", "language_hints"] as const) {
    const list = config[key];
    if (list == null) continue;
    if (!isStrings(list)) return `${key}: expected a list of strings`;
    const problem = key === "keyterms" ? keytermProblem(list) : languageHintCountProblem(list);
    if (problem) return `${key}: ${problem}`;
  }
  return undefined;
}

/**
 * Checks a handshake's list parameters (`keyterm`, `language_hint`, `language_hints` — repeated or
 * comma-separated) and returns the params; throws a `TypeError` naming the field, like the query's
 * other checks.
 */
export function checkListParams<P extends { keyterm?: string[] | undefined; language_hint?: string[] | undefined; language_hints?: string[] | undefined }>(params: P): P {
  const keyterms = keytermProblem(params.keyterm ?? []);
  if (keyterms) throw new TypeError(`keyterm: ${keyterms}`);
  const hints = languageHintCountProblem(queryLanguageHints(params));
  if (hints) throw new TypeError(`${params.language_hint ? "language_hint" : "language_hints"}: ${hints}`);
  return params;
}

/**
 * Merges a `config` into what the session has set: a list replaces the old one, `[]` clears it, an
 * omitted (or `null`) field keeps it; `turn` settings merge one by one.
 */
export function mergeConfig(into: SttConfig, config: SttConfig): SttConfig {
  const out: SttConfig = { ...into };
  if (config.turn != null) out.turn = { ...into.turn, ...config.turn };
  if (config.keyterms != null) out.keyterms = config.keyterms;
  if (config.language_hints != null) out.language_hints = config.language_hints;
  return out;
}

/** The `config` frame for what is set (omitted and `null` fields left out). */
export function configFrame(config: SttConfig): string {
  const message: Record<string, unknown> = { type: "config" };
  for (const key of ["turn", "keyterms", "language_hints"] as const) if (config[key] != null) message[key] = config[key];
  return JSON.stringify(message);
}

/** Whether a command frame is a `config` (the merged configuration replaces it after a reconnect). */
export const isConfigFrame = (frame: string): boolean => frame.startsWith('{"type":"config"');
