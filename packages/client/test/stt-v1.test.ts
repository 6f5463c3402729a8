/** STT v1 against the mock: transcripts, finalize, drain, keep-alive, errors, and reconnect with replay. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILTIN_SCENARIOS, type MockServer } from "@speechwire/mock-server";
import { CartesiaApiError, ConnectionError, type SttStreamEvent, type TranscriptEvent, type WebSocketConstructor } from "../src/index.js";
import { addScenario, chunks, clientFor, collect, delay, firstError, patternAudio, scriptSeconds, sessionById, sessionsOf, SendRecordingWebSocket, sha256, startMock, until, V1_PARAMS } from "./helpers.js";

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock();
});
afterAll(() => mock.close());

const BYTES_PER_SECOND = 32000;
const DROP_MID_TURN = BUILTIN_SCENARIOS.find((s) => s.name === "drop-mid-turn")!;

describe("stt.stream (v1)", () => {
  it("streams interims and finals with words; finalize resolves on its flush_done; close drains to done with the final text", async () => {
    const stream = clientFor(mock, undefined, { debug: true }).stt.stream(V1_PARAMS);
    const eventsP = collect(stream);
    const audio = patternAudio(scriptSeconds(mock, "default") + 0.5);
    const half = Math.floor(audio.length / 2 / 640) * 640;
    for (const c of chunks(audio.subarray(0, half), 640)) stream.send(c);
    await stream.finalize();
    for (const c of chunks(audio.subarray(half), 640)) stream.send(c);
    const text = await stream.close();
    expect(text).toBe("Hi, I'd like to book a table for two people tonight. Around seven would be great.");
    const events = await eventsP;
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === "flushDone")).toHaveLength(1);
    expect(types.at(-2)).toBe("done");
    expect(types.at(-1)).toBe("close");
    expect(events.filter((e) => e.type === "violation" || e.type === "unknown" || e.type === "error")).toEqual([]);
    const transcripts = events.filter((e): e is TranscriptEvent => e.type === "transcript");
    expect(transcripts.some((t) => !t.isFinal)).toBe(true);
    const finals = transcripts.filter((t) => t.isFinal);
    expect(finals.map((f) => f.text).join("")).toBe(text);
    expect(finals[0]?.words[0]).toMatchObject({ word: "Hi," });
    expect(finals[0]?.words[0]?.start).toBeCloseTo(0.3, 5);
    // The finals of the audio before the finalize came before its flush_done (§2.4).
    const flushAt = types.indexOf("flushDone");
    expect(types.slice(0, flushAt)).toContain("transcript");
    const record = sessionById(mock, stream.requestId);
    expect(record.audio).toEqual({ bytes: audio.length, sha256: sha256(audio) });
    expect(record.violations).toEqual([]);
    expect(record.entries.filter((e) => e.dir === "client" && e.kind === "text").map((e) => e.text)).toEqual(["finalize", "close"]);
  });

  it("sends whole samples whatever the chunking, and the trailing partial sample before close", async () => {
    SendRecordingWebSocket.binarySizes = [];
    const stream = clientFor(mock, undefined, { WebSocket: SendRecordingWebSocket as unknown as WebSocketConstructor }).stt.stream(V1_PARAMS);
    const audio = patternAudio(0.6).subarray(0, 16001);
    for (let i = 0; i < audio.length; i += 333) stream.send(audio.subarray(i, i + 333));
    await stream.close();
    const record = sessionById(mock, stream.requestId);
    expect(record.audio).toEqual({ bytes: audio.length, sha256: sha256(audio) });
    const sizes = SendRecordingWebSocket.binarySizes;
    expect(sizes.slice(0, -1).every((n) => n % 2 === 0)).toBe(true);
    expect(sizes.at(-1)).toBe(1);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(16001);
  });

  it("copies what it keeps: a caller reusing one buffer for every send still delivers the right bytes", async () => {
    for (const reconnect of [false, true]) {
      const stream = clientFor(mock).stt.stream(V1_PARAMS, { reconnect });
      const audio = patternAudio(0.5, 16000, 7);
      const scratch = new Uint8Array(640);
      // Before the socket opens (queued) and after (sent at once).
      for (const [i, c] of [...chunks(audio, 640)].entries()) {
        if (i === 10) await stream.ready;
        scratch.set(c);
        stream.send(scratch.subarray(0, c.length));
      }
      await stream.close();
      expect(sessionById(mock, stream.requestId).audio).toEqual({ bytes: audio.length, sha256: sha256(audio) });
    }
  });

  it("transcribes dictation with auto-finalized finals (no finalize); each final confirms its audio for replays", async () => {
    const stream = clientFor(mock, "dictation").stt.stream(V1_PARAMS, { reconnect: true });
    const eventsP = collect(stream);
    const audio = patternAudio(scriptSeconds(mock, "dictation") + 0.5);
    let confirmedMidway = -1;
    for (const [i, c] of [...chunks(audio, 3200)].entries()) {
      stream.send(c);
      if (i === Math.floor(audio.length / 3200 / 2)) {
        await until(() => (stream as unknown as { log: { base: number } }).log.base > 0, 3000, "a final to confirm audio");
        confirmedMidway = (stream as unknown as { log: { base: number } }).log.base;
      }
    }
    const text = await stream.close();
    expect(text).toBe(
      "Dear Ms. Alvarez, thank you for your letter of the fourteenth. The replacement parts shipped this morning and should arrive by Friday. Please call our service line if anything is missing from the box. Kind regards, Jordan.",
    );
    const finals = (await eventsP).filter((e): e is TranscriptEvent => e.type === "transcript" && e.isFinal);
    expect(finals.length).toBeGreaterThanOrEqual(3);
    expect(stream.text).toBe(text);
    // The boundary sat at the end of a final's last word, on a sample boundary.
    expect(confirmedMidway % 2).toBe(0);
    const lastWordEnd = finals[0]!.words.at(-1)!.end;
    expect(confirmedMidway).toBeGreaterThanOrEqual(Math.floor(lastWordEnd * 16000) * 2);
  });

  it("turns refused handshakes into typed errors (auth-401, rate-limit-429)", async () => {
    for (const [scenario, status] of [
      ["auth-401", 401],
      ["rate-limit-429", 429],
    ] as const) {
      const stream = clientFor(mock, scenario).stt.stream(V1_PARAMS);
      await expect(stream.ready).rejects.toMatchObject({ status, source: "handshake" });
      await expect(stream.finalize()).rejects.toBeInstanceOf(CartesiaApiError);
      await expect(stream.close()).rejects.toMatchObject({ status });
    }
  });

  it("keeps an idle session alive with silence (idle timeout 1500 ms, keep-alive every 100 ms); without it the server closes", async () => {
    // 15 keep-alive periods per idle timeout: a loaded CI machine may starve a timer, never for 1.4 s.
    const quick = await startMock({ idleTimeouts: { stt: 1500, tts: 1500 } });
    // A speaker who says nothing for a minute: the keep-alive silence must not reach scripted speech.
    const quiet = addScenario(quick, { name: "quiet", stt: { turns: [{ segments: [{ pause: 60 }, { say: "Late." }] }] } });
    try {
      const stream = clientFor(quick, quiet).stt.stream(V1_PARAMS, { keepAlive: { intervalMs: 100, silenceMs: 20 } });
      const eventsP = collect(stream);
      stream.send(patternAudio(0.1));
      await delay(3500);
      stream.send(patternAudio(0.1));
      await expect(stream.close()).resolves.toBe("");
      const events = await eventsP;
      expect(events.at(-1)).toEqual({ type: "close", code: 1000, reason: "OK" });
      const record = sessionById(quick, stream.requestId);
      // 2 × 3200 bytes of audio plus at least ten 640-byte silences.
      expect(record.audio.bytes).toBeGreaterThanOrEqual(6400 + 10 * 640);

      const idle = clientFor(quick).stt.stream(V1_PARAMS);
      const idleEvents = collect(idle);
      idle.send(patternAudio(0.1));
      const last = (await idleEvents).at(-1);
      expect(last).toMatchObject({ type: "close", code: 1000, reason: "connection idle timeout" });
      expect((last as { error?: Error }).error).toBeInstanceOf(ConnectionError);
      await expect(idle.close()).rejects.toBeInstanceOf(ConnectionError);
    } finally {
      await quick.close();
    }
  });

  it("surfaces error-mid-turn typed (structured and legacy shapes)", async () => {
    for (const [version, shape, code] of [
      ["2026-03-01", "structured", "internal_error"],
      ["2025-04-16", "legacy", null],
    ] as const) {
      const stream = clientFor(mock, "error-mid-turn", { version }).stt.stream(V1_PARAMS);
      const eventsP = collect(stream);
      for (const c of chunks(patternAudio(2), 640)) stream.send(c);
      const finalize = stream.finalize();
      const events = await eventsP;
      const error = { error: firstError(events) };
      expect(error.error).toMatchObject({ status: 500, code, shape, title: "Internal server error", message: "The transcription backend failed mid-stream." });
      expect(events.at(-1)).toMatchObject({ type: "close", code: 1011 });
      await expect(finalize).rejects.toBe(error.error);
      await expect(stream.close()).rejects.toBe(error.error);
    }
  });

  it("reconnects after a drop at a confirmed boundary: the server receives every byte exactly once, in order", async () => {
    // The default script, and the first connection drops right after its first flush_done.
    const name = addScenario(mock, {
      name: "v1-drop-after-flush",
      stt: { turns: [{ segments: [{ say: "Hi, I'd like to book a table" }, { pause: 0.5 }, { say: "for two people tonight." }] }] },
      faults: [{ at: { event: "flush_done", index: 0 }, action: { type: "drop" }, endpoints: ["stt-v1"], connections: 1 }],
    });
    const stream = clientFor(mock, name).stt.stream(V1_PARAMS, { reconnect: { initialDelayMs: 20 } });
    const eventsP = collect(stream);
    const audio = patternAudio(scriptSeconds(mock, name) + 0.5);
    const first = 1.0 * BYTES_PER_SECOND;
    for (const c of chunks(audio.subarray(0, first), 640)) stream.send(c);
    await stream.finalize();
    // The connection is gone now (or going): this audio goes into a dead socket or waits, and is replayed.
    for (const c of chunks(audio.subarray(first), 640)) stream.send(c);
    const text = await stream.close();
    const events = await eventsP;
    const reconnected = events.find((e) => e.type === "reconnected");
    expect(events.find((e) => e.type === "reconnecting")).toMatchObject({ code: 1006, attempt: 1 });
    expect(reconnected).toMatchObject({ fromByte: first, lostBytes: 0 });
    const [s1, s2] = sessionsOf(mock, name, "stt-v1");
    expect(s1 && s2).toBeTruthy();
    // Every byte exactly once, in order: the two sessions' audio concatenates to what was sent.
    expect(s1!.audio.bytes + s2!.audio.bytes).toBe(audio.length);
    expect(s1!.audio.sha256).toBe(sha256(audio.subarray(0, s1!.audio.bytes)));
    expect(s2!.audio.sha256).toBe(sha256(audio.subarray(s1!.audio.bytes)));
    expect(sha256(audio.subarray(0, s1!.audio.bytes), audio.subarray(s1!.audio.bytes))).toBe(sha256(audio));
    expect(s1!.audio.bytes).toBe(first);
    // Words of the new connection are stream-relative: shifted by the replay offset.
    const after = events.slice(events.indexOf(reconnected!)).filter((e): e is TranscriptEvent => e.type === "transcript");
    expect(after[0]?.words[0]?.start).toBeGreaterThanOrEqual(1.0);
    expect(text.length).toBeGreaterThan(0);
    expect(events.at(-1)).toMatchObject({ type: "close", code: 1000 });
  });

  it("replays from the last confirmed boundary after a drop between boundaries (drop-mid-turn): nothing lost, in order", async () => {
    const name = addScenario(mock, { ...(DROP_MID_TURN as object), name: "v1-drop-mid-turn" } as never);
    const stream = clientFor(mock, name).stt.stream(V1_PARAMS, { reconnect: { initialDelayMs: 20 } });
    const eventsP = collect(stream);
    const audio = patternAudio(scriptSeconds(mock, name) + 0.5);
    const boundary = 0.6 * BYTES_PER_SECOND;
    for (const c of chunks(audio.subarray(0, boundary), 640)) stream.send(c);
    await stream.finalize();
    // The drop comes at 1.2 s of audio, after the finalize at 0.6 s was confirmed.
    for (const c of chunks(audio.subarray(boundary), 640)) stream.send(c);
    await stream.close();
    const events = await eventsP;
    expect(events.find((e) => e.type === "reconnected")).toMatchObject({ fromByte: boundary });
    const [s1, s2] = sessionsOf(mock, name, "stt-v1");
    // The lost connection had received a prefix (up to the drop at 1.2 s) …
    expect(s1!.audio.bytes).toBeGreaterThanOrEqual(1.2 * BYTES_PER_SECOND);
    expect(s1!.audio.sha256).toBe(sha256(audio.subarray(0, s1!.audio.bytes)));
    // … and the new one every byte from the boundary on, in order: no byte lost.
    expect(s2!.audio).toEqual({ bytes: audio.length - boundary, sha256: sha256(audio.subarray(boundary)) });
    // Only the unconfirmed audio was sent twice.
    expect(s1!.audio.bytes + s2!.audio.bytes - audio.length).toBe(s1!.audio.bytes - boundary);
  });

  it("without reconnect, a drop ends the stream with a ConnectionError", async () => {
    const name = addScenario(mock, { ...(DROP_MID_TURN as object), name: "v1-drop-no-reconnect" } as never);
    const stream = clientFor(mock, name).stt.stream(V1_PARAMS);
    const eventsP = collect(stream);
    for (const c of chunks(patternAudio(2), 640)) stream.send(c);
    const events: SttStreamEvent[] = await eventsP;
    expect(events.at(-1)).toMatchObject({ type: "close", code: 1006 });
    expect((events.at(-1) as { error?: Error }).error).toBeInstanceOf(ConnectionError);
    await expect(stream.close()).rejects.toBeInstanceOf(ConnectionError);
    // Over already: finalize rejects with the reason the stream ended.
    await expect(stream.finalize()).rejects.toBeInstanceOf(ConnectionError);
    expect(stream.send(new Uint8Array(2))).toBe(false);
  });

  it("gives up after maxAttempts when every reconnect fails, and reports each attempt", async () => {
    const name = addScenario(mock, {
      name: "v1-always-drop",
      faults: [{ at: { message: 1 }, action: { type: "drop" }, endpoints: ["stt-v1"] }],
    });
    const stream = clientFor(mock, name).stt.stream(V1_PARAMS, { reconnect: { maxAttempts: 2, initialDelayMs: 10 } });
    const eventsP = collect(stream);
    stream.send(new Uint8Array(640));
    stream.send(new Uint8Array(640));
    const events = await eventsP;
    expect(events.filter((e) => e.type === "reconnecting").map((e) => (e as { attempt: number }).attempt)).toEqual([1, 2]);
    expect(events.at(-1)).toMatchObject({ type: "close", code: 1006 });
  });
});
