/**
 * Every model and API version the protocol knows, as data (docs/protocol §13). Schemas, the mock, the
 * docs and the playground's pickers all read these tables: adding next month's model is one row here.
 */
import { STT_LANGUAGES, TTS_LANGUAGES } from "../shared/languages.js";

/** Where a model is served. */
export type ModelEndpoint = "stt-v1" | "stt-turns" | "stt-batch" | "tts" | "tts-bytes" | "tts-sse";

/**
 * A model's standing:
 * - `stable`: documented and served (a family's moving name included); `preview`: documented, changes
 *   without notice; `snapshot`: a dated, frozen release;
 * - `unverified`: sent by a real client but named by no Cartesia source: accepted, the strict linter warns;
 * - `sunset`: documented as no longer served: refused with `model_sunsetted`.
 */
export type ModelStatus = "stable" | "preview" | "snapshot" | "unverified" | "sunset";

/** What a model can do, where the protocol depends on it. */
export interface ModelFeatures {
  /** STT: `words` on transcripts and turn events. */
  wordTimestamps?: boolean;
  /** STT: detects the spoken language itself (`languages` on turn events where `languageHints`). */
  autoDetect?: boolean;
  /**
   * STT: takes `language_hint` / `language_hints` (and reports `languages` per turn). `false`: documented
   * to refuse them; absent: no source says, so the mock accepts them (docs/protocol §11.11).
   */
  languageHints?: boolean;
  /** STT: takes the `language` query parameter. */
  languageParam?: boolean;
  /** TTS: takes `locale` codes. */
  locales?: boolean;
}

/** One model. */
export interface ModelInfo {
  id: string;
  kind: "stt" | "tts";
  endpoints: readonly ModelEndpoint[];
  status: ModelStatus;
  /** The family's moving name, for snapshots (`sonic-3.6-2026-08-27` → `sonic-3.6`). */
  family: string;
  /** Release date (snapshots) and sunset date, where documented. */
  released?: string;
  sunset?: string;
  /** Language codes it takes; empty when no source gives the list. */
  languages: readonly string[];
  features: ModelFeatures;
  /** Where the row comes from (docs/protocol §0 keys or the update's item). */
  source: string;
}

const TTS_ENDPOINTS = ["tts", "tts-bytes", "tts-sse"] as const;
const REALTIME_STT = ["stt-v1", "stt-turns"] as const;
/** Sonic 3 and 3.5: the 44 less Odia and Urdu, "42 languages" in the docs (API-CHG). */
const SONIC_3_LANGUAGES = TTS_LANGUAGES.filter((code) => code !== "or" && code !== "ur");
/** Sonic 2 and Turbo are served "for a reduced set of languages" that no source lists (API-CHG). */
const UNLISTED: readonly string[] = [];
/** ink-2 detects these itself (update D9). */
export const INK_2_LANGUAGES = ["en", "fr", "hi", "ja", "es"] as const;
/** ink-preview's 44 languages: the sources give no list, so we take Sonic 3.6's 44 (an assumption, §13). */
export const INK_PREVIEW_LANGUAGES = TTS_LANGUAGES;

function tts(id: string, status: ModelStatus, family: string, source: string, extra: Partial<ModelInfo> = {}): ModelInfo {
  return { id, kind: "tts", endpoints: TTS_ENDPOINTS, status, family, languages: TTS_LANGUAGES, features: {}, source, ...extra };
}

const SONIC_3_6: Partial<ModelInfo> = { features: { locales: true } };
const SUNSET_2026_06_01: Partial<ModelInfo> = { sunset: "2026-06-01", languages: [] };

/** Every model, newest families first. */
export const MODEL_TABLE: readonly ModelInfo[] = [
  // TTS: Sonic 3.6 (update D1)
  tts("sonic-3.6", "stable", "sonic-3.6", "TTS-MODELS-LATEST (update D1)", SONIC_3_6),
  tts("sonic-3.6-2026-08-27", "snapshot", "sonic-3.6", "TTS-MODELS-LATEST (update D1)", { ...SONIC_3_6, released: "2026-08-27" }),
  tts("sonic-preview", "preview", "sonic-3.6", "TTS-MODELS-LATEST, TEXT-NORM (update D1)", SONIC_3_6),
  // TTS: Sonic 3.5 and 3 (§5.2)
  tts("sonic-3.5", "stable", "sonic-3.5", "SDK-JS, PC (§5.2)", { languages: SONIC_3_LANGUAGES }),
  tts("sonic-3.5-2026-05-04", "snapshot", "sonic-3.5", "CHG-2026 (§5.2)", { released: "2026-05-04", languages: SONIC_3_LANGUAGES }),
  tts("sonic-3", "stable", "sonic-3", "SDK-JS (§5.2)", { languages: SONIC_3_LANGUAGES }),
  tts("sonic-3-2026-01-12", "snapshot", "sonic-3", "CHG-2026 (§5.2)", { released: "2026-01-12", languages: SONIC_3_LANGUAGES }),
  tts("sonic-3-2025-10-27", "snapshot", "sonic-3", "CHG-2026 (§5.2); an unverified note says it stops 2026-10-20 (update D8)", {
    released: "2025-10-27",
    languages: SONIC_3_LANGUAGES,
  }),
  tts("sonic-latest", "stable", "sonic", "SDK-JS (§5.2)"),
  tts("sonic-3-latest", "stable", "sonic-3", "SDK-JS (§5.2)"),
  // TTS: Sonic 2 and Turbo, still served for fewer languages (update D1, API-CHG ja)
  tts("sonic-2", "stable", "sonic-2", "SDK-JS (§5.2); an unverified note says it stops 2026-10-20 (update D8)", { languages: UNLISTED }),
  tts("sonic-2-2025-04-16", "snapshot", "sonic-2", "API-CHG (update D1)", { released: "2025-04-16", languages: UNLISTED }),
  tts("sonic-2-2025-05-08", "snapshot", "sonic-2", "API-CHG (update D1)", { released: "2025-05-08", languages: UNLISTED }),
  tts("sonic-2-2025-06-11", "snapshot", "sonic-2", "API-CHG (update D1)", { released: "2025-06-11", languages: UNLISTED }),
  tts("sonic-turbo", "stable", "sonic-turbo", "SDK-JS (§5.2); an unverified note says it stops 2026-10-20 (update D8)", { languages: UNLISTED }),
  tts("sonic-turbo-2025-06-04", "snapshot", "sonic-turbo", "API-CHG (update D1)", { released: "2025-06-04", languages: UNLISTED }),
  // TTS: named only by the LiveKit plugins
  tts("sonic-lite", "unverified", "sonic-lite", "LK-JS `src/models.ts`, LK-PY `models.py` only (update D1)", { languages: [] }),
  // TTS: sunset on 2026-06-01 (update D8)
  tts("sonic", "sunset", "sonic", "API-CHG (update D8)", SUNSET_2026_06_01),
  tts("sonic-english", "sunset", "sonic", "API-CHG (update D8)", SUNSET_2026_06_01),
  tts("sonic-multilingual", "sunset", "sonic", "API-CHG (update D8)", SUNSET_2026_06_01),
  tts("sonic-2-2025-03-07", "sunset", "sonic-2", "API-CHG (update D8)", { ...SUNSET_2026_06_01, released: "2025-03-07" }),
  tts("sonic-turbo-2025-03-07", "sunset", "sonic-turbo", "API-CHG (update D8)", { ...SUNSET_2026_06_01, released: "2025-03-07" }),
  // STT
  {
    id: "ink-preview",
    kind: "stt",
    endpoints: REALTIME_STT,
    status: "preview",
    family: "ink-preview",
    languages: INK_PREVIEW_LANGUAGES,
    features: { wordTimestamps: true, autoDetect: true, languageHints: true },
    source: "STT-LANGUAGES, STT-WORDS (update D3)",
  },
  {
    id: "ink-2",
    kind: "stt",
    endpoints: REALTIME_STT,
    status: "stable",
    family: "ink-2",
    languages: INK_2_LANGUAGES,
    // "ink-2 doesn't take hints. It returns an error event if you pass them."
    features: { autoDetect: true, languageHints: false },
    source: "TURNS-REF, STT-LANGUAGES (update D9); no word timestamps yet (STT-WORDS)",
  },
  {
    id: "ink-whisper",
    kind: "stt",
    endpoints: ["stt-v1", "stt-batch"],
    status: "stable",
    family: "ink-whisper",
    languages: STT_LANGUAGES,
    features: { wordTimestamps: true, languageParam: true },
    source: "STT-REF, BATCH (§2, §4)",
  },
  {
    id: "ink-whisper-2025-06-04",
    kind: "stt",
    endpoints: ["stt-v1", "stt-batch"],
    status: "snapshot",
    family: "ink-whisper",
    released: "2025-06-04",
    languages: STT_LANGUAGES,
    features: { wordTimestamps: true, languageParam: true },
    source: "STT-REF, BATCH (§2, §4)",
  },
];

/** Dated snapshots accepted by pattern before any source lists them: `ink-2-YYYY-MM-DD` (update D9). */
export const MODEL_PATTERNS: readonly { pattern: RegExp; like: string; description: string }[] = [
  { pattern: /^ink-2-\d{4}-\d{2}-\d{2}$/, like: "ink-2", description: "ink-2-YYYY-MM-DD" },
];
