#!/usr/bin/env node
/** The voice agent from a terminal: a WAV in, each turn's transcript and reply printed, the replies' audio written as WAV files. */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runVoiceAgent } from "./agent.js";
import { readWav, syntheticSpeech, writeWav } from "./wav.js";

const HELP = `usage: node dist/cli.js --url URL --wav FILE [--out DIR] [options]
       node dist/cli.js --make-wav FILE [--seconds N]

  --url URL        the API base URL, e.g. http://127.0.0.1:8787/s/eager-resume (the mock of \`pnpm start\`)
  --wav FILE       the caller's audio: a 16-bit PCM WAV (stereo is mixed down)
  --out DIR        write each reply as DIR/turn-<n>.wav (default: replies)
  --pace N         send audio at N times real time; 0: as fast as possible (default 1)
  --api-key KEY    default $CARTESIA_API_KEY (the mock takes any)
  --voice ID       the TTS voice id
  --make-wav FILE  write N seconds (default 8) of a synthetic speech-like signal to FILE, and exit
  -h, --help       this text`;

/** Prints one line and a hint, exits 2. */
function usage(message: string): never {
  process.stderr.write(`voice-agent: ${message}\n(run with --help for the options)\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        url: { type: "string" },
        wav: { type: "string" },
        out: { type: "string", default: "replies" },
        pace: { type: "string", default: "1" },
        "api-key": { type: "string" },
        voice: { type: "string" },
        "make-wav": { type: "string" },
        seconds: { type: "string", default: "8" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    usage((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  if (values["make-wav"]) {
    const seconds = Number(values.seconds);
    if (!(seconds > 0) || !Number.isFinite(seconds)) usage(`--seconds must be a positive number, got ${values.seconds}`);
    writeFileSync(values["make-wav"], writeWav(syntheticSpeech(seconds)));
    process.stdout.write(`wrote ${seconds} s of 16 kHz audio to ${values["make-wav"]}\n`);
    return;
  }
  if (!values.url) usage("--url is required");
  if (!values.wav) usage("--wav is required (make one with --make-wav FILE)");
  const pace = Number(values.pace);
  if (!(pace >= 0) || !Number.isFinite(pace)) usage(`--pace must be a number ≥ 0, got ${values.pace}`);
  let audio;
  try {
    audio = readWav(readFileSync(values.wav));
  } catch (error) {
    usage(`${values.wav}: ${(error as Error).message}`);
  }
  const apiKey = values["api-key"] ?? process.env.CARTESIA_API_KEY;
  mkdirSync(values.out, { recursive: true });
  let n = 0;
  const result = await runVoiceAgent({
    baseUrl: values.url,
    audio,
    pace,
    ...(apiKey ? { apiKey } : {}),
    ...(values.voice ? { voiceId: values.voice } : {}),
    onEvent: (event) => {
      if (event.type === "turn") process.stdout.write(`caller: ${JSON.stringify(event.transcript)}\n`);
      else if (event.type === "reply-started") process.stdout.write(`  speaking ${event.contextId}: ${JSON.stringify(event.reply)}\n`);
      else if (event.type === "reply-cancelled") process.stdout.write(`  cancelled ${event.contextId} (${event.reason})\n`);
      else if (event.type === "reply-discarded") process.stdout.write(`  discarded ${event.contextId}: all its audio had arrived (${event.reason})\n`);
      else if (event.type === "reply-failed") process.stdout.write(`  reply failed: ${event.error.message}\n`);
      else {
        n += 1;
        const file = join(values.out, `turn-${n}.wav`);
        writeFileSync(file, writeWav(event.turn.audio));
        const seconds = event.turn.audio.pcm.byteLength / 2 / event.turn.audio.sampleRate;
        process.stdout.write(`agent: ${JSON.stringify(event.turn.reply)} → ${file} (${seconds.toFixed(2)} s${event.turn.speculative ? ", started on eager end" : ""})\n`);
      }
    },
  });
  process.stdout.write(`${result.turns.length} replies, ${result.cancelled.length} cancelled on resume, ${result.failures.length} failed\n`);
  if (result.failures.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`voice-agent: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
