/**
 * The `config` message both STT sockets take mid-stream (docs/protocol §2.2, §3.2; update D4): it
 * replaces `keyterms` and `language_hints` (a new list replaces the old one, `[]` clears it, an omitted
 * field keeps it). It is checked against the connect-time limits; a refused value changes nothing.
 */
import { languageHintProblem, queryLanguageHints } from "@speechwire/protocol";

/** The lists a session keeps, from the handshake and every accepted `config`. */
export interface SttLists {
  keyterms: readonly string[];
  languageHints: readonly string[];
}

/** The lists a handshake query sets. */
export function listsOfQuery(query: { keyterm?: string[] | undefined; language_hint?: string[] | undefined; language_hints?: string[] | undefined }): SttLists {
  return { keyterms: query.keyterm ?? [], languageHints: queryLanguageHints(query) };
}

/**
 * A `config`'s lists applied to the session's, or why they are refused (then nothing changes).
 * The keyterm limits are the schema's (checked when the message is read); hints depend on the model.
 * @example applyConfigLists("ink-2", lists, { language_hints: ["fr"] }) // { problem: "ink-2 doesn't take language hints …" }
 */
export function applyConfigLists(
  model: string,
  current: SttLists,
  config: { keyterms?: string[] | null | undefined; language_hints?: string[] | null | undefined },
): { lists: SttLists } | { problem: string } {
  if (config.language_hints != null) {
    const problem = languageHintProblem(model, config.language_hints);
    if (problem) return { problem: `language_hints: ${problem}` };
  }
  return {
    lists: {
      keyterms: config.keyterms ?? current.keyterms,
      languageHints: config.language_hints ?? current.languageHints,
    },
  };
}
