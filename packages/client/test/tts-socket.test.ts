/**
 * The TTS socket without the debug linter (`openTtsSocket` from `@speechwire/client/tts`) against the
 * mock on 127.0.0.1: the same context events as `createTtsWebSocket` for the same requests, late audio
 * after a cancel dropped quietly, reconnect on the next send, a bounded `close()` (its time limit and
 * its signal), and what it refuses (`debug`).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MockServer } from "@speechwire/mock-server";
import { createTtsWebSocket, openTtsSocket, type TtsContextEvent, type TtsWebSocket } from "../src/entries/tts.js";
import { SpeechwireError, TimeoutError } from "../src/index.js";
import { addScenario, collect, firstError, RAW_24K, startMock, VOICE } from "./helpers.js";

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock();
});
afterAll(() => mock.close());

/** Client options for a scenario of the mock. */
const at = (scenario: string) => ({ baseUrl: `${mock.urls.http}/s/${scenario}`, apiKey: "sk_car_test" });

const BASE = { model_id: "sonic-3", voice: VOICE, output_format: RAW_24K, max_buffer_delay_ms: 0 } as const;

/** Events with their audio as base64 (comparable with `toEqual`, and readable when they differ). */
const comparable = (events: TtsContextEvent[]) => events.map((e) => (e.type === "audio" ? { ...e, audio: Buffer.from(e.audio).toString("base64") } : e.type === "error" ? { type: "error", name: e.error.name, message: e.error.message } : e));

/** Two contexts interleaved, one flushed twice, both ended: what each context saw, and the socket. */
async function conversation(tts: TtsWebSocket) {
  const socket = collect(tts);
  const a = tts.context({ ...BASE, contextId: "a", add_timestamps: true });
  const b = tts.context({ ...BASE, contextId: "b", add_phoneme_timestamps: true });
  const eventsA = collect(a);
  const eventsB = collect(b);
  a.push("Hello there. ");
  b.push("A second voice, ");
  const flushes = [a.flush()];
  b.push("speaking at the same time.");
  a.push("How are you today?");
  flushes.push(a.flush());
  await Promise.all([a.end(), b.end()]);
  const flushIds = await Promise.all(flushes);
  await tts.close();
  return { a: comparable(await eventsA), b: comparable(await eventsB), flushIds, socket: (await socket).map((e) => e.type) };
}

/** A plain socket, connected, with one context whose request the server stalls on (30 s) after reading it. */
async function stalledContext(scenario: string) {
  const name = addScenario(mock, { name: scenario, faults: [{ at: { message: 1 }, action: { type: "stall", seconds: 30 }, endpoints: ["tts"] }] });
  const tts = openTtsSocket(at(name));
  const ctx = tts.context({ ...BASE });
  const events = collect(ctx);
  ctx.push("Stalled by the server.");
  await tts.connect();
  return { tts, ctx, events };
}

describe("openTtsSocket", () => {
  it("gives each context the same events as createTtsWebSocket for the same requests (audio, timestamps, phonemes, flushes, done)", async () => {
    const plain = await conversation(openTtsSocket(at("tts-basic")));
    const managed = await conversation(createTtsWebSocket(at("tts-basic")));
    expect(plain).toEqual(managed);
    expect(plain.flushIds).toEqual([1, 2]);
    expect(plain.socket).toEqual(["open"]);
    expect(plain.a.filter((e) => e.type === "audio").length).toBeGreaterThan(1);
    expect(plain.a.at(-1)).toEqual({ type: "done" });
    expect(plain.b.some((e) => e.type === "phonemes")).toBe(true);
    expect(plain.b.at(-1)).toEqual({ type: "done" });
  });

  it("drops the audio still in flight for a cancelled context: the context ends `cancelled`, the socket sees nothing unknown", async () => {
    const tts = openTtsSocket(at("tts-basic"));
    const socket = collect(tts);
    const ctx = tts.context({ ...BASE });
    const seen: TtsContextEvent[] = [];
    ctx.push("This context is cancelled long before all of these many words are spoken aloud, one after another.");
    for await (const e of ctx) {
      seen.push(e);
      if (e.type === "audio") ctx.cancel();
    }
    // The next context's whole conversation runs after whatever was on its way for the cancelled one.
    const next = tts.context({ ...BASE });
    next.push("Still here.");
    await next.end();
    await tts.close();
    expect(seen[0]?.type).toBe("audio");
    expect(seen.at(-1)).toEqual({ type: "cancelled" });
    // The mock answered the cancel with a `done` for the context (and maybe audio before it): late
    // frames for a finished context, read and dropped without an `unknown` on the socket.
    const entries = mock.sessions().find((r) => r.requestId === tts.requestId)!.entries;
    const cancelAt = entries.findIndex((e) => e.dir === "client" && e.text === JSON.stringify({ context_id: ctx.id, cancel: true }));
    expect(cancelAt).toBeGreaterThan(0);
    expect(entries.slice(cancelAt).some((e) => e.dir === "server" && e.text?.includes('"type":"done"') && e.text.includes(ctx.id))).toBe(true);
    expect((await socket).map((e) => e.type)).toEqual(["open"]);
  });

  it("reopens on the next send after the server closed an idle socket", async () => {
    const quick = await startMock({ idleTimeouts: { tts: 300 } });
    try {
      const tts = openTtsSocket({ baseUrl: quick.urls.http, apiKey: "sk_car_test" });
      const socket = collect(tts);
      const first = tts.context({ ...BASE });
      first.push("Before the idle timeout.");
      await first.end();
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(tts.connected).toBe(false);
      const second = tts.context({ ...BASE });
      const events = collect(second);
      second.push("After it.");
      await second.end();
      expect((await events).at(-1)).toEqual({ type: "done" });
      await tts.close();
      expect((await socket).map((e) => e.type)).toEqual(["open", "disconnected", "open"]);
    } finally {
      await quick.close();
    }
  });

  it("close() gives up after timeoutMs with a TimeoutError, which every unfinished context gets too", async () => {
    const { tts, ctx, events } = await stalledContext("tts-stall-socket");
    void ctx.end();
    const error = await tts.close({ timeoutMs: 200 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toBe("contexts did not finish within 200 ms");
    expect(firstError(await events)).toBe(error);
    expect(tts.connected).toBe(false);
  });

  it("close() stops at once on an aborted signal, with its reason", async () => {
    const { tts, events } = await stalledContext("tts-stall-socket-abort");
    const reason = new Error("the page is going away");
    await expect(tts.close({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(firstError(await events)).toBe(reason);
    // An already settled close is the one every later call gets.
    await expect(tts.close()).rejects.toBe(reason);
  });

  it("refuses debug, naming the function that has it", () => {
    expect(() => openTtsSocket({ ...at("tts-basic"), debug: true })).toThrow(SpeechwireError);
    expect(() => openTtsSocket({ ...at("tts-basic"), debug: true })).toThrow(/createTtsWebSocket/);
    // The managed session takes it.
    expect(createTtsWebSocket({ ...at("tts-basic"), debug: true })).toBeDefined();
  });
});
