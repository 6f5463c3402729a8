/** `@speechwire/mock-server/testing`: the fixture over a real mock on 127.0.0.1, driven with `ws` and `fetch`. */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { SessionRecord } from "../src/index.js";
import { sessionView, setupMockServer, type MockSession } from "../src/testing/index.js";
import { connect, sendAudio, silence, TTS_REQUEST, TURNS_PATH, V1_PATH } from "./helpers.js";

/** A turns session that streams `seconds` of audio, then closes and waits for the server's close. */
async function turnsSession(base: string, seconds = 6, path = TURNS_PATH): Promise<Buffer> {
  const s = await connect(`${base}${path}`);
  const audio = silence(seconds);
  sendAudio(s.ws, audio);
  s.ws.send('{"type":"close"}');
  await s.closed;
  return audio;
}

/** A v1 session: a little audio, `finalize`, then `done`. */
async function v1Session(base: string): Promise<void> {
  const s = await connect(`${base}${V1_PATH}`);
  sendAudio(s.ws, silence(0.2));
  s.ws.send("finalize");
  await s.waitUntil((m) => (m as { type?: string }).type === "flush_done");
  s.ws.send("done");
  await s.closed;
}

/** A turns session whose client sends a config out of the documented range (the mock answers 400): `stt-turns/valid-message`. */
async function badTurnsSession(base: string, close = true) {
  const s = await connect(`${base}${TURNS_PATH}`);
  s.ws.send(JSON.stringify({ type: "config", turn: { end_threshold: 0.9 } }));
  await s.waitUntil((m) => (m as { type?: string }).type === "error");
  if (!close) return s;
  s.ws.send('{"type":"close"}');
  await s.closed;
  return s;
}

/** The Error a promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!("error" in outcome)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)?.slice(0, 200)}`);
  expect(outcome.error).toBeInstanceOf(Error);
  return outcome.error as Error;
}

describe("before listen()", () => {
  const mock = setupMockServer();
  it("says what to do instead of failing obscurely", async () => {
    expect(() => mock.urls).toThrow(/before listen\(\) has resolved/);
    expect(() => mock.server).toThrow(/mock\.server before listen\(\)/);
    expect(() => mock.use("multi-turn")).toThrow(/mock\.use\(\) before listen\(\)/);
    expect(() => mock.reset()).toThrow(/mock\.reset\(\) before listen\(\)/);
    await expect(mock.nextSession()).rejects.toThrow(/mock\.nextSession\(\) before listen\(\)/);
    await expect(mock.close()).resolves.toBeUndefined();
  });

  it("refuses bad options with a clear error", () => {
    expect(() => setupMockServer({ onViolation: "loud" as never })).toThrow(/onViolation must be "error", "warn", "off" or a function, got "loud"/);
  });
});

describe("setupMockServer", () => {
  const mock = setupMockServer({ scenario: "eager-resume" });
  beforeAll(() => mock.listen());
  afterEach(() => mock.reset());
  afterAll(() => mock.close());

  it("listens on a free loopback port, TLS off, once", async () => {
    expect(mock.urls.http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(mock.urls.http).not.toBe("http://127.0.0.1:8787");
    expect(mock.urls.ws).toBe(mock.urls.http.replace("http", "ws"));
    expect(mock.urls.https).toBeUndefined();
    expect(mock.server.urls).toBe(mock.urls);
    await expect(mock.listen()).rejects.toThrow(/already called/);
  });

  it("resolves with the typed journal of a turns session: sent, received, audio, close", async () => {
    const next = mock.nextSession("stt-turns");
    const audio = await turnsSession(mock.urls.ws);
    const s = await next;
    expect(s.endpoint).toBe("stt-turns");
    expect(s.scenario).toBe("eager-resume");
    expect(s.sent).toEqual([{ type: "close" }]);
    expect(s.received.map((m) => m.type)).toEqual(["connected", "turn.start", "turn.update", "turn.eager_end", "turn.resume", "turn.update", "turn.end"]);
    const end = s.received.find((m) => m.type === "turn.end");
    expect(end && "transcript" in end ? end.transcript : undefined).toBe("I'd like to change my order. The address is wrong.");
    expect(s.audioBytes).toBe(audio.length);
    expect(s.audioSha256).toBe(createHash("sha256").update(audio).digest("hex"));
    expect(s.violations).toEqual([]);
    expect(s.close).toEqual({ side: "server", code: 1000, reason: expect.any(String), dropped: false });
    expect(s.record.id).toBe(s.id);
    expect(mock.server.session(s.id)).toBe(s.record);
  });

  it("takes a session that ended before the call, each once, oldest first, filtered by endpoint", async () => {
    await v1Session(mock.urls.ws);
    await turnsSession(mock.urls.ws, 1);
    await v1Session(mock.urls.ws);
    // The server's side of the last session may end just after the client sees the close.
    const first = await mock.nextSession("stt-v1");
    const turns = await mock.nextSession("stt-turns");
    const second = await mock.nextSession("stt-v1");
    expect(first.sent).toEqual([{ type: "finalize" }, { type: "done" }]);
    expect(first.received.map((m) => m.type)).toEqual(["flush_done", "done"]);
    expect(Number(second.id.slice(1))).toBeGreaterThan(Number(turns.id.slice(1)));
    expect(Number(turns.id.slice(1))).toBeGreaterThan(Number(first.id.slice(1)));
    await expect(mock.nextSession(undefined, { timeout: 50 })).rejects.toThrow(/no session ended within 50 ms/);
  });

  it("rejects after its timeout, listing the sessions seen since the last reset", async () => {
    await v1Session(mock.urls.ws);
    await mock.nextSession("stt-v1");
    const open = await connect(`${mock.urls.ws}${TURNS_PATH}`);
    await vi.waitFor(() => expect(mock.server.sessions().length).toBe(2));
    const error = await rejection(mock.nextSession("tts", { timeout: 100 }));
    expect(error.message).toMatch(/^setupMockServer: no tts session ended within 100 ms; since the last reset:\n/);
    expect(error.message).toMatch(/s\d+ stt-v1 \/stt\/websocket \(scenario eager-resume\): ended, already taken/);
    expect(error.message).toMatch(/s\d+ stt-turns \/stt\/turns\/websocket \(scenario eager-resume\): still open/);
    open.ws.close();
    await open.closed;
    await expect(mock.nextSession("stt-v1", { timeout: Number.NaN })).rejects.toThrow(/timeout must be a finite number/);
  });

  it("use(name) sets this test's scenario; a path prefix still wins; an unknown name lists the known ones", async () => {
    mock.use("multi-turn");
    await turnsSession(mock.urls.ws, 14);
    await turnsSession(mock.urls.ws, 1, `/s/eager-end${TURNS_PATH}`);
    const s = await mock.nextSession("stt-turns");
    expect(s.scenario).toBe("multi-turn");
    expect(s.received.filter((m) => m.type === "turn.end").map((m) => ("transcript" in m ? m.transcript : ""))).toEqual([
      "Hello.",
      "Can you check my balance?",
      "The account ends in four two seven.",
      "Thanks, that's all.",
    ]);
    expect((await mock.nextSession("stt-turns")).scenario).toBe("eager-end");
    expect(() => mock.use("no-such-scenario")).toThrow(/use\("no-such-scenario"\): unknown scenario; known: .*default, .*eager-resume.*multi-turn/);
  });

  it("the scenario set by use() is undone by reset()", async () => {
    expect(mock.server.scenarios.defaultName).toBe("eager-resume");
    mock.use("dictation");
    expect(mock.server.scenarios.defaultName).toBe("dictation");
    mock.reset();
    expect(mock.server.scenarios.defaultName).toBe("eager-resume");
  });

  it("use(object) validates an inline scenario, serves it, and reset() removes it", async () => {
    mock.use({ name: "one-word", stt: { turns: [{ segments: [{ say: "Hi." }], endSilence: 1 }] } });
    await turnsSession(mock.urls.ws, 2);
    const s = await mock.nextSession("stt-turns");
    expect(s.scenario).toBe("one-word");
    expect(s.received.filter((m) => m.type === "turn.end")).toMatchObject([{ transcript: "Hi." }]);
    mock.reset();
    expect(mock.server.scenarios.get("one-word")).toBeUndefined();
    expect(() => mock.use({ name: "Bad Name", stt: { turns: "no" } } as never)).toThrow(/use\(\): invalid scenario:\n {2}name: lowercase letters.*\n {2}stt\.turns: /s);
  });

  it("an inline scenario may stand in for a built-in for one test; reset() brings the built-in back", async () => {
    const builtin = mock.server.scenarios.get("eager-resume");
    mock.use({ name: "eager-resume", stt: { turns: [{ segments: [{ say: "Replaced." }], endSilence: 1 }] } });
    await turnsSession(mock.urls.ws, 2);
    expect((await mock.nextSession("stt-turns")).received.filter((m) => m.type === "turn.end")).toMatchObject([{ transcript: "Replaced." }]);
    mock.reset();
    expect(mock.server.scenarios.get("eager-resume")).toBe(builtin);
  });

  it("parses whole text frames: a TTS session far past the journal's default 4 096-character clip", async () => {
    const rec = await connect(`${mock.urls.ws}/tts/websocket`);
    const transcript = "Testing whole frames in the journal. ".repeat(40);
    rec.ws.send(TTS_REQUEST("ctx-1", transcript, { continue: false }));
    await rec.waitUntil((m) => (m as { type?: string }).type === "done");
    rec.ws.close(1000);
    await rec.closed;
    const s = await mock.nextSession("tts");
    expect(s.sent).toMatchObject([{ context_id: "ctx-1", transcript, continue: false }]);
    expect(s.received.some((m) => m.type === "unparsed")).toBe(false);
    expect(s.received).toEqual(rec.messages);
    const chunks = s.received.flatMap((m) => (m.type === "chunk" ? [m.data] : []));
    expect(Math.max(...chunks.map((d) => d.length))).toBeGreaterThan(4096);
    expect(s.close).toMatchObject({ side: "client", code: 1000 });
  });

  it("parses HTTP sessions: a JSON request and its SSE events; an error body", async () => {
    const body = JSON.parse(TTS_REQUEST("unused", "Short.")) as Record<string, unknown>;
    delete body.context_id;
    const sse = await fetch(`${mock.urls.http}/tts/sse`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    await sse.text();
    const s = await mock.nextSession("tts-sse");
    expect(s.sent).toEqual([body]);
    expect(s.received.at(-1)).toMatchObject({ type: "done" });
    expect(s.received.filter((m) => m.type === "chunk").length).toBeGreaterThan(0);
    expect(s.response).toMatchObject({ status: 200 });
    const bad = await fetch(`${mock.urls.http}/tts/bytes`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...body, transcript: " " }) });
    expect(bad.status).toBe(400);
    await bad.text();
    const e = await mock.nextSession("tts-bytes");
    expect(e.received).toMatchObject([{ title: expect.any(String), message: expect.any(String) }]);
    expect(e.response?.status).toBe(400);
  });

  it("reset() rejects a nextSession still waiting", async () => {
    const waiting = mock.nextSession("tts", { timeout: 10_000 });
    mock.reset();
    await expect(waiting).rejects.toThrow(/nextSession\(tts\) was still waiting when reset\(\) was called/);
  });

  it("reset() forgets sessions that ended and were not taken", async () => {
    await v1Session(mock.urls.ws);
    await vi.waitFor(() => expect(mock.server.sessions().filter((r) => r.endedAt).length).toBe(1));
    mock.reset();
    await expect(mock.nextSession("stt-v1", { timeout: 100 })).rejects.toThrow(/since the last reset:\n {2}none/);
  });
});

describe('onViolation: "error" (the default)', () => {
  const mock = setupMockServer();
  beforeAll(() => mock.listen());
  afterAll(() => mock.close());

  it("the nextSession that takes a session with a broken rule rejects, listing rule ids and messages; reset() does not repeat it", async () => {
    await badTurnsSession(mock.urls.ws);
    const error = await rejection(mock.nextSession("stt-turns"));
    expect(error.name).toBe("ProtocolViolationError");
    expect(error.message).toMatch(/a session broke a protocol rule \(onViolation: "error"/);
    expect(error.message).toMatch(/s\d+ stt-turns \(scenario default, \/stt\/turns\/websocket\):\n {2}stt-turns\/valid-message \(§3\.2–§3\.3\): client frame: turn\.end_threshold: /);
    expect(() => mock.reset()).not.toThrow();
  });

  it("reset() throws for a session not taken — after resetting, so the next test starts clean", async () => {
    mock.use("multi-turn");
    await badTurnsSession(mock.urls.ws);
    await vi.waitFor(() => expect(mock.server.sessions().filter((r) => r.endedAt).length).toBe(1));
    expect(() => mock.reset()).toThrow(/stt-turns\/valid-message/);
    expect(mock.server.sessions()).toEqual([]);
    expect(mock.server.scenarios.defaultName).toBe("default");
    expect(() => mock.reset()).not.toThrow();
  });

  it("reset() also reports a session still open that already broke a rule", async () => {
    const s = await badTurnsSession(mock.urls.ws, false);
    await vi.waitFor(() => expect(mock.server.sessions()[0]?.violations.length ?? 0).toBeGreaterThan(0));
    let message = "";
    try {
      mock.reset();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/stt-turns\/valid-message/);
    s.ws.close();
    await s.closed;
  });

  it('a call may allow violations: { onViolation: "off" } resolves with them, and reset() stays quiet', async () => {
    await badTurnsSession(mock.urls.ws);
    const s = await mock.nextSession("stt-turns", { onViolation: "off" });
    expect(s.violations.map((v) => v.rule)).toContain("stt-turns/valid-message");
    expect(() => mock.reset()).not.toThrow();
  });

  it("close() throws for violations nobody reported, after stopping the server", async () => {
    const other = setupMockServer();
    const urls = await other.listen();
    await badTurnsSession(urls.ws);
    await vi.waitFor(() => expect(other.server.sessions().filter((r) => r.endedAt).length).toBe(1));
    await expect(other.close()).rejects.toThrow(/stt-turns\/valid-message/);
    await expect(fetch(`${urls.http}/`)).rejects.toThrow();
    expect(() => other.urls).toThrow(/before listen/);
  });
});

describe('onViolation: "warn", "off" and a function', () => {
  it('"warn" prints each such session when it ends, and fails nothing', async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const mock = setupMockServer({ onViolation: "warn" });
    try {
      await mock.listen();
      await badTurnsSession(mock.urls.ws);
      await vi.waitFor(() => expect(warn).toHaveBeenCalledTimes(1));
      expect(String(warn.mock.calls[0]?.[0])).toMatch(/speechwire mock: a session broke protocol rules:\ns\d+ stt-turns .*\n {2}stt-turns\/valid-message/);
      const s = await mock.nextSession("stt-turns");
      expect(s.violations.length).toBeGreaterThan(0);
      expect(() => mock.reset()).not.toThrow();
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      warn.mockRestore();
      await mock.close();
    }
  });

  it('"off" says nothing; a function gets the broken rules and the record', async () => {
    const warn = vi.spyOn(console, "warn");
    const seen: [string[], string][] = [];
    const quiet = setupMockServer({ onViolation: "off" });
    const told = setupMockServer({ onViolation: (violations, record) => seen.push([violations.map((v) => v.rule), record.endpoint]) });
    try {
      await quiet.listen();
      await told.listen();
      await badTurnsSession(quiet.urls.ws);
      await badTurnsSession(told.urls.ws);
      await quiet.nextSession();
      await told.nextSession();
      expect(seen).toEqual([[expect.arrayContaining(["stt-turns/valid-message"]), "stt-turns"]]);
      expect(() => quiet.reset()).not.toThrow();
      expect(() => told.reset()).not.toThrow();
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
      await quiet.close();
      await told.close();
    }
  });
});

describe("delivery order (property)", () => {
  const mock = setupMockServer({ scenario: "tts-basic" });
  beforeAll(() => mock.listen());
  afterAll(() => mock.close());

  it("every ended session is taken exactly once, in the order they ended, whatever the endpoints and filters", async () => {
    const endpoints = ["stt-v1", "access-token"] as const;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...endpoints), { minLength: 1, maxLength: 6 }), fc.array(fc.boolean(), { maxLength: 6 }), async (opened, filtered) => {
        mock.reset();
        for (const endpoint of opened) {
          if (endpoint === "stt-v1") await v1Session(mock.urls.ws);
          else await (await fetch(`${mock.urls.http}/access-token`, { method: "POST", headers: { authorization: "Bearer sk_car_test", "content-type": "application/json" }, body: '{"grants":{"stt":true},"expires_in":60}' })).text();
          // Sessions end in the order they were opened: wait for this one's end.
          await vi.waitFor(() => expect(mock.server.sessions().at(-1)?.endedAt).toBeDefined());
        }
        const ids = mock.server.sessions().map((r) => r.id);
        const taken: MockSession[] = [];
        for (let i = 0; i < opened.length; i += 1) {
          const remaining = opened.filter((_, j) => !taken.some((t) => t.id === ids[j]));
          const endpoint = filtered[i] ? remaining[0] : undefined;
          taken.push(await mock.nextSession(endpoint));
        }
        expect(new Set(taken.map((t) => t.id)).size).toBe(opened.length);
        for (const endpoint of endpoints) {
          const mine = taken.filter((t) => t.endpoint === endpoint).map((t) => t.id);
          expect(mine).toEqual(ids.filter((_, j) => opened[j] === endpoint));
        }
        await expect(mock.nextSession(undefined, { timeout: 20 })).rejects.toThrow(/no session ended/);
      }),
      { numRuns: 12 },
    );
  });
});

describe("sessionView (property)", () => {
  const base = (endpoint: SessionRecord["endpoint"], texts: { dir: "client" | "server"; text: string }[]): SessionRecord => ({
    id: "s000001",
    endpoint,
    scenario: "default",
    version: "2026-08-14",
    requestId: "r",
    path: "/",
    query: {},
    headers: {},
    startedAt: new Date(0).toISOString(),
    audio: { bytes: 0, sha256: "" },
    entries: texts.map(({ dir, text }) => ({ t: 0, dir, audio: 0, kind: "text", text })),
    droppedEntries: 0,
    violations: [],
  });

  it("every text is its JSON value when it parses, else kept whole as `unparsed`; order and direction are kept", () => {
    const text = fc.oneof(fc.json(), fc.string());
    fc.assert(
      fc.property(fc.array(fc.record({ dir: fc.constantFrom("client" as const, "server" as const), text })), fc.constantFrom("stt-turns" as const, "tts" as const), (texts, endpoint) => {
        const view = sessionView(base(endpoint, texts));
        const expected = (dir: "client" | "server") =>
          texts
            .filter((t) => t.dir === dir)
            .map(({ text }) => {
              try {
                return JSON.parse(text) as unknown;
              } catch {
                return { type: "unparsed", text };
              }
            });
        expect(view.sent).toEqual(expected("client"));
        expect(view.received).toEqual(expected("server"));
      }),
    );
  });

  it("STT v1's bare commands become { type }; SSE events their data", () => {
    const view = sessionView(base("stt-v1", [{ dir: "client", text: "finalize" }, { dir: "client", text: "close" }, { dir: "client", text: "finalise" }]));
    expect(view.sent).toEqual([{ type: "finalize" }, { type: "close" }, { type: "unparsed", text: "finalise" }]);
    const sse = sessionView(base("tts-sse", [{ dir: "server", text: 'data: {"type":"done","done":true}' }, { dir: "server", text: 'event: error\ndata: {"type":"error"}' }]));
    expect(sse.received).toEqual([{ type: "done", done: true }, { type: "error" }]);
  });
});

describe("the README", () => {
  it("shows test/readme-testing.test.ts word for word as its complete vitest example", () => {
    const dir = new URL("..", import.meta.url);
    const readme = readFileSync(new URL("README.md", dir), "utf8");
    const section = readme.slice(readme.indexOf("## Testing with the mock"));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(readFileSync(new URL("test/readme-testing.test.ts", dir), "utf8"));
  });
});
