/** The STT side of the mock: script compilation, the energy detector, the two WebSocket cores and batch. */
export {
  compileScript,
  LoopCursor,
  roundTime,
  scriptUtterances,
  sharedScript,
  silenceAfter,
  type CompiledScript,
  type CompiledTurn,
  type Scheduled,
  type ScriptWord,
  type TimedWord,
  type TurnEvent,
  type TurnEventType,
  type Utterance,
} from "./script.js";
export {
  createEnergyDetector,
  createSpeechTracker,
  detectSpeech,
  type EnergyDetector,
  type SpeechSegment,
  type SpeechTracker,
  type TrackedEvent,
  type TrackerTimings,
  type VadFrame,
  type VadOptions,
} from "./vad.js";
export { AudioClock, fatalCloseCode, type SttEndpoint, type SttError } from "./session.js";
export { createSttV1Core, DEFAULT_MAX_SILENCE_SECS, maxSilenceOf, type SttV1Core, type SttV1CoreOptions } from "./stt-v1.js";
export { createSttTurnsCore, type SttTurnsCore, type SttTurnsCoreOptions, type TurnSettings } from "./stt-turns.js";
export { transcribeBatch, type BatchAudioFormat } from "./batch.js";
export { chunkBytes, driveCore, type DriveResult } from "./drive.js";
export { byteOffsetOf, createSttReplay, recordingFor, type SttReplay } from "./replay.js";
