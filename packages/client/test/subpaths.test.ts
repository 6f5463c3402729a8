/**
 * The subpath entries (`@speechwire/client/turns`, `/stt`, `/tts`, `/access-token`): each is mapped by
 * the exports map like the root, has the same surface in its Node and browser builds, works on its
 * own against the mock, and a bundle of an app that imports one carries only that concept.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket as WsWebSocket } from "ws";
import type { MockServer } from "@speechwire/mock-server";
import { DEFAULT_VERSION as PROTOCOL_DEFAULT_VERSION } from "@speechwire/protocol";
import { DEFAULT_VERSION } from "../src/config.js";
import * as accessTokenNode from "../src/entries/access-token.js";
import * as accessTokenBrowser from "../src/entries/access-token.browser.js";
import * as sttNode from "../src/entries/stt.js";
import * as sttBrowser from "../src/entries/stt.browser.js";
import * as ttsNode from "../src/entries/tts.js";
import * as ttsBrowser from "../src/entries/tts.browser.js";
import * as turnsNode from "../src/entries/turns.js";
import * as turnsBrowser from "../src/entries/turns.browser.js";
import * as root from "../src/index.js";
import { collect, patternAudio, RAW_24K, scriptSeconds, sessionById, startMock, TURNS_PARAMS, V1_PARAMS, VOICE } from "./helpers.js";

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
const pkg = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8")) as { sideEffects: unknown; exports: Record<string, Record<string, string> | string> };
const SUBPATHS = ["turns", "stt", "tts", "access-token"] as const;
const WebSocket = WsWebSocket as unknown as root.WebSocketConstructor;

let mock: MockServer;
let strict: MockServer;
beforeAll(async () => {
  mock = await startMock();
  strict = await startMock({ auth: "strict", apiKeys: ["sk_car_good"] });
});
afterAll(async () => {
  await mock.close();
  await strict.close();
});

describe("the exports map", () => {
  it("maps each subpath like the root (types, browser, import, in that order) to its entry files", () => {
    expect(Object.keys(pkg.exports)).toEqual([".", ...SUBPATHS.map((s) => `./${s}`), "./package.json"]);
    for (const name of SUBPATHS) {
      const entry = pkg.exports[`./${name}`] as Record<string, string>;
      expect(Object.keys(entry)).toEqual(["types", "browser", "import"]);
      expect(entry).toEqual({ types: `./dist/entries/${name}.d.ts`, browser: `./dist/entries/${name}.browser.js`, import: `./dist/entries/${name}.js` });
      // Each target is compiled from a source file that exists (tsconfig.build.json: src → dist).
      for (const target of Object.values(entry)) expect(existsSync(join(PACKAGE_DIR, target.replace(/^\.\/dist\//, "src/").replace(/\.d\.ts$|\.js$/, ".ts"))), target).toBe(true);
    }
    expect(pkg.sideEffects).toBe(false);
  });

  it("gives each subpath the same names, of the same kinds, in Node and browser builds; shared classes are the root's", () => {
    const shape = (mod: object) => Object.entries(mod).map(([name, value]) => `${name}:${typeof value}`).sort();
    for (const [node, browser] of [
      [turnsNode, turnsBrowser],
      [sttNode, sttBrowser],
      [ttsNode, ttsBrowser],
      [accessTokenNode, accessTokenBrowser],
    ] as const) {
      expect(shape(browser)).toEqual(shape(node));
      // One class per concept whichever entry it came from, so `instanceof` holds across entries.
      expect(node.ConnectionError).toBe(root.ConnectionError);
      expect(node.CartesiaApiError).toBe(root.CartesiaApiError);
    }
    expect(turnsNode.TurnsSession).toBe(root.TurnsSession);
    expect(sttNode.SttStream).toBe(root.SttStream);
    expect(ttsNode.TtsWebSocket).toBe(root.TtsWebSocket);
    expect(Object.keys(turnsNode)).not.toContain("TtsWebSocket");
    expect(Object.keys(ttsNode)).not.toContain("TurnsSession");
  });
});

describe("the default version", () => {
  it("is the protocol's, and a bundle that uses it carries the date, not the protocol's version table", async () => {
    expect(DEFAULT_VERSION).toBe(PROTOCOL_DEFAULT_VERSION);
    const { code } = await bundledSources(`import { createTurns } from "@speechwire/client/turns";
globalThis.turns = createTurns({ accessToken: "t" }, { model: "ink-2", encoding: "pcm_s16le", sample_rate: 16000 });`);
    expect(code).toContain(JSON.stringify(PROTOCOL_DEFAULT_VERSION));
    // The table's notes (357 B gzip) stay out.
    expect(code).not.toContain("First stable API.");
  });
});

describe("each subpath against the mock", () => {
  it("turns (Node build): a turns session gets its turn events and closes with the final text", async () => {
    const turns = turnsNode.createTurns({ baseUrl: `${mock.urls.http}/s/eager-resume`, apiKey: "sk_car_test" }, TURNS_PARAMS);
    const events = collect(turns);
    const audio = patternAudio(scriptSeconds(mock, "eager-resume") + 0.5);
    for (let i = 0; i < audio.length; i += 640) turns.send(audio.subarray(i, i + 640));
    expect(await turns.close()).toBe("I'd like to change my order. The address is wrong.");
    const types = (await events).map((e) => e.type);
    expect(types).toContain("turnStart");
    expect(types).toContain("eagerEnd");
    expect(types).toContain("turnEnd");
    expect(sessionById(mock, turns.requestId).headers.authorization).toBeDefined();
  });

  it("turns (browser build): credentials in the query, turn events", async () => {
    const turns = turnsBrowser.createTurns({ baseUrl: `${strict.urls.http}/s/eager-resume`, apiKey: "sk_car_good", WebSocket }, TURNS_PARAMS);
    const events = collect(turns);
    const audio = patternAudio(scriptSeconds(strict, "eager-resume") + 0.5);
    for (let i = 0; i < audio.length; i += 640) turns.send(audio.subarray(i, i + 640));
    expect(await turns.close()).toBe("I'd like to change my order. The address is wrong.");
    expect((await events).some((e) => e.type === "turnEnd")).toBe(true);
    expect(sessionById(strict, turns.requestId).headers.authorization).toBeUndefined();
  });

  it("stt: a v1 stream gets transcripts and done; transcribe uploads a file", async () => {
    const client = { baseUrl: mock.urls.http, apiKey: "sk_car_test" };
    const stream = sttNode.createSttStream(client, V1_PARAMS);
    const events = collect(stream);
    const audio = patternAudio(3);
    for (let i = 0; i < audio.length; i += 3200) stream.send(audio.subarray(i, i + 3200));
    const text = await stream.close();
    expect(text.length).toBeGreaterThan(0);
    const types = (await events).map((e) => e.type);
    expect(types).toContain("transcript");
    expect(types).toContain("done");
    const result = await sttBrowser.transcribe(client, new Uint8Array(32000 * 3), { model: "ink-whisper", language: "en", encoding: "pcm_s16le", sample_rate: 16000, filename: "audio.raw" });
    expect(result.text).toBe("Hi, I'd like to book a table for two people tonight. Around seven would be great.");
  });

  it("tts: a WebSocket context gets audio and done; bytes and SSE give the same audio", async () => {
    const client = { baseUrl: `${mock.urls.http}/s/tts-basic`, apiKey: "sk_car_test" };
    const tts = ttsNode.createTtsWebSocket(client);
    const ctx = tts.context({ model_id: "sonic-3", voice: VOICE, output_format: RAW_24K, max_buffer_delay_ms: 0 });
    const ctxEvents = collect(ctx);
    ctx.push("Hello from a subpath.");
    await ctx.end();
    const events = await ctxEvents;
    expect(events.at(-1)?.type).toBe("done");
    const viaSocket = Buffer.concat(events.flatMap((e) => (e.type === "audio" ? [e.audio] : [])));
    await tts.close();
    const request = { model_id: "sonic-3", voice: VOICE, transcript: "Hello from a subpath.", output_format: RAW_24K } as const;
    const viaBytes = await (await ttsBrowser.synthesizeBytes(client, request)).bytes();
    expect(viaBytes.length).toBeGreaterThan(0);
    expect(Buffer.from(viaBytes).equals(viaSocket)).toBe(true);
    const sse = await ttsNode.synthesizeSse(client, request);
    const sseAudio = Buffer.concat((await collect(sse)).flatMap((e) => (e.type === "audio" ? [e.audio] : [])));
    expect(sseAudio.equals(viaSocket)).toBe(true);
  });

  it("access-token: mints a token a subpath session then uses; a refusal is typed", async () => {
    const { token } = await accessTokenNode.createAccessToken({ baseUrl: strict.urls.http, apiKey: "sk_car_good" }, { stt: true }, 60);
    const turns = turnsBrowser.createTurns({ baseUrl: strict.urls.http, accessToken: token, WebSocket }, TURNS_PARAMS);
    await turns.ready;
    await turns.close();
    await expect(accessTokenBrowser.createAccessToken({ baseUrl: strict.urls.http, apiKey: "sk_car_bad" }, { tts: true })).rejects.toBeInstanceOf(root.CartesiaApiError);
  });
});

/** Resolves `@speechwire/client[/x]` through package.json `exports` (browser condition) to the source the dist file is built from. */
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

/** The client's own source files an app's browser bundle holds (esbuild metafile inputs), as `src/…` paths. */
async function bundledSources(contents: string, options: { ignoreAnnotations?: boolean; external?: string[] } = {}): Promise<{ files: string[]; code: string }> {
  const result = await build({
    stdin: { contents, resolveDir: PACKAGE_DIR, sourcefile: "app.js", loader: "js" },
    bundle: true,
    platform: "browser",
    format: "esm",
    minify: true,
    write: false,
    metafile: true,
    logLevel: "silent",
    plugins: [ourExports],
    ...options,
  });
  const output = Object.values(result.metafile.outputs)[0]!;
  const files = Object.entries(output.inputs)
    .filter(([, info]) => info.bytesInOutput > 0)
    .map(([file]) => file.replace(/^.*?\bsrc\//, "src/"))
    .filter((f) => f.startsWith("src/"));
  return { files, code: result.outputFiles[0]!.text };
}

describe("what an app's browser bundle holds", () => {
  it("a turns-only app: turns and what it stands on; no TTS, no STT v1, no HTTP, no access tokens", async () => {
    const { files } = await bundledSources(`import { createTurns } from "@speechwire/client/turns";
const turns = createTurns({ accessToken: globalThis.TOKEN }, { model: "ink-2", encoding: "pcm_s16le", sample_rate: 16000 });
(async () => { for await (const e of turns) console.log(e); })();
globalThis.onAudio = (chunk) => turns.send(chunk);`);
    expect(files).toContain("src/stt/turns.ts");
    expect(files).toContain("src/platform/browser.ts");
    expect(files.filter((f) => f.startsWith("src/tts/"))).toEqual([]);
    expect(files.filter((f) => /^src\/(stt\/(v1|batch)|access-token|transport\/http|client|platform\/node|transport\/ws)\.ts$/.test(f))).toEqual([]);
  });

  it("a TTS-WebSocket-only app: no STT, no HTTP TTS", async () => {
    const { files } = await bundledSources(`import { createTtsWebSocket } from "@speechwire/client/tts";
const tts = createTtsWebSocket({ accessToken: globalThis.TOKEN });
globalThis.speak = async (text) => { const ctx = tts.context(globalThis.OPTIONS); ctx.push(text); ctx.end(); for await (const e of ctx) console.log(e); };`);
    expect(files).toContain("src/tts/websocket.ts");
    expect(files.filter((f) => f.startsWith("src/stt/"))).toEqual([]);
    expect(files.filter((f) => /^src\/(tts\/http|transport\/http|access-token|client|transport\/reconnecting)\.ts$/.test(f))).toEqual([]);
  });

  it("a TTS app made with openTtsSocket carries no debug code; with createTtsWebSocket it does", async () => {
    const speak = `globalThis.speak = async (text) => { const ctx = tts.context(globalThis.OPTIONS); ctx.push(text); ctx.end(); for await (const e of ctx) console.log(e); };`;
    const plain = await bundledSources(`import { openTtsSocket } from "@speechwire/client/tts";
const tts = openTtsSocket({ accessToken: globalThis.TOKEN });
${speak}`);
    const managed = await bundledSources(`import { createTtsWebSocket } from "@speechwire/client/tts";
const tts = createTtsWebSocket({ accessToken: globalThis.TOKEN });
${speak}`);
    expect(plain.files).toContain("src/tts/websocket.ts");
    expect(plain.files).not.toContain("src/debug.ts");
    expect(managed.files).toContain("src/debug.ts");
  });

  it("has no side effects in fact: importing any entry and using nothing bundles to nothing", async () => {
    for (const spec of ["@speechwire/client", ...SUBPATHS.map((s) => `@speechwire/client/${s}`)]) {
      // As bundlers build it (`sideEffects: false` honoured).
      expect((await bundledSources(`import ${JSON.stringify(spec)};`)).code.trim(), spec).toBe("");
      // Not trusting the flag: the client's own modules run nothing at load but two constants (the
      // protocol, its own package, is left out): an empty byte array and a read of `globalThis.Buffer`.
      const { code } = await bundledSources(`import ${JSON.stringify(spec)};`, { ignoreAnnotations: true, external: ["@speechwire/protocol", "@speechwire/protocol/*"] });
      const statements = code.replace(/import(\{[^}]*\}from)?"[^"]*";/g, "").split(";").filter((x) => x.trim() !== "");
      for (const statement of statements) expect(statement.trim(), spec).toMatch(/^var \w+=(new Uint8Array\(0\)|globalThis\.Buffer)$/);
    }
  });
});
