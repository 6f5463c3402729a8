/**
 * The TTS view: text with the SSML-like tags (docs/protocol §5.6), voice, model, encoding and sample rate; each
 * "Speak" opens a new context on one TTS WebSocket, plays its audio with Web Audio and highlights
 * the current word from the word timestamps. Contexts generate side by side on the socket; each can be
 * stopped, replayed, downloaded as WAV and cancelled, and a new one waits for the one playing unless
 * the "a new context" setting says otherwise (see player.ts).
 */
import { TTS_SAMPLE_RATES } from "@speechwire/protocol";
import type { TtsWebSocket } from "@speechwire/client";
import type { PlayableEncoding } from "./audio/pcm.js";
import type { Connection } from "./connection.js";
import { field, h, select } from "./dom.js";
import { defaultModel, modelOptions } from "./models.js";
import { wavBytes } from "./audio/wav.js";
import { errorInfo, errorLine, explainRefusal, refusalLine } from "./errors.js";
import { Player, type OverlapMode } from "./player.js";

/** Voice ids offered in the picker (the mock accepts any non-empty id; a real account has its own). */
export const VOICES: readonly (readonly [id: string, label: string])[] = [
  ["6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81", "Narrator (6b7f9d52…)"],
  ["a0e99841-438c-4a64-b679-ae501e7d6091", "Barbershop man (a0e99841…)"],
  ["79a125e8-cd45-4c13-8a67-188112f4dd22", "British lady (79a125e8…)"],
];

const ENCODINGS: readonly PlayableEncoding[] = ["pcm_f32le", "pcm_s16le", "pcm_mulaw", "pcm_alaw"];
const DEFAULT_TEXT = 'Hello! <break time="300ms"/> Your table for <emotion value="excited"/>four is booked. <spell>A1B</spell> is your code.';

/** Builds the TTS view. */
export function ttsView(conn: Connection, onJournal: (requestId: string | undefined, endpoint?: string) => void): { element: HTMLElement } {
  const text = h("textarea", { rows: 3, "data-testid": "tts-text", spellcheck: false });
  text.value = DEFAULT_TEXT;
  const voice = h("input", { list: "voices", value: VOICES[0]?.[0], "data-testid": "tts-voice", size: 38 });
  const voices = h("datalist", { id: "voices" }, ...VOICES.map(([id, label]) => h("option", { value: id }, label)));
  // The table's TTS models (sunset ones are not served), starting on its newest stable one.
  const model = select({ "data-testid": "tts-model" }, modelOptions("tts"), defaultModel("tts"));
  const encoding = select({ "data-testid": "tts-encoding" }, ENCODINGS, "pcm_f32le");
  const rate = select({ "data-testid": "tts-sample-rate" }, TTS_SAMPLE_RATES.map(String), "24000");
  const overlap = select(
    { "data-testid": "tts-overlap" },
    [
      ["queue", "waits for the one playing"],
      ["interrupt", "stops the one playing"],
      ["overlap", "plays over it"],
    ],
    "queue",
  );
  const speak = h("button", { class: "primary", "data-testid": "tts-speak" }, "Speak (new context)");
  const closeSocket = h("button", { "data-testid": "tts-close" }, "Close socket");
  const journal = h("button", { "data-testid": "tts-journal", disabled: true }, "Journal of this socket");
  const status = h("div", { class: "status", "data-testid": "tts-status" }, "idle: the socket opens on the first Speak");
  const contexts = h("div", { class: "contexts", "data-testid": "tts-contexts" });
  const element = h(
    "section",
    { class: "view tts-view", "data-testid": "tts-view", "data-scheduled-samples": 0, "data-played-samples": 0 },
    h("div", { class: "row" }, field("text (tags: <break>, <speed>, <volume>, <spell>, <emotion>, <pause>)", text)),
    h("div", { class: "row controls" }, field("voice id", voice), voices, field("model", model), field("encoding", encoding), field("sample rate", rate), field("a new context", overlap), speak, closeSocket, journal),
    status,
    contexts,
  );

  const player = new Player(() => {
    element.dataset.scheduledSamples = String(player.counters.scheduledSamples);
    element.dataset.playedSamples = String(player.counters.playedSamples);
  });
  overlap.addEventListener("change", () => (player.mode = overlap.value as OverlapMode));
  let socket: TtsWebSocket | undefined;
  let socketKey = "";
  /** The endpoint and scenario the status line is about: cleared when they change. */
  let statusKey = "";
  conn.onChange(() => {
    if (statusKey && statusKey !== `${conn.sessionBase} ${conn.settings.accessToken}`) {
      statusKey = "";
      status.textContent = "idle: the socket opens on the first Speak";
      delete status.dataset.state;
    }
  });
  let counter = 0;

  /** The socket being opened (minting a token first): a second Speak meanwhile waits for it instead of opening another. */
  let opening: { key: string; socket: Promise<TtsWebSocket> } | undefined;
  const openSocket = (): Promise<TtsWebSocket> => {
    const key = `${conn.sessionBase} ${conn.settings.accessToken}`;
    if (socket && socketKey === key) return Promise.resolve(socket);
    if (opening?.key === key) return opening.socket;
    const pending = { key, socket: newSocket(key) };
    opening = pending;
    const forget = () => {
      if (opening === pending) opening = undefined;
    };
    pending.socket.then(forget, forget);
    return pending.socket;
  };
  const newSocket = async (key: string): Promise<TtsWebSocket> => {
    if (socket) void socket.close().catch(() => undefined);
    socket = undefined;
    statusKey = key;
    const client = await conn.client({ tts: true });
    const s = client.tts.websocket();
    socket = s;
    socketKey = key;
    let refused = false;
    void (async () => {
      for await (const event of s) {
        if (event.type === "open") {
          status.textContent = event.requestId ? `socket open (request id ${event.requestId})` : "socket open";
          status.dataset.state = "open";
          journal.disabled = false;
          journal.onclick = () => onJournal(event.requestId, "tts");
        } else if (event.type === "disconnected") {
          if (refused) continue; // the refusal says more than its close 1006
          status.textContent = `socket closed ${event.code} ${event.reason}`.trim();
          status.dataset.state = event.code === 1000 ? "closed" : "dropped";
        } else if (event.type === "error") {
          const info = errorInfo(event.error);
          if (info.kind === "connection" && /handshake failed/i.test(info.message)) {
            refused = true;
            void tellSocketFailure(event.error);
            continue;
          }
          status.textContent = `socket error ${errorLine(info)}`;
          status.dataset.state = "error";
        }
      }
      if (socket === s) socket = undefined;
    })();
    return s;
  };

  speak.addEventListener("click", () => void run());
  async function run(): Promise<void> {
    counter += 1;
    const id = `ctx-${counter}`;
    const enc = encoding.value as PlayableEncoding;
    const sampleRate = Number(rate.value);
    const words = h("div", { class: "words", "data-testid": "tts-words" });
    const state = h("span", { class: "ctx-state", "data-testid": "tts-context-state" }, "starting");
    const playState = h("span", { class: "ctx-play", "data-testid": "tts-play-state" }, "waiting for audio");
    const stats = h("span", { class: "ctx-stats" });
    const playButton = h("button", { class: "small", "data-testid": "tts-replay", disabled: true, title: "play from the start" }, "▶ Replay");
    const stopButton = h("button", { class: "small", "data-testid": "tts-stop", disabled: true, title: "stop playback" }, "■ Stop");
    const download = h("button", { class: "small", "data-testid": "tts-download", disabled: true, title: "the audio received so far, as a WAV file" }, "Download WAV");
    const cancel = h("button", { class: "small", "data-testid": "tts-cancel", title: "stop playback; while generating, send cancel" }, "Cancel");
    const card = h(
      "div",
      { class: "context", "data-testid": "tts-context", "data-context-id": id, "data-highlighted": "" },
      h("div", { class: "ctx-head" }, h("strong", {}, id), state, playState, stats, playButton, stopButton, download, cancel),
      h("div", { class: "ctx-text" }, text.value),
      words,
    );
    contexts.prepend(card);
    const playback = player.playback(enc, sampleRate, () => {
      card.dataset.highlighted = playback.reached.map((i) => playback.words[i]?.word ?? "").join("|");
      card.dataset.playState = playback.state;
      card.dataset.plays = String(playback.plays);
      card.dataset.samples = String(playback.samples);
      card.dataset.startAt = playback.startAt?.toFixed(3) ?? "";
      card.dataset.endAt = playback.state === "playing" || playback.state === "ended" ? playback.endAt.toFixed(3) : "";
      // The position the highlight shows (moved at the same instant), so the two can be compared.
      const position = playback.shownAt;
      card.dataset.position = position === undefined ? "" : position.toFixed(3);
      card.dataset.current = playback.words.filter((w) => w.el.classList.contains("current")).map((w) => w.word).join("|");
      playState.textContent = { waiting: "waiting for audio", queued: "queued after the context playing", playing: position !== undefined ? `playing ${position.toFixed(1)} s` : "next: starts when the one before ends", stopped: "stopped", ended: "played" }[playback.state];
      stopButton.disabled = playback.state !== "playing" && playback.state !== "queued";
      playButton.disabled = playback.samples === 0;
      download.disabled = playback.samples === 0;
      cancel.disabled = generating ? false : stopButton.disabled;
      element.dataset.scheduledSamples = String(player.counters.scheduledSamples);
      element.dataset.playedSamples = String(player.counters.playedSamples);
    });
    let generating = true;
    let chunks = 0;
    let bytes = 0;
    playButton.onclick = () => playback.replay();
    stopButton.onclick = () => playback.stop();
    download.onclick = () => {
      const wav = wavBytes(playback.audio(), sampleRate, enc === "pcm_f32le" ? "float32" : "pcm16");
      const url = URL.createObjectURL(new Blob([wav as Uint8Array<ArrayBuffer>], { type: "audio/wav" }));
      const a = h("a", { href: url, download: `${id}.wav` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    };
    let cancelContext: (() => void) | undefined;
    // Cancel stops playback in every case; while the context is generating it also sends `cancel`.
    cancel.onclick = () => {
      if (generating) cancelContext?.();
      playback.stop();
    };
    try {
      const s = await openSocket();
      const ctx = s.context({
        contextId: id,
        model_id: model.value,
        voice: { mode: "id", id: voice.value.trim() },
        output_format: { container: "raw", encoding: enc, sample_rate: sampleRate },
        add_timestamps: true,
        max_buffer_delay_ms: 0,
      });
      cancelContext = () => ctx.cancel();
      ctx.push(text.value);
      void ctx.end().catch(() => undefined);
      state.textContent = "generating";
      for await (const event of ctx) {
        if (event.type === "audio") {
          chunks += 1;
          bytes += event.audio.byteLength;
          stats.textContent = `${chunks} chunks, ${bytes} bytes`;
          playback.push(event.audio);
        } else if (event.type === "timestamps") {
          const { words: list, start, end } = event.words;
          list.forEach((word, i) => {
            const w = { word, start: start[i] ?? 0, end: end[i] ?? 0 };
            const el = h("span", { class: "word", "data-testid": "tts-word", "data-start": w.start, "data-end": w.end, title: `${w.start.toFixed(2)}–${w.end.toFixed(2)} s` }, word);
            words.append(el, " ");
            playback.words.push({ ...w, el });
          });
        } else if (event.type === "done") state.textContent = "done";
        else if (event.type === "cancelled") state.textContent = "cancelled";
        else if (event.type === "error") {
          const info = errorInfo(event.error);
          state.textContent = `error ${errorLine(info)}`;
          state.dataset.state = "error";
        }
      }
      card.dataset.finished = "true";
    } catch (error) {
      state.textContent = `failed: ${errorLine(errorInfo(error))}`;
      state.dataset.state = "error";
      if (!socket) void tellSocketFailure(error);
    } finally {
      generating = false;
      playback.finish();
    }
  }

  /** A socket that never opened: say why, as far as a browser can know (see errors.ts). */
  async function tellSocketFailure(error: unknown): Promise<void> {
    const info = errorInfo(error);
    if (info.kind === "connection" && /handshake failed/i.test(info.message)) {
      const refusal = await explainRefusal(conn.base, conn.settings.scenario);
      status.textContent = refusalLine(refusal, info.closeCode);
      status.dataset.state = "refused";
      status.dataset.status = refusal ? String(refusal.status) : "";
    } else {
      status.textContent = `failed: ${errorLine(info)}`;
      status.dataset.state = info.kind === "api" ? "error" : "failed";
    }
  }

  closeSocket.addEventListener("click", () => {
    const s = socket;
    socket = undefined;
    if (s) void s.close().then(() => (status.textContent = "socket closed (1000) after its contexts finished"), (error: Error) => (status.textContent = `close: ${error.message}`));
  });

  return { element };
}
