/**
 * The tiny browser apps bench/size.mjs bundles: each does the same thing with each library, written as
 * each library's README shows it, so that the figure is what an app pays for what it imports.
 *
 * - turns: open an STT turns socket with an access token, print each `turn.end` transcript, send the
 *   microphone's chunks, close.
 * - turns + TTS WebSocket: the same, and speak each final transcript on a TTS WebSocket context
 *   (one context per reply, the text pushed, input ended, the audio chunks played).
 *
 * Ours imports the subpath entries (the first variant is the one the goal is measured on): the turns
 * socket opened with `openTurnsSocket` (the socket and nothing more, as cartesia-js's socket class) and
 * the TTS one with `openTtsSocket` (contexts on a reopening socket, as cartesia-js's `TTSWS`, without
 * the debug linter), then with `createTurns` (the managed session: reconnect, replay, watchdog,
 * speculation, debug), `createTtsWebSocket` (debug too) and the root entry's `createClient`, for reference. cartesia-js gets every way its package lets an app
 * reach the same classes — the root `Cartesia`, and its `./client` and `./resources/*` subpaths with the
 * socket classes constructed directly — and the goal is measured against the smallest of them.
 * The app's own glue (globals the page calls: `onAudio`, `onStop`, `play`) is the same on both sides.
 */
const PARAMS = `{ model: "ink-2", encoding: "pcm_s16le", sample_rate: 16000 }`;
const CONTEXT = `{ model_id: "sonic-3", voice: { mode: "id", id: "6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81" }, output_format: { container: "raw", encoding: "pcm_f32le", sample_rate: 24000 } }`;

/** Our turns glue: events from the session's async iterator. */
const oursTurns = (speak) => `
(async () => { for await (const e of turns) if (e.type === "turnEnd") { console.log(e.transcript);${speak ? " speak(e.transcript);" : ""} } })();
globalThis.onAudio = (chunk) => turns.send(chunk);
globalThis.onStop = () => turns.close();`;
/** Our TTS glue: one context per reply. */
const oursSpeak = `
async function speak(text) {
  const ctx = tts.context(${CONTEXT});
  ctx.push(text);
  ctx.end();
  for await (const e of ctx) if (e.type === "audio") globalThis.play(e.audio);
}`;
/** cartesia-js's turns glue: event listeners on the socket. */
const theirsTurns = (speak) => `
ws.on("turn.end", (e) => { console.log(e.transcript);${speak ? " speak(e.transcript);" : ""} });
globalThis.onAudio = (chunk) => ws.sendRaw(chunk);
globalThis.onStop = () => ws.send({ type: "close" });`;
/** cartesia-js's TTS glue: one context per reply (`tts` is the promise of a connected TTSWS). */
const theirsSpeak = `
async function speak(text) {
  const ctx = (await tts).context(${CONTEXT});
  await ctx.push({ transcript: text });
  await ctx.no_more_inputs();
  for await (const e of ctx.receive()) if (e.type === "chunk") globalThis.play(e.data);
}`;

/** The apps, each with its goal (our first variant's gzip over cartesia-js's smallest). */
export const APPS = [
  {
    name: "turns",
    goal: 0.35,
    ours: {
      "@speechwire/client/turns (openTurnsSocket)": `import { openTurnsSocket } from "@speechwire/client/turns";
const turns = openTurnsSocket({ accessToken: globalThis.TOKEN }, ${PARAMS});${oursTurns(false)}`,
      "@speechwire/client/turns (createTurns)": `import { createTurns } from "@speechwire/client/turns";
const turns = createTurns({ accessToken: globalThis.TOKEN }, ${PARAMS});${oursTurns(false)}`,
      "@speechwire/client (createClient)": `import { createClient } from "@speechwire/client";
const turns = createClient({ accessToken: globalThis.TOKEN }).stt.turns(${PARAMS});${oursTurns(false)}`,
    },
    cartesia: {
      "root (Cartesia)": `import Cartesia from "@cartesia/cartesia-js";
const ws = new Cartesia({ token: globalThis.TOKEN }).stt.autoFinalize.websocket(${PARAMS});${theirsTurns(false)}`,
      "./client + ./resources/stt/auto-finalize/ws": `import { Cartesia } from "@cartesia/cartesia-js/client";
import { AutoFinalizeWS } from "@cartesia/cartesia-js/resources/stt/auto-finalize/ws";
const ws = new AutoFinalizeWS(new Cartesia({ token: globalThis.TOKEN }), ${PARAMS});${theirsTurns(false)}`,
    },
  },
  {
    name: "turns + TTS WebSocket",
    goal: 0.45,
    ours: {
      "@speechwire/client/turns (openTurnsSocket) + /tts (openTtsSocket)": `import { openTurnsSocket } from "@speechwire/client/turns";
import { openTtsSocket } from "@speechwire/client/tts";
const options = { accessToken: globalThis.TOKEN };
const turns = openTurnsSocket(options, ${PARAMS});
const tts = openTtsSocket(options);${oursSpeak}${oursTurns(true)}`,
      "@speechwire/client/turns (openTurnsSocket) + /tts (createTtsWebSocket)": `import { openTurnsSocket } from "@speechwire/client/turns";
import { createTtsWebSocket } from "@speechwire/client/tts";
const options = { accessToken: globalThis.TOKEN };
const turns = openTurnsSocket(options, ${PARAMS});
const tts = createTtsWebSocket(options);${oursSpeak}${oursTurns(true)}`,
      "@speechwire/client/turns (createTurns) + /tts (createTtsWebSocket)": `import { createTurns } from "@speechwire/client/turns";
import { createTtsWebSocket } from "@speechwire/client/tts";
const options = { accessToken: globalThis.TOKEN };
const turns = createTurns(options, ${PARAMS});
const tts = createTtsWebSocket(options);${oursSpeak}${oursTurns(true)}`,
      "@speechwire/client (createClient)": `import { createClient } from "@speechwire/client";
const client = createClient({ accessToken: globalThis.TOKEN });
const turns = client.stt.turns(${PARAMS});
const tts = client.tts.websocket();${oursSpeak}${oursTurns(true)}`,
    },
    cartesia: {
      "root (Cartesia)": `import Cartesia from "@cartesia/cartesia-js";
const client = new Cartesia({ token: globalThis.TOKEN });
const ws = client.stt.autoFinalize.websocket(${PARAMS});
const tts = client.tts.websocket();${theirsSpeak}${theirsTurns(true)}`,
      "./client + ./resources/…/ws": `import { Cartesia } from "@cartesia/cartesia-js/client";
import { AutoFinalizeWS } from "@cartesia/cartesia-js/resources/stt/auto-finalize/ws";
import { TTSWS } from "@cartesia/cartesia-js/resources/tts/ws";
const client = new Cartesia({ token: globalThis.TOKEN });
const ws = new AutoFinalizeWS(client, ${PARAMS});
const tts = new TTSWS(client).connect();${theirsSpeak}${theirsTurns(true)}`,
    },
  },
];
