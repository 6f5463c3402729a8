/**
 * Values the real API's handling of is unknown: the schemas accept them (a mock that refuses what
 * the real service may accept breaks apps for no reason), and the linter warns (docs/protocol §13).
 */
import { findModel } from "../models/lookup.js";
import { EMOTIONS } from "../shared/languages.js";
import type { GrammarEndpoint } from "./lint.js";
import { defineRules, type Violation } from "./types.js";

/** The warnings for accepted-but-unverified values. */
export const UNVERIFIED_RULES = defineRules([
  {
    id: "tts/unverified-emotion",
    section: "§5.2",
    severity: "warning",
    statement: "generation_config.emotion is one of the 58 documented lowercase names (others are accepted; whether the real API takes them is unknown).",
  },
  {
    id: "tts/unverified-model",
    section: "§13",
    severity: "warning",
    statement: "model_id is named by a Cartesia source (a model only a client lists is accepted, unverified).",
  },
  {
    id: "stt-v1/config-language-hint-ignored",
    section: "§2.2",
    severity: "warning",
    statement: "A config carries language_hints, not language_hint (which the server ignores).",
  },
  {
    id: "stt-turns/config-language-hint-ignored",
    section: "§3.2",
    severity: "warning",
    statement: "A config carries language_hints, not language_hint (which the server ignores).",
  },
]);

const EMOTION_SET = new Set<string>(EMOTIONS);

function warn(id: keyof typeof UNVERIFIED_RULES, message: string, index: number, contextId?: string): Violation {
  const rule = UNVERIFIED_RULES[id]!;
  return { rule: rule.id, section: rule.section, severity: rule.severity, message, index, ...(contextId !== undefined ? { contextId } : {}) };
}

/** Warnings for one parsed client message of an endpoint (none for most messages). */
export function unverifiedValues(endpoint: GrammarEndpoint, message: unknown, index: number): Violation[] {
  if (typeof message !== "object" || message === null) return [];
  const m = message as Record<string, unknown>;
  const out: Violation[] = [];
  if (endpoint === "tts") {
    const contextId = typeof m.context_id === "string" ? m.context_id : undefined;
    const emotion = (m.generation_config as { emotion?: unknown } | null | undefined)?.emotion;
    if (typeof emotion === "string" && !EMOTION_SET.has(emotion)) {
      out.push(warn("tts/unverified-emotion", `emotion ${JSON.stringify(emotion)} is not one of the documented names`, index, contextId));
    }
    if (typeof m.model_id === "string" && findModel(m.model_id)?.status === "unverified") {
      out.push(warn("tts/unverified-model", `model_id ${JSON.stringify(m.model_id)} is named by no Cartesia source`, index, contextId));
    }
  } else if (m.type === "config" && m.language_hint !== undefined) {
    out.push(warn(`${endpoint}/config-language-hint-ignored`, "config.language_hint is ignored by the server; send language_hints", index));
  }
  return out;
}
