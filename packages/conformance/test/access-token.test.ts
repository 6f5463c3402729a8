/**
 * The access-token suite (§7) against a real mock in strict auth mode: the @speechwire/client adapter
 * passes every check over fixed and generated cases; deliberately broken adapters (the real client
 * with one fault) fail exactly the checks their fault breaks; the journal-reading checks fail on
 * hand-altered records of a real exchange.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fc from "fast-check";
import { accessToken } from "@speechwire/protocol";
import { redactSecret, scenarioSchema, startMockServer, type MockServer, type SessionRecord } from "@speechwire/mock-server";
import { createSpeechwireAdapter } from "../src/adapter/speechwire.js";
import type { Adapter } from "../src/adapter/types.js";
import { capabilitiesSchema, type Case, type ObservationEvent } from "../src/adapter/schema.js";
import { ACCESS_TOKEN_CHECKS } from "../src/checks/access-token.js";
import { accessTokenCaseArb, accessTokenFixedCases, accessTokenPath, expectsExpiredRefusal, expectsGrantRefusal, expiredClockShift } from "../src/runner/access-token-cases.js";
import { TokenClock } from "../src/runner/token-clock.js";
import { evaluateCase, runConformance } from "../src/runner/run.js";
import { RUNS, SEED } from "./helpers.js";

const IDS = ACCESS_TOKEN_CHECKS.map((c) => c.id);

/** Renames the adapter so reports tell them apart. */
function named(name: string, adapter: Adapter): Adapter {
  return { ...adapter, capabilities: async () => ({ ...(await adapter.capabilities()), name }) };
}

/** The grades of the suite's checks over its fixed cases; nothing may be skipped. */
async function failing(adapter: Adapter): Promise<string[]> {
  const report = await runConformance({ adapter, suites: ["access-token"], runs: 0 });
  expect(report.checks.map((c) => c.id)).toEqual(IDS);
  expect(report.checks.filter((c) => c.grade === "warning" || c.grade === "skipped").map((c) => c.id)).toEqual([]);
  return report.checks.filter((c) => c.grade === "fail").map((c) => c.id).sort();
}

describe("access-token suite: @speechwire/client", () => {
  it("passes every check over the fixed and generated cases", async () => {
    const report = await runConformance({ adapter: createSpeechwireAdapter(), suites: ["access-token"], runs: RUNS, seed: SEED });
    expect(report.checks.filter((c) => c.grade !== "pass").map((c) => `${c.id}: ${c.grade} ${c.reason ?? ""}`)).toEqual([]);
    expect(report.cases).toBeGreaterThanOrEqual(accessTokenFixedCases().length + RUNS);
    // Every check was exercised by at least one case.
    for (const c of report.checks) expect(c.cases.length, c.id).toBeGreaterThan(0);
  });

  it("is skipped for an adapter that does not declare the suite", async () => {
    const inner = createSpeechwireAdapter();
    const adapter: Adapter = { ...inner, capabilities: async () => ({ ...(await inner.capabilities()), suites: ["stt-turns"] }) };
    const report = await runConformance({ adapter, suites: ["access-token"], runs: 2, seed: SEED });
    expect(report.cases).toBe(0);
    expect(report.checks.map((c) => `${c.id} ${c.grade}`)).toEqual(IDS.map((id) => `${id} skipped`));
  });
});

describe("access-token suite: broken adapters fail exactly their checks", () => {
  it("sending the API key instead of the token on the WebSocket", async () => {
    const adapter = named("broken-api-key-on-websocket", createSpeechwireAdapter({ tokenCredentials: (_token, target) => ({ apiKey: target.apiKey, credentialsIn: "query" }) }));
    // Granted sessions carry ?api_key; the ungranted and the expired ones are accepted (the key opens
    // them), so neither the 403 nor the 401 comes.
    expect(await failing(adapter)).toEqual(["access-token/expired-refused", "access-token/grant-refused", "access-token/used-on-websocket"]);
  });

  it("swallowing the 403 of a session the token does not grant", async () => {
    const adapter = named("broken-swallows-403", createSpeechwireAdapter({ observe: (e) => (e.type === "error" && e.status === 403 ? undefined : e) }));
    expect(await failing(adapter)).toEqual(["access-token/grant-refused"]);
  });

  it("swallowing a refused mint (401)", async () => {
    const adapter = named("broken-swallows-401", createSpeechwireAdapter({ observe: (e, c) => (e.type === "error" && c.accessToken?.key === "invalid" && e.status === 401 ? undefined : e) }));
    expect(await failing(adapter)).toEqual(["access-token/errors-surfaced"]);
  });

  it("swallowing the 401 of a session opened with an expired token", async () => {
    const adapter = named("broken-swallows-expired-401", createSpeechwireAdapter({ observe: (e, c) => (e.type === "error" && c.accessToken?.use !== "none" && e.status === 401 ? undefined : e) }));
    expect(await failing(adapter)).toEqual(["access-token/expired-refused"]);
  });

  it("surfacing the expired token's refusal without its status", async () => {
    const adapter = named("broken-expired-untyped", createSpeechwireAdapter({ observe: (e, c) => (e.type === "error" && c.accessToken?.expired && e.status === 401 ? { type: "error", message: e.message } : e) }));
    expect(await failing(adapter)).toEqual(["access-token/expired-refused"]);
  });

  it("surfacing a token other than the one issued", async () => {
    const adapter = named("broken-wrong-token", createSpeechwireAdapter({ observe: (e) => (e.type === "access_token" ? { ...e, token: `${e.token}x` } : e) }));
    expect(await failing(adapter)).toEqual(["access-token/token-surfaced"]);
  });
});

describe("access-token checks on altered records of a real exchange", () => {
  let mock: MockServer;
  const clock = new TokenClock();
  beforeAll(async () => {
    mock = await startMockServer({ port: 0, tlsPort: false, seed: 1, auth: "strict", apiKeys: ["sk_car_test_key"], clock: clock.now });
  });
  afterAll(async () => {
    await mock.close();
  });

  /** Runs one fixed case through the real client and returns what a check reads. */
  async function exchange(id: string): Promise<{ c: Case; sessions: SessionRecord[]; events: ObservationEvent[] }> {
    const c = accessTokenFixedCases().find((x) => x.id === id) as Case;
    const name = `alt-${id}`;
    mock.scenarios.add(scenarioSchema.parse({ ...c.scenario, name }));
    const events: ObservationEvent[] = [];
    const shift = expiredClockShift(c);
    if (shift !== undefined) clock.arm(shift);
    try {
      await createSpeechwireAdapter().runCase({ baseUrl: `${mock.urls.http}/s/${name}`, apiKey: "sk_car_test_key" }, c, (e) => events.push(e));
    } finally {
      clock.disarm();
    }
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && mock.sessions().some((s) => s.scenario === name && !s.endedAt)) await new Promise((r) => setTimeout(r, 20));
    return { c, sessions: structuredClone(mock.sessions().filter((s) => s.scenario === name)), events };
  }

  function grades(x: { c: Case; sessions: SessionRecord[]; events: ObservationEvent[] }): Record<string, string> {
    const caps = capabilitiesSchema.parse({ name: "t", suites: ["access-token"] });
    const verdicts = evaluateCase({ case: x.c, events: x.events, result: { crashed: false }, sessions: x.sessions }, scenarioSchema.parse({ ...x.c.scenario, name: "x" }), caps, new Uint8Array(0));
    return Object.fromEntries([...verdicts].map(([id, v]) => [id, v.grade]));
  }

  it("the unaltered exchange passes", async () => {
    const x = await exchange("token-stt-turns");
    expect(grades(x)).toEqual({ "access-token/request": "pass", "access-token/token-surfaced": "pass", "access-token/used-on-websocket": "pass", "access-token/no-crash": "pass" });
  });

  it("request: another expiry, a strict-schema violation, no key, no version", async () => {
    const x = await exchange("token-stt-turns");
    const mint = () => x.sessions.find((s) => s.endpoint === "access-token") as SessionRecord;
    const body = mint().entries.find((e) => e.kind === "text" && e.dir === "client");
    if (!body) throw new Error("no request body in the journal");
    const original = body.text;
    body.text = JSON.stringify({ grants: { stt: true }, expires_in: 299 });
    expect(grades(x)["access-token/request"]).toBe("fail");
    body.text = original;
    mint().violations.push({ rule: "access-token/valid-request", index: 0, message: "expires_in: too big", severity: "error" } as SessionRecord["violations"][number]);
    expect(grades(x)["access-token/request"]).toBe("fail");
    mint().violations.pop();
    const { authorization, ...noAuth } = mint().headers;
    expect(authorization).toBeDefined();
    mint().headers = noAuth;
    expect(grades(x)["access-token/request"]).toBe("fail");
    mint().headers = { ...noAuth, "x-api-key": redactSecret("sk_car_test_key") };
    expect(grades(x)["access-token/request"]).toBe("pass");
    delete mint().headers["cartesia-version"];
    expect(grades(x)["access-token/request"]).toBe("fail");
  });

  it("used-on-websocket: the API key in ?access_token, ?api_key, X-API-Key, or no session", async () => {
    const x = await exchange("token-tts");
    const socket = () => x.sessions.find((s) => s.endpoint === "tts") as SessionRecord;
    const query = { ...socket().query };
    // The journal shows the token as its digest, and the mint's answer the same digest.
    expect(String(query.access_token)).toMatch(/^redacted:[0-9a-f]{8}$/u);
    const key = redactSecret("sk_car_test_key");
    socket().query = { ...query, access_token: key };
    expect(grades(x)["access-token/used-on-websocket"]).toBe("fail");
    socket().query = { ...query, api_key: key };
    expect(grades(x)["access-token/used-on-websocket"]).toBe("fail");
    socket().query = query;
    const headers = { ...socket().headers };
    socket().headers = { ...headers, "x-api-key": key };
    expect(grades(x)["access-token/used-on-websocket"]).toBe("fail");
    // The token as a Bearer credential instead of ?access_token=: compared by digest as well.
    const { access_token: issued, ...noToken } = query;
    socket().query = noToken;
    socket().headers = { ...headers, authorization: `Bearer ${String(issued)}` };
    expect(grades(x)["access-token/used-on-websocket"]).toBe("pass");
    socket().headers = { ...headers, authorization: `Bearer ${key}` };
    expect(grades(x)["access-token/used-on-websocket"]).toBe("fail");
    socket().query = query;
    socket().headers = headers;
    const withoutSocket = { ...x, sessions: x.sessions.filter((s) => s.endpoint !== "tts") };
    expect(grades(withoutSocket)["access-token/used-on-websocket"]).toBe("fail");
    // The session must also have worked: its done surfaced.
    const noDone = { ...x, sessions: x.sessions.map((s) => (s.endpoint === "tts" ? { ...s, headers: {}, query } : s)), events: x.events.filter((e) => e.type !== "tts.done") };
    expect(grades(noDone)["access-token/used-on-websocket"]).toBe("fail");
  });

  it("expired-refused: the 401 with its status, no session events, no session in the journal", async () => {
    const x = await exchange("token-expired-stt-turns");
    // The real exchange: one mint (200), no session (the upgrade was refused), a typed 401.
    expect(x.sessions.map((s) => `${s.endpoint} ${s.response?.status ?? ""}`)).toEqual(["access-token 200"]);
    expect(x.events.filter((e) => e.type === "error").map((e) => e.type === "error" && e.status)).toEqual([401]);
    expect(grades(x)).toEqual({ "access-token/request": "pass", "access-token/token-surfaced": "pass", "access-token/used-on-websocket": "pass", "access-token/expired-refused": "pass", "access-token/no-crash": "pass" });
    const noErrors = { ...x, events: x.events.filter((e) => e.type !== "error") };
    expect(grades(noErrors)["access-token/expired-refused"]).toBe("fail");
    const as403 = { ...x, events: x.events.map((e) => (e.type === "error" ? { ...e, status: 403 } : e)) };
    expect(grades(as403)["access-token/expired-refused"]).toBe("fail");
    const leaked = { ...x, events: [...x.events, { type: "turn.start" } as ObservationEvent] };
    expect(grades(leaked)["access-token/expired-refused"]).toBe("fail");
    // A session in the journal: the handshake was not refused (the client got in with something else).
    const granted = await exchange("token-stt-turns");
    const socket = granted.sessions.find((s) => s.endpoint === "stt-turns") as SessionRecord;
    const opened = { ...x, sessions: [...x.sessions, socket] };
    expect(grades(opened)["access-token/expired-refused"]).toBe("fail");
    expect(grades(opened)["access-token/used-on-websocket"]).toBe("fail");
  });

  it("errors-surfaced: the status and code of a refused mint, and no token", async () => {
    const c = accessTokenFixedCases().find((x) => x.id === "token-bad-key") as Case;
    mock.scenarios.add(scenarioSchema.parse({ ...c.scenario, name: "alt-bad-key" }));
    const events: ObservationEvent[] = [];
    await createSpeechwireAdapter().runCase({ baseUrl: `${mock.urls.http}/s/alt-bad-key`, apiKey: "sk_car_wrong" }, c, (e) => events.push(e));
    const sessions = mock.sessions().filter((s) => s.scenario === "alt-bad-key");
    expect(sessions.map((s) => s.response?.status)).toEqual([401]);
    expect(grades({ c, sessions, events })).toEqual({ "access-token/errors-surfaced": "pass", "access-token/no-crash": "pass" });
    const wrongCode = events.map((e) => (e.type === "error" ? { ...e, code: "other" } : e));
    expect(grades({ c, sessions, events: wrongCode })["access-token/errors-surfaced"]).toBe("fail");
    expect(grades({ c, sessions, events: [...events, { type: "access_token", token: "t" }] })["access-token/errors-surfaced"]).toBe("fail");
  });
});

describe("access-token cases", () => {
  it("every generated case is valid under the protocol's strict request schema and refuses exactly the ungranted endpoint", () => {
    fc.assert(
      fc.property(accessTokenCaseArb(), (c) => {
        const spec = c.accessToken;
        if (!spec) return false;
        const body = JSON.stringify({ grants: spec.grants, ...(spec.expires_in !== undefined ? { expires_in: spec.expires_in } : {}) });
        expect(accessToken.parseRequest(body, { strictness: "strict" }).ok).toBe(true);
        const path = accessTokenPath(spec);
        const granted = path !== undefined && accessToken.grantCovers(spec.grants, path);
        expect(expectsGrantRefusal(c)).toBe(spec.key === "valid" && path !== undefined && !granted && !spec.expired);
        // An expired token is drawn only for a session its grants cover, so its refusal is the 401 alone.
        expect(expectsExpiredRefusal(c)).toBe(spec.expired === true);
        if (spec.expired) expect(spec.key === "valid" && granted).toBe(true);
        expect(expiredClockShift(c)).toBe(spec.expired ? (spec.expires_in ?? accessToken.MAX_EXPIRES_IN) + 1 : undefined);
        // A session case carries what its endpoint needs.
        if (spec.use === "stt-turns") expect(c.stt).toBeDefined();
        if (spec.use === "tts") expect(c.contexts).toHaveLength(1);
        return true;
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("the generated cases include expired tokens (about 1 in 5 of the session cases with a valid key)", () => {
    const cases = fc.sample(accessTokenCaseArb(), { seed: SEED, numRuns: 300 });
    const expired = cases.filter((c) => c.accessToken?.expired).length;
    expect(expired).toBeGreaterThan(10);
    expect(expired).toBeLessThan(cases.length / 2);
  });
});

describe("the token clock of expired cases", () => {
  it("does not reach the next case: a granted token minted right after an expired case works", async () => {
    const fixed = accessTokenFixedCases();
    const pick = (id: string) => fixed.find((c) => c.id === id) as Case;
    // token-expired-tts moves its mint 3601 s back; token-tts lives 60 s, so any shift left over would
    // expire it too. The same with an adapter that never mints in the expired case (the shift unread).
    const cases = [pick("token-expired-tts"), pick("token-tts"), pick("token-expired-stt-turns"), pick("token-stt-turns")];
    const inner = createSpeechwireAdapter();
    const skipsExpired: Adapter = { ...inner, capabilities: async () => ({ ...(await inner.capabilities()), name: "skips-expired-cases" }), runCase: (t, c, o) => (c.accessToken?.expired ? Promise.resolve({ crashed: false }) : inner.runCase(t, c, o)) };
    for (const adapter of [inner, skipsExpired]) {
      const report = await runConformance({ adapter, suites: ["access-token"], cases });
      const used = report.checks.find((c) => c.id === "access-token/used-on-websocket");
      expect(used?.cases.filter((v) => v.case === "token-tts" || v.case === "token-stt-turns").map((v) => `${v.case} ${v.grade} ${v.message ?? ""}`).sort(), report.adapter).toEqual(["token-stt-turns pass ", "token-tts pass "]);
      const expired = report.checks.find((c) => c.id === "access-token/expired-refused");
      // The real client is refused in both expired cases; the skipping adapter never minted, so the check does not apply.
      expect(expired?.grade, report.adapter).toBe(adapter === inner ? "pass" : "skipped");
    }
  });
});

describe("access-token over the JSON-lines protocol", () => {
  it("a case line and the adapter's token observation parse under the exported schemas", async () => {
    const { runnerMessageSchema, adapterMessageSchema } = await import("../src/adapter/schema.js");
    for (const c of accessTokenFixedCases()) {
      const line = JSON.stringify({ type: "case", target: { baseUrl: "http://127.0.0.1:1/s/x", apiKey: "k" }, case: c });
      const parsed = runnerMessageSchema.parse(JSON.parse(line));
      expect(parsed.type === "case" && parsed.case.accessToken).toEqual(c.accessToken);
    }
    expect(adapterMessageSchema.safeParse({ type: "observation", case: "c", event: { type: "access_token", token: "eyJ.x.y" } }).success).toBe(true);
    expect(adapterMessageSchema.safeParse({ type: "observation", case: "c", event: { type: "access_token" } }).success).toBe(false);
    // Grants are the protocol's three; anything else is refused by name.
    expect(runnerMessageSchema.safeParse({ type: "case", target: { baseUrl: "u", apiKey: "k" }, case: { id: "x", suite: "access-token", actions: [], accessToken: { grants: { voices: true } } } }).success).toBe(false);
  });
});

describe("access-token over stdin/stdout", () => {
  it("a plain-Node command adapter (fetch, then ws with ?access_token=) passes the whole suite", async () => {
    const { createCommandAdapter } = await import("../src/adapter/command.js");
    const script = new URL("./fixtures/token-adapter.mjs", import.meta.url).pathname;
    const report = await runConformance({ adapter: createCommandAdapter(`node ${script}`), suites: ["access-token"], runs: RUNS, seed: SEED });
    expect(report.adapter).toBe("token-command-adapter");
    expect(report.checks.filter((c) => c.grade !== "pass").map((c) => `${c.id}: ${c.grade} ${c.reason ?? ""}`)).toEqual([]);
  });
});
