import { lintSession, sttV1, type RawSessionEvent } from "@speechwire/protocol";
import { describe, expect, it } from "vitest";
import { chunkBytes, compileScript, createSttV1Core, DEFAULT_MAX_SILENCE_SECS, driveCore, maxSilenceOf, type SttV1CoreOptions } from "../src/core/stt/index.js";
import type { CoreInput, CoreOutput } from "../src/core/types.js";
import { BUILTIN_SCENARIOS } from "../src/scenario/builtin.js";
import { scenarioSchema, type Scenario, type ScenarioInput } from "../src/scenario/schema.js";

const RATE = 16000;
const REQUEST_ID = "7d1c3f0e-5a2b-4c9d-8e11-2f6a9b0c4d51";
const query: sttV1.Query = { model: "ink-whisper", encoding: "pcm_s16le", sample_rate: RATE, language: "en" };

const builtin = (name: string) => BUILTIN_SCENARIOS.find((s) => s.name === name) as Scenario;
const scenario = (input: Omit<ScenarioInput, "name">) => scenarioSchema.parse({ name: "t", ...input });
const core = (s: Scenario, extra: Partial<SttV1CoreOptions> = {}) =>
  createSttV1Core({ query, version: "2026-03-01", requestId: REQUEST_ID, scenario: s, seed: 3, connection: 1, ...extra });
const audio = (seconds: number) => new Uint8Array(Math.round(seconds * RATE) * 2);
const chunks = (bytes: Uint8Array, size = 3200): CoreInput[] => chunkBytes(bytes, [size]).map((data) => ({ kind: "audio", data }));
const text = (data: string): CoreInput => ({ kind: "text", data });
const messages = (frames: string[], version = "2026-03-01") =>
  frames.map((f) => {
    const m = sttV1.parseServerMessage(f, { strictness: "strict", version });
    if (!m.ok) throw new Error(`${f}: ${m.error.message}`);
    return m.value;
  });
const finals = (frames: string[]) => messages(frames).flatMap((m) => (m.type === "transcript" && m.is_final ? [m] : []));
const lint = (events: RawSessionEvent[], version = "2026-03-01") => lintSession("stt-v1", events, { strictness: "strict", version });
const sends = (outs: CoreOutput[]) => outs.flatMap((o) => (o.kind === "send" ? [o.data] : []));

describe("stt-v1 core", () => {
  it("sends no connected, interims as words complete, finals on silence, and done + 1000 on close", () => {
    const s = builtin("default");
    const c = core(s);
    expect(c.open()).toEqual([]);
    const result = driveCore(c, [...chunks(audio(compileScript(s.stt).duration)), text("close")]);
    const all = messages(result.sent);
    expect(all[0]).toEqual({
      type: "transcript",
      is_final: false,
      text: "Hi,",
      duration: 0.3,
      language: "en",
      words: [{ word: "Hi,", start: 0.3, end: 0.6 }],
      request_id: REQUEST_ID,
    });
    expect(finals(result.sent).map((f) => f.text)).toEqual(["Hi, I'd like to book a table for two people tonight.", " Around seven would be great."]);
    expect(all.at(-1)).toEqual({ type: "done", request_id: REQUEST_ID });
    expect(result.closed).toEqual({ code: 1000, reason: "OK" });
    expect(lint(result.events)).toEqual([]);
  });

  it("interim text is the delta since the last final, and words are stream-relative", () => {
    const s = builtin("dictation");
    const sent = driveCore(core(s), chunks(audio(6))).sent;
    const all = messages(sent).filter((m) => m.type === "transcript");
    const afterFirstFinal = all[all.findIndex((m) => m.type === "transcript" && m.is_final) + 1];
    expect(afterFirstFinal).toMatchObject({ is_final: false, text: " The", words: [{ word: "The", start: 5.4, end: 5.7 }] });
  });

  it("finalize sends the finals of every word heard and not yet finalized, then flush_done", () => {
    const c = core(builtin("default"));
    c.step({ kind: "audio", data: audio(1.2) }); // "Hi," (0.6) and "I'd" (0.98) heard; "like" ends at 1.36
    const out = messages(sends(c.step(text("finalize"))));
    expect(out).toEqual([
      expect.objectContaining({ type: "transcript", is_final: true, text: "Hi, I'd", words: [expect.objectContaining({ word: "Hi," }), expect.objectContaining({ word: "I'd" })] }),
      { type: "flush_done", request_id: REQUEST_ID },
    ]);
    // Nothing new heard: finalize answers with flush_done alone.
    expect(messages(sends(c.step(text("finalize"))))).toEqual([{ type: "flush_done", request_id: REQUEST_ID }]);
    const next = messages(sends(c.step({ kind: "audio", data: audio(0.2) })));
    expect(next).toEqual([expect.objectContaining({ is_final: false, text: " like" })]);
  });

  it("concatenating the finals verbatim reproduces the script, with close and with legacy done", () => {
    for (const command of ["close", "done"]) {
      for (const s of BUILTIN_SCENARIOS) {
        const result = driveCore(core(s), [...chunks(audio(compileScript(s.stt).duration), 4410), text("finalize"), text(command)]);
        if (result.closed?.code !== 1000) continue; // scenarios whose faults end the session early
        expect(finals(result.sent).map((f) => f.text).join("")).toBe(compileScript(s.stt).text);
      }
    }
  });

  it("close flushes the words heard but not yet finalized", () => {
    const result = driveCore(core(builtin("default")), [...chunks(audio(1.5)), text("close")]);
    const tail = messages(result.sent).slice(-2);
    expect(tail).toEqual([expect.objectContaining({ is_final: true, text: "Hi, I'd like" }), { type: "done", request_id: REQUEST_ID }]);
  });

  it("auto-finalizes after max_silence_duration_secs (ink-whisper) or the 0.8 s default (ink-2)", () => {
    const s = scenario({ stt: { turns: [{ segments: [{ say: "a b" }, { pause: 0.5, eager: false }, { say: "c" }] }] } });
    const finalTexts = (q: sttV1.Query) => finals(driveCore(core(s, { query: q }), chunks(audio(4))).sent).map((f) => f.text);
    expect(finalTexts(query)).toEqual(["a b c"]);
    expect(finalTexts({ ...query, max_silence_duration_secs: 0.4 })).toEqual(["a b", " c"]);
    expect(finalTexts({ ...query, model: "ink-2", max_silence_duration_secs: 0.4 })).toEqual(["a b c"]);
    expect(maxSilenceOf({ ...query, model: "ink-2" })).toBe(DEFAULT_MAX_SILENCE_SECS);
    // The final comes exactly when the silence reaches the threshold: 0.98 (end of "b") + 0.4.
    const c = core(s, { query: { ...query, max_silence_duration_secs: 0.4 } });
    c.step({ kind: "audio", data: audio(1.37) });
    expect(finals(sends(c.step({ kind: "audio", data: audio(0.01) })))).toHaveLength(1);
  });

  it("uses the query's language, else the scenario's", () => {
    const s = scenario({ stt: { language: "de", turns: [{ segments: [{ say: "Hallo" }] }] } });
    const lang = (q: sttV1.Query) => messages(driveCore(core(s, { query: q }), chunks(audio(1))).sent)[0];
    expect(lang({ ...query, language: "fr" })).toMatchObject({ language: "fr" });
    const { language: _ignored, ...noLanguage } = query;
    expect(lang(noLanguage)).toMatchObject({ language: "de" });
  });

  it("answers any other text (JSON too) with a 400 error in the version's shape and stays open", () => {
    const bad = ['{"type":"close"}', '{"type":"finalize"}', "Finalize", "close ", "", "hello"];
    for (const version of ["2026-03-01", "2025-04-16"]) {
      const c = core(builtin("default"), { version });
      for (const frame of bad) {
        const out = c.step(text(frame));
        expect(out).toHaveLength(1);
        const [error] = messages(sends(out), version);
        if (version === "2026-03-01") {
          expect(error).toMatchObject({ type: "error", status_code: 400, error_code: "invalid_request", request_id: REQUEST_ID });
        } else {
          expect(error).toEqual({ type: "error", code: 400, message: expect.stringMatching(/^Invalid message: /), request_id: REQUEST_ID });
        }
      }
      expect(JSON.parse(sends(c.step(text('{"type":"close"}')))[0] as string).message).toMatch(/the commands are bare text/);
      expect(sends(c.step({ kind: "audio", data: audio(0.7) }))).toHaveLength(1);
      expect(c.step(text("close")).at(-1)).toMatchObject({ kind: "close", code: 1000 });
    }
  });

  it("ignores everything after close", () => {
    const c = core(builtin("default"));
    c.step(text("close"));
    expect(c.step({ kind: "audio", data: audio(3) })).toEqual([]);
    expect(c.step(text("finalize"))).toEqual([]);
    expect(c.step(text("close"))).toEqual([]);
  });

  it("carries odd trailing bytes over to the next frame", () => {
    const c = core(builtin("default"));
    const bytes = audio(0.7);
    // 11201 bytes then the rest: the half sample at the end of the first frame is completed by the second.
    const first = sends(c.step({ kind: "audio", data: bytes.subarray(0, 11201) }));
    expect(c.audioSeconds).toBe(5600 / RATE);
    const second = sends(c.step({ kind: "audio", data: bytes.subarray(11201) }));
    expect(c.audioSeconds).toBe(0.7);
    expect([...first, ...second]).toEqual(driveCore(core(builtin("default")), [{ kind: "audio", data: bytes }]).sent);
  });

  it("delays the answer to finalize and close by the scenario's finalize latency", () => {
    const s = scenario({ stt: builtin("default").stt, latency: { finalize: 300 } });
    const c = core(s);
    c.step({ kind: "audio", data: audio(1) });
    const answer = c.step(text("finalize"));
    expect(answer.map((o) => ("delayMs" in o ? o.delayMs : 0))).toEqual([300, 0]);
    expect(c.step(text("finalize"))).toEqual([{ kind: "send", data: `{"type":"flush_done","request_id":"${REQUEST_ID}"}`, delayMs: 300 }]);
    const closing = c.step(text("close"));
    expect(closing[0]).toMatchObject({ kind: "send", delayMs: 300 });
    // Auto-finalize is scripted on the audio clock, not delayed.
    const auto = driveCore(core(s), chunks(audio(8))).outputs;
    expect(auto.some((o) => "delayMs" in o)).toBe(false);
  });

  it("draws finalize delays from a profile per connection: the same for the same connection, another for the next", () => {
    const s = scenario({ stt: builtin("default").stt, latency: { finalize: "ink-2-30d" } });
    const delays = (connection: number) => {
      const c = core(s, { connection });
      c.step({ kind: "audio", data: audio(1) });
      return [0, 1, 2].map(() => c.step(text("finalize")).map((o) => ("delayMs" in o ? o.delayMs : 0))[0]);
    };
    expect(delays(1)).toEqual(delays(1));
    expect(delays(2)).not.toEqual(delays(1));
    for (const d of [...delays(1), ...delays(2)]) expect(d).toBeGreaterThanOrEqual(80);
  });

  it("repeats a looping script; the finals keep concatenating to the text", () => {
    const s = scenario({ stt: { afterScript: "loop", turns: [{ segments: [{ say: "one more time" }] }] } });
    const period = compileScript(s.stt).duration;
    const result = driveCore(core(s), [...chunks(audio(period * 3)), text("close")]);
    expect(finals(result.sent).map((f) => f.text).join("")).toBe("one more time one more time one more time");
    expect((finals(result.sent)[2]?.words as { start: number }[] | undefined)?.[0]).toMatchObject({ start: 0.3 + 2 * period });
    expect(lint(result.events)).toEqual([]);
  });
});

describe("stt-v1 faults", () => {
  const speech = { turns: [{ segments: [{ say: "one two three four five" }] }] };
  const run = (faults: ScenarioInput["faults"], extra: Partial<SttV1CoreOptions> = {}) =>
    driveCore(core(scenario({ stt: speech, faults }), extra), [...chunks(audio(3)), text("close")]);

  it("errors (fatal → 1011 / 1008), closes, drops and counts final transcripts as transcript.final", () => {
    const fatal = run([{ at: { audio: 1 }, action: { type: "error", status: 500 } }]);
    expect(messages(fatal.sent).at(-1)).toMatchObject({ type: "error", status_code: 500 });
    expect(fatal.closed?.code).toBe(1011);
    expect(run([{ at: { audio: 1 }, action: { type: "error", status: 429, code: "concurrency_limited" } }]).closed?.code).toBe(1008);
    const open = run([{ at: { audio: 1 }, action: { type: "error", status: 400, fatal: false } }]);
    expect(open.closed?.code).toBe(1000);
    expect(run([{ at: { audio: 1 }, action: { type: "close", code: 4003, reason: "bye" } }]).closed).toEqual({ code: 4003, reason: "bye" });
    const afterFinal = run([{ at: { event: "transcript.final" }, action: { type: "drop" } }]);
    expect(messages(afterFinal.sent).at(-1)).toMatchObject({ type: "transcript", is_final: true });
    expect(afterFinal.closed?.code).toBe(1006);
    const legacy = run([{ at: { audio: 1 }, action: { type: "error", status: 500, title: "Boom", message: "It broke." } }], { version: "2025-04-16" });
    expect(messages(legacy.sent, "2025-04-16").at(-1)).toEqual({ type: "error", message: "Boom: It broke.", code: 500, request_id: REQUEST_ID });
    for (const r of [fatal, open, afterFinal]) expect(lint(r.events)).toEqual([]);
    expect(lint(legacy.events, "2025-04-16")).toEqual([]);
  });

  it("gates faults by connection and endpoint", () => {
    expect(run([{ at: { audio: 1 }, action: { type: "drop" }, connections: 2 }], { connection: 2 }).closed?.code).toBe(1006);
    expect(run([{ at: { audio: 1 }, action: { type: "drop" }, connections: 2 }], { connection: 3 }).closed?.code).toBe(1000);
    expect(run([{ at: { audio: 1 }, action: { type: "drop" }, endpoints: ["stt-turns"] }]).closed?.code).toBe(1000);
  });

  it("stalls until the timer fires, then sends what it held, in order", () => {
    const c = core(scenario({ stt: speech, faults: [{ at: { message: 0 }, action: { type: "stall", seconds: 1.5 } }] }));
    expect(c.step({ kind: "audio", data: audio(0.1) })).toEqual([{ kind: "timer", afterMs: 1500 }]);
    expect(c.step({ kind: "audio", data: audio(1) })).toEqual([]);
    expect(c.step(text("finalize"))).toEqual([]);
    const held = messages(sends(c.step({ kind: "tick" })));
    expect(held.map((m) => m.type)).toEqual(["transcript", "transcript", "transcript", "flush_done"]);
  });
});
