import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  sttTurnsMutations,
  sttTurnsSessionArb,
  sttV1Mutations,
  sttV1SessionArb,
  ttsMutations,
  ttsSessionArb,
  type MutatedSession,
} from "../src/arbitraries/index.js";
import {
  checkSession,
  createChecker,
  GRAMMAR_RULES,
  lintSession,
  STT_TURNS_RULES,
  STT_V1_RULES,
  sttTurns,
  sttV1,
  TTS_RULES,
  tts,
  type GrammarEndpoint,
  type RawSessionEvent,
  type SessionEvent,
} from "../src/index.js";
import { fcOptions } from "./fc-options.js";

type AnyEvent = SessionEvent<unknown, unknown>;

const ENCODERS: Record<GrammarEndpoint, { client: (m: never) => string | Uint8Array; server: (m: never) => string }> = {
  "stt-v1": { client: sttV1.encodeClientMessage, server: sttV1.encodeServerMessage },
  "stt-turns": { client: sttTurns.encodeClientMessage, server: sttTurns.encodeServerMessage },
  tts: { client: tts.encodeClientMessage, server: tts.encodeServerMessage },
};

/** Encodes parsed events back to raw frames, as they would travel. */
function toRaw(endpoint: GrammarEndpoint, events: readonly AnyEvent[]): RawSessionEvent[] {
  return events.map((e) =>
    "close" in e ? e : { from: e.from, frame: ENCODERS[endpoint][e.from](e.message as never) },
  );
}

const check = (endpoint: GrammarEndpoint, events: readonly AnyEvent[]) =>
  checkSession(createChecker(endpoint as "tts") as never, events as never) as ReturnType<typeof checkSession>;

const SUITES = [
  { endpoint: "stt-v1" as const, rules: STT_V1_RULES, mutations: sttV1Mutations, valid: sttV1SessionArb().map((s) => [...s.body, ...s.closing]) },
  { endpoint: "stt-turns" as const, rules: STT_TURNS_RULES, mutations: sttTurnsMutations, valid: sttTurnsSessionArb().map((s) => [...s.body, ...s.closing]) },
  { endpoint: "tts" as const, rules: TTS_RULES, mutations: ttsMutations, valid: ttsSessionArb().map((s) => s.events) },
];

describe.each(SUITES)("$endpoint grammar", ({ endpoint, rules, mutations, valid }) => {
  it("accepts every generated valid session (no violation, not even a warning)", () => {
    fc.assert(
      fc.property(valid as fc.Arbitrary<AnyEvent[]>, (events) => {
        expect(check(endpoint, events)).toEqual([]);
      }),
      fcOptions(),
    );
  });

  it("lints the same sessions, encoded as frames, under strict schemas without a violation", () => {
    fc.assert(
      fc.property(valid as fc.Arbitrary<AnyEvent[]>, (events) => {
        expect(lintSession(endpoint, toRaw(endpoint, events), { strictness: "strict" })).toEqual([]);
      }),
      fcOptions({ numRuns: 50 }),
    );
  });

  it("has a mutation for every rule", () => {
    expect(Object.keys(mutations).sort()).toEqual(Object.keys(rules).sort());
  });

  it.each(Object.keys(rules))("catches %s with its rule id and section", (ruleId) => {
    const rule = rules[ruleId as keyof typeof rules] as { section: string; severity: string };
    fc.assert(
      fc.property(mutations[ruleId] as fc.Arbitrary<MutatedSession<AnyEvent>>, (mutated) => {
        expect(mutated.rule).toBe(ruleId);
        const found = check(endpoint, mutated.events).filter((v) => v.rule === ruleId);
        expect(found.length).toBeGreaterThan(0);
        expect(found[0]?.section).toBe(rule.section);
        expect(found[0]?.severity).toBe(rule.severity);
      }),
      fcOptions({ numRuns: 50 }),
    );
  });
});

describe("PROTOCOL.md §3.6 example session", () => {
  const frames = [
    '{"type":"connected","request_id":"c0a8012e-4f1b-4d6a-9e3c-5b7d2a1f9e04"}',
    '{"type":"turn.start","request_id":"c0a8012e-4f1b-4d6a-9e3c-5b7d2a1f9e04"}',
    '{"type":"turn.update","transcript":"I\'d like to","request_id":"c0a8012e-4f1b-4d6a-9e3c-5b7d2a1f9e04"}',
    '{"type":"turn.eager_end","transcript":"I\'d like to change my order.","request_id":"c0a8012e-4f1b-4d6a-9e3c-5b7d2a1f9e04"}',
    '{"type":"turn.resume","request_id":"c0a8012e-4f1b-4d6a-9e3c-5b7d2a1f9e04"}',
    '{"type":"turn.update","transcript":"I\'d like to change my order. The address","request_id":"c0a8012e-4f1b-4d6a-9e3c-5b7d2a1f9e04"}',
    '{"type":"turn.end","transcript":"I\'d like to change my order. The address is wrong.","request_id":"c0a8012e-4f1b-4d6a-9e3c-5b7d2a1f9e04"}',
  ];
  const raw: RawSessionEvent[] = [
    ...frames.map((frame) => ({ from: "server" as const, frame })),
    { from: "client", frame: '{"type":"close"}' },
    { from: "server", close: { code: 1000 } },
  ];

  it("passes the turns grammar under strict schemas", () => {
    expect(lintSession("stt-turns", raw, { strictness: "strict" })).toEqual([]);
  });

  it("is caught when turn.update precedes turn.start (livekit-js drops such events)", () => {
    const swapped = [raw[0], raw[2], raw[1], ...raw.slice(3)] as RawSessionEvent[];
    const violations = lintSession("stt-turns", swapped);
    expect(violations.map((v) => v.rule)).toContain("stt-turns/start-before-turn-events");
    expect(violations.find((v) => v.rule === "stt-turns/start-before-turn-events")?.index).toBe(1);
  });
});

describe("lintSession", () => {
  /** A TTS generation request on context c1, as JSON text. */
  const req = (extra: object) =>
    JSON.stringify({
      model_id: "sonic-3",
      transcript: "hi ",
      voice: { mode: "id", id: "v" },
      output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: 24000 },
      context_id: "c1",
      ...extra,
    });

  it("reports frames that do not parse under <endpoint>/valid-message with their raw index, and keeps checking", () => {
    const violations = lintSession("stt-v1", [
      { from: "client", frame: new Uint8Array([1, 2]) },
      { from: "client", frame: '{"type":"close"}' },
      { from: "server", frame: "not json" },
      { from: "server", frame: '{"type":"done","request_id":"r"}' },
    ]);
    expect(violations.map((v) => [v.rule, v.index])).toEqual([
      ["stt-v1/valid-message", 1],
      ["stt-v1/valid-message", 2],
      ["stt-v1/done-answers-close", 3],
    ]);
    expect(violations[1]?.message).toContain("not JSON");
  });

  it("does not apply end-of-session rules after an abnormal close (a dropped connection)", () => {
    const base: RawSessionEvent[] = [{ from: "client", frame: "close" }];
    expect(lintSession("stt-v1", base).map((v) => v.rule)).toEqual(["stt-v1/close-answered"]);
    expect(lintSession("stt-v1", [...base, { from: "server", close: { code: 1006 } }])).toEqual([]);
  });

  it("checks TTS client rules from what the client sent", () => {
    const violations = lintSession("tts", [
      { from: "client", frame: req({ continue: true }) },
      { from: "client", frame: req({ continue: false, output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: 16000 } }) },
      { from: "server", frame: '{"type":"done","done":true,"status_code":206,"context_id":"c1"}' },
      { from: "client", frame: req({ continue: true }) },
    ]);
    expect(violations.map((v) => v.rule)).toEqual(["tts/repeat-context-fields", "tts/input-after-end"]);
  });

  it("allows the error that refuses input on a context after its error, once per input; anything more is after done", () => {
    const error = '{"type":"error","done":true,"status_code":400,"error_code":"invalid_request","title":"Invalid request","message":"m","request_id":"r","context_id":"c1"}';
    // pipecat's conversation with the tts-error scenario: the context fails, pipecat still ends it, the server refuses that.
    const refused: RawSessionEvent[] = [
      { from: "client", frame: req({ continue: true }) },
      { from: "server", frame: error },
      { from: "client", frame: req({ transcript: "", continue: false }) },
      { from: "server", frame: error },
    ];
    expect(lintSession("tts", refused)).toEqual([]);
    // A second error with no input to answer, or a chunk, still breaks the rule.
    expect(lintSession("tts", [...refused, { from: "server", frame: error }]).map((v) => v.rule)).toEqual(["tts/nothing-after-done"]);
    expect(lintSession("tts", [...refused.slice(0, 3), { from: "server", frame: '{"type":"chunk","data":"AAAA","done":false,"status_code":206,"step_time":1,"context_id":"c1"}' }]).map((v) => v.rule)).toEqual(["tts/nothing-after-done"]);
  });
});

describe("rule catalogue", () => {
  it("gives every rule a unique id prefixed by its endpoint, a PROTOCOL.md section and a statement", () => {
    for (const [id, rule] of Object.entries(GRAMMAR_RULES)) {
      expect(rule.id).toBe(id);
      expect(id).toMatch(/^(stt-v1|stt-turns|tts)\/[a-z-]+$/);
      expect(rule.section).toMatch(/^§\d/);
      expect(rule.statement.length).toBeGreaterThan(10);
    }
  });
});

describe("stt-v1 config (update D4)", () => {
  it("a config is neither a close nor a finalize: audio and commands after it are fine", () => {
    const v = lintSession("stt-v1", [
      { from: "client", frame: '{"type":"config","keyterms":["a"]}' },
      { from: "client", frame: new Uint8Array(320) },
      { from: "client", frame: "finalize" },
      { from: "server", frame: '{"type":"flush_done","request_id":"r"}' },
      { from: "client", frame: "close" },
      { from: "server", frame: '{"type":"done","request_id":"r"}' },
      { from: "server", close: { code: 1000 } },
    ], { strictness: "strict" });
    expect(v).toEqual([]);
  });
});
