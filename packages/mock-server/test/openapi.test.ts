/**
 * `schemas/openapi.yaml`, the OpenAPI 3.1 document of the mock's HTTP routes: committed exactly as the
 * generator writes it, valid for a real OpenAPI parser (@readme/openapi-parser, which also resolves
 * every reference), complete (every Cartesia HTTP endpoint, every admin route and method the mock
 * takes, nothing it does not), and true to a running mock (its answers parse, unknown keys and all,
 * as the schemas the document is generated from).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileErrors, validate } from "@readme/openapi-parser";
import { accessToken, ENDPOINTS, ttsBytes } from "@speechwire/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import type * as z from "zod";
import { OPENAPI_FILE, openApiDocument, openApiYaml } from "../scripts/openapi.js";
import { ADMIN_BODY_SCHEMAS } from "../src/server/admin-schemas.js";
import { ADMIN_ROUTES } from "../src/server/http-api.js";
import type { MockServer } from "../src/index.js";
import { startTestServer } from "./helpers.js";

const pkg = fileURLToPath(new URL("..", import.meta.url));
type Doc = { paths: Record<string, Record<string, unknown>> };
const METHODS = ["get", "post", "put", "patch", "delete"] as const;

describe("schemas/openapi.yaml", () => {
  it("is committed exactly as the generator writes it", () => {
    const committed = readFileSync(join(pkg, OPENAPI_FILE), "utf8");
    expect(committed, "run `pnpm --filter @speechwire/mock-server generate` and commit the result").toBe(openApiYaml());
    expect(parseYaml(committed)).toEqual(openApiDocument());
  });

  it("passes @readme/openapi-parser as OpenAPI 3.1 with no error and no warning", async () => {
    const doc = parseYaml(readFileSync(join(pkg, OPENAPI_FILE), "utf8")) as Record<string, unknown>;
    expect(doc.openapi).toMatch(/^3\.1\./);
    const result = await validate(doc as unknown as Parameters<typeof validate>[0]);
    expect(result.valid, result.valid ? "" : compileErrors(result)).toBe(true);
    expect(result.warnings).toEqual([]);
  });

  it("the parser catches a dangling reference, a path parameter left undeclared and a missing title (the check above can fail)", async () => {
    const broken = (change: (doc: Doc & { info: Record<string, unknown> }) => void) => {
      const doc = structuredClone(openApiDocument()) as Doc & { info: Record<string, unknown> };
      change(doc);
      return validate(doc as unknown as Parameters<typeof validate>[0]);
    };
    const dangling = await broken((doc) => {
      (doc.paths["/_speechwire/health"] as { get: { responses: Record<string, unknown> } }).get.responses["200"] = { $ref: "#/components/responses/Nope" };
    });
    expect(dangling.valid).toBe(false);
    const undeclared = await broken((doc) => {
      delete (doc.paths["/_speechwire/sessions/{id}"] as { get: { parameters?: unknown } }).get.parameters;
    });
    expect(undeclared.valid).toBe(false);
    const untitled = await broken((doc) => {
      delete doc.info.title;
    });
    expect(untitled.valid).toBe(false);
  });

  it("documents every Cartesia HTTP endpoint of the protocol catalogue as a POST", () => {
    const doc = openApiDocument() as Doc;
    const http = Object.values(ENDPOINTS).filter((e) => e.transport === "http");
    expect(http.length).toBe(4);
    for (const endpoint of http) expect(Object.keys(doc.paths[endpoint.path] ?? {}), endpoint.path).toEqual(["post"]);
  });
  it("documents every admin route with the methods it takes (HEAD goes with GET)", () => {
    const doc = openApiDocument() as Doc;
    const documented = Object.keys(doc.paths).filter((p) => p.startsWith("/_speechwire/"));
    expect(documented).toHaveLength(ADMIN_ROUTES.length);
    for (const route of ADMIN_ROUTES) {
      const template = documented.find((p) => route.pattern.test(p.replace(/\{[a-z]+\}/g, "x")));
      expect(template, String(route.pattern)).toBeDefined();
      const methods = METHODS.filter((m) => m in (doc.paths[template as string] as object)).map((m) => m.toUpperCase());
      expect(methods.sort(), template).toEqual(route.methods.filter((m) => m !== "HEAD").slice().sort());
    }
  });
});

describe("the document against a running mock", () => {
  let mock: MockServer;
  beforeAll(async () => {
    mock = await startTestServer();
  });
  afterAll(() => mock.close());

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${mock.urls.http}${path}`, {
      method,
      headers: { accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text.length > 0 && res.headers.get("content-type")?.startsWith("application/json") ? (JSON.parse(text) as unknown) : text };
  };
  /** The body parses as the named component's schema and loses nothing (no undocumented key). */
  const conforms = (name: keyof typeof ADMIN_BODY_SCHEMAS, body: unknown) => {
    const parsed = (ADMIN_BODY_SCHEMAS[name] as z.ZodType).safeParse(body);
    expect(parsed.success, `${name}: ${parsed.success ? "" : JSON.stringify(parsed.error.issues)}`).toBe(true);
    if (parsed.success) expect(parsed.data, `${name} has keys the document does not list`).toEqual(body);
  };

  it("takes exactly the documented methods on every documented path (405 with Allow for the others)", async () => {
    const doc = openApiDocument() as Doc;
    for (const [template, item] of Object.entries(doc.paths)) {
      if (template === "/") continue;
      const path = template.replace("{name}", "default").replace("{id}", "s-none");
      const documented = METHODS.filter((m) => m in item).map((m) => m.toUpperCase());
      for (const method of METHODS.map((m) => m.toUpperCase())) {
        const r = await call(method, path);
        if (documented.includes(method)) expect(r.status, `${method} ${path}`).not.toBe(405);
        else {
          expect(r.status, `${method} ${path}`).toBe(405);
          const allow = r.headers.get("allow")?.split(", ") ?? [];
          for (const m of documented) expect(allow, `${method} ${path}: Allow`).toContain(m);
        }
      }
    }
  });

  it("every admin answer is the documented body", async () => {
    conforms("Status", (await call("GET", "/")).body);
    conforms("Health", (await call("GET", "/_speechwire/health")).body);
    conforms("ScenarioList", (await call("GET", "/_speechwire/scenarios")).body);
    conforms("Scenario", (await call("GET", "/_speechwire/scenarios/eager-resume")).body);

    const added = await call("POST", "/_speechwire/scenarios", { name: "openapi-probe", description: "A scenario of the OpenAPI test." });
    expect(added.status).toBe(201);
    conforms("Scenario", added.body);
    const conflict = await call("POST", "/_speechwire/scenarios", { name: "default", description: "Not the built-in one." });
    expect(conflict.status).toBe(409);
    conforms("ScenarioConflict", conflict.body);
    const invalid = await call("POST", "/_speechwire/scenarios", { name: 7 });
    expect(invalid.status).toBe(400);
    conforms("InvalidScenario", invalid.body);
    const badQuery = await call("POST", "/_speechwire/scenarios?replace=maybe", { name: "x", description: "x" });
    expect(badQuery.status).toBe(400);
    conforms("InvalidQuery", badQuery.body);
    const tooLarge = await call("POST", "/_speechwire/scenarios", "x".repeat(1024 * 1024 + 1));
    expect(tooLarge.status).toBe(413);
    conforms("TooLarge", tooLarge.body);
    const removed = await call("DELETE", "/_speechwire/scenarios/openapi-probe");
    expect(removed.status).toBe(200);
    conforms("ScenarioDeleted", removed.body);
    const protectedOne = await call("DELETE", "/_speechwire/scenarios/default");
    expect(protectedOne.status).toBe(409);
    conforms("ScenarioConflict", protectedOne.body);
    const unknown = await call("GET", "/_speechwire/scenarios/nope");
    expect(unknown.status).toBe(404);
    conforms("AdminNotFound", unknown.body);
    const wrongMethod = await call("PUT", "/_speechwire/reset");
    expect(wrongMethod.status).toBe(405);
    conforms("MethodNotAllowed", wrongMethod.body);

    // A Cartesia request makes a session; an error and a token take the protocol's schemas.
    const request = { model_id: "sonic-3", transcript: "Hello there.", voice: { mode: "id", id: "6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81" }, output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: 24000 } };
    expect((await call("POST", "/tts/bytes", request, { "cartesia-version": "2026-03-01" })).status).toBe(200);
    const refused = await call("POST", "/tts/bytes", { ...request, model_id: 7 }, { "cartesia-version": "2026-03-01" });
    expect(refused.status).toBe(400);
    expect(ttsBytes.schemas({ strictness: "strict", version: "2026-03-01" }).errorBody.safeParse(refused.body).success, JSON.stringify(refused.body)).toBe(true);
    const token = await call("POST", "/access-token", { grants: { stt: true } }, { authorization: "Bearer any-key" });
    expect(token.status).toBe(200);
    expect(accessToken.schemas({ strictness: "strict", version: "2026-03-01" }).response.safeParse(token.body).success, JSON.stringify(token.body)).toBe(true);

    const sessions = (await call("GET", "/_speechwire/sessions")).body as { id: string }[];
    expect(sessions.length).toBeGreaterThanOrEqual(3);
    for (const s of sessions) conforms("SessionSummary", s);
    const one = await call("GET", `/_speechwire/sessions/${sessions[0]!.id}`);
    conforms("SessionRecord", one.body);
    const gone = await call("DELETE", `/_speechwire/sessions/${sessions[0]!.id}`);
    conforms("SessionDeleted", gone.body);
    conforms("SessionsDeleted", (await call("DELETE", "/_speechwire/sessions")).body);
    conforms("Reset", (await call("POST", "/_speechwire/reset")).body);
  });
});
