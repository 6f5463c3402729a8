/**
 * The terminal log: the pure records and renderings (unit and property tests), then a real mock on
 * 127.0.0.1 with a `log` listener: one record per session and per HTTP request without a session.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDuration, formatLogJson, formatLogText, type LogRecord, type MockServer, type SessionRecord } from "../src/index.js";
import { requestLogRecord, sessionLogRecord } from "../src/server/log.js";
import { connect, startTestServer, V1_PATH } from "./helpers.js";

const KEYS = ["time", "kind", "route", "method", "path", "scenario", "version", "durationMs", "status", "close", "closedBy", "violations", "session", "requestId"];

function wsRecord(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: "s000007",
    endpoint: "stt-turns",
    scenario: "default",
    version: "2026-03-01",
    requestId: "req-1",
    path: "/stt/turns/websocket",
    query: {},
    headers: {},
    startedAt: "2026-12-07T06:40:57.923Z",
    endedAt: "2026-12-07T06:41:02.123Z",
    audio: { bytes: 0, sha256: "" },
    entries: [
      { t: 1, dir: "client", audio: 0, kind: "text", text: "{}" },
      { t: 4200, dir: "client", audio: 4, kind: "close", code: 1000, reason: "" },
    ],
    droppedEntries: 0,
    violations: [],
    ...overrides,
  };
}

describe("log records and lines", () => {
  it("renders a WebSocket session as one line: UTC time, route, path, scenario, version, duration, close, violations", () => {
    const record = sessionLogRecord(wsRecord());
    expect(record).toEqual({
      time: "2026-12-07T06:41:02.123Z",
      kind: "session",
      route: "stt-turns",
      method: null,
      path: "/stt/turns/websocket",
      scenario: "default",
      version: "2026-03-01",
      durationMs: 4200,
      status: null,
      close: 1000,
      closedBy: "client",
      violations: 0,
      session: "s000007",
      requestId: "req-1",
    });
    expect(formatLogText(record)).toBe("06:41:02.123 stt-turns /stt/turns/websocket default 2026-03-01 4.2s close 1000 by client 0 violations");
  });

  it("says dropped for a connection cut without a close, and counts violations", () => {
    const violation = { rule: "r", section: "§1", severity: "error", message: "m" } as unknown as SessionRecord["violations"][number];
    const record = sessionLogRecord(wsRecord({ entries: [{ t: 3, dir: "server", audio: 0, kind: "drop", reason: "dropped" }], violations: [violation] }));
    expect(record.close).toBeNull();
    expect(record.closedBy).toBe("server");
    expect(formatLogText(record)).toMatch(/ 4\.2s dropped by server 1 violation$/);
  });

  it("renders an HTTP session with its method and status, or 'no answer' when the client left first", () => {
    const http = wsRecord({ endpoint: "tts-bytes", method: "POST", path: "/s/tts-basic/tts/bytes", entries: [], response: { status: 200, bytes: 10, sha256: "x" }, endedAt: "2026-12-07T06:40:58.008Z" });
    expect(formatLogText(sessionLogRecord(http))).toBe("06:40:58.008 tts-bytes POST /s/tts-basic/tts/bytes default 2026-03-01 85ms status 200 0 violations");
    const { response: _response, ...left } = http;
    expect(formatLogText(sessionLogRecord(left))).toMatch(/ 85ms no answer 0 violations$/);
  });

  it("renders a request without a session with dashes for what does not apply, and no violations count", () => {
    const record = requestLogRecord({ route: "admin", method: "DELETE", path: "/_speechwire/sessions", status: 200, durationMs: 1.4, requestId: "r", time: new Date("2026-12-07T06:41:02.500Z") });
    expect(formatLogText(record)).toBe("06:41:02.500 admin DELETE /_speechwire/sessions - - 1ms status 200");
    expect(Object.keys(JSON.parse(formatLogJson(record)) as object)).toEqual(KEYS);
  });

  it("formats durations in ms, tenths of seconds, then whole seconds", () => {
    expect([0, 0.4, 999.4, 1000, 4210, 99_949, 99_950, 312_400].map(formatDuration)).toEqual(["0ms", "0ms", "999ms", "1.0s", "4.2s", "99.9s", "100s", "312s"]);
    expect(formatDuration(Number.NaN)).toBe("-");
  });

  it("keeps any path on one line, and the JSON line round-trips with the same keys in the same order", () => {
    const recordArb = fc.record({
      path: fc.string({ unit: "binary", maxLength: 40 }),
      scenario: fc.option(fc.string({ unit: "binary", maxLength: 12 }), { nil: undefined }),
      status: fc.option(fc.integer({ min: 100, max: 599 }), { nil: null }),
      durationMs: fc.double({ min: 0, max: 1e7, noNaN: true }),
    });
    fc.assert(
      fc.property(recordArb, (r) => {
        const record: LogRecord = { ...requestLogRecord({ route: "none", method: "GET", path: r.path, status: r.status, durationMs: r.durationMs, requestId: "id" }), scenario: r.scenario ?? null };
        const text = formatLogText(record);
        expect(text).not.toMatch(/[\n\r\u2028\u2029]/u);
        expect(text.split(" ")[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3}$/);
        const json = formatLogJson(record);
        expect(json).not.toContain("\n");
        const parsed = JSON.parse(json) as LogRecord;
        expect(Object.keys(parsed)).toEqual(KEYS);
        expect(parsed).toEqual(record);
      }),
      { numRuns: Number(process.env.FC_NUM_RUNS ?? 200) },
    );
  });
});

describe("a mock with a log listener", () => {
  let mock: MockServer;
  const records: LogRecord[] = [];
  beforeAll(async () => {
    mock = await startTestServer({ log: (r) => records.push(r) });
  });
  afterAll(() => mock.close());
  const take = () => records.splice(0);

  it("logs a WebSocket session once, when it ends, with its close code", async () => {
    take();
    const s = await connect(`${mock.urls.ws}/s/dictation${V1_PATH}`);
    s.ws.send(Buffer.alloc(640));
    s.ws.send("done");
    await s.closed;
    await expect.poll(() => records.length).toBe(1);
    const [record] = take() as [LogRecord];
    expect(record).toMatchObject({ kind: "session", route: "stt-v1", method: null, path: "/s/dictation/stt/websocket", scenario: "dictation", close: 1000, status: null, violations: 0 });
    expect(record.session).toBe(mock.sessions().at(-1)?.id);
  });

  it("logs a Cartesia HTTP request once (its session), and every other request once from the handler", async () => {
    take();
    await (await fetch(`${mock.urls.http}/tts/bytes`, { method: "POST", body: "{}" })).text();
    await (await fetch(`${mock.urls.http}/`)).text();
    await (await fetch(`${mock.urls.http}/_speechwire/scenarios`)).text();
    await (await fetch(`${mock.urls.http}/nope`)).text();
    await (await fetch(`${mock.urls.http}/_speechwire/health`, { method: "OPTIONS" })).text();
    await connect(`${mock.urls.ws}/s/no-such-scenario${V1_PATH}`).catch(() => undefined);
    await expect.poll(() => records.length).toBe(6);
    const got = take().map((r) => [r.kind, r.route, r.method, r.path, r.status]);
    expect(got).toEqual([
      ["session", "tts-bytes", "POST", "/tts/bytes", 400],
      ["request", "status", "GET", "/", 200],
      ["request", "admin", "GET", "/_speechwire/scenarios", 200],
      ["request", "none", "GET", "/nope", 404],
      ["request", "preflight", "OPTIONS", "/_speechwire/health", 204],
      ["request", "websocket", "GET", "/s/no-such-scenario/stt/websocket", 404],
    ]);
  });

  it("names the scenario of a handshake its scenario refuses", async () => {
    take();
    await expect(connect(`${mock.urls.ws}/s/auth-401${V1_PATH}`)).rejects.toMatchObject({ status: 401 });
    await expect.poll(() => records.length).toBe(1);
    expect(take()[0]).toMatchObject({ kind: "request", route: "websocket", scenario: "auth-401", status: 401, path: "/s/auth-401/stt/websocket" });
  });

  it("still logs a session that a reset forgot while it was open", async () => {
    take();
    const s = await connect(`${mock.urls.ws}${V1_PATH}`);
    await expect.poll(() => mock.sessions().some((r) => r.endedAt === undefined)).toBe(true);
    await (await fetch(`${mock.urls.http}/_speechwire/reset`, { method: "POST" })).text();
    s.ws.send("done");
    await s.closed;
    await expect.poll(() => records.filter((r) => r.kind === "session").length).toBe(1);
    expect(take().map((r) => r.route)).toEqual(["admin", "stt-v1"]);
    expect(mock.sessions()).toEqual([]);
  });

  it("survives a listener that throws, and says so once (a warning)", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on("warning", onWarning);
    const throwing = await startTestServer({
      log: () => {
        throw new Error("listener bug");
      },
    });
    try {
      expect((await fetch(`${throwing.urls.http}/_speechwire/health`)).status).toBe(200);
      const s = await connect(`${throwing.urls.ws}${V1_PATH}`);
      s.ws.send("done");
      expect((await s.closed).code).toBe(1000);
      expect((await fetch(`${throwing.urls.http}/_speechwire/health`)).status).toBe(200);
      await expect.poll(() => warnings.filter((w) => w.includes("listener bug")).length).toBe(1);
    } finally {
      process.off("warning", onWarning);
      await throwing.close();
    }
  });
});
