/** `speechwire-mock record`: the recording proxy's command line (issue 18). */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { startRecordProxy } from "./proxy.js";

const HELP = `speechwire-mock record — relay sessions to a real API and write each as a replayable scenario

  speechwire-mock record --upstream URL --out DIR [--api-key KEY] [--port N] [--tls-port N|off] [--host H]
                         [--match position|digest] [--prefix NAME] [--json]

  --upstream URL   the API to record (https://… for TLS); its path prefix, if any, is kept
  --out DIR        where scenarios (<prefix>-0001-<endpoint>.yaml) and audio files are written
  --api-key KEY    the key sent upstream in place of the client's (default: $CARTESIA_API_KEY;
                   without either, each client's own credentials go through)
  --port N         local port (default 8787; 0 = a free one)   --host H  (default 127.0.0.1)
  --tls-port N|off the same routes over TLS (default 8788), for clients that force wss/https;
                   the mock's certificate (cached, path printed) unless --cert/--key
  --upstream-ca F  extra CA certificates (PEM file) to trust for a TLS upstream
  --match M        the replay policy written into the scenarios: position (default) or digest
  --prefix NAME    file and scenario name prefix (default rec)
  --latency-step MS  recorded latencies rounded to MS (default 10); 0 leaves them out, so that
                   re-recording a deterministic upstream gives identical files
  --json           print {"http":…,"ws":…} on start and one JSON line per file written

Point your client at the printed URL (a /s/<anything>/ prefix is accepted and dropped), run it, then
stop with Ctrl-C and serve the recordings: speechwire-mock --scenarios DIR.`;

/** Runs the recording proxy from command-line arguments; exits the process (2 on bad usage). */
export async function runRecordCli(args: string[]): Promise<never> {
  // Like the mock's own usage errors: one line and a hint, not the whole help.
  const fail = (message: string, code = 2): never => {
    process.stderr.write(`speechwire-mock record: ${message}. Try speechwire-mock record --help.\n`);
    process.exit(code);
  };
  // `pnpm start -- record …` passes the `--` through; the command takes no positional arguments.
  args = args.filter((a) => a !== "--");
  let values: Record<string, string | boolean | undefined> = {};
  try {
    ({ values } = parseArgs({
      args,
      options: {
        upstream: { type: "string" },
        out: { type: "string" },
        "api-key": { type: "string" },
        port: { type: "string" },
        "tls-port": { type: "string" },
        cert: { type: "string" },
        key: { type: "string" },
        "upstream-ca": { type: "string" },
        host: { type: "string" },
        match: { type: "string" },
        prefix: { type: "string" },
        "latency-step": { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    process.exit(0);
  }
  const upstream = values.upstream as string | undefined;
  const out = values.out as string | undefined;
  if (!upstream) fail("--upstream URL is required");
  if (!out) fail("--out DIR is required");
  try {
    const u = new URL(upstream as string);
    if (!["http:", "https:", "ws:", "wss:"].includes(u.protocol)) fail(`--upstream must be http(s) or ws(s), got ${u.protocol}`);
  } catch {
    fail(`--upstream is not a URL: ${JSON.stringify(upstream)}`);
  }
  const match = (values.match as string | undefined) ?? "position";
  if (match !== "position" && match !== "digest") fail(`--match takes position or digest, got "${match}"`);
  const portText = (values.port as string | undefined) ?? "8787";
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) fail(`--port takes 0–65535, got "${portText}"`);
  const tlsText = (values["tls-port"] as string | undefined) ?? "8788";
  if (tlsText !== "off" && (!/^\d+$/.test(tlsText) || Number(tlsText) > 65535)) fail(`--tls-port takes 0–65535 or off, got "${tlsText}"`);
  if ((values.cert === undefined) !== (values.key === undefined)) fail("--cert and --key go together");
  let upstreamCa: string | undefined;
  if (values["upstream-ca"] !== undefined) {
    try {
      upstreamCa = await readFile(values["upstream-ca"] as string, "utf8");
    } catch (error) {
      fail(`--upstream-ca: ${(error as Error).message}`);
    }
  }
  const stepText = (values["latency-step"] as string | undefined) ?? "10";
  if (!/^\d+$/.test(stepText)) fail(`--latency-step takes whole milliseconds, got "${stepText}"`);
  const prefix = (values.prefix as string | undefined) ?? "rec";
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(prefix)) fail("--prefix takes lowercase letters, digits, '.', '_' and '-'");
  const apiKey = (values["api-key"] as string | undefined) ?? (process.env.CARTESIA_API_KEY || undefined);
  const json = values.json === true;
  let proxy;
  try {
    proxy = await startRecordProxy({
      upstream: upstream as string,
      out: out as string,
      port: Number(portText),
      latencyStepMs: Number(stepText),
      tlsPort: tlsText === "off" ? false : Number(tlsText),
      ...(values.cert ? { cert: values.cert as string, key: values.key as string } : {}),
      ...(upstreamCa ? { upstreamCa } : {}),
      prefix,
      match: match as "position" | "digest",
      ...(values.host ? { host: values.host as string } : {}),
      ...(apiKey ? { apiKey } : {}),
      onWritten: (e) => {
        if (json) process.stdout.write(`${JSON.stringify(e)}\n`);
        else if (e.error) process.stderr.write(`could not write a recording: ${e.error}\n`);
        else if (e.file) process.stdout.write(`wrote ${e.file}${e.notes.length ? ` (${e.notes.join("; ")})` : ""}\n`);
        else if (e.notes.length) process.stdout.write(`not written: ${e.notes.join("; ")}\n`);
      },
    });
  } catch (error) {
    return fail(`cannot start: ${(error as Error).message}`, 1);
  }
  const urls = {
    http: proxy.url,
    ws: proxy.url.replace(/^http/, "ws"),
    ...(proxy.tlsUrl ? { https: proxy.tlsUrl, wss: proxy.tlsUrl.replace(/^https/, "wss"), certPath: proxy.certPath } : {}),
  };
  // The key is never printed: only whether one is set.
  if (json) process.stdout.write(`${JSON.stringify({ ...urls, upstream: new URL(upstream as string).origin, apiKey: apiKey ? "set" : "client's own", out })}\n`);
  else {
    const tlsNote = proxy.tlsUrl ? `, ${proxy.tlsUrl} (certificate ${proxy.certPath})` : "";
    process.stdout.write(`recording ${new URL(upstream as string).origin} through ${urls.http}${tlsNote} into ${out}; key: ${apiKey ? "configured" : "the client's own"}; Ctrl-C to stop\n`);
  }
  const stop = () => {
    void proxy.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return new Promise<never>(() => undefined);
}
