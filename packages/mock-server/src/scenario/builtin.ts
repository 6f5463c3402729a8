/**
 * The scenarios every server knows without a scenario folder. Each one is validated through
 * `scenarioSchema` (defaults filled in) when this module loads, so a typo here fails at import.
 *
 * Word timings use the schema defaults (0.3 s per word, 0.08 s gaps) unless a scenario needs exact
 * event shapes: `eager-resume` scripts multi-word recognition units so that it produces the §3.6
 * example event for event.
 */
import { scenarioSchema, type Scenario, type ScenarioInput } from "./schema.js";

const INPUTS: ScenarioInput[] = [
  {
    name: "default",
    description: "A short two-turn conversation; the first turn pauses once (turn.eager_end → turn.resume).",
    stt: {
      turns: [
        {
          segments: [{ say: "Hi, I'd like to book a table" }, { pause: 0.5 }, { say: "for two people tonight." }],
        },
        { segments: [{ say: "Around seven would be great." }] },
      ],
    },
  },
  {
    name: "eager-resume",
    description: "PROTOCOL.md §3.6: \"I'd like to change my order.\" → turn.eager_end → turn.resume → \"The address is wrong.\"",
    stt: {
      turns: [
        {
          segments: [
            { words: [{ word: "I'd like to", duration: 0.6 }, { word: "change my order.", duration: 0.7 }] },
            { pause: 0.6 },
            { words: [{ word: "The address", duration: 0.5 }, { word: "is wrong.", duration: 0.5 }] },
          ],
        },
      ],
    },
  },
  {
    name: "eager-end",
    description: "One turn whose pause at the end sends turn.eager_end, then turn.end with the same transcript.",
    stt: { turns: [{ segments: [{ say: "What time do you close today?" }], eagerBeforeEnd: true }] },
  },
  {
    name: "multi-turn",
    description: "Four turns in a row, one of them with an eager pause.",
    stt: {
      turns: [
        { segments: [{ say: "Hello." }] },
        { segments: [{ say: "Can you check my balance?" }] },
        { segments: [{ say: "The account ends in" }, { pause: 0.4 }, { say: "four two seven." }] },
        { segments: [{ say: "Thanks, that's all." }] },
      ],
    },
  },
  {
    name: "empty-turn",
    description: "A turn of noise with no words between two spoken ones: its turn.end transcript is \"\".",
    stt: {
      turns: [
        { segments: [{ say: "Hello?" }] },
        { leadSilence: 0.5, segments: [{ pause: 0.4 }], endSilence: 1 },
        { segments: [{ say: "Are you still there?" }] },
      ],
    },
  },
  {
    name: "dictation",
    description: "Long dictation for /stt/websocket: several sentences, each followed by a second of silence (auto-finalize).",
    stt: {
      turns: [
        {
          segments: [
            { say: "Dear Ms. Alvarez, thank you for your letter of the fourteenth." },
            { pause: 1, eager: false },
            { say: "The replacement parts shipped this morning and should arrive by Friday." },
            { pause: 1, eager: false },
            { say: "Please call our service line if anything is missing from the box." },
            { pause: 1, eager: false },
            { say: "Kind regards, Jordan." },
          ],
          endSilence: 1.2,
        },
      ],
    },
  },
  {
    name: "error-mid-turn",
    description: "An error event (500, fatal: the socket then closes with 1011) 1.2 s into the first turn.",
    stt: { turns: [{ segments: [{ say: "I need to change my delivery address please." }] }] },
    faults: [
      {
        at: { audio: 1.2 },
        action: {
          type: "error",
          status: 500,
          code: "internal_error",
          title: "Internal server error",
          message: "The transcription backend failed mid-stream.",
          fatal: true,
        },
        endpoints: ["stt-v1", "stt-turns"],
      },
    ],
  },
  {
    name: "drop-mid-turn",
    description: "Drops the first connection 1.2 s into the first turn (no close frame); later connections run normally.",
    stt: { turns: [{ segments: [{ say: "I need to change my delivery address please." }] }] },
    faults: [{ at: { audio: 1.2 }, action: { type: "drop" }, endpoints: ["stt-v1", "stt-turns"], connections: 1 }],
  },
  {
    name: "auth-401",
    description: "Refuses every handshake and request with HTTP 401 (bad API key).",
    handshake: { status: 401, message: "Invalid API key." },
  },
  {
    name: "rate-limit-429",
    description: "Refuses every handshake and request with HTTP 429 (concurrency limit).",
    handshake: { status: 429, message: "Concurrency limit exceeded for this plan." },
  },
  {
    name: "tts-basic",
    description: "Plain TTS: deterministic audio in 100 ms chunks, no faults, no latency.",
    tts: { chunkMs: 100 },
  },
];

/** Every built-in scenario, validated, in a stable order (`default` first). */
export const BUILTIN_SCENARIOS: Scenario[] = INPUTS.map((input) => scenarioSchema.parse(input));
