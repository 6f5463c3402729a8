#!/usr/bin/env node
/** `speechwire-mock`: the mock server's command line. */
import cluster from "node:cluster";
import { parseArgs } from "node:util";
import { parseLatencyArg } from "./core/latency.js";
import { startMockServer, type MockServerOptions } from "./server/server.js";

const HELP = `speechwire-mock — a deterministic mock of Cartesia's realtime speech APIs

Options:
  --host HOST          interface to listen on (default 127.0.0.1)
  --port N             HTTP + WebSocket port, 0 = a free port (default 8787)
  --tls-port N         HTTPS + WSS port, 0 = a free port, off = no TLS (default 8788)
  --cert FILE --key FILE   TLS certificate and key (default: self-signed, path printed)
  --scenarios DIR      load scenario files (.yaml, .yml, .json) from DIR
  --scenario NAME|FILE the default scenario (default "default")
  --seed N             seed for request ids and seeded choices (default 1)
  --latency P|MS       latency for every scenario: none, milliseconds, or a profile name
  --auth open|strict   open: any key or none; strict: only --api-key keys or valid tokens
  --api-key KEY        an accepted API key (repeatable)
  --playground DIR     serve this folder (the built playground) at / to browsers
  --journal DIR        also write each session's journal as JSONL into DIR
  --journal-text-chars N  clip journalled text frames at N characters (default 4096)
  --idle-stt MS --idle-tts MS   idle timeouts (default 180000 and 300000)
  --max-transcript-chars N   longest TTS transcript (and context text not yet generated); longer: 400 (default 500000)
  --workers N          run N worker processes sharing the ports (journals are per worker)
  --json               print one JSON line with the URLs once listening
  --help               this text
`;

function fail(message: string): never {
  process.stderr.write(`speechwire-mock: ${message}\n\n${HELP}`);
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
const tlsPortText = str("tls-port");
const options: MockServerOptions = {
  host: str("host") ?? "127.0.0.1",
  port: integer("port", str("port"), 8787),
  tlsPort: tlsPortText === "off" ? false : integer("tls-port", tlsPortText, 8788),
  seed: integer("seed", str("seed"), 1),
  auth,
  apiKeys: (values["api-key"] as string[] | undefined) ?? [],
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
  for (let i = 0; i < workers; i += 1) cluster.fork();
  let announced = false;
  cluster.on("message", (_worker, message: unknown) => {
    if (!announced && typeof message === "string") {
      announced = true;
      process.stdout.write(message);
    }
  });
  const stop = () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
} else {
  const server = await startMockServer(options).catch((error: Error) => fail(error.message));
  const { urls } = server;
  const text = values.json
    ? `${JSON.stringify({ http: urls.http, ws: urls.ws, https: urls.https ?? null, wss: urls.wss ?? null, certPath: server.certPath ?? null })}\n`
    : [
        `speechwire mock listening`,
        `  http  ${urls.http}   ws  ${urls.ws}`,
        ...(urls.https ? [`  https ${urls.https}   wss ${urls.wss}`, `  TLS certificate: ${server.certPath} (trust it, or NODE_TLS_REJECT_UNAUTHORIZED=0 for local tests)`] : []),
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
