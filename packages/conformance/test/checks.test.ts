/** Unit tests of the checks: pure functions of (case, journal, observations, capabilities). */
import { describe, expect, it } from "vitest";
import { scenarioSchema, type SessionRecord, type JournalEntry } from "@speechwire/mock-server";
import { CHECKS_BY_ID, type CheckInput } from "../src/checks/catalogue.js";
import { SPEECHWIRE_CAPABILITIES } from "../src/adapter/speechwire.js";
import { caseSchema, type Case, type ObservationEvent } from "../src/adapter/schema.js";
import { patternAudio } from "../src/runner/cases.js";
import { sha256 } from "../src/checks/journal.js";
import { baselineGrade, readBaseline } from "../src/report/baseline.js";
import { escapeXml, junitXml, summaryMarkdown } from "../src/report/write.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const AUDIO = patternAudio(6400, 5);

function session(over: Partial<SessionRecord> & { entries?: JournalEntry[] } = {}): SessionRecord {
  return {
    id: "s1",
    endpoint: "stt-v1",
    scenario: "x",
    version: "2026-03-01",
    requestId: "r",
    path: "/stt/websocket",
    query: { model: "ink-whisper", encoding: "pcm_s16le", sample_rate: "16000", language: "en" },
    headers: { authorization: "Bearer redacted:1a2b3c4d", "cartesia-version": "2026-03-01" },
    startedAt: "2026-01-01T00:00:00.000Z",
    endedAt: "2026-01-01T00:00:01.000Z",
    audio: { bytes: AUDIO.length, sha256: sha256(AUDIO) },
    entries: [],
    droppedEntries: 0,
    violations: [],
    ...over,
  };
}

const text = (dir: "client" | "server", t: string): JournalEntry => ({ t: 0, dir, audio: 0, kind: "text", text: t });
const close = (dir: "client" | "server", code = 1000): JournalEntry => ({ t: 0, dir, audio: 0, kind: "close", code, reason: "" });

function v1Case(over: Partial<Case> = {}): Case {
  return caseSchema.parse({
    id: "c",
    suite: "stt-v1",
    stt: { model: "ink-whisper", encoding: "pcm_s16le", sample_rate: 16000, language: "en", audio: Buffer.from(AUDIO).toString("base64"), chunkBytes: 640 },
    actions: [{ op: "audio", bytes: 3200 }, { op: "finalize" }, { op: "audio", bytes: 3200 }, { op: "close" }],
    ...over,
  });
}

function input(c: Case, sessions: SessionRecord[], events: ObservationEvent[] = [], extra: Partial<CheckInput> = {}): CheckInput {
  return {
    case: c,
    scenario: scenarioSchema.parse({ name: "x", ...(c.scenario as object) }),
    sessions,
    observations: { events, result: { crashed: false } },
    capabilities: SPEECHWIRE_CAPABILITIES,
    audio: c.stt ? Buffer.from(c.stt.audio, "base64") : new Uint8Array(0),
    ...extra,
  };
}

const check = (id: string) => {
  const c = CHECKS_BY_ID.get(id);
  if (!c) throw new Error(`no check ${id}`);
  return c;
};

describe("handshake", () => {
  it("passes a complete upgrade and fails one without a version or with an unknown parameter", () => {
    const c = v1Case();
    expect(check("v1/handshake").evaluate(input(c, [session()]))?.grade).toBe("pass");
    const noVersion = session({ headers: { authorization: "Bearer…" } });
    expect(check("v1/handshake").evaluate(input(c, [noVersion]))).toMatchObject({ grade: "fail", message: expect.stringContaining("Cartesia-Version") });
    const viaQuery = session({ headers: { authorization: "Bearer…" }, query: { ...session().query, cartesia_version: "2026-03-01" } });
    expect(check("v1/handshake").evaluate(input(c, [viaQuery]))?.grade).toBe("pass");
    const extra = session({ query: { ...session().query, bogus: "1" } });
    expect(check("v1/handshake").evaluate(input(c, [extra]))?.grade).toBe("fail");
    const noCreds = session({ headers: { "cartesia-version": "2026-03-01" } });
    expect(check("v1/handshake").evaluate(input(c, [noCreds]))?.message).toContain("credentials");
  });

  it("fails an audio format that does not match the handshake", () => {
    const c = v1Case();
    expect(check("v1/audio-format").evaluate(input(c, [session({ query: { ...session().query, sample_rate: "8000" } })]))?.grade).toBe("fail");
    expect(check("v1/audio-format").evaluate(input(c, [session({ audio: { bytes: 3, sha256: "" } })]))?.message).toContain("whole");
  });
});

describe("audio delivery", () => {
  it("needs every byte exactly once, in order, across sessions", () => {
    const c = v1Case({ reconnect: true, scenario: { faults: [{ at: { event: "flush_done" }, action: { type: "drop" }, connections: 1 }] } });
    const part = (from: number, to: number) => ({ bytes: to - from, sha256: sha256(AUDIO.subarray(from, to)) });
    const ok = [session({ audio: part(0, 3200) }), session({ id: "s2", audio: part(3200, 6400) })];
    expect(check("v1/audio-exactly-once").evaluate(input(c, ok))?.grade).toBe("pass");
    const gap = [session({ audio: part(0, 3200) }), session({ id: "s2", audio: part(4000, 6400) })];
    expect(check("v1/audio-exactly-once").evaluate(input(c, gap))?.grade).toBe("fail");
    const twice = [session({ audio: part(0, 4000) }), session({ id: "s2", audio: part(3200, 6400) })];
    expect(check("v1/audio-exactly-once").evaluate(input(c, twice))?.message).toContain("twice");
    const reordered = [session({ audio: { bytes: 6400, sha256: sha256(AUDIO.subarray(3200), AUDIO.subarray(0, 3200)) } })];
    expect(check("v1/audio-exactly-once").evaluate(input(v1Case(), reordered))?.grade).toBe("fail");
  });

  it("does not apply to a drop when the client does not claim reconnect", () => {
    const c = v1Case({ scenario: { faults: [{ at: { audio: 0.1 }, action: { type: "drop" } }] } });
    expect(check("v1/audio-exactly-once").evaluate(input(c, [session()]))).toBeUndefined();
  });
});

describe("close and drain", () => {
  const drained = [text("client", "finalize"), text("client", "close"), text("server", '{"type":"done","request_id":"r"}'), close("server"), close("client")];
  it("passes when the server closes first, fails when the client does", () => {
    expect(check("v1/close-drains").evaluate(input(v1Case(), [session({ entries: drained })]))?.grade).toBe("pass");
    const early = [text("client", "close"), close("client"), close("server")];
    expect(check("v1/close-drains").evaluate(input(v1Case(), [session({ entries: early })]))?.message).toContain("before the server drained");
    expect(check("v1/close-drains").evaluate(input(v1Case(), [session({ entries: [close("client")] })]))?.message).toContain("without sending");
  });
  it("grades the legacy `done` command as a warning", () => {
    const legacy = [text("client", "done"), close("server")];
    expect(check("v1/close-drains").evaluate(input(v1Case(), [session({ entries: legacy })]))?.grade).toBe("warning");
  });
});

describe("what the client surfaced", () => {
  const server = [
    text("server", '{"type":"transcript","is_final":false,"text":"Hi","request_id":"r"}'),
    text("server", '{"type":"transcript","is_final":true,"text":"Hi there.","request_id":"r"}'),
    text("server", '{"type":"flush_done","request_id":"r"}'),
    text("server", '{"type":"transcript","is_final":true,"text":" Bye.","request_id":"r"}'),
    text("server", '{"type":"done","request_id":"r"}'),
  ];
  const events: ObservationEvent[] = [
    { type: "transcript", is_final: false, text: "Hi" },
    { type: "transcript", is_final: true, text: "Hi there." },
    { type: "flush_done" },
    { type: "transcript", is_final: true, text: " Bye." },
    { type: "done" },
  ];
  it("compares the surfaced events with the server's, in order", () => {
    expect(check("v1/events-in-order").evaluate(input(v1Case(), [session({ entries: server })], events))?.grade).toBe("pass");
    const swapped = [events[0], events[2], events[1], events[3], events[4]] as ObservationEvent[];
    expect(check("v1/events-in-order").evaluate(input(v1Case(), [session({ entries: server })], swapped))?.message).toContain("event 1");
  });
  it("wants the final deltas concatenated verbatim", () => {
    const scripted = v1Case({ scenario: { stt: { turns: [{ leadSilence: 0, segments: [{ say: "Hi there. Bye." }], endSilence: 0 }], wordSeconds: 0.01, gapSeconds: 0 } } });
    const ok = { ...input(scripted, [session({ entries: server })], events), observations: { events, result: { crashed: false, text: "Hi there. Bye." } } };
    expect(check("v1/deltas-concatenated").evaluate(ok)?.grade).toBe("pass");
    // The audio covered the whole script and the server drained: the text must also be the script's.
    const otherScript = v1Case({ scenario: { stt: { turns: [{ leadSilence: 0, segments: [{ say: "Something else" }], endSilence: 0 }], wordSeconds: 0.01, gapSeconds: 0 } } });
    expect(check("v1/deltas-concatenated").evaluate({ ...ok, ...input(otherScript, [session({ entries: server })], events), observations: ok.observations })?.message).toContain("scenario says");
    const trimmed = { ...ok, observations: { events, result: { crashed: false, text: "Hi there.Bye." } } };
    expect(check("v1/deltas-concatenated").evaluate(trimmed)?.grade).toBe("fail");
  });
  it("wants errors with status and code, in both shapes", () => {
    const structured = text("server", '{"type":"error","title":"Bad","message":"m","error_code":"invalid_request","status_code":400,"request_id":"r"}');
    const legacy = text("server", '{"type":"error","message":"Bad: m","code":400,"request_id":"r"}');
    const c = v1Case();
    expect(check("v1/errors-surfaced").evaluate(input(c, [session({ entries: [structured] })], [{ type: "error", status: 400, code: "invalid_request" }]))?.grade).toBe("pass");
    expect(check("v1/errors-surfaced").evaluate(input(c, [session({ entries: [structured] })], [{ type: "error", status: 400 }]))?.grade).toBe("fail");
    expect(check("v1/errors-surfaced").evaluate(input(c, [session({ entries: [legacy] })], [{ type: "error", status: 400, code: null }]))?.grade).toBe("pass");
    expect(check("v1/errors-surfaced").evaluate(input(c, [session({ entries: [legacy] })], []))?.message).toContain("legacy");
    expect(check("v1/errors-surfaced").evaluate(input(c, [session()], []))).toBeUndefined();
  });
  it("reports a crash", () => {
    const crashed = { ...input(v1Case(), [session()]), observations: { events: [], result: { crashed: true, crash: "TypeError: x" } } };
    expect(check("v1/no-crash").evaluate(crashed)).toMatchObject({ grade: "fail", message: expect.stringContaining("TypeError") });
  });
});

describe("turns", () => {
  const c = caseSchema.parse({ ...v1Case(), suite: "stt-turns", stt: { ...v1Case().stt, model: "ink-2", language: undefined } });
  const entries = [
    text("server", '{"type":"connected","request_id":"r"}'),
    text("server", '{"type":"turn.start","request_id":"r"}'),
    text("server", '{"type":"turn.eager_end","transcript":"I want","request_id":"r"}'),
    text("server", '{"type":"turn.resume","request_id":"r"}'),
    text("server", '{"type":"turn.end","transcript":"I want tea.","request_id":"r"}'),
  ];
  const events: ObservationEvent[] = [
    { type: "connected" },
    { type: "turn.start" },
    { type: "turn.eager_end", transcript: "I want" },
    { type: "turn.resume" },
    { type: "turn.end", transcript: "I want tea." },
  ];
  const s = session({ endpoint: "stt-turns", entries });
  it("drops a resumed eager transcript", () => {
    const ok = { ...input(c, [s], events), observations: { events, result: { crashed: false, turns: ["I want tea."] } } };
    expect(check("turns/eager-resume-order").evaluate(ok)?.grade).toBe("pass");
    const kept = { ...ok, observations: { events, result: { crashed: false, turns: ["I want"] } } };
    expect(check("turns/eager-resume-order").evaluate(kept)?.message).toContain("speculative");
    const noResume = { ...ok, observations: { events: events.filter((e) => e.type !== "turn.resume"), result: { crashed: false, turns: ["I want tea."] } } };
    expect(check("turns/eager-resume-order").evaluate(noResume)?.grade).toBe("fail");
  });
  it("wants the turn.end transcripts concatenated, not the updates", () => {
    const ok = { ...input(c, [s], events), observations: { events, result: { crashed: false, text: "I want tea." } } };
    expect(check("turns/final-text-concatenated").evaluate(ok)?.grade).toBe("pass");
    const cumulative = { ...ok, observations: { events, result: { crashed: false, text: "I wantI want tea." } } };
    expect(check("turns/final-text-concatenated").evaluate(cumulative)?.grade).toBe("fail");
  });
});

describe("tts", () => {
  const spec = { model_id: "sonic-3", voice: { mode: "id", id: "v" }, output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: 16000 } } as const;
  const c = caseSchema.parse({
    id: "t",
    suite: "tts",
    contexts: [{ id: "a", ...spec }, { id: "b", ...spec }],
    actions: [{ op: "push", context: "a", transcript: "x" }, { op: "end", context: "a" }, { op: "end", context: "b" }, { op: "close" }],
  });
  const chunk = (ctx: string, data: string) => text("server", JSON.stringify({ type: "chunk", data, done: false, status_code: 206, step_time: 1, context_id: ctx }));
  const entries = [chunk("a", "AAEC"), chunk("b", "BQYH"), chunk("a", "AwQ="), text("server", '{"type":"done","done":true,"status_code":206,"context_id":"a"}')];
  const s = session({ endpoint: "tts", entries });
  it("compares audio per context byte for byte", () => {
    const events: ObservationEvent[] = [
      { type: "tts.audio", context_id: "a", data: "AAEC" },
      { type: "tts.audio", context_id: "b", data: "BQYH" },
      { type: "tts.audio", context_id: "a", data: "AwQ=" },
    ];
    expect(check("tts/audio-per-context").evaluate(input(c, [s], events))?.grade).toBe("pass");
    const mixed = events.map((e) => ({ ...e, context_id: "a" })) as ObservationEvent[];
    expect(check("tts/audio-per-context").evaluate(input(c, [s], mixed))?.grade).toBe("fail");
  });
  it("fails a clipped journal frame instead of guessing", () => {
    const clipped = session({ endpoint: "tts", entries: [text("server", `{"type":"chunk","data":"${"A".repeat(10)}…(9000 chars)`)] });
    expect(check("tts/audio-per-context").evaluate(input(c, [clipped], []))?.message).toContain("clipped");
    // A chunk clipped in its audio (the mock keeps its fields) is clipped too.
    const cut = session({ endpoint: "tts", entries: [text("server", `{"type":"chunk","data":"${"A".repeat(10)}…(9000 chars)","done":false,"context_id":"a"}`)] });
    expect(check("tts/audio-per-context").evaluate(input(c, [cut], []))?.message).toContain("clipped");
  });
  it("grades ending a context with a space as a warning", () => {
    const req = (ctx: string, t: string, cont: boolean) => text("client", JSON.stringify({ ...spec, context_id: ctx, transcript: t, continue: cont }));
    const ok = session({ endpoint: "tts", entries: [req("a", "x", true), req("a", "", false), req("b", "", false)] });
    expect(check("tts/end-context").evaluate(input(c, [ok]))?.grade).toBe("pass");
    const space = session({ endpoint: "tts", entries: [req("a", "x", true), req("a", " ", false), req("b", "", false)] });
    expect(check("tts/end-context").evaluate(input(c, [space]))?.grade).toBe("warning");
    const twice = session({ endpoint: "tts", entries: [req("a", "", false), req("a", "", false), req("b", "", false)] });
    expect(check("tts/end-context").evaluate(input(c, [twice]))?.grade).toBe("fail");
  });
});

describe("reports and baselines", () => {
  it("escapes XML and builds well-formed JUnit", () => {
    expect(escapeXml(`<a href="x">&'\u0001`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&apos;\uFFFD");
    const doc = {
      tool: "@speechwire/conformance" as const,
      format: 1 as const,
      startedAt: "",
      finishedAt: "",
      seed: 1,
      runs: 0,
      suites: ["tts"],
      ok: false,
      adapters: [
        {
          adapter: "a<b>",
          capabilities: SPEECHWIRE_CAPABILITIES,
          checks: [
            { id: "tts/x", suite: "tts" as const, section: "§5", statement: "s & t", source: "sent" as const, grade: "fail" as const, reason: 'bad "<frame>"', cases: [], baseline: "unexpected" as const },
            { id: "tts/y", suite: "tts" as const, section: "§5", statement: "s", source: "sent" as const, grade: "pass" as const, cases: [] },
          ],
          cases: 1,
          counterexamples: [],
          stale: [],
          totals: { pass: 1, fail: 1, warning: 0, skipped: 0 },
          unexpected: ["tts/x"],
        },
      ],
    };
    const xml = junitXml(doc);
    expect(xml).toContain('classname="a&lt;b&gt;"');
    expect(xml).toContain("<failure message=\"bad &quot;&lt;frame&gt;&quot;\">");
    expect(xml).toMatch(/tests="2" failures="1"/u);
    expect(summaryMarkdown(doc)).toContain("| `tts/x` | ❌ fail | unexpected |");
  });

  it("reads baselines and rejects bad ones with the field named", () => {
    const dir = mkdtempSync(join(tmpdir(), "conf-baseline-"));
    const good = join(dir, "good.json");
    writeFileSync(good, JSON.stringify([{ adapter: "a", check: "tts/x", grade: "fail", reason: "r" }]));
    expect(baselineGrade(readBaseline(good), "a", "tts/x")).toBe("fail");
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify([{ adapter: "a", check: "tts/x", grade: "meh" }]));
    expect(() => readBaseline(bad)).toThrow(/0\.grade/u);
    writeFileSync(bad, "{nope");
    expect(() => readBaseline(bad)).toThrow(/bad\.json/u);
  });
});

describe("turn words and languages", () => {
  const c = caseSchema.parse({ ...v1Case(), suite: "stt-turns", stt: { ...v1Case().stt, model: "ink-preview", language: undefined } });
  const half = AUDIO.subarray(0, 3200);
  const rest = AUDIO.subarray(3200);
  const w = (word: string, start: number, end: number) => ({ word, start, end });
  const en = [{ language: "en", confidence: 1 }];
  const frame = (type: string, transcript: string, words?: unknown[], languages?: unknown[]) =>
    text("server", JSON.stringify({ type, transcript, ...(words ? { words } : {}), ...(languages ? { languages } : {}), request_id: "r" }));
  // Connection 1 hears bytes 0–3200 (0.1 s); connection 2, after a reconnect, the rest: its times start 0.1 s into the stream.
  const s1 = session({ endpoint: "stt-turns", audio: { bytes: half.length, sha256: sha256(half) }, entries: [frame("turn.update", "Hi", [w("Hi", 0.01, 0.03)])] });
  const s2 = session({
    endpoint: "stt-turns",
    audio: { bytes: rest.length, sha256: sha256(rest) },
    entries: [frame("turn.update", "Hi", [w("Hi", 0.01, 0.03)]), frame("turn.end", "Hi there.", [w("Hi", 0.01, 0.03), w("there.", 0.04, 0.06)], en)],
  });
  const surfaced = (shift: number, languages = en): ObservationEvent[] => [
    { type: "turn.update", transcript: "Hi", words: [w("Hi", 0.01, 0.03)] },
    { type: "turn.update", transcript: "Hi", words: [w("Hi", 0.01 + shift, 0.03 + shift)] },
    { type: "turn.end", transcript: "Hi there.", words: [w("Hi", 0.01 + shift, 0.03 + shift), w("there.", 0.04 + shift, 0.06 + shift)], languages },
  ];
  const words = check("turns/words-match-transcript");
  const languages = check("turns/languages-surfaced");

  it("wants the server's words in stream time: shifted by where the connection's audio starts", () => {
    expect(words.evaluate(input(c, [s1, s2], surfaced(0.1)))?.grade).toBe("pass");
    expect(words.evaluate(input(c, [s1, s2], surfaced(0)))?.message).toMatch(/on connection 2, whose audio starts 0\.1s into the stream: 0\.11/u);
  });

  it("fails words out of order, invented words and missing ones; a server whose end words are not the turn's is a mock fault", () => {
    const swapped = surfaced(0.1);
    swapped[2] = { ...(swapped[2] as Extract<ObservationEvent, { type: "turn.end" }>), words: [w("Hi", 0.2, 0.1), w("there.", 0.14, 0.16)] };
    expect(words.evaluate(input(c, [s1, s2], swapped))?.message).toContain("ends (0.1s) before it starts");
    const noWordsSent = session({ endpoint: "stt-turns", entries: [frame("turn.update", "Hi", [w("Hi", 0.01, 0.03)]), frame("turn.end", "", undefined)] });
    const invented: ObservationEvent[] = [{ type: "turn.update", transcript: "Hi", words: [w("Hi", 0.01, 0.03)] }, { type: "turn.end", transcript: "", words: [w("uh", 0.1, 0.2)] }];
    expect(words.evaluate(input(c, [noWordsSent], invented))?.message).toContain("the server sent none");
    const missing = surfaced(0.1).map((e) => ({ ...e, words: undefined }) as ObservationEvent);
    expect(words.evaluate(input(c, [s1, s2], missing))?.grade).toBe("fail");
    const partial = session({ endpoint: "stt-turns", entries: [frame("turn.end", "Hi there.", [w("Hi", 0.01, 0.03)])] });
    expect(words.evaluate(input(c, [partial], [{ type: "turn.end", transcript: "Hi there.", words: [w("Hi", 0.01, 0.03)] }]))?.message).toContain("mock fault");
    // ink-2: no words sent, nothing to check.
    expect(words.evaluate(input(c, [session({ endpoint: "stt-turns", entries: [frame("turn.end", "Hi.")] })], [{ type: "turn.end", transcript: "Hi." }]))).toBeUndefined();
  });

  it("wants the server's languages on each event, and none where it sent none", () => {
    expect(languages.evaluate(input(c, [s1, s2], surfaced(0.1)))?.grade).toBe("pass");
    expect(languages.evaluate(input(c, [s1, s2], surfaced(0.1, [{ language: "fr", confidence: 1 }])))?.message).toContain('"fr"');
    const extra = surfaced(0.1);
    extra[0] = { ...(extra[0] as Extract<ObservationEvent, { type: "turn.update" }>), languages: en };
    expect(languages.evaluate(input(c, [s1, s2], extra))?.grade).toBe("fail");
    expect(languages.evaluate(input(c, [s1], surfaced(0.1).slice(0, 1)))).toBeUndefined();
  });
});

describe("config", () => {
  const half = AUDIO.subarray(0, 3200);
  const rest = AUDIO.subarray(3200);
  const turns = caseSchema.parse({
    ...v1Case(),
    suite: "stt-turns",
    stt: { ...v1Case().stt, model: "ink-preview", language: undefined },
    actions: [
      { op: "config", keyterms: ["a", "b"], language_hints: ["en"] },
      { op: "config", keyterms: [], turn: { end_timeout_ms: 2000 } },
      { op: "audio", bytes: 6400 },
      { op: "close" },
    ],
  });
  const cfg = (o: object) => text("client", JSON.stringify({ type: "config", ...o }));
  const turnsSession = (entries: JournalEntry[], bytes: Uint8Array, query: Record<string, string | string[]> = {}) =>
    session({ endpoint: "stt-turns", query: { model: "ink-preview", encoding: "pcm_s16le", sample_rate: "16000", ...query }, audio: { bytes: bytes.length, sha256: sha256(bytes) }, entries });
  const asSent = [cfg({ keyterms: ["a", "b"], language_hints: ["en"] }), cfg({ keyterms: [], turn: { end_timeout_ms: 2000 } })];
  const turnsConfig = check("turns/config");

  it("wants every connection to hold what was asked: a list replaces, [] clears, omitted keeps — also after a reconnect", () => {
    expect(turnsConfig.evaluate(input(turns, [turnsSession(asSent, AUDIO)]))?.grade).toBe("pass");
    // The merged state in one frame is as good; so are the lists in the new connection's handshake.
    const merged = [cfg({ turn: { end_timeout_ms: 2000 }, keyterms: [], language_hints: ["en"] })];
    expect(turnsConfig.evaluate(input(turns, [turnsSession(asSent, half), turnsSession(merged, rest)]))?.grade).toBe("pass");
    const viaHandshake = turnsSession([cfg({ turn: { end_timeout_ms: 2000 } })], rest, { language_hint: "en" });
    expect(turnsConfig.evaluate(input(turns, [turnsSession(asSent, half), viaHandshake]))?.grade).toBe("pass");
    const forgotten = turnsConfig.evaluate(input(turns, [turnsSession(asSent, half), turnsSession([], rest)]));
    expect(forgotten?.message).toMatch(/^connection 2 \(after a reconnect\) holds language_hints \[\]/u);
    const appended = turnsConfig.evaluate(input(turns, [turnsSession([cfg({ keyterms: ["a", "b"], language_hints: ["en"] })], AUDIO)]));
    expect(appended?.message).toContain('holds keyterms ["a","b"]');
    // No config asked: nothing to check.
    expect(turnsConfig.evaluate(input({ ...turns, actions: [{ op: "audio", bytes: 6400 }] }, [turnsSession([], AUDIO)]))).toBeUndefined();
  });

  it("fails a config message the strict schema refuses", () => {
    const seven = [cfg({ language_hints: ["en", "fr", "de", "es", "it", "pt", "ja"] })];
    expect(turnsConfig.evaluate(input(turns, [turnsSession(seven, AUDIO)]))?.message).toContain("is not valid");
  });

  it("v1: a config before the audio is not the end of the stream (close-drains reads the journal, not the grammar)", () => {
    const entries = [cfg({ keyterms: ["a"] }), text("client", "close"), text("server", '{"type":"done","request_id":"r"}'), close("server")];
    const c = v1Case({ actions: [{ op: "config", keyterms: ["a"] }, { op: "audio", bytes: 6400 }, { op: "close" }] });
    expect(check("v1/close-drains").evaluate(input(c, [session({ entries })]))?.grade).toBe("pass");
    expect(check("v1/config").evaluate(input(c, [session({ entries })]))?.grade).toBe("pass");
    const late = [text("client", "close"), cfg({ keyterms: ["a"] }), text("server", '{"type":"done","request_id":"r"}'), close("server")];
    expect(check("v1/close-drains").evaluate(input(c, [session({ entries: late })]))?.message).toContain('after "close"');
  });
});
