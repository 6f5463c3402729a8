/**
 * The recording proxy (issue 18): the mock's routes (and its `/s/<scenario>/` prefix) on a local
 * port, each session relayed to the upstream — WebSockets frame by frame, HTTP requests streamed —
 * with the client's own key or the configured one, recording both directions with wall time. When a
 * session ends it is converted (`convertCapture`) and written under `out` as a scenario with its
 * audio files, numbered in the order sessions started: `<prefix>-0001-stt-turns.yaml`, …
 */
import { mkdir, writeFile } from "node:fs/promises";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { DEFAULT_MAX_FRAME_BYTES } from "../server/context.js";
import { tlsMaterial, type TlsMaterial } from "../server/tls.js";
import { convertCapture, type Capture, type CaptureEndpoint } from "./convert.js";

/** Options of `startRecordProxy`. */
export interface RecordProxyOptions {
  /** The API to record: `https://api.cartesia.ai`, or another mock (`http://127.0.0.1:8787`). */
  upstream: string;
  /** The key sent upstream in place of the client's (else the client's own credentials go through). */
  apiKey?: string;
  /** Where scenarios and audio files are written. */
  out: string;
  host?: string;
  /** 0: a free port. Default 8787. */
  port?: number;
  /**
   * The TLS twin (HTTPS + WSS, the mock's certificate: the per-user cached one unless `cert`/`key`),
   * for clients that force `wss`/`https` (cartesia-js's TTS socket). 0: a free port; default `false` (none).
   */
  tlsPort?: number | false;
  /** PEM files for the TLS twin. */
  cert?: string;
  key?: string;
  /** Extra CA certificates (PEM) trusted for a TLS upstream, e.g. another mock's (else Node's store and `NODE_EXTRA_CA_CERTS`). */
  upstreamCa?: string;
  /** The replay policy written into the scenarios. */
  match?: "position" | "digest";
  /** Recorded latencies rounded to this many ms (default 10; 0 leaves them out: see `ConvertOptions`). */
  latencyStepMs?: number;
  /** File and scenario name prefix (default `rec`). */
  prefix?: string;
  /** Told about every scenario written (or a failure to write one): the CLI prints it. */
  onWritten?: (event: { file?: string; error?: string; notes: string[] }) => void;
}

/** A running recording proxy. */
export interface RecordProxy {
  /** `http://host:port` */
  url: string;
  port: number;
  /** `https://host:port` of the TLS twin, when there is one. */
  tlsUrl?: string;
  /** The TLS twin's certificate file (to trust), when there is one. */
  certPath?: string;
  /** Resolves when every session that was open has been written. */
  close(): Promise<void>;
  /** Files written so far (scenario files only). */
  readonly written: string[];
}

const WS_ROUTES: Record<string, CaptureEndpoint> = { "/stt/websocket": "stt-v1", "/stt/turns/websocket": "stt-turns", "/tts/websocket": "tts" };
const HTTP_ROUTES: Record<string, CaptureEndpoint> = { "/tts/bytes": "tts-bytes", "/tts/sse": "tts-sse", "/stt": "stt-batch", "/access-token": "access-token" };
/** Request headers passed upstream (credentials are handled apart). */
const FORWARDED = ["cartesia-version", "content-type", "accept", "user-agent"];
/** Largest HTTP request body relayed (the mock's own default for `/stt` uploads is far below). */
const MAX_BODY = 64 * 1024 * 1024;

/** The upstream URL for a local path and query: the upstream's own path prefix kept, the scheme mapped for WebSockets. */
export function upstreamUrl(upstream: string, path: string, search: string, websocket: boolean): URL {
  const base = new URL(upstream);
  const url = new URL(base.href);
  url.pathname = `${base.pathname.replace(/\/+$/, "")}${path}`;
  url.search = search;
  if (websocket) url.protocol = base.protocol === "https:" || base.protocol === "wss:" ? "wss:" : "ws:";
  else if (base.protocol === "ws:" || base.protocol === "wss:") url.protocol = base.protocol === "wss:" ? "https:" : "http:";
  return url;
}

/** Splits `/s/<name>/rest` into the route (`/rest`); other paths stay. A bad prefix gives undefined. */
function routeOf(pathname: string): string | undefined {
  const m = /^\/s\/([^/]+)(\/.*)$/.exec(pathname);
  if (!m) return pathname;
  try {
    decodeURIComponent(m[1] as string);
  } catch {
    return undefined;
  }
  return m[2];
}

/**
 * The credentials of a request as sent upstream: the configured key replaces the client's
 * (`X-API-Key`, and in the query for WebSockets, which browsers authenticate that way), else the
 * client's go through. Returns the headers, the query and every secret seen (to scrub from files).
 */
function credentials(req: http.IncomingMessage, url: URL, apiKey: string | undefined) {
  const headers: Record<string, string> = {};
  for (const name of FORWARDED) {
    const v = req.headers[name];
    if (typeof v === "string") headers[name] = v;
  }
  const secrets: string[] = [];
  const auth = req.headers.authorization;
  const xKey = req.headers["x-api-key"];
  if (typeof auth === "string") secrets.push(auth.replace(/^\s*\S+\s+/, "").trim());
  if (typeof xKey === "string") secrets.push(xKey.trim());
  const search = new URLSearchParams(url.search);
  for (const p of ["api_key", "access_token"]) {
    const v = search.get(p);
    if (v) secrets.push(v);
  }
  search.delete("speechwire_scenario");
  if (apiKey) {
    secrets.push(apiKey);
    headers["x-api-key"] = apiKey;
    if (search.has("api_key")) search.set("api_key", apiKey);
  } else {
    if (typeof auth === "string") headers.authorization = auth;
    if (typeof xKey === "string") headers["x-api-key"] = xKey;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of search) query[k] = v;
  const text = search.toString();
  return { headers, search: text ? `?${text}` : "", query, secrets };
}

/** Starts the recording proxy. */
export async function startRecordProxy(options: RecordProxyOptions): Promise<RecordProxy> {
  new URL(options.upstream); // a bad upstream fails here, not on the first session
  const prefix = options.prefix ?? "rec";
  let sequence = 0;
  const pending = new Set<Promise<void>>();
  const written: string[] = [];
  const sockets = new Set<WebSocket>();

  const save = (capture: Capture, secrets: string[], n: number) => {
    const name = `${prefix}-${String(n).padStart(4, "0")}-${capture.endpoint}`;
    const job = (async () => {
      try {
        const converted = convertCapture(capture, {
          name,
          secrets,
          ...(options.match ? { match: options.match } : {}),
          ...(options.latencyStepMs !== undefined ? { latencyStepMs: options.latencyStepMs } : {}),
        });
        if (!converted.yaml) {
          options.onWritten?.({ notes: converted.notes });
          return;
        }
        await mkdir(options.out, { recursive: true });
        for (const f of converted.files) await writeFile(join(options.out, f.name), f.data);
        const file = join(options.out, `${name}.yaml`);
        await writeFile(file, converted.yaml);
        written.push(file);
        options.onWritten?.({ file, notes: converted.notes });
      } catch (error) {
        options.onWritten?.({ error: `${name}: ${(error as Error).message}`, notes: [] });
      }
    })();
    pending.add(job);
    void job.finally(() => pending.delete(job));
  };

  // The mock's own frame limit: a frame announcing more is closed with 1009 at once, rather than
  // waiting (forever, for a client that sends less) for a payload no real server would take.
  const wss = new WebSocketServer({ noServer: true, maxPayload: DEFAULT_MAX_FRAME_BYTES });
  const server = http.createServer((req, res) => {
    void relayHttp(req, res).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: `recording proxy: ${error.message}` }));
    });
  });

  const refuse = (socket: Duplex, status: number, message: string) => {
    const body = JSON.stringify({ error: message });
    socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ""}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  };

  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://proxy.invalid");
    } catch {
      refuse(socket, 400, "the request target is not a URL");
      return;
    }
    const route = routeOf(url.pathname);
    const endpoint = route === undefined ? undefined : WS_ROUTES[route];
    if (!endpoint || route === undefined) {
      refuse(socket, 404, `no WebSocket route ${url.pathname}`);
      return;
    }
    const creds = credentials(req, url, options.apiKey);
    const n = ++sequence;
    const started = performance.now();
    const t = () => Math.round((performance.now() - started) * 1000) / 1000;
    const capture: Capture = { endpoint, query: creds.query, events: [], ...(creds.headers["cartesia-version"] ? { version: creds.headers["cartesia-version"] } : {}) };
    const upstream = new WebSocket(upstreamUrl(options.upstream, route, creds.search, true), {
      headers: creds.headers,
      maxPayload: 16 * 1024 * 1024,
      ...(options.upstreamCa ? { ca: options.upstreamCa } : {}),
    });
    sockets.add(upstream);
    upstream.on("unexpected-response", (_request, response) => {
      const chunks: Buffer[] = [];
      response.on("data", (c: Buffer) => chunks.push(c));
      response.on("error", () => undefined);
      response.on("end", () => {
        const body = Buffer.concat(chunks);
        capture.refused = { status: response.statusCode ?? 502, body: body.toString("utf8") };
        const status = response.statusCode ?? 502;
        socket.write(
          `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ""}\r\ncontent-type: ${response.headers["content-type"] ?? "text/plain"}\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n`,
        );
        socket.end(body);
        sockets.delete(upstream);
        save(capture, creds.secrets, n);
      });
    });
    upstream.on("error", (error) => {
      if (upstream.readyState === WebSocket.CONNECTING || !capture.events.length) refuse(socket, 502, `upstream: ${error.message}`);
    });
    upstream.on("open", () => {
      wss.handleUpgrade(req, socket, head, (client) => {
        sockets.add(client);
        let ended = false;
        const end = () => {
          if (ended) return;
          ended = true;
          sockets.delete(client);
          sockets.delete(upstream);
          save(capture, creds.secrets, n);
        };
        client.on("message", (data: RawData, isBinary: boolean) => {
          const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
          capture.events.push(isBinary ? { t: t(), dir: "client", kind: "audio", data: new Uint8Array(bytes) } : { t: t(), dir: "client", kind: "text", text: bytes.toString("utf8") });
          if (upstream.readyState === WebSocket.OPEN) upstream.send(bytes, { binary: isBinary });
        });
        upstream.on("message", (data: RawData, isBinary: boolean) => {
          const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
          // The API sends JSON text; a binary frame is relayed but has no place in a scenario.
          if (!isBinary) capture.events.push({ t: t(), dir: "server", kind: "text", text: bytes.toString("utf8") });
          if (client.readyState === WebSocket.OPEN) client.send(bytes, { binary: isBinary });
        });
        client.on("close", (code: number, reason: Buffer) => {
          capture.events.push({ t: t(), dir: "client", kind: "close", code, reason: reason.toString("utf8") });
          if (upstream.readyState === WebSocket.OPEN) upstream.close(code >= 1000 && code < 5000 && code !== 1005 && code !== 1006 ? code : 1000);
          else upstream.terminate();
          end();
        });
        upstream.on("close", (code: number, reason: Buffer) => {
          if (code === 1006) {
            capture.events.push({ t: t(), dir: "server", kind: "drop" });
            client.terminate();
          } else {
            capture.events.push({ t: t(), dir: "server", kind: "close", code, reason: reason.toString("utf8") });
            if (client.readyState === WebSocket.OPEN) client.close(code === 1005 ? 1000 : code, reason);
          }
          end();
        });
        client.on("error", () => client.terminate());
      });
    });
  };
  server.on("upgrade", onUpgrade);

  /** Relays one HTTP request, recording the request body and (for a success) the response body. */
  async function relayHttp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://proxy.invalid");
    } catch {
      res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: "the request target is not a URL" }));
      return;
    }
    const route = routeOf(url.pathname);
    if (route === "/" || route === "/_speechwire/health") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true, recording: true }));
      return;
    }
    const endpoint = route === undefined ? undefined : HTTP_ROUTES[route];
    if (!endpoint || route === undefined) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: `no route ${url.pathname} (the recording proxy relays the API routes only)` }));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > MAX_BODY) {
        res.writeHead(413, { "content-type": "application/json" }).end(JSON.stringify({ error: "request body too large for the recording proxy" }));
        return;
      }
      chunks.push(c);
    }
    const body = Buffer.concat(chunks);
    const creds = credentials(req, url, options.apiKey);
    const n = ++sequence;
    const capture: Capture = { endpoint, query: creds.query, events: [], ...(creds.headers["cartesia-version"] ? { version: creds.headers["cartesia-version"] } : {}) };
    // Only JSON bodies are kept (a `/stt` upload is relayed, not written).
    if (endpoint !== "stt-batch") capture.events.push({ t: 0, dir: "client", kind: "text", text: body.toString("utf8") });
    const target = upstreamUrl(options.upstream, route, creds.search, false);
    const lib = target.protocol === "https:" ? https : http;
    await new Promise<void>((resolveDone, reject) => {
      const requestOptions = { method: req.method ?? "POST", headers: { ...creds.headers, "content-length": String(body.length) }, ...(options.upstreamCa ? { ca: options.upstreamCa } : {}) };
      const up = lib.request(target, requestOptions, (upRes) => {
        const status = upRes.statusCode ?? 502;
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(upRes.headers)) if (typeof v === "string" && !["connection", "transfer-encoding", "content-length"].includes(k)) headers[k] = v;
        res.writeHead(status, headers);
        const out: Buffer[] = [];
        upRes.on("data", (c: Buffer) => {
          out.push(c);
          res.write(c);
        });
        upRes.on("error", reject);
        upRes.on("end", () => {
          res.end();
          const data = Buffer.concat(out);
          if (status >= 200 && status < 300) capture.response = { status, contentType: upRes.headers["content-type"] ?? "application/octet-stream", body: new Uint8Array(data) };
          else capture.refused = { status, body: data.toString("utf8") };
          save(capture, creds.secrets, n);
          resolveDone();
        });
      });
      up.on("error", reject);
      res.on("close", () => up.destroy());
      up.end(body);
    });
  }

  const host = options.host ?? "127.0.0.1";
  const listen = (s: http.Server, port: number) =>
    new Promise<number>((resolveListen, reject) => {
      s.once("error", reject);
      s.listen(port, host, () => resolveListen((s.address() as AddressInfo).port));
    });
  const servers: http.Server[] = [server];
  const port = await listen(server, options.port ?? 8787);
  const hostInUrl = host.includes(":") ? `[${host}]` : host;
  let tls: TlsMaterial | undefined;
  let tlsUrl: string | undefined;
  if (options.tlsPort !== undefined && options.tlsPort !== false) {
    tls = await tlsMaterial({ ...(options.cert ? { cert: options.cert } : {}), ...(options.key ? { key: options.key } : {}) });
    const secure = https.createServer({ cert: tls.cert, key: tls.key }, server.listeners("request")[0] as http.RequestListener);
    secure.on("upgrade", onUpgrade);
    servers.push(secure);
    tlsUrl = `https://${hostInUrl}:${await listen(secure, options.tlsPort)}`;
  }
  return {
    url: `http://${hostInUrl}:${port}`,
    port,
    ...(tlsUrl && tls ? { tlsUrl, certPath: tls.certPath } : {}),
    written,
    async close() {
      for (const s of sockets) s.close(1001, "recording proxy closing");
      await Promise.all(
        servers.map((s) => {
          const closed = new Promise<void>((r) => s.close(() => r()));
          s.closeAllConnections();
          return closed;
        }),
      );
      tls?.dispose();
      // Sessions closing now still get written.
      const deadline = Date.now() + 5000;
      while (sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const s of sockets) s.terminate();
      await Promise.all([...pending]);
    },
  };
}
