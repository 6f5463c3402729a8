/**
 * A speechwire mock started elsewhere as the bench's target: the bench loads its scenarios through the
 * admin API. A mock that started with them (`--scenarios bench-scenarios`, as `artillery init` writes
 * them) answers 409 for its own names: the same scenarios are taken as they are, other ones with those
 * names are refused with a message, never replaced.
 */
import { startMockServer, type MockServer } from "@speechwire/mock-server";
import { afterEach, describe, expect, it } from "vitest";
import { BENCH_SCENARIOS, startTarget } from "../src/index.js";

let mock: MockServer | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

const target = (m: MockServer) => startTarget({ kind: "url", url: m.urls.http, apiKey: "any" });

describe("a URL target that is a speechwire mock", () => {
  it("loads the bench's scenarios into a mock that has none of them", async () => {
    mock = await startMockServer({ host: "127.0.0.1", port: 0, tlsPort: false });
    const t = await target(mock);
    expect(t.scripted).toBe(true);
    for (const s of BENCH_SCENARIOS) expect((await t.scenario(s.name))?.description).toBe(s.description);
  });

  it("takes the same scenarios from a mock that started with them, whatever its latency", async () => {
    mock = await startMockServer({ host: "127.0.0.1", port: 0, tlsPort: false, latency: 50, scenarios: BENCH_SCENARIOS });
    const t = await target(mock);
    expect(t.scripted).toBe(true);
  });

  it("refuses a mock that started with another scenario of a bench name, and leaves it as it was", async () => {
    const other = BENCH_SCENARIOS.map((s, i) => (i === 0 ? { ...s, description: "someone else's" } : s));
    mock = await startMockServer({ host: "127.0.0.1", port: 0, tlsPort: false, scenarios: other });
    const name = BENCH_SCENARIOS[0]!.name;
    await expect(target(mock)).rejects.toThrow(`started with another scenario named ${name}; start it without that one`);
    expect(mock.scenarios.get(name)?.description).toBe("someone else's");
  });
});
