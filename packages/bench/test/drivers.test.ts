/**
 * Every client drives every endpoint against the embedded mock over real loopback sockets, and the
 * session scripts turn what they see into the right metrics. Values are checked for presence and for
 * what the scenario fixes (counts, shares, coverage), never against wall-clock bounds.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENTS, type ClientName } from "../src/drivers/types.js";
import { ENDPOINTS, metricsOf } from "../src/metrics/definitions.js";
import { runEndpoint, type RunPlan } from "../src/run/runner.js";
import { startTarget, type Target } from "../src/targets/target.js";

const plan = (client: ClientName, extra: Partial<RunPlan> = {}): RunPlan => ({
  endpoints: [...ENDPOINTS],
  client,
  sessions: 3,
  concurrency: 2,
  warmup: 1,
  pacing: "fast",
  rounds: 3,
  requests: 2,
  ...extra,
});

let target: Target;
beforeAll(async () => {
  target = await startTarget({ kind: "mock", latency: 5, seed: 3, tls: true });
});
afterAll(async () => {
  await target.close();
});

describe.each(CLIENTS)("client %s against the embedded mock", (client) => {
  it("stt-v1: every round gets a final and a flush_done, every session a done", async () => {
    const o = await runEndpoint(plan(client), target, "stt-v1");
    expect(o.sessions).toEqual({ ok: 3, failed: 0, errors: [] });
    expect(o.recorders.get("stt-v1.handshake")?.n).toBe(3);
    expect(o.recorders.get("stt-v1.finalize-to-final")?.n).toBe(9);
    expect(o.recorders.get("stt-v1.finalize-to-flush-done")?.n).toBe(9);
    expect(o.recorders.get("stt-v1.close-to-done")?.n).toBe(3);
    // The mock holds each answer back by the fixed 5 ms. Its timer runs on libuv's loop clock, which is
    // cached per loop turn in whole milliseconds, so it can fire up to ~1 ms early by performance.now().
    expect(o.recorders.get("stt-v1.finalize-to-flush-done")!.summary()!.min).toBeGreaterThanOrEqual(3.5);
  });

  it("stt-turns: three turn ends per session; one eager end resumed, one leading to the end", async () => {
    const o = await runEndpoint(plan(client), target, "stt-turns");
    expect(o.sessions).toEqual({ ok: 3, failed: 0, errors: [] });
    expect(o.recorders.get("stt-turns.speech-end-to-turn-end")?.n).toBe(9);
    expect(o.recorders.get("stt-turns.eager-lead")?.n).toBe(3);
    const share = o.recorders.get("stt-turns.resume-share")!.summary()!;
    expect([share.n, share.min, share.max]).toEqual([3, 0.5, 0.5]);
    expect(o.recorders.get("stt-turns.speech-end-to-turn-end")!.summary()!.min).toBeGreaterThanOrEqual(3.5);
  });

  it("tts: first chunk, done, real-time factor and full timestamp coverage per request", async () => {
    const o = await runEndpoint(plan(client), target, "tts");
    expect(o.sessions).toEqual({ ok: 3, failed: 0, errors: [] });
    for (const def of metricsOf("tts")) expect(o.recorders.get(def.id)?.n, def.id).toBe(def.id === "tts.handshake" ? 3 : 6);
    const coverage = o.recorders.get("tts.timestamp-coverage")!.summary()!;
    expect([coverage.min, coverage.max]).toEqual([1, 1]);
    const first = o.recorders.get("tts.first-chunk")!.summary()!;
    const done = o.recorders.get("tts.done")!.summary()!;
    expect(done.p50).toBeGreaterThanOrEqual(first.p50);
  });
});

describe("named latency profiles", () => {
  it("give every STT session its own draws (a mock per session, seeded seed + 1 + index)", async () => {
    const profiled = await startTarget({ kind: "mock", latency: "ink-2-30d", seed: 1, tls: false });
    try {
      const o = await runEndpoint(plan("raw", { sessions: 6, warmup: 0, rounds: 1, concurrency: 3 }), profiled, "stt-v1");
      expect(o.sessions.ok).toBe(6);
      const s = o.recorders.get("stt-v1.finalize-to-flush-done")!.summary()!;
      // One server for all sessions would give six copies of one draw (spread ≈ jitter); six seeds do not.
      expect(s.max - s.min).toBeGreaterThan(5);
      expect(s.min).toBeGreaterThanOrEqual(79);
    } finally {
      await profiled.close();
    }
  });
});

describe("a URL target", () => {
  it("that is a speechwire mock gets the bench's scenarios through its admin API and runs STT", async () => {
    const { startMockServer } = await import("@speechwire/mock-server");
    const elsewhere = await startMockServer({ host: "127.0.0.1", port: 0, tlsPort: false, latency: 3 });
    try {
      const url = await startTarget({ kind: "url", url: elsewhere.urls.http, apiKey: "sk_test" });
      expect(url.scripted).toBe(true);
      expect(url.description).toMatch(/a speechwire mock/);
      const o = await runEndpoint(plan("speechwire", { warmup: 0 }), url, "stt-turns");
      expect(o.sessions).toEqual({ ok: 3, failed: 0, errors: [] });
      expect(o.recorders.get("stt-turns.speech-end-to-turn-end")?.n).toBe(9);
      expect(elsewhere.scenarios.get("bench-turns")).toBeDefined();
    } finally {
      await elsewhere.close();
    }
  });

  it("that is a speechwire mock in strict mode loads the scenarios with its admin key, and says why without one", async () => {
    const { startMockServer } = await import("@speechwire/mock-server");
    const strict = await startMockServer({ port: 0, tlsPort: false, auth: "strict", apiKeys: ["sk_test"], adminKeys: ["admin-secret"] });
    try {
      await expect(startTarget({ kind: "url", url: strict.urls.http, apiKey: "sk_test" })).rejects.toThrow(/401.*admin/s);
      const url = await startTarget({ kind: "url", url: strict.urls.http, apiKey: "sk_test", adminKey: "admin-secret" });
      expect(url.scripted).toBe(true);
      expect(strict.scenarios.get("bench-turns")).toBeDefined();
      const o = await runEndpoint(plan("speechwire", { warmup: 0 }), url, "stt-turns");
      expect(o.sessions).toEqual({ ok: 3, failed: 0, errors: [] });
    } finally {
      await strict.close();
    }
  });
});

describe("failures and skips are reported, not faked", () => {
  it("a refused handshake (scenario auth-401) fails every session with the reason", async () => {
    const o = await runEndpoint(plan("raw", { scenario: "auth-401", warmup: 0 }), target, "stt-v1");
    expect(o.sessions.ok).toBe(0);
    expect(o.sessions.failed).toBe(3);
    expect(o.sessions.errors[0]).toMatch(/401/);
    expect(o.recorders.size).toBe(0);
  });

  it("an unknown scenario is a clear error", async () => {
    await expect(runEndpoint(plan("raw", { scenario: "no-such-scenario" }), target, "tts")).rejects.toThrow(/unknown scenario "no-such-scenario"/);
  });

  it("STT with scripted speech on a URL target is skipped with its reason, before any connection", async () => {
    // A URL target: nothing listens on port 9 of loopback, and nothing is dialed for a skipped endpoint.
    const url = await startTarget({ kind: "url", url: "http://127.0.0.1:9", apiKey: "sk_test" });
    const o = await runEndpoint(plan("speechwire", { speech: "scripted" }), url, "stt-turns");
    expect(o.skipped).toMatch(/needs real speech with known word timings/);
    expect(o.sessions).toEqual({ ok: 0, failed: 0, errors: [] });
  });

  it("a URL target that refuses connections fails its TTS sessions with the reason", async () => {
    const url = await startTarget({ kind: "url", url: "http://127.0.0.1:9", apiKey: "sk_test" });
    const o = await runEndpoint(plan("raw", { warmup: 0, sessions: 1 }), url, "tts");
    expect(o.sessions.failed).toBe(1);
    expect(o.sessions.errors[0]).toMatch(/ECONNREFUSED|refused/i);
  });

  it("a target that is neither mock nor http(s) is refused", async () => {
    await expect(startTarget({ kind: "url", url: "ftp://127.0.0.1/", apiKey: "k" })).rejects.toThrow(/http\(s\) URL/);
  });
});
