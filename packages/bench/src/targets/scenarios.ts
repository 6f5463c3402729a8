/**
 * The scenarios the bench loads into the embedded mock, and the audio plan of each endpoint derived
 * from a scenario's word timings (where speech ends is known exactly, so "last byte of the turn's
 * speech" needs no detector).
 */
import { scenarioSchema, type Scenario, type ScenarioInput } from "@speechwire/mock-server";
import { compileScript } from "@speechwire/mock-server/core";

const INPUTS: ScenarioInput[] = [
  {
    name: "bench-v1",
    description: "Bench, /stt/websocket: one 0.3 s word and 0.1 s of silence, repeated; each round sends one and finalizes.",
    stt: { afterScript: "loop", turns: [{ leadSilence: 0, segments: [{ say: "hello" }], endSilence: 0.1 }] },
  },
  {
    name: "bench-turns",
    description: "Bench, /stt/turns/websocket: a turn with an eager pause (eager_end → resume), one ending in eager_end → end, one plain.",
    stt: {
      turns: [
        { segments: [{ say: "I'd like to book a table" }, { pause: 0.5 }, { say: "for two people tonight." }] },
        { segments: [{ say: "Is seven o'clock free?" }], eagerBeforeEnd: true },
        { segments: [{ say: "Thanks, that's all." }] },
      ],
    },
  },
  {
    name: "bench-v1-speech",
    description: "Bench, /stt/websocket with synthesized speech: an energy detector finds each utterance in the real audio; the words are the bench's v1 transcript.",
    stt: { timing: "vad", afterScript: "loop", wordSeconds: 0.1, gapSeconds: 0, turns: [{ segments: [{ say: "Please book a table for two tonight." }] }] },
  },
  {
    name: "bench-turns-speech",
    description: "Bench, /stt/turns/websocket with synthesized speech: an energy detector finds each turn in the real audio; the words are the bench's turn transcripts.",
    stt: {
      timing: "vad",
      afterScript: "loop",
      wordSeconds: 0.1,
      gapSeconds: 0,
      turns: [
        { segments: [{ say: "I'd like to book a table for two." }] },
        { segments: [{ say: "Is seven o'clock free? Or eight." }] },
        { segments: [{ say: "Thanks, that's all." }] },
      ],
    },
  },
  {
    name: "bench-tts",
    description: "Bench, /tts/websocket: plain TTS, all audio at once after the request (no pacing), 100 ms chunks.",
    tts: { chunkMs: 100, pace: 0 },
  },
];

/** The bench's scenarios, parsed (defaults filled in). */
export const BENCH_SCENARIOS: Scenario[] = INPUTS.map((input) => scenarioSchema.parse(input));

/** The default scenario of each endpoint. */
export const DEFAULT_SCENARIO = { "stt-v1": "bench-v1", "stt-turns": "bench-turns", tts: "bench-tts" } as const;

/**
 * The default scenario of each STT endpoint when its speech is synthesized (`--speech tts` against a
 * mock): `timing: vad`, so the mock hears the real audio and the scripted words fill what it hears.
 */
export const SPEECH_SCENARIO = { "stt-v1": "bench-v1-speech", "stt-turns": "bench-turns-speech", tts: "bench-tts" } as const;

/** The TTS model the bench requests. */
export const TTS_MODEL = "sonic-3";
/** The voice id the bench requests. */
export const TTS_VOICE = "6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81";

/** The TTS transcript each request sends (two sentences, 24 words). */
export const TTS_TRANSCRIPT =
  "Thanks for calling the booking line. Your table for two is confirmed for seven tonight, and we will text you a reminder an hour before.";

/** Sample rate of the STT audio (mono pcm_s16le). */
export const SAMPLE_RATE = 16_000;
/** Bytes per second of the STT audio. */
export const BYTES_PER_SECOND = SAMPLE_RATE * 2;
/** Audio is sent in frames of 20 ms. */
export const FRAME_MS = 20;
/** Bytes per 20 ms frame. */
export const FRAME_BYTES = (BYTES_PER_SECOND * FRAME_MS) / 1000;

/** What a turns session streams: total bytes, and the byte offset where each turn's speech ends. */
export interface TurnsPlan {
  bytes: number;
  /** Per turn of the script: the offset just past its last speech byte. */
  speechEnds: number[];
  /** Per turn: the audio offset at which the server's `turn.end` is due (speech end + end delay). */
  turnEndsDue: number[];
  turns: number;
  /** How many turns have an eager pause followed by speech, and how many end on eager_end. */
  description: string;
  /** The audio to stream (synthesized speech); absent: silence (the mock places words by audio position). */
  audio?: Uint8Array;
}

/** What a v1 session streams per round: bytes of each round (one scripted turn each). */
export interface V1Plan {
  roundBytes: number[];
  /** Whether the script loops (then rounds cycle through the turns). */
  loop: boolean;
  /** Per round, the audio to stream (synthesized speech); absent: silence. */
  roundAudio?: Uint8Array[];
}

const toBytes = (seconds: number) => Math.round(seconds * SAMPLE_RATE) * 2;

/** The turns plan of a scenario (one pass of its script). */
export function turnsPlan(scenario: Scenario): TurnsPlan {
  const script = compileScript(scenario.stt);
  return {
    bytes: toBytes(script.duration),
    speechEnds: script.turns.map((t) => toBytes(t.speechEnd)),
    turnEndsDue: script.turns.map((t) => toBytes(script.events.find((e) => e.type === "turn.end" && e.turn === t.index)?.at ?? t.end)),
    turns: script.turns.length,
    description: `${script.turns.length} turns, ${script.duration.toFixed(2)} s of audio`,
  };
}

/** The v1 plan of a scenario: one round per scripted turn (its audio from start to end). */
export function v1Plan(scenario: Scenario): V1Plan {
  const script = compileScript(scenario.stt);
  return { roundBytes: script.turns.map((t) => toBytes(t.end) - toBytes(t.start)), loop: script.loop };
}
