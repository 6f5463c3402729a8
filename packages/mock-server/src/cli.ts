#!/usr/bin/env node
/** `speechwire-mock`: the mock server's command line. */
import cluster from "node:cluster";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseLatencyArg } from "./core/latency.js";
import { startMockServer, type MockServerOptions } from "./server/server.js";
import { cacheDir } from "./server/tls.js";

// `speechwire-mock record …` is the recording proxy (issue 18): it runs until interrupted and never returns here.
if (process.argv[2] === "record") await (await import("./record/cli.js")).runRecordCli(process.argv.slice(3));

/** The environment variable through which `--workers` hands the primary's token secret to each worker. */
const WORKER_SECRET_ENV = "SPEECHWIRE_WORKER_TOKEN_SECRET";

const HELP = `speechwire-mock — a deterministic mock of Cartesia's realtime speech APIs

Options:
  --host HOST          interface to listen on (default 127.0.0.1)
  --port N             HTTP + WebSocket port, 0 = a free port (default 8787)
  --tls-port N         HTTPS + WSS port, 0 = a free port, off = no TLS (default 8788)
  --cert FILE --key FILE   TLS certificate and key (default: a self-signed one kept in
                       $SPEECHWIRE_CACHE_DIR, $XDG_CACHE_HOME/speechwire or ~/.cache/speechwire
                       under tls/, reused across restarts; path printed)
  --scenarios DIR      load scenario files (.yaml, .yml, .json) from DIR
  --scenario NAME|FILE the default scenario (default "default")
  --seed N             seed for request ids and seeded choices (default 1)
  --latency P|MS       latency for every scenario: none, milliseconds, or a profile name
  --auth open|strict   open: any key or none, admin API open; strict: API routes take only
                       --api-key keys or tokens this server signed, the admin API only --admin-key keys
  --api-key KEY        an API key strict mode accepts, compared exactly (repeatable)
  --admin-key KEY      an admin key (repeatable): in strict mode it opens /_speechwire/… (send it as
                       Authorization: Bearer KEY or X-API-Key: KEY); without one the admin API is
                       closed in strict mode; GET /_speechwire/health stays open (no secrets in it).
                       Admin keys (these and sk_car_admin_…) are refused on API routes and /access-token
  --token-secret S     sign access tokens with S (default: random per start, shared by --workers,
                       never printed); servers given the same S accept each other's tokens
  --playground DIR     serve this folder (the built playground) at / to browsers
  --journal DIR        also write each session's journal as JSONL into DIR (like the admin API's
                       journal: keys and tokens shown as redacted:<first 8 hex of their SHA-256>)
  --journal-text-chars N  clip journalled text frames at N characters (default 4096)
  --idle-stt MS --idle-tts MS   idle timeouts (default 180000 and 300000)
  --max-transcript-chars N   longest TTS transcript (and context text not yet generated); longer: 400 (default 500000)
  --workers N          run N worker processes sharing the ports and one token secret (journals
                       are per worker)
  --json               print one JSON line with the URLs once listening
  --help               this text
`;

/** A usage error: one line on stderr (a failed start may list its causes below it), exit 2. */
function fail(message: string): never {
  const text = message.replace(/\. To specify a positional argument.*$/su, "");
  process.stderr.write(`speechwire-mock: ${text}${text.includes("\n") ? "" : " (see speechwire-mock --help)"}\n`);
  process.exit(2);
}

function integer(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) fail(`--${name} takes a whole number, got "${text}"`);
  return Number(text);
}

let values: Record<string, string | string[] | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      host: { type: "string" },
      port: { type: "string" },
      "tls-port": { type: "string" },
      cert: { type: "string" },
      key: { type: "string" },
      scenarios: { type: "string" },
      scenario: { type: "string" },
      seed: { type: "string" },
      latency: { type: "string" },
      auth: { type: "string" },
      "api-key": { type: "string", multiple: true },
      "admin-key": { type: "string", multiple: true },
      "token-secret": { type: "string" },
      journal: { type: "string" },
      "journal-text-chars": { type: "string" },
      playground: { type: "string" },
      "idle-stt": { type: "string" },
      "idle-tts": { type: "string" },
      "max-transcript-chars": { type: "string" },
      workers: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean" },
    },
    strict: true,
  }));
} catch (error) {
  fail((error as Error).message);
}

if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

const str = (name: string) => values[name] as string | undefined;
const latencyText = str("latency");
const latency = latencyText === undefined ? undefined : parseLatencyArg(latencyText);
if (latencyText !== undefined && latency === undefined) fail(`--latency takes none, milliseconds or a profile name, got "${latencyText}"`);
const auth = str("auth") ?? "open";
if (auth !== "open" && auth !== "strict") fail(`--auth takes open or strict, got "${auth}"`);
if ((str("cert") === undefined) !== (str("key") === undefined)) fail("--cert and --key go together");
if (str("token-secret") === "") fail("--token-secret must not be empty");
const apiKeys = (values["api-key"] as string[] | undefined) ?? [];
const adminKeys = (values["admin-key"] as string[] | undefined) ?? [];
if (apiKeys.some((key) => adminKeys.includes(key))) fail("a key cannot be both --api-key and --admin-key");
// Workers must verify each other's tokens: the primary draws one secret and hands it to each worker
// through its environment (never argv or stdout, which other users and logs can read).
const inheritedSecret = cluster.isWorker ? process.env[WORKER_SECRET_ENV] : undefined;
delete process.env[WORKER_SECRET_ENV];
const tokenSecret = str("token-secret") ?? inheritedSecret;
const tlsPortText = str("tls-port");
const options: MockServerOptions = {
  host: str("host") ?? "127.0.0.1",
  port: integer("port", str("port"), 8787),
  tlsPort: tlsPortText === "off" ? false : integer("tls-port", tlsPortText, 8788),
  seed: integer("seed", str("seed"), 1),
  auth,
  apiKeys,
  adminKeys,
  ...(tokenSecret !== undefined ? { tokenSecret } : {}),
  idleTimeouts: { stt: integer("idle-stt", str("idle-stt"), 180_000), tts: integer("idle-tts", str("idle-tts"), 300_000) },
  ...(str("cert") ? { cert: str("cert") as string, key: str("key") as string } : {}),
  ...(str("scenarios") ? { scenariosDir: str("scenarios") as string } : {}),
  ...(str("scenario") ? { scenario: str("scenario") as string } : {}),
  ...(latency !== undefined ? { latency } : {}),
  ...(str("journal") ? { journalDir: str("journal") as string } : {}),
  ...(str("journal-text-chars") ? { journalLimits: { textChars: integer("journal-text-chars", str("journal-text-chars"), 4096) } } : {}),
  ...(str("playground") ? { playgroundDir: str("playground") as string } : {}),
  ...(str("max-transcript-chars") !== undefined ? { maxTranscriptChars: integer("max-transcript-chars", str("max-transcript-chars"), 500_000) } : {}),
};
if (options.maxTranscriptChars === 0) fail("--max-transcript-chars takes a whole number of at least 1");
const workers = integer("workers", str("workers"), 1);

if (workers > 1 && cluster.isPrimary) {
  const shared = tokenSecret ?? randomBytes(32).toString("base64url");
  for (let i = 0; i < workers; i += 1) cluster.fork({ [WORKER_SECRET_ENV]: shared });
  const stop = () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
  };
  // Announce once every worker listens (a client may then reach any of them), with the first's text.
  let listening = 0;
  let first: string | undefined;
  cluster.on("message", (_worker, message: unknown) => {
    if (typeof message !== "string") return;
    first ??= message;
    listening += 1;
    if (listening === workers) process.stdout.write(first);
  });
  // A worker that fails to start (bad flags, port taken) stops the others with its exit code.
  cluster.on("exit", (_worker, code) => {
    if (listening < workers) {
      stop();
      process.exitCode = code ?? 1;
    }
  });
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
} else {
  const server = await startMockServer(options).catch((error: Error) => fail(error.message));
  const { urls } = server;
  const certNote = () =>
    options.cert
      ? "given with --cert"
      : server.certPath === join(cacheDir(), "tls", "cert.pem")
        ? "cached, the same file across restarts: trust it once, or NODE_TLS_REJECT_UNAUTHORIZED=0 for local tests"
        : "temporary, the cache folder is not writable: removed when the mock stops";
  const text = values.json
    ? `${JSON.stringify({ http: urls.http, ws: urls.ws, https: urls.https ?? null, wss: urls.wss ?? null, certPath: server.certPath ?? null })}\n`
    : [
        `speechwire mock listening`,
        `  http  ${urls.http}   ws  ${urls.ws}`,
        ...(urls.https ? [`  https ${urls.https}   wss ${urls.wss}`, `  TLS certificate: ${server.certPath} (${certNote()})`] : []),
        `  default scenario: ${server.scenarios.defaultName}; others: ${server.scenarios.list().map((s) => s.name).join(", ")}`,
        ...(options.playgroundDir ? [`  playground: ${urls.http}/ (open it in a browser)`] : []),
        `  select one per connection with ${urls.http}/s/<scenario>/…, ?speechwire_scenario= or X-Speechwire-Scenario`,
        "",
      ].join("\n");
  if (cluster.isWorker) process.send?.(text);
  else process.stdout.write(text);
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    void server.close().then(() => process.exit(0));
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}
