/**
 * Issue 18 with `@cartesia/cartesia-js` 4.2.0 unchanged: its STT turns socket over the recording
 * proxy's plain port and its TTS socket over the proxy's TLS twin (the SDK forces `wss`), recorded
 * from mock A, then replayed by mock B alone: the same events and the same audio bytes.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileScript } from "../src/core/stt/script.js";
import { startRecordProxy, type RecordProxy } from "../src/record/proxy.js";
import type { MockServer } from "../src/server/server.js";
import { silence, startTestServer } from "./helpers.js";

const requireCjs = createRequire(import.meta.url);
const { Cartesia } = requireCjs("@cartesia/cartesia-js") as typeof import("@cartesia/cartesia-js");
const KEY = "sk_car_cartesia_record_test";
const VOICE = "6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81";
const PCM_24K = { container: "raw", encoding: "pcm_s16le", sample_rate: 24000 } as const;
type Event = { type: string; transcript?: string; data?: string };

let upstream: MockServer;
let replayer: MockServer | undefined;
let proxy: RecordProxy;
let out: string;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), "speechwire-cartesia-record-"));
  upstream = await startTestServer({ scenario: "eager-resume" });
  proxy = await startRecordProxy({ upstream: upstream.urls.http, out, port: 0, tlsPort: 0, prefix: "cjs" });
}, 30_000);

afterAll(async () => {
  await proxy?.close();
  await upstream?.close();
  await replayer?.close();
  if (out) await rm(out, { recursive: true, force: true });
});

/** A turns session through cartesia-js: the audio in 100 ms frames, then close; the events. */
async function turns(baseURL: string, seconds: number): Promise<Event[]> {
  const ws = new Cartesia({ apiKey: KEY, baseURL, maxRetries: 0 }).stt.autoFinalize.websocket({ model: "ink-2", encoding: "pcm_s16le", sample_rate: 16000 });
  const socket = ws as unknown as { on(e: string, l: (...a: never[]) => void): void; socket: { readyState: number; on(e: string, l: () => void): void } };
  const events: Event[] = [];
  socket.on("event", (e: Event) => events.push(e));
  const closed = new Promise<void>((r) => socket.on("close", () => r()));
  await new Promise<void>((r) => (socket.socket.readyState === 1 ? r() : socket.socket.on("open", r)));
  const audio = silence(seconds);
  for (let i = 0; i < audio.length; i += 3200) ws.sendRaw(new Uint8Array(audio.subarray(i, i + 3200)));
  ws.send({ type: "close" });
  await closed;
  return events;
}

/** One TTS context in two pieces through cartesia-js's TLS socket; its chunks' audio. */
async function speak(baseURL: string, ca: string): Promise<Buffer> {
  const ws = await new Cartesia({ apiKey: KEY, baseURL, maxRetries: 0 }).tts.websocket({ ca });
  try {
    const ctx = ws.context({ contextId: "cjs-1", model_id: "sonic-3", voice: VOICE, output_format: PCM_24K, language: "en", add_timestamps: true });
    await ctx.push({ transcript: "Hello from the SDK, " });
    await ctx.push({ transcript: "recorded and replayed." });
    await ctx.no_more_inputs();
    const events: Event[] = [];
    for await (const event of ctx.receive({ timeout: 20_000 })) events.push(event as unknown as Event);
    return Buffer.concat(events.filter((e) => e.type === "chunk").map((e) => Buffer.from(e.data as string, "base64")));
  } finally {
    ws.close();
  }
}

describe("@cartesia/cartesia-js through the recording proxy", () => {
  it("records turns and TLS TTS from mock A, and mock B replays both alone", async () => {
    const seconds = compileScript(upstream.scenarios.get("eager-resume")!.stt).duration + 0.5;
    const liveTurns = await turns(proxy.url, seconds);
    expect(liveTurns.map((e) => e.type)).toContain("turn.eager_end");
    const proxyCert = await readFile(proxy.certPath as string, "utf8");
    const liveAudio = await speak(proxy.tlsUrl as string, proxyCert);
    expect(liveAudio.length).toBeGreaterThan(0);
    await proxy.close();
    await upstream.close();

    replayer = await startTestServer({ scenariosDir: out, tlsPort: 0 });
    const replayed = await turns(`${replayer.urls.http}/s/cjs-0001-stt-turns`, seconds);
    expect(replayed.map((e) => [e.type, e.transcript])).toEqual(liveTurns.map((e) => [e.type, e.transcript]));
    const audio = await speak(`${replayer.urls.https}/s/cjs-0002-tts`, replayer.cert as string);
    expect(audio.equals(liveAudio)).toBe(true);
    expect(replayer.sessions().flatMap((s) => s.violations.filter((v) => v.rule.startsWith("replay/")))).toEqual([]);
  }, 60_000);
});
