/**
 * The client in a real browser: Debian's Chromium, driven by playwright-core (which downloads no
 * browser of its own), loads an esbuild bundle of src/browser.ts (what the package's `browser` export condition resolves to) and talks to the mock with the native
 * WebSocket — credentials and version in the query, an access token minted from Node.
 *
 * - The bundle is built here with esbuild (platform browser, ESM); any import of `ws` or of a Node
 *   built-in fails the first test, naming the importing file.
 * - The page and the bundle come from a `node:http` server on 127.0.0.1, on another port than the
 *   mock (another origin).
 * - Nothing is skipped: without Chromium every test fails with a message saying how to get it.
 *
 * Chromium: `CHROMIUM_PATH`, else /usr/bin/chromium (`scripts/ensure-browser.sh` installs it).
 * The screenshot goes to packages/client/.test-results/browser.png.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { builtinModules } from "node:module";
import type { AddressInfo } from "node:net";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "@speechwire/testing";
import { afterAll, describe, expect, it } from "vitest";
import { redactSecret, startMockServer, type MockServer, type SessionRecord } from "@speechwire/mock-server";
import { createClient } from "../../src/index.js";
import { RAW_24K, scriptSeconds, sessionById, sha256, TURNS_PARAMS, VOICE } from "../helpers.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const PACKAGE_DIR = join(HERE, "..", "..");
const SCREENSHOT = join(PACKAGE_DIR, ".test-results", "browser.png");
const API_KEY = "sk_car_browser_test_key";
const SCENARIO = "eager-resume";
const TTS_TEXT = "Hello from Chromium, over a native WebSocket.";
const TTS_CONTEXT = { model_id: "sonic-3", voice: VOICE, output_format: RAW_24K, max_buffer_delay_ms: 0 } as const;

/** Imports that must never reach a browser bundle. */
function isForbidden(specifier: string): boolean {
  if (specifier.startsWith("node:")) return true;
  if (specifier === "ws" || specifier.startsWith("ws/")) return true;
  return builtinModules.includes(specifier.split("/")[0] ?? specifier);
}

/** Builds the client's browser bundle; `offending` lists every forbidden import with its importer. */
async function bundleClient(): Promise<{ code: string; offending: string[]; inputs: string[] }> {
  const offending: string[] = [];
  const guard: Plugin = {
    name: "no-node-in-the-browser",
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (!isForbidden(args.path)) return undefined;
        offending.push(`${relative(PACKAGE_DIR, args.importer) || "(entry)"} imports "${args.path}" (${args.kind})`);
        return { path: args.path, external: true };
      });
    },
  };
  const result = await build({
    entryPoints: [join(PACKAGE_DIR, "src", "browser.ts")],
    absWorkingDir: PACKAGE_DIR,
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    write: false,
    metafile: true,
    sourcemap: "inline",
    logLevel: "silent",
    plugins: [guard],
  });
  const inputs = Object.keys(result.metafile.inputs);
  // A file of the `ws` package reached by a path rather than by name counts too.
  for (const input of inputs) if (/(^|\/)node_modules\/ws\//.test(input)) offending.push(`bundle contains ${input}`);
  for (const [file, info] of Object.entries(result.metafile.inputs)) {
    for (const imp of info.imports) if (imp.external && !offending.some((o) => o.includes(`"${imp.path}"`))) offending.push(`${file} leaves "${imp.path}" external`);
  }
  const code = result.outputFiles[0]?.text;
  if (!code) throw new Error("esbuild produced no output");
  return { code, offending, inputs };
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>speechwire client in Chromium</title>
<link rel="icon" href="data:,">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d2330; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  h2 { font-size: 16px; margin: 18px 0 4px; }
  .status { color: #3a5f9f; }
  ol { margin: 4px 0; padding-left: 22px; }
  code { background: #eef1f6; padding: 1px 4px; border-radius: 3px; }
</style>
</head>
<body>
<h1>@speechwire/client in Chromium</h1>
<p>Native <code>WebSocket</code>, access token in the query, mock at <code id="mock"></code>.</p>
<h2>STT turns (<code>eager-resume</code>)</h2>
<div class="status" id="turns-status">idle</div>
<ol id="turns-events"></ol>
<h2>TTS WebSocket context</h2>
<div class="status" id="tts-status">idle</div>
<ol id="tts-events"></ol>
<script type="module" src="/harness.js"></script>
</body>
</html>
`;

/** Serves the page, the harness and the bundle. */
async function servePage(bundle: string): Promise<{ server: Server; origin: string; served: string[] }> {
  const harness = await readFile(join(HERE, "harness.js"), "utf8");
  const served: string[] = [];
  const files: Record<string, [string, string]> = {
    "/": ["text/html; charset=utf-8", PAGE],
    "/harness.js": ["text/javascript; charset=utf-8", harness],
    "/client.js": ["text/javascript; charset=utf-8", bundle],
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    served.push(path);
    const file = files[path];
    if (!file) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": file[0], "cache-control": "no-store" }).end(file[1]);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}`, served };
}

interface TurnsResult {
  done: boolean;
  events: { type: string; transcript?: string; phase?: string; code?: number; error?: string }[];
  text: string | undefined;
  requestId: string | undefined;
  error: string | undefined;
  framesSent: number;
}
interface TtsResult {
  done: boolean;
  types: string[];
  audioBytes: number;
  audioChunks: number;
  sha256: string | undefined;
  flushIds: (number | undefined)[];
  socketEvents: { type: string; error?: string }[];
  error: string | undefined;
}
type Harness = {
  ready: boolean;
  state: { turns: TurnsResult | undefined; tts: TtsResult | undefined };
  turns(args: unknown): Promise<void>;
  tts(args: unknown): Promise<void>;
};
type WithHarness = { harness?: Harness };

interface Env {
  mock: MockServer;
  token: string;
  page: Page;
  origin: string;
  pageProblems: string[];
}

let browser: Browser | undefined;
let pageServer: Server | undefined;
let mock: MockServer | undefined;
let envPromise: Promise<Env> | undefined;
let bundlePromise: ReturnType<typeof bundleClient> | undefined;

const bundled = () => (bundlePromise ??= bundleClient());

/** Mints an access token from Node: `POST /access-token` with the API key. */
async function mintToken(server: MockServer): Promise<string> {
  const res = await fetch(`${server.urls.http}/access-token`, {
    method: "POST",
    headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json", "cartesia-version": "2026-03-01" },
    body: JSON.stringify({ grants: { stt: true, tts: true }, expires_in: 600 }),
  });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`POST /access-token: ${res.status} ${body}`);
  const { token } = JSON.parse(body) as { token: string };
  return token;
}

/** Everything the browser tests share, set up once (by whichever test comes first). */
function env(): Promise<Env> {
  envPromise ??= (async () => {
    const { code, offending } = await bundled();
    if (offending.length > 0) throw new Error(`the browser bundle is not browser-clean:\n${offending.join("\n")}`);
    // Strict auth: only the API key and the tokens minted with it are accepted.
    mock = await startMockServer({ port: 0, tlsPort: false, auth: "strict", apiKeys: [API_KEY] });
    const token = await mintToken(mock);
    const served = await servePage(code);
    pageServer = served.server;
    // playwright-core's launch() gives the browser a fresh temporary profile (user data dir) and deletes it on close.
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 900, height: 720 } });
    const page = await context.newPage();
    const pageProblems: string[] = [];
    page.on("pageerror", (error) => pageProblems.push(`pageerror: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") pageProblems.push(`console.error: ${message.text()} (${message.location().url})`);
    });
    await page.goto(`${served.origin}/`, { waitUntil: "load" });
    await page.waitForFunction(() => (window as unknown as WithHarness).harness?.ready === true, undefined, { timeout: 10_000 });
    await page.evaluate((url) => {
      document.getElementById("mock")!.textContent = url;
    }, mock.urls.http);
    expect(served.served).toEqual(expect.arrayContaining(["/", "/harness.js", "/client.js"]));
    return { mock, token, page, origin: served.origin, pageProblems };
  })();
  return envPromise;
}

/** The journal record must show a browser session: token in the query (redacted), no Authorization header, our page's origin. */
function expectBrowserCredentials(record: SessionRecord, token: string, origin: string): void {
  expect(record.headers.authorization).toBeUndefined();
  expect(record.headers["x-api-key"]).toBeUndefined();
  expect(record.query).not.toHaveProperty("api_key");
  expect(record.query.access_token).toBeTypeOf("string");
  expect(record.query.access_token).not.toBe(token);
  expect(record.query.access_token).toBe(redactSecret(token));
  expect(record.query.cartesia_version).toBe("2026-08-14");
  // It came from Chromium, from the page's (other) origin.
  expect(record.headers.origin).toBe(origin);
  expect(record.headers["user-agent"]).toMatch(/Chrome\//);
}

afterAll(async () => {
  await browser?.close().catch(() => {});
  await new Promise<void>((resolve) => (pageServer ? pageServer.close(() => resolve()) : resolve()));
  await mock?.close();
}, 60_000);

describe("the client in Chromium", { timeout: 60_000 }, () => {
  it("bundles for the browser (esbuild, platform browser, ESM) without ws or any Node built-in", async () => {
    const { code, offending, inputs } = await bundled();
    expect(offending, `forbidden imports in the browser bundle:\n${offending.join("\n")}`).toEqual([]);
    expect(inputs.some((i) => i.endsWith("src/browser.ts"))).toBe(true);
    expect(code).toContain("createClient");
    // `ws` is only ever loaded lazily in Node, by a specifier built at run time.
    expect(code).not.toMatch(/from\s*["']ws["']|require\(\s*["']ws["']\s*\)/);
  });

  it("runs a turns session (§3.6 eager-resume) over the native WebSocket with the access token in the query", async () => {
    const { mock, token, page, origin, pageProblems } = await env();
    const seconds = scriptSeconds(mock, SCENARIO) + 0.5;
    await page.evaluate(
      (args) => {
        void (window as unknown as WithHarness).harness!.turns(args);
      },
      { accessToken: token, baseUrl: `${mock.urls.http}/s/${SCENARIO}`, params: TURNS_PARAMS, seconds },
    );
    await page.waitForFunction(() => (window as unknown as WithHarness).harness?.state.turns?.done === true, undefined, { timeout: 30_000 });
    const result = (await page.evaluate(() => (window as unknown as WithHarness).harness!.state.turns)) as TurnsResult;

    expect(result.error).toBeUndefined();
    expect(result.text).toBe("I'd like to change my order. The address is wrong.");
    const shape = result.events
      .filter((e) => ["connected", "turnStart", "turnUpdate", "eagerEnd", "resume", "turnEnd"].includes(e.type))
      .map((e) => (e.transcript !== undefined ? [e.type, e.transcript] : [e.type]));
    expect(shape).toEqual([
      ["connected"],
      ["turnStart"],
      ["turnUpdate", "I'd like to"],
      ["eagerEnd", "I'd like to change my order."],
      ["resume"],
      ["turnUpdate", "I'd like to change my order. The address"],
      ["turnEnd", "I'd like to change my order. The address is wrong."],
    ]);
    expect(result.events.filter((e) => ["error", "unknown", "violation"].includes(e.type))).toEqual([]);
    expect(result.events.at(-1)).toMatchObject({ type: "close", code: 1000 });

    // The mock's journal: the browser's session, with every byte of the silence.
    expect(result.requestId).toMatch(/./);
    const record = sessionById(mock, result.requestId);
    expect(record.endpoint).toBe("stt-turns");
    expect(record.scenario).toBe(SCENARIO);
    expect(record.path).toBe(`/s/${SCENARIO}/stt/turns/websocket`);
    expect(record.audio.bytes).toBe(Math.round(seconds * TURNS_PARAMS.sample_rate) * 2);
    expect(record.violations).toEqual([]);
    expectBrowserCredentials(record, token, origin);
    expect(pageProblems).toEqual([]);
  });

  it("runs a TTS context (push, end) over the native WebSocket: audio arrives, then done, the same bytes as /tts/bytes", async () => {
    const { mock, token, page, origin, pageProblems } = await env();
    const before = new Set(mock.sessions().map((s) => s.id));
    await page.evaluate(
      (args) => {
        void (window as unknown as WithHarness).harness!.tts(args);
      },
      { accessToken: token, baseUrl: `${mock.urls.http}/s/${SCENARIO}`, context: TTS_CONTEXT, text: TTS_TEXT },
    );
    await page.waitForFunction(() => (window as unknown as WithHarness).harness?.state.tts?.done === true, undefined, { timeout: 30_000 });
    const result = (await page.evaluate(() => (window as unknown as WithHarness).harness!.state.tts)) as TtsResult;

    expect(result.error).toBeUndefined();
    expect(result.audioChunks).toBeGreaterThan(0);
    expect(result.audioBytes).toBeGreaterThan(24000 * 2 * 0.5);
    expect(result.types.at(-1)).toBe("done");
    expect(new Set(result.types)).toEqual(new Set(["audio", "done"]));
    expect(result.socketEvents.map((e) => e.type)).toEqual(["open"]);

    // The mock's audio is deterministic: the same text over HTTP (from Node) gives the same bytes.
    const node = createClient({ baseUrl: `${mock.urls.http}/s/${SCENARIO}`, apiKey: API_KEY });
    const bytes = await (await node.tts.bytes({ ...TTS_CONTEXT, transcript: TTS_TEXT })).bytes();
    expect(result.audioBytes).toBe(bytes.byteLength);
    expect(result.sha256).toBe(sha256(bytes));

    const records = mock.sessions().filter((s) => !before.has(s.id) && s.endpoint === "tts");
    expect(records).toHaveLength(1);
    const record = records[0]!;
    expect(record.path).toBe(`/s/${SCENARIO}/tts/websocket`);
    expect(record.violations).toEqual([]);
    expectBrowserCredentials(record, token, origin);
    const sent = record.entries.filter((e) => e.dir === "client" && e.kind === "text").map((e) => JSON.parse(e.text!) as { transcript: string; continue: boolean });
    expect(sent.map((m) => [m.transcript, m.continue])).toEqual([
      [TTS_TEXT, true],
      ["", false],
    ]);
    expect(pageProblems).toEqual([]);

    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
  });
});
