/**
 * Requests that used to crash or leak the mock (issue 12, §1 items 1–4, §4, §5), sent over raw
 * `node:net` sockets on 127.0.0.1. The crash tests talk to the CLI in a child process: it must still be
 * alive and serving afterwards, with nothing on its stderr (an unhandled error, or Node's
 * MaxListenersExceededWarning, would be printed there).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { get as httpsGet } from "node:https";
import { connect as netConnect, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { generate } from "selfsigned";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalizeHttpError } from "@speechwire/protocol";
import type { MockServer, Scenario } from "../src/index.js";
import type { ServerContext } from "../src/server/context.js";
import { createClientErrorHandler, createRequestHandler } from "../src/server/http-api.js";
import { Journal } from "../src/server/journal.js";
import { ScenarioRegistry } from "../src/server/scenarios.js";
import { cacheDir } from "../src/server/tls.js";
import { connect, startTestServer, TURNS_PATH, V1_PATH } from "./helpers.js";

const pkg = fileURLToPath(new URL("..", import.meta.url));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const LEGACY = "2025-04-16";

/** A raw HTTP response: status, headers (lower-case names), body, and whether the server closed the connection. */
interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  closed: Promise<void>;
}

/**
 * Sends raw bytes and reads one response: complete at its Content-Length, at a 101, or when the
 * server closes. `halfClose` ends our side after writing; `reset` resets the connection instead of
 * waiting for an answer (then the response is empty).
 */
function exchange(port: number, data: string | Buffer, options: { halfClose?: boolean; reset?: boolean } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, "127.0.0.1");
    let buffer = Buffer.alloc(0);
    let done = false;
    const closed = new Promise<void>((onClose) => socket.once("close", () => onClose()));
    const finish = (response: Omit<RawResponse, "closed">) => {
      if (done) return;
      done = true;
      resolve({ ...response, closed });
      if (response.status === 101) socket.destroy();
    };
    const parse = (atEnd: boolean) => {
      const split = buffer.indexOf("\r\n\r\n");
      if (split < 0) {
        if (atEnd) finish({ status: 0, headers: {}, body: buffer.toString("latin1") });
        return;
      }
      const [statusLine, ...lines] = buffer.subarray(0, split).toString("latin1").split("\r\n");
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const at = line.indexOf(":");
        headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
      }
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine ?? "")?.[1] ?? 0);
      const body = buffer.subarray(split + 4);
      const length = headers["content-length"] === undefined ? undefined : Number(headers["content-length"]);
      if (status === 101 || (length !== undefined && body.length >= length) || atEnd) finish({ status, headers, body: body.toString("utf8") });
    };
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      parse(false);
    });
    socket.on("error", () => undefined);
    socket.on("close", () => parse(true));
    socket.once("connect", () => {
      socket.write(data);
      if (options.reset) {
        // Let the bytes leave before the reset.
        setTimeout(() => socket.resetAndDestroy(), 50);
        closed.then(() => finish({ status: 0, headers: {}, body: "" }), reject);
      } else if (options.halfClose) socket.end();
    });
  });
}

/** An upgrade request for `target`, with the usual headers unless replaced (`undefined` drops one). */
function upgradeRequest(target: string, headers: Record<string, string | undefined> = {}, method = "GET"): string {
  const all: Record<string, string | undefined> = {
    host: "127.0.0.1",
    connection: "Upgrade",
    upgrade: "websocket",
    "sec-websocket-version": "13",
    "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
    ...headers,
  };
  const lines = Object.entries(all)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${v}`);
  return `${method} ${target} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n`;
}

/** A plain request that closes its connection after the answer. */
function plainRequest(method: string, target: string, headers: Record<string, string> = {}, body = ""): string {
  const lines = Object.entries({ host: "127.0.0.1", connection: "close", ...headers }).map(([k, v]) => `${k}: ${v}`);
  return `${method} ${target} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n${body}`;
}

/** Asserts an error answer in the version's shape (§1.4) carrying both request-id headers. */
function expectErrorShape(response: RawResponse, status: number, shape: "structured" | "legacy"): void {
  expect(response.status, response.body).toBe(status);
  const requestId = response.headers["cartesia-request-id"];
  expect(requestId).toMatch(UUID);
  expect(response.headers["x-request-id"]).toBe(requestId);
  const error = normalizeHttpError(response.status, response.body, requestId);
  expect(error.shape).toBe(shape);
  if (shape === "structured") {
    expect(response.headers["content-type"]).toContain("application/json");
    expect(error.requestId).toBe(requestId);
  } else {
    expect(response.headers["content-type"]).toContain("text/plain");
    expect(response.body).toMatch(/^[^:\n]+: /);
  }
}

/** The CLI from source in a child process, with its stderr kept. */
interface Cli {
  child: ChildProcess;
  http: string;
  port: number;
  stderr(): string;
}

async function startCli(args: string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<Cli> {
  const child = spawn(process.execPath, ["--import", "tsx", join(pkg, "src/cli.ts"), "--port", "0", "--tls-port", "off", "--json", ...args], {
    cwd: pkg,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`the CLI exited ${code}: ${stderr}`)));
  });
  const http = (JSON.parse(line) as { http: string }).http;
  return { child, http, port: Number(new URL(http).port), stderr: () => stderr };
}

/** The CLI is alive, answers its health route, and printed nothing on stderr. */
async function expectServing(cli: Cli): Promise<void> {
  const health = await fetch(`${cli.http}/_speechwire/health`);
  expect(health.status).toBe(200);
  expect(cli.child.exitCode).toBeNull();
  expect(cli.stderr()).toBe("");
}

/** The journal record of a request id in the CLI, once it has ended. */
async function endedRecord(cli: Cli, requestId: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 500; i += 1) {
    const list = (await (await fetch(`${cli.http}/_speechwire/sessions`)).json()) as { id: string; requestId: string; endedAt?: string }[];
    const found = list.find((r) => r.requestId === requestId);
    if (found?.endedAt) return (await (await fetch(`${cli.http}/_speechwire/sessions/${found.id}`)).json()) as Record<string, unknown>;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no ended journal record for ${requestId}`);
}

/** A CLI child per group of tests, so that a crash in one group does not hide the others' results. */
let cli: Cli;
function withCli(): void {
  beforeAll(async () => {
    cli = await startCli();
  });
  afterAll(() => {
    cli.child.kill("SIGTERM");
  });
}

describe("malformed percent-encoding (§1.1)", () => {
  withCli();

  it("answers an upgrade to /s/%ZZ/stt/websocket with 400 in the version's shape and keeps serving", async () => {
    expectErrorShape(await exchange(cli.port, upgradeRequest("/s/%ZZ/stt/websocket")), 400, "structured");
    expectErrorShape(await exchange(cli.port, upgradeRequest("/s/%ZZ/stt/websocket", { "cartesia-version": LEGACY })), 400, "legacy");
    expectErrorShape(await exchange(cli.port, upgradeRequest(`/s/%ZZ/stt/websocket?cartesia_version=${LEGACY}`)), 400, "legacy");
    await expectServing(cli);
  });

  it("answers plain HTTP /s/%ZZ/<route> for any method, and GET /_speechwire/scenarios/%ZZ, with 400", async () => {
    for (const [method, route] of [
      ["GET", "/"],
      ["POST", "/tts/bytes"],
      ["POST", "/stt"],
      ["POST", "/access-token"],
      ["DELETE", "/tts/sse"],
      ["HEAD", "/x"],
    ] as const) {
      const response = await exchange(cli.port, plainRequest(method, `/s/%ZZ${route}`, { "cartesia-version": LEGACY }));
      if (method === "HEAD") expect(response.status).toBe(400);
      else expectErrorShape(response, 400, "legacy");
    }
    expectErrorShape(await exchange(cli.port, plainRequest("GET", "/_speechwire/scenarios/%ZZ")), 400, "structured");
    expectErrorShape(await exchange(cli.port, plainRequest("GET", "/_speechwire/scenarios/%E0%A4%A", { "cartesia-version": LEGACY })), 400, "legacy");
    await expectServing(cli);
  });
});

describe("request targets that are not URLs (§1.2)", () => {
  withCli();

  it("refuses upgrades to //, http://[/… and http://%zz/… with 404/400 in the version's shape", async () => {
    expectErrorShape(await exchange(cli.port, upgradeRequest("//")), 404, "structured");
    expectErrorShape(await exchange(cli.port, upgradeRequest("//stt/websocket")), 404, "structured");
    expectErrorShape(await exchange(cli.port, upgradeRequest("http://[/stt/websocket")), 400, "structured");
    // The version is read from the raw query even when the target is not a URL.
    expectErrorShape(await exchange(cli.port, upgradeRequest(`http://[/stt/websocket?cartesia_version=${LEGACY}`)), 400, "legacy");
    expectErrorShape(await exchange(cli.port, upgradeRequest("http://%zz/stt/websocket", { "cartesia-version": LEGACY })), 400, "legacy");
    expectErrorShape(await exchange(cli.port, upgradeRequest("gopher://127.0.0.1/stt/websocket")), 400, "structured");
    expectErrorShape(await exchange(cli.port, upgradeRequest("stt/websocket")), 400, "structured");
    await expectServing(cli);
  });

  it("accepts an absolute-form upgrade target and sends the request-id headers with the 101", async () => {
    const response = await exchange(cli.port, upgradeRequest(`http://127.0.0.1:${cli.port}${TURNS_PATH}`));
    expect(response.status).toBe(101);
    expect(response.headers["cartesia-request-id"]).toMatch(UUID);
    expect(response.headers["x-request-id"]).toBe(response.headers["cartesia-request-id"]);
  });

  it("answers plain GET, HEAD, TRACE // with 404 (OPTIONS: the CORS 204) and http://[/ with 400, never 500", async () => {
    for (const method of ["GET", "TRACE"]) expectErrorShape(await exchange(cli.port, plainRequest(method, "//", { "cartesia-version": LEGACY })), 404, "legacy");
    expect((await exchange(cli.port, plainRequest("HEAD", "//"))).status).toBe(404);
    expect((await exchange(cli.port, plainRequest("OPTIONS", "//"))).status).toBe(204);
    for (const method of ["GET", "POST", "OPTIONS", "TRACE"]) {
      expectErrorShape(await exchange(cli.port, plainRequest(method, "http://[/tts/bytes", { "cartesia-version": LEGACY })), 400, "legacy");
    }
    expectErrorShape(await exchange(cli.port, plainRequest("GET", "http://%zz/")), 400, "structured");
    // Absolute-form names the route by its path, whatever the host.
    const status = await exchange(cli.port, plainRequest("GET", "http://localhost/"));
    expect(status.status).toBe(200);
    await expectServing(cli);
  });
});

describe("bodies that break mid-stream (§1.3)", () => {
  withCli();

  it("answers a bad chunked body to POST /access-token with 400 in the version's shape and closes; the journal ends cleanly", async () => {
    const request = plainRequest("POST", "/access-token", { "transfer-encoding": "chunked", "content-type": "application/json" }, "zz\r\n{}\r\n0\r\n\r\n");
    const response = await exchange(cli.port, request.replace("connection: close\r\n", ""));
    expectErrorShape(response, 400, "structured");
    expect(response.headers.connection).toBe("close");
    await response.closed;
    await expectServing(cli);
    const record = await endedRecord(cli, response.headers["cartesia-request-id"] as string);
    expect(record).toMatchObject({ endpoint: "access-token", response: { status: 400 } });
  });

  it("answers POST /tts/bytes with 21 of 100 bytes and a half-close with 400 (legacy by query), and keeps serving", async () => {
    const head = `POST /tts/bytes?cartesia_version=${LEGACY} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n`;
    const response = await exchange(cli.port, `${head}{"model_id":"sonic-3"`, { halfClose: true });
    expectErrorShape(response, 400, "legacy");
    await response.closed;
    await expectServing(cli);
    const record = await endedRecord(cli, response.headers["cartesia-request-id"] as string);
    expect(record).toMatchObject({ endpoint: "tts-bytes", response: { status: 400 } });
  });

  it("sends the whole streamed body to a client that half-closes after its request (found by the fuzz suite)", async () => {
    // 3,000 words: ~50 MB of audio, far longer to write than the client's FIN takes to arrive.
    const body = JSON.stringify({
      model_id: "sonic-3",
      transcript: Array.from({ length: 3000 }, (_, i) => `word${i}`).join(" "),
      voice: { mode: "id", id: "a0e99841-438c-4a64-b679-ae501e7d6091" },
      output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: 16000 },
    });
    const request = `POST /tts/bytes HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    // Counts what arrives (a 50 MB body is not kept) and keeps its head and its last bytes.
    const received = await new Promise<{ head: string; tail: string; bytes: number }>((resolve) => {
      const socket = netConnect(cli.port, "127.0.0.1", () => socket.end(request));
      let head = "";
      let tail = "";
      let bytes = 0;
      socket.on("data", (chunk: Buffer) => {
        if (head.length < 4096) head += chunk.subarray(0, 4096).toString("latin1");
        tail = (tail + chunk.subarray(-16).toString("latin1")).slice(-16);
        bytes += chunk.length;
      });
      socket.on("error", () => undefined);
      socket.on("close", () => resolve({ head, tail, bytes }));
    });
    expect(received.head).toMatch(/^HTTP\/1\.1 200 [^]*transfer-encoding: chunked/i);
    // The chunked body ends with its last chunk: nothing was cut off when our side ended first.
    expect(received.tail.endsWith("\r\n0\r\n\r\n")).toBe(true);
    expect(received.bytes).toBeGreaterThan(3000 * 16000 * 2 * 0.5);
    await expectServing(cli);
  });

  it("survives a client that resets the connection mid-body; the record ends with a drop and no invented response", async () => {
    const before = ((await (await fetch(`${cli.http}/_speechwire/sessions`)).json()) as unknown[]).length;
    const head = "POST /tts/bytes HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n";
    await exchange(cli.port, `${head}{"model_id":"sonic-3"`, { reset: true });
    await expectServing(cli);
    let records: { id: string; endedAt?: string; response?: unknown }[] = [];
    for (let i = 0; i < 500 && !(records.length > before && records.at(-1)?.endedAt); i += 1) {
      records = (await (await fetch(`${cli.http}/_speechwire/sessions`)).json()) as typeof records;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const last = records.at(-1) as { id: string; response?: unknown };
    expect(last.response).toBeUndefined();
    const record = (await (await fetch(`${cli.http}/_speechwire/sessions/${last.id}`)).json()) as { entries: { kind: string }[] };
    expect(record.entries.at(-1)?.kind).toBe("drop");
    expect(record.entries.some((e) => e.kind === "http")).toBe(false);
    await expectServing(cli);
  });
});

describe("request heads that do not parse", () => {
  withCli();

  it("answers in the default version's shape with request-id headers (400; 431 for headers over the limit) and closes", async () => {
    const bad = await exchange(cli.port, "GET /x HTTP/1.1\r\nhost: 127.0.0.1\r\nbad header\r\n\r\n");
    expectErrorShape(bad, 400, "structured");
    await bad.closed;
    const huge = await exchange(cli.port, `GET /x HTTP/1.1\r\nhost: 127.0.0.1\r\nx-big: ${"a".repeat(20_000)}\r\n\r\n`);
    expectErrorShape(huge, 431, "structured");
    await expectServing(cli);
  });

  it("takes the shape of the version the refused head asked for (query wins over the header), found by the fuzz suite", async () => {
    const junkHeader = await exchange(cli.port, "GET /tts/bytes?cartesia_version=2024-06-10 HTTP/1.1\r\nhost: 127.0.0.1\r\nx-junk: \u0001\r\n\r\n");
    expectErrorShape(junkHeader, 400, "legacy");
    const badMethod = await exchange(cli.port, "BREW /stt/websocket HTTP/1.1\r\nhost: 127.0.0.1\r\nCartesia-Version: 2025-04-16\r\n\r\n");
    expectErrorShape(badMethod, 400, "legacy");
    const bothLengths = await exchange(
      cli.port,
      "POST /tts/bytes HTTP/1.1\r\nhost: 127.0.0.1\r\ncartesia-version: 2026-03-01\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n",
    );
    expectErrorShape(bothLengths, 400, "structured");
    // A target with control bytes (a form feed among them) still has its query read.
    const controlBytes = await exchange(cli.port, Buffer.from("GET \\stt?api_key=a\u000cb\u0000c&cartesia_version=2025-04-16 HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n", "latin1"));
    expectErrorShape(controlBytes, 400, "legacy");
    // …and a request line with stray whitespace after its version (found by the long fuzz run, seed 7).
    const trailingSpace = await exchange(cli.port, "GET /x?cartesia_version=%202025-04-16 HTTP/1.1 \r\nhost: 127.0.0.1\r\n\r\n");
    expectErrorShape(trailingSpace, 400, "legacy");
    // Two version headers are joined as for a head that parses: not a version, so the default shape.
    const twoVersions = await exchange(
      cli.port,
      "POST /tts/bytes HTTP/1.1\r\nhost: 127.0.0.1\r\ncartesia-version: 2025-04-16\r\ncartesia-version: 2026-03-01\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n",
    );
    expectErrorShape(twoVersions, 400, "structured");
    // The turns route answers structured at every version, also when it is spelt with backslashes as a
    // URL parser reads them (a head the HTTP parser refuses; found by the fuzz suite).
    const turnsBackslashes = await exchange(cli.port, "GET \\stt\\turns\\websocket?model=ink-2&cartesia_version=2024-06-10 HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n");
    expectErrorShape(turnsBackslashes, 400, "structured");
    const v1Backslashes = await exchange(cli.port, "GET \\stt\\websocket?cartesia_version=2024-06-10 HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n");
    expectErrorShape(v1Backslashes, 400, "legacy");
    await expectServing(cli);
  });
});

describe("requests that do not arrive in time", () => {
  it("answer 408 in the version's shape (the default's before the head arrived), with Node's timeouts made short", async () => {
    // The mock keeps Node's timeouts (head 60 s, request 300 s): the same handlers on a server with short ones.
    let n = 0;
    const ctx = {
      registry: new ScenarioRegistry("default"),
      auth: { check: () => undefined, checkMinter: () => undefined },
      journal: new Journal(),
      nextRequestId: () => `00000000-0000-4000-8000-${String(n++).padStart(12, "0")}`,
    } as unknown as ServerContext;
    const server = createServer({ requestTimeout: 1500, headersTimeout: 1000, connectionsCheckingInterval: 100 }, createRequestHandler(ctx, { version: "0", startedAt: 0, openSessions: () => 0 }));
    server.on("clientError", createClientErrorHandler(ctx));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const slowBody = await exchange(port, `POST /tts/bytes?cartesia_version=${LEGACY} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 10\r\n\r\n{`);
      expectErrorShape(slowBody, 408, "legacy");
      await slowBody.closed;
      const slowHead = await exchange(port, "GET / HTTP/1.1\r\nhost: 127.0.0.1\r\n");
      expectErrorShape(slowHead, 408, "structured");
      await slowHead.closed;
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe("multipart that ends inside the file part (§1.4)", () => {
  withCli();

  const multipart = (version?: string) => {
    const body =
      `--b\r\ncontent-disposition: form-data; name="model"\r\n\r\nink-whisper\r\n` +
      `--b\r\ncontent-disposition: form-data; name="file"; filename="a.wav"\r\ncontent-type: audio/wav\r\n\r\n${"x".repeat(1000)}`;
    const headers: Record<string, string> = { "content-type": "multipart/form-data; boundary=b", "content-length": String(Buffer.byteLength(body)) };
    if (version) headers["cartesia-version"] = version;
    return plainRequest("POST", "/stt", headers, body);
  };

  it("answers 400 malformed multipart body in the version's shape and keeps serving", async () => {
    for (const [version, shape] of [
      [undefined, "structured"],
      [LEGACY, "legacy"],
    ] as const) {
      const response = await exchange(cli.port, multipart(version));
      expectErrorShape(response, 400, shape);
      expect(response.body).toContain("malformed multipart body");
    }
    await expectServing(cli);
  });
});

describe("a bug answers 500 in the version's shape (§1)", () => {
  let mock: MockServer;
  beforeAll(async () => {
    mock = await startTestServer();
    // A scenario object that throws when read stands in for any bug behind the routes.
    mock.scenarios.add({
      name: "broken",
      get handshake(): never {
        throw new Error("this scenario is broken");
      },
    } as unknown as Scenario);
  });
  afterAll(() => mock.close());

  it("HTTP: 500 legacy text before 2026-03-01, structured JSON from it, with request-id headers", async () => {
    const port = Number(new URL(mock.urls.http).port);
    const body = "{}";
    const headers = { "content-type": "application/json", "content-length": "2" };
    expectErrorShape(await exchange(port, plainRequest("POST", "/s/broken/tts/bytes", { ...headers, "cartesia-version": LEGACY }, body)), 500, "legacy");
    expectErrorShape(await exchange(port, plainRequest("POST", "/s/broken/tts/bytes", headers, body)), 500, "structured");
  });

  it("WebSocket upgrade: the same 500, and the process (this test worker) survives it", async () => {
    const port = Number(new URL(mock.urls.http).port);
    expectErrorShape(await exchange(port, upgradeRequest("/s/broken/tts/websocket", { "cartesia-version": LEGACY })), 500, "legacy");
    expectErrorShape(await exchange(port, upgradeRequest("/s/broken/tts/websocket")), 500, "structured");
    expect((await fetch(`${mock.urls.http}/_speechwire/health`)).status).toBe(200);
  });
});

/** Upgrades the `ws` library used to refuse itself (as text/html, leaving a listener behind each time). */
const REFUSED_BY_WS: Record<string, { request: string; status: number }> = {
  "a Sec-WebSocket-Key that is not 16 bytes of base64": { request: upgradeRequest(V1_PATH, { "sec-websocket-key": "c2hvcnQ=" }), status: 400 },
  "no Sec-WebSocket-Key": { request: upgradeRequest(V1_PATH, { "sec-websocket-key": undefined }), status: 400 },
  "Sec-WebSocket-Version 12": { request: upgradeRequest(V1_PATH, { "sec-websocket-version": "12" }), status: 426 },
  "a POST": { request: upgradeRequest(V1_PATH, {}, "POST"), status: 400 },
  "Upgrade: h2c": { request: upgradeRequest(V1_PATH, { upgrade: "h2c" }), status: 400 },
};

describe("upgrades refused by the ws library (§4)", () => {
  withCli();

  it("answers each in the version's shape with request-id headers; a wrong version gets 426 and Sec-WebSocket-Version: 13", async () => {
    for (const [kind, { request, status }] of Object.entries(REFUSED_BY_WS)) {
      const structured = await exchange(cli.port, request);
      expectErrorShape(structured, status, "structured");
      const legacy = await exchange(cli.port, request.replace("\r\n\r\n", `\r\ncartesia-version: ${LEGACY}\r\n\r\n`));
      expectErrorShape(legacy, status, "legacy");
      if (status === 426) expect(structured.headers["sec-websocket-version"], kind).toBe("13");
      // The turns endpoint answers structured whatever the version.
      const turns = request.replace(V1_PATH, TURNS_PATH).replace("\r\n\r\n", `\r\ncartesia-version: ${LEGACY}\r\n\r\n`);
      expectErrorShape(await exchange(cli.port, turns), status, "structured");
    }
    // Version 8 (an old draft that ws accepts) is not RFC 6455's 13 either.
    const eight = await exchange(cli.port, upgradeRequest(TURNS_PATH, { "sec-websocket-version": "8" }));
    expectErrorShape(eight, 426, "structured");
    for (const protocols of ["a b", "a,,b", "a, a", "a;b"]) {
      expectErrorShape(await exchange(cli.port, upgradeRequest(TURNS_PATH, { "sec-websocket-protocol": protocols })), 400, "structured");
    }
    // A valid subprotocol list still opens the session.
    expect((await exchange(cli.port, upgradeRequest(TURNS_PATH, { "sec-websocket-protocol": "a, b" }))).status).toBe(101);
    await expectServing(cli);
  });

  it("2,000 refused upgrades of each kind leave no listener behind: no MaxListenersExceededWarning, and 101s still carry request ids", async () => {
    for (const [kind, { request, status }] of Object.entries(REFUSED_BY_WS)) {
      const statuses = new Map<number, number>();
      let next = 0;
      const worker = async () => {
        while (next < 2000) {
          next += 1;
          const response = await exchange(cli.port, request);
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          await response.closed;
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
      expect(Object.fromEntries(statuses), kind).toEqual({ [status]: 2000 });
    }
    await expectServing(cli);
    const rec = await connect(`ws://127.0.0.1:${cli.port}${TURNS_PATH}`);
    expect(rec.headers["cartesia-request-id"]).toMatch(UUID);
    rec.ws.close();
    await rec.closed;
    expect(cli.stderr()).toBe("");
  });
});

describe("the self-signed certificate is cached per user (§5)", () => {
  const saved = { cache: process.env.SPEECHWIRE_CACHE_DIR, tmp: process.env.TMPDIR };
  let base: string;
  let cache: string;
  let temp: string;
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), "speechwire-tls-test-"));
  });
  afterAll(() => {
    for (const [name, value] of [
      ["SPEECHWIRE_CACHE_DIR", saved.cache],
      ["TMPDIR", saved.tmp],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(base, { recursive: true, force: true });
  });
  /** A fresh cache and a fresh temp folder (so that what is left in it is ours alone to see). */
  const fresh = (name: string) => {
    cache = join(base, name, "cache");
    temp = join(base, name, "tmp");
    mkdirSync(temp, { recursive: true });
    process.env.SPEECHWIRE_CACHE_DIR = cache;
    process.env.TMPDIR = temp;
  };
  const startTls = () => startTestServer({ tlsPort: 0 });
  /** GET /_speechwire/health over HTTPS trusting only `ca`. */
  const healthOverTls = (url: string, ca: string) =>
    new Promise<number>((resolve, reject) => {
      httpsGet(`${url}/_speechwire/health`, { ca }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on("error", reject);
    });

  it("picks $SPEECHWIRE_CACHE_DIR, else an absolute $XDG_CACHE_HOME/speechwire, else ~/.cache/speechwire", () => {
    expect(cacheDir({ SPEECHWIRE_CACHE_DIR: "/a/b", XDG_CACHE_HOME: "/x" }, "/home/u")).toBe("/a/b");
    expect(cacheDir({ XDG_CACHE_HOME: "/x" }, "/home/u")).toBe("/x/speechwire");
    expect(cacheDir({ XDG_CACHE_HOME: "relative" }, "/home/u")).toBe("/home/u/.cache/speechwire");
    expect(cacheDir({}, "/home/u")).toBe("/home/u/.cache/speechwire");
  });

  it("writes tls/cert.pem and tls/key.pem (0600, folder 0700) once, reuses them on the next start, leaves nothing in the temp folder", async () => {
    fresh("reuse");
    const first = await startTls();
    const certPath = join(cache, "tls", "cert.pem");
    expect(first.certPath).toBe(certPath);
    expect(statSync(certPath).mode & 0o777).toBe(0o600);
    expect(statSync(join(cache, "tls", "key.pem")).mode & 0o777).toBe(0o600);
    expect(statSync(join(cache, "tls")).mode & 0o777).toBe(0o700);
    expect(await healthOverTls(first.urls.https as string, first.cert as string)).toBe(200);
    await first.close();
    const written = readFileSync(certPath, "utf8");
    const mtime = statSync(certPath).mtimeMs;

    const second = await startTls();
    expect(second.certPath).toBe(certPath);
    expect(second.cert).toBe(written);
    expect(statSync(certPath).mtimeMs).toBe(mtime);
    expect(await healthOverTls(second.urls.https as string, written)).toBe(200);
    await second.close();
    expect(existsSync(certPath)).toBe(true);
    expect(readdirSync(temp)).toEqual([]);
    expect(readdirSync(join(cache, "tls")).sort()).toEqual(["cert.pem", "key.pem"]);
  });

  it("mocks starting at once on an empty cache all end up with the one same, matching certificate", async () => {
    fresh("parallel");
    const mocks = await Promise.all(Array.from({ length: 6 }, startTls));
    const onDisk = readFileSync(join(cache, "tls", "cert.pem"), "utf8");
    const key = readFileSync(join(cache, "tls", "key.pem"), "utf8");
    expect(new X509Certificate(onDisk).checkPrivateKey(createPrivateKey(key))).toBe(true);
    for (const mock of mocks) {
      expect(mock.cert).toBe(onDisk);
      expect(await healthOverTls(mock.urls.https as string, onDisk)).toBe(200);
    }
    await Promise.all(mocks.map((m) => m.close()));
    expect(readdirSync(join(cache, "tls")).sort()).toEqual(["cert.pem", "key.pem"]);
    expect(readdirSync(temp)).toEqual([]);
  });

  it("replaces a cached certificate that expires within 7 days, lacks ::1, or whose key others can read", async () => {
    const day = 24 * 3600 * 1000;
    const write = async (altNames: { type: 2 | 7; value?: string; ip?: string }[], notAfter: Date, keyMode = 0o600) => {
      const pems = await generate([{ name: "commonName", value: "localhost" }], {
        keyType: "ec",
        curve: "P-256",
        notBeforeDate: new Date(Date.now() - day),
        notAfterDate: notAfter,
        extensions: [{ name: "subjectAltName", altNames }],
      });
      mkdirSync(join(cache, "tls"), { recursive: true, mode: 0o700 });
      writeFileSync(join(cache, "tls", "cert.pem"), pems.cert, { mode: 0o600 });
      writeFileSync(join(cache, "tls", "key.pem"), pems.private, { mode: keyMode });
      chmodSync(join(cache, "tls", "key.pem"), keyMode);
      return pems.cert;
    };
    const loopback = [
      { type: 2 as const, value: "localhost" },
      { type: 7 as const, ip: "127.0.0.1" },
      { type: 7 as const, ip: "::1" },
    ];
    const cases = {
      "expires in 3 days": () => write(loopback, new Date(Date.now() + 3 * day)),
      "no ::1": () => write(loopback.slice(0, 2), new Date(Date.now() + 300 * day)),
      "key readable by others": () => write(loopback, new Date(Date.now() + 300 * day), 0o644),
    };
    for (const [name, make] of Object.entries(cases)) {
      fresh(name.replace(/\W+/g, "-"));
      const old = await make();
      const mock = await startTls();
      expect(mock.cert, name).not.toBe(old);
      expect(new X509Certificate(mock.cert as string).checkIP("::1"), name).toBe("::1");
      expect(Date.parse(new X509Certificate(mock.cert as string).validTo) - Date.now()).toBeGreaterThan(300 * day);
      expect(statSync(join(cache, "tls", "key.pem")).mode & 0o777).toBe(0o600);
      await mock.close();
    }
    // A certificate still good for 300 days is kept.
    fresh("kept");
    const good = await write(loopback, new Date(Date.now() + 300 * day));
    const mock = await startTls();
    expect(mock.cert).toBe(good);
    await mock.close();
  });

  it("takes over a lock file left by a process that died while writing", async () => {
    fresh("stale-lock");
    mkdirSync(join(cache, "tls"), { recursive: true, mode: 0o700 });
    const lock = join(cache, "tls", "write.lock");
    writeFileSync(lock, "");
    const longAgo = new Date(Date.now() - 120_000);
    utimesSync(lock, longAgo, longAgo);
    const mock = await startTls();
    expect(mock.certPath).toBe(join(cache, "tls", "cert.pem"));
    expect(existsSync(lock)).toBe(false);
    await mock.close();
  });

  it("falls back to a temporary folder when the cache cannot be written, and removes it on close()", async () => {
    fresh("unwritable");
    const blocker = join(base, "unwritable", "a-file");
    writeFileSync(blocker, "");
    process.env.SPEECHWIRE_CACHE_DIR = join(blocker, "cache");
    const mock = await startTls();
    expect(mock.certPath?.startsWith(temp)).toBe(true);
    expect(readFileSync(mock.certPath as string, "utf8")).toBe(mock.cert);
    expect(await healthOverTls(mock.urls.https as string, mock.cert as string)).toBe(200);
    await mock.close();
    expect(readdirSync(temp)).toEqual([]);
  });

  it("the CLI's startup line names the cached path as the same across restarts", async () => {
    fresh("cli");
    const lines: string[] = [];
    const child = spawn(process.execPath, ["--import", "tsx", join(pkg, "src/cli.ts"), "--port", "0", "--tls-port", "0"], {
      cwd: pkg,
      env: { ...process.env, SPEECHWIRE_CACHE_DIR: cache },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const reader = createInterface({ input: child.stdout });
    const line = await new Promise<string>((resolve, reject) => {
      reader.on("line", (l) => {
        lines.push(l);
        if (l.includes("TLS certificate")) resolve(l);
      });
      child.once("exit", (code) => reject(new Error(`exited ${code}: ${lines.join("\n")}`)));
    });
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
    expect(line).toContain(join(cache, "tls", "cert.pem"));
    expect(line).toContain("the same file across restarts");
  });
});
