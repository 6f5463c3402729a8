/** The TTS side of the mock: text with SSML-like tags → deterministic audio, the WebSocket core, and HTTP. */
export { createTtsCore, DEFAULT_MAX_TRANSCRIPT_CHARS, FATAL_CLOSE, transcriptTooLong, type TtsCoreOptions } from "./session.js";
export { sseErrorEvent, sseEvents, sseFaults, synthesizeBytes, ttsReplayMiss, type BytesResponse, type SseControl, type SseSession } from "./http.js";
export { ttsRequestRefusal, type RequestRefusal } from "./refusal.js";
export {
  chunkSamples,
  LazyGeneration,
  LEGACY_SPEED,
  planGeneration,
  renderGeneration,
  streamGeneration,
  synthConfigOf,
  stepTime,
  type AudioSettings,
  type Generation,
  type GenerationPiece,
  type PieceOutline,
  type PhonemeTimestamps,
  type RawFormat,
  type WordTimestamps,
} from "./generate.js";
export {
  base64Portable,
  DEFAULT_SYNTH_CONFIG,
  initialSynthState,
  msToSamples,
  PhonemeCursor,
  phonemeSpans,
  PLAN_WINDOW_CHARS,
  planSynthesis,
  PlanRenderer,
  synthesize,
  TextPlanner,
  toBase64,
  toInt16,
  VOICE,
  wordFrequency,
  wordSamples,
  WordCursor,
  type PhonemeSpan,
  type PlannedAudio,
  type Segment,
  type SegmentSource,
  type SynthConfig,
  type Synthesized,
  type SynthState,
  type WordSpan,
} from "./synth.js";
export {
  initialTextState,
  lastSentenceEnd,
  MAX_BREAK_MS,
  parseTranscript,
  SPEED_RANGE,
  stateAfter,
  tokenize,
  VOLUME_RANGE,
  type TextState,
  type Token,
  type Tokenized,
  type TokenizeMode,
} from "./text.js";
export { encodeMp3, encodeMp3Stream, encodeWav, MP3_BLOCK_SAMPLES, mp3Frames, WAV_FORMAT_CODES, wavHeader, type Mp3Frame } from "./containers.js";
export { canonicalRequest, createTtsReplayCore, recordedAudio, replayFrames, requestKey, sortKeys } from "./replay.js";
