/**
 * Properties against a running mock (each run opens real sockets, so runs are few by default:
 * FC_NUM_RUNS, FC_SEED to replay).
 * - For generated turn scripts, the client surfaces exactly the scripted events, in order, and the
 *   exact final text.
 * - For generated chunkings of the same audio, the server receives the same bytes (journal SHA-256),
 *   on both STT sockets.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MockServer, ScenarioInput } from "@speechwire/mock-server";
import { compileScript } from "@speechwire/mock-server/core";
import type { TurnsEvent } from "../src/index.js";
import { addScenario, clientFor, collect, patternAudio, sessionById, sha256, startMock, TURNS_PARAMS, V1_PARAMS } from "./helpers.js";

const numRuns = Number(process.env.FC_NUM_RUNS ?? 25);
const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : undefined;
const params = { numRuns, ...(seed !== undefined ? { seed } : {}) };

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock();
});
afterAll(() => mock.close());

const TYPE_NAMES: Record<string, TurnsEvent["type"]> = {
  "turn.start": "turnStart",
  "turn.update": "turnUpdate",
  "turn.eager_end": "eagerEnd",
  "turn.resume": "resume",
  "turn.end": "turnEnd",
};

/** A word: any unicode graphemes without whitespace. */
const wordArb = fc.string({ unit: "grapheme", minLength: 1, maxLength: 6 }).filter((w) => w.trim() === w && !/\s/u.test(w) && w.length > 0);
const segmentArb = fc.oneof(
  { weight: 3, arbitrary: fc.array(wordArb, { minLength: 1, maxLength: 4 }).map((words) => ({ say: words.join(" ") })) },
  { weight: 1, arbitrary: fc.record({ pause: fc.double({ min: 0.3, max: 0.8, noNaN: true }), eager: fc.boolean() }) },
);
const turnArb = fc.record({
  leadSilence: fc.double({ min: 0.1, max: 0.5, noNaN: true }),
  segments: fc.array(segmentArb, { minLength: 0, maxLength: 4 }),
  endSilence: fc.double({ min: 0.6, max: 1.2, noNaN: true }),
  eagerBeforeEnd: fc.boolean(),
});
/** Chunk sizes for cutting a stream (odd ones included). */
const chunkingArb = fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 8 });

/** Cuts `audio` with sizes cycling through `sizes`. */
function cut(audio: Uint8Array, sizes: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let i = 0;
  let k = 0;
  while (i < audio.length) {
    const n = sizes[k % sizes.length] as number;
    out.push(audio.subarray(i, i + n));
    i += n;
    k += 1;
  }
  return out;
}

let counter = 0;

describe("properties", () => {
  it("surfaces exactly the scripted turn events, in order, with the exact final text", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(turnArb, { minLength: 1, maxLength: 3 }), chunkingArb, async (turns, sizes) => {
        counter += 1;
        const name = addScenario(mock, { name: `prop-turns-${counter}`, stt: { turns } } as ScenarioInput);
        const script = compileScript(mock.scenarios.get(name)!.stt);
        const expected = script.events.map((e) => (e.transcript !== undefined ? [TYPE_NAMES[e.type], e.transcript] : [TYPE_NAMES[e.type]]));
        const session = clientFor(mock, name).stt.turns(TURNS_PARAMS);
        const eventsP = collect(session);
        for (const chunk of cut(patternAudio(script.duration + 0.2, 16000, counter), sizes)) session.send(chunk);
        const text = await session.close();
        const events = await eventsP;
        const surfaced = events
          .filter((e) => e.type in { turnStart: 1, turnUpdate: 1, eagerEnd: 1, resume: 1, turnEnd: 1 })
          .map((e) => ("transcript" in e ? [e.type, e.transcript] : [e.type]));
        expect(surfaced).toEqual(expected);
        expect(text).toBe(script.events.filter((e) => e.type === "turn.end").map((e) => e.transcript).join(""));
        expect(events.filter((e) => e.type === "unknown" || e.type === "error")).toEqual([]);
      }),
      params,
    );
  });

  it("delivers the same bytes to the server for any chunking of the same audio (both STT sockets)", async () => {
    const audio = patternAudio(0.7).subarray(0, 22_401);
    const digest = sha256(audio);
    await fc.assert(
      fc.asyncProperty(chunkingArb, fc.boolean(), async (sizes, turns) => {
        const client = clientFor(mock);
        const session = turns ? client.stt.turns(TURNS_PARAMS) : client.stt.stream(V1_PARAMS);
        for (const chunk of cut(audio, sizes)) session.send(chunk);
        await session.close();
        expect(sessionById(mock, session.requestId).audio).toEqual({ bytes: audio.length, sha256: digest });
      }),
      params,
    );
  });
});
