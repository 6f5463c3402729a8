/**
 * A recording HTTP relay in front of the mock for the HTTP suites. It was written when the mock did not
 * journal HTTP requests; the mock now does (with digests of each response), but the checks compare
 * audio byte for byte, so the runner keeps its own record of every exchange: what the client sent
 * (method, path, headers, body) and exactly what the mock answered (status, headers, every body byte).
 * Requests and responses pass through unchanged and streamed, so chunked audio stays chunked.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One HTTP request and the mock's answer, as they went over the wire. */
export interface HttpExchange {
  method: string;
  /** The path without the `/s/<scenario>` prefix, e.g. `/tts/bytes`. */
  path: string;
  /** The scenario named by the prefix (how the runner finds a case's exchanges). */
  scenario: string | undefined;
  query: Record<string, string>;
  /** Request headers, names in lower case; credentials are kept only as `present`. */
  headers: Record<string, string>;
  /** The request body as text (the TTS HTTP endpoints take JSON). */
  body: string;
  /** The request body's bytes (multipart uploads). */
  requestBytes: Uint8Array;
  /** A multipart body, parsed by the runner after the exchange (`POST /stt`): text fields and the file part. */
  form?: { fields: Record<string, string[]>; file?: { name: string; bytes: Uint8Array } } | { error: string };
  status: number;
  responseHeaders: Record<string, string>;
  /** Every byte of the response body. */
  response: Uint8Array;
  /** The response body did not arrive whole (upstream failed, or the client went away first). */
  incomplete: boolean;
}

/** A running recorder. */
export interface HttpRecorder {
  /** http base URL of the relay (same paths as the mock). */
  url: string;
  /** Removes and returns the finished exchanges of a scenario, waiting (bounded) for open ones. */
  take(scenario: string, waitMs?: number): Promise<HttpExchange[]>;
  close(): Promise<void>;
}

const SECRET = new Set(["authorization", "x-api-key", "cookie"]);
const HOP = new Set(["host", "connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade"]);

function flatHeaders(h: IncomingMessage["headers"], redact: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = redact && SECRET.has(k.toLowerCase()) ? "present" : Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

/** Parses a recorded multipart body with the platform's form-data parser (never throws: a bad body is recorded as an error). */
export async function parseMultipart(e: HttpExchange): Promise<NonNullable<HttpExchange["form"]>> {
  try {
    const data = await new Response(Buffer.from(e.requestBytes), { headers: { "content-type": e.headers["content-type"] ?? "" } }).formData();
    const fields: Record<string, string[]> = {};
    let file: { name: string; bytes: Uint8Array } | undefined;
    for (const [key, value] of data.entries()) {
      if (typeof value === "string") (fields[key] ??= []).push(value);
      else if (key === "file") file = { name: value.name, bytes: new Uint8Array(await value.arrayBuffer()) };
    }
    return { fields, ...(file ? { file } : {}) };
  } catch (error) {
    return { error: `not a multipart/form-data body: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** Starts a recorder on a free loopback port in front of `upstream` (e.g. `http://127.0.0.1:8787`). */
export async function startHttpRecorder(upstream: string): Promise<HttpRecorder> {
  const target = new URL(upstream);
  const done: HttpExchange[] = [];
  let open = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    open += 1;
    const url = new URL(req.url ?? "/", "http://relay");
    const prefix = /^\/s\/([^/]+)(\/.*)$/u.exec(url.pathname);
    const exchange: HttpExchange = {
      method: req.method ?? "GET",
      path: prefix ? (prefix[2] as string) : url.pathname,
      scenario: prefix ? decodeURIComponent(prefix[1] as string) : undefined,
      query: Object.fromEntries(url.searchParams),
      headers: flatHeaders(req.headers, true),
      body: "",
      requestBytes: new Uint8Array(0),
      status: 0,
      responseHeaders: {},
      response: new Uint8Array(0),
      incomplete: true,
    };
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      done.push(exchange);
      open -= 1;
    };
    const body: Buffer[] = [];
    req.on("data", (c: Buffer) => body.push(c));
    req.on("error", () => finish());
    req.on("end", () => {
      const raw = Buffer.concat(body);
      exchange.body = raw.toString("utf8");
      exchange.requestBytes = new Uint8Array(raw);
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP.has(k)) headers[k] = v;
      headers["content-length"] = String(raw.length);
      const up = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (upRes) => {
        exchange.status = upRes.statusCode ?? 0;
        exchange.responseHeaders = flatHeaders(upRes.headers, false);
        const out: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(upRes.headers)) if (v !== undefined && !HOP.has(k) && k !== "content-length") out[k] = v;
        res.writeHead(exchange.status, out);
        const parts: Buffer[] = [];
        upRes.on("data", (c: Buffer) => {
          parts.push(c);
          res.write(c);
        });
        upRes.on("end", () => {
          exchange.response = new Uint8Array(Buffer.concat(parts));
          exchange.incomplete = false;
          res.end();
          finish();
        });
        upRes.on("error", () => {
          exchange.response = new Uint8Array(Buffer.concat(parts));
          res.destroy();
          finish();
        });
      });
      up.on("error", (error) => {
        if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
        res.end(`relay: ${error.message}`);
        finish();
      });
      up.end(raw);
    });
    res.on("close", () => {
      // The client went away before the body ended: keep what was recorded.
      if (!exchange.incomplete) return;
      setTimeout(finish, 50);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    async take(scenario, waitMs = 5000) {
      const deadline = Date.now() + waitMs;
      while (open > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      const mine = done.filter((e) => e.scenario === scenario);
      for (const e of mine) done.splice(done.indexOf(e), 1);
      return mine;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
