/**
 * Strict mode as a lock, over real sockets on 127.0.0.1: tokens cannot be forged (a random secret per
 * server, shared by `--workers`), the admin API needs an admin key, journals hold no usable secret,
 * admin keys mint nothing, credentials compare exactly, and a signed token with odd claims is refused.
 */
import { createHmac } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { connect as netConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redactSecret, type MockServer, type SessionRecord } from "../src/index.js";
import { connect, runCli, startTestServer, TTS_REQUEST } from "./helpers.js";

const API_KEY = "sk_car_strict_test_key_0123456789";
const ADMIN_KEY = "speechwire-admin-key-0123456789";
const TURNS = "/stt/turns/websocket?model=ink-2&encoding=pcm_s16le&sample_rate=16000";
const BYTES_REQUEST = {
  model_id: "sonic-3",
  transcript: "Hi.",
  voice: { mode: "id", id: "6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81" },
  output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: 24000 },
};

/** Signs a JWT-shaped token the way the mock does, with any payload and secret. */
function sign(payload: unknown, secret: string): string {
  const b64 = (text: string) => Buffer.from(text).toString("base64url");
  const body = `${b64(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${b64(JSON.stringify(payload))}`;
  return `${body}.${createHmac("sha256", secret).update(body).digest("base64url")}`;
}

/** Claims that grant everything for ten minutes. */
const everything = () => {
  const iat = Math.floor(Date.now() / 1000);
  return { grants: { tts: true, stt: true, agent: true }, iat, exp: iat + 600 };
};

/** A POST over a fresh connection (no keep-alive: each request may reach another worker). */
function post(base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    const req = httpRequest(`${base}${path}`, { method: "POST", agent: false, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers } }, (res) => {
      let data = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (data += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: data }));
    });
    req.on("error", reject);
    req.end(text);
  });
}

/** A GET through fetch. */
const get = (base: string, path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });

/** Mints a token with the API key; throws unless 200. */
async function mint(base: string, grants: object = { tts: true, stt: true }): Promise<string> {
  const res = await post(base, "/access-token", { grants, expires_in: 600 }, { authorization: `Bearer ${API_KEY}` });
  expect(res.status).toBe(200);
  return (JSON.parse(res.text) as { token: string }).token;
}

/** The HTTP status of a WebSocket handshake (101 when it opened; the socket is then closed). */
async function handshake(url: string, headers: Record<string, string> = {}): Promise<number> {
  try {
    const rec = await connect(url, { headers });
    rec.ws.close();
    await rec.closed;
    return 101;
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === undefined) throw error;
    return status;
  }
}

/** Header bytes as a client may send them: code points up to U+00FF as one byte, others as UTF-8. */
function headerBytes(text: string): Buffer {
  return Buffer.concat([...text].map((ch) => ((ch.codePointAt(0) as number) <= 0xff ? Buffer.from([ch.codePointAt(0) as number]) : Buffer.from(ch, "utf8"))));
}

/** Sends one raw request (head only) on a fresh socket; resolves with the status (a 101 is closed at once). */
function rawStatus(port: number, head: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, "127.0.0.1");
    let got = "";
    socket.on("data", (chunk: Buffer) => {
      got += chunk.toString("latin1");
      const status = /^HTTP\/1\.1 (\d{3})/.exec(got);
      if (status && got.includes("\r\n\r\n")) {
        socket.destroy();
        resolve(Number(status[1]));
      }
    });
    socket.on("error", reject);
    socket.on("close", () => reject(new Error(`closed without a status: ${JSON.stringify(got)}`)));
    socket.end(head);
  });
}


let strict: MockServer;
let open: MockServer;

beforeAll(async () => {
  strict = await startTestServer({ auth: "strict", apiKeys: [API_KEY], adminKeys: [ADMIN_KEY] });
  open = await startTestServer();
});
afterAll(async () => {
  await strict.close();
  await open.close();
});

describe("token secret", () => {
  it("refuses a token signed with the old seed-derived secret (speechwire-token-secret:<seed>)", async () => {
    for (const seed of [1, 7]) {
      const mock = await startTestServer({ auth: "strict", apiKeys: [API_KEY], seed });
      try {
        const forged = sign(everything(), `speechwire-token-secret:${seed}`);
        expect(await handshake(`${mock.urls.ws}${TURNS}&access_token=${forged}`)).toBe(401);
        expect((await post(mock.urls.http, "/tts/bytes", BYTES_REQUEST, { authorization: `Bearer ${forged}` })).status).toBe(401);
        // What it mints itself opens the same routes.
        const token = await mint(mock.urls.http);
        expect(await handshake(`${mock.urls.ws}${TURNS}&access_token=${token}`)).toBe(101);
      } finally {
        await mock.close();
      }
    }
  });

  it("draws a secret per server by default; servers given the same tokenSecret accept each other's tokens", async () => {
    const [a, b, c, d] = await Promise.all([
      startTestServer({ auth: "strict", apiKeys: [API_KEY], tokenSecret: "shared-secret-for-a-and-b" }),
      startTestServer({ auth: "strict", apiKeys: [API_KEY], tokenSecret: "shared-secret-for-a-and-b" }),
      startTestServer({ auth: "strict", apiKeys: [API_KEY] }),
      startTestServer({ auth: "strict", apiKeys: [API_KEY] }),
    ]);
    try {
      expect(await handshake(`${b.urls.ws}${TURNS}&access_token=${await mint(a.urls.http)}`)).toBe(101);
      expect(await handshake(`${a.urls.ws}${TURNS}&access_token=${await mint(b.urls.http)}`)).toBe(101);
      expect(await handshake(`${a.urls.ws}${TURNS}&access_token=${sign(everything(), "shared-secret-for-a-and-b")}`)).toBe(101);
      // Same seed, no secret given: each refuses the other's tokens.
      expect(await handshake(`${d.urls.ws}${TURNS}&access_token=${await mint(c.urls.http)}`)).toBe(401);
      expect(await handshake(`${c.urls.ws}${TURNS}&access_token=${await mint(d.urls.http)}`)).toBe(401);
    } finally {
      await Promise.all([a, b, c, d].map((m) => m.close()));
    }
  });

  it("refuses an empty tokenSecret", async () => {
    await expect(startTestServer({ tokenSecret: "" })).rejects.toThrow(/secret/);
  });

  it("with --workers 2, every token minted through the port opens a session, whichever worker mints or serves", async () => {
    const cli = runCli(["--port", "0", "--tls-port", "off", "--json", "--workers", "2", "--auth", "strict", "--api-key", API_KEY]);
    try {
      const urls = JSON.parse(await cli.firstLine) as { http: string; ws: string };
      // Mint and use alternate over fresh connections, so the OS's round robin sends uses to the other worker.
      const statuses: number[] = [];
      for (let i = 0; i < 10; i += 1) {
        const token = await mint(urls.http, { tts: true });
        statuses.push(await handshake(`${urls.ws}/tts/websocket?access_token=${token}`));
      }
      expect(statuses).toEqual(Array(10).fill(101));
    } finally {
      cli.child.kill("SIGTERM");
      expect(await cli.exited).toBe(0);
    }
    // The shared secret is never printed.
    expect(cli.output()).not.toMatch(/secret/i);
  });
});

describe("admin API in strict mode", () => {
  const ADMIN_ROUTES: [string, string][] = [
    ["GET", "/_speechwire/sessions"],
    ["GET", "/_speechwire/sessions/s000001"],
    ["GET", "/_speechwire/scenarios"],
    ["GET", "/_speechwire/scenarios/default"],
    ["POST", "/_speechwire/scenarios"],
    ["GET", "/_speechwire/nope"],
    ["GET", "/s/default/_speechwire/sessions"],
  ];
  const SCENARIO = "name: added-by-anyone\nstt:\n  turns:\n    - segments:\n        - say: Hello.\n";

  it("closes every route but health without a configured admin key: 401 saying how to open it, in JSON with request ids", async () => {
    const closed = await startTestServer({ auth: "strict", apiKeys: [API_KEY] });
    try {
      for (const [method, path] of ADMIN_ROUTES) {
        for (const headers of [{}, { authorization: `Bearer ${API_KEY}` }, { "x-api-key": "sk_car_admin_anything" }] as Record<string, string>[]) {
          const res = await fetch(`${closed.urls.http}${path}`, { method, headers, ...(method === "POST" ? { body: SCENARIO } : {}) });
          expect(res.status, `${method} ${path}`).toBe(401);
          const body = (await res.json()) as Record<string, string>;
          expect(Object.keys(body).sort()).toEqual(["error_code", "message", "request_id", "title"]);
          expect(body.message).toContain("--admin-key");
          expect(res.headers.get("cartesia-request-id")).toBe(body.request_id);
          expect(res.headers.get("x-request-id")).toBe(body.request_id);
        }
      }
      expect(closed.scenarios.get("added-by-anyone")).toBeUndefined();
    } finally {
      await closed.close();
    }
  });

  it("opens every route to a configured admin key (Bearer or X-API-Key), and only to it", async () => {
    for (const [method, path] of ADMIN_ROUTES) {
      const init = (headers: Record<string, string>) => ({ method, headers, ...(method === "POST" ? { body: SCENARIO } : {}) });
      for (const headers of [{}, { authorization: `Bearer ${API_KEY}` }, { "x-api-key": `${ADMIN_KEY}x` }, { authorization: "Bearer sk_car_admin_other" }] as Record<string, string>[]) {
        expect((await fetch(`${strict.urls.http}${path}`, init(headers))).status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(401);
      }
      // Not through the query: URLs end up in logs.
      expect((await fetch(`${strict.urls.http}${path}?api_key=${ADMIN_KEY}`, init({}))).status).toBe(401);
      for (const headers of [{ authorization: `Bearer ${ADMIN_KEY}` }, { "X-API-Key": ADMIN_KEY }] as Record<string, string>[]) {
        expect((await fetch(`${strict.urls.http}${path}`, init(headers))).status, `${method} ${path}`).not.toBe(401);
      }
    }
    expect(strict.scenarios.get("added-by-anyone")).toBeDefined();
  });

  it("answers a refusal in the request's version shape (legacy plain text before 2026-03-01)", async () => {
    const res = await get(strict.urls.http, "/_speechwire/sessions", { "cartesia-version": "2025-04-16" });
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toContain("text/plain");
    expect(await res.text()).toMatch(/^Unauthorized: /);
    expect(res.headers.get("cartesia-request-id")).toBeTruthy();
  });

  it("keeps GET /_speechwire/health open as a liveness probe that shows no secret", async () => {
    const token = await mint(strict.urls.http);
    const res = await get(strict.urls.http, "/_speechwire/health");
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(Object.keys(JSON.parse(text) as object).sort()).toEqual(["defaultScenario", "memory", "ok", "openSessions", "uptimeSeconds", "version"]);
    for (const secret of [API_KEY, ADMIN_KEY, token]) expect(text).not.toContain(secret);
  });

  it("leaves the admin API open in open mode", async () => {
    expect((await get(open.urls.http, "/_speechwire/sessions")).status).toBe(200);
    expect((await fetch(`${open.urls.http}/_speechwire/scenarios`, { method: "POST", body: SCENARIO })).status).toBe(201);
  });

  it("refuses admin keys (configured or sk_car_admin_…) on API routes, in both modes", async () => {
    const openWithAdmin = await startTestServer({ adminKeys: [ADMIN_KEY] });
    try {
      for (const mock of [strict, openWithAdmin]) {
        for (const key of [ADMIN_KEY, "sk_car_admin_x"]) {
          expect((await post(mock.urls.http, "/tts/bytes", BYTES_REQUEST, { authorization: `Bearer ${key}` })).status).toBe(401);
          expect(await handshake(`${mock.urls.ws}/tts/websocket`, { "x-api-key": key })).toBe(401);
        }
        // Any other key still opens the open mock.
        if (mock === openWithAdmin) expect(await handshake(`${mock.urls.ws}/tts/websocket`, { "x-api-key": "any-key" })).toBe(101);
      }
    } finally {
      await openWithAdmin.close();
    }
  });

  it("refuses to configure one key as both an API key and an admin key", async () => {
    await expect(startTestServer({ auth: "strict", apiKeys: [API_KEY], adminKeys: [API_KEY] })).rejects.toThrow(/both/);
  });
});

describe("journals hold no usable secret", () => {
  it("redacts keys and tokens the same way in the admin API and the JSONL files, so records correlate but open nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "speechwire-strict-journal-"));
    const mock = await startTestServer({ auth: "strict", apiKeys: [API_KEY], adminKeys: [ADMIN_KEY], journalDir: dir });
    try {
      const admin = { authorization: `Bearer ${ADMIN_KEY}` };
      const minted = await post(mock.urls.http, "/access-token", { grants: { tts: true, stt: true }, expires_in: 600 }, { authorization: `Bearer ${API_KEY}`, cookie: "session=cookie-secret-value" });
      const token = (JSON.parse(minted.text) as { token: string }).token;
      // The token in a query, a header, a request body and a frame's text; the key in X-API-Key.
      const turns = await connect(`${mock.urls.ws}${TURNS}&access_token=${token}`);
      turns.ws.close();
      await turns.closed;
      const tts = await connect(`${mock.urls.ws}/tts/websocket`, { headers: { "x-api-key": API_KEY } });
      tts.ws.send(TTS_REQUEST("ctx-1", `My token is ${token} and my key is ${API_KEY}.`));
      await tts.waitUntil((m) => (m as { type?: string }).type === "done");
      tts.ws.close();
      await tts.closed;
      await post(mock.urls.http, "/tts/bytes", { ...BYTES_REQUEST, transcript: `token ${token}` }, { authorization: `Bearer ${token}` });
      await post(mock.urls.http, "/access-token", { grants: { stt: true }, note: token }, { "x-api-key": API_KEY });
      // Every record (and its file) is complete once its session has ended on the server side too.
      for (let i = 0; i < 500 && !(mock.sessions().length === 5 && mock.sessions().every((r) => r.endedAt)); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(mock.sessions().map((r) => Boolean(r.endedAt))).toEqual([true, true, true, true, true]);

      // Through the admin API over HTTP, and in the files.
      const list = (await (await get(mock.urls.http, "/_speechwire/sessions", admin)).json()) as { id: string }[];
      const records = await Promise.all(list.map(async (s) => (await (await get(mock.urls.http, `/_speechwire/sessions/${s.id}`, admin)).json()) as SessionRecord));
      expect(records.map((r) => r.endpoint)).toEqual(["access-token", "stt-turns", "tts", "tts-bytes", "access-token"]);
      const run = mock.journalDir as string;
      const files = readdirSync(run).map((f) => readFileSync(join(run, f), "utf8"));
      expect(files).toHaveLength(5);
      for (const text of [JSON.stringify(records), ...files]) {
        for (const secret of [token, API_KEY, "cookie-secret-value", token.split(".")[2] as string]) expect(text).not.toContain(secret);
        expect(text).not.toContain("(redacted)");
        expect(text).not.toContain("***");
      }

      // One form everywhere: the scheme word kept, the secret as its digest.
      const [mintRecord, turnsRecord, ttsRecord, bytesRecord] = records as [SessionRecord, SessionRecord, SessionRecord, SessionRecord];
      const tokenDigest = redactSecret(token);
      expect(tokenDigest).toMatch(/^redacted:[0-9a-f]{8}$/);
      expect(mintRecord.headers.authorization).toBe(`Bearer ${redactSecret(API_KEY)}`);
      expect(mintRecord.headers.cookie).toBe(redactSecret("session=cookie-secret-value"));
      expect(mintRecord.entries.at(-1)?.text).toContain(`"token": "${tokenDigest}"`);
      expect(turnsRecord.query.access_token).toBe(tokenDigest);
      expect(ttsRecord.headers["x-api-key"]).toBe(redactSecret(API_KEY));
      expect(ttsRecord.entries.find((e) => e.dir === "client" && e.kind === "text")?.text).toContain(`My token is ${tokenDigest} and my key is ${redactSecret(API_KEY)}.`);
      expect(bytesRecord.headers.authorization).toBe(`Bearer ${tokenDigest}`);
      const fileText = files.join("\n");
      expect(fileText).toContain(`"access_token":"${tokenDigest}"`);
      expect(fileText).toContain(`Bearer ${redactSecret(API_KEY)}`);

      // What the journal shows opens nothing.
      expect(await handshake(`${mock.urls.ws}${TURNS}&access_token=${turnsRecord.query.access_token}`)).toBe(401);
      expect((await post(mock.urls.http, "/tts/bytes", BYTES_REQUEST, { authorization: mintRecord.headers.authorization as string })).status).toBe(401);
    } finally {
      await mock.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("admin keys do not mint tokens (PROTOCOL.md §1.2)", () => {
  it("refuses POST /access-token with an admin key, in both modes, in the version's shape", async () => {
    const cartesiaShaped: Record<string, string>[] = [{ authorization: "Bearer sk_car_admin_0123456789" }, { "x-api-key": "sk_car_admin_0123456789" }];
    // A configured admin key is an admin key too (the open mock has none configured: there it is any key).
    for (const [mock, keys] of [[open, cartesiaShaped], [strict, [...cartesiaShaped, { authorization: `Bearer ${ADMIN_KEY}` }]]] as const) {
      for (const headers of keys) {
        const structured = await post(mock.urls.http, "/access-token", { grants: { tts: true } }, headers);
        expect(structured.status).toBe(401);
        const body = JSON.parse(structured.text) as Record<string, string>;
        expect(body).toMatchObject({ error_code: "unauthorized", message: expect.stringMatching(/admin/i) });
        expect(structured.headers["cartesia-request-id"]).toBe(body.request_id);
        const legacy = await post(mock.urls.http, "/access-token", { grants: { tts: true } }, { ...headers, "cartesia-version": "2025-04-16" });
        expect(legacy.status).toBe(401);
        expect(legacy.text).toMatch(/^Unauthorized: Admin keys/);
      }
    }
  });
});

describe("credentials compare exactly", () => {
  /** Characters JavaScript's trim() or \s strips that HTTP does not, other Unicode spaces, and controls. */
  const NOT_HTTP_WHITESPACE = ["\u00a0", "\u0085", "\u1680", "\u2000", "\u2002", "\u2007", "\u200a", "\u200b", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\ufeff", "\u000b", "\u000c"];
  const keyArb = fc.stringMatching(/^[!-~]{1,40}$/).filter((k) => !k.startsWith("sk_car_admin_"));
  const extraArb = fc.oneof(
    fc.constantFrom(...NOT_HTTP_WHITESPACE),
    fc.stringMatching(/^[!-~]$/),
    fc.integer({ min: 0x80, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff).map((c) => String.fromCodePoint(c)),
  );
  const owsArb = fc.stringMatching(/^[ \t]{0,3}$/);
  /** Where a credential goes: minting (API key), an API route's upgrade (API key), the admin API (admin key). */
  const routeArb = fc.constantFrom("mint", "upgrade", "admin");
  const formArb = fc.constantFrom("bearer", "x-api-key");

  /** A raw request carrying `credential` (exact characters) in the given form, for the route. */
  function requestHead(route: string, form: string, credential: string, around: [string, string]): Buffer {
    const header = form === "bearer" ? `Authorization:${around[0]}Bearer${around[0] || " "}${credential}${around[1]}` : `X-API-Key:${around[0]}${credential}${around[1]}`;
    const lines =
      route === "mint"
        ? ["POST /access-token HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json", "Content-Length: 2", "Connection: close"]
        : route === "upgrade"
          ? ["GET /tts/websocket HTTP/1.1", "Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"]
          : ["GET /_speechwire/scenarios HTTP/1.1", "Host: 127.0.0.1", "Connection: close"];
    return Buffer.concat([headerBytes([...lines, header].join("\r\n")), Buffer.from(`\r\n\r\n${route === "mint" ? "{}" : ""}`)]);
  }

  it("refuses a configured key with any non-HTTP whitespace or other character added before or after; accepts it exactly, with SP/HTAB around", async () => {
    await fc.assert(
      fc.asyncProperty(keyArb, extraArb, fc.boolean(), routeArb, formArb, owsArb, owsArb, async (key, extra, before, route, form, lead, trail) => {
        const mock = await startTestServer(route === "admin" ? { auth: "strict", adminKeys: [key] } : { auth: "strict", apiKeys: [key] });
        try {
          const port = Number(new URL(mock.urls.http).port);
          const ok = route === "upgrade" ? 101 : 200;
          expect(await rawStatus(port, requestHead(route, form, key, [lead, trail]))).toBe(ok);
          const altered = before ? `${extra}${key}` : `${key}${extra}`;
          const status = await rawStatus(port, requestHead(route, form, altered, [lead, trail]));
          // 401 from the mock; 400 if Node's parser refuses the bytes before the mock sees them.
          expect([400, 401]).toContain(status);
        } finally {
          await mock.close();
        }
      }),
      { numRuns: 150 },
    );
  });

  it("refuses a key followed by U+00A0, in a header or a query", async () => {
    const port = Number(new URL(strict.urls.http).port);
    for (const form of ["bearer", "x-api-key"]) expect(await rawStatus(port, requestHead("mint", form, `${API_KEY}\u00a0`, ["", ""]))).toBe(401);
    expect((await post(strict.urls.http, `/access-token?api_key=${encodeURIComponent(`${API_KEY}\u00a0`)}`, {})).status).toBe(401);
  });
});

describe("signed tokens with odd claims", () => {
  const SECRET = "known-secret-for-odd-claims";
  const ODD_GRANTS: unknown[] = [null, [], ["tts"], "tts", 1, true];

  it("refuses a validly signed token whose grants are not an object (401 invalid token), in both modes, and keeps serving", async () => {
    const mocks = await Promise.all([startTestServer({ auth: "strict", apiKeys: [API_KEY], tokenSecret: SECRET }), startTestServer({ tokenSecret: SECRET })]);
    try {
      for (const mock of mocks) {
        const iat = Math.floor(Date.now() / 1000);
        const payloads: unknown[] = [...ODD_GRANTS.map((grants) => ({ grants, iat, exp: iat + 600 })), { iat, exp: iat + 600 }, { grants: { tts: true }, iat }, null, [], "x"];
        for (const payload of payloads) {
          const token = sign(payload, SECRET);
          const what = JSON.stringify(payload);
          expect(await handshake(`${mock.urls.ws}/tts/websocket?access_token=${token}`), what).toBe(401);
          expect(await handshake(`${mock.urls.ws}/tts/websocket`, { authorization: `Bearer ${token}` }), what).toBe(401);
          const res = await post(mock.urls.http, "/tts/bytes", BYTES_REQUEST, { authorization: `Bearer ${token}` });
          expect(res.status, what).toBe(401);
          expect(JSON.parse(res.text), what).toMatchObject({ title: "Invalid token" });
        }
        // Still serving, and a well-formed token still works.
        expect(await handshake(`${mock.urls.ws}/tts/websocket?access_token=${sign(everything(), SECRET)}`)).toBe(101);
      }
    } finally {
      await Promise.all(mocks.map((m) => m.close()));
    }
  });
});
