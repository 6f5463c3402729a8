/**
 * The overhead measurement's parts, without timing: the replay server answers a session with the very
 * frames the mock sent (so the baseline does the same exchange), and the spread and verdict rules.
 * Timing itself is measured by the bench (`speechwire-bench … --overhead-runs N`), never asserted here.
 */
import { startMockServer, type MockServer } from "@speechwire/mock-server";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawDriver } from "../src/drivers/raw.js";
import type { BenchEvent, Connection } from "../src/drivers/types.js";
import { PARITY_BAND, spreadOf, verdictOf } from "../src/run/overhead.js";
import { startRecorder, startReplay, type Recording } from "../src/run/replay.js";
import { sttV1Session, ttsSession, turnsSession } from "../src/run/sessions.js";
import { BENCH_SCENARIOS, turnsPlan, v1Plan } from "../src/targets/scenarios.js";
import { BENCH_VERSION } from "../src/targets/target.js";

let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer({ host: "127.0.0.1", port: 0, tlsPort: false, seed: 1, latency: "none", scenarios: BENCH_SCENARIOS });
});
afterAll(async () => {
  await mock.close();
});

const at = (http: string, scenario: string): Connection => ({ baseUrl: `${http}/s/${scenario}`, apiKey: "sk_car_bench", version: BENCH_VERSION });
const scenario = (name: string) => BENCH_SCENARIOS.find((s) => s.name === name)!;

/** The event types a raw client saw, in order (timestamps dropped). */
function typesSeen(): { push: (e: BenchEvent) => void; types: string[] } {
  const types: string[] = [];
  return { types, push: (e) => types.push(`${e.type}${"contextId" in e && e.contextId ? `:${e.contextId}` : ""}`) };
}

describe("the replay server", () => {
  it("answers each endpoint's session with the frames the mock sent for the same input", async () => {
    const recorder = await startRecorder(mock.urls.ws);
    const proxied = `http://127.0.0.1:${recorder.port}`;
    await sttV1Session(rawDriver, at(proxied, "bench-v1"), v1Plan(scenario("bench-v1")), 3, "fast");
    await turnsSession(rawDriver, at(proxied, "bench-turns"), turnsPlan(scenario("bench-turns")), "fast");
    await ttsSession(rawDriver, at(proxied, "bench-tts"), 2, 0);
    await recorder.close();
    const recordings: Recording[] = recorder.recordings;
    expect(recordings.map((r) => r.path.split("?")[0])).toEqual(["/s/bench-v1/stt/websocket", "/s/bench-turns/stt/turns/websocket", "/s/bench-tts/tts/websocket"]);
    const replay = await startReplay(recordings);
    try {
      const replayed = `http://127.0.0.1:${replay.port}`;
      // Same metrics out of the same scripts on both servers: the replay does the whole exchange.
      for (const http of [mock.urls.http, replayed]) {
        const v1 = await sttV1Session(rawDriver, at(http, "bench-v1"), v1Plan(scenario("bench-v1")), 3, "fast");
        expect(v1["stt-v1.finalize-to-final"]).toHaveLength(3);
        expect(v1["stt-v1.close-to-done"]).toHaveLength(1);
        const turns = await turnsSession(rawDriver, at(http, "bench-turns"), turnsPlan(scenario("bench-turns")), "fast");
        expect(turns["stt-turns.speech-end-to-turn-end"]).toHaveLength(turnsPlan(scenario("bench-turns")).turns);
        expect(turns["stt-turns.resume-share"]).toEqual([0.5]);
        // Another session index: the replay answers with the request's own context ids.
        const tts = await ttsSession(rawDriver, at(http, "bench-tts"), 2, 7);
        expect(tts["tts.first-chunk"]).toHaveLength(2);
        expect(tts["tts.timestamp-coverage"]).toEqual([1, 1]);
      }
      // Frame for frame: the event sequence a client sees is the mock's.
      const seen = async (http: string) => {
        const log = typesSeen();
        const s = await rawDriver.openTurns(at(http, "bench-turns"), { model: "ink-2", encoding: "pcm_s16le", sample_rate: 16000 }, log.push);
        const plan = turnsPlan(scenario("bench-turns"));
        const frame = new Uint8Array(640);
        for (let sent = 0; sent < plan.bytes; sent += 640) s.sendAudio(frame);
        s.close();
        await s.ended;
        // `connected` comes with the upgrade from the mock and may precede the raw driver's listener; no metric reads it.
        return log.types.filter((t) => t !== "closed" && t !== "connected");
      };
      expect(await seen(replayed)).toEqual(await seen(mock.urls.http));
    } finally {
      await replay.close();
    }
  });
});

describe("spread and verdict", () => {
  const ratios = fc.array(fc.double({ min: 0.01, max: 100, noNaN: true }), { minLength: 1, maxLength: 9 });

  it("min ≤ median ≤ max, each one of the values or the mean of the middle two", () => {
    fc.assert(
      fc.property(ratios, (values) => {
        const s = spreadOf(values);
        expect(s.min).toBe(Math.min(...values));
        expect(s.max).toBe(Math.max(...values));
        expect(s.median).toBeGreaterThanOrEqual(s.min);
        expect(s.median).toBeLessThanOrEqual(s.max);
      }),
    );
    expect(spreadOf([0.66, 1.01, 0.99])).toEqual({ min: 0.66, median: 0.99, max: 1.01 });
  });

  it("a side only when the whole spread lies beyond the band; parity when the median lies in it; else inconclusive", () => {
    fc.assert(
      fc.property(ratios, (values) => {
        const s = spreadOf(values);
        const v = verdictOf(s);
        const inBand = (x: number) => x >= 1 / PARITY_BAND && x <= PARITY_BAND;
        if (v === "mock slower") expect(s.min).toBeGreaterThan(PARITY_BAND);
        else if (v === "mock faster") expect(s.max).toBeLessThan(1 / PARITY_BAND);
        else {
          // Not beyond the band: the spread reaches into it.
          expect(s.max >= 1 / PARITY_BAND && s.min <= PARITY_BAND).toBe(true);
          expect(v).toBe(inBand(s.median) ? "parity" : "inconclusive");
        }
      }),
    );
    expect(verdictOf({ min: 0.27, median: 2.29, max: 9.97 })).toBe("inconclusive");
    // The issue's client figures: 0.66 / 0.99 / 1.01× is parity, not a win.
    expect(verdictOf({ min: 0.66, median: 0.99, max: 1.01 })).toBe("parity");
    expect(verdictOf({ min: 2.64, median: 2.83, max: 4.35 })).toBe("mock slower");
  });
});
