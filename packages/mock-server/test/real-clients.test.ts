/**
 * The real clients, unchanged, against a real mock on 127.0.0.1 (PROTOCOL.md §9, §12):
 * `@cartesia/cartesia-js` 4.2.0 and `@livekit/agents-plugin-cartesia` 1.8.1, over real sockets,
 * plain and TLS. Every JavaScript snippet of `docs/real-clients.md` is proved by one of these tests.
 *
 * cartesia-js is loaded through its CommonJS build: its ESM build (`*.mjs`) calls `require('ws')`,
 * which is not defined in an ES module, so on Node 20 (no global WebSocket) every websocket of the
 * ESM build throws `requires the "ws" package` (see docs/real-clients.md).
 */
import { spawn } from "node:child_process";
import { globalAgent } from "node:https";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_API_CONNECT_OPTIONS, initializeLogger, log, stt as lkStt, tts as lkTts } from "@livekit/agents";
import * as livekitCartesia from "@livekit/agents-plugin-cartesia";
import { AudioFrame } from "@livekit/rtc-node";
import { compileScript } from "../src/core/stt/index.js";
import type { MockServer } from "../src/index.js";
import { silence, startTestServer } from "./helpers.js";

const requireCjs = createRequire(import.meta.url);
const { Cartesia, toFile } = requireCjs("@cartesia/cartesia-js") as typeof import("@cartesia/cartesia-js");
type CartesiaClient = InstanceType<typeof Cartesia>;

const KEY = "sk_car_speechwire_test";
const VOICE = "6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81";
const PCM_24K = { container: "raw", encoding: "pcm_s16le", sample_rate: 24000 } as const;
const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
const T = 30_000;

let mock: MockServer;
beforeAll(async () => {
  mock = await startTestServer({ tlsPort: 0 });
  // @livekit/agents logs through a process-wide pino logger that must exist before any plugin call.
  initializeLogger({ pretty: false, level: "warn" });
});
afterAll(() => mock.close());

const script = (name: string) => compileScript(mock.scenarios.get(name)!.stt);
/** A cartesia-js client on the plain HTTP port (everything but the TTS websocket works there). */
const http = (options: { baseURL?: string } = {}): CartesiaClient => new Cartesia({ apiKey: KEY, baseURL: options.baseURL ?? mock.urls.http, maxRetries: 0 });

type Event = { type: string; [key: string]: unknown };

/** The event surface shared by cartesia-js's two STT sockets (typed loosely: they are generic emitters). */
interface SttSocketLike {
  on(event: string, listener: (...args: never[]) => void): unknown;
  socket: { readyState: number; on(event: string, listener: () => void): void };
}

/** Records what a cartesia-js STT socket surfaces: parsed events, errors and the close. */
function recordStt(ws: unknown) {
  const socket = ws as SttSocketLike;
  const events: Event[] = [];
  const errors: Error[] = [];
  const waiters: (() => void)[] = [];
  let closeInfo: { code: number; reason: string } | undefined;
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  socket.on("event", (event: Event) => {
    events.push(event);
    wake();
  });
  socket.on("error", (error: Error) => {
    errors.push(error);
    wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on("close", (code: number, reason: string) => {
      closeInfo = { code, reason };
      resolve(closeInfo);
      wake();
    }),
  );
  const opened = new Promise<void>((resolve) => (socket.socket.readyState === 1 ? resolve() : socket.socket.on("open", resolve)));
  const waitUntil = (predicate: (e: Event) => boolean, what: string) =>
    new Promise<Event>((resolve, reject) => {
      const check = () => {
        const hit = events.find(predicate);
        if (hit) resolve(hit);
        else if (closeInfo) reject(new Error(`closed (${closeInfo.code}) before ${what}; events ${JSON.stringify(events)}; errors ${errors.map((e) => e.message)}`));
        else waiters.push(check);
      };
      check();
    });
  return { events, errors, closed, opened, waitUntil };
}

/** Sends audio through cartesia-js's `sendRaw` in 100 ms frames of 16 kHz s16le. */
function sendRawAudio(ws: { sendRaw(data: Uint8Array): void }, audio: Buffer, frameBytes = 3200): void {
  for (let i = 0; i < audio.length; i += frameBytes) ws.sendRaw(new Uint8Array(audio.subarray(i, i + frameBytes)));
}

/** The words of a transcript as the mock's word timestamps write them: split on whitespace, punctuation kept (these texts have no tags). */
const spokenWords = (text: string) => text.split(/\s+/).filter((w) => w !== "");

/** LiveKit log lines at warn (40) or above. */
const warnings = (lines: string[]) => lines.filter((l) => /"level":(4|5|6)\d/.test(l));

/** A mono 16-bit PCM WAV file. */
function wavFile(pcm: Buffer, sampleRate: number): Buffer {
  const header = Buffer.alloc(44);
  header.write("RIFF", 0, "ascii");
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write("WAVE", 8, "ascii");
  header.write("fmt ", 12, "ascii");
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36, "ascii");
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}

/** The `data` chunk of a WAV file. */
function wavData(wav: Buffer): Buffer {
  let offset = 12;
  while (offset + 8 <= wav.length) {
    const id = wav.toString("ascii", offset, offset + 4);
    const size = wav.readUInt32LE(offset + 4);
    if (id === "data") return wav.subarray(offset + 8, offset + 8 + size);
    offset += 8 + size + (size % 2);
  }
  throw new Error("no data chunk");
}

/**
 * Lines the LiveKit logger writes to stdout while `run` runs (it logs dropped frames as warnings),
 * kept out of the test output; a test that cares asserts on them.
 */
async function captureStdout<T>(run: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const lines: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    lines.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  try {
    return { result: await run(), lines };
  } finally {
    process.stdout.write = write;
  }
}

describe("@cartesia/cartesia-js 4.2.0", () => {
  it(
    "STT manual finalize (/stt/websocket): finalize → finals + flush_done, close → done, finals spell the script",
    async () => {
      const compiled = script("default");
      const client = http();
      const ws = client.stt.manualFinalize.websocket({ model: "ink-whisper", encoding: "pcm_s16le", sample_rate: 16000, language: "en" });
      const rec = recordStt(ws);
      await rec.opened;
      sendRawAudio(ws, silence(compiled.duration));
      ws.send("finalize");
      await rec.waitUntil((e) => e.type === "flush_done", "flush_done");
      ws.send("close");
      await rec.waitUntil((e) => e.type === "done", "done");
      expect((await rec.closed).code).toBe(1000);
      expect(rec.errors).toEqual([]);

      const types = rec.events.map((e) => e.type);
      expect(types).not.toContain("connected");
      expect(types.at(-1)).toBe("done");
      expect(types.indexOf("flush_done")).toBeLessThan(types.indexOf("done"));
      const finals = rec.events.filter((e) => e.type === "transcript" && e.is_final === true);
      expect(finals.length).toBeGreaterThan(0);
      // Final texts are deltas: concatenated verbatim they are the whole script, all of it before flush_done.
      expect(finals.map((e) => e.text).join("")).toBe(compiled.text);
      expect(rec.events.indexOf(finals.at(-1)!)).toBeLessThan(types.indexOf("flush_done"));
      const requestIds = new Set(rec.events.map((e) => e.request_id));
      expect(requestIds.size).toBe(1);
    },
    T,
  );

  it(
    "STT auto finalize (/stt/turns/websocket) under the /s/eager-resume base URL plays §3.6 event for event",
    async () => {
      const client = http({ baseURL: `${mock.urls.http}/s/eager-resume` });
      const ws = client.stt.autoFinalize.websocket({ model: "ink-2", encoding: "pcm_s16le", sample_rate: 16000 });
      const rec = recordStt(ws);
      await rec.opened;
      sendRawAudio(ws, silence(script("eager-resume").duration));
      ws.send({ type: "close" });
      expect((await rec.closed).code).toBe(1000);
      expect(rec.errors).toEqual([]);
      expect(rec.events.map((e) => [e.type, e.transcript])).toEqual([
        ["connected", undefined],
        ["turn.start", undefined],
        ["turn.update", "I'd like to"],
        ["turn.eager_end", "I'd like to change my order."],
        ["turn.resume", undefined],
        ["turn.update", "I'd like to change my order. The address"],
        ["turn.end", "I'd like to change my order. The address is wrong."],
      ]);
    },
    T,
  );

  /** Three contexts on one TLS socket: push, push, flush, no_more_inputs; audio and events per context. */
  async function ttsWebsocketRun() {
    // The TLS port (cartesia-js forces wss:// for this socket), with a scenario path prefix.
    const client = new Cartesia({ apiKey: KEY, baseURL: `${mock.urls.https!}/s/tts-basic`, maxRetries: 0 });
    // `ca` is passed through to `ws`.
    const ws = await client.tts.websocket({ ca: mock.cert! });
    const errors: Error[] = [];
    ws.on("error", (error) => errors.push(error));
    const texts: Record<string, [string, string]> = {
      "ctx-one": ["Hello there, ", "how are you today?"],
      "ctx-two": ["Your table for two ", "is booked for seven."],
      "ctx-three": ["Thanks for calling, ", "goodbye."],
    };
    try {
      const results = await Promise.all(
        Object.entries(texts).map(async ([contextId, [first, second]]) => {
          const ctx = ws.context({ contextId, model_id: "sonic-3", voice: VOICE, output_format: PCM_24K, language: "en", add_timestamps: true });
          await ctx.push({ transcript: first });
          await ctx.push({ transcript: second });
          await ctx.flush();
          await ctx.no_more_inputs();
          const events: Event[] = [];
          for await (const event of ctx.receive({ timeout: 20_000 })) events.push(event as unknown as Event);
          const audio = Buffer.concat(events.filter((e) => e.type === "chunk").map((e) => Buffer.from(e.data as string, "base64")));
          const words = events.filter((e) => e.type === "timestamps").flatMap((e) => (e.word_timestamps as { words: string[] }).words);
          return [contextId, { events, audio, words, text: first + second }] as const;
        }),
      );
      return { results: new Map(results), errors };
    } finally {
      ws.close();
    }
  }

  it(
    "TTS WebSocket over wss (the TLS port, `ca` option): three contexts, byte-identical across two runs, timestamps surfaced",
    async () => {
      const first = await ttsWebsocketRun();
      const second = await ttsWebsocketRun();
      expect(first.errors).toEqual([]);
      expect(second.errors).toEqual([]);
      expect([...first.results.keys()]).toEqual(["ctx-one", "ctx-two", "ctx-three"]);
      for (const [contextId, run] of first.results) {
        expect(run.audio.length, contextId).toBeGreaterThan(0);
        expect(run.audio.length % 2, contextId).toBe(0);
        expect(run.events.every((e) => e.context_id === contextId), contextId).toBe(true);
        expect(run.events.at(-1)?.type, contextId).toBe("done");
        expect(run.events.some((e) => e.type === "flush_done" && e.flush_id === 1), contextId).toBe(true);
        expect(run.words, contextId).toEqual(spokenWords(run.text));
        expect(second.results.get(contextId)!.audio.equals(run.audio), contextId).toBe(true);
      }
      const sessions = mock.sessions().filter((s) => s.endpoint === "tts" && s.headers["user-agent"] === "cartesia-js/4.2.0");
      expect(sessions.map((s) => s.scenario)).toEqual(["tts-basic", "tts-basic"]);
      // The audio of a context is the audio /tts/bytes gives for its whole text.
      for (const [contextId, run] of first.results) {
        const bytes = await http().tts.generate({ model_id: "sonic-3", transcript: run.text, voice: VOICE, language: "en", output_format: PCM_24K });
        expect(Buffer.from(await bytes.arrayBuffer()).equals(run.audio), contextId).toBe(true);
      }
      // Different text, different audio: the contexts did not get each other's output.
      expect(first.results.get("ctx-one")!.audio.equals(first.results.get("ctx-two")!.audio)).toBe(false);
    },
    T,
  );

  it(
    "TTS WebSocket with { rejectUnauthorized: false } instead of `ca` (PROTOCOL.md §9.1)",
    async () => {
      const ws = await new Cartesia({ apiKey: KEY, baseURL: mock.urls.https!, maxRetries: 0 }).tts.websocket({ rejectUnauthorized: false });
      try {
        const ctx = ws.context({ model_id: "sonic-3", voice: VOICE, output_format: PCM_24K });
        await ctx.push({ transcript: "Unverified but encrypted." });
        await ctx.no_more_inputs();
        const types: string[] = [];
        for await (const event of ctx.receive({ timeout: 20_000 })) types.push(event.type);
        expect(types).toContain("chunk");
        expect(types.at(-1)).toBe("done");
      } finally {
        ws.close();
      }
    },
    T,
  );

  it(
    "TTS bytes (tts.generate): raw PCM, and WAV whose data chunk is that same PCM",
    async () => {
      const client = http();
      const request = { model_id: "sonic-3", transcript: "Hello from the bytes endpoint.", voice: VOICE, language: "en" } as const;
      const rawResponse = await client.tts.generate({ ...request, output_format: PCM_24K });
      expect(rawResponse.status).toBe(200);
      const raw = Buffer.from(await rawResponse.arrayBuffer());
      const wav = Buffer.from(await (await client.tts.generate({ ...request, output_format: { ...PCM_24K, container: "wav" } })).arrayBuffer());
      expect(raw.length).toBeGreaterThan(0);
      expect(wav.toString("ascii", 0, 4)).toBe("RIFF");
      expect(wav.toString("ascii", 8, 12)).toBe("WAVE");
      expect(wav.readUInt32LE(24)).toBe(24000);
      expect(wavData(wav).equals(raw)).toBe(true);
      // A scenario path prefix on the base URL reaches the HTTP routes too.
      const refused = await http({ baseURL: `${mock.urls.http}/s/auth-401` })
        .tts.generate({ ...request, output_format: PCM_24K })
        .then(
          () => "accepted",
          (error: { status?: number }) => error.status,
        );
      expect(refused).toBe(401);
    },
    T,
  );

  it(
    "TTS SSE (tts.generateSSE): chunks, timestamps and done; the chunks are the bytes endpoint's audio",
    async () => {
      const client = http();
      const transcript = "Streaming over server sent events.";
      const stream = await client.tts.generateSSE({ model_id: "sonic-3", transcript, voice: VOICE, language: "en", output_format: PCM_24K, add_timestamps: true, context_id: "sse-1" });
      const events: Event[] = [];
      for await (const event of stream) events.push(event as unknown as Event);
      expect(events.at(-1)?.type).toBe("done");
      const audio = Buffer.concat(events.filter((e) => e.type === "chunk").map((e) => Buffer.from(e.data as string, "base64")));
      const words = events.filter((e) => e.type === "timestamps").flatMap((e) => (e.word_timestamps as { words: string[] }).words);
      expect(words).toEqual(spokenWords(transcript));
      const bytes = Buffer.from(await (await client.tts.generate({ model_id: "sonic-3", transcript, voice: VOICE, language: "en", output_format: PCM_24K })).arrayBuffer());
      expect(audio.length).toBeGreaterThan(0);
      expect(audio.equals(bytes)).toBe(true);
    },
    T,
  );

  it(
    "batch STT (stt.transcribe) with a WAV built here: the script's text, the file's duration, word times",
    async () => {
      const compiled = script("default");
      const file = await toFile(wavFile(silence(1.5), 16000), "silence.wav", { type: "audio/wav" });
      const result = await http().stt.transcribe({ file, model: "ink-whisper", language: "en", timestamp_granularities: ["word"] });
      expect(result).toMatchObject({ type: "transcript", text: compiled.text, language: "en", duration: 1.5 });
      expect(result.words?.map((w) => w.word)).toEqual(compiled.words.map((w) => w.word));
    },
    T,
  );

  it(
    "access token (accessToken.create) from a key, then used by a token client on the turns socket (strict auth)",
    async () => {
      const strict = await startTestServer({ auth: "strict", apiKeys: [KEY] });
      try {
        const minted = await new Cartesia({ apiKey: KEY, baseURL: strict.urls.http, maxRetries: 0 }).accessToken.create({ grants: { stt: true }, expires_in: 60 });
        expect(minted.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

        const withToken = new Cartesia({ token: minted.token, baseURL: strict.urls.http, maxRetries: 0 });
        const ws = withToken.stt.autoFinalize.websocket({ model: "ink-2", encoding: "pcm_s16le", sample_rate: 16000 });
        const rec = recordStt(ws);
        await rec.waitUntil((e) => e.type === "connected", "connected");
        sendRawAudio(ws, silence(script("default").duration));
        ws.send({ type: "close" });
        expect((await rec.closed).code).toBe(1000);
        expect(rec.errors).toEqual([]);
        expect(rec.events.filter((e) => e.type === "turn.end").map((e) => e.transcript)).toEqual(script("default").turns.map((t) => t.text));

        // The same token does not grant TTS, and strict mode refuses a socket with no credential.
        const ttsOnly = await withToken.tts.generate({ model_id: "sonic-3", transcript: "no", voice: VOICE, output_format: PCM_24K }).then(
          () => "accepted",
          (error: { status?: number }) => error.status,
        );
        expect(ttsOnly).toBe(403);
        const anonymous = recordStt(new Cartesia({ baseURL: strict.urls.http, maxRetries: 0 }).stt.autoFinalize.websocket({ model: "ink-2", encoding: "pcm_s16le", sample_rate: 16000 }));
        await anonymous.closed;
        expect(anonymous.events).toEqual([]);
        expect(anonymous.errors.map((e) => e.message).join(" ")).toContain("401");
      } finally {
        await strict.close();
      }
    },
    T,
  );
  it(
    "STT auto finalize under /s/error-mid-turn: the structured error reaches the `error` listener, then close 1011",
    async () => {
      const client = http({ baseURL: `${mock.urls.http}/s/error-mid-turn` });
      const ws = client.stt.autoFinalize.websocket({ model: "ink-2", encoding: "pcm_s16le", sample_rate: 16000 });
      const rec = recordStt(ws);
      await rec.opened;
      sendRawAudio(ws, silence(script("error-mid-turn").duration));
      expect((await rec.closed).code).toBe(1011);
      expect(rec.events.at(-1)).toMatchObject({ type: "error", status_code: 500, error_code: "internal_error", title: "Internal server error", done: true });
      const surfaced = rec.errors as (Error & { error?: { status_code?: number } })[];
      expect(surfaced).toHaveLength(1);
      expect(surfaced[0]?.error?.status_code).toBe(500);
      expect(surfaced[0]?.message).toContain("The transcription backend failed mid-stream.");
    },
    T,
  );
});

describe("@livekit/agents-plugin-cartesia 1.8.1", () => {
  it("(the stdout capture sees the plugin's warnings, so the 'no warnings' checks below are not vacuous)", async () => {
    const { lines } = await captureStdout(async () => log().warn("speechwire probe"));
    expect(warnings(lines).join("")).toContain("speechwire probe");
  });
  /** Runs a LiveKit STT stream: the scenario's audio as 100 ms 16 kHz AudioFrames, flush, end of input. */
  async function livekitStt(options: { scenario: string; language?: string; extraSeconds?: number; maxRetry?: number }) {
    const stt = new livekitCartesia.STT({ apiKey: KEY, baseUrl: `${mock.urls.http}/s/${options.scenario}`, ...(options.language ? { language: options.language } : {}) });
    const errors: { error: Error; recoverable: boolean }[] = [];
    stt.on("error", (error) => errors.push(error));
    const { result: events, lines } = await captureStdout(async () => {
      const stream = stt.stream(options.maxRetry === undefined ? undefined : { connOptions: { ...DEFAULT_API_CONNECT_OPTIONS, maxRetry: options.maxRetry } });
      const audio = silence(script(options.scenario).duration + (options.extraSeconds ?? 0));
      for (let i = 0; i < audio.length; i += 3200) {
        const bytes = audio.subarray(i, i + 3200);
        const samples = new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
        stream.pushFrame(new AudioFrame(samples, 16000, 1, samples.length));
      }
      // The plugin sends 160 ms chunks; flush sends the last partial one before the close command.
      stream.flush();
      stream.endInput();
      const seen: lkStt.SpeechEvent[] = [];
      for await (const event of stream) seen.push(event);
      return seen;
    });
    return { events, errors, lines };
  }

  const E = lkStt.SpeechEventType;
  const EAGER_RESUME_EVENTS = [
    ["START_OF_SPEECH", undefined],
    ["INTERIM_TRANSCRIPT", "I'd like to"],
    ["PREFLIGHT_TRANSCRIPT", "I'd like to change my order."],
    ["INTERIM_TRANSCRIPT", "I'd like to change my order."], // turn.resume re-emits the last interim
    ["INTERIM_TRANSCRIPT", "I'd like to change my order. The address"],
    ["FINAL_TRANSCRIPT", "I'd like to change my order. The address is wrong."],
    ["END_OF_SPEECH", undefined],
    ["RECOGNITION_USAGE", undefined],
  ];

  it(
    "STT stream() on /stt/turns/websocket under /s/eager-resume: START → INTERIM → PREFLIGHT → INTERIM → FINAL → END",
    async () => {
      const { events, errors, lines } = await livekitStt({ scenario: "eager-resume", extraSeconds: 0.5 });
      expect(errors).toEqual([]);
      expect(warnings(lines)).toEqual([]);
      expect(events.map((e) => [E[e.type], e.alternatives?.[0]?.text])).toEqual(EAGER_RESUME_EVENTS);
      const requestIds = new Set(events.map((e) => e.requestId));
      expect(requestIds.size).toBe(1);
      expect([...requestIds][0]).toMatch(/^[0-9a-f-]{36}$/);
    },
    T,
  );

  it(
    "STT stream() with language 'es' (the plugin then asks the turns endpoint for model=ink-whisper, §10.25): served like ink-2",
    async () => {
      const { events, errors, lines } = await livekitStt({ scenario: "eager-resume", language: "es", extraSeconds: 0.5 });
      expect(errors).toEqual([]);
      expect(warnings(lines)).toEqual([]);
      expect(events.map((e) => [E[e.type], e.alternatives?.[0]?.text])).toEqual(EAGER_RESUME_EVENTS);
      expect(events.find((e) => e.type === E.FINAL_TRANSCRIPT)?.alternatives?.[0]?.language).toBe("es");
      const session = mock.sessions().findLast((s) => s.endpoint === "stt-turns" && s.scenario === "eager-resume")!;
      expect(session.query.model).toBe("ink-whisper");
    },
    T,
  );

  it(
    "TTS stream() over plain ws:// (Cartesia-Version 2025-04-16): audio frames, word timings, end of stream",
    async () => {
      const tts = new livekitCartesia.TTS({ apiKey: KEY, baseUrl: mock.urls.http });
      const errors: unknown[] = [];
      tts.on("error", (error) => errors.push(error));
      try {
        const text = "Hello from the speechwire mock server, how are you today? This second sentence is here to make a second message.";
        const { result, lines } = await captureStdout(async () => {
          const stream = tts.stream();
          stream.pushText(text);
          stream.flush();
          stream.endInput();
          const audio: lkTts.SynthesizedAudio[] = [];
          let ended = false;
          for await (const event of stream) {
            if (event === lkTts.SynthesizeStream.END_OF_STREAM) ended = true;
            else audio.push(event);
          }
          stream.close();
          return { audio, ended };
        });
        expect(errors).toEqual([]);
        // The plugin validates every frame with zod and logs (warn) the ones it drops.
        expect(warnings(lines)).toEqual([]);
        expect(result.ended).toBe(true);
        expect(result.audio.length).toBeGreaterThan(0);
        expect(result.audio.every((a) => a.frame.sampleRate === 24000)).toBe(true);
        expect(result.audio.reduce((n, a) => n + a.frame.samplesPerChannel, 0)).toBeGreaterThan(0);
        expect(result.audio.at(-1)?.final).toBe(true);
        const words = result.audio.flatMap((a) => a.timedTranscripts ?? []).map((t) => t.text.trim());
        expect(words).toEqual(spokenWords(text));
        const session = mock.sessions().find((s) => s.endpoint === "tts" && s.version === "2025-04-16");
        expect(session?.violations).toEqual([]);
      } finally {
        await tts.close();
      }
    },
    T,
  );

  it(
    "STT stream() under /s/error-mid-turn: the structured 500 (2026-03-01) becomes a non-recoverable error carrying the mock's message",
    async () => {
      const { events, errors, lines } = await livekitStt({ scenario: "error-mid-turn", maxRetry: 0 });
      expect(errors).toHaveLength(1);
      expect(errors[0]?.recoverable).toBe(false);
      expect(errors[0]?.error.message).toBe("The transcription backend failed mid-stream.");
      // The plugin logs the error event it received, with the mock's structured fields.
      expect(lines.join("")).toContain('"status_code":500');
      // The turn that was open is closed out by the plugin itself when the socket closes.
      expect(events[0]?.type).toBe(E.START_OF_SPEECH);
      expect(events.map((e) => e.type)).toContain(E.END_OF_SPEECH);
    },
    T,
  );

  it(
    "TTS stream() with an empty voice id: the mock answers 2025-04-16 in the legacy error shape, the plugin parses it and the turn ends",
    async () => {
      const tts = new livekitCartesia.TTS({ apiKey: KEY, baseUrl: `${mock.urls.http}/s/tts-basic`, voice: "" });
      const errors: unknown[] = [];
      tts.on("error", (error) => errors.push(error));
      try {
        const { result, lines } = await captureStdout(async () => {
          const stream = tts.stream();
          stream.pushText("This voice does not exist, so nothing should be spoken here.");
          stream.endInput();
          let ended = false;
          let frames = 0;
          for await (const event of stream) {
            if (event === lkTts.SynthesizeStream.END_OF_STREAM) ended = true;
            else frames += 1;
          }
          stream.close();
          return { ended, frames };
        });
        expect(result).toEqual({ ended: true, frames: 0 });
        expect(errors).toEqual([]);
        expect(warnings(lines)).toEqual([]);
        const session = mock.sessions().findLast((s) => s.endpoint === "tts" && s.scenario === "tts-basic")!;
        const sent = session.entries.filter((e) => e.dir === "server" && e.kind === "text").map((e) => JSON.parse(e.text!) as Event);
        expect(sent.length).toBeGreaterThan(0);
        for (const event of sent) {
          expect(Object.keys(event).sort()).toEqual(["context_id", "done", "error", "status_code", "type"]);
          expect(event).toMatchObject({ type: "error", done: true, status_code: 404 });
        }
      } finally {
        await tts.close();
      }
    },
    T,
  );

  it(
    "TTS synthesize() (node:https → POST /tts/bytes on the TLS port, the mock's certificate trusted): audio arrives",
    async () => {
      const tts = new livekitCartesia.TTS({ apiKey: KEY, baseUrl: mock.urls.https! });
      // synthesize() passes no agent, so node:https uses its global agent: trust the mock's certificate there
      // (the in-process equivalent of NODE_EXTRA_CA_CERTS; verification stays on).
      const saved = globalAgent.options.ca;
      globalAgent.options.ca = mock.cert!;
      try {
        const frame = await tts.synthesize("Hello over HTTPS.").collect();
        expect(frame.sampleRate).toBe(24000);
        expect(frame.samplesPerChannel).toBeGreaterThan(0);
        // The same audio cartesia-js gets from the same endpoint.
        const reference = await http().tts.generate({ model_id: "sonic-3", transcript: "Hello over HTTPS.", voice: VOICE, language: "en", output_format: PCM_24K });
        const expected = Buffer.from(await reference.arrayBuffer());
        expect(Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength).equals(expected)).toBe(true);

        // synthesize() builds its request from the base URL's host and port only (path "/tts/bytes"), so a
        // scenario path prefix is dropped there: under /s/auth-401 it still gets the default scenario's audio
        // (had the prefix reached the mock, the 401 body would have been read as PCM).
        const prefixed = new livekitCartesia.TTS({ apiKey: KEY, baseUrl: `${mock.urls.https!}/s/auth-401` });
        try {
          const dropped = await prefixed.synthesize("Hello over HTTPS.").collect();
          expect(Buffer.from(dropped.data.buffer, dropped.data.byteOffset, dropped.data.byteLength).equals(expected)).toBe(true);
        } finally {
          await prefixed.close();
        }
      } finally {
        globalAgent.options.ca = saved;
        await tts.close();
      }
    },
    T,
  );
});

describe("trusting the printed certificate with NODE_EXTRA_CA_CERTS (docs/real-clients.md)", () => {
  it(
    "a fresh Node process with NODE_EXTRA_CA_CERTS=<certPath> runs cartesia-js wss TTS and LiveKit synthesize() with no TLS option",
    async () => {
      const program = `
        import { createRequire } from "node:module";
        import { initializeLogger } from "@livekit/agents";
        import { TTS } from "@livekit/agents-plugin-cartesia";
        const { Cartesia } = createRequire(import.meta.url)("@cartesia/cartesia-js");
        initializeLogger({ pretty: false, level: "error" });
        const base = process.env.MOCK_HTTPS;
        const client = new Cartesia({ apiKey: "${KEY}", baseURL: base });
        const ws = await client.tts.websocket();
        const ctx = ws.context({ model_id: "sonic-3", voice: "${VOICE}", output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: 24000 } });
        await ctx.push({ transcript: "Trusted by environment." });
        await ctx.no_more_inputs();
        let wsBytes = 0;
        for await (const e of ctx.receive({ timeout: 20000 })) if (e.type === "chunk") wsBytes += Buffer.from(e.data, "base64").length;
        ws.close();
        const tts = new TTS({ apiKey: "${KEY}", baseUrl: base });
        const frame = await tts.synthesize("Trusted by environment.").collect();
        await tts.close();
        console.log(JSON.stringify({ wsBytes, synthSamples: frame.samplesPerChannel }));
        process.exit(0);
      `;
      const { NODE_TLS_REJECT_UNAUTHORIZED: _ignored, ...env } = process.env;
      const child = spawn(process.execPath, ["--input-type=module", "-e", program], {
        cwd: PACKAGE_DIR,
        env: { ...env, NODE_EXTRA_CA_CERTS: mock.certPath!, MOCK_HTTPS: mock.urls.https! },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
      const line = stdout.trim().split("\n").at(-1)!;
      const result = JSON.parse(line) as { wsBytes: number; synthSamples: number };
      expect(result.wsBytes).toBeGreaterThan(0);
      expect(result.synthSamples * 2).toBe(result.wsBytes);
    },
    T,
  );
});

describe("the mock's journal of all the traffic above", () => {
  it("holds no protocol violation (strict linter) from any real client's session but the empty voice sent on purpose and livekit's max_buffer_delay_ms on /tts/bytes", () => {
    const sessions = mock.sessions().filter((s) => s.scenario !== "tts-basic");
    // cartesia-js on both STT sockets and TTS (2026-08-14); livekit on turns (2026-03-01) and TTS (2025-04-16).
    // HTTP requests are journalled too, their bodies linted strictly: cartesia-js bytes, SSE and batch
    // STT (2026-08-14), livekit's synthesize() on /tts/bytes (2025-04-16).
    expect(new Set(sessions.map((s) => `${s.endpoint} ${s.version}`))).toEqual(
      new Set([
        "stt-v1 2026-08-14",
        "stt-turns 2026-08-14",
        "tts 2026-08-14",
        "stt-turns 2026-03-01",
        "tts 2025-04-16",
        "stt-batch 2026-08-14",
        "tts-bytes 2026-08-14",
        "tts-sse 2026-08-14",
        "tts-bytes 2025-04-16",
      ]),
    );
    // One finding, kept visible: livekit's synthesize() sends `max_buffer_delay_ms` on /tts/bytes, a
    // field PROTOCOL.md §6.1 does not list for that route (only for the WebSocket), so the strict
    // schema flags it. Everything else any real client sent is clean.
    const flagged = sessions.filter((s) => s.violations.length > 0);
    expect(flagged.length).toBeGreaterThan(0);
    for (const s of flagged) {
      expect({ endpoint: s.endpoint, version: s.version, rules: s.violations.map((v) => `${v.rule}: ${v.message}`) }).toEqual({
        endpoint: "tts-bytes",
        version: "2025-04-16",
        rules: ["tts-bytes/valid-request: client body: max_buffer_delay_ms: unknown field"],
      });
    }
  });
});
