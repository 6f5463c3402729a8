/**
 * The two entry points: index.ts (Node and every non-browser runtime) and browser.ts (the package's
 * `browser` export condition). Same surface; the browser one never wires `ws` and cannot load the
 * checkers by itself — both said plainly when asked for.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket as WsWebSocket } from "ws";
import { redactSecret, type MockServer } from "@speechwire/mock-server";
import * as browserEntry from "../src/browser.js";
import * as nodeEntry from "../src/index.js";
import { ConnectionError, type WebSocketConstructor } from "../src/index.js";
import { patternAudio, scriptSeconds, sessionById, startMock, TURNS_PARAMS } from "./helpers.js";

let strict: MockServer;
beforeAll(async () => {
  strict = await startMock({ auth: "strict", apiKeys: ["sk_car_good"] });
});
afterAll(async () => {
  await strict.close();
});

describe("entry points", () => {
  it("export the same names, of the same kinds", () => {
    const shape = (mod: object) => Object.entries(mod).map(([name, value]) => `${name}:${typeof value}`).sort();
    expect(shape(browserEntry)).toEqual(shape(nodeEntry));
    expect(Object.keys(nodeEntry)).toContain("createClient");
  });

  it("are mapped by the exports map: `browser` before `import`, one set of types", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { exports: Record<string, Record<string, string>> };
    const root = pkg.exports["."] ?? {};
    // Conditions are tried in order: `browser` must come before `import`, which a browser bundler also matches.
    expect(Object.keys(root)).toEqual(["types", "browser", "import"]);
    expect(root).toEqual({ types: "./dist/index.d.ts", browser: "./dist/browser.js", import: "./dist/index.js" });
  });
});

describe("the browser entry (run in Node with ws as a standard WebSocket)", () => {
  const WebSocket = WsWebSocket as unknown as WebSocketConstructor;

  it("puts the credentials and version in the query even with ws, and completes a turns session", async () => {
    const client = browserEntry.createClient({ baseUrl: `${strict.urls.http}/s/eager-resume`, apiKey: "sk_car_good", WebSocket });
    const turns = client.stt.turns(TURNS_PARAMS);
    const audio = patternAudio(scriptSeconds(strict, "eager-resume") + 0.5);
    for (let i = 0; i < audio.length; i += 640) turns.send(audio.subarray(i, i + 640));
    expect(await turns.close()).toBe("I'd like to change my order. The address is wrong.");
    const record = sessionById(strict, turns.requestId);
    expect(record.query.api_key).toBe(redactSecret("sk_car_good"));
    expect(record.query.cartesia_version).toBe("2026-08-14");
    expect(record.headers).not.toHaveProperty("authorization");
  });

  it("refuses credentialsIn: headers with a class that cannot send them, naming the fix", async () => {
    const client = browserEntry.createClient({ baseUrl: strict.urls.http, apiKey: "sk_car_good", WebSocket, credentialsIn: "headers" });
    const turns = client.stt.turns(TURNS_PARAMS);
    const error = await turns.ready.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/credentialsIn: "headers" needs a `ws`-compatible WebSocket class/);
    expect((await turns.ended).error).toBe(error);
  });

  it("fails debug: true with what to pass instead, and runs with the linter factory given", async () => {
    const client = browserEntry.createClient({ baseUrl: strict.urls.http, apiKey: "sk_car_good", WebSocket, debug: true });
    const tts = client.tts.websocket();
    const error = await tts.connect().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/pass its createSessionLinter as `debug` instead/);
    await tts.close();
  });
});
