/** List limits of the STT sockets, zod-free so the reader (and a browser bundle) can check them too. */

/** Keyterm limits (§2.1): at most 100 terms, 1200 characters in all. */
export const KEYTERM_LIMITS = { maxTerms: 100, maxTotalChars: 1200 } as const;

/** Language hints (update D7): at most 6, base codes only, for models that take them (ink-preview). */
export const LANGUAGE_HINT_LIMITS = { maxHints: 6 } as const;

/** Why a keyterm list breaks the limits, or `undefined` (§2.1). */
export function keytermProblem(terms: readonly string[]): string | undefined {
  if (terms.length > KEYTERM_LIMITS.maxTerms) return `at most ${KEYTERM_LIMITS.maxTerms} keyterms, got ${terms.length}`;
  const chars = terms.reduce((n, k) => n + k.length, 0);
  if (chars > KEYTERM_LIMITS.maxTotalChars) return `keyterms total at most ${KEYTERM_LIMITS.maxTotalChars} characters, got ${chars}`;
  return undefined;
}

/** Why a list of language hints is too long, or `undefined` (which codes a model takes is the model table's). */
export function languageHintCountProblem(hints: readonly string[]): string | undefined {
  return hints.length > LANGUAGE_HINT_LIMITS.maxHints ? `at most ${LANGUAGE_HINT_LIMITS.maxHints} language hints, got ${hints.length}` : undefined;
}

/** The hints of a handshake query: `language_hint` repeated, plus `language_hints` (repeated or comma-separated). */
export function queryLanguageHints(query: { language_hint?: string[] | undefined; language_hints?: string[] | undefined }): string[] {
  const listed = (query.language_hints ?? []).flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
  return [...(query.language_hint ?? []), ...listed];
}
