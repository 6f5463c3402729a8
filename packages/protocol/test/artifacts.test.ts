/**
 * The generated artifacts: committed files match the generator byte for byte, the README table
 * matches the catalogue, every JSON Schema file is draft 2020-12, and asyncapi.yaml passes the real
 * AsyncAPI parser and covers every WebSocket message of the catalogue.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { Parser, type Diagnostic } from "@asyncapi/parser";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { catalogTable, ENDPOINTS, MESSAGE_CATALOG } from "../src/catalog.js";
import {
  ASYNCAPI_FILE,
  asyncApiDocument,
  buildArtifacts,
  GENERATE_COMMAND,
  JSON_SCHEMA_DIALECT,
  readmeCatalogBlock,
  WS_ENDPOINTS,
} from "../scripts/artifacts.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const schemasDir = join(packageDir, "schemas");
const asyncApiPath = join(schemasDir, ASYNCAPI_FILE);
const regenerate = `run \`${GENERATE_COMMAND}\` and commit the result`;

/** Every file under `schemas/`, as `/`-separated relative paths. */
function committedFiles(): string[] {
  if (!existsSync(schemasDir)) return [];
  return readdirSync(schemasDir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(schemasDir, join(d.parentPath, d.name)).split(sep).join("/"))
    .sort();
}

/** A parsed schema without the `x-parser-*` keys the AsyncAPI parser adds. */
function withoutParserIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutParserIds);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).filter(([key]) => !key.startsWith("x-parser-")).map(([key, v]) => [key, withoutParserIds(v)]),
  );
}

const artifacts = buildArtifacts();

describe("generated files are up to date", () => {
  it("schemas/ holds exactly the generated files", () => {
    const committed = committedFiles();
    const missing = [...artifacts.keys()].filter((f) => !committed.includes(f));
    const extra = committed.filter((f) => !artifacts.has(f));
    expect(missing, `files missing from schemas/: ${regenerate}`).toEqual([]);
    expect(extra, `stale files in schemas/ that the generator no longer produces: ${regenerate}`).toEqual([]);
  });

  it.each([...artifacts.keys()])("schemas/%s matches the generator byte for byte", (file) => {
    const path = join(schemasDir, file);
    expect(existsSync(path), `schemas/${file} is missing: ${regenerate}`).toBe(true);
    const committed = readFileSync(path, "utf8");
    expect(committed, `schemas/${file} is out of date: ${regenerate}`).toBe(artifacts.get(file));
  });

  it("the generator is deterministic", () => {
    const again = buildArtifacts();
    expect([...again.keys()]).toEqual([...artifacts.keys()]);
    for (const [file, content] of again) expect(content, file).toBe(artifacts.get(file));
  });

  it("README.md's table between the catalog markers equals catalogTable()", () => {
    const readmePath = join(packageDir, "README.md");
    expect(existsSync(readmePath), `README.md is missing: ${regenerate}`).toBe(true);
    const block = readmeCatalogBlock(readFileSync(readmePath, "utf8"));
    expect(block, "README.md lacks <!-- catalog:start --> … <!-- catalog:end -->").toBeDefined();
    expect(block, `README.md's message table is out of date: ${regenerate}`).toBe(catalogTable());
  });
});

describe("JSON Schema files", () => {
  it("every catalogue entry has its own file", () => {
    const files = MESSAGE_CATALOG.map((e) => e.file);
    expect(new Set(files).size, "two catalogue entries share a file").toBe(files.length);
    for (const file of files) expect(existsSync(join(schemasDir, file)), `schemas/${file} is missing: ${regenerate}`).toBe(true);
  });

  it.each(MESSAGE_CATALOG.map((e) => [e.file, e] as const))("%s is JSON Schema draft 2020-12 with a title and description", (file, entry) => {
    const text = readFileSync(join(schemasDir, file), "utf8");
    let schema: Record<string, unknown>;
    try {
      schema = JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      throw new Error(`schemas/${file} is not valid JSON: ${(error as Error).message}`);
    }
    expect(typeof schema === "object" && schema !== null && !Array.isArray(schema), `${file}: not a JSON object`).toBe(true);
    expect(schema.$schema).toBe(JSON_SCHEMA_DIALECT);
    expect(schema.title).toEqual(expect.stringContaining(entry.endpoint));
    expect(schema.description).toEqual(expect.stringContaining(ENDPOINTS[entry.endpoint].path));
    expect(schema.description).toEqual(expect.stringContaining("PROTOCOL.md §"));
    // A schema that accepts anything means zod could not represent the message.
    expect(Object.keys(schema).filter((k) => !["$schema", "title", "description"].includes(k)), `${file}: empty schema`).not.toEqual([]);
  });

  it("wire-form query files take strings, parsed ones typed values", () => {
    const wire = JSON.parse(readFileSync(join(schemasDir, "stt-v1/query.wire.json"), "utf8")) as { properties: Record<string, { type?: unknown }> };
    const parsed = JSON.parse(readFileSync(join(schemasDir, "stt-v1/query.json"), "utf8")) as { properties: Record<string, { type?: unknown }> };
    expect(wire.properties.sample_rate?.type).toBe("string");
    expect(parsed.properties.sample_rate?.type).toBe("integer");
  });
});

describe("asyncapi.yaml", () => {
  const text = () => readFileSync(asyncApiPath, "utf8");
  const format = (diagnostics: Diagnostic[]) =>
    diagnostics.map((d) => `  [severity ${d.severity}] ${d.code} at /${d.path.join("/")}: ${d.message}`).join("\n");

  it("reads back as the same document under YAML 1.1 and 1.2 rules", () => {
    // YAML 1.1 parsers read bare `no`/`yes`/`on` as booleans; the document must not depend on the version.
    expect(parseYaml(text(), { version: "1.1" })).toEqual(asyncApiDocument());
    expect(parseYaml(text(), { version: "1.2" })).toEqual(asyncApiDocument());
  });

  it("passes @asyncapi/parser with no errors, covering every WebSocket message of the catalogue", async () => {
    const parser = new Parser();
    const { document, diagnostics } = await parser.parse(text(), { source: asyncApiPath });
    const errors = diagnostics.filter((d) => d.severity === 0);
    expect(errors, `@asyncapi/parser reported errors in schemas/${ASYNCAPI_FILE}:\n${format(errors)}`).toEqual([]);
    expect(document, `@asyncapi/parser returned no document:\n${format(diagnostics)}`).toBeDefined();
    if (!document) return;

    expect(document.version()).toBe("3.0.0");
    const channels = document.channels();
    expect(channels.all().map((c) => c.id()).sort()).toEqual([...WS_ENDPOINTS].sort());
    for (const endpoint of WS_ENDPOINTS) {
      const channel = channels.get(endpoint);
      expect(channel, endpoint).toBeDefined();
      if (!channel) continue;
      expect(channel.address()).toBe(ENDPOINTS[endpoint].path);
      expect(channel.bindings().has("ws"), `${endpoint}: no ws binding`).toBe(true);

      const entries = MESSAGE_CATALOG.filter((e) => e.endpoint === endpoint);
      // Handshake queries are the ws binding's `query`: the wire form has every parameter.
      const queryEntry = entries.find((e) => e.direction === "handshake");
      expect(queryEntry, `${endpoint}: no handshake entry`).toBeDefined();
      const binding = channel.bindings().get("ws")?.value() as { query?: { properties?: Record<string, unknown> } } | undefined;
      const wireQuery = JSON.parse(readFileSync(join(schemasDir, queryEntry?.file ?? ""), "utf8")) as { properties: Record<string, unknown> };
      expect(Object.keys(binding?.query?.properties ?? {})).toEqual(Object.keys(wireQuery.properties));

      // Every message entry (not handshake, not a union) is a message of the channel, in the right
      // operation, with its payload resolved from its JSON Schema file.
      const messages = channel.messages();
      const sends = document.operations().filter((o) => o.action() === "send" && o.channels().has(endpoint));
      const receives = document.operations().filter((o) => o.action() === "receive" && o.channels().has(endpoint));
      expect(sends.length, `${endpoint}: send operations`).toBe(1);
      expect(receives.length, `${endpoint}: receive operations`).toBe(1);
      const ids = (ops: typeof sends) => ops.flatMap((o) => o.messages().all().map((m) => m.id()));
      for (const entry of entries.filter((e) => e.direction !== "handshake" && !e.union)) {
        const id = entry.file.slice(entry.file.lastIndexOf("/") + 1).replace(/\.json$/, "");
        const message = messages.get(id);
        expect(message, `${entry.file} is not a message of channel ${endpoint}`).toBeDefined();
        const expected = JSON.parse(readFileSync(join(schemasDir, entry.file), "utf8")) as Record<string, unknown>;
        expect(withoutParserIds(message?.payload()?.json()), `${entry.file}: payload is not the file's schema`).toEqual(expected);
        const ops = entry.direction === "client→server" ? sends : receives;
        expect(ids(ops), `${entry.file}: not in the ${entry.direction} operation`).toContain(id);
        const other = entry.direction === "client→server" ? receives : sends;
        expect(ids(other), `${entry.file}: in the wrong operation`).not.toContain(id);
        if (entry.file.endsWith("/audio.json")) expect(message?.contentType()).toBe("application/octet-stream");
      }
    }

    // Loopback servers only.
    for (const server of document.servers().all()) {
      expect(server.host(), server.id()).toMatch(/^127\.0\.0\.1:\d+$/);
    }
    expect(document.servers().all().map((s) => [s.id(), s.protocol()])).toEqual([
      ["mock", "ws"],
      ["mock-tls", "wss"],
    ]);
  });

  it("the parser catches a broken payload reference (the check above can fail)", async () => {
    const broken = text().replace("./stt-v1/transcript.json", "./stt-v1/no-such-file.json");
    expect(broken).not.toBe(text());
    const { diagnostics } = await new Parser().parse(broken, { source: asyncApiPath });
    expect(diagnostics.some((d) => d.severity === 0)).toBe(true);
  });
});
