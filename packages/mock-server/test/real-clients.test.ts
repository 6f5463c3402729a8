/**
 * The real clients, unchanged, against a real mock on 127.0.0.1 (PROTOCOL.md §9, §12):
 * `@cartesia/cartesia-js` 4.2.0 and `@livekit/agents-plugin-cartesia` 1.8.1, over real sockets,
 * plain and TLS. Every snippet of `docs/real-clients.md` is one of these tests.
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
import { initializeLogger, stt as lkStt, tts as lkTts } from "@livekit/agents";
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
const http = (options: { baseURL?: string; token?: string } = {}): CartesiaClient =>
  new Cartesia({ ...(options.token ? { token: options.token } : { apiKey: KEY }), baseURL: options.baseURL ?? mock.urls.http, maxRetries: 0 });

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

/** Lines the LiveKit logger writes to stdout while `run` runs (it logs dropped frames as warnings). */
async function captureStdout<T>(run: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    lines.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
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
      expect(finals.map((e) => e.text).join("")).toBe(compiled.text);
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
    const client = new Cartesia({ apiKey: KEY, baseURL: mock.urls.https!, maxRetries: 0 });
    // cartesia-js forces wss:// for this socket; `ca` is passed through to `ws`.
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
        expect(run.words.join(" "), contextId).toBe(run.text.trim().split(/\s+/).join(" "));
        expect(second.results.get(contextId)!.audio.equals(run.audio), contextId).toBe(true);
      }
      // Different text, different audio: the contexts did not get each other's output.
      expect(first.results.get("ctx-one")!.audio.equals(first.results.get("ctx-two")!.audio)).toBe(false);
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
      expect(words.join(" ")).toBe(transcript);
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
});

describe("@livekit/agents-plugin-cartesia 1.8.1", () => {
  it(
    "STT stream() on /stt/turns/websocket under /s/eager-resume: START → INTERIM → PREFLIGHT → INTERIM → FINAL → END",
    async () => {
      const stt = new livekitCartesia.STT({ apiKey: KEY, baseUrl: `${mock.urls.http}/s/eager-resume` });
      const errors: unknown[] = [];
      stt.on("error", (error) => errors.push(error));
      const { result: events, lines } = await captureStdout(async () => {
        const stream = stt.stream();
        const audio = silence(script("eager-resume").duration + 0.5);
        for (let i = 0; i < audio.length; i += 3200) {
          const bytes = audio.subarray(i, i + 3200);
          const samples = new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
          stream.pushFrame(new AudioFrame(samples, 16000, 1, samples.length));
        }
        stream.flush();
        stream.endInput();
        const seen: lkStt.SpeechEvent[] = [];
        for await (const event of stream) seen.push(event);
        return seen;
      });
      expect(errors).toEqual([]);
      expect(lines.filter((l) => /"level":(4|5)\d/.test(l))).toEqual([]);
      const E = lkStt.SpeechEventType;
      expect(events.map((e) => [E[e.type], e.alternatives?.[0]?.text])).toEqual([
        ["START_OF_SPEECH", undefined],
        ["INTERIM_TRANSCRIPT", "I'd like to"],
        ["PREFLIGHT_TRANSCRIPT", "I'd like to change my order."],
        ["INTERIM_TRANSCRIPT", "I'd like to change my order."], // turn.resume re-emits the last interim
        ["INTERIM_TRANSCRIPT", "I'd like to change my order. The address"],
        ["FINAL_TRANSCRIPT", "I'd like to change my order. The address is wrong."],
        ["END_OF_SPEECH", undefined],
        ["RECOGNITION_USAGE", undefined],
      ]);
      const requestIds = new Set(events.map((e) => e.requestId));
      expect(requestIds.size).toBe(1);
      expect([...requestIds][0]).toMatch(/^[0-9a-f-]{36}$/);
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
        expect(lines.filter((l) => /"level":(4|5)\d/.test(l))).toEqual([]);
        expect(result.ended).toBe(true);
        expect(result.audio.length).toBeGreaterThan(0);
        expect(result.audio.every((a) => a.frame.sampleRate === 24000)).toBe(true);
        expect(result.audio.reduce((n, a) => n + a.frame.samplesPerChannel, 0)).toBeGreaterThan(0);
        expect(result.audio.at(-1)?.final).toBe(true);
        const words = result.audio.flatMap((a) => a.timedTranscripts ?? []).map((t) => t.text.trim());
        expect(words.join(" ")).toBe(text);
        const session = mock.sessions().find((s) => s.endpoint === "tts" && s.version === "2025-04-16");
        expect(session?.violations).toEqual([]);
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
        const reference = await http({}).tts.generate({ model_id: "sonic-3", transcript: "Hello over HTTPS.", voice: VOICE, language: "en", output_format: PCM_24K });
        const expected = Buffer.from(await reference.arrayBuffer());
        expect(frame.samplesPerChannel * 2).toBe(expected.length);
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
