/**
 * What a browser bundle of the client holds (no zod, no grammar checkers: the reader is enough), and
 * `debug` given the protocol's `createSessionLinter` itself — the way a browser app turns it on.
 */
import { fileURLToPath } from "node:url";
import { createSessionLinter } from "@speechwire/protocol";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { createClient } from "../src/index.js";
import { collect, TURNS_PARAMS } from "./helpers.js";

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));

describe("browser bundle", () => {
  it("reads with @speechwire/protocol/reader only: no zod, no schemas, no grammar checkers", async () => {
    const result = await build({
      // src/browser.ts: what the package's `browser` export condition resolves to (dist/browser.js).
      stdin: { contents: 'export * from "./src/browser.ts";', resolveDir: PACKAGE_DIR, loader: "ts" },
      bundle: true,
      platform: "browser",
      format: "esm",
      minify: true,
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((f) => f.includes("protocol/dist/reader/"))).toBe(true);
    expect(inputs.filter((f) => f.includes("/zod/"))).toEqual([]);
    expect(inputs.filter((f) => /protocol\/dist\/(grammar|endpoints|catalog|index)/.test(f))).toEqual([]);
    // Nor the Node platform: the `ws` wiring and the lazy loaders stay out.
    expect(inputs.filter((f) => /src\/(transport\/ws|platform\/node)\.ts$/.test(f))).toEqual([]);
    expect(inputs.some((f) => f.endsWith("src/platform/browser.ts"))).toBe(true);
    // Neither `ws` nor a Node built-in is reachable from the browser entry.
    const externals = Object.values(result.metafile.inputs).flatMap((i) => i.imports.filter((imp) => imp.external).map((imp) => imp.path));
    expect(externals).toEqual([]);
  });
});

describe("debug with a linter factory (the browser way)", () => {
  it("reports the same violations as debug: true, through the factory it was given", async () => {
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    wss.on("connection", (ws) => {
      ws.send(JSON.stringify({ type: "turn.update", transcript: "hi", request_id: "r" }));
      ws.send(JSON.stringify({ type: "turn.end", transcript: "hi", request_id: "r" }));
      ws.close(1000);
    });
    await new Promise((resolve) => wss.once("listening", resolve));
    const baseUrl = `http://127.0.0.1:${(wss.address() as { port: number }).port}`;
    let created = 0;
    const factory: typeof createSessionLinter = (...args) => {
      created += 1;
      return createSessionLinter(...args);
    };
    try {
      const viaFactory = await collect(createClient({ baseUrl, debug: factory }).stt.turns(TURNS_PARAMS));
      const viaTrue = await collect(createClient({ baseUrl, debug: true }).stt.turns(TURNS_PARAMS));
      const rules = (events: typeof viaTrue) => events.flatMap((e) => (e.type === "violation" ? [e.violation.rule] : []));
      expect(created).toBe(1);
      expect(rules(viaFactory)).toContain("stt-turns/connected-first");
      expect(rules(viaFactory)).toEqual(rules(viaTrue));
      // Off by default: no linter, no violation events.
      const off = await collect(createClient({ baseUrl }).stt.turns(TURNS_PARAMS));
      expect(rules(off)).toEqual([]);
    } finally {
      wss.close();
    }
  });
});
