/**
 * Bounded fuzz of WebSocket frames (part of `pnpm test`): on each endpoint, sequences of valid
 * messages from the protocol's arbitraries, mutated ones, invalid JSON and UTF-8, binary/text swaps,
 * empty and odd frames, fragments, ping floods, odd close codes and broken framing; then abusive
 * clients (idle sockets, non-reading clients, half-closes, many sessions). A reference session runs
 * alongside every case. FC_SEED replays a failure; FC_NUM_RUNS scales every property.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, it } from "vitest";
import { abuseCaseArb, frameCaseArb, type WsEndpoint } from "./generators.js";
import { caseProperty, fcOptions, FuzzTarget } from "./harness.js";
import { ensureBuilt } from "./mock-process.js";

describe("fuzz: frames", () => {
  const open = new FuzzTarget({ mode: "open" });
  beforeAll(async () => {
    ensureBuilt();
    await open.ready();
  });
  afterAll(() => open.stop());

  for (const endpoint of ["stt-v1", "stt-turns", "tts"] satisfies WsEndpoint[]) {
    it(`any frame sequence on ${endpoint} gets valid messages and a documented close`, async () => {
      await fc.assert(caseProperty(open, frameCaseArb(endpoint), (c) => ({ family: "frames", c })), fcOptions(40));
    });
  }

  it("abusive clients do not change what the reference session gets", async () => {
    await fc.assert(caseProperty(open, abuseCaseArb, (c) => ({ family: "abuse", c })), fcOptions(10));
  });
});
