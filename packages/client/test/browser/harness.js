// The in-page side of browser.test.ts, served as a plain ES module next to the client bundle
// (`/client.js`, built by esbuild from src/browser.ts). It runs the client with Chromium's native
// WebSocket and keeps what happened in `window.harness.state`, which the test reads from Node with
// page.evaluate / page.waitForFunction. It also draws the results, for the screenshot.
import { createClient } from "./client.js";

const state = { turns: undefined, tts: undefined };

function row(list, text) {
  const li = document.createElement("li");
  li.textContent = text;
  document.getElementById(list).append(li);
}

function setStatus(id, text) {
  document.getElementById(id).textContent = text;
}

/** A JSON-safe summary of a client event. */
function summary(event) {
  const out = { type: event.type };
  if ("transcript" in event) out.transcript = event.transcript;
  if ("phase" in event) out.phase = event.phase;
  if ("code" in event) out.code = event.code;
  if ("reason" in event && typeof event.reason === "string") out.reason = event.reason;
  if (event.error) out.error = `${event.error.name}: ${event.error.message}`;
  return out;
}

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A turns session: streams `seconds` of 16 kHz s16le silence in 20 ms frames, then closes (drains). */
async function turns({ accessToken, baseUrl, params, seconds }) {
  const result = { done: false, events: [], text: undefined, requestId: undefined, error: undefined, framesSent: 0 };
  state.turns = result;
  setStatus("turns-status", "running…");
  try {
    const client = createClient({ accessToken, baseUrl });
    const session = client.stt.turns(params);
    const reading = (async () => {
      for await (const event of session) {
        const s = summary(event);
        result.events.push(s);
        row("turns-events", s.transcript !== undefined ? `${s.type}: ${JSON.stringify(s.transcript)}` : s.code !== undefined ? `${s.type} ${s.code}` : s.phase ? `${s.type} ${s.phase}` : s.type);
      }
    })();
    const audio = new Uint8Array(Math.round(seconds * params.sample_rate) * 2);
    const frame = (params.sample_rate / 50) * 2;
    for (let i = 0; i < audio.length; i += frame) {
      session.send(audio.subarray(i, Math.min(audio.length, i + frame)));
      result.framesSent += 1;
    }
    result.text = await session.close();
    await reading;
    result.requestId = session.requestId;
    setStatus("turns-status", `closed; text: ${JSON.stringify(result.text)}`);
  } catch (error) {
    result.error = `${error.name}: ${error.message}`;
    setStatus("turns-status", `failed: ${result.error}`);
  }
  result.done = true;
}

/** One TTS context on a TTS WebSocket: push, end; keeps the audio's size and SHA-256. */
async function tts({ accessToken, baseUrl, context, text }) {
  const result = { done: false, types: [], audioBytes: 0, audioChunks: 0, sha256: undefined, flushIds: [], socketEvents: [], error: undefined };
  state.tts = result;
  setStatus("tts-status", "running…");
  try {
    const client = createClient({ accessToken, baseUrl });
    const socket = client.tts.websocket();
    const socketReading = (async () => {
      for await (const event of socket) result.socketEvents.push(summary(event));
    })();
    const ctx = socket.context(context);
    const parts = [];
    const reading = (async () => {
      for await (const event of ctx) {
        result.types.push(event.type);
        if (event.type === "audio") {
          parts.push(event.audio);
          result.audioBytes += event.audio.byteLength;
          result.audioChunks += 1;
          result.flushIds.push(event.flushId);
        } else row("tts-events", event.type);
      }
    })();
    ctx.push(text);
    await ctx.end();
    await reading;
    await socket.close();
    await socketReading;
    const all = new Uint8Array(result.audioBytes);
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.byteLength;
    }
    result.sha256 = hex(await crypto.subtle.digest("SHA-256", all));
    row("tts-events", `${result.audioChunks} audio chunks, ${result.audioBytes} bytes, sha256 ${result.sha256.slice(0, 16)}…`);
    setStatus("tts-status", "done");
  } catch (error) {
    result.error = `${error.name}: ${error.message}`;
    setStatus("tts-status", `failed: ${result.error}`);
  }
  result.done = true;
}

window.harness = { state, turns, tts, ready: true };
