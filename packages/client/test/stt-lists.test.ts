/**
 * What the December 2026 API added to both STT sockets, against the mock: `words` and `languages` on
 * turn events (ink-preview), shifted into stream time across a reconnect; the `config` lists
 * (keyterms, language hints) sent, merged and re-sent after a reconnect; a refused `config` as an
 * `error` event while the session goes on; language hints in the handshake.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MockServer, SessionRecord } from "@speechwire/mock-server";
import { CartesiaApiError, SpeechwireError, type TurnsEvent, type TurnText } from "../src/index.js";
import { addScenario, chunks, clientFor, collect, delay, patternAudio, scriptSeconds, sessionById, sessionsOf, startMock, TURNS_PARAMS, until, V1_PARAMS } from "./helpers.js";

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock();
});
afterAll(() => mock.close());

const PREVIEW = { ...TURNS_PARAMS, model: "ink-preview" } as const;
const BYTES_PER_SECOND = 32000;
const TEXT_TYPES: Record<string, string> = { turnUpdate: "turn.update", eagerEnd: "turn.eager_end", turnEnd: "turn.end" };

type Wire = { type: string; transcript: string; words?: { word: string; start: number; end: number }[]; languages?: { language: string; confidence: number }[] };

/** The turn.update / eager_end / end frames the mock sent on a session, parsed, in order. */
function sentTextFrames(record: SessionRecord): Wire[] {
  return record.entries
    .filter((e) => e.dir === "server" && e.kind === "text")
    .map((e) => JSON.parse(e.text!) as Wire)
    .filter((m) => Object.values(TEXT_TYPES).includes(m.type));
}

/** The client's turn text events, as (wire type, transcript, words, languages). */
function surfacedText(events: TurnsEvent[]) {
  return events.flatMap((e) => (e.type in TEXT_TYPES ? [e as TurnText & { type: string }] : []));
}

/** The client text frames of a session, in order. */
const clientTexts = (record: SessionRecord) => record.entries.filter((e) => e.dir === "client" && e.kind === "text").map((e) => e.text);

/** Sends audio in 20 ms frames, paced in real time (the turns replay boundary needs it). */
async function realTime(session: { send(a: Uint8Array): boolean }, audio: Uint8Array): Promise<void> {
  const started = Date.now();
  for (let i = 0; i < audio.length; i += 640) {
    session.send(audio.subarray(i, i + 640));
    await delay(Math.max(0, started + ((i + 640) / BYTES_PER_SECOND) * 1000 - Date.now()));
  }
}

describe("turn words and languages", () => {
  it("surfaces every turn event's words and languages exactly as the mock sent them (ink-preview, default scenario)", async () => {
    const session = clientFor(mock).stt.turns(PREVIEW);
    const eventsP = collect(session);
    for (const c of chunks(patternAudio(scriptSeconds(mock, "default") + 0.5), 640)) session.send(c);
    await session.close();
    const events = await eventsP;
    const sent = sentTextFrames(sessionById(mock, session.requestId));
    const surfaced = surfacedText(events);
    expect(surfaced.map((e) => TEXT_TYPES[(e as { type: string }).type])).toEqual(sent.map((m) => m.type));
    // The default scenario has words on every update and languages on eager_end and end.
    expect(sent.filter((m) => m.words).length).toBe(sent.length);
    expect(sent.filter((m) => m.languages).map((m) => m.type)).toContain("turn.end");
    surfaced.forEach((e, i) => {
      const m = sent[i]!;
      expect(e.transcript).toBe(m.transcript);
      // No reconnect: stream time is the connection's time, so the words are the wire's, and a field the frame lacks stays absent.
      expect("words" in e ? e.words : "absent").toEqual(m.words ?? "absent");
      expect("languages" in e ? e.languages : "absent").toEqual(m.languages ?? "absent");
    });
    const end = events.find((e) => e.type === "turnEnd");
    expect(end).toMatchObject({ languages: [{ language: "en", confidence: 1 }] });
    expect(end?.type === "turnEnd" && end.words?.map((w) => w.word).join(" ")).toBe(end?.type === "turnEnd" && end.transcript);
  });

  it("leaves words and languages out for ink-2, which has neither", async () => {
    const session = clientFor(mock).stt.turns(TURNS_PARAMS);
    const eventsP = collect(session);
    for (const c of chunks(patternAudio(scriptSeconds(mock, "default") + 0.5), 640)) session.send(c);
    await session.close();
    const surfaced = surfacedText(await eventsP);
    expect(surfaced.length).toBeGreaterThan(3);
    expect(surfaced.filter((e) => "words" in e || "languages" in e)).toEqual([]);
  });

  it("after a reconnect, shifts the new connection's word times by the replay offset, and re-sends the merged config first", async () => {
    // Turn 1: "Hi." from 0.3 to 0.6 s, turn.end at 1.0 s; the first connection drops right after that turn.end.
    const name = addScenario(mock, {
      name: "lists-drop-after-end",
      stt: { turns: [{ segments: [{ say: "Hi." }], endSilence: 0.8 }, { segments: [{ say: "Yes, two of them." }] }] },
      faults: [{ at: { event: "turn.end", index: 0 }, action: { type: "drop" }, endpoints: ["stt-turns"], connections: 1 }],
    });
    const session = clientFor(mock, name).stt.turns({ ...PREVIEW, keyterm: ["Speechwire"] }, { reconnect: { initialDelayMs: 20 } });
    const eventsP = collect(session);
    session.configure({ keyterms: ["table", "booking"], language_hints: ["en", "fr"] });
    session.configure({ keyterms: [] });
    session.config({ end_timeout_ms: 2000 });
    session.configure({ turn: { end_threshold: 0.15 }, keyterms: null });
    await session.ready;
    await realTime(session, patternAudio(scriptSeconds(mock, name) + 0.3));
    await session.close();
    const events = await eventsP;
    const reconnected = events.find((e) => e.type === "reconnected");
    expect(reconnected).toBeDefined();
    const offset = reconnected!.type === "reconnected" ? reconnected!.fromByte : 0;
    expect(offset).toBeGreaterThan(0);

    const [s1, s2] = sessionsOf(mock, name, "stt-turns");
    // Each config went out as given on the first connection; none was refused.
    expect(clientTexts(s1!).slice(0, 4)).toEqual([
      '{"type":"config","keyterms":["table","booking"],"language_hints":["en","fr"]}',
      '{"type":"config","keyterms":[]}',
      '{"type":"config","turn":{"end_timeout_ms":2000}}',
      '{"type":"config","turn":{"end_threshold":0.15}}',
    ]);
    // The new connection gets the merged configuration before any audio: [] is kept (it clears the
    // handshake's keyterm), null and omitted fields keep what was set.
    const firstOfS2 = s2!.entries.find((e) => e.dir === "client");
    expect(firstOfS2).toMatchObject({
      kind: "text",
      text: '{"type":"config","turn":{"end_timeout_ms":2000,"end_threshold":0.15},"keyterms":[],"language_hints":["en","fr"]}',
    });
    expect(clientTexts(s2!).filter((t) => t!.includes('"config"'))).toHaveLength(1);
    expect(events.filter((e) => e.type === "error")).toEqual([]);

    // Words after the reconnect: the mock's times on the new connection, plus the offset in seconds.
    const shift = offset / BYTES_PER_SECOND;
    const afterSent = sentTextFrames(s2!);
    const after = surfacedText(events.slice(events.indexOf(reconnected!)));
    expect(after.length).toBe(afterSent.length);
    expect(afterSent.some((m) => m.words && m.words.length > 0)).toBe(true);
    after.forEach((e, i) => {
      const wire = afterSent[i]!;
      expect(e.words).toEqual(wire.words?.map((w) => ({ word: w.word, start: Math.round((w.start + shift) * 1e6) / 1e6, end: Math.round((w.end + shift) * 1e6) / 1e6 })));
      expect(e.languages).toEqual(wire.languages);
    });
    // Stream time: the new connection's words start after the boundary.
    expect(after.find((e) => e.words)?.words?.[0]?.start).toBeGreaterThan(shift);
  });
});

describe("config lists", () => {
  it("checks a config before sending it: ranges, keyterm limits, at most 6 hints (nothing goes out)", async () => {
    const session = clientFor(mock).stt.turns(PREVIEW);
    expect(() => session.configure({ language_hints: ["en", "fr", "de", "es", "it", "pt", "ja"] })).toThrow(/^config: language_hints: at most 6 language hints, got 7$/);
    expect(() => session.configure({ keyterms: Array.from({ length: 101 }, (_, i) => `k${i}`) })).toThrow(/^config: keyterms: at most 100 keyterms, got 101$/);
    expect(() => session.configure({ keyterms: ["x".repeat(1201)] })).toThrow(/keyterms total at most 1200 characters/);
    expect(() => session.configure({ turn: { start_threshold: 0.6, eager_end_threshold: 0.6 } })).toThrow(/^config: turn\.eager_end_threshold: /);
    expect(() => session.configure({ keyterms: "table" as never })).toThrow(SpeechwireError);
    session.configure({ language_hints: ["en", "fr", "de", "es", "it", "pt"] });
    await session.ready;
    await session.close();
    expect(clientTexts(sessionById(mock, session.requestId))).toEqual(['{"type":"config","language_hints":["en","fr","de","es","it","pt"]}', '{"type":"close"}']);
    expect(() => session.configure({ keyterms: [] })).toThrow(/after close/);
  });

  it("surfaces a config the server refuses as an error event; the session goes on, and a later drop still reconnects", async () => {
    const name = addScenario(mock, {
      name: "lists-refused-then-drop",
      stt: { turns: [{ segments: [{ say: "Hi there." }], endSilence: 0.8 }, { segments: [{ say: "Bye now." }] }] },
      faults: [{ at: { event: "turn.end", index: 0 }, action: { type: "drop" }, endpoints: ["stt-turns"], connections: 1 }],
    });
    // ink-2 takes no language hints: the client cannot know that, the server says so.
    const session = clientFor(mock, name).stt.turns(TURNS_PARAMS, { reconnect: { initialDelayMs: 20 } });
    const eventsP = collect(session);
    session.configure({ language_hints: ["fr"] });
    for (const c of chunks(patternAudio(scriptSeconds(mock, name) + 0.5), 640)) session.send(c);
    const text = await session.close();
    const events = await eventsP;
    const errors = events.flatMap((e) => (e.type === "error" ? [e.error] : []));
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors[0]).toBeInstanceOf(CartesiaApiError);
    expect(errors[0]).toMatchObject({ status: 400, message: expect.stringMatching(/language hints/) });
    // The session went on after the error: turn events, a reconnect on the drop (a refused config is
    // not a fatal 4xx), and a clean close with every turn.
    const firstError = events.findIndex((e) => e.type === "error");
    expect(events.slice(firstError).some((e) => e.type === "turnStart")).toBe(true);
    expect(events.some((e) => e.type === "reconnected")).toBe(true);
    expect(text).toContain("Bye now.");
    expect(events.at(-1)).toMatchObject({ type: "close", code: 1000 });
    expect(events.at(-1)).not.toHaveProperty("error");
  });

  it("reconnects when the connection is lost right after a refused config (the drop ended it, not the error)", async () => {
    const name = addScenario(mock, {
      name: "lists-refused-then-drop-at-once",
      stt: { turns: [{ leadSilence: 0.3, segments: [{ say: "Hello there." }] }] },
      faults: [{ at: { audio: 0.05 }, action: { type: "drop" }, endpoints: ["stt-turns"], connections: 1 }],
    });
    const session = clientFor(mock, name).stt.turns(TURNS_PARAMS, { reconnect: { initialDelayMs: 20 } });
    const eventsP = collect(session);
    session.configure({ language_hints: ["fr"] });
    await session.ready;
    // Nothing but the error comes between the config and the drop.
    await until(() => sessionsOf(mock, name, "stt-turns")[0]?.entries.some((e) => e.dir === "server" && e.text?.includes('"error"')) ?? false, 5000, "the refusal");
    for (const c of chunks(patternAudio(scriptSeconds(mock, name) + 0.5), 640)) session.send(c);
    const text = await session.close();
    const events = await eventsP;
    const [s1] = sessionsOf(mock, name, "stt-turns");
    const served = s1!.entries.filter((e) => e.dir === "server" && e.kind === "text").map((e) => JSON.parse(e.text!).type);
    expect(served).toEqual(["connected", "error"]);
    expect(events.find((e) => e.type === "reconnecting")).toMatchObject({ code: 1006 });
    expect(events.some((e) => e.type === "reconnected")).toBe(true);
    expect(text).toBe("Hello there.");
  });

  it("STT v1: configure sends a JSON config text frame; a refused one is an error event and the stream still drains to done", async () => {
    const ok = clientFor(mock).stt.stream({ ...V1_PARAMS, model: "ink-preview" });
    ok.configure({ keyterms: ["table"], language_hints: ["en"] });
    for (const c of chunks(patternAudio(1), 640)) ok.send(c);
    await ok.close();
    const okRecord = sessionById(mock, ok.requestId);
    expect(clientTexts(okRecord)).toEqual(['{"type":"config","keyterms":["table"],"language_hints":["en"]}', "close"]);
    expect(okRecord.entries.filter((e) => e.dir === "server" && e.text?.includes('"error"'))).toEqual([]);

    // ink-2 takes no hints ("It returns an error event if you pass them").
    const refused = clientFor(mock).stt.stream({ ...V1_PARAMS, model: "ink-2" });
    const eventsP = collect(refused);
    refused.configure({ language_hints: ["fr"] });
    for (const c of chunks(patternAudio(scriptSeconds(mock, "default") + 0.5), 640)) refused.send(c);
    const text = await refused.close();
    const events = await eventsP;
    expect(events.find((e) => e.type === "error")).toMatchObject({ error: { status: 400 } });
    expect(events.some((e) => e.type === "done")).toBe(true);
    expect(text).toBe("Hi, I'd like to book a table for two people tonight. Around seven would be great.");
  });

  it("STT v1: the merged lists are re-sent first on a new connection, once", async () => {
    const name = addScenario(mock, {
      name: "lists-v1-drop-after-flush",
      stt: { turns: [{ segments: [{ say: "Hi, I'd like to book a table" }, { pause: 0.5 }, { say: "for two people tonight." }] }] },
      faults: [{ at: { event: "flush_done", index: 0 }, action: { type: "drop" }, endpoints: ["stt-v1"], connections: 1 }],
    });
    const stream = clientFor(mock, name).stt.stream({ ...V1_PARAMS, model: "ink-preview" }, { reconnect: { initialDelayMs: 20 } });
    const eventsP = collect(stream);
    stream.configure({ keyterms: ["table"], language_hints: ["en"] });
    stream.configure({ language_hints: ["en", "fr"] });
    const audio = patternAudio(scriptSeconds(mock, name) + 0.5);
    for (const c of chunks(audio.subarray(0, BYTES_PER_SECOND), 640)) stream.send(c);
    await stream.finalize();
    for (const c of chunks(audio.subarray(BYTES_PER_SECOND), 640)) stream.send(c);
    await stream.close();
    const events = await eventsP;
    expect(events.some((e) => e.type === "reconnected")).toBe(true);
    expect(events.filter((e) => e.type === "error")).toEqual([]);
    const [s1, s2] = sessionsOf(mock, name, "stt-v1");
    expect(clientTexts(s1!).slice(0, 2)).toEqual(['{"type":"config","keyterms":["table"],"language_hints":["en"]}', '{"type":"config","language_hints":["en","fr"]}']);
    expect(s2!.entries.find((e) => e.dir === "client")).toMatchObject({ kind: "text", text: '{"type":"config","keyterms":["table"],"language_hints":["en","fr"]}' });
    expect(clientTexts(s2!)).toEqual(['{"type":"config","keyterms":["table"],"language_hints":["en","fr"]}', "close"]);
  });
});

describe("language hints in the handshake", () => {
  it("sends language_hint repeated on both sockets, and refuses more than 6 (or too many keyterms) before connecting", async () => {
    const turns = clientFor(mock).stt.turns({ ...PREVIEW, language_hint: ["en", "hi"] });
    await turns.ready;
    await turns.close();
    expect(sessionById(mock, turns.requestId).query.language_hint).toEqual(["en", "hi"]);
    const v1 = clientFor(mock).stt.stream({ ...V1_PARAMS, model: "ink-preview", language_hints: ["en,fr"] });
    await v1.ready;
    await v1.close();
    expect(sessionById(mock, v1.requestId).query.language_hints).toBe("en,fr");

    const before = mock.sessions().length;
    const seven = ["en", "fr", "de", "es", "it", "pt", "ja"];
    expect(() => clientFor(mock).stt.turns({ ...PREVIEW, language_hint: seven })).toThrow(/^language_hint: at most 6 language hints, got 7$/);
    expect(() => clientFor(mock).stt.stream({ ...V1_PARAMS, language_hints: [seven.join(",")] })).toThrow(/^language_hints: at most 6/);
    expect(() => clientFor(mock).stt.stream({ ...V1_PARAMS, keyterm: Array.from({ length: 101 }, () => "k") })).toThrow(/^keyterm: at most 100 keyterms/);
    await delay(50);
    expect(mock.sessions().length).toBe(before);
  });
});
