/**
 * Bounded fuzz of handshakes (part of `pnpm test`): generated and mutated request lines, targets,
 * queries, versions, credentials and WebSocket headers against a mock child in open and strict mode,
 * and bursts of the upgrades `ws` refuses (a per-request leak shows after ten of them).
 * FC_SEED replays a failure; FC_NUM_RUNS scales every property.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, it } from "vitest";
import { handshakeArb, wsRefusedHandshakeArb } from "./generators.js";
import { caseProperty, fcOptions, FuzzTarget } from "./harness.js";
import { ensureBuilt } from "./mock-process.js";

describe("fuzz: handshakes", () => {
  const open = new FuzzTarget({ mode: "open" });
  const strict = new FuzzTarget({ mode: "strict" });
  beforeAll(async () => {
    ensureBuilt();
    await Promise.all([open.ready(), strict.ready()]);
  });
  afterAll(() => Promise.all([open.stop(), strict.stop()]));

  it("any handshake gets a valid answer in its version's shape (open mode)", async () => {
    await fc.assert(caseProperty(open, handshakeArb, (c) => ({ family: "request", c })), fcOptions(60));
  });

  it("any handshake gets a valid answer, and only issued credentials open anything (strict mode)", async () => {
    await fc.assert(caseProperty(strict, handshakeArb, (c) => ({ family: "request", c })), fcOptions(30));
  });

  it("upgrades that ws refuses get a valid answer and leave nothing behind, twelve in a row", async () => {
    // One generated handshake sent twelve times: shrinking then works on one request, not twelve.
    const burst = wsRefusedHandshakeArb.map((c) => Array.from({ length: 12 }, () => c));
    await fc.assert(caseProperty(open, burst, (c) => ({ family: "requests", c })), fcOptions(3));
  });
});
