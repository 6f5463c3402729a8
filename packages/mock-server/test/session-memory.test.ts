/**
 * What an open WebSocket session keeps alive: its core, journal and socket, not the upgrade request it
 * came from (headers, raw headers, URL: about 1.5 KiB a session, held for as long as it stays open);
 * and its per-session objects stay V8 "fast" objects, not hash tables (dictionary mode).
 */
import { Server } from "node:http";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createSessionLinter } from "@speechwire/protocol";
import { afterEach, describe, expect, it } from "vitest";
import type { MockServer } from "../src/index.js";
import { createSttTurnsCore, createSttV1Core, createTtsCore } from "../src/core/index.js";
import { BUILTIN_SCENARIOS } from "../src/scenario/index.js";
import { DEFAULT_JOURNAL_LIMITS, Journal } from "../src/server/journal.js";
import { connect, startTestServer, type Recorded } from "./helpers.js";

setFlagsFromString("--expose-gc");
/** A full collection (the flag above makes `gc` available to new contexts). */
const gc = runInNewContext("gc") as () => void;
setFlagsFromString("--allow-natives-syntax");
/** Whether V8 keeps `o` as a fast object (a hidden class), not a dictionary (the flag above allows the call). */
const hasFastProperties = new Function("o", "return %HasFastProperties(o)") as (o: object) => boolean;

const SESSIONS = 20;
const TURNS = "/stt/turns/websocket?model=ink-2&encoding=pcm_s16le&sample_rate=16000";

let server: MockServer | undefined;
let clients: Recorded[] = [];
const emit = Server.prototype.emit;
afterEach(async () => {
  Server.prototype.emit = emit;
  for (const c of clients) c.ws.terminate();
  clients = [];
  await server?.close();
  server = undefined;
});

describe("session memory", () => {
  it("an open session does not keep its upgrade request alive", async () => {
    const requests: WeakRef<object>[] = [];
    // Every upgrade request the mock's HTTP server hands to its upgrade listener, held weakly.
    Server.prototype.emit = function (this: Server, ...args: unknown[]) {
      if (args[0] === "upgrade") requests.push(new WeakRef(args[1] as object));
      return Reflect.apply(emit, this, args) as boolean;
    } as typeof Server.prototype.emit;
    server = await startTestServer();
    for (let i = 0; i < SESSIONS; i += 1) {
      const c = await connect(`${server.urls.ws}${TURNS}`);
      await c.waitFor(1);
      clients.push(c);
    }
    expect(requests).toHaveLength(SESSIONS);
    expect(clients.every((c) => c.ws.readyState === c.ws.OPEN)).toBe(true);
    // WeakRefs hold their target until the current job ends: collect on later turns of the loop.
    let alive = SESSIONS;
    for (let round = 0; round < 10 && alive > 0; round += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      gc();
      alive = requests.filter((r) => r.deref() !== undefined).length;
    }
    expect(alive).toBe(0);
    // The sessions are still open and working: each still answers.
    const probe = clients[SESSIONS - 1] as Recorded;
    probe.ws.send('{"type":"close"}');
    expect((await probe.closed).code).toBe(1000);
  });

  it("keeps session records and linters fast objects, live and ended (a getter made per object made each a hash table)", () => {
    const journal = new Journal(DEFAULT_JOURNAL_LIMITS);
    const open = () => journal.open({ endpoint: "stt-turns", scenario: "s", version: "2026-03-01", requestId: "r", path: "/p", query: new URLSearchParams(), headers: {} });
    const sessions = [open(), open(), open()];
    sessions[1]!.binary("client", new Uint8Array(640), 0.02);
    expect(sessions.map((s) => hasFastProperties(s.record))).toEqual([true, true, true]);
    // The live digest is still read when asked for, and is a plain object.
    expect(sessions[1]!.record.audio).toEqual({ bytes: 640, sha256: expect.stringMatching(/^[0-9a-f]{64}$/u) });
    sessions[1]!.end();
    expect(hasFastProperties(sessions[1]!.record)).toBe(true);
    expect(Object.keys(sessions[1]!.record)).toEqual([...Object.keys(sessions[0]!.record), "endedAt"]);
    const linters = [createSessionLinter("stt-turns", { strictness: "strict" }), createSessionLinter("tts", { strictness: "strict" })];
    expect(linters.map(hasFastProperties)).toEqual([true, true]);
  });

  it("keeps every endpoint's core a fast object, its getters read as before (object literals with getters were hash tables)", () => {
    const scenario = BUILTIN_SCENARIOS[0]!;
    const common = { version: "2026-03-01", requestId: "r", scenario, seed: 1, connection: 1 };
    const turns = createSttTurnsCore({ ...common, query: { model: "ink-2", encoding: "pcm_s16le", sample_rate: 16000, keyterm: ["Speechwire"] } });
    const v1 = createSttV1Core({ ...common, query: { model: "ink-whisper", encoding: "pcm_s16le", sample_rate: 16000 } });
    const tts = createTtsCore(common);
    expect(turns.open().map((o) => o.kind)).toEqual(["send"]);
    expect(v1.open()).toEqual([]);
    for (const core of [turns, v1]) core.step({ kind: "audio", data: new Uint8Array(16000) });
    expect([turns.audioSeconds, v1.audioSeconds]).toEqual([0.5, 0.5]);
    expect([turns.lists.keyterms, v1.lists.keyterms]).toEqual([["Speechwire"], []]);
    expect(turns.settings.end_threshold).toBeGreaterThan(0);
    expect([turns, v1, tts].map(hasFastProperties)).toEqual([true, true, true]);
  });
});
