/** Sequence grammars as code: one checker per WebSocket endpoint, and a linter over raw frames. */
export * from "./types.js";
export { createSttV1Checker, STT_V1_RULES } from "./stt-v1.js";
export { createSttTurnsChecker, STT_TURNS_RULES } from "./stt-turns.js";
export { createTtsChecker, TTS_RULES } from "./tts.js";
export * from "./lint.js";
export { UNVERIFIED_RULES, unverifiedValues } from "./unverified.js";
