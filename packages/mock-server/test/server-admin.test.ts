/**
 * The admin API's deleting and resetting routes over real sockets on 127.0.0.1: sessions (all, one),
 * run-time scenarios (removed; a replaced startup one restored; a startup one 409), reset, protected
 * names on POST (409 unless ?replace=true), 405 with Allow, HEAD, strict-mode admin auth; and a
 * model-based property: any sequence of adds, replaces, deletes and resets answers as a plain model says.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILTIN_SCENARIOS, type MockServer } from "../src/index.js";
import { connect, startTestServer, V1_PATH } from "./helpers.js";

const ADMIN_KEY = "speechwire-admin-key-for-delete-tests";
const scenarioYaml = (name: string, say = "Added words.") => `name: ${name}\ndescription: ${say}\nstt:\n  turns:\n    - segments:\n        - say: ${say}\n`;

let mock: MockServer;
let folderMock: MockServer;
let folder: string;
beforeAll(async () => {
  mock = await startTestServer();
  folder = mkdtempSync(join(tmpdir(), "speechwire-admin-scenarios-"));
  writeFileSync(join(folder, "from-folder.yaml"), scenarioYaml("from-folder", "From the folder."));
  folderMock = await startTestServer({ scenariosDir: folder });
});
afterAll(async () => {
  await mock.close();
  await folderMock.close();
  rmSync(folder, { recursive: true, force: true });
});

const call = async (server: MockServer, method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}) => {
  const res = await fetch(`${server.urls.http}${path}`, { method, ...init });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (HEAD, or a legacy-shaped error): the text.
  }
  return { status: res.status, headers: res.headers, body: body as Record<string, unknown>, text };
};

/** Runs one short v1 session to its end and returns its journal id. */
async function oneSession(server: MockServer): Promise<string> {
  const before = new Set(server.sessions().map((s) => s.id));
  const s = await connect(`${server.urls.ws}${V1_PATH}`);
  s.ws.send(Buffer.alloc(640));
  s.ws.send("done");
  await s.closed;
  await expect.poll(() => server.sessions().find((r) => !before.has(r.id) && r.endedAt !== undefined)).toBeDefined();
  return server.sessions().find((r) => !before.has(r.id))?.id as string;
}

describe("DELETE /_speechwire/sessions", () => {
  it("forgets every session and answers how many; ids keep counting", async () => {
    await oneSession(mock);
    const last = await oneSession(mock);
    const count = mock.sessions().length;
    expect(count).toBeGreaterThanOrEqual(2);
    const res = await call(mock, "DELETE", "/_speechwire/sessions");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deleted: count });
    expect((await call(mock, "GET", "/_speechwire/sessions")).body).toEqual([]);
    expect((await call(mock, "DELETE", "/_speechwire/sessions")).body).toEqual({ deleted: 0 });
    const next = await oneSession(mock);
    expect(Number(next.slice(1))).toBe(Number(last.slice(1)) + 1);
  });

  it("forgets one session by id (percent-encoded too); 404 for an unknown id, 400 for a malformed one", async () => {
    const a = await oneSession(mock);
    const b = await oneSession(mock);
    const res = await call(mock, "DELETE", `/_speechwire/sessions/${a}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deleted: 1, id: a });
    expect((await call(mock, "GET", `/_speechwire/sessions/${a}`)).status).toBe(404);
    expect((await call(mock, "GET", `/_speechwire/sessions/${b}`)).status).toBe(200);
    expect((await call(mock, "DELETE", `/_speechwire/sessions/${a}`)).status).toBe(404);
    expect((await call(mock, "DELETE", `/_speechwire/sessions/%73${b.slice(1)}`)).body).toEqual({ deleted: 1, id: b });
    const unknown = await call(mock, "DELETE", "/_speechwire/sessions/s999999");
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: "not found", path: "/_speechwire/sessions/s999999" });
    expect((await call(mock, "DELETE", "/_speechwire/sessions/%ZZ")).status).toBe(400);
  });

  it("lets a session deleted while open run on, unrecorded", async () => {
    const s = await connect(`${mock.urls.ws}${V1_PATH}`);
    await expect.poll(() => mock.sessions().find((r) => r.endedAt === undefined)).toBeDefined();
    const open = mock.sessions().find((r) => r.endedAt === undefined)?.id as string;
    expect((await call(mock, "DELETE", `/_speechwire/sessions/${open}`)).status).toBe(200);
    s.ws.send(Buffer.alloc(640));
    s.ws.send("done");
    expect((await s.closed).code).toBe(1000);
    expect(mock.session(open)).toBeUndefined();
  });
});

describe("DELETE /_speechwire/scenarios/<name>", () => {
  it("removes a run-time scenario; GET is 404 after, and so is a second DELETE", async () => {
    expect((await call(mock, "POST", "/_speechwire/scenarios", { body: scenarioYaml("delete-me") })).status).toBe(201);
    const res = await call(mock, "DELETE", "/_speechwire/scenarios/delete-me");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ name: "delete-me", result: "removed", defaultScenario: "default" });
    expect((await call(mock, "GET", "/_speechwire/scenarios/delete-me")).status).toBe(404);
    expect((await call(mock, "DELETE", "/_speechwire/scenarios/delete-me")).status).toBe(404);
    expect((await call(mock, "DELETE", "/_speechwire/scenarios/%ZZ")).status).toBe(400);
  });

  it("refuses a startup scenario with 409 (built-in, the folder's, default), and restores a replaced one", async () => {
    for (const [server, name] of [
      [mock, "default"],
      [mock, "multi-turn"],
      [folderMock, "from-folder"],
    ] as const) {
      const res = await call(server, "DELETE", `/_speechwire/scenarios/${name}`);
      expect(res.status, name).toBe(409);
      expect(res.body).toMatchObject({ name });
      expect(String(res.body.error)).toContain("started with");
      expect(server.scenarios.get(name)).toBeDefined();
    }
    const original = mock.scenarios.get("multi-turn");
    expect((await call(mock, "POST", "/_speechwire/scenarios?replace=true", { body: scenarioYaml("multi-turn", "Replaced.") })).status).toBe(201);
    expect(((await call(mock, "GET", "/_speechwire/scenarios/multi-turn")).body as { description: string }).description).toBe("Replaced.");
    const res = await call(mock, "DELETE", "/_speechwire/scenarios/multi-turn");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: "multi-turn", result: "restored" });
    expect(mock.scenarios.get("multi-turn")).toBe(original);
    expect((await call(mock, "DELETE", "/_speechwire/scenarios/multi-turn")).status).toBe(409);
  });
});

describe("POST /_speechwire/scenarios and protected names", () => {
  it("answers 409 for a name the server started with, unless ?replace=true", async () => {
    for (const [server, name] of [
      [mock, "default"],
      [mock, "eager-resume"],
      [folderMock, "from-folder"],
      [folderMock, "tts-basic"],
    ] as const) {
      const before = server.scenarios.get(name);
      const refused = await call(server, "POST", "/_speechwire/scenarios", { body: scenarioYaml(name, "Silently replaced?") });
      expect(refused.status, name).toBe(409);
      expect(String(refused.body.error)).toContain("?replace=true");
      expect(server.scenarios.get(name)).toBe(before);
      expect((await call(server, "POST", "/_speechwire/scenarios?replace=false", { body: scenarioYaml(name) })).status).toBe(409);
      const replaced = await call(server, "POST", "/_speechwire/scenarios?replace=true", { body: scenarioYaml(name, "Replaced on purpose.") });
      expect(replaced.status).toBe(201);
      expect(server.scenarios.get(name)?.description).toBe("Replaced on purpose.");
      server.reset();
      expect(server.scenarios.get(name)).toBe(before);
    }
  });

  it("replaces a run-time scenario without asking, and refuses a replace value other than true or false", async () => {
    expect((await call(mock, "POST", "/_speechwire/scenarios", { body: scenarioYaml("runtime-twice", "First.") })).status).toBe(201);
    expect((await call(mock, "POST", "/_speechwire/scenarios", { body: scenarioYaml("runtime-twice", "Second.") })).status).toBe(201);
    expect(mock.scenarios.get("runtime-twice")?.description).toBe("Second.");
    for (const query of ["replace=yes", "replace=", "replace=true&replace=true", "replace=TRUE"]) {
      const res = await call(mock, "POST", `/_speechwire/scenarios?${query}`, { body: scenarioYaml("runtime-twice") });
      expect(res.status, query).toBe(400);
      expect(String(res.body.message)).toContain("replace takes true or false");
    }
    mock.reset();
  });

  it("uses a replaced default scenario for new connections, and the original again after a reset", async () => {
    const yaml = "name: default\nstt:\n  turns:\n    - segments:\n        - say: Only this.\n";
    expect((await call(mock, "POST", "/_speechwire/scenarios?replace=true", { body: yaml })).status).toBe(201);
    const transcript = async () => {
      const s = await connect(`${mock.urls.ws}${V1_PATH}`);
      s.ws.send(Buffer.alloc(32000 * 3));
      s.ws.send("done");
      await s.closed;
      return s.messages
        .filter((m): m is { type: string; is_final: boolean; text: string } => (m as { type?: string }).type === "transcript" && (m as { is_final?: boolean }).is_final === true)
        .map((m) => m.text)
        .join(" ");
    };
    expect(await transcript()).toContain("Only this");
    expect((await call(mock, "POST", "/_speechwire/reset")).status).toBe(200);
    expect(await transcript()).not.toContain("Only this");
  });
});

describe("POST /_speechwire/reset", () => {
  it("forgets sessions and run-time scenarios, restores replaced ones, and says how many sessions went", async () => {
    await oneSession(mock);
    const sessions = mock.sessions().length;
    await call(mock, "POST", "/_speechwire/scenarios", { body: scenarioYaml("reset-goes") });
    await call(mock, "POST", "/_speechwire/scenarios?replace=true", { body: scenarioYaml("dictation", "Replaced.") });
    const builtin = BUILTIN_SCENARIOS.find((s) => s.name === "dictation");
    const res = await call(mock, "POST", "/_speechwire/reset");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ reset: true, deleted: sessions, defaultScenario: "default" });
    expect(mock.sessions()).toEqual([]);
    expect((await call(mock, "GET", "/_speechwire/scenarios/reset-goes")).status).toBe(404);
    expect(mock.scenarios.get("dictation")).toBe(builtin);
    const names = ((await call(mock, "GET", "/_speechwire/scenarios")).body as unknown as { name: string }[]).map((s) => s.name);
    expect(names).toEqual(BUILTIN_SCENARIOS.map((s) => s.name).sort());
  });
});

describe("methods", () => {
  const ROUTES: [string, string][] = [
    ["/_speechwire/health", "GET, HEAD"],
    ["/_speechwire/scenarios", "GET, HEAD, POST"],
    ["/_speechwire/scenarios/default", "GET, HEAD, DELETE"],
    ["/_speechwire/sessions", "GET, HEAD, DELETE"],
    ["/_speechwire/sessions/s000001", "GET, HEAD, DELETE"],
    ["/_speechwire/reset", "POST"],
  ];

  it("answers 405 with Allow for a known path and a method it does not take (JSON, request ids)", async () => {
    for (const [path, allow] of ROUTES) {
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
        if (allow.split(", ").includes(method)) continue;
        const res = await call(mock, method, path, method === "GET" ? {} : { body: "" });
        expect(res.status, `${method} ${path}`).toBe(405);
        expect(res.headers.get("allow")).toBe(allow);
        expect(res.body).toMatchObject({ error: "method not allowed", path, allow: allow.split(", ") });
        expect(res.headers.get("cartesia-request-id")).toMatch(/^[0-9a-f-]{36}$/);
      }
    }
    expect((await call(mock, "DELETE", "/_speechwire/nope")).status).toBe(404);
  });

  it("answers HEAD like GET without a body", async () => {
    for (const path of ["/_speechwire/health", "/_speechwire/scenarios", "/_speechwire/scenarios/default", "/_speechwire/sessions"]) {
      const res = await call(mock, "HEAD", path);
      expect(res.status, path).toBe(200);
      expect(res.text).toBe("");
      expect(res.headers.get("content-type")).toContain("application/json");
    }
  });

  it("puts Allow on the Cartesia routes' 405 too, and lets browsers send DELETE", async () => {
    const res = await fetch(`${mock.urls.http}/tts/bytes`, { method: "PUT", body: "{}" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    const preflight = await fetch(`${mock.urls.http}/_speechwire/sessions`, { method: "OPTIONS" });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-methods")).toContain("DELETE");
  });
});

describe("strict mode", () => {
  let strict: MockServer;
  beforeAll(async () => {
    strict = await startTestServer({ auth: "strict", apiKeys: ["sk_car_api"], adminKeys: [ADMIN_KEY] });
  });
  afterAll(() => strict.close());
  const ROUTES: [string, string][] = [
    ["DELETE", "/_speechwire/sessions"],
    ["DELETE", "/_speechwire/sessions/s000001"],
    ["DELETE", "/_speechwire/scenarios/default"],
    ["DELETE", "/_speechwire/scenarios/nope"],
    ["POST", "/_speechwire/reset"],
    ["PUT", "/_speechwire/sessions"],
    ["DELETE", "/_speechwire/health"],
    ["POST", "/_speechwire/scenarios?replace=true"],
  ];

  it("refuses every deleting, resetting or wrongly-methoded admin request without the admin key (401), and serves it with the key", async () => {
    await strict.scenarios.add({ ...(BUILTIN_SCENARIOS[0] as (typeof BUILTIN_SCENARIOS)[number]), name: "kept" });
    for (const [method, path] of ROUTES) {
      const body = method === "POST" ? { body: scenarioYaml("default", "Replaced without a key?") } : {};
      for (const headers of [{}, { authorization: "Bearer sk_car_api" }, { "x-api-key": "sk_car_admin_other" }] as Record<string, string>[]) {
        const res = await call(strict, method, path, { ...body, headers });
        expect(res.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(401);
      }
    }
    expect(strict.scenarios.get("kept")).toBeDefined();
    expect(strict.scenarios.get("default")?.description).not.toBe("Replaced without a key?");
    const expected = [200, 404, 409, 404, 200, 405, 405, 201];
    const got: number[] = [];
    for (const [method, path] of ROUTES) {
      const body = method === "POST" ? { body: scenarioYaml("default", "Replaced with the key.") } : {};
      got.push((await call(strict, method, path, { ...body, headers: { authorization: `Bearer ${ADMIN_KEY}` } })).status);
    }
    expect(got).toEqual(expected);
    expect(strict.scenarios.get("kept")).toBeUndefined();
  });
});

/** A plain model of the registry as the admin API shows it: startup names, and what is there now. */
type Op = { op: "post"; name: string; replace: boolean } | { op: "delete"; name: string } | { op: "reset" };

describe("any sequence of admin operations", () => {
  it("answers as a plain model of protected and run-time scenarios says", async () => {
    const server = await startTestServer();
    const startup = new Set(server.scenarios.list().map((s) => s.name));
    const names = ["default", "multi-turn", "run-a", "run-b"];
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ op: fc.constant("post" as const), name: fc.constantFrom(...names), replace: fc.boolean() }),
      fc.record({ op: fc.constant("delete" as const), name: fc.constantFrom(...names) }),
      fc.constant({ op: "reset" as const }),
    );
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { maxLength: 8 }), async (ops) => {
          server.reset();
          // The model: which names exist, and which startup names are replaced now.
          const runtime = new Set<string>();
          const replaced = new Set<string>();
          for (const [i, o] of ops.entries()) {
            if (o.op === "reset") {
              expect((await call(server, "POST", "/_speechwire/reset")).status).toBe(200);
              runtime.clear();
              replaced.clear();
            } else if (o.op === "post") {
              const res = await call(server, "POST", `/_speechwire/scenarios${o.replace ? "?replace=true" : ""}`, { body: scenarioYaml(o.name, `Version ${i}.`) });
              const expected = startup.has(o.name) && !o.replace ? 409 : 201;
              expect(res.status, `${o.op} ${o.name}`).toBe(expected);
              if (expected === 201) (startup.has(o.name) ? replaced : runtime).add(o.name);
            } else {
              const res = await call(server, "DELETE", `/_speechwire/scenarios/${o.name}`);
              const expected = startup.has(o.name) ? (replaced.has(o.name) ? "restored" : 409) : runtime.has(o.name) ? "removed" : 404;
              if (typeof expected === "number") expect(res.status, `${o.op} ${o.name}`).toBe(expected);
              else expect(res.body).toMatchObject({ result: expected });
              replaced.delete(o.name);
              runtime.delete(o.name);
            }
          }
          const listed = ((await call(server, "GET", "/_speechwire/scenarios")).body as unknown as { name: string }[]).map((s) => s.name);
          expect(listed).toEqual([...new Set([...startup, ...runtime])].sort());
          for (const name of startup) {
            const builtin = BUILTIN_SCENARIOS.find((s) => s.name === name);
            if (replaced.has(name)) expect(server.scenarios.get(name)).not.toBe(builtin);
            else expect(server.scenarios.get(name)).toBe(builtin);
          }
        }),
        { numRuns: Number(process.env.FC_NUM_RUNS ?? 40) },
      );
    } finally {
      await server.close();
    }
  });
});
