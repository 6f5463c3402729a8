/**
 * Builds the generated artifacts under `schemas/` from the message catalogue: one JSON Schema
 * (draft 2020-12, through zod's own `z.toJSONSchema`) per catalogue entry, and `asyncapi.yaml`, an
 * AsyncAPI 3.0.0 document for the three WebSocket endpoints whose message payloads `$ref` those files.
 *
 * `scripts/generate.ts` writes them; `test/artifacts.test.ts` checks that the committed files match.
 * Everything here is deterministic: key order follows the catalogue and the schemas, nothing reads
 * the clock or the environment.
 */
import { readFileSync } from "node:fs";
import { Document } from "yaml";
import * as z from "zod";
import { ENDPOINTS, MESSAGE_CATALOG, type CatalogEntry, type EndpointName } from "../src/catalog.js";

/** The JSON Schema dialect of every file (zod's `z.toJSONSchema` default target). */
export const JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema";

/** The AsyncAPI document's path under `schemas/`. */
export const ASYNCAPI_FILE = "asyncapi.yaml";

/** The WebSocket endpoints the AsyncAPI document describes, in document order. */
export const WS_ENDPOINTS = ["stt-v1", "stt-turns", "tts"] as const satisfies readonly EndpointName[];

/** The command that regenerates everything (quoted in the drift test's failure messages). */
export const GENERATE_COMMAND = "pnpm --filter @speechwire/protocol generate";

type JsonObject = Record<string, unknown>;

/** The package version, read from package.json (the AsyncAPI `info.version`). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: unknown };
  if (typeof pkg.version !== "string") throw new Error("packages/protocol/package.json has no version");
  return pkg.version;
}

/** A tag without Markdown code marks, for titles and plain text. */
function plain(tag: string): string {
  return tag.replaceAll("`", "");
}

/**
 * The PROTOCOL.md section of an entry. WebSocket chapters (§2, §3, §5) are laid out alike: `.1`
 * handshake, `.2` client → server, `.3` server → client; error events also follow §1.4.
 */
export function protocolSection(entry: CatalogEntry): string {
  const endpoint = ENDPOINTS[entry.endpoint];
  let section: string = endpoint.section;
  if (endpoint.transport === "websocket" && /^§\d+$/.test(section)) {
    const sub = entry.direction === "handshake" ? 1 : entry.direction === "client→server" ? 2 : 3;
    section = `${section}.${sub}`;
  }
  return /\berror\b/.test(entry.tag) ? `${section} and §1.4` : section;
}

/** The `title` of an entry's JSON Schema file. */
export function schemaTitle(entry: CatalogEntry): string {
  return `${entry.endpoint} ${entry.direction}: ${plain(entry.tag)}`;
}

/** The `description` of an entry's JSON Schema file: endpoint, direction, tag, version, section. */
export function schemaDescription(entry: CatalogEntry): string {
  const endpoint = ENDPOINTS[entry.endpoint];
  const where = endpoint.transport === "websocket" ? `WebSocket \`${endpoint.path}\`` : `HTTP \`POST ${endpoint.path}\``;
  const form =
    entry.io === "input"
      ? " in wire form (every query value or form field is a string)"
      : entry.direction === "handshake"
        ? " in parsed form (typed values, not the wire strings)"
        : "";
  return [
    `Endpoint \`${entry.endpoint}\` (${where}), ${entry.direction}: ${entry.tag}.`,
    entry.union ? "A union of the messages of this direction." : undefined,
    `Strict reading (unknown fields and out-of-range values rejected)${form}; shapes of Cartesia-Version ${entry.version}.`,
    `See PROTOCOL.md ${protocolSection(entry)}.`,
    `Generated from \`${entry.schemaExport}\` by scripts/generate.ts; do not edit.`,
  ]
    .filter((line) => line !== undefined)
    .join(" ");
}

/** zod's JSON Schema of a schema, in wire (`input`) or parsed (`output`) form. */
function toJsonSchema(schema: z.ZodType, io: "input" | "output"): JsonObject {
  return z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonObject;
}

/**
 * The JSON Schema of one catalogue entry: `$schema`, then `title` and `description`, then zod's
 * output. A description the schema carries itself (the audio frame's) is kept after ours.
 */
export function entryJsonSchema(entry: CatalogEntry): JsonObject {
  const { $schema, title: _title, description: own, ...rest } = toJsonSchema(entry.schema(), entry.io);
  if ($schema !== JSON_SCHEMA_DIALECT) {
    throw new Error(`${entry.file}: zod produced $schema ${JSON.stringify($schema)}, expected ${JSON_SCHEMA_DIALECT}`);
  }
  const description = typeof own === "string" ? `${schemaDescription(entry)}\n\n${own}` : schemaDescription(entry);
  return { $schema, title: schemaTitle(entry), description, ...rest };
}

/** A file's text: two-space JSON with a trailing newline. */
function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** The message id of an entry inside its channel (the file name without `.json`). */
export function channelMessageId(entry: CatalogEntry): string {
  const base = entry.file.slice(entry.file.lastIndexOf("/") + 1);
  return base.replace(/\.json$/, "");
}

/** The id of an entry under `components.messages` (`<endpoint>.<channel message id>`). */
export function componentMessageId(entry: CatalogEntry): string {
  return `${entry.endpoint}.${channelMessageId(entry)}`;
}

/** Catalogue entries that are messages on a WebSocket (not handshake queries, not unions). */
export function wsMessageEntries(endpoint: EndpointName): CatalogEntry[] {
  return MESSAGE_CATALOG.filter((e) => e.endpoint === endpoint && e.direction !== "handshake" && !e.union);
}

/** The `type` tag a message's JSON Schema fixes (`"transcript"`, `"turn.start"`), if any. */
function wireTypeOf(schema: JsonObject): string | undefined {
  const properties = schema.properties as Record<string, { const?: unknown }> | undefined;
  const tag = properties?.type?.const;
  return typeof tag === "string" ? tag : undefined;
}

/** The frame content type of a WebSocket message, from its JSON Schema. */
function contentTypeOf(schema: JsonObject): string {
  if (schema.contentMediaType === "application/octet-stream") return "application/octet-stream";
  if (schema.type === "string") return "text/plain";
  return "application/json";
}

/** How a WebSocket message travels, for its description. */
function frameKind(contentType: string): string {
  if (contentType === "application/octet-stream") return "a binary frame";
  if (contentType === "text/plain") return "a text frame (bare text, not JSON)";
  return "a text frame of JSON";
}

/** The AsyncAPI message object of a WebSocket catalogue entry; its payload `$ref`s the JSON Schema file. */
function asyncApiMessage(entry: CatalogEntry): JsonObject {
  const schema = toJsonSchema(entry.schema(), "output");
  const contentType = contentTypeOf(schema);
  return {
    name: wireTypeOf(schema) ?? channelMessageId(entry),
    title: schemaTitle(entry),
    summary: `${plain(entry.tag)}, sent ${entry.direction} as ${frameKind(contentType)}.`,
    description: schemaDescription(entry),
    contentType,
    payload: { $ref: `./${entry.file}` },
  };
}

/** The handshake query of a WebSocket endpoint as JSON Schema, in wire form (all strings). */
function handshakeQuerySchema(endpoint: EndpointName): JsonObject {
  const entries = MESSAGE_CATALOG.filter((e) => e.endpoint === endpoint && e.direction === "handshake");
  const entry = entries.find((e) => e.io === "input") ?? entries[0];
  if (!entry) throw new Error(`${endpoint}: the catalogue has no handshake query entry`);
  const { $schema: _dialect, ...schema } = toJsonSchema(entry.schema(), "input");
  const file = entry.io === "input" ? entry.file : `${entry.file} (all of its fields are strings)`;
  return {
    description: `Handshake query parameters in wire form (PROTOCOL.md ${protocolSection(entry)}); the same schema as ${file}. Every value is a string; \`keyterm\` may repeat.`,
    ...schema,
  };
}

/** The handshake headers of every WebSocket endpoint (PROTOCOL.md §1.2, §1.3). */
function handshakeHeadersSchema(): JsonObject {
  return {
    type: "object",
    description:
      "Handshake headers (PROTOCOL.md §1.2, §1.3). Header names are case-insensitive. Browsers cannot set headers and use the `access_token` (or legacy `api_key`) and `cartesia_version` query parameters instead; the query parameter wins over the header.",
    properties: {
      Authorization: { type: "string", description: "`Bearer <api_key>` or `Bearer <access_token>` (current form)." },
      "X-API-Key": { type: "string", description: "`<api_key>` (legacy form, still accepted)." },
      "Cartesia-Version": {
        type: "string",
        pattern: "^\\d{4}-\\d{2}-\\d{2}$",
        description: "API version date, `YYYY-MM-DD`; selects error and voice shapes.",
      },
    },
  };
}

/** What each WebSocket channel carries, for its description. */
const CHANNEL_SUMMARY: Record<(typeof WS_ENDPOINTS)[number], { title: string; summary: string }> = {
  "stt-v1": {
    title: "STT Manual (realtime speech-to-text)",
    summary:
      "Binary audio in; bare text commands `finalize`, `close` (legacy `done`); server `transcript` (delta text, `is_final`), `flush_done`, `done`, `error`. No `connected` event.",
  },
  "stt-turns": {
    title: "STT Auto (turn detection)",
    summary:
      "Binary audio and JSON `close` / `config` in; server `connected` first, then per turn `turn.start`, `turn.update`*, (`turn.eager_end` `turn.resume`)*, `turn.end` with a cumulative transcript; `error`.",
  },
  tts: {
    title: "TTS (text-to-speech)",
    summary:
      "JSON generation requests on contexts (`continue`, `flush`) and `cancel` in; per context `chunk` (base64 audio), `timestamps`, `phoneme_timestamps`, `flush_done`, `done`; `error`. The server sends nothing before the first request.",
  },
};

/** The AsyncAPI 3.0.0 document for the three WebSocket endpoints, as a plain object. */
export function asyncApiDocument(): JsonObject {
  const channels: JsonObject = {};
  const operations: JsonObject = {};
  const messages: JsonObject = {};

  for (const endpoint of WS_ENDPOINTS) {
    const info = ENDPOINTS[endpoint];
    const entries = wsMessageEntries(endpoint);
    const channelMessages: JsonObject = {};
    for (const entry of entries) {
      messages[componentMessageId(entry)] = asyncApiMessage(entry);
      channelMessages[channelMessageId(entry)] = { $ref: `#/components/messages/${componentMessageId(entry)}` };
    }
    const { title, summary } = CHANNEL_SUMMARY[endpoint];
    channels[endpoint] = {
      address: info.path,
      title,
      description: `${summary} See PROTOCOL.md ${info.section}. Error events take the structured shape from Cartesia-Version 2026-03-01 on and the legacy shape before (§1.4). The mock also serves this channel under \`/s/<scenario>${info.path}\`.`,
      messages: channelMessages,
      bindings: {
        ws: {
          method: "GET",
          query: handshakeQuerySchema(endpoint),
          headers: handshakeHeadersSchema(),
          bindingVersion: "0.1.0",
        },
      },
    };
    const byDirection = (direction: CatalogEntry["direction"]) =>
      entries
        .filter((e) => e.direction === direction)
        .map((e) => ({ $ref: `#/channels/${endpoint}/messages/${channelMessageId(e)}` }));
    operations[`${endpoint}.send`] = {
      action: "send",
      channel: { $ref: `#/channels/${endpoint}` },
      title: `Send to ${info.path}`,
      summary: `Client → server frames on ${info.path}.`,
      messages: byDirection("client→server"),
    };
    operations[`${endpoint}.receive`] = {
      action: "receive",
      channel: { $ref: `#/channels/${endpoint}` },
      title: `Receive from ${info.path}`,
      summary: `Server → client messages on ${info.path}.`,
      messages: byDirection("server→client"),
    };
  }

  return {
    asyncapi: "3.0.0",
    info: {
      title: "speechwire / Cartesia realtime speech",
      version: packageVersion(),
      description: [
        "Cartesia's realtime speech WebSocket APIs as described by `@speechwire/protocol`: STT Manual (`/stt/websocket`), STT Auto with turn detection (`/stt/turns/websocket`) and TTS (`/tts/websocket`).",
        "The application described is the client: `send` operations are client → server frames, `receive` operations are server → client messages.",
        "Payloads are the strict JSON Schema files (draft 2020-12) beside this document; wire-level details and sources are in PROTOCOL.md.",
        "The servers listed are the speechwire mock on loopback.",
      ].join("\n\n"),
      license: { name: "MIT" },
    },
    defaultContentType: "application/json",
    servers: {
      mock: {
        host: "127.0.0.1:8787",
        protocol: "ws",
        title: "speechwire mock",
        description: "The deterministic speechwire mock server (`speechwire-mock`) on loopback.",
      },
      "mock-tls": {
        host: "127.0.0.1:8788",
        protocol: "wss",
        title: "speechwire mock (TLS)",
        description: "The same mock over TLS with a self-signed certificate, for clients that force `wss`.",
      },
    },
    channels,
    operations,
    components: { messages },
  };
}

/** `asyncapi.yaml`'s text. */
export function asyncApiYaml(): string {
  const doc = new Document(asyncApiDocument(), { aliasDuplicateObjects: false, compat: "yaml-1.1" });
  doc.commentBefore = " Generated by scripts/generate.ts from src/catalog.ts; do not edit.";
  // `compat: "yaml-1.1"` quotes scalars that YAML 1.1 parsers would misread (the language code `no`).
  return doc.toString({ lineWidth: 0, indent: 2 });
}

/** Every generated file, keyed by its path relative to `schemas/`, in catalogue order. */
export function buildArtifacts(): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of MESSAGE_CATALOG) {
    if (files.has(entry.file)) throw new Error(`two catalogue entries share the file ${entry.file}`);
    files.set(entry.file, jsonText(entryJsonSchema(entry)));
  }
  files.set(ASYNCAPI_FILE, asyncApiYaml());
  return files;
}

/** The README markers around the generated message table. */
export const README_START = "<!-- catalog:start -->";
export const README_END = "<!-- catalog:end -->";

/** The text between the README markers, trimmed; `undefined` when the markers are missing. */
export function readmeCatalogBlock(readme: string): string | undefined {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + README_START.length, end).trim();
}

/**
 * README text with the table between the markers replaced; everything outside them is kept. With no
 * README yet, a title and the marked table.
 */
export function withCatalogTable(readme: string | undefined, table: string): string {
  const block = `${README_START}\n${table}\n${README_END}`;
  if (readme === undefined) return `# @speechwire/protocol\n\n${block}\n`;
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) {
    throw new Error(`README.md must contain ${README_START} followed by ${README_END}; add them where the table goes`);
  }
  return `${readme.slice(0, start)}${block}${readme.slice(end + README_END.length)}`;
}
