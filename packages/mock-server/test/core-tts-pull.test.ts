/**
 * The lazy TTS core (`more` / `pull`, `anchor` / `since` / `release`) against the oracle, the core as
 * it was when every generation was rendered whole in its request's step
 * (test/oracle/tts-session-before-lazy.ts): for generated sessions — long and short texts, flushes,
 * buffer timers, bad frames, faults on every message type, latency and pacing — pulled at once or
 * late and in any order, each lane carries exactly the oracle's messages with the same delays counted
 * from the same client step, timers are the same, and a message without a context, a close or a drop
 * goes out after everything the oracle produced before it and before everything after it. With
 * cancels and late pulls, a lane is the oracle's lane less some of its audio messages.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createTtsCore, DEFAULT_MAX_TRANSCRIPT_CHARS } from "../src/core/tts/session.js";
import type { CoreInput, CoreOutput } from "../src/core/types.js";
import type { ScheduledOutput } from "../src/core/schedule.js";
import { createTtsCore as createOracleCore } from "./oracle/tts-session-before-lazy.js";
import { base, cancel, Driver, fcOptions, parsedSends, request, scenario } from "./core-tts-helpers.js";
import type { Scenario } from "../src/scenario/schema.js";

type Action = { kind: "text"; data: string } | { kind: "binary" } | { kind: "tick"; ctx: string };

const IDS = ["a", "b", "c"] as const;
const wordArb = fc.constantFrom("hello", "there", "a", "quick", "brown", "fox", "naïve", "日本", "ok", "<spell>AB</spell>", "<spell>", "</spell>", '<break time="90ms"/>', '<speed ratio="1.4"/>');
const gapArb = fc.constantFrom(" ", " ", ", ", ". ", "! ", "");
/** Short texts and long ones (many chunks, so many batches). */
const textArb = fc.oneof(
  fc.array(fc.tuple(wordArb, gapArb), { maxLength: 4 }).map((p) => p.map(([w, g]) => w + g).join("")),
  fc.array(fc.tuple(wordArb, gapArb), { minLength: 10, maxLength: 60 }).map((p) => p.map(([w, g]) => w + g).join("")),
);
const requestArb = fc.record({
  ctx: fc.constantFrom(...IDS),
  text: textArb,
  cont: fc.boolean(),
  flush: fc.boolean(),
  delay: fc.constantFrom(undefined, 0, 0, 200),
  words: fc.boolean(),
  phonemes: fc.boolean(),
  encoding: fc.constantFrom("pcm_s16le", "pcm_s16le", "pcm_mulaw"),
});
const actionArb = (withCancel: boolean): fc.Arbitrary<Action> =>
  fc.oneof(
    { weight: 8, arbitrary: requestArb.map((r): Action => {
      const extra: Record<string, unknown> = { continue: r.cont, add_timestamps: r.words, add_phoneme_timestamps: r.phonemes };
      if (r.flush) extra.flush = true;
      if (r.delay !== undefined) extra.max_buffer_delay_ms = r.delay;
      return { kind: "text", data: request(r.ctx, r.text, extra, base(r.encoding as "pcm_s16le", 8000)) };
    }) },
    { weight: withCancel ? 2 : 0, arbitrary: fc.constantFrom(...IDS).map((id): Action => ({ kind: "text", data: cancel(id) })) },
    { weight: 1, arbitrary: fc.constant<Action>({ kind: "binary" }) },
    { weight: 1, arbitrary: fc.constant<Action>({ kind: "text", data: "not json" }) },
    { weight: 2, arbitrary: fc.constantFrom(...IDS).map((ctx): Action => ({ kind: "tick", ctx })) },
  );
const faultArb = fc.record({
  at: fc.oneof(
    fc.record({ event: fc.constantFrom("chunk", "chunk", "timestamps", "phoneme_timestamps", "flush_done", "done", "error"), index: fc.integer({ min: 0, max: 40 }) }),
    fc.record({ message: fc.integer({ min: 0, max: 12 }) }),
  ),
  action: fc.oneof(
    fc.record({ type: fc.constant("stall"), seconds: fc.constantFrom(0.5, 2) }),
    fc.record({ type: fc.constant("error"), status: fc.constantFrom(400, 500), fatal: fc.boolean() }),
    fc.record({ type: fc.constant("close"), code: fc.constant(4001), reason: fc.constant("scripted") }),
    fc.constant({ type: "drop" }),
  ),
});
const scenarioArb = fc
  .record({
    chunkMs: fc.constantFrom(20, 50, 100),
    pace: fc.constantFrom(0, 0, 2),
    latency: fc.constantFrom(undefined, 120),
    faults: fc.array(faultArb, { maxLength: 3 }),
  })
  .map((s) => scenario({ tts: { chunkMs: s.chunkMs, pace: s.pace }, ...(s.latency !== undefined ? { latency: { ttsFirstChunk: s.latency } } : {}), faults: s.faults } as never));

/** How much text the lazy core plans at a time: tiny windows cut words and tags everywhere; none is the default. */
const windowArb = fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined });

const input = (a: Action): CoreInput =>
  a.kind === "tick" ? { kind: "tick", key: `buffer:${a.ctx}` } : a.kind === "binary" ? { kind: "audio", data: new Uint8Array([1, 2, 3]) } : { kind: "text", data: a.data };

/** An output as the schedule sees it: what, its delay, and the client action whose step it counts from. */
interface Seen {
  output: ScheduledOutput;
  data: string;
  lane: string | undefined;
  delay: number;
  action: number;
}

const seen = (output: ScheduledOutput, action: number): Seen => ({
  output,
  data: output.kind === "send" ? output.data : output.kind === "close" ? `close ${output.code} ${output.reason}` : "drop",
  lane: output.kind === "send" ? output.lane : undefined,
  delay: output.delayMs ?? 0,
  action,
});

/** The oracle's outputs, in production order, and its timers. */
function runOracle(scn: Scenario, version: string, actions: readonly Action[]) {
  const core = createOracleCore({ version, requestId: "req-1", scenario: scn, seed: 3, connection: 1 });
  const out: Seen[] = [];
  const timers: string[] = [];
  actions.forEach((a, k) => {
    for (const o of core.step(input(a))) {
      if (o.kind === "timer") timers.push(`${k} ${o.key} ${o.afterMs}`);
      else if (o.kind === "send" || o.kind === "close" || o.kind === "drop") out.push(seen(o, k));
    }
  });
  return { out, timers };
}

/**
 * The lazy core, pulled as `pulls` says after each action (how many pulls; each takes the lane the
 * next number picks among those waiting, or a lane nobody asked for), then until nothing is left.
 * Checks the anchor bookkeeping on the way. Returns its outputs in emission order.
 */
function runLazy(scn: Scenario, version: string, actions: readonly Action[], pulls: readonly number[], planWindowChars?: number) {
  const core = createTtsCore({ version, requestId: "req-1", scenario: scn, seed: 3, connection: 1, ...(planWindowChars !== undefined ? { planWindowChars } : {}) });
  const out: Seen[] = [];
  const timers: string[] = [];
  const wanting = new Set<string>();
  /** Core step number → client action index (pull steps have none). */
  const actionOf = new Map<number, number>();
  const anchors = new Set<number>();
  let step = 0;
  let pullCount = 0;
  const take = (outputs: CoreOutput[], k: number | undefined) => {
    step += 1;
    if (k !== undefined) actionOf.set(step, k);
    const announced: number[] = [];
    for (const o of outputs) {
      if (o.kind === "more") wanting.add(o.lane);
      else if (o.kind === "anchor") announced.push(o.id);
      else if (o.kind === "release") {
        if (!anchors.delete(o.id)) throw new Error(`release of anchor ${o.id}, not live`);
      } else if (o.kind === "timer") timers.push(`${k} ${o.key} ${o.afterMs}`);
      else {
        if (o.since !== undefined && !anchors.has(o.since)) throw new Error(`since ${o.since}: no such live anchor`);
        const from = o.since ?? step;
        const action = actionOf.get(from);
        if (action === undefined) throw new Error(`an output counted from step ${from}, which was a pull`);
        const { since: _s, ...plain } = o;
        out.push(seen(plain as ScheduledOutput, action));
      }
    }
    for (const id of announced) {
      if (actionOf.get(id) === undefined || id !== step) throw new Error(`anchor ${id} named in step ${step}`);
      anchors.add(id);
    }
  };
  const pull = (lane: string) => {
    wanting.delete(lane);
    pullCount += 1;
    take(core.step({ kind: "pull", lane }), undefined);
  };
  let p = 0;
  actions.forEach((a, k) => {
    take(core.step(input(a)), k);
    const n = (pulls[p++] ?? 0) % 4;
    for (let i = 0; i < n; i += 1) {
      const pick = pulls[p++] ?? 0;
      const lanes = [...wanting];
      if (lanes.length === 0 || pick % 7 === 6) pull(IDS[pick % IDS.length] as string);
      else pull(lanes[pick % lanes.length] as string);
    }
  });
  for (let guard = 0; wanting.size > 0; guard += 1) {
    if (guard > 100_000) throw new Error("pulling never ends");
    pull([...wanting][0] as string);
  }
  return { out, timers, liveAnchors: anchors.size, pulls: pullCount };
}

const byLane = (list: readonly Seen[]) => {
  const lanes = new Map<string, Seen[]>();
  for (const s of list) if (s.lane !== undefined) lanes.set(s.lane, [...(lanes.get(s.lane) ?? []), s]);
  return lanes;
};
const strip = ({ data, delay, action }: Seen) => ({ data, delay, action });
const isAudio = (s: Seen) => /^\{"type":"(chunk|timestamps|phoneme_timestamps)"/.test(s.data);

/**
 * Lane by lane, `lazy` is `oracle` (or, with `allowDropped`, `oracle` less some audio messages); the
 * barriers are the oracle's, each after everything the oracle produced before it and before all after.
 */
function compare(oracle: readonly Seen[], lazy: readonly Seen[], allowDropped: boolean) {
  const o = byLane(oracle);
  const l = byLane(lazy);
  expect([...l.keys()].every((k) => o.has(k))).toBe(true);
  /** For each lazy output, the index of its oracle output. */
  const match = new Map<Seen, number>();
  const index = new Map(oracle.map((s, i) => [s, i]));
  for (const [lane, want] of o) {
    const got = l.get(lane) ?? [];
    if (!allowDropped) {
      expect(got.map(strip)).toEqual(want.map(strip));
      got.forEach((g, i) => match.set(g, index.get(want[i] as Seen) as number));
    } else {
      let j = 0;
      for (const g of got) {
        while (j < want.length && JSON.stringify(strip(want[j] as Seen)) !== JSON.stringify(strip(g))) {
          expect(isAudio(want[j] as Seen), `lane ${lane}: a non-audio message is missing: ${(want[j] as Seen).data.slice(0, 120)}`).toBe(true);
          j += 1;
        }
        expect(j < want.length, `lane ${lane}: ${g.data.slice(0, 120)} is not in the oracle's lane (in order)`).toBe(true);
        match.set(g, index.get(want[j] as Seen) as number);
        j += 1;
      }
      for (; j < want.length; j += 1) expect(isAudio(want[j] as Seen), `lane ${lane}: a trailing non-audio message is missing`).toBe(true);
    }
  }
  const oracleBarriers = oracle.filter((s) => s.lane === undefined);
  const lazyBarriers = lazy.filter((s) => s.lane === undefined);
  expect(lazyBarriers.map(strip)).toEqual(oracleBarriers.map(strip));
  lazyBarriers.forEach((b, i) => match.set(b, index.get(oracleBarriers[i] as Seen) as number));
  lazy.forEach((s, at) => {
    if (s.lane !== undefined) return;
    const position = match.get(s) as number;
    for (const [other, otherAt] of lazy.map((x, y) => [x, y] as const)) {
      const before = (match.get(other) as number) < position;
      expect(before === otherAt < at, `${other.data.slice(0, 60)} and the barrier ${s.data.slice(0, 60)} are out of order`).toBe(true);
    }
  });
}

describe("the lazy core against the oracle (whole generations in one step)", () => {
  for (const version of ["2026-03-01", "2025-04-16"]) {
    it(`${version}: pulled at once or late, in any order: each lane is the oracle's, same delays from the same steps; barriers in place`, () => {
      fc.assert(
        fc.property(scenarioArb, fc.array(actionArb(false), { minLength: 1, maxLength: 14 }), fc.array(fc.nat(), { maxLength: 80 }), windowArb, (scn, actions, pulls, window) => {
          const oracle = runOracle(scn, version, actions);
          const lazy = runLazy(scn, version, actions, pulls, window);
          compare(oracle.out, lazy.out, false);
          expect(lazy.timers).toEqual(oracle.timers);
          expect(lazy.liveAnchors).toBe(0);
        }),
        fcOptions,
      );
    });
  }

  it("with cancels pulled late: each lane is the oracle's less some audio (a cancel stops generation); nothing else changes", () => {
    fc.assert(
      fc.property(scenarioArb, fc.array(actionArb(true), { minLength: 1, maxLength: 14 }), fc.array(fc.nat(), { maxLength: 80 }), windowArb, (scn, actions, pulls, window) => {
        const oracle = runOracle(scn, "2026-03-01", actions);
        const lazy = runLazy(scn, "2026-03-01", actions, pulls, window);
        compare(oracle.out, lazy.out, true);
        expect(lazy.timers).toEqual(oracle.timers);
        expect(lazy.liveAnchors).toBe(0);
      }),
      fcOptions,
    );
  });

  it("with cancels, pulled at once after every frame: exactly the oracle (nothing is pending when a cancel comes)", () => {
    fc.assert(
      fc.property(scenarioArb, fc.array(actionArb(true), { minLength: 1, maxLength: 14 }), windowArb, (scn, actions, window) => {
        const oracle = runOracle(scn, "2026-03-01", actions);
        const d = new Driver("2026-03-01", scn, { seed: 3, ...(window !== undefined ? { planWindowChars: window } : {}) });
        for (const a of actions) {
          if (a.kind === "tick") d.tick(a.ctx);
          else if (a.kind === "binary") d.binary(new Uint8Array([1, 2, 3]));
          else d.send(a.data);
        }
        const sends = d.outputs.filter((o) => o.kind !== "timer").map((o) => seen(o as ScheduledOutput, 0));
        expect(sends.map((s) => [s.data, s.delay])).toEqual(oracle.out.map((s) => [s.data, s.delay]));
      }),
      fcOptions,
    );
  });
});

describe("pulling", () => {
  const long = `${"many words in this sentence ".repeat(40)}end.`;

  it("renders one chunk in the request's step, then a bounded batch per pull, each ending with `more` until the last", () => {
    const d = new Driver("2026-03-01", scenario({ tts: { chunkMs: 20 } }));
    d.manual = true;
    const first = d.send(request("c", long, { continue: false }));
    const chunks = (out: CoreOutput[]) => parsedSends(out).filter((m) => m.type === "chunk").length;
    expect(chunks(first)).toBe(1);
    expect(d.wanting).toEqual(["c"]);
    let total = chunks(first);
    let pulls = 0;
    while (d.wanting.length > 0) {
      const out = d.pull();
      pulls += 1;
      expect(chunks(out)).toBeGreaterThan(0);
      expect(chunks(out)).toBeLessThanOrEqual(16);
      total += chunks(out);
    }
    const whole = new Driver("2026-03-01", scenario({ tts: { chunkMs: 20 } }));
    whole.send(request("c", long, { continue: false }));
    expect(total).toBe(whole.of("c").filter((m) => m.type === "chunk").length);
    expect(pulls).toBeGreaterThan(10);
    expect(d.of("c").at(-1)?.type).toBe("done");
    expect(d.messages()).toEqual(whole.messages());
  });

  it("without pulls nothing more is rendered: other contexts (pulled) and bad frames are still answered", () => {
    const d = new Driver();
    d.manual = true;
    d.send(request("big", long, { continue: false }));
    const before = d.of("big").length;
    for (let i = 0; i < 5; i += 1) d.send(request(`small${i}`, "Hi.", { continue: false }));
    // Each request's step gives its context a first chunk, whatever else waits.
    for (let i = 0; i < 5; i += 1) expect(d.of(`small${i}`)[0]?.type).toBe("chunk");
    while (d.wanting.some((lane) => lane !== "big")) d.pull((lane) => lane !== "big");
    expect(d.of("big").length).toBe(before);
    for (let i = 0; i < 5; i += 1) expect(d.of(`small${i}`).at(-1)?.type).toBe("done");
    expect(d.wanting).toEqual(["big"]);
  });

  it("requests read one after another each get their first chunk before any context gets a second", () => {
    const d = new Driver("2026-03-01", scenario({ tts: { chunkMs: 20 } }));
    d.manual = true;
    for (let i = 0; i < 8; i += 1) d.send(request(`c${i}`, long, { continue: false }));
    const seen = d.messages().map((m) => String(m.context_id));
    expect(seen).toEqual(Array.from({ length: 8 }, (_, i) => `c${i}`));
    // Pulled round-robin, every context goes on; each one's frames are those of the context alone.
    while (d.wanting.length > 0) d.pull();
    const alone = new Driver("2026-03-01", scenario({ tts: { chunkMs: 20 } }));
    alone.send(request("c7", long, { continue: false }));
    expect(d.of("c7")).toEqual(alone.of("c7"));
  });

  it("a cancel drops what is not rendered yet and answers done; a cancel after continue:false lets its queued done out", () => {
    const d = new Driver();
    d.manual = true;
    d.send(request("x", long, { continue: true, max_buffer_delay_ms: 0 }));
    const rendered = d.of("x").filter((m) => m.type === "chunk").length;
    expect(d.send(cancel("x")).map((o) => o.kind)).toEqual(["send"]);
    expect(d.of("x").filter((m) => m.type === "chunk").length).toBe(rendered);
    expect(d.of("x").at(-1)?.type).toBe("done");
    d.pull();
    expect(d.of("x").filter((m) => m.type === "chunk").length).toBe(rendered);

    const e = new Driver();
    e.manual = true;
    e.send(request("y", long, { continue: false }));
    const out = parsedSends(e.send(cancel("y")));
    expect(out.map((m) => m.type)).toEqual(["done"]);
    e.pull();
    expect(e.of("y").filter((m) => m.type === "done")).toHaveLength(1);
    expect(e.wanting).toEqual([]);
  });

  it("a frame with no context waits for what was produced before it, and what follows waits for it", () => {
    const d = new Driver();
    d.manual = true;
    d.send(request("a", long, { continue: false }));
    const error = d.binary(new Uint8Array([1]));
    expect(error).toEqual([]);
    const after = d.send(request("b", "Hi.", { continue: false }));
    expect(after).toEqual([]);
    while (d.wanting.length > 0) d.pull();
    const order = d.messages().map((m) => `${m.type}:${String(m.context_id ?? "-")}`);
    const errorAt = order.indexOf("error:-");
    expect(order.lastIndexOf("done:a")).toBeLessThan(errorAt);
    expect(order.indexOf("chunk:b")).toBeGreaterThan(errorAt);
  });

  it("a pull for a lane with nothing to give is harmless", () => {
    const d = new Driver();
    expect(d.core.step({ kind: "pull", lane: "nobody" })).toEqual([]);
    d.send(request("a", "Hi.", { continue: false }));
    expect(d.core.step({ kind: "pull", lane: "a" })).toEqual([]);
  });
});

describe("limits", () => {
  it("refuses a transcript over maxTranscriptChars, and a context whose text not yet generated would pass it", () => {
    for (const version of ["2026-03-01", "2025-04-16"]) {
      const d = new Driver(version, scenario(), { maxTranscriptChars: 20 });
      const big = parsedSends(d.send(request("a", "x".repeat(21), { continue: false })));
      expect(big).toHaveLength(1);
      expect(big[0]).toMatchObject({ type: "error", status_code: 400, context_id: "a", done: true });
      // The context has ended: later input on it is refused too.
      expect(parsedSends(d.send(request("a", "ok", { continue: false })))[0]).toMatchObject({ type: "error", status_code: 400 });
      d.send(request("b", "twelve chars", { continue: true }));
      const buffered = parsedSends(d.send(request("b", " and nine", { continue: true })));
      expect(buffered.map((m) => m.type)).toEqual(["error"]);
      expect(JSON.stringify(buffered[0])).toMatch(/20 characters/);
    }
    expect(DEFAULT_MAX_TRANSCRIPT_CHARS).toBe(500_000);
  });
});
