/** `startMockServer`: one process, one port for HTTP + WebSocket, and a TLS twin on another. */
import { randomBytes } from "node:crypto";
import { readFileSync, rmdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { createRng, deriveSeed, seededUuid } from "../core/random.js";
import type { Latency } from "../core/latency.js";
import { DEFAULT_MAX_TRANSCRIPT_CHARS } from "../core/tts/index.js";
import { loadScenarioDir, loadScenarioFile } from "../scenario/load.js";
import type { Scenario } from "../scenario/schema.js";
import { Authenticator, type AuthMode } from "./auth.js";
import { DEFAULT_MAX_FRAME_BYTES, resetServerState, type ServerContext } from "./context.js";
import { createClientErrorHandler, createRequestHandler } from "./http-api.js";
import { DEFAULT_JOURNAL_LIMITS, Journal, type JournalLimits, type SessionRecord } from "./journal.js";
import { sessionLogRecord, type LogRecord } from "./log.js";
import { ScenarioRegistry } from "./scenarios.js";
import { staticRoot } from "./static.js";
import { tlsMaterial } from "./tls.js";
import { CLOSE, createUpgradeHandler, type OpenSessions } from "./websocket.js";

/** Options of `startMockServer` (the CLI flags map onto these). */
export interface MockServerOptions {
  /** Interface to listen on; loopback by default. */
  host?: string;
  /** HTTP + WebSocket port (0: a free port). Default 8787. */
  port?: number;
  /** HTTPS + WSS port (0: a free port; `false`: no TLS). Default 8788. */
  tlsPort?: number | false;
  /** PEM files; without them a self-signed certificate is generated. */
  cert?: string;
  key?: string;
  /** A folder of scenario files to load next to the built-ins. */
  scenariosDir?: string;
  /** The default scenario: a name, or a scenario file path. Default `default`. */
  scenario?: string;
  /** Extra scenarios given in code. */
  scenarios?: Scenario[];
  /** Seed for request ids and every seeded choice. Default 1. */
  seed?: number;
  /** Overrides every scenario's latency. */
  latency?: Latency;
  /** `open` (default): any key or none; `strict`: only `apiKeys`, tokens this server signed, and `adminKeys` on the admin API. */
  auth?: AuthMode;
  /** Keys strict mode accepts on the API routes (compared exactly). */
  apiKeys?: string[];
  /**
   * Keys that open the admin API (`/_speechwire/…` but health) in strict mode, sent as
   * `Authorization: Bearer` or `X-API-Key`; refused on API routes in both modes. Strict mode without
   * one: the admin API is closed. Open mode: the admin API is open whatever this holds.
   */
  adminKeys?: string[];
  /**
   * The HMAC key access tokens are signed with. Default: 32 random bytes per server, so a token opens
   * only the server that minted it; give the same secret to servers that must accept each other's
   * tokens (the CLI's `--workers` shares one). Frames do not depend on it.
   */
  tokenSecret?: string;
  /**
   * Also write each session's journal as JSONL: into a new run folder inside this folder
   * (`<UTC time>-<pid>/s000001.jsonl`, …; `MockServer.journalDir` says which), never into an earlier run's files.
   */
  journalDir?: string;
  /**
   * Hears one record per session (when it ends) and per HTTP request that has no session (status,
   * admin API, playground files, refusals). Default: nothing is logged. `formatLogText` and
   * `formatLogJson` render a record as the CLI does.
   */
  log?: (record: LogRecord) => void;
  /**
   * Bounds of the in-memory journal. Defaults: 500 sessions, 20 000 entries per session, text frames
   * clipped at 4 096 characters (at 128 past 8 M characters in a session), 256 M characters in all.
   * Raise `textChars` and `textCharsPerSession` to compare large frames (TTS chunks) byte for byte.
   */
  journalLimits?: Partial<JournalLimits>;
  /** Idle timeouts in milliseconds. Default STT 180 000, TTS 300 000. */
  idleTimeouts?: { stt?: number; tts?: number };
  /** Largest WebSocket frame, bytes (larger: close 1009). Default 4 MiB. */
  maxFrameBytes?: number;
  /**
   * Longest TTS transcript in characters (JavaScript string length), per request on every TTS route
   * and per context's text not yet generated on `/tts/websocket`; longer is refused with a 400 in the
   * version's shape. Cartesia documents no limit. Default 500 000.
   */
  maxTranscriptChars?: number;
  /**
   * A static folder to serve at `/` (the built playground, `apps/playground/dist`): browsers asking
   * `GET /` get its `index.html`, other reads its files; API clients still get the JSON status.
   */
  playgroundDir?: string;
  /** The wall clock for token expiry (tests move it). Default `Date.now`. */
  clock?: () => number;
}

/** Where a started server listens. */
export interface MockServerUrls {
  http: string;
  ws: string;
  https?: string;
  wss?: string;
}

/** A running mock server. */
export interface MockServer {
  urls: MockServerUrls;
  /**
   * The certificate file for clients to trust: the given one, or the self-signed one of the per-user
   * cache (the same path and certificate across restarts; a temporary copy, removed on close, when the
   * cache cannot be written).
   */
  certPath?: string;
  /** The certificate in PEM form (e.g. `ca` for Node clients). */
  cert?: string;
  /** The run folder the JSONL journal files go to (with `journalDir`). */
  journalDir?: string;
  /** The scenario registry (add scenarios at run time). */
  scenarios: ScenarioRegistry;
  /** Journals of recent sessions. */
  sessions(): SessionRecord[];
  session(id: string): SessionRecord | undefined;
  /**
   * Calls `listener` with each session's record when it ends (closed socket, finished HTTP response);
   * returns the function that stops it. Sessions forgotten by `reset()` while open are not told.
   */
  onSessionEnd(listener: (record: SessionRecord) => void): () => void;
  /**
   * Back to the state the server started in: sessions forgotten, run-time scenarios removed (replaced
   * ones restored), the startup default scenario, fault connection counts at 0. Open sessions go on.
   */
  reset(): void;
  /** Closes open sessions with 1001 and stops listening. */
  close(): Promise<void>;
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
  } catch {
    return "0.0.0";
  }
}

/**
 * Keeps answering a client that half-closes after its request (FIN once the body is sent): Node's
 * default ends the connection at once, which cut a streamed TTS body short. The connection still
 * closes after the last response.
 */
function answerHalfClosedClients(server: Server | HttpsServer): void {
  (server as { httpAllowHalfOpen?: boolean }).httpAllowHalfOpen = true;
}

/**
 * The server could not listen: `code` says why (`EADDRINUSE`: the port is taken; `EACCES`: a
 * privileged port; `EADDRNOTAVAIL`: the host is not this machine's), `which` says which port.
 */
export class ListenError extends Error {
  readonly code: string | undefined;
  constructor(
    cause: NodeJS.ErrnoException,
    readonly host: string,
    readonly port: number,
    readonly which: "http" | "tls",
  ) {
    const what = `${which === "http" ? "HTTP" : "TLS"} port ${port} on ${host}`;
    const text =
      cause.code === "EADDRINUSE"
        ? `${what} is in use`
        : cause.code === "EACCES"
          ? `${what} needs privileges this process lacks`
          : cause.code === "EADDRNOTAVAIL"
            ? `${host} is not an address of this machine`
            : `cannot listen on ${what} (${cause.message})`;
    super(text, { cause });
    this.code = cause.code;
  }
}

/** A caller's listener whose throw must not break the request or session that is ending: reported once on stderr. */
function safeListener(listener: (record: LogRecord) => void): (record: LogRecord) => void {
  let warned = false;
  return (record) => {
    try {
      listener(record);
    } catch (error) {
      if (!warned) process.emitWarning(`speechwire mock: the log listener threw (${String(error)}); later throws are not reported`);
      warned = true;
    }
  };
}

/**
 * Starts the mock server.
 * @example const mock = await startMockServer({ port: 0, tlsPort: false }); … await mock.close();
 */
export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const host = options.host ?? "127.0.0.1";
  const seed = options.seed ?? 1;
  let defaultName = options.scenario ?? "default";
  const registry = new ScenarioRegistry(defaultName, options.latency);
  for (const s of options.scenarios ?? []) registry.add(s);
  if (options.scenariosDir) {
    const loaded = await loadScenarioDir(options.scenariosDir);
    if (loaded.errors.length > 0) {
      const lines = loaded.errors.flatMap((e) => e.issues.map((i) => `${e.file}: ${i.path}: ${i.message}`));
      throw new Error(`invalid scenario files:\n${lines.join("\n")}`);
    }
    for (const s of loaded.scenarios) registry.add(s);
  }
  if (/\.(ya?ml|json)$/.test(defaultName)) {
    const loaded = await loadScenarioFile(defaultName);
    if (!loaded.ok) throw new Error(`invalid scenario file ${defaultName}:\n${loaded.issues.map((i) => `${i.path}: ${i.message}`).join("\n")}`);
    registry.add(loaded.scenario);
    defaultName = loaded.scenario.name;
    registry.defaultName = defaultName;
  }
  if (!registry.get(defaultName)) throw new Error(`unknown scenario "${defaultName}"; known: ${registry.list().map((s) => s.name).join(", ")}`);
  registry.seal();

  const playgroundDir = options.playgroundDir === undefined ? undefined : staticRoot(options.playgroundDir);

  const idRng = createRng(deriveSeed(seed, "request-ids"));
  const ctx: ServerContext = {
    registry,
    auth: new Authenticator({
      mode: options.auth ?? "open",
      apiKeys: options.apiKeys ?? [],
      adminKeys: options.adminKeys ?? [],
      secret: options.tokenSecret ?? randomBytes(32).toString("base64url"),
      ...(options.clock ? { now: options.clock } : {}),
    }),
    journal: new Journal({ ...DEFAULT_JOURNAL_LIMITS, ...options.journalLimits }, options.journalDir),
    seed,
    idle: { stt: options.idleTimeouts?.stt ?? 180_000, tts: options.idleTimeouts?.tts ?? 300_000 },
    maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    maxTranscriptChars: options.maxTranscriptChars ?? DEFAULT_MAX_TRANSCRIPT_CHARS,
    nextRequestId: () => seededUuid(idRng),
    ...(playgroundDir !== undefined ? { playgroundDir } : {}),
  };
  const open: OpenSessions = new Set();
  const info = { version: packageVersion(), startedAt: Date.now(), openSessions: () => open.size };
  const log = options.log === undefined ? undefined : safeListener(options.log);
  // Every session's line, those a reset forgot while they were open too.
  if (log) ctx.journal.onSessionEnd((record) => log(sessionLogRecord(record)), { forgotten: true });
  const onRequest = createRequestHandler(ctx, info, log);
  const onUpgrade = createUpgradeHandler(ctx, open, log);
  const onClientError = createClientErrorHandler(ctx, log);

  const servers: (Server | HttpsServer)[] = [];
  const listen = (server: Server | HttpsServer, port: number, which: "http" | "tls") =>
    new Promise<number>((resolve, reject) => {
      server.once("error", (error) => reject(new ListenError(error as NodeJS.ErrnoException, host, port, which)));
      server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
    });
  const hostInUrl = host.includes(":") ? `[${host}]` : host;

  const http = createServer(onRequest);
  http.on("upgrade", onUpgrade);
  http.on("clientError", onClientError);
  answerHalfClosedClients(http);
  servers.push(http);
  let tls: Awaited<ReturnType<typeof tlsMaterial>> | undefined;
  let urls: MockServerUrls;
  try {
    const httpPort = await listen(http, options.port ?? 8787, "http");
    urls = { http: `http://${hostInUrl}:${httpPort}`, ws: `ws://${hostInUrl}:${httpPort}` };
    if (options.tlsPort !== false) {
      tls = await tlsMaterial(options);
      const https = createHttpsServer({ cert: tls.cert, key: tls.key }, onRequest);
      https.on("upgrade", onUpgrade);
      https.on("clientError", onClientError);
      answerHalfClosedClients(https);
      servers.push(https);
      const tlsPort = await listen(https, options.tlsPort ?? 8788, "tls");
      urls.https = `https://${hostInUrl}:${tlsPort}`;
      urls.wss = `wss://${hostInUrl}:${tlsPort}`;
    }
  } catch (error) {
    // A failed start leaves nothing behind: no port held (the process could not exit), no empty run folder.
    tls?.dispose();
    for (const server of servers) if (server.listening) server.close();
    if (ctx.journal.runDir !== undefined) {
      try {
        rmdirSync(ctx.journal.runDir);
      } catch {
        // Not empty (or gone): leave it.
      }
    }
    throw error;
  }

  return {
    urls,
    ...(tls ? { certPath: tls.certPath, cert: tls.cert } : {}),
    ...(ctx.journal.runDir !== undefined ? { journalDir: ctx.journal.runDir } : {}),
    scenarios: registry,
    sessions: () => ctx.journal.list().map((r) => ctx.journal.get(r.id) as SessionRecord),
    session: (id) => ctx.journal.get(id),
    onSessionEnd: (listener) => ctx.journal.onSessionEnd(listener),
    reset: () => {
      resetServerState(ctx);
    },
    close: async () => {
      for (const ws of open) ws.close(CLOSE.goingAway, "server shutting down");
      // Give clients a moment to answer the close frame, then cut whoever did not.
      const deadline = Date.now() + 1000;
      while (open.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      for (const ws of open) ws.terminate();
      tls?.dispose();
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      );
    },
  };
}
