/**
 * The bodies of the mock's own HTTP routes (`GET /` and the admin API under `/_speechwire/`), as Zod
 * schemas: the handlers' replies are typed by them, the tests parse real answers with them, and the
 * OpenAPI document (`schemas/openapi.yaml`) is generated from them. The Cartesia routes' bodies live in
 * `@speechwire/protocol`; a scenario's in `../scenario/schema.ts`.
 */
import * as z from "zod";
import { scenarioSchema } from "../scenario/schema.js";

/** `GET /`: what the server is (browsers get the playground instead, when it is served). */
export const statusBodySchema = z.object({
  ok: z.literal(true),
  version: z.string().meta({ description: "The Cartesia-Version the mock speaks by default." }),
  server: z.literal("speechwire-mock"),
  speechwire: z.string().meta({ description: "The @speechwire/mock-server package version." }),
});

/** `GET /_speechwire/health`: open in every mode (a liveness probe, no secret in it). */
export const healthBodySchema = z.object({
  ok: z.literal(true),
  version: z.string(),
  uptimeSeconds: z.number().int().nonnegative(),
  openSessions: z.number().int().nonnegative(),
  defaultScenario: z.string(),
  memory: z.object({ rss: z.number().int().nonnegative(), heapUsed: z.number().int().nonnegative() }).meta({ description: "Bytes." }),
});

/** `GET /_speechwire/scenarios`: every scenario by name. */
export const scenarioListBodySchema = z.array(z.object({ name: z.string(), description: z.string(), default: z.boolean() }));

/** `DELETE /_speechwire/scenarios/{name}`: a run-time scenario removed, or a replaced startup one restored. */
export const scenarioDeletedBodySchema = z.object({
  name: z.string(),
  result: z.enum(["removed", "restored"]),
  defaultScenario: z.string(),
});

/** 409 on a scenario the server started with (built-in, `--scenarios`, the startup default). */
export const scenarioConflictBodySchema = z.object({ error: z.string(), name: z.string(), message: z.string() });

/** 400 on a scenario that does not validate: each issue with its path. */
export const invalidScenarioBodySchema = z.object({
  error: z.literal("invalid scenario"),
  issues: z.array(z.object({ path: z.string(), message: z.string() })),
});

/** 400 on a bad admin query (`replace` other than true or false, or repeated). */
export const invalidQueryBodySchema = z.object({ error: z.literal("invalid query"), message: z.string() });

/** 413 on a scenario body over 1 MiB. */
export const tooLargeBodySchema = z.object({ error: z.string() });

/** 404 under `/_speechwire/`: no such route, scenario or session. */
export const adminNotFoundBodySchema = z.object({ error: z.literal("not found"), path: z.string() });

/** 405 on a known admin path with a method it does not take (the `Allow` header says the same). */
export const methodNotAllowedBodySchema = z.object({
  error: z.literal("method not allowed"),
  path: z.string(),
  allow: z.array(z.string()),
  message: z.string(),
});

/** A grammar or schema violation the journal's linter found (the protocol's `Violation`). */
export const violationSchema = z.object({
  rule: z.string(),
  section: z.string(),
  severity: z.enum(["error", "warning"]),
  message: z.string(),
  index: z.number().int(),
  contextId: z.string().optional(),
});

/** One frame or event of a journalled session (see `JournalEntry`). */
export const journalEntrySchema = z.object({
  t: z.number().meta({ description: "Milliseconds since the session opened." }),
  dir: z.enum(["client", "server"]),
  audio: z.number().meta({ description: "Seconds of audio received when this happened." }),
  kind: z.enum(["text", "binary", "close", "drop", "http"]),
  text: z.string().optional(),
  bytes: z.number().int().optional(),
  offset: z.number().int().optional(),
  frames: z.number().int().optional(),
  tEnd: z.number().optional(),
  audioEnd: z.number().optional(),
  code: z.number().int().optional(),
  reason: z.string().optional(),
  status: z.number().int().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

/** A journalled session without its frames (`GET /_speechwire/sessions`). */
export const sessionSummarySchema = z.object({
  id: z.string(),
  endpoint: z.enum(["stt-v1", "stt-turns", "tts", "tts-bytes", "tts-sse", "stt-batch", "access-token"]),
  scenario: z.string(),
  version: z.string(),
  requestId: z.string(),
  method: z.string().optional().meta({ description: "HTTP requests only." }),
  path: z.string(),
  query: z.record(z.string(), z.union([z.string(), z.array(z.string())])).meta({ description: "Credentials redacted." }),
  headers: z.record(z.string(), z.string()).meta({ description: "Credentials redacted." }),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  audio: z.object({ bytes: z.number().int().nonnegative(), sha256: z.string() }),
  droppedEntries: z.number().int().nonnegative(),
  violations: z.array(violationSchema),
  response: z
    .object({ status: z.number().int(), bytes: z.number().int().nonnegative(), sha256: z.string(), contentType: z.string().optional() })
    .optional()
    .meta({ description: "HTTP requests: the response as sent." }),
});

/** One journalled session with its frames (`GET /_speechwire/sessions/{id}`). */
export const sessionRecordSchema = sessionSummarySchema.extend({ entries: z.array(journalEntrySchema) });

/** `DELETE /_speechwire/sessions`: how many records went. */
export const sessionsDeletedBodySchema = z.object({ deleted: z.number().int().nonnegative() });

/** `DELETE /_speechwire/sessions/{id}`. */
export const sessionDeletedBodySchema = z.object({ deleted: z.literal(1), id: z.string() });

/** `POST /_speechwire/reset`: sessions, run-time scenarios and replaced startup ones all back to the start. */
export const resetBodySchema = z.object({ reset: z.literal(true), deleted: z.number().int().nonnegative(), defaultScenario: z.string() });

/** Every body of the mock's own routes, by name (the OpenAPI document's component names). */
export const ADMIN_BODY_SCHEMAS = {
  Status: statusBodySchema,
  Health: healthBodySchema,
  ScenarioList: scenarioListBodySchema,
  Scenario: scenarioSchema,
  ScenarioDeleted: scenarioDeletedBodySchema,
  ScenarioConflict: scenarioConflictBodySchema,
  InvalidScenario: invalidScenarioBodySchema,
  InvalidQuery: invalidQueryBodySchema,
  TooLarge: tooLargeBodySchema,
  AdminNotFound: adminNotFoundBodySchema,
  MethodNotAllowed: methodNotAllowedBodySchema,
  SessionSummary: sessionSummarySchema,
  SessionRecord: sessionRecordSchema,
  SessionsDeleted: sessionsDeletedBodySchema,
  SessionDeleted: sessionDeletedBodySchema,
  Reset: resetBodySchema,
} as const;
