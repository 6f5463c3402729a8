/** STT turns against the mock: events, speculation, watchdog, config, drain, errors, handshakes, debug. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILTIN_SCENARIOS, type MockServer } from "@speechwire/mock-server";
import { WebSocketServer } from "ws";
import { CartesiaApiError, createClient, SpeechwireError, type TurnsEvent } from "../src/index.js";
import { addScenario, chunks, clientFor, collect, delay, firstError, patternAudio, scriptSeconds, sessionById, sessionsOf, sha256, startMock, TURNS_PARAMS, until, V1_PARAMS } from "./helpers.js";

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock();
});
afterAll(() => mock.close());

const shape = (events: TurnsEvent[]) =>
  events
    .filter((e) => ["connected", "turnStart", "turnUpdate", "eagerEnd", "resume", "turnEnd"].includes(e.type))
    .map((e) => ("transcript" in e ? [e.type, e.transcript] : [e.type]));

/** Streams a scenario's audio (plus a margin) in 20 ms frames. */
function stream(session: { send(a: Uint8Array): boolean }, seconds: number, frameBytes = 640): Uint8Array {
  const audio = patternAudio(seconds);
  for (const c of chunks(audio, frameBytes)) session.send(c);
  return audio;
}

describe("stt.turns", () => {
  it("surfaces the §3.6 eager-resume events in order, and the speculation is aborted on resume, restarted on the final and confirmed", async () => {
    const client = clientFor(mock, "eager-resume");
    const session = client.stt.turns(TURNS_PARAMS);
    const runs: { transcript: string; aborted: boolean }[] = [];
    const confirmed: { result: string; speculative: boolean }[] = [];
    session.onEagerEnd(
      async (transcript, signal) => {
        const run = { transcript, aborted: false };
        runs.push(run);
        signal.addEventListener("abort", () => (run.aborted = true));
        await delay(5);
        return `reply to ${transcript}`;
      },
      { onConfirmed: (result, info) => confirmed.push({ result, speculative: info.speculative }) },
    );
    const eventsP = collect(session);
    stream(session, scriptSeconds(mock, "eager-resume") + 0.5);
    const text = await session.close();
    const events = await eventsP;
    expect(text).toBe("I'd like to change my order. The address is wrong.");
    expect(shape(events)).toEqual([
      ["connected"],
      ["turnStart"],
      ["turnUpdate", "I'd like to"],
      ["eagerEnd", "I'd like to change my order."],
      ["resume"],
      ["turnUpdate", "I'd like to change my order. The address"],
      ["turnEnd", "I'd like to change my order. The address is wrong."],
    ]);
    const spec = events.flatMap((e) => (e.type === "speculation" ? [[e.phase, e.transcript, e.speculative, e.reason]] : []));
    expect(spec).toEqual([
      ["started", "I'd like to change my order.", true, undefined],
      ["aborted", "I'd like to change my order.", true, "resume"],
      ["started", "I'd like to change my order. The address is wrong.", false, undefined],
      ["confirmed", "I'd like to change my order. The address is wrong.", false, undefined],
    ]);
    expect(runs).toEqual([
      { transcript: "I'd like to change my order.", aborted: true },
      { transcript: "I'd like to change my order. The address is wrong.", aborted: false },
    ]);
    await delay(20);
    expect(confirmed).toEqual([{ result: "reply to I'd like to change my order. The address is wrong.", speculative: false }]);
    expect(events.at(-1)).toMatchObject({ type: "close", code: 1000 });
    expect(events.at(-1)).not.toHaveProperty("error");
  });

  it("confirms a speculation started on eager_end when turn.end carries the same transcript (eager-end)", async () => {
    const session = clientFor(mock, "eager-end").stt.turns(TURNS_PARAMS);
    let calls = 0;
    session.onEagerEnd(async (t) => {
      calls += 1;
      return t.length;
    });
    const eventsP = collect(session);
    stream(session, scriptSeconds(mock, "eager-end") + 0.5);
    await session.close();
    const spec = (await eventsP).flatMap((e) => (e.type === "speculation" ? [[e.phase, e.speculative]] : []));
    expect(spec).toEqual([
      ["started", true],
      ["confirmed", true],
    ]);
    expect(calls).toBe(1);
    const confirmed = (await eventsP).find((e) => e.type === "speculation" && e.phase === "confirmed");
    await expect((confirmed as { result: Promise<unknown> }).result).resolves.toBe("What time do you close today?".length);
  });

  it("drains on close: every turn ends, the transcripts concatenate verbatim, the journal has no violation", async () => {
    const client = clientFor(mock, "multi-turn", { debug: true });
    const session = client.stt.turns(TURNS_PARAMS);
    const eventsP = collect(session);
    const audio = stream(session, scriptSeconds(mock, "multi-turn") + 0.5, 1000);
    const text = await session.close();
    expect(session.transcripts).toEqual(["Hello.", "Can you check my balance?", "The account ends in four two seven.", "Thanks, that's all."]);
    expect(text).toBe(session.transcripts.join(""));
    const events = await eventsP;
    expect(events.filter((e) => e.type === "violation")).toEqual([]);
    expect(events.filter((e) => e.type === "unknown")).toEqual([]);
    const record = sessionById(mock, session.requestId);
    expect(record.violations).toEqual([]);
    expect(record.audio.bytes).toBe(audio.length);
    // The close command went last, after all the audio.
    const clientFrames = record.entries.filter((e) => e.dir === "client");
    expect(clientFrames.at(-1)).toMatchObject({ kind: "text", text: '{"type":"close"}' });
  });

  it("surfaces an empty turn (empty-turn) and runs no speculation for it", async () => {
    const session = clientFor(mock, "empty-turn").stt.turns(TURNS_PARAMS);
    const seen: string[] = [];
    session.onEagerEnd(async (t) => seen.push(t));
    const eventsP = collect(session);
    stream(session, scriptSeconds(mock, "empty-turn") + 0.5);
    await session.close();
    expect(session.transcripts).toEqual(["Hello?", "", "Are you still there?"]);
    await eventsP;
    expect(seen).toEqual(["Hello?", "Are you still there?"]);
  });

  it("sends config (checked against the documented ranges first)", async () => {
    const session = clientFor(mock).stt.turns(TURNS_PARAMS);
    expect(() => session.config({ end_threshold: 0.9 })).toThrow(SpeechwireError);
    expect(() => session.config({ end_threshold: 0.9 })).toThrow(/turn\.end_threshold/);
    session.config({ end_threshold: 0.15, end_timeout_ms: 2000 });
    await session.ready;
    stream(session, 0.2);
    await session.close();
    const record = sessionById(mock, session.requestId);
    const texts = record.entries.filter((e) => e.dir === "client" && e.kind === "text").map((e) => e.text);
    expect(texts).toEqual(['{"type":"config","turn":{"end_threshold":0.15,"end_timeout_ms":2000}}', '{"type":"close"}']);
    expect(record.violations).toEqual([]);
  });

  it("checks the handshake parameters when the session is made: a bad one throws a TypeError naming it, and nothing connects", async () => {
    const before = mock.sessions().length;
    const client = clientFor(mock);
    expect(() => client.stt.turns({ ...TURNS_PARAMS, sample_rate: 16000.5 })).toThrow(TypeError);
    expect(() => client.stt.turns({ ...TURNS_PARAMS, sample_rate: 16000.5 })).toThrow(/^sample_rate: expected integer/);
    expect(() => client.stt.turns({ ...TURNS_PARAMS, turn_end_timeout_ms: Number.NaN })).toThrow(/^turn_end_timeout_ms: /);
    expect(() => client.stt.stream({ ...V1_PARAMS, sample_rate: -16000 })).toThrow(/^sample_rate: expected a number > 0, got -16000/);
    await delay(50);
    expect(mock.sessions().length).toBe(before);
  });

  it("keeps a turn moving when the caller's audio stops mid-turn (watchdog silence), and not without the watchdog", async () => {
    // `eager-end`'s single turn: the last word ends at 0.3 + 6×0.3 + 5×0.08 = 2.5 s; turn.end is due 0.4 s later.
    const audioUntil = 2.55;
    const turnEnded = (id: string | undefined) => sessionById(mock, id).entries.some((e) => e.dir === "server" && e.text?.includes('"turn.end"'));

    const withWatchdog = clientFor(mock, "eager-end").stt.turns(TURNS_PARAMS);
    const withEvents = collect(withWatchdog);
    const sent = stream(withWatchdog, audioUntil);
    await withWatchdog.ready;
    await until(() => turnEnded(withWatchdog.requestId), 3000, "turn.end after the watchdog's silence");
    // The server heard more than the caller sent: the watchdog's silence.
    expect(sessionById(mock, withWatchdog.requestId).audio.bytes).toBeGreaterThan(sent.length);
    await withWatchdog.close();
    expect(shape(await withEvents).at(-1)).toEqual(["turnEnd", "What time do you close today?"]);

    const without = clientFor(mock, "eager-end").stt.turns(TURNS_PARAMS, { watchdog: false });
    const withoutEvents = collect(without);
    stream(without, audioUntil);
    await without.ready;
    await delay(1200);
    expect(sessionById(mock, without.requestId).audio.bytes).toBe(sent.length);
    expect(turnEnded(without.requestId)).toBe(false);
    await without.close();
    // close drains the open turn.
    expect(shape(await withoutEvents).at(-1)).toEqual(["turnEnd", "What time do you close today?"]);
  });

  it("reconnects after drop-mid-turn and replays the open turn from its start: nothing lost, in order, the turn ends once", async () => {
    const name = addScenario(mock, { ...(BUILTIN_SCENARIOS.find((x) => x.name === "drop-mid-turn") as object), name: "turns-drop-mid-turn" } as never);
    const session = clientFor(mock, name).stt.turns(TURNS_PARAMS, { reconnect: { initialDelayMs: 20 } });
    const eventsP = collect(session);
    const audio = stream(session, scriptSeconds(mock, name) + 0.5);
    const text = await session.close();
    const events = await eventsP;
    expect(text).toBe("I need to change my delivery address please.");
    expect(events.find((e) => e.type === "reconnecting")).toMatchObject({ code: 1006, attempt: 1 });
    // No turn had ended: the boundary is the start, and the open turn is heard again from there.
    expect(events.find((e) => e.type === "reconnected")).toMatchObject({ fromByte: 0, replayedBytes: audio.length, lostBytes: 0 });
    const turnEnds = events.filter((e) => e.type === "turnEnd");
    expect(turnEnds).toHaveLength(1);
    const after = shape(events.slice(events.findIndex((e) => e.type === "reconnected")));
    expect(after[0]).toEqual(["connected"]);
    expect(after[1]).toEqual(["turnStart"]);
    const [s1, s2] = sessionsOf(mock, name, "stt-turns");
    expect(s1!.audio.bytes).toBeGreaterThanOrEqual(1.2 * 32000);
    expect(s1!.audio.sha256).toBe(sha256(audio.subarray(0, s1!.audio.bytes)));
    expect(s2!.audio).toEqual({ bytes: audio.length, sha256: sha256(audio) });
  });

  it("places the replay boundary at a turn.end when audio is streamed in real time: ended turns are not replayed, nothing is lost", async () => {
    // Turn 1: "Hi." from 0.3 to 0.6 s, turn.end at 1.0 s; the first connection drops right after that turn.end.
    const name = addScenario(mock, {
      name: "turns-drop-after-end",
      stt: { turns: [{ segments: [{ say: "Hi." }], endSilence: 0.8 }, { segments: [{ say: "Yes." }] }] },
      faults: [{ at: { event: "turn.end", index: 0 }, action: { type: "drop" }, endpoints: ["stt-turns"], connections: 1 }],
    });
    const session = clientFor(mock, name).stt.turns(TURNS_PARAMS, { reconnect: { initialDelayMs: 20 } });
    const eventsP = collect(session);
    const audio = patternAudio(scriptSeconds(mock, name) + 0.3);
    await session.ready;
    // 20 ms frames in real time.
    const started = Date.now();
    for (let i = 0; i < audio.length; i += 640) {
      session.send(audio.subarray(i, i + 640));
      const due = started + ((i + 640) / 32000) * 1000;
      await delay(Math.max(0, due - Date.now()));
    }
    await session.close();
    const events = await eventsP;
    const reconnected = events.find((e) => e.type === "reconnected") as { fromByte: number } | undefined;
    expect(reconnected).toBeDefined();
    const boundary = reconnected!.fromByte;
    const [s1, s2] = sessionsOf(mock, name, "stt-turns");
    // The boundary lies in turn 1's trailing silence: after its last word, not past what the lost connection had.
    expect(boundary).toBeGreaterThanOrEqual(0.6 * 32000);
    expect(boundary).toBeLessThanOrEqual(s1!.audio.bytes);
    expect(boundary % 2).toBe(0);
    // The new connection got every byte from the boundary on, in order.
    expect(s2!.audio).toEqual({ bytes: audio.length - boundary, sha256: sha256(audio.subarray(boundary)) });
    expect(s1!.audio.sha256).toBe(sha256(audio.subarray(0, s1!.audio.bytes)));
  });

  it("places no boundary for audio queued while the connection opened (a burst is not real time): a drop after a turn.end loses nothing", async () => {
    // A server that ends a turn 300 ms after the first connection opens, then drops it; the second connection just listens.
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    const received: number[] = [];
    wss.on("connection", (ws) => {
      const n = received.push(0) - 1;
      ws.on("message", (data, binary) => {
        if (binary) received[n]! += (data as Buffer).length;
        else if (String(data) === '{"type":"close"}') ws.close(1000);
      });
      ws.send(JSON.stringify({ type: "connected", request_id: `r${n}` }));
      if (n === 0) {
        setTimeout(() => {
          ws.send(JSON.stringify({ type: "turn.start", request_id: "r0" }));
          ws.send(JSON.stringify({ type: "turn.end", transcript: "Hi.", request_id: "r0" }));
          setTimeout(() => ws.terminate(), 20);
        }, 300);
      }
    });
    await new Promise((resolve) => wss.once("listening", resolve));
    try {
      const baseUrl = `http://127.0.0.1:${(wss.address() as { port: number }).port}`;
      const session = createClient({ baseUrl, apiKey: "k" }).stt.turns(TURNS_PARAMS, { reconnect: { initialDelayMs: 20 }, watchdog: false });
      const eventsP = collect(session);
      // Two seconds of audio, all of it before the socket opens: it goes out in one burst when it does.
      const audio = stream(session, 2);
      await until(() => received.length === 2, 5000, "the second connection");
      await session.close();
      const events = await eventsP;
      // The lost connection's turn.end confirms nothing: the burst was 1.7 s ahead of real time then.
      expect(events.find((e) => e.type === "reconnected")).toMatchObject({ fromByte: 0, replayedBytes: audio.length, lostBytes: 0 });
      expect(received[1]).toBe(audio.length);
    } finally {
      wss.close();
    }
  });

  it("surfaces error-mid-turn as a typed error, then the 1011 close; close() rejects with it", async () => {
    const session = clientFor(mock, "error-mid-turn").stt.turns(TURNS_PARAMS);
    const eventsP = collect(session);
    stream(session, scriptSeconds(mock, "error-mid-turn") + 0.5);
    const events = await eventsP;
    const error = events.find((e) => e.type === "error") as { error: CartesiaApiError } | undefined;
    expect(error?.error).toBeInstanceOf(CartesiaApiError);
    expect(error?.error).toMatchObject({
      status: 500,
      code: "internal_error",
      title: "Internal server error",
      message: "The transcription backend failed mid-stream.",
      shape: "structured",
      source: "websocket",
    });
    expect(error?.error.requestId).toBe(session.requestId);
    expect(events.at(-1)).toMatchObject({ type: "close", code: 1011 });
    await expect(session.close()).rejects.toBeInstanceOf(CartesiaApiError);
  });

  it("reads a 2025-04-16 session's error into the same typed error (the turns endpoint answers structured on every version)", async () => {
    const session = clientFor(mock, "error-mid-turn", { version: "2025-04-16" }).stt.turns(TURNS_PARAMS);
    const eventsP = collect(session);
    stream(session, scriptSeconds(mock, "error-mid-turn") + 0.5);
    const error = { error: firstError(await eventsP) };
    expect(error.error).toMatchObject({ status: 500, code: "internal_error", title: "Internal server error", message: "The transcription backend failed mid-stream.", shape: "structured" });
    expect(sessionById(mock, session.requestId).version).toBe("2025-04-16");
  });

  it("turns refused handshakes (auth-401, rate-limit-429) into typed errors", async () => {
    for (const [scenario, status, code] of [
      ["auth-401", 401, "unauthorized"],
      ["rate-limit-429", 429, "concurrency_limited"],
    ] as const) {
      const session = clientFor(mock, scenario).stt.turns(TURNS_PARAMS);
      const eventsP = collect(session);
      const error = await session.ready.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CartesiaApiError);
      expect(error).toMatchObject({ status, code, source: "handshake", shape: "structured" });
      expect((error as CartesiaApiError).requestId).toMatch(/./);
      const events = await eventsP;
      expect(events.map((e) => e.type)).toEqual(["error", "close"]);
      expect(session.send(new Uint8Array(10))).toBe(false);
      await expect(session.close()).rejects.toBe(error);
    }
  });

  it("reports grammar violations and unknown messages from a misbehaving server (debug), without throwing", async () => {
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    wss.on("connection", (ws) => {
      ws.send(JSON.stringify({ type: "turn.update", transcript: "hi", request_id: "r" }));
      ws.send(JSON.stringify({ type: "turn.teleport", request_id: "r" }));
      ws.send("not json");
      ws.send(JSON.stringify({ type: "turn.end", transcript: "hi", request_id: "r" }));
      ws.close(1000);
    });
    await new Promise((resolve) => wss.once("listening", resolve));
    const port = (wss.address() as { port: number }).port;
    const seen: string[] = [];
    const client = createClient({ baseUrl: `http://127.0.0.1:${port}`, debug: true, onViolation: (v) => seen.push(v.rule) });
    const events = await collect(client.stt.turns(TURNS_PARAMS));
    wss.close();
    const violations = events.flatMap((e) => (e.type === "violation" ? [e.violation.rule] : []));
    expect(violations).toContain("stt-turns/connected-first");
    expect(violations).toContain("stt-turns/start-before-turn-events");
    expect(violations).toContain("stt-turns/valid-message");
    expect(seen).toEqual(violations);
    const unknown = events.filter((e) => e.type === "unknown");
    expect(unknown.map((e) => (e as { reason: string }).reason)).toEqual(["unknown_type", "invalid_json"]);
    expect(shape(events)).toEqual([
      ["turnUpdate", "hi"],
      ["turnEnd", "hi"],
    ]);
    // The server closed without being asked: the session ends with an error, not a throw.
    expect(events.at(-1)).toMatchObject({ type: "close", code: 1000 });
    expect((events.at(-1) as { error?: Error }).error).toBeDefined();
  });

  it("aborts with an AbortSignal: pending close rejects with the abort reason, the iterator ends", async () => {
    const controller = new AbortController();
    const session = clientFor(mock).stt.turns(TURNS_PARAMS, { signal: controller.signal });
    const eventsP = collect(session);
    await session.ready;
    stream(session, 0.5);
    controller.abort();
    const events = await eventsP;
    expect(events.at(-1)).toMatchObject({ type: "close" });
    await expect(session.close()).rejects.toMatchObject({ name: "AbortError" });
  });
});

