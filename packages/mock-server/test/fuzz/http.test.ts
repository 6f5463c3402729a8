/**
 * Bounded fuzz of HTTP (part of `pnpm test`): every route with bodies made for it (or not) from the
 * protocol's arbitraries, mutated, truncated, chunked well or badly, slow, with lying lengths and
 * multipart edge cases; in open and strict mode; reads of a playground folder with every way to climb
 * out of it; and full valid sessions of every endpoint, which must succeed. A reference session runs
 * alongside every case. FC_SEED replays a failure; FC_NUM_RUNS scales every property.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, it } from "vitest";
import { httpRequestArb, playgroundRequestArb, sessionCaseArb } from "./generators.js";
import { caseProperty, fcOptions, FuzzTarget, makePlayground } from "./harness.js";
import { ensureBuilt } from "./mock-process.js";

describe("fuzz: HTTP and full sessions", () => {
  const playground = makePlayground();
  const open = new FuzzTarget({ mode: "open" });
  const strict = new FuzzTarget({ mode: "strict" });
  const served = new FuzzTarget({ mode: "open", playgroundDir: playground.dir });
  beforeAll(async () => {
    ensureBuilt();
    await Promise.all([open.ready(), strict.ready(), served.ready()]);
  });
  afterAll(async () => {
    await Promise.all([open.stop(), strict.stop(), served.stop()]);
    playground.cleanup();
  });

  it("any HTTP request gets a valid answer in its version's shape (open mode)", async () => {
    await fc.assert(caseProperty(open, httpRequestArb, (c) => ({ family: "request", c })), fcOptions(60));
  });

  it("any HTTP request gets a valid answer, and only issued credentials open anything (strict mode)", async () => {
    await fc.assert(caseProperty(strict, httpRequestArb, (c) => ({ family: "request", c })), fcOptions(25));
  });

  it("no read leaves the playground folder", async () => {
    await fc.assert(caseProperty(served, playgroundRequestArb, (c) => ({ family: "request", c })), fcOptions(30));
  });

  it("valid full sessions of every endpoint succeed", async () => {
    await fc.assert(caseProperty(open, sessionCaseArb, (c) => ({ family: "session", c })), fcOptions(15));
  });
});
