/** The TTS side of the mock: text with SSML-like tags → deterministic audio, the WebSocket core, and HTTP. */
export { createTtsCore, FATAL_CLOSE, type TtsCoreOptions } from "./session.js";
export { sseEvents, synthesizeBytes, type BytesResponse } from "./http.js";
export {
  chunkSamples,
  LEGACY_SPEED,
  renderGeneration,
  synthConfigOf,
  stepTime,
  type AudioSettings,
  type Generation,
  type GenerationPiece,
  type PhonemeTimestamps,
  type RawFormat,
  type WordTimestamps,
} from "./generate.js";
export {
  base64Portable,
  DEFAULT_SYNTH_CONFIG,
  initialSynthState,
  msToSamples,
  phonemeSpans,
  synthesize,
  toBase64,
  toInt16,
  VOICE,
  wordFrequency,
  wordSamples,
  type PhonemeSpan,
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
export { encodeMp3, encodeWav, mp3Frames, WAV_FORMAT_CODES, wavHeader, type Mp3Frame } from "./containers.js";
