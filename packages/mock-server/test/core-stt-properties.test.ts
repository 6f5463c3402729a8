/**
 * Properties of both STT cores over generated scenarios (arbitrary turns, words, pauses, timings) and
 * arbitrary chunkings: determinism, grammar validity, transcripts that reproduce the script, finalize
 * at any point, drain at close at any point, and bad input that changes nothing but adds its error.
 */
import { lintSession, sttTurns, sttV1 } from "@speechwire/protocol";
import { wordArb } from "@speechwire/protocol/arbitraries";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chunkBytes, compileScript, createSttTurnsCore, createSttV1Core, driveCore, type CompiledScript } from "../src/core/stt/index.js";
import type { CoreInput, SessionCore } from "../src/core/types.js";
import { BUILTIN_SCENARIOS } from "../src/scenario/builtin.js";
import { scenarioSchema, type Scenario } from "../src/scenario/schema.js";

const fcOptions = {
  numRuns: Number(process.env.FC_NUM_RUNS ?? 100),
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
};

const RATE = 8000;
const REQUEST_ID = "req-1";
const hundredths = (min: number, max: number) => fc.integer({ min: Math.round(min * 100), max: Math.round(max * 100) }).map((n) => n / 100);
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const asciiWord = fc.stringMatching(/^[A-Za-z][a-z']{0,6}[.,?!]?$/);
const segmentArb = fc.oneof(
  fc.record({
    say: fc.array(asciiWord, { minLength: 1, maxLength: 4 }).map((w) => w.join(" ")),
    wordSeconds: optional(hundredths(0.05, 0.6)),
    gapSeconds: optional(hundredths(0, 0.3)),
  }),
  // Unicode words (CJK, emoji, combining marks) as explicitly timed words.
  fc.record({
    words: fc.array(fc.record({ word: wordArb, duration: hundredths(0.05, 0.6), gapAfter: optional(hundredths(0, 0.3)) }), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({ pause: hundredths(0.05, 1.5), eager: fc.boolean() }),
);
const turnArb = fc.record({
  leadSilence: hundredths(0, 1),
  segments: fc.array(segmentArb, { maxLength: 5 }),
  endSilence: hundredths(0, 1.5),
  eagerBeforeEnd: fc.boolean(),
});
/** A generated scenario with no faults. */
const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    turns: fc.array(turnArb, { maxLength: 4 }),
    timings: fc.record({
      turnStartDelay: hundredths(0, 0.5),
      eagerDelay: hundredths(0, 0.6),
      resumeDelay: hundredths(0, 0.3),
      endDelay: hundredths(0, 1.2),
    }),
  })
  .map((stt) => scenarioSchema.parse({ name: "generated", stt }));

/** Chunk sizes a client might use: any bytes, odd ones included, with at least one sizeable chunk. */
const chunkSizesArb = fc
  .tuple(fc.integer({ min: 400, max: 9000 }), fc.array(fc.integer({ min: 1, max: 9000 }), { maxLength: 6 }))
  .map(([big, rest]) => [...rest, big]);

const turnsCore = (s: Scenario, version = "2026-03-01") =>
  createSttTurnsCore({ query: { model: "ink-2", encoding: "pcm_s16le", sample_rate: RATE }, version, requestId: REQUEST_ID, scenario: s, seed: 1, connection: 1 });
const v1Core = (s: Scenario, version = "2026-03-01") =>
  createSttV1Core({ query: { model: "ink-whisper", encoding: "pcm_s16le", sample_rate: RATE }, version, requestId: REQUEST_ID, scenario: s, seed: 1, connection: 1 });

/** Enough audio for every scripted event: the script plus the latest event or auto-finalize. */
const fullSeconds = (c: CompiledScript) => Math.max(c.duration, ...c.events.map((e) => e.at), ...c.words.map((w) => w.end + 0.8)) + 0.05;
const silence = (seconds: number) => new Uint8Array(Math.ceil(seconds * RATE) * 2);
const audioInputs = (bytes: Uint8Array, sizes: number[]): CoreInput[] => chunkBytes(bytes, sizes).map((data) => ({ kind: "audio", data }));
const turnsClose: CoreInput = { kind: "text", data: '{"type":"close"}' };
const v1Close: CoreInput = { kind: "text", data: "close" };
const lintTurns = (r: ReturnType<typeof driveCore>, version = "2026-03-01") => lintSession("stt-turns", r.events, { strictness: "strict", version });
const lintV1 = (r: ReturnType<typeof driveCore>, version = "2026-03-01") => lintSession("stt-v1", r.events, { strictness: "strict", version });
const turnMessages = (sent: string[]) => sent.map((f) => JSON.parse(f) as sttTurns.ServerMessage);
const v1Finals = (sent: string[]) =>
  sent.map((f) => JSON.parse(f) as sttV1.ServerMessage).flatMap((m) => (m.type === "transcript" && m.is_final ? [m] : []));

const anyScenario = fc.oneof(
  { arbitrary: scenarioArb, weight: 4 },
  { arbitrary: fc.constantFrom(...BUILTIN_SCENARIOS.filter((s) => s.faults.length === 0)), weight: 1 },
);

describe("determinism", () => {
  it("gives byte-identical frames for any chunking of the same audio (turns and v1)", () => {
    fc.assert(
      fc.property(anyScenario, chunkSizesArb, (s, sizes) => {
        const bytes = silence(fullSeconds(compileScript(s.stt)));
        for (const [make, close] of [
          [turnsCore, turnsClose],
          [v1Core, v1Close],
        ] as const) {
          const reference = driveCore(make(s), [{ kind: "audio", data: bytes }, close]).outputs;
          expect(driveCore(make(s), [...audioInputs(bytes, sizes), close]).outputs).toEqual(reference);
        }
      }),
      fcOptions,
    );
  });

  it("gives the same frames every run", () => {
    const s = BUILTIN_SCENARIOS[0] as Scenario;
    const bytes = silence(10);
    const run = (make: (s: Scenario) => SessionCore) => driveCore(make(s), [...audioInputs(bytes, [333]), v1Close]).outputs;
    expect(run(turnsCore)).toEqual(run(turnsCore));
    expect(run(v1Core)).toEqual(run(v1Core));
  });
});

describe("generated scenarios", () => {
  it("turns: grammar-valid sessions whose turn.end transcripts are the script's turns", () => {
    fc.assert(
      fc.property(scenarioArb, chunkSizesArb, (s, sizes) => {
        const c = compileScript(s.stt);
        const result = driveCore(turnsCore(s), [...audioInputs(silence(fullSeconds(c)), sizes), turnsClose]);
        expect(lintTurns(result)).toEqual([]);
        const ends = turnMessages(result.sent).flatMap((m) => (m.type === "turn.end" ? [m.transcript] : []));
        expect(ends).toEqual(c.turns.map((t) => t.text));
        expect(result.closed).toEqual({ code: 1000, reason: "OK" });
      }),
      fcOptions,
    );
  });

  it("v1: grammar-valid sessions whose finals concatenate to the script's text", () => {
    fc.assert(
      fc.property(scenarioArb, chunkSizesArb, fc.constantFrom("close", "done"), (s, sizes, command) => {
        const c = compileScript(s.stt);
        const result = driveCore(v1Core(s), [...audioInputs(silence(fullSeconds(c)), sizes), { kind: "text", data: command }]);
        expect(lintV1(result)).toEqual([]);
        expect(v1Finals(result.sent).map((f) => f.text).join("")).toBe(c.text);
        for (const f of v1Finals(result.sent)) expect(f.text.endsWith(" ")).toBe(false);
      }),
      fcOptions,
    );
  });

  it("v1: finalize at arbitrary points finalizes exactly the words heard and not yet final", () => {
    fc.assert(
      fc.property(scenarioArb, chunkSizesArb, fc.array(fc.nat(), { maxLength: 8 }), (s, sizes, finalizeAfter) => {
        const c = compileScript(s.stt);
        const inputs = audioInputs(silence(fullSeconds(c)), sizes);
        const points = new Set(finalizeAfter.map((n) => n % (inputs.length + 1)));
        const core = v1Core(s);
        const all: string[] = [];
        let finalized = 0;
        const step = (input: CoreInput) => {
          const before = core.audioSeconds;
          const sent = core.step(input).flatMap((o) => (o.kind === "send" ? [o.data] : []));
          all.push(...sent);
          if (input.kind === "text" && input.data === "finalize") {
            const heard = c.words.filter((w) => w.end <= before).length;
            const final = v1Finals(sent)[0];
            expect(Array.isArray(final?.words) ? final.words.length : 0).toBe(heard - finalized);
            expect(JSON.parse(sent.at(-1) as string)).toEqual({ type: "flush_done", request_id: REQUEST_ID });
          }
          for (const f of v1Finals(sent)) finalized += Array.isArray(f.words) ? f.words.length : 0;
        };
        inputs.forEach((input, i) => {
          if (points.has(i)) step({ kind: "text", data: "finalize" });
          step(input);
        });
        step({ kind: "text", data: "finalize" });
        step(v1Close);
        expect(v1Finals(all).map((f) => f.text).join("")).toBe(c.text);
      }),
      fcOptions,
    );
  });

  it("turns: close at any point drains every open turn with the words heard", () => {
    fc.assert(
      fc.property(scenarioArb, chunkSizesArb, fc.double({ min: 0, max: 1, noNaN: true }), (s, sizes, fraction) => {
        const c = compileScript(s.stt);
        const cut = Math.floor(fullSeconds(c) * fraction * RATE) / RATE;
        const result = driveCore(turnsCore(s), [...audioInputs(silence(cut), sizes), turnsClose]);
        expect(lintTurns(result)).toEqual([]);
        const messages = turnMessages(result.sent);
        const ends = messages.flatMap((m) => (m.type === "turn.end" ? [m.transcript] : []));
        expect(ends).toHaveLength(messages.filter((m) => m.type === "turn.start").length);
        ends.forEach((transcript, k) => {
          const turn = c.turns[k];
          if (!turn) throw new Error("more turns than scripted");
          const heard = turn.words.filter((w) => w.end <= cut).map((w) => w.word);
          expect(transcript).toBe(heard.join(" "));
        });
      }),
      fcOptions,
    );
  });
});

describe("bad input", () => {
  const badV1 = fc.oneof(
    fc.constantFrom('{"type":"close"}', '{"type":"finalize"}', "", "hello", "FINALIZE", " close", "done\n", "null"),
    fc.string().filter((t) => !["finalize", "close", "done"].includes(t)),
  );
  const badTurns = fc.oneof(
    fc.constantFrom("close", "finalize", "done", "{", "[]", "null", '{"type":"nope"}', '{"type":"config","turn":{"end_threshold":0.9}}', '{"type":"config","language_hints":["fr"]}'),
    fc.string().filter((t) => !sttTurns.parseClientMessage(t, { strictness: "validating" }).ok),
  );
  // Accepted configs get no reply and change no frame (update D4): mixed in, they must leave no trace.
  const harmless = fc.constantFrom('{"type":"config"}', '{"type":"config","keyterms":["Cartesia"]}', '{"type":"config","keyterms":[],"language_hints":[]}');
  const property = (endpoint: "stt-v1" | "stt-turns") =>
    fc.property(
      anyScenario,
      chunkSizesArb,
      fc.array(fc.tuple(fc.nat(), endpoint === "stt-v1" ? badV1 : badTurns), { maxLength: 6 }),
      fc.array(fc.tuple(fc.nat(), harmless), { maxLength: 3 }),
      fc.constantFrom("2026-03-01", "2025-04-16"),
      (s, sizes, bad, good, version) => {
        const make = endpoint === "stt-v1" ? v1Core : turnsCore;
        const close = endpoint === "stt-v1" ? v1Close : turnsClose;
        const inputs = audioInputs(silence(fullSeconds(compileScript(s.stt))), sizes);
        const mixed: CoreInput[] = [...inputs];
        for (const [at, frame] of [...bad, ...good].sort((a, b) => b[0] - a[0])) mixed.splice(at % (inputs.length + 1), 0, { kind: "text", data: frame });
        const clean = driveCore(make(s, version), [...inputs, close]);
        const noisy = driveCore(make(s, version), [...mixed, close]);
        const errors = noisy.sent.filter((f) => (JSON.parse(f) as { type: string }).type === "error");
        expect(errors).toHaveLength(bad.length);
        for (const e of errors) {
          // The turns endpoint answers structured whatever the version.
          expect(JSON.parse(e)).toMatchObject(version === "2026-03-01" || endpoint === "stt-turns" ? { status_code: 400, title: expect.any(String) } : { code: 400 });
        }
        expect(noisy.sent.filter((f) => !errors.includes(f))).toEqual(clean.sent);
        expect(noisy.closed).toEqual(clean.closed);
        const lint = endpoint === "stt-v1" ? lintV1 : lintTurns;
        expect(lint(noisy, version).filter((v) => !v.rule.endsWith("/valid-message"))).toEqual([]);
      },
    );

  it("v1: any other text only adds a 400 error (both shapes); everything else is unchanged", () => {
    fc.assert(property("stt-v1"), fcOptions);
  });

  it("turns: non-JSON, bare text, unknown types and bad config only add a 400 error (both shapes)", () => {
    fc.assert(property("stt-turns"), fcOptions);
  });
});
