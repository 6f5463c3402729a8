/**
 * The pure parts behind issue 17, in Node: the timeline's geometry (labels never overlap, every
 * event is shown or counted, zoom and pan stay in bounds), ruler ticks, speech ends of a scenario
 * compiled with the mock's own code, WAV bytes of decoded audio, and error lines. Properties honour
 * FC_SEED / FC_NUM_RUNS.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CartesiaApiError, ConnectionError } from "@speechwire/client";
import { compileScript, parseWav } from "@speechwire/mock-server/core";
import { BUILTIN_SCENARIOS } from "@speechwire/mock-server/scenario";
import { decodeToFloat, floatToS16le } from "../src/audio/pcm.js";
import { wavBytes } from "../src/audio/wav.js";
import { errorInfo, errorLine, refusalLine } from "../src/errors.js";
import { badgeWidth, clampView, DOT_RADIUS, LABEL_OFFSET, MIN_SPAN, panView, placeLabels, ticksOf, zoomView, type View } from "../src/layout.js";
import { scenarioSpeech, speechEndOfTurn } from "../src/latency.js";

const fcOptions = {
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
  numRuns: Number(process.env.FC_NUM_RUNS ?? 100),
};

const items = fc.array(fc.record({ x: fc.double({ min: -50, max: 3000, noNaN: true }), width: fc.double({ min: 0, max: 400, noNaN: true }) }), { maxLength: 120 });

describe("label placement", () => {
  it("never lets what two groups show (dot, label, count badge) overlap, whatever the markers", () => {
    fc.assert(
      fc.property(items, fc.double({ min: 0, max: 20, noNaN: true }), (list, gap) => {
        const groups = placeLabels(list, gap);
        for (let i = 1; i < groups.length; i += 1) expect(groups[i]!.left).toBeGreaterThanOrEqual(groups[i - 1]!.right + gap);
        for (const g of groups) {
          const first = list[g.members[0]!]!;
          // A group's extent is its first dot and label and, when it has others, their count badge.
          expect(g.left).toBe(first.x - DOT_RADIUS);
          expect(g.right).toBeCloseTo(first.x + Math.max(LABEL_OFFSET + first.width, DOT_RADIUS) + (g.members.length > 1 ? badgeWidth(g.members.length - 1) : 0), 9);
        }
      }),
      fcOptions,
    );
  });

  it("shows or counts every marker exactly once, in x order, and shows every label when there is room", () => {
    fc.assert(
      fc.property(items, (list) => {
        const groups = placeLabels(list);
        const members = groups.flatMap((g) => g.members);
        expect([...members].sort((a, b) => a - b)).toEqual(list.map((_, i) => i));
        const xs = members.map((i) => list[i]!.x);
        expect(xs).toEqual([...xs].sort((a, b) => a - b));
      }),
      fcOptions,
    );
    // Far apart: nothing collapses.
    const spread = Array.from({ length: 20 }, (_, i) => ({ x: i * 100, width: 60 }));
    expect(placeLabels(spread).map((g) => g.members)).toEqual(spread.map((_, i) => [i]));
    // All on one spot: one label, counting the rest.
    expect(placeLabels(Array.from({ length: 5 }, () => ({ x: 10, width: 40 }))).map((g) => g.members)).toEqual([[0, 1, 2, 3, 4]]);
  });
});

const duration = fc.double({ min: 0.5, max: 600, noNaN: true });
const viewIn = (d: number) =>
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })).map(([a, b]): View => {
    const [lo, hi] = a < b ? [a, b] : [b, a];
    return clampView({ start: lo * d, end: Math.max(hi * d, lo * d + MIN_SPAN) }, d);
  });

describe("zoom and pan", () => {
  it("keep the window inside [0, duration], at least MIN_SPAN wide (or all of it)", () => {
    fc.assert(
      fc.property(
        duration.chain((d) => fc.tuple(fc.constant(d), viewIn(d), fc.double({ min: 0.01, max: 100, noNaN: true }), fc.double({ min: -1000, max: 1000, noNaN: true }))),
        ([d, view, factor, shift]) => {
          for (const v of [zoomView(view, factor, view.start + (view.end - view.start) / 3, d), panView(view, shift, d)]) {
            expect(v.start).toBeGreaterThanOrEqual(0);
            expect(v.end).toBeLessThanOrEqual(Math.max(d, MIN_SPAN) + 1e-9);
            expect(v.end - v.start).toBeGreaterThanOrEqual(Math.min(MIN_SPAN, d) - 1e-9);
          }
          // Pan keeps the span.
          const p = panView(view, shift, d);
          expect(p.end - p.start).toBeCloseTo(view.end - view.start, 6);
        },
      ),
      fcOptions,
    );
  });

  it("zoom keeps the focus where it is on screen unless an edge stops it", () => {
    fc.assert(
      fc.property(
        duration.chain((d) => fc.tuple(fc.constant(d), viewIn(d), fc.double({ min: 1.01, max: 8, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }))),
        ([d, view, factor, where]) => {
          const focus = view.start + where * (view.end - view.start);
          const z = zoomView(view, factor, focus, d);
          const span = view.end - view.start;
          if (span / factor < MIN_SPAN) return; // clamped span: the focus may move
          const before = (focus - view.start) / span;
          const after = (focus - z.start) / (z.end - z.start);
          expect(after).toBeCloseTo(before, 6);
        },
      ),
      fcOptions,
    );
    expect(zoomView({ start: 0, end: 8 }, 2, 4, 8)).toEqual({ start: 2, end: 6 });
    expect(zoomView({ start: 2, end: 6 }, 0.5, 4, 8)).toEqual({ start: 0, end: 8 });
  });

  it("ruler ticks: inside the window, increasing, at least minPx apart", () => {
    fc.assert(
      fc.property(duration.chain((d) => fc.tuple(viewIn(d), fc.integer({ min: 100, max: 4000 }))), ([view, width]) => {
        const { step, ticks } = ticksOf(view, width, 56);
        expect(step * (width / (view.end - view.start))).toBeGreaterThanOrEqual(56 - 1e-9);
        for (const t of ticks) {
          expect(t).toBeGreaterThanOrEqual(view.start - 1e-6);
          expect(t).toBeLessThanOrEqual(view.end + 1e-6);
        }
        for (let i = 1; i < ticks.length; i += 1) expect(ticks[i]!).toBeGreaterThan(ticks[i - 1]!);
      }),
      fcOptions,
    );
    expect(ticksOf({ start: 0, end: 10 }, 1000).ticks).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

describe("speech ends of the running scenario", () => {
  it("are the mock's own: every built-in scenario's turns, as compileScript places them", () => {
    for (const scenario of BUILTIN_SCENARIOS) {
      const speech = scenarioSpeech(JSON.parse(JSON.stringify(scenario)));
      expect(speech?.speechEnds).toEqual(compileScript(scenario.stt).turns.map((t) => t.speechEnd));
    }
    const eager = scenarioSpeech(BUILTIN_SCENARIOS.find((s) => s.name === "eager-resume"));
    expect(eager).toMatchObject({ scenario: "eager-resume", speechEnds: [3.36], loop: false, endDelay: 0.4 });
    expect(speechEndOfTurn(eager!, 0)).toBe(3.36);
    expect(speechEndOfTurn(eager!, 1)).toBeUndefined(); // the script stops: no second turn
  });

  it("repeat a pass later when the script loops; nothing for an invalid scenario or one that follows the audio", () => {
    const loop = scenarioSpeech({ name: "l", stt: { afterScript: "loop", turns: [{ segments: [{ say: "a b" }] }, { segments: [{ say: "c" }] }] } })!;
    expect(loop.loop).toBe(true);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50 }), (k) => {
        const n = loop.speechEnds.length;
        expect(speechEndOfTurn(loop, k)).toBeCloseTo(loop.speechEnds[k % n]! + Math.floor(k / n) * loop.duration, 6);
      }),
      fcOptions,
    );
    expect(scenarioSpeech({ name: "Bad Name" })).toBeUndefined();
    expect(scenarioSpeech({ name: "v", stt: { timing: "vad" } })).toBeUndefined();
  });
});

describe("WAV download", () => {
  it("16-bit: a header the mock's reader accepts, and the very samples of s16 audio", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -0x8000, max: 0x7fff }), { maxLength: 500 }), fc.constantFrom(8000, 16000, 24000, 44100), (ints, rate) => {
        const s16 = new Uint8Array(new Int16Array(ints).buffer);
        const wav = wavBytes(decodeToFloat(s16, "pcm_s16le"), rate);
        expect(parseWav(wav)).toMatchObject({ format: 1, channels: 1, sampleRate: rate, bitsPerSample: 16, dataOffset: 44, dataBytes: ints.length * 2, byteRate: rate * 2 });
        expect([...new Int16Array(wav.slice(44).buffer)]).toEqual(ints);
      }),
      fcOptions,
    );
  });

  it("32-bit float keeps pcm_f32le exact; out-of-range floats clip in 16-bit", () => {
    const samples = new Float32Array([0, 0.5, -0.25, 1, -1, 0.123456]);
    const wav = wavBytes(samples, 24000, "float32");
    expect(parseWav(wav)).toMatchObject({ format: 3, bitsPerSample: 32, dataBytes: 24 });
    expect(new Float32Array(wav.slice(44).buffer)).toEqual(samples);
    const clipped = wavBytes(new Float32Array([2, -2, Number.NaN]), 8000);
    expect([...new Int16Array(clipped.slice(44).buffer)]).toEqual([0x7fff, -0x8000, 0]);
    expect(floatToS16le(new Float32Array([2, -2]))).toEqual(clipped.slice(44, 48));
  });
});

describe("error lines", () => {
  it("an API error: status, code, title and message; a transport error: its message and close code", () => {
    const api = CartesiaApiError.fromEvent({ type: "error", status_code: 500, error_code: "internal_error", title: "Internal server error", message: "The backend failed.", request_id: "r1" } as never);
    const info = errorInfo(api);
    expect(info).toMatchObject({ kind: "api", status: 500, code: "internal_error", title: "Internal server error", message: "The backend failed." });
    expect(errorLine(info)).toBe("500 internal_error · Internal server error: The backend failed.");
    expect(errorLine({ kind: "api", status: 429, code: null, title: "Too many", message: "Slow down." })).toBe("429 · Too many: Slow down.");
    const conn = errorInfo(new ConnectionError("WebSocket handshake failed (ws://x): close 1006", { closeCode: 1006 }));
    expect(conn).toEqual({ kind: "connection", message: "WebSocket handshake failed (ws://x): close 1006", closeCode: 1006 });
    expect(errorInfo("boom")).toEqual({ kind: "other", message: "boom" });
    expect(refusalLine({ status: 401, message: "Invalid API key.", source: "its rule" }, 1006)).toBe("handshake refused: HTTP 401 · Invalid API key. (its rule)");
    expect(refusalLine(undefined, 1006)).toMatch(/^could not connect: close 1006 before the socket opened/);
  });
});
