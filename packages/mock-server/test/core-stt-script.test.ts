import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileScript, LoopCursor, scriptUtterances, sharedScript, silenceAfter } from "../src/core/stt/index.js";
import { scenarioSchema, type ScenarioInput } from "../src/scenario/schema.js";

const fcOptions = {
  numRuns: Number(process.env.FC_NUM_RUNS ?? 100),
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
};

const sttOf = (stt: ScenarioInput["stt"]) => scenarioSchema.parse({ name: "t", stt }).stt;

describe("compileScript", () => {
  it("times words with the script's word length and gaps, and turns with lead and end silence", () => {
    const c = compileScript(sttOf({ turns: [{ segments: [{ say: "one two" }] }, { leadSilence: 0.5, segments: [{ say: "three" }], endSilence: 1 }] }));
    expect(c.words.map((w) => [w.word, w.start, w.end, w.turn])).toEqual([
      ["one", 0.3, 0.6, 0],
      ["two", 0.68, 0.98, 0],
      ["three", 2.28, 2.58, 1],
    ]);
    expect(c.turns.map((t) => [t.start, t.end, t.text])).toEqual([
      [0, 1.78, "one two"],
      [1.78, 3.58, "three"],
    ]);
    expect(c.duration).toBe(3.58);
    expect(c.text).toBe("one two three");
  });

  it("schedules the §3.6 example: the word before an eager pause and the last word are carried by eager_end and end", () => {
    const c = compileScript(
      sttOf({
        turns: [
          {
            segments: [
              { words: [{ word: "I'd like to", duration: 0.6 }, { word: "change my order.", duration: 0.7 }] },
              { pause: 0.6 },
              { words: [{ word: "The address", duration: 0.5 }, { word: "is wrong.", duration: 0.5 }] },
            ],
          },
        ],
      }),
    );
    expect(c.events).toEqual([
      { type: "turn.start", at: 0.4, turn: 0 },
      { type: "turn.update", at: 0.9, turn: 0, transcript: "I'd like to" },
      { type: "turn.eager_end", at: 1.88, turn: 0, transcript: "I'd like to change my order." },
      { type: "turn.resume", at: 2.33, turn: 0 },
      { type: "turn.update", at: 2.78, turn: 0, transcript: "I'd like to change my order. The address" },
      { type: "turn.end", at: 3.76, turn: 0, transcript: "I'd like to change my order. The address is wrong." },
    ]);
  });

  it("ends an empty turn with an empty transcript, and eagerBeforeEnd puts an eager end before it", () => {
    const c = compileScript(sttOf({ turns: [{ segments: [], eagerBeforeEnd: true }] }));
    expect(c.events.map((e) => [e.type, e.transcript])).toEqual([
      ["turn.start", undefined],
      ["turn.eager_end", ""],
      ["turn.end", ""],
    ]);
    expect(c.text).toBe("");
  });

  it("treats pauses at the edges of a turn as silence and non-eager pauses as plain gaps", () => {
    const c = compileScript(
      sttOf({ turns: [{ segments: [{ pause: 0.2 }, { say: "a b" }, { pause: 0.5, eager: false }, { say: "c" }, { pause: 1 }] }] }),
    );
    expect(c.words.map((w) => w.start)).toEqual([0.5, 0.88, 1.68]);
    expect(c.events.map((e) => e.type)).toEqual(["turn.start", "turn.update", "turn.update", "turn.end"]);
    expect(c.duration).toBe(3.78);
  });

  it("clamps delays so events never go back in time", () => {
    const c = compileScript(
      sttOf({
        timings: { turnStartDelay: 2, endDelay: 0 },
        turns: [{ segments: [{ say: "a b" }], endSilence: 0 }, { leadSilence: 0, segments: [{ say: "c" }] }],
      }),
    );
    const ats = c.events.map((e) => e.at);
    expect([...ats].sort((a, b) => a - b)).toEqual(ats);
    expect(c.events.map((e) => e.type)).toEqual(["turn.start", "turn.update", "turn.end", "turn.start", "turn.end"]);
  });

  it("reads the script as stt-v1 utterances split on silences longer than the threshold", () => {
    const c = compileScript(sttOf({ turns: [{ segments: [{ say: "a b" }, { pause: 0.5 }, { say: "c" }] }, { segments: [{ say: "d" }] }] }));
    expect(scriptUtterances(c, 0.8).map((u) => [u.text, u.finalizeAt])).toEqual([
      ["a b c", 2.58],
      ["d", 3.98],
    ]);
    expect(scriptUtterances(c, 0.4).map((u) => u.text)).toEqual(["a b", "c", "d"]);
  });

  it("loops: the cursor repeats the pass with a period of the script's duration", () => {
    const c = compileScript(sttOf({ afterScript: "loop", turns: [{ segments: [{ say: "hi" }] }] }));
    expect(c.loop).toBe(true);
    expect(silenceAfter(c, 0)).toBe(1.1);
    const cursor = new LoopCursor(c.events, c.duration, c.loop);
    // nextAt() tells the time of what shift() gives next, without building it, across the loop's seam too.
    const seen = Array.from({ length: 4 }, () => {
      const at = cursor.nextAt();
      const next = cursor.shift();
      expect(at).toBe(next?.at);
      return next;
    });
    expect(seen.map((s) => [s?.item.type, s?.at, s?.iteration])).toEqual([
      ["turn.start", 0.4, 0],
      ["turn.end", 1, 0],
      ["turn.start", 1.8, 1],
      ["turn.end", 2.4, 1],
    ]);
    // An empty looping script cannot loop.
    expect(compileScript(sttOf({ afterScript: "loop", turns: [] })).loop).toBe(false);
  });

  it("keeps events in logical order with non-decreasing times for any script", () => {
    const seconds = (max: number) => fc.integer({ min: 0, max: max * 100 }).map((n) => n / 100);
    const turn = fc.record({
      leadSilence: seconds(1),
      segments: fc.array(
        fc.oneof(
          fc.record({ say: fc.array(fc.constantFrom("a", "bb", "c."), { minLength: 1, maxLength: 3 }).map((w) => w.join(" ")) }),
          fc.record({ pause: seconds(1).map((s) => s + 0.01), eager: fc.boolean() }),
        ),
        { maxLength: 5 },
      ),
      endSilence: seconds(1),
      eagerBeforeEnd: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(turn, { maxLength: 4 }), seconds(1), seconds(1), seconds(1), seconds(1), (turns, a, b, c2, d) => {
        const c = compileScript(sttOf({ turns, timings: { turnStartDelay: a, eagerDelay: b, resumeDelay: c2, endDelay: d } }));
        for (let i = 1; i < c.events.length; i += 1) expect(c.events[i]!.at).toBeGreaterThanOrEqual(c.events[i - 1]!.at);
        expect(c.events.filter((e) => e.type === "turn.end").map((e) => e.transcript)).toEqual(c.turns.map((t) => t.text));
        expect(c.events.filter((e) => e.type === "turn.start")).toHaveLength(turns.length);
      }),
      fcOptions,
    );
  });
});

describe("sharedScript", () => {
  /** Every object reachable from `value`, itself included. */
  const objectsOf = (value: unknown, out: object[] = []): object[] => {
    if (typeof value === "object" && value !== null) {
      out.push(value);
      for (const child of Object.values(value)) objectsOf(child, out);
    }
    return out;
  };

  it("compiles a scenario script once: the same deeply frozen timeline for every session, equal to a fresh compile", () => {
    const stt = sttOf({ afterScript: "loop", turns: [{ segments: [{ say: "one two" }, { pause: 0.6, eager: true }, { say: "three" }] }] });
    const shared = sharedScript(stt);
    expect(sharedScript(stt)).toBe(shared);
    expect(shared).toEqual(compileScript(stt));
    const objects = objectsOf(shared);
    expect(objects.length).toBeGreaterThan(10);
    expect(objects.filter((o) => !Object.isFrozen(o))).toEqual([]);
    // A core that wrote to it would throw (modules are strict), not change another session's script.
    expect(() => {
      (shared.words[0] as { start: number }).start = 9;
    }).toThrow(TypeError);
    expect(() => (shared.events as unknown[]).push({})).toThrow(TypeError);
    // The scenario's own objects stay as they were: nothing of it is frozen.
    expect(objectsOf(stt).filter((o) => Object.isFrozen(o))).toEqual([]);
    // Another script object (even an equal one) gets its own compile.
    const again = sttOf({ afterScript: "loop", turns: [{ segments: [{ say: "one two" }, { pause: 0.6, eager: true }, { say: "three" }] }] });
    expect(sharedScript(again)).not.toBe(shared);
    expect(sharedScript(again)).toEqual(shared);
  });
});
