/** The example voice agent: `runVoiceAgent` (the loop), `replyTo` (its stand-in for a model), WAV helpers. */
export { replyTo, runVoiceAgent, type AgentEvent, type AgentTurn, type ReplyFunction, type VoiceAgentOptions, type VoiceAgentResult } from "./agent.js";
export { readWav, syntheticSpeech, writeWav, type PcmAudio } from "./wav.js";
