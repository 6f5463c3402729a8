import { lintSession, sttTurns, type RawSessionEvent } from "@speechwire/protocol";
import { describe, expect, it } from "vitest";
import { chunkBytes, compileScript, createSttTurnsCore, driveCore, type SttTurnsCoreOptions } from "../src/core/stt/index.js";
import type { CoreInput } from "../src/core/types.js";
import { BUILTIN_SCENARIOS } from "../src/scenario/builtin.js";
import { scenarioSchema, type Scenario, type ScenarioInput } from "../src/scenario/schema.js";

const RATE = 16000;
const REQUEST_ID = "c0a8012e-4f1b-4d6a-9e3c-5b7d2a1f9e04";
const query: sttTurns.Query = { model: "ink-2", encoding: "pcm_s16le", sample_rate: RATE };

const builtin = (name: string) => BUILTIN_SCENARIOS.find((s) => s.name === name) as Scenario;
const scenario = (input: Omit<ScenarioInput, "name">) => scenarioSchema.parse({ name: "t", ...input });
const core = (s: Scenario, extra: Partial<SttTurnsCoreOptions> = {}) =>
  createSttTurnsCore({ query, version: "2026-03-01", requestId: REQUEST_ID, scenario: s, seed: 7, connection: 1, ...extra });
/** Silence of `seconds` (audio mode ignores the content). */
const audio = (seconds: number) => new Uint8Array(Math.round(seconds * RATE) * 2);
const chunks = (bytes: Uint8Array, size = 640): CoreInput[] => chunkBytes(bytes, [size]).map((data) => ({ kind: "audio", data }));
const CLOSE: CoreInput = { kind: "text", data: '{"type":"close"}' };
const text = (data: string): CoreInput => ({ kind: "text", data });
const parsed = (frames: string[], version = "2026-03-01") =>
  frames.map((f) => {
    const m = sttTurns.parseServerMessage(f, { strictness: "strict", version });
    if (!m.ok) throw new Error(`${f}: ${m.error.message}`);
    return m.value;
  });
const lint = (events: RawSessionEvent[], version = "2026-03-01") => lintSession("stt-turns", events, { strictness: "strict", version });

describe("stt-turns core", () => {
  it("produces the §3.6 example event for event when fed eager-resume's audio in 20 ms chunks", () => {
    const s = builtin("eager-resume");
    const result = driveCore(core(s), [...chunks(audio(compileScript(s.stt).duration)), CLOSE]);
    const r = `"request_id":"${REQUEST_ID}"`;
    expect(result.sent).toEqual([
      `{"type":"connected",${r}}`,
      `{"type":"turn.start",${r}}`,
      `{"type":"turn.update","transcript":"I'd like to",${r}}`,
      `{"type":"turn.eager_end","transcript":"I'd like to change my order.",${r}}`,
      `{"type":"turn.resume",${r}}`,
      `{"type":"turn.update","transcript":"I'd like to change my order. The address",${r}}`,
      `{"type":"turn.end","transcript":"I'd like to change my order. The address is wrong.",${r}}`,
    ]);
    expect(result.closed).toEqual({ code: 1000, reason: "OK" });
    expect(lint(result.events)).toEqual([]);
  });

  it("sends connected on open and nothing without audio", () => {
    const c = core(builtin("default"));
    expect(c.open()).toEqual([{ kind: "send", data: `{"type":"connected","request_id":"${REQUEST_ID}"}` }]);
    expect(c.step({ kind: "text", data: '{"type":"config","turn":{"end_timeout_ms":2000}}' })).toEqual([]);
    expect(c.audioSeconds).toBe(0);
  });

  it("fires each event once the audio clock reaches it", () => {
    const c = core(builtin("eager-resume"));
    c.open();
    const types = (outs: ReturnType<typeof c.step>) => outs.map((o) => (o.kind === "send" ? JSON.parse(o.data).type : o.kind));
    expect(types(c.step({ kind: "audio", data: audio(0.39) }))).toEqual([]);
    expect(types(c.step({ kind: "audio", data: audio(0.01) }))).toEqual(["turn.start"]);
    expect(types(c.step({ kind: "audio", data: audio(1.48) }))).toEqual(["turn.update", "turn.eager_end"]);
    expect(c.audioSeconds).toBeCloseTo(1.88, 9);
  });

  it("drains at close: a turn whose speech ended gets its full turn.end, one cut mid-speech the words heard", () => {
    const s = builtin("eager-resume");
    // Speech ends at 3.36; turn.end would come at 3.76.
    const ended = driveCore(core(s), [...chunks(audio(3.4)), CLOSE]);
    expect(parsed(ended.sent).at(-1)).toEqual({ type: "turn.end", request_id: REQUEST_ID, transcript: "I'd like to change my order. The address is wrong." });
    expect(ended.closed?.code).toBe(1000);
    // Cut inside the pause, after the eager end: turn.end (valid after eager_end) with the words heard.
    const cut = driveCore(core(s), [...chunks(audio(2.0)), CLOSE]);
    expect(parsed(cut.sent).map((m) => m.type)).toEqual(["connected", "turn.start", "turn.update", "turn.eager_end", "turn.end"]);
    expect(parsed(cut.sent).at(-1)).toMatchObject({ transcript: "I'd like to change my order." });
    // Cut mid-word: only words whose end was heard.
    const mid = driveCore(core(s), [...chunks(audio(1.2)), CLOSE]);
    expect(parsed(mid.sent).at(-1)).toMatchObject({ type: "turn.end", transcript: "I'd like to" });
    // Before turn.start nothing is open, so nothing is ended.
    const early = driveCore(core(s), [...chunks(audio(0.35)), CLOSE]);
    expect(parsed(early.sent).map((m) => m.type)).toEqual(["connected"]);
    for (const r of [ended, cut, mid, early]) expect(lint(r.events)).toEqual([]);
  });

  it("ignores everything after close, and sends no done", () => {
    const c = core(builtin("default"));
    c.open();
    c.step({ kind: "audio", data: audio(0.5) });
    const closing = c.step(CLOSE);
    expect(closing.at(-1)).toEqual({ kind: "close", code: 1000, reason: "OK" });
    expect(closing.some((o) => o.kind === "send" && JSON.parse(o.data).type === "done")).toBe(false);
    expect(c.step({ kind: "audio", data: audio(5) })).toEqual([]);
    expect(c.step(CLOSE)).toEqual([]);
    expect(c.step(text("nonsense"))).toEqual([]);
  });

  it("answers bad text frames with a 400 error, structured whatever the version, and stays open", () => {
    const bad = ["not json", "close", "finalize", '{"type":"nope"}', '{"no":"type"}', "[1,2]", '{"type":"config","turn":{"end_threshold":0.9}}'];
    for (const version of ["2026-03-01", "2025-04-16"]) {
      const c = core(builtin("default"), { version });
      c.open();
      for (const frame of bad) {
        const out = c.step(text(frame));
        expect(out).toHaveLength(1);
        // The turns endpoint postdates the legacy shape: structured on 2025-04-16 too (LiveKit's Python plugin reads status_code).
        const [error] = parsed(out.map((o) => (o.kind === "send" ? o.data : "")));
        expect(error).toMatchObject({ type: "error", status_code: 400, error_code: "invalid_request", request_id: REQUEST_ID, done: true });
      }
      // Still open: audio still drives events, and close still drains.
      expect(c.step({ kind: "audio", data: audio(0.5) }).length).toBeGreaterThan(0);
      expect(c.step(CLOSE).at(-1)).toMatchObject({ kind: "close", code: 1000 });
    }
  });

  it("names the field of an out-of-range config and checks the threshold order after merging", () => {
    const c = core(builtin("default"));
    c.open();
    const message = (frame: string) => {
      const [out] = c.step(text(frame));
      return out?.kind === "send" ? (JSON.parse(out.data) as { message: string }).message : undefined;
    };
    expect(message('{"type":"config","turn":{"end_threshold":0.9}}')).toMatch(/^turn\.end_threshold: /);
    expect(message('{"type":"config","turn":{"end_timeout_ms":100}}')).toMatch(/^turn\.end_timeout_ms: /);
    expect(message('{"type":"config","turn":{"start_threshold":"high"}}')).toMatch(/^turn\.start_threshold: /);
    expect(c.settings).toEqual({ start_threshold: 0.8, eager_end_threshold: 0.4, end_threshold: 0.2, end_timeout_ms: 5600 });
    expect(message('{"type":"config","turn":{"eager_end_threshold":0.3}}')).toBeUndefined();
    // 0.35 is in range, but above the session's eager_end threshold (0.3) once merged.
    expect(message('{"type":"config","turn":{"end_threshold":0.35}}')).toMatch(/end_threshold/);
    expect(message('{"type":"config","turn":{"end_threshold":0.15,"end_timeout_ms":2000,"extra":1}}')).toBeUndefined();
    expect(c.settings).toEqual({ start_threshold: 0.8, eager_end_threshold: 0.3, end_threshold: 0.15, end_timeout_ms: 2000 });
  });

  it("takes its first settings from the handshake", () => {
    const c = core(builtin("default"), { query: { ...query, turn_start_threshold: 0.6, turn_end_timeout_ms: 1000 } });
    expect(c.settings).toMatchObject({ start_threshold: 0.6, end_timeout_ms: 1000 });
  });

  it("carries odd trailing bytes over instead of losing them", () => {
    const c = core(builtin("default"));
    c.open();
    c.step({ kind: "audio", data: new Uint8Array(3) });
    expect(c.audioSeconds).toBe(1 / RATE);
    c.step({ kind: "audio", data: new Uint8Array(1) });
    expect(c.audioSeconds).toBe(2 / RATE);
    const f32 = core(builtin("default"), { query: { ...query, encoding: "pcm_f32le" } });
    for (let i = 0; i < 7; i += 1) f32.step({ kind: "audio", data: new Uint8Array(1) });
    expect(f32.audioSeconds).toBe(1 / RATE);
  });

  it("delays turn.end by the scenario's turnEnd latency, the same for the same seed", () => {
    const fixed = scenario({ stt: builtin("eager-end").stt, latency: { turnEnd: 250 } });
    const out = driveCore(core(fixed), [...chunks(audio(3))]).outputs;
    const end = out.find((o) => o.kind === "send" && o.data.includes("turn.end"));
    expect(end).toMatchObject({ delayMs: 250 });
    expect(out.filter((o) => "delayMs" in o)).toHaveLength(1);
    const profiled = scenario({ stt: builtin("multi-turn").stt, latency: { turnEnd: "ink-2-30d" } });
    const run = (seed: number) => driveCore(core(profiled, { seed }), chunks(audio(12))).outputs;
    const delays = run(1).flatMap((o) => ("delayMs" in o ? [o.delayMs] : []));
    expect(delays).toHaveLength(4);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(80);
    expect(run(1)).toEqual(run(1));
    expect(run(2)).not.toEqual(run(1));
    // Each connection of one server draws its own delays (not the same sequence every session).
    const onConnection = (connection: number) => driveCore(core(profiled, { seed: 1, connection }), chunks(audio(12))).outputs;
    expect(onConnection(2)).not.toEqual(onConnection(1));
    expect(onConnection(2)).toEqual(onConnection(2));
  });

  it("repeats a looping script", () => {
    const s = scenario({ stt: { afterScript: "loop", turns: [{ segments: [{ say: "again" }] }] } });
    const result = driveCore(core(s), [...chunks(audio(compileScript(s.stt).duration * 3)), CLOSE]);
    expect(parsed(result.sent).filter((m) => m.type === "turn.end")).toHaveLength(3);
    expect(lint(result.events)).toEqual([]);
  });

  it("hears only silence after a script that stops", () => {
    const s = builtin("eager-end");
    const once = driveCore(core(s), chunks(audio(compileScript(s.stt).duration))).sent;
    const longer = driveCore(core(s), chunks(audio(30))).sent;
    expect(longer).toEqual(once);
  });
});

describe("stt-turns faults", () => {
  const speech = { turns: [{ segments: [{ say: "one two three four five" }] }] };
  const run = (faults: ScenarioInput["faults"], extra: Partial<SttTurnsCoreOptions> = {}, seconds = 3) =>
    driveCore(core(scenario({ stt: speech, faults }), extra), [...chunks(audio(seconds)), CLOSE]);
  const types = (sent: string[]) => sent.map((f) => JSON.parse(f).type as string);

  it("sends a fatal error then closes 1011 (5xx) or 1008 (4xx)", () => {
    const five = run([{ at: { audio: 1 }, action: { type: "error", status: 503 } }]);
    expect(types(five.sent)).toEqual(["connected", "turn.start", "turn.update", "turn.update", "error"]);
    expect(five.closed?.code).toBe(1011);
    const four = run([{ at: { audio: 1 }, action: { type: "error", status: 402, code: "payment_required" } }]);
    expect(four.closed?.code).toBe(1008);
    expect(JSON.parse(four.sent.at(-1) as string)).toMatchObject({ status_code: 402, error_code: "payment_required" });
    expect(lint(five.events)).toEqual([]);
  });

  it("keeps going after a non-fatal error", () => {
    const r = run([{ at: { audio: 1 }, action: { type: "error", status: 400, fatal: false } }]);
    expect(types(r.sent)).toContain("turn.end");
    expect(types(r.sent).indexOf("error")).toBe(4);
    expect(r.closed?.code).toBe(1000);
  });

  it("closes with the scripted code, or drops", () => {
    expect(run([{ at: { audio: 0.5 }, action: { type: "close", code: 4000, reason: "scripted" } }]).closed).toEqual({ code: 4000, reason: "scripted" });
    const dropped = run([{ at: { audio: 0.5 }, action: { type: "drop" } }]);
    expect(dropped.outputs.at(-1)).toEqual({ kind: "drop" });
    expect(lint(dropped.events)).toEqual([]);
  });

  it("fires on the n-th server event of a type and on the n-th client message", () => {
    const byEvent = run([{ at: { event: "turn.update", index: 1 }, action: { type: "drop" } }]);
    expect(types(byEvent.sent)).toEqual(["connected", "turn.start", "turn.update", "turn.update"]);
    const onConnected = run([{ at: { event: "connected" }, action: { type: "close", code: 4001 } }]);
    expect(onConnected.sent).toHaveLength(1);
    expect(onConnected.closed?.code).toBe(4001);
    const c = core(scenario({ stt: speech, faults: [{ at: { message: 2 }, action: { type: "close", code: 4002 } }] }));
    c.open();
    expect(c.step(text('{"type":"config","turn":{}}'))).toEqual([]);
    expect(c.step({ kind: "audio", data: audio(0.01) })).toEqual([]);
    expect(c.step({ kind: "audio", data: audio(0.01) })).toEqual([{ kind: "close", code: 4002, reason: "" }]);
  });

  it("honours the connections and endpoints gates", () => {
    const faults: ScenarioInput["faults"] = [{ at: { audio: 0.5 }, action: { type: "drop" }, connections: 1 }];
    expect(run(faults, { connection: 1 }).closed?.code).toBe(1006);
    expect(run(faults, { connection: 2 }).closed?.code).toBe(1000);
    expect(run([{ at: { audio: 0.5 }, action: { type: "drop" }, endpoints: ["tts", "stt-v1"] }]).closed?.code).toBe(1000);
    expect(run([{ at: { audio: 0.5 }, action: { type: "drop" }, endpoints: ["stt-turns"] }]).closed?.code).toBe(1006);
  });

  it("stalls: outputs wait for the timer, in order, while audio keeps the clock going", () => {
    const c = core(scenario({ stt: speech, faults: [{ at: { audio: 0.3 }, action: { type: "stall", seconds: 2 } }] }));
    c.open();
    expect(c.step({ kind: "audio", data: audio(0.3) })).toEqual([{ kind: "timer", afterMs: 2000 }]);
    expect(c.step({ kind: "audio", data: audio(1) })).toEqual([]);
    expect(c.audioSeconds).toBeCloseTo(1.3, 9);
    const held = c.step({ kind: "tick" });
    expect(held.map((o) => (o.kind === "send" ? JSON.parse(o.data).type : o.kind))).toEqual(["turn.start", "turn.update", "turn.update"]);
    expect(c.step({ kind: "tick" })).toEqual([]);
    // Through driveCore (which answers timers at once) the frames match an unstalled run.
    const stalled = run([{ at: { audio: 0.3 }, action: { type: "stall", seconds: 2 } }]);
    expect(stalled.sent).toEqual(run([]).sent);
  });
});
