import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OutputSchedule, type ScheduledOutput } from "../src/core/schedule.js";
import { fcOptions } from "./core-tts-helpers.js";

const send = (data: string, lane?: string, delayMs?: number): ScheduledOutput => ({
  kind: "send",
  data,
  ...(lane !== undefined ? { lane } : {}),
  ...(delayMs !== undefined ? { delayMs } : {}),
});
const dataOf = (o: ScheduledOutput | undefined) => (o?.kind === "send" ? o.data : o?.kind);

/** Shifts everything, returning the outputs' data (or kind) in the order they would go out. */
function drain(s: OutputSchedule): string[] {
  const order: string[] = [];
  for (let e = s.shift(); e; e = s.shift()) order.push(dataOf(e.output) as string);
  return order;
}

describe("OutputSchedule", () => {
  it("the README example: another lane's earlier-due frame goes first, a close goes last", () => {
    const s = new OutputSchedule();
    expect(s.push(send("a1", "a", 300), 0)).toBe(300);
    expect(s.push(send("b1", "b", 100), 10)).toBe(110);
    expect(s.push({ kind: "close", code: 1000, reason: "OK" }, 20)).toBe(300);
    expect(s.size).toBe(3);
    expect(drain(s)).toEqual(["b1", "a1", "close"]);
    expect(s.size).toBe(0);
  });

  it("STT turns streamed fast: each turn.end waits its own latency, not the one before it", () => {
    const s = new OutputSchedule();
    expect(s.push(send("turn.end 1", undefined, 120), 0)).toBe(120);
    // The next turn's start, produced 5 ms later, may not overtake the held turn.end.
    expect(s.push(send("turn.start 2"), 5)).toBe(120);
    expect(s.push(send("turn.end 2", undefined, 120), 10)).toBe(130);
    expect(drain(s)).toEqual(["turn.end 1", "turn.start 2", "turn.end 2"]);
  });

  it("TTS contexts: paced chunks of one lane do not hold back another lane's first chunk", () => {
    const s = new OutputSchedule();
    for (let k = 0; k < 5; k += 1) s.push(send(`a${k}`, "a", 285 + 100 * k), 0);
    s.push(send("a done", "a"), 0);
    expect(s.push(send("b0", "b", 285), 3)).toBe(288);
    s.push(send("b done", "b"), 3);
    expect(drain(s)).toEqual(["a0", "b0", "b done", "a1", "a2", "a3", "a4", "a done"]);
  });

  it("a lane frame produced after a barrier waits for the barrier; a drop is a barrier too", () => {
    const s = new OutputSchedule();
    s.push(send("a0", "a", 500), 0);
    expect(s.push(send("error, no context"), 1)).toBe(500);
    expect(s.push(send("b0", "b"), 2)).toBe(500);
    expect(s.push({ kind: "drop" }, 3)).toBe(500);
    expect(drain(s)).toEqual(["a0", "error, no context", "b0", "drop"]);
  });

  it("peek shows what shift removes; clear empties it", () => {
    const s = new OutputSchedule();
    expect(s.peek()).toBeUndefined();
    expect(s.shift()).toBeUndefined();
    s.push(send("x", "a", 50), 0);
    s.push(send("y", "b"), 0);
    expect(dataOf(s.peek()?.output)).toBe("y");
    expect(dataOf(s.shift()?.output)).toBe("y");
    s.clear();
    expect(s.size).toBe(0);
    expect(s.peek()).toBeUndefined();
    // Due-time memory outlives clear: a later frame of lane a still follows the cleared one.
    expect(s.push(send("z", "a"), 1)).toBe(50);
  });

  it("bad numbers: NaN producedAt is refused; a negative or non-finite delay counts as 0; time never goes back", () => {
    const s = new OutputSchedule();
    expect(() => s.push(send("x"), Number.NaN)).toThrow(RangeError);
    expect(s.push(send("a", "a", -5), 100)).toBe(100);
    expect(s.push(send("b", "b", Number.NaN), 100)).toBe(100);
    expect(s.push(send("c", "c", Number.POSITIVE_INFINITY), 100)).toBe(100);
    expect(s.push(send("d", "d"), 40)).toBe(100);
  });

  it("forgets finished lanes without changing any answer (hundreds of contexts)", () => {
    const s = new OutputSchedule();
    for (let i = 0; i < 500; i += 1) expect(s.push(send(`c${i}`, `ctx-${i}`, 10), i)).toBe(i + 10);
    // Context 0's last frame was due at 10: long past, so a new one is due at its own time.
    expect(s.push(send("again", "ctx-0", 0), 600)).toBe(600);
    // Context 499's was due at 509: a frame produced at 505 still waits for it.
    expect(s.push(send("late", "ctx-499"), 505)).toBe(600);
    expect(drain(s)).toHaveLength(502);
  });

  it("an output held in the core counts its delay from its anchor (`from`), never before what it must follow", () => {
    const s = new OutputSchedule();
    // A paced chunk produced at 0 with a 300 ms delay, pushed only when pulled at 250: due at 300, not 550.
    expect(s.push(send("a0", "a", 300), 250, 0)).toBe(300);
    // Its lane's next one, due at 0 + 310 by its anchor, still after a0.
    expect(s.push(send("a1", "a", 310), 260, 0)).toBe(310);
    // Overdue by its anchor: at once, but not before a1.
    expect(s.push(send("a2", "a", 5), 270, 0)).toBe(310);
    // An anchor later than the push counts as the push; NaN as no anchor.
    expect(s.push(send("b0", "b", 10), 280, 9999)).toBe(290);
    expect(s.push(send("c0", "c", 10), 280, Number.NaN)).toBe(290);
    // A barrier counted from an anchor still follows everything before it.
    expect(s.push({ kind: "close", code: 1000, reason: "" }, 290, 0)).toBe(310);
    expect(s.pendingIn("a")).toBe(3);
    expect(s.pendingIn("nobody")).toBe(0);
    expect(drain(s)).toEqual(["b0", "c0", "a0", "a1", "a2", "close"]);
    expect(s.pendingIn("a")).toBe(0);
  });

  it("does not forget a lane that still has outputs waiting (an anchored push must not overtake them)", () => {
    const s = new OutputSchedule();
    for (let i = 0; i < 200; i += 1) s.push(send(`x${i}`, `ctx-${i}`), i);
    // ctx-0 is due at 0 but not sent yet; a frame anchored before it stays behind it in its lane.
    s.push(send("late", "ctx-0"), 300, 0);
    const order = drain(s);
    expect(order.indexOf("late")).toBeGreaterThan(order.indexOf("x0"));
  });
});

// ---------------------------------------------------------------- properties

type Op = { op: "push"; output: ScheduledOutput; dt: number } | { op: "shift" };

const outputArb: fc.Arbitrary<ScheduledOutput> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ lane: fc.option(fc.constantFrom("a", "b", "c", "d"), { nil: undefined }), delay: fc.option(fc.nat(400), { nil: undefined }) }).map(({ lane, delay }) => send("", lane, delay)) },
  { weight: 1, arbitrary: fc.option(fc.nat(400), { nil: undefined }).map((delay): ScheduledOutput => ({ kind: "close", code: 1000, reason: "", ...(delay !== undefined ? { delayMs: delay } : {}) })) },
  { weight: 1, arbitrary: fc.option(fc.nat(400), { nil: undefined }).map((delay): ScheduledOutput => ({ kind: "drop", ...(delay !== undefined ? { delayMs: delay } : {}) })) },
);
const opsArb = (outputs: fc.Arbitrary<ScheduledOutput> = outputArb) =>
  fc.array(
    fc.oneof(
      { weight: 4, arbitrary: fc.record({ op: fc.constant("push" as const), output: outputs, dt: fc.oneof(fc.constant(0), fc.nat(60)) }) },
      { weight: 1, arbitrary: fc.constant({ op: "shift" as const }) },
    ),
    { maxLength: 80 },
  );

interface Record {
  seq: number;
  output: ScheduledOutput;
  producedAt: number;
  due: number;
}

/** Pushes and shifts as `ops` say, then drains; returns every output with its due time and the send order. */
function run(ops: readonly Op[]) {
  const s = new OutputSchedule();
  const records: Record[] = [];
  const order: number[] = [];
  let now = 0;
  const take = () => {
    const e = s.shift();
    if (e) order.push(e.seq);
  };
  for (const op of ops) {
    if (op.op === "shift") take();
    else {
      now += op.dt;
      const due = s.push(op.output, now);
      records.push({ seq: records.length, output: op.output, producedAt: now, due });
    }
  }
  while (s.size > 0) take();
  return { records, order };
}

const laneOf = (o: ScheduledOutput) => (o.kind === "send" ? o.lane : undefined);

describe("OutputSchedule properties", () => {
  it("every output is due no earlier than producedAt + delayMs, and goes out exactly once", () => {
    fc.assert(
      fc.property(opsArb(), (ops) => {
        const { records, order } = run(ops);
        for (const r of records) expect(r.due).toBeGreaterThanOrEqual(r.producedAt + (r.output.delayMs ?? 0));
        expect([...order].sort((x, y) => x - y)).toEqual(records.map((r) => r.seq));
      }),
      fcOptions,
    );
  });

  it("within a lane, due times never decrease and production order is kept", () => {
    fc.assert(
      fc.property(opsArb(), (ops) => {
        const { records, order } = run(ops);
        for (const lane of ["a", "b", "c", "d"]) {
          const inLane = records.filter((r) => laneOf(r.output) === lane);
          for (let i = 1; i < inLane.length; i += 1) expect((inLane[i] as Record).due).toBeGreaterThanOrEqual((inLane[i - 1] as Record).due);
          const sent = order.filter((seq) => laneOf((records[seq] as Record).output) === lane);
          expect(sent).toEqual(inLane.map((r) => r.seq));
        }
      }),
      fcOptions,
    );
  });

  it("a close, drop or no-lane frame goes out after everything produced before it, and before everything after it", () => {
    fc.assert(
      fc.property(opsArb(), (ops) => {
        const { records, order } = run(ops);
        const position = new Map(order.map((seq, i) => [seq, i]));
        for (const barrier of records.filter((r) => laneOf(r.output) === undefined)) {
          for (const r of records) {
            const before = (position.get(r.seq) as number) < (position.get(barrier.seq) as number);
            expect(before).toBe(r.seq < barrier.seq);
            if (r.seq < barrier.seq) expect(barrier.due).toBeGreaterThanOrEqual(r.due);
            if (r.seq > barrier.seq) expect(r.due).toBeGreaterThanOrEqual(barrier.due);
          }
        }
      }),
      fcOptions,
    );
  });

  it("with every delay 0, outputs go out in production order", () => {
    const undelayed = outputArb.map((o): ScheduledOutput => {
      const { delayMs: _dropped, ...rest } = o;
      return rest;
    });
    fc.assert(
      fc.property(opsArb(undelayed), (ops) => {
        const { records, order } = run(ops);
        expect(order).toEqual(records.map((r) => r.seq));
        for (const r of records) expect(r.due).toBe(r.producedAt);
      }),
      fcOptions,
    );
  });

  it("matches the rule written out naively: due = max(from + delay, last due of the lane, or of all for a barrier); sent by (due, production order)", () => {
    // Many lanes, so the pruning of finished lanes is exercised too.
    const manyLanes = fc
      .record({ lane: fc.option(fc.nat(150).map((n) => `ctx-${n}`), { nil: undefined, freq: 10 }), delay: fc.nat(300) })
      .map(({ lane, delay }) => send("", lane, delay));
    fc.assert(
      // `back`: how much earlier the output was produced than pushed (an anchor: it waited in the core).
      fc.property(fc.array(fc.record({ output: manyLanes, dt: fc.nat(20), back: fc.oneof(fc.constant(0), fc.nat(50)) }), { maxLength: 300 }), (pushes) => {
        const s = new OutputSchedule();
        const expected: { due: number; seq: number }[] = [];
        let now = 0;
        pushes.forEach(({ output, dt, back }, seq) => {
          now += dt;
          const lane = laneOf(output);
          let last = Number.NEGATIVE_INFINITY;
          for (let j = 0; j < seq; j += 1) {
            const earlier = laneOf((pushes[j] as { output: ScheduledOutput }).output);
            // A barrier follows everything; a lane frame follows its lane and every barrier.
            if (lane === undefined || earlier === undefined || earlier === lane) last = Math.max(last, (expected[j] as { due: number }).due);
          }
          const due = Math.max(now - back + (output.delayMs ?? 0), last);
          expected.push({ due, seq });
          expect(s.push(output, now, back > 0 ? now - back : undefined)).toBe(due);
        });
        const sorted = [...expected].sort((x, y) => x.due - y.due || x.seq - y.seq).map((e) => e.seq);
        const order: number[] = [];
        for (let e = s.shift(); e; e = s.shift()) order.push(e.seq);
        expect(order).toEqual(sorted);
      }),
      fcOptions,
    );
  });
});
