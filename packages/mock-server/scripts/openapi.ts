/**
 * The OpenAPI 3.1 document of the mock's HTTP routes (`schemas/openapi.yaml`): Cartesia's `/tts/bytes`,
 * `/tts/sse`, `/stt` and `/access-token`, the status route and the admin API. Every schema in it comes
 * from a Zod schema through zod's own `z.toJSONSchema`, as the JSON Schema files do: the Cartesia bodies
 * from `@speechwire/protocol`'s message catalogue (the same entries as its `schemas/*.json`), the
 * mock's own from `src/server/admin-schemas.ts` and the scenario schema. Deterministic: no clock, no
 * environment. `scripts/generate.ts` writes it; `test/openapi.test.ts` checks it is current, passes a
 * real OpenAPI parser, and matches what a running mock answers.
 */
import { readFileSync } from "node:fs";
import { ENDPOINTS, MESSAGE_CATALOG, type CatalogEntry } from "@speechwire/protocol";
import { Document } from "yaml";
import * as z from "zod";
import { ADMIN_BODY_SCHEMAS } from "../src/server/admin-schemas.js";
import { scenarioSchema } from "../src/scenario/schema.js";
import { SCENARIO_HEADER, SCENARIO_QUERY } from "../src/server/scenarios.js";

/** The committed file's path, relative to the package. */
export const OPENAPI_FILE = "schemas/openapi.yaml";

type Json = Record<string, unknown>;

/** The Cartesia HTTP endpoints, in document order. */
const HTTP_ENDPOINTS = ["tts-bytes", "tts-sse", "stt-batch", "access-token"] as const;
type HttpEndpoint = (typeof HTTP_ENDPOINTS)[number];

/** The package version (the document's `info.version`). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

/**
 * A Zod schema as an OpenAPI 3.1 Schema Object (JSON Schema 2020-12 without `$schema`). A `$ref` or
 * `$defs` inside would resolve against the document, not the schema, so none may appear.
 */
function schemaObject(schema: z.ZodType, io: "input" | "output"): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Json;
  const text = JSON.stringify(rest);
  if (text.includes('"$ref"') || text.includes('"$defs"')) throw new Error("a generated schema has a $ref or $defs; give it an id and list it under components");
  return rest;
}

/** A catalogue entry's component name: `<endpoint>.<file name without .json>`. */
function componentName(entry: CatalogEntry): string {
  return `${entry.endpoint}.${entry.file.slice(entry.file.indexOf("/") + 1).replace(/\.json$/, "")}`;
}

/** The catalogue entries of one HTTP endpoint. */
function entriesOf(endpoint: HttpEndpoint): CatalogEntry[] {
  return MESSAGE_CATALOG.filter((e) => e.endpoint === endpoint);
}

/** A `$ref` to a schema component. */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** The catalogue entry of an endpoint with a file name (e.g. `request.json`); throws when missing. */
function entry(endpoint: HttpEndpoint, file: string): CatalogEntry {
  const found = MESSAGE_CATALOG.find((e) => e.endpoint === endpoint && e.file === `${endpoint}/${file}`);
  if (!found) throw new Error(`the protocol catalogue has no ${endpoint}/${file}`);
  return found;
}

/** A `$ref` to a catalogue entry's schema component. */
const entryRef = (endpoint: HttpEndpoint, file: string) => ref(componentName(entry(endpoint, file)));

/** The two request shapes of a TTS route: before and from Cartesia-Version 2026-08-14 (voice as a string). */
function ttsRequestBody(endpoint: "tts-bytes" | "tts-sse"): Json {
  return {
    required: true,
    description:
      "A generation request. The voice is `{mode: \"id\", id}` before Cartesia-Version 2026-08-14 and `\"<id>\"` or `{id}` from it on (the second schema). Unknown fields are refused under the mock's strict reading.",
    content: { "application/json": { schema: { anyOf: [entryRef(endpoint, "request.json"), entryRef(endpoint, "request.2026-08-14.json")] } } },
  };
}

/** Query parameters from a wire-form (all strings) query schema. */
function queryParameters(schema: Json): Json[] {
  const properties = (schema.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({ name, in: "query", required: required.has(name), schema: property }));
}

const ERROR = { $ref: "#/components/responses/CartesiaError" };
const CARTESIA_PARAMETERS = [{ $ref: "#/components/parameters/CartesiaVersion" }, { $ref: "#/components/parameters/ScenarioHeader" }, { $ref: "#/components/parameters/ScenarioQuery" }];
const REQUEST_ID_HEADERS = {
  "Cartesia-Request-Id": { description: "The request's id (also in error bodies and the journal).", schema: { type: "string" } },
  "X-Request-Id": { description: "The same id, under its common name.", schema: { type: "string" } },
};
const json = (schema: Json, description: string, headers?: Json): Json => ({ description, ...(headers ? { headers } : {}), content: { "application/json": { schema } } });

/** The Cartesia routes: request and response bodies from the protocol's catalogue. */
function cartesiaPaths(): Json {
  const sttQuery = entry("stt-batch", "query.wire.json");
  const sttForm = schemaObject(entry("stt-batch", "form.json").schema(), "input");
  const formProperties = { file: { type: "string", contentMediaType: "application/octet-stream", description: "The audio file (any container the model takes; raw PCM with the query's encoding and sample_rate)." }, ...(sttForm.properties as Json) };
  const security = [{ bearer: [] }, { apiKey: [] }];
  return {
    [ENDPOINTS["tts-bytes"].path]: {
      post: {
        operationId: "ttsBytes",
        tags: ["Cartesia"],
        summary: "Synthesize speech, the audio as the response body",
        description: `PROTOCOL.md ${ENDPOINTS["tts-bytes"].section}. The body is streamed with chunked encoding; with \`save: true\` the response carries \`Cartesia-File-ID\`.`,
        parameters: CARTESIA_PARAMETERS,
        security,
        requestBody: ttsRequestBody("tts-bytes"),
        responses: {
          "200": {
            description: "The audio in the requested container.",
            headers: { ...REQUEST_ID_HEADERS, "Cartesia-File-ID": { description: "With `save: true`: the saved file's id.", schema: { type: "string" } } },
            content: Object.fromEntries(["application/octet-stream", "audio/wav", "audio/mpeg"].map((type) => [type, { schema: entryRef("tts-bytes", "audio.json") }])),
          },
          default: ERROR,
        },
      },
    },
    [ENDPOINTS["tts-sse"].path]: {
      post: {
        operationId: "ttsSse",
        tags: ["Cartesia"],
        summary: "Synthesize speech as Server-Sent Events",
        description: `PROTOCOL.md ${ENDPOINTS["tts-sse"].section}. Each event is one \`data: <json>\` line and a blank line; the JSON is one of \`tts-sse.event\` (chunk, timestamps, phoneme timestamps, done, error), named in \`x-speechwire-event\` (OpenAPI 3.1 has no schema for a stream's items).`,
        parameters: CARTESIA_PARAMETERS,
        security,
        requestBody: ttsRequestBody("tts-sse"),
        responses: {
          "200": {
            description: "The event stream.",
            headers: REQUEST_ID_HEADERS,
            content: { "text/event-stream": { schema: { type: "string" }, "x-speechwire-event": entryRef("tts-sse", "event.json") } },
          },
          default: ERROR,
        },
      },
    },
    [ENDPOINTS["stt-batch"].path]: {
      post: {
        operationId: "sttBatch",
        tags: ["Cartesia"],
        summary: "Transcribe an audio file",
        description: `PROTOCOL.md ${ENDPOINTS["stt-batch"].section}. \`encoding\` and \`sample_rate\` in the query describe raw PCM only.`,
        parameters: [...CARTESIA_PARAMETERS, ...queryParameters(schemaObject(sttQuery.schema(), "input"))],
        security,
        requestBody: {
          required: true,
          content: { "multipart/form-data": { schema: { ...sttForm, properties: formProperties, required: ["file", ...((sttForm.required ?? []) as string[])] } } },
        },
        responses: { "200": json(entryRef("stt-batch", "response.json"), "The transcript.", REQUEST_ID_HEADERS), default: ERROR },
      },
    },
    [ENDPOINTS["access-token"].path]: {
      post: {
        operationId: "accessToken",
        tags: ["Cartesia"],
        summary: "Mint a short-lived access token for a browser",
        description: `PROTOCOL.md ${ENDPOINTS["access-token"].section}. Needs an API key (an access token cannot mint another).`,
        parameters: [{ $ref: "#/components/parameters/CartesiaVersion" }],
        security,
        requestBody: { required: false, content: { "application/json": { schema: entryRef("access-token", "request.json") } } },
        responses: { "200": json(entryRef("access-token", "response.json"), "The token.", REQUEST_ID_HEADERS), default: ERROR },
      },
    },
  };
}

/** A reference to a response component. */
const response = (name: string) => ({ $ref: `#/components/responses/${name}` });
/** An admin route's usual failures: 401 (strict mode without the admin key) and 405. */
const ADMIN_FAILURES = { "401": response("AdminUnauthorized"), "405": response("MethodNotAllowed") };
const ADMIN = { tags: ["Admin"], security: [{ adminKey: [] }, {}] };
const nameParameter = { name: "name", in: "path", required: true, description: "A scenario name (percent-encoded).", schema: { type: "string" } };
const idParameter = { name: "id", in: "path", required: true, description: "A session id from the journal.", schema: { type: "string" } };

/** The mock's own routes: `GET /` and the admin API. */
function mockPaths(): Json {
  return {
    "/": {
      get: {
        operationId: "status",
        tags: ["Mock"],
        summary: "What the server is",
        description: "A browser (Accept: text/html) gets the playground instead while it is served (`--no-playground` turns it off).",
        responses: {
          "200": {
            description: "The status, or the playground's page for a browser.",
            content: { "application/json": { schema: ref("Status") }, "text/html": { schema: { type: "string" } } },
          },
        },
      },
    },
    "/_speechwire/health": {
      get: {
        ...ADMIN,
        security: [],
        operationId: "health",
        summary: "Liveness, open sessions and memory (open in every mode)",
        responses: { "200": json(ref("Health"), "The server is up."), "405": response("MethodNotAllowed") },
      },
    },
    "/_speechwire/scenarios": {
      get: { ...ADMIN, operationId: "listScenarios", summary: "Every scenario by name", responses: { "200": json(ref("ScenarioList"), "The scenarios."), ...ADMIN_FAILURES } },
      post: {
        ...ADMIN,
        operationId: "addScenario",
        summary: "Add a scenario, or replace one added at run time",
        description: "A scenario the server started with (built-in, `--scenarios`, the startup default) is replaced only with `replace=true`, until it is deleted again or the server is reset.",
        parameters: [{ name: "replace", in: "query", required: false, schema: { type: "string", enum: ["true", "false"] } }],
        requestBody: {
          required: true,
          description: "A scenario file's text, JSON or YAML (at most 1 MiB).",
          content: { "application/json": { schema: ref("ScenarioInput") }, "application/yaml": { schema: { type: "string" } } },
        },
        responses: {
          "201": json(ref("Scenario"), "Added, with every default filled in."),
          "400": json({ anyOf: [ref("InvalidScenario"), ref("InvalidQuery")] }, "The scenario does not validate (each issue with its path), or a bad `replace`."),
          "409": json(ref("ScenarioConflict"), "A scenario the server started with, without `replace=true`."),
          "413": json(ref("TooLarge"), "Over 1 MiB."),
          ...ADMIN_FAILURES,
        },
      },
    },
    "/_speechwire/scenarios/{name}": {
      get: { ...ADMIN, operationId: "getScenario", summary: "One scenario, defaults filled in", parameters: [nameParameter], responses: { "200": json(ref("Scenario"), "The scenario."), "404": response("AdminNotFound"), ...ADMIN_FAILURES } },
      delete: {
        ...ADMIN,
        operationId: "deleteScenario",
        summary: "Remove a run-time scenario, or restore a replaced startup one",
        parameters: [nameParameter],
        responses: { "200": json(ref("ScenarioDeleted"), "Removed or restored."), "404": response("AdminNotFound"), "409": json(ref("ScenarioConflict"), "A scenario the server started with."), ...ADMIN_FAILURES },
      },
    },
    "/_speechwire/sessions": {
      get: { ...ADMIN, operationId: "listSessions", summary: "Every journalled session, without frames", responses: { "200": json({ type: "array", items: ref("SessionSummary") }, "The sessions, oldest first."), ...ADMIN_FAILURES } },
      delete: { ...ADMIN, operationId: "deleteSessions", summary: "Forget every session", responses: { "200": json(ref("SessionsDeleted"), "How many went."), ...ADMIN_FAILURES } },
    },
    "/_speechwire/sessions/{id}": {
      get: { ...ADMIN, operationId: "getSession", summary: "One session with its frames and violations", parameters: [idParameter], responses: { "200": json(ref("SessionRecord"), "The session."), "404": response("AdminNotFound"), ...ADMIN_FAILURES } },
      delete: { ...ADMIN, operationId: "deleteSession", summary: "Forget one session", parameters: [idParameter], responses: { "200": json(ref("SessionDeleted"), "Gone."), "404": response("AdminNotFound"), ...ADMIN_FAILURES } },
    },
    "/_speechwire/reset": {
      post: { ...ADMIN, operationId: "reset", summary: "Sessions, run-time scenarios and replaced startup ones back to the start", responses: { "200": json(ref("Reset"), "Reset."), ...ADMIN_FAILURES } },
    },
  };
}

/** Every schema component: the Cartesia HTTP bodies of the catalogue, then the mock's own. */
function schemaComponents(): Json {
  const schemas: Json = {};
  for (const endpoint of HTTP_ENDPOINTS) {
    for (const e of entriesOf(endpoint)) {
      schemas[componentName(e)] = {
        title: `${e.endpoint} ${e.direction}: ${e.tag.replaceAll("`", "")}`,
        description: `Generated from \`${e.schemaExport}\` (Cartesia-Version ${e.version} shapes, strict); the same schema as @speechwire/protocol's schemas/${e.file}.`,
        ...schemaObject(e.schema(), e.io),
      };
    }
  }
  for (const [name, schema] of Object.entries(ADMIN_BODY_SCHEMAS)) schemas[name] = schemaObject(schema, "output");
  schemas.ScenarioInput = { description: "A scenario as written: every field with a default may be left out.", ...schemaObject(scenarioSchema, "input") };
  return schemas;
}

/** The OpenAPI 3.1 document, as a plain object. */
export function openApiDocument(): Json {
  return {
    openapi: "3.1.1",
    info: {
      title: "speechwire mock: HTTP routes",
      version: packageVersion(),
      description: [
        "The HTTP routes of the speechwire mock (`speechwire-mock`): Cartesia's `/tts/bytes`, `/tts/sse`, `/stt` and `/access-token` as the mock serves them, its status route and its admin API under `/_speechwire/`. The WebSocket endpoints are in @speechwire/protocol's AsyncAPI document.",
        `Every Cartesia route is also served under \`/s/{scenario}/…\`; the header \`${SCENARIO_HEADER}\` or the query parameter \`${SCENARIO_QUERY}\` pick a scenario too. In open mode (the default) any API key opens the Cartesia routes and the admin API is open; in strict mode (\`--auth strict\`) only issued keys and tokens do, and the admin API needs \`--admin-key\`.`,
        "Errors on Cartesia routes take Cartesia's shapes: a JSON body from Cartesia-Version 2026-03-01 on, plain `Title: Message` text before.",
        "Generated by scripts/generate.ts from the Zod schemas; do not edit.",
      ].join("\n\n"),
      license: { name: "MIT", identifier: "MIT" },
    },
    servers: [
      { url: "http://127.0.0.1:8787", description: "The mock on loopback (`pnpm start`, `npx @speechwire/mock-server`)." },
      { url: "https://127.0.0.1:8788", description: "The same routes over TLS (a self-signed certificate whose path the mock prints)." },
    ],
    tags: [
      { name: "Cartesia", description: "Cartesia's HTTP API as the mock serves it (PROTOCOL.md §4, §6, §7)." },
      { name: "Mock", description: "The mock's own status route." },
      { name: "Admin", description: "The mock's admin API: scenarios, the session journal, reset." },
    ],
    paths: { ...cartesiaPaths(), ...mockPaths() },
    components: {
      schemas: schemaComponents(),
      parameters: {
        CartesiaVersion: { name: "Cartesia-Version", in: "header", required: false, description: "API version date; selects error and voice shapes (the mock's default when absent).", schema: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" } },
        ScenarioHeader: { name: SCENARIO_HEADER, in: "header", required: false, description: "The scenario this request runs (the mock only).", schema: { type: "string" } },
        ScenarioQuery: { name: SCENARIO_QUERY, in: "query", required: false, description: "The scenario this request runs (the mock only).", schema: { type: "string" } },
      },
      responses: {
        CartesiaError: {
          description: "An error in Cartesia's shape for the request's version: JSON from 2026-03-01 on, `Title: Message` text before.",
          headers: REQUEST_ID_HEADERS,
          content: { "application/json": { schema: entryRef("tts-bytes", "error-body.json") }, "text/plain": { schema: { type: "string" } } },
        },
        AdminUnauthorized: {
          description: "Strict mode without a valid admin key (a Cartesia error body in the version's shape).",
          content: { "application/json": { schema: entryRef("tts-bytes", "error-body.json") }, "text/plain": { schema: { type: "string" } } },
        },
        AdminNotFound: json(ref("AdminNotFound"), "No such route, scenario or session."),
        MethodNotAllowed: {
          ...json(ref("MethodNotAllowed"), "A method the path does not take."),
          headers: { Allow: { description: "The methods it takes.", schema: { type: "string" } } },
        },
      },
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "`Authorization: Bearer <API key or access token>` (PROTOCOL.md §1.2)." },
        apiKey: { type: "apiKey", in: "header", name: "X-API-Key", description: "The legacy header, still accepted." },
        adminKey: { type: "http", scheme: "bearer", description: "Strict mode: `Authorization: Bearer <admin key>` (`--admin-key`)." },
      },
    },
  };
}

/** `schemas/openapi.yaml`'s text. */
export function openApiYaml(): string {
  const doc = new Document(openApiDocument(), { aliasDuplicateObjects: false, compat: "yaml-1.1" });
  doc.commentBefore = " Generated by scripts/generate.ts from the Zod schemas; do not edit.";
  return doc.toString({ lineWidth: 0, indent: 2 });
}
