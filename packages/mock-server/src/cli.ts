#!/usr/bin/env node
/** `speechwire-mock`: the mock server's command line. */
import cluster from "node:cluster";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseLatencyArg } from "./core/latency.js";
import { missingNodeFlags } from "./node-flags.js";
import { formatLogRecord, type LogFormat, type LogRecord } from "./server/log.js";
import { ListenError, startMockServer, type MockServerOptions } from "./server/server.js";
import { BUNDLED_PLAYGROUND_DIR, bundledPlaygroundDir } from "./server/static.js";
import { cacheDir } from "./server/tls.js";

// `speechwire-mock record …` is the recording proxy (issue 18): it runs until interrupted and never returns here.
// (`pnpm start -- record …` passes a `--` first.)
const commandArgs = process.argv.slice(2).filter((a) => a !== "--");
if (commandArgs[0] === "record") await (await import("./record/cli.js")).runRecordCli(commandArgs.slice(1));

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
  --playground DIR     serve this folder (a built playground) at / to browsers instead of the
                       playground bundled with the mock (served by default)
  --no-playground      serve no playground: GET / is the JSON status for browsers too
  --journal DIR        also write each session's journal as JSONL into a new run folder in DIR,
                       DIR/<UTC time>-<pid>/s000001.jsonl … (printed at start; like the admin API's
                       journal: keys and tokens shown as redacted:<first 8 hex of their SHA-256>)
  --journal-text-chars N  clip journalled text frames at N characters (default 4096)
  --idle-stt MS --idle-tts MS   idle timeouts (default 180000 and 300000)
  --max-transcript-chars N   longest TTS transcript (and context text not yet generated); longer: 400 (default 500000)
  --workers N          run N worker processes sharing the ports and one token secret (journals
                       are per worker)
  --json               print one JSON line with the URLs once listening (then log lines as JSON)
  --log text|json      one line per session and per HTTP request on stdout: time (UTC), route,
                       path, scenario, version, duration, close code or status, violations
                       (default text; json with --json)
  --quiet              no per-session or per-request lines
  --help               this text

Usage errors exit 2; a port that cannot be listened on exits 1. From the repository root, flags go
after --: pnpm start -- --port 9000
`;

/**
 * A usage error: one line and a hint on stderr (a failed start may list its causes below it, then
 * without the hint), exit 2 (or `code`).
 */
function fail(message: string, hint = "Try --help.", code = 2): never {
  process.stderr.write(`speechwire-mock: ${message}${message.includes("\n") ? "" : `. ${hint}`}\n`);
  process.exit(code);
}

function integer(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) fail(`--${name} takes a whole number, got "${text}"`);
  return Number(text);
}

function port(name: string, text: string | undefined, fallback: number): number {
  const n = integer(name, text, fallback);
  if (n > 65535) fail(`--${name} takes a port from 0 to 65535 (0: a free port), got ${n}`);
  return n;
}

/** Edit distance with transpositions (`--prot` is one step from `--port`), for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => (d[i] as number[])[j] as number;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** parseArgs's error as one line: the option named as typed, the nearest known option suggested. */
function usageMessage(error: Error & { code?: string }, known: string[]): string {
  const quoted = /'([^']*)'/.exec(error.message)?.[1] ?? "";
  if (error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const name = quoted.replace(/^-+/, "").split("=")[0] ?? "";
    const nearest = known.map((k) => ({ k, d: distance(name, k) })).sort((x, y) => x.d - y.d)[0];
    const guess = nearest && nearest.d <= Math.max(1, Math.floor(name.length / 3)) ? ` (did you mean --${nearest.k}?)` : "";
    return `unknown option ${quoted}${guess}`;
  }
  if (error.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const name = quoted.split(" ")[0] ?? quoted;
    return error.message.includes("does not take") ? `${name} takes no value` : `${name} needs a value`;
  }
  if (error.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") return `unexpected argument "${quoted}" (every option starts with --)`;
  return error.message;
}


/**
 * The arguments without the `--` that `pnpm start -- --port 9000` passes through: this command takes
 * no positional arguments, so a `--` ends nothing (a value of `--` is written `--token-secret=--`).
 */
function withoutSeparators(args: string[]): string[] {
  return args.filter((arg) => arg !== "--");
}

let values: Record<string, string | string[] | boolean | undefined>;
try {
  ({ values } = parseArgs({
    args: withoutSeparators(process.argv.slice(2)),
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
      "no-playground": { type: "boolean" },
      "idle-stt": { type: "string" },
      "idle-tts": { type: "string" },
      "max-transcript-chars": { type: "string" },
      workers: { type: "string" },
      json: { type: "boolean" },
      log: { type: "string" },
      quiet: { type: "boolean" },
      help: { type: "boolean" },
    },
    strict: true,
  }));
} catch (error) {
  // The help text names every option: the nearest one is suggested from it.
  fail(usageMessage(error as Error, [...new Set(HELP.match(/--[a-z][a-z-]*/g) ?? [])].map((flag) => flag.slice(2))));
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
  port: port("port", str("port"), 8787),
  tlsPort: tlsPortText === "off" ? false : port("tls-port", tlsPortText, 8788),
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
// Browsers get the bundled playground at / unless told otherwise; a build without it still serves the API.
if (str("playground") === "") fail("--playground takes a folder, got an empty string");
if (values["no-playground"] && str("playground") !== undefined) fail("--playground and --no-playground exclude each other");
const playgroundNote = values["no-playground"] || str("playground") !== undefined ? undefined : bundledPlaygroundDir() === undefined ? "missing" : "bundled";
if (playgroundNote === "bundled") options.playgroundDir = BUNDLED_PLAYGROUND_DIR;
const logText = str("log");
if (logText !== undefined && logText !== "text" && logText !== "json") fail(`--log takes text or json, got "${logText}"`);
if (values.quiet && logText !== undefined) fail("--quiet and --log exclude each other");
// With --json, stdout stays JSON lines: the log follows unless --log text asks otherwise.
const logFormat: LogFormat | undefined = values.quiet ? undefined : ((logText as LogFormat | undefined) ?? (values.json ? "json" : "text"));
/** What a worker tells the primary once it listens: its startup text and its journal run folder. */
interface Listening {
  text: string;
  journalDir: string | null;
}
const JOURNAL_LINE = "  journal: ";

/** The startup text with every process's journal run folder (one per worker). */
function withJournalDirs(text: string, dirs: string[]): string {
  if (values.json) return `${JSON.stringify({ ...(JSON.parse(text) as object), journalDirs: dirs })}\n`;
  if (dirs.length === 0) return text;
  const line = `${JOURNAL_LINE}${dirs.join(", ")}${dirs.length > 1 ? " (one run folder per worker)" : ""}`;
  return text.replace(/\n$/, `\n${line}\n`);
}

if (workers > 1 && cluster.isPrimary) {
  const shared = tokenSecret ?? randomBytes(32).toString("base64url");
  // Workers start with the launchers' Node flags too (`node-flags.ts`), unless the user set them.
  cluster.setupPrimary({ execArgv: [...missingNodeFlags(), ...process.execArgv] });
  for (let i = 0; i < workers; i += 1) cluster.fork({ [WORKER_SECRET_ENV]: shared });
  const stop = () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
  };
  // Announce once every worker listens (a client may then reach any of them), with the first's text.
  const heard: Listening[] = [];
  cluster.on("message", (_worker, message: Partial<Listening> | undefined) => {
    if (typeof message?.text !== "string") return;
    heard.push({ text: message.text, journalDir: message.journalDir ?? null });
    if (heard.length === workers) process.stdout.write(withJournalDirs((heard[0] as Listening).text, heard.flatMap((h) => (h.journalDir === null ? [] : [h.journalDir]))));
  });
  // A worker that fails to start (bad flags, port taken) stops the others with its exit code.
  cluster.on("exit", (_worker, code) => {
    if (heard.length < workers) {
      stop();
      process.exitCode = code ?? 1;
    }
  });
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
} else {
  // A reader that went away (`speechwire-mock | head -1`) ends the log, not the server.
  let stdoutOpen = true;
  process.stdout.on("error", () => {
    stdoutOpen = false;
  });
  const log = logFormat === undefined ? undefined : (record: LogRecord) => stdoutOpen && process.stdout.write(`${formatLogRecord(record, logFormat)}\n`);
  const server = await startMockServer({ ...options, ...(log ? { log } : {}) }).catch((error: Error) => {
    if (!(error instanceof ListenError)) fail(error.message);
    const flag = error.which === "http" ? "--port" : "--tls-port";
    const hint =
      error.code === "EADDRINUSE"
        ? `Is another speechwire-mock (or pnpm start) running? Try ${flag} N, or ${flag} 0 for a free port${error.which === "tls" ? " (--tls-port off: no TLS)" : ""}.`
        : error.code === "EACCES"
          ? `Try a ${flag} above 1023, or 0 for a free port.`
          : "Try --host 127.0.0.1.";
    return fail(error.message, hint, 1);
  });
  const { urls } = server;
  const certNote = () =>
    options.cert
      ? "given with --cert"
      : server.certPath === join(cacheDir(), "tls", "cert.pem")
        ? "cached, the same file across restarts: trust it once, or NODE_TLS_REJECT_UNAUTHORIZED=0 for local tests"
        : "temporary, the cache folder is not writable: removed when the mock stops";
  const text = values.json
    ? `${JSON.stringify({ http: urls.http, ws: urls.ws, https: urls.https ?? null, wss: urls.wss ?? null, certPath: server.certPath ?? null, journalDirs: [] })}\n`
    : [
        `speechwire mock listening`,
        `  http  ${urls.http}   ws  ${urls.ws}`,
        ...(urls.https ? [`  https ${urls.https}   wss ${urls.wss}`, `  TLS certificate: ${server.certPath} (${certNote()})`] : []),
        `  default scenario: ${server.scenarios.defaultName}; others: ${server.scenarios.list().map((s) => s.name).join(", ")}`,
        ...(options.playgroundDir ? [`  playground: ${urls.http}/ (open it in a browser)`] : []),
        ...(playgroundNote === "missing" ? [`  playground: none bundled in this build (${BUNDLED_PLAYGROUND_DIR}): / is the JSON status; pnpm build at the repository root bundles it, or pass --playground DIR`] : []),
        `  select one per connection with ${urls.http}/s/<scenario>/…, ?speechwire_scenario= or X-Speechwire-Scenario`,
        "",
      ].join("\n");
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    void server.close().then(() => process.exit(0));
  };
  // Before the announcement: a supervisor may stop the mock the moment it reads the URLs.
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
  const listening: Listening = { text, journalDir: server.journalDir ?? null };
  if (cluster.isWorker) process.send?.(listening);
  else process.stdout.write(withJournalDirs(text, server.journalDir === undefined ? [] : [server.journalDir]));
}
