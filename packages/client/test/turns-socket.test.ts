/**
 * The plain turns socket (`openTurnsSocket` from `@speechwire/client/turns`) against the mock on
 * 127.0.0.1: the same turn events as the managed session for the same audio, whole-sample framing,
 * `configure`, a draining `close()`, typed errors (mid-stream, refused handshakes), abort, and what it
 * refuses (`debug`, a bad parameter).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MockServer } from "@speechwire/mock-server";
import { openTurnsSocket, type TurnsSocketEvent } from "../src/entries/turns.js";
import { CartesiaApiError, ConnectionError, SpeechwireError, TimeoutError, type TurnsEvent } from "../src/index.js";
import { addScenario, chunks, clientFor, collect, patternAudio, scriptSeconds, sessionById, startMock, TURNS_PARAMS } from "./helpers.js";

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock();
});
afterAll(() => mock.close());

/** Client options for a scenario of the mock. */
const at = (scenario: string) => ({ baseUrl: `${mock.urls.http}/s/${scenario}`, apiKey: "sk_car_test" });

/** The turn events without their `message` (the session's words and languages kept), and the close. */
const turnEvents = (events: (TurnsEvent | TurnsSocketEvent)[]): Record<string, unknown>[] =>
  events.flatMap((e): Record<string, unknown>[] => {
    if (["connected", "turnStart", "turnUpdate", "eagerEnd", "resume", "turnEnd"].includes(e.type)) {
      const { message: _message, requestId: _requestId, ...rest } = e as { message: unknown; requestId?: unknown };
      return [rest];
    }
    return e.type === "close" ? [{ type: "close", code: e.code, error: e.error !== undefined }] : [];
  });

describe("openTurnsSocket", () => {
  const cases = [
    ["eager-resume", TURNS_PARAMS],
    ["multi-turn", TURNS_PARAMS],
    // ink-preview sends each turn's words and languages: the socket shifts and reads them as the session does.
    ["default", { ...TURNS_PARAMS, model: "ink-preview" }],
  ] as const;
  for (const [scenario, params] of cases) {
    it(`gives the managed session's turn events for the same audio (${scenario}, ${params.model}) and close() drains`, async () => {
      const audio = patternAudio(scriptSeconds(mock, scenario) + 0.5);
      const socket = openTurnsSocket(at(scenario), params);
      const session = clientFor(mock, scenario).stt.turns(params, { watchdog: false });
      const socketEvents = collect(socket);
      const sessionEvents = collect(session);
      for (const c of chunks(audio, 640)) {
        socket.send(c);
        session.send(c);
      }
      const [socketText, sessionText] = await Promise.all([socket.close(), session.close()]);
      expect(socketText).toBe(sessionText);
      expect(socketText.length).toBeGreaterThan(0);
      const mine = turnEvents(await socketEvents);
      expect(mine).toEqual(turnEvents(await sessionEvents));
      expect(mine.filter((e) => e.type === "turnEnd").length).toBeGreaterThan(0);
      if (params.model === "ink-preview") expect(mine.some((e) => "words" in e && "languages" in e)).toBe(true);
      expect(mine.at(-1)).toEqual({ type: "close", code: 1000, error: false });
      expect(socket.transcripts.join("")).toBe(socketText);
      // What the server heard: every byte, in order.
      expect(sessionById(mock, socket.requestId).audio.bytes).toBe(audio.byteLength);
    });
  }

  it("sends whole samples whatever the chunking: the server hears the same bytes and answers the same, for any cut", async () => {
    const scenario = "eager-resume";
    const audio = patternAudio(scriptSeconds(mock, scenario) + 0.5);
    const reference = turnEvents(await (async () => {
      const s = openTurnsSocket(at(scenario), TURNS_PARAMS);
      const events = collect(s);
      for (const c of chunks(audio, 640)) s.send(c);
      await s.close();
      return events;
    })());
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 4001 }), { minLength: 1, maxLength: 8 }), async (cuts) => {
        const s = openTurnsSocket(at(scenario), TURNS_PARAMS);
        const events = collect(s);
        for (let i = 0, k = 0; i < audio.length; k += 1) {
          const n = cuts[k % cuts.length] as number;
          // A view the caller reuses: a frame queued before the socket opens must have been copied.
          const scratch = audio.slice(i, i + n);
          s.send(scratch);
          scratch.fill(0x55);
          i += n;
        }
        await s.close();
        expect(turnEvents(await events)).toEqual(reference);
        const record = sessionById(mock, s.requestId);
        expect(record.audio.bytes).toBe(audio.byteLength);
        // Every binary frame the server got was whole samples (16-bit).
        for (const e of record.entries) if (e.kind === "binary" && e.dir === "client") expect((e.bytes ?? 0) % 2).toBe(0);
      }),
      { numRuns: 6, seed: 19, endOnFailure: true },
    );
  });

  it("configure() sends the config command (checked first); a refused one is an error event and the socket goes on", async () => {
    const socket = openTurnsSocket(at("default"), TURNS_PARAMS);
    expect(() => socket.configure({ turn: { end_threshold: 5 } })).toThrow(SpeechwireError);
    socket.configure({ turn: { end_timeout_ms: 3000 }, keyterms: ["Speechwire"] });
    // ink-2 takes no language hints: the server answers with an error event and goes on.
    socket.configure({ language_hints: ["en"] });
    const events = collect(socket);
    for (const c of chunks(patternAudio(scriptSeconds(mock, "default") + 0.5), 640)) socket.send(c);
    await expect(socket.close()).resolves.toMatch(/./u);
    const all = await events;
    const errors = all.filter((e) => e.type === "error");
    expect(errors).toHaveLength(1);
    expect((errors[0] as { error: Error }).error).toBeInstanceOf(CartesiaApiError);
    expect(all.at(-1)).toMatchObject({ type: "close", code: 1000 });
    expect(all.at(-1)).not.toHaveProperty("error");
    const sent = sessionById(mock, socket.requestId).entries.filter((e) => e.kind === "text" && e.dir === "client").map((e) => JSON.parse(e.text ?? "null") as { type: string });
    expect(sent.map((m) => m.type)).toEqual(["config", "config", "close"]);
    expect(() => socket.configure({ keyterms: [] })).toThrow(/after close/u);
    expect(socket.send(new Uint8Array(2))).toBe(false);
  });

  it("surfaces an error mid-stream as a typed error, then the close; close() rejects with it", async () => {
    const socket = openTurnsSocket(at("error-mid-turn"), TURNS_PARAMS);
    const events = collect(socket);
    for (const c of chunks(patternAudio(scriptSeconds(mock, "error-mid-turn") + 0.5), 640)) socket.send(c);
    const closing = socket.close();
    const all = await events;
    const error = all.find((e) => e.type === "error") as unknown as { error: CartesiaApiError };
    expect(error.error).toBeInstanceOf(CartesiaApiError);
    expect(error.error).toMatchObject({ status: 500, code: "internal_error" });
    expect(all.at(-1)).toMatchObject({ type: "close", code: 1011, error: error.error });
    await expect(closing).rejects.toBe(error.error);
  });

  it("turns a refused handshake into a typed error: ready and close() reject, the events are error then close", async () => {
    const socket = openTurnsSocket(at("auth-401"), TURNS_PARAMS);
    const error = await socket.ready.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CartesiaApiError);
    expect(error).toMatchObject({ status: 401, source: "handshake" });
    expect((await collect(socket)).map((e) => e.type)).toEqual(["error", "close"]);
    await expect(socket.close()).rejects.toBe(error);
    expect(socket.send(new Uint8Array(2))).toBe(false);
  });

  it("abort: by signal before or after the connection opens, and by abort(); close() rejects with the reason", async () => {
    const before = new AbortController();
    before.abort(new Error("not needed"));
    const early = openTurnsSocket(at("default"), TURNS_PARAMS, { signal: before.signal });
    await expect(early.close()).rejects.toThrow("not needed");
    expect((await collect(early)).map((e) => e.type)).toEqual(["error", "close"]);

    const later = new AbortController();
    const open = openTurnsSocket(at("default"), TURNS_PARAMS, { signal: later.signal });
    await open.ready;
    later.abort(new Error("user left"));
    expect((await open.ended).error?.message).toBe("user left");

    const cut = openTurnsSocket(at("default"), TURNS_PARAMS);
    await cut.ready;
    cut.abort();
    await expect(cut.close()).rejects.toBeInstanceOf(SpeechwireError);
    // The server saw the connection go without a close command.
    const record = sessionById(mock, cut.requestId);
    expect(record.entries.some((e) => e.kind === "text" && e.dir === "client")).toBe(false);
  });

  it("close() gives up after timeoutMs with a TimeoutError when the server does not finish", async () => {
    // The server goes quiet from the first frame on for 10 s: the close command is not answered in time.
    const quiet = addScenario(mock, { name: "socket-quiet", faults: [{ at: { message: 0 }, action: { type: "stall", seconds: 10 } }] });
    const socket = openTurnsSocket(at(quiet), TURNS_PARAMS);
    socket.send(patternAudio(0.1));
    const error = await socket.close({ timeoutMs: 200 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect((await socket.ended).error).toBe(error);
  });

  it("refuses debug (its linter is what it leaves out) and a bad parameter, at once", () => {
    expect(() => openTurnsSocket({ ...at("default"), debug: true }, TURNS_PARAMS)).toThrow(/createTurns/u);
    expect(() => openTurnsSocket(at("default"), { ...TURNS_PARAMS, sample_rate: -1 })).toThrow(TypeError);
  });

  it("ends with a ConnectionError when the connection drops (no close frame), and close() rejects with it", async () => {
    const dropping = addScenario(mock, { name: "socket-drop", stt: { turns: [{ segments: [{ say: "I need to change my delivery address please." }] }] }, faults: [{ at: { audio: 1.2 }, action: { type: "drop" } }] });
    const socket = openTurnsSocket(at(dropping), TURNS_PARAMS);
    const events = collect(socket);
    for (const c of chunks(patternAudio(3), 640)) socket.send(c);
    const ended = await socket.ended;
    expect(ended.code).toBe(1006);
    expect(ended.error).toBeInstanceOf(ConnectionError);
    expect((await events).slice(-2).map((e) => e.type)).toEqual(["error", "close"]);
    await expect(socket.close()).rejects.toBe(ended.error);
  });
});
