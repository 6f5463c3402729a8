/**
 * The subpath entries in a real browser (Chromium through playwright-core, as browser.test.ts): an app
 * that imports only `@speechwire/client/turns` and `@speechwire/client/tts`, bundled by esbuild the way
 * a browser bundler resolves the package (package.json `exports`, `browser` condition), runs a turns
 * session and a TTS context against the mock with an access token minted from Node through
 * `@speechwire/client/access-token`. Nothing is skipped: without Chromium the test fails.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import type { Browser } from "playwright-core";
import { launchChromium } from "@speechwire/testing";
import { afterAll, describe, expect, it } from "vitest";
import { startMockServer, type MockServer } from "@speechwire/mock-server";
import { createAccessToken } from "../../src/entries/access-token.js";
import { synthesizeBytes } from "../../src/entries/tts.js";
import { RAW_24K, scriptSeconds, sessionById, TURNS_PARAMS, VOICE } from "../helpers.js";

const PACKAGE_DIR = fileURLToPath(new URL("../..", import.meta.url));
const pkg = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8")) as { exports: Record<string, Record<string, string> | string> };
const API_KEY = "sk_car_browser_subpaths";
const SCENARIO = "eager-resume";
const TEXT = "Hello from a subpath entry.";
const CONTEXT = { model_id: "sonic-3", voice: VOICE, output_format: RAW_24K, max_buffer_delay_ms: 0 } as const;

/**
 * The app: turns and TTS from their subpaths only, opened with the managed sessions (`createTurns`,
 * `createTtsWebSocket`) or the plain sockets (`openTurnsSocket`, `openTtsSocket`: what the size bench measures).
 */
const app = (opener: "createTurns" | "openTurnsSocket") => `import { ${opener} } from "@speechwire/client/turns";
import { ${opener === "createTurns" ? "createTtsWebSocket" : "openTtsSocket"} as openTts } from "@speechwire/client/tts";
window.run = async ({ accessToken, baseUrl, params, seconds, context, text }) => {
  const options = { accessToken, baseUrl };
  const turns = ${opener}(options, params);
  const events = [];
  const reading = (async () => { for await (const e of turns) events.push(e.type === "turnEnd" ? e.type + ":" + e.transcript : e.type); })();
  const audio = new Uint8Array(Math.round(seconds * params.sample_rate) * 2);
  for (let i = 0; i < audio.length; i += 640) turns.send(audio.subarray(i, i + 640));
  const final = await turns.close();
  await reading;
  const tts = openTts(options);
  const ctx = tts.context(context);
  ctx.push(text);
  ctx.end();
  const types = [];
  let audioBytes = 0;
  for await (const e of ctx) { types.push(e.type); if (e.type === "audio") audioBytes += e.audio.byteLength; }
  await tts.close();
  return { final, events, requestId: turns.requestId, types, audioBytes };
};
window.ready = true;`;

/** `@speechwire/client/x` → the source of its `browser` build, as the bench resolves it. */
const ourExports: Plugin = {
  name: "our-exports",
  setup(b) {
    b.onResolve({ filter: /^@speechwire\/client(\/|$)/ }, (args) => {
      const target = (pkg.exports[`.${args.path.slice("@speechwire/client".length)}`] as Record<string, string> | undefined)?.browser;
      if (!target) return { errors: [{ text: `no browser condition for ${args.path}` }] };
      return { path: join(PACKAGE_DIR, target.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts")) };
    });
  },
};

let browser: Browser | undefined;
let server: Server | undefined;
let mock: MockServer | undefined;
afterAll(async () => {
  await browser?.close().catch(() => {});
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await mock?.close();
}, 60_000);

describe("subpath entries in Chromium", { timeout: 60_000 }, () => {
  it("a turns + TTS app built from /turns and /tts runs both over the native WebSocket with a token from /access-token (the managed sessions, then the plain sockets)", async () => {
    const bundles = new Map<string, string>();
    for (const opener of ["createTurns", "openTurnsSocket"] as const) {
      const result = await build({ stdin: { contents: app(opener), resolveDir: PACKAGE_DIR, sourcefile: "app.js", loader: "js" }, bundle: true, platform: "browser", format: "esm", write: false, metafile: true, logLevel: "silent", plugins: [ourExports] });
      const externals = Object.values(result.metafile.inputs).flatMap((i) => i.imports.filter((imp) => imp.external).map((imp) => imp.path));
      expect(externals).toEqual([]);
      bundles.set(`/${opener}.js`, result.outputFiles[0]!.text);
    }
    server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const bundle = bundles.get(url.pathname);
      if (url.pathname === "/") res.writeHead(200, { "content-type": "text/html" }).end(`<!doctype html><link rel="icon" href="data:,"><script type="module" src="/${url.searchParams.get("app") ?? ""}.js"></script>`);
      else if (bundle !== undefined) res.writeHead(200, { "content-type": "text/javascript" }).end(bundle);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", () => resolve()));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    mock = await startMockServer({ port: 0, tlsPort: false, auth: "strict", apiKeys: [API_KEY] });
    const { token } = await createAccessToken({ baseUrl: mock.urls.http, apiKey: API_KEY }, { stt: true, tts: true }, 600);
    browser = await launchChromium();
    const baseUrl = `${mock.urls.http}/s/${SCENARIO}`;
    const bytes = await (await synthesizeBytes({ baseUrl, apiKey: API_KEY }, { ...CONTEXT, transcript: TEXT })).bytes();
    for (const opener of ["createTurns", "openTurnsSocket"]) {
      const page = await (await browser.newContext()).newPage();
      const problems: string[] = [];
      page.on("pageerror", (error) => problems.push(error.message));
      await page.goto(`${origin}/?app=${opener}`, { waitUntil: "load" });
      await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, undefined, { timeout: 10_000 });
      const run = (await page.evaluate(
        (args) => (window as unknown as { run(a: unknown): Promise<unknown> }).run(args),
        { accessToken: token, baseUrl, params: TURNS_PARAMS, seconds: scriptSeconds(mock, SCENARIO) + 0.5, context: CONTEXT, text: TEXT },
      )) as { final: string; events: string[]; requestId: string; types: string[]; audioBytes: number };

      expect(run.final, opener).toBe("I'd like to change my order. The address is wrong.");
      expect(run.events, opener).toEqual(["connected", "turnStart", "turnUpdate", "eagerEnd", "resume", "turnUpdate", "turnEnd:I'd like to change my order. The address is wrong.", "close"]);
      const record = sessionById(mock, run.requestId);
      expect(record.headers.authorization).toBeUndefined();
      expect(record.query.access_token).toBeTypeOf("string");
      expect(record.headers["user-agent"]).toMatch(/Chrome\//);
      expect(run.types.at(-1)).toBe("done");
      expect(run.audioBytes).toBe(bytes.byteLength);
      expect(problems).toEqual([]);
    }
  });
});
