/**
 * Issue 18 with `@speechwire/client`: sessions recorded through the mock's recording proxy from a TLS
 * upstream (mock A over https/wss, its certificate trusted by the proxy), then replayed by mock B
 * alone: the same turn events and transcripts, the same TTS bytes on the WebSocket and /tts/bytes.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRecordProxy, type MockServer, type RecordProxy } from "@speechwire/mock-server";
import { createClient, type TtsContextEvent, type TurnsEvent } from "../src/index.js";
import { chunks, collect, patternAudio, RAW_24K, scriptSeconds, startMock, TURNS_PARAMS, VOICE } from "./helpers.js";

let upstream: MockServer;
let proxy: RecordProxy;
let replayer: MockServer | undefined;
let out: string;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), "speechwire-client-record-"));
  upstream = await startMock({ tlsPort: 0, scenario: "eager-resume" });
  proxy = await startRecordProxy({ upstream: upstream.urls.https as string, upstreamCa: upstream.cert as string, out, port: 0, prefix: "client" });
}, 30_000);

afterAll(async () => {
  await proxy?.close();
  await upstream?.close();
  await replayer?.close();
  if (out) await rm(out, { recursive: true, force: true });
});

const BASE = { model_id: "sonic-3", voice: VOICE, output_format: RAW_24K, max_buffer_delay_ms: 0 } as const;
const audioOf = (events: TtsContextEvent[]) => Buffer.concat(events.flatMap((e) => (e.type === "audio" ? [e.audio] : [])));
const shape = (events: TurnsEvent[]) =>
  events.filter((e) => ["connected", "turnStart", "turnUpdate", "eagerEnd", "resume", "turnEnd"].includes(e.type)).map((e) => ("transcript" in e ? [e.type, e.transcript] : [e.type]));

/** One client's sessions: a turns session streaming `audio`, a TTS context in two pieces, a /tts/bytes request. */
async function sessions(baseUrl: string, audio: Uint8Array) {
  const client = createClient({ baseUrl, apiKey: "sk_car_recordclienttest" });
  const turns = client.stt.turns(TURNS_PARAMS);
  const turnEvents = collect(turns);
  for (const c of chunks(audio, 640)) turns.send(c);
  const text = await turns.close();
  const tts = client.tts.websocket();
  const ctx = tts.context({ ...BASE, add_timestamps: true });
  const ttsEvents = collect(ctx);
  ctx.push("Recorded once, ");
  ctx.push("replayed as often as you like.");
  await ctx.end();
  const wsAudio = audioOf(await ttsEvents);
  await tts.close();
  const bytes = Buffer.from(await (await client.tts.bytes({ ...BASE, transcript: "And over HTTP too." })).bytes());
  return { text, turns: shape(await turnEvents), wsAudio, bytes };
}

describe("@speechwire/client through the recording proxy", () => {
  it("records from a TLS upstream and replays on another mock alone, the same events and bytes", async () => {
    const audio = patternAudio(scriptSeconds(upstream, "eager-resume") + 0.5);
    const live = await sessions(proxy.url, audio);
    expect(live.text).toBe("I'd like to change my order. The address is wrong.");
    expect(live.wsAudio.length).toBeGreaterThan(0);
    await proxy.close();
    await upstream.close();
    expect((await readdir(out)).filter((f) => f.endsWith(".yaml")).sort()).toEqual(["client-0001-stt-turns.yaml", "client-0002-tts.yaml", "client-0003-tts-bytes.yaml"]);

    replayer = await startMock({ scenariosDir: out });
    const base = replayer.urls.http;
    const client = createClient({ baseUrl: `${base}/s/client-0001-stt-turns`, apiKey: "k" });
    const turns = client.stt.turns(TURNS_PARAMS);
    const events = collect(turns);
    for (const c of chunks(audio, 3200)) turns.send(c);
    expect(await turns.close()).toBe(live.text);
    expect(shape(await events)).toEqual(live.turns);

    const tts = createClient({ baseUrl: `${base}/s/client-0002-tts`, apiKey: "k" }).tts.websocket();
    const ctx = tts.context({ ...BASE, add_timestamps: true });
    const ttsEvents = collect(ctx);
    ctx.push("Recorded once, ");
    ctx.push("replayed as often as you like.");
    await ctx.end();
    expect(audioOf(await ttsEvents).equals(live.wsAudio)).toBe(true);
    await tts.close();
    expect(replayer.sessions().flatMap((s) => s.violations.filter((v) => v.rule.startsWith("replay/")))).toEqual([]);

    const bytes = await (await createClient({ baseUrl: `${base}/s/client-0003-tts-bytes`, apiKey: "k" }).tts.bytes({ ...BASE, transcript: "And over HTTP too." })).bytes();
    expect(Buffer.from(bytes).equals(live.bytes)).toBe(true);
  }, 60_000);
});
