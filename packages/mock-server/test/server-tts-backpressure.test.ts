/**
 * One TTS request no longer stalls or swamps the mock (issue 12 §2), on a real mock on 127.0.0.1:
 * a client that stops reading stops its generation (the mock's heap stays within a bound), other
 * sessions are served while a long text is being generated, a cancel stops a generation midway, and
 * the transcript limit answers 400 in the version's shape on every TTS route. Functional only: the
 * timeouts are generous, the bounds are far above what a bounded server uses and far below what
 * rendering the whole text at once takes.
 */
import { spawn } from "node:child_process";
import { connect as netConnect, type Socket } from "node:net";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tts } from "@speechwire/protocol";
import type { MockServer } from "../src/index.js";
import { scenarioSchema } from "../src/scenario/schema.js";
import { connect, startTestServer, TTS_REQUEST, TURNS_PATH } from "./helpers.js";

type Msg = { type: string; context_id?: string; [k: string]: unknown };

const MiB = 1024 * 1024;
/** Far above what a few chunks in flight take, far below a whole generation of `TEXT` (≥ 150 MiB of frames). */
const HEAP_BOUND = 64 * MiB;
/** 8,000 words: "word" is 280 ms of tone and each space 40 ms, so 2,560 s of audio. */
const TEXT = "word ".repeat(8000);
/** …in chunks of 100 ms (the default scenario). */
const TOTAL_CHUNKS = 25_600;

let mock: MockServer;
let limited: MockServer;
beforeAll(async () => {
  mock = await startTestServer();
  limited = await startTestServer({ maxTranscriptChars: 100 });
});
afterAll(async () => {
  await mock.close();
  await limited.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A generous deadline (the thing normally takes milliseconds): fails the test instead of hanging it. */
function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not come within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
const heapUsed = async (server: MockServer) =>
  ((await (await fetch(`${server.urls.http}/_speechwire/health`)).json()) as { memory: { heapUsed: number } }).memory.heapUsed;

/** Waits until a session's journal stops growing (the client's socket buffers are full): returns its server entries. */
async function untilStalled(server: MockServer, requestId: string): Promise<number> {
  let last = -1;
  for (;;) {
    await sleep(300);
    const record = server.sessions().find((s) => s.requestId === requestId);
    const sent = (record?.entries.filter((e) => e.dir === "server").length ?? 0) + (record?.droppedEntries ?? 0);
    if (sent > 0 && sent === last) return sent;
    last = sent;
  }
}

/** A raw HTTP/1.1 POST whose answer is not read (the socket is paused). */
async function rawPost(server: MockServer, path: string, body: string, headers: Record<string, string> = {}): Promise<Socket> {
  const { port } = new URL(server.urls.http);
  const socket = netConnect(Number(port), "127.0.0.1");
  await once(socket, "connect");
  const head = Object.entries({ host: `127.0.0.1:${port}`, "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), ...headers })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n${body}`);
  return socket;
}

describe("a client that stops reading", () => {
  it("/tts/websocket: its generation stops a few batches in (heap bounded), then goes on when it reads again", async () => {
    const before = await heapUsed(mock);
    const rec = await connect(`${mock.urls.ws}/tts/websocket`);
    const raw = (rec.ws as unknown as { _socket: Socket })._socket;
    raw.pause();
    rec.ws.send(TTS_REQUEST("long", TEXT, { continue: false }));
    const sent = await untilStalled(mock, rec.headers["cartesia-request-id"] as string);
    expect(sent).toBeLessThan(TOTAL_CHUNKS / 2);
    expect((await heapUsed(mock)) - before).toBeLessThan(HEAP_BOUND);
    // Reading again: the frames come, and a cancel (read once the output drained) ends it.
    raw.resume();
    await rec.waitUntil((m) => (m as Msg).type === "chunk");
    rec.ws.send(JSON.stringify({ context_id: "long", cancel: true }));
    await rec.waitUntil((m) => (m as Msg).type === "done");
    rec.ws.close();
  });

  it("/tts/sse: the body is rendered as the client reads (heap bounded); a client that goes away ends it", async () => {
    const before = await heapUsed(mock);
    const body = JSON.stringify({
      model_id: "sonic-3",
      transcript: TEXT,
      voice: { mode: "id", id: "v" },
      output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: 24000 },
    });
    const socket = await rawPost(mock, "/tts/sse", body);
    socket.pause();
    let requestId: string | undefined;
    while (requestId === undefined) {
      await sleep(100);
      requestId = mock.sessions().findLast((s) => s.endpoint === "tts-sse" && s.entries.some((e) => e.kind === "http"))?.requestId;
    }
    await untilStalled(mock, requestId);
    expect((await heapUsed(mock)) - before).toBeLessThan(HEAP_BOUND);
    socket.destroy();
    // The journal sees the client go (a drop entry), and the server serves on.
    while (!mock.sessions().find((s) => s.requestId === requestId)?.entries.some((e) => e.kind === "drop")) await sleep(50);
    const res = await fetch(`${mock.urls.http}/tts/sse`, { method: "POST", body: body.replace(TEXT, "Still here.") });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('"type":"done"');
    expect((await heapUsed(mock)) - before).toBeLessThan(HEAP_BOUND);
  });
});

describe("other sessions while a long text is generated", () => {
  it("a turns session gets `connected`, and another TTS context its audio, while 40,000 words stream to a reading client", async () => {
    const big = await connect(`${mock.urls.ws}/tts/websocket`);
    // The text waits in the context's buffer (no sentence end, a 5 s buffer delay) until the empty
    // `continue:false` releases all of it, right before the turns handshake starts. Rendered whole
    // before anything else ran, these 40,000 words held the process for ~40 s.
    big.ws.send(TTS_REQUEST("huge", "word ".repeat(40_000), { continue: true, max_buffer_delay_ms: 5000 }));
    const requestId = big.headers["cartesia-request-id"] as string;
    while (!mock.sessions().find((r) => r.requestId === requestId)?.entries.some((e) => e.dir === "client")) await sleep(20);
    big.ws.send(TTS_REQUEST("huge", "", { continue: false }));
    const turns = await within(10_000, connect(`${mock.urls.ws}${TURNS_PATH}`), "the turns handshake");
    const [connected] = (await within(10_000, turns.waitFor(1), "connected")) as Msg[];
    expect(connected?.type).toBe("connected");
    const other = await connect(`${mock.urls.ws}/tts/websocket`);
    other.ws.send(TTS_REQUEST("quick", "Still here.", { continue: false }));
    await within(10_000, other.waitUntil((m) => (m as Msg).type === "done"), "the other context's done");
    // All of that happened while the long one was going: it has sent audio, not all of it (128,000 chunks).
    await big.waitUntil((m) => (m as Msg).type === "chunk");
    expect((big.messages as Msg[]).some((m) => m.type === "done")).toBe(false);
    big.ws.send(JSON.stringify({ context_id: "huge", cancel: true }));
    await big.waitUntil((m) => (m as Msg).type === "done");
    for (const c of [big, turns, other]) c.ws.close();
  }, 60_000);
});

describe("cancel", () => {
  it("stops a generation midway: fewer chunks than the whole text, then done, and nothing after it", async () => {
    const rec = await connect(`${mock.urls.ws}/tts/websocket`);
    const raw = (rec.ws as unknown as { _socket: Socket })._socket;
    rec.ws.send(TTS_REQUEST("c", TEXT, { continue: false }));
    await rec.waitUntil((m) => (m as Msg).type === "chunk");
    // Hold the rest back while the cancel goes out, so it lands mid-generation on any machine.
    raw.pause();
    rec.ws.send(JSON.stringify({ context_id: "c", cancel: true }));
    await sleep(200);
    raw.resume();
    await rec.waitUntil((m) => (m as Msg).type === "done");
    await sleep(200);
    const messages = rec.messages as Msg[];
    const chunks = messages.filter((m) => m.type === "chunk").length;
    expect(chunks).toBeGreaterThan(0);
    expect(chunks).toBeLessThan(TOTAL_CHUNKS);
    expect(messages.at(-1)).toEqual({ type: "done", done: true, status_code: 206, context_id: "c" });
    rec.ws.close();
  });
});

describe("idle timeout", () => {
  it("closes an idle TTS session only after the audio of a generation still going out", async () => {
    const quick = await startTestServer({
      idleTimeouts: { tts: 150 },
      scenarios: [scenarioSchema.parse({ name: "paced", tts: { chunkMs: 100, pace: 4 } })],
    });
    try {
      const rec = await connect(`${quick.urls.ws}/s/paced/tts/websocket`);
      // 6 words: ~2 s of audio, paced at 4×: ~0.5 s, many batches of 1 s of audio, well past 150 ms.
      rec.ws.send(TTS_REQUEST("p", "word ".repeat(6), { continue: false }));
      expect(await rec.closed).toEqual({ code: 1000, reason: "connection idle timeout" });
      const messages = rec.messages as Msg[];
      expect(messages.filter((m) => m.type === "chunk")).toHaveLength(20);
      expect(messages.at(-1)?.type).toBe("done");
    } finally {
      await quick.close();
    }
  });
});

describe("the transcript limit (maxTranscriptChars)", () => {
  const over = "x".repeat(101);
  const ttsBody = (transcript: string) =>
    JSON.stringify({ model_id: "sonic-3", transcript, voice: { mode: "id", id: "v" }, output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: 24000 } });

  for (const version of ["2026-03-01", "2025-04-16"]) {
    it(`/tts/websocket at ${version}: an error event 400 on that context in the version's shape; the socket and other contexts go on`, async () => {
      const rec = await connect(`${limited.urls.ws}/tts/websocket?cartesia_version=${version}`);
      rec.ws.send(TTS_REQUEST("big", over, { continue: false }));
      const error = (await rec.waitUntil((m) => (m as Msg).type === "error")) as Msg;
      expect(tts.parseServerMessage(JSON.stringify(error), { strictness: "strict", version }).ok).toBe(true);
      expect(error).toMatchObject({ status_code: 400, context_id: "big", done: true });
      const text = String(error.message ?? error.error);
      expect(text).toMatch(/100 characters/);
      if (version === "2026-03-01") expect(error).toMatchObject({ error_code: "invalid_request", title: "Transcript too long" });
      // Text held on a context counts too: 60 + 60 is over.
      rec.ws.send(TTS_REQUEST("held", "y".repeat(60), { continue: true }));
      rec.ws.send(TTS_REQUEST("held", "y".repeat(60), { continue: true }));
      const held = (await rec.waitUntil((m) => (m as Msg).type === "error" && (m as Msg).context_id === "held")) as Msg;
      expect(held).toMatchObject({ status_code: 400 });
      rec.ws.send(TTS_REQUEST("ok", "Fine.", { continue: false }));
      await rec.waitUntil((m) => (m as Msg).type === "done" && (m as Msg).context_id === "ok");
      rec.ws.close();
    });

    it(`/tts/bytes and /tts/sse at ${version}: HTTP 400 in the version's shape, with the request-id headers`, async () => {
      for (const path of ["/tts/bytes", "/tts/sse"]) {
        const res = await fetch(`${limited.urls.http}${path}`, { method: "POST", headers: { "cartesia-version": version }, body: ttsBody(over) });
        expect(res.status).toBe(400);
        const requestId = res.headers.get("cartesia-request-id");
        expect(requestId).toBeTruthy();
        expect(res.headers.get("x-request-id")).toBe(requestId);
        if (version === "2026-03-01") {
          expect(res.headers.get("content-type")).toContain("application/json");
          const body = (await res.json()) as Record<string, unknown>;
          expect(body).toMatchObject({ error_code: "invalid_request", title: "Transcript too long", request_id: requestId });
          expect(String(body.message)).toMatch(/101 characters.*100 characters/);
        } else {
          expect(res.headers.get("content-type")).toContain("text/plain");
          expect(await res.text()).toMatch(/^Transcript too long: transcript: a transcript of 101 characters/);
        }
        const ok = await fetch(`${limited.urls.http}${path}`, { method: "POST", headers: { "cartesia-version": version }, body: ttsBody("x".repeat(100)) });
        expect(ok.status).toBe(200);
        await ok.arrayBuffer();
      }
    });
  }

  it("defaults to 500,000 characters on every route", async () => {
    const tooLong = "a ".repeat(250_000) + "b";
    const res = await fetch(`${mock.urls.http}/tts/bytes`, { method: "POST", body: ttsBody(tooLong) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/500001 characters.*500000/);
    const rec = await connect(`${mock.urls.ws}/tts/websocket`);
    rec.ws.send(TTS_REQUEST("big", tooLong, { continue: false }));
    expect(await rec.waitUntil((m) => (m as Msg).type === "error")).toMatchObject({ status_code: 400, context_id: "big" });
    rec.ws.close();
  });
});

describe("--max-transcript-chars", () => {
  /** The CLI from source with these flags: its exit code, or its URLs once listening. */
  const cli = (args: string[]) => {
    const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("../src/cli.ts", import.meta.url)), "--port", "0", "--tls-port", "off", "--json", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    const line = new Promise<string>((resolve) => createInterface({ input: child.stdout }).once("line", resolve));
    return { child, exited, line };
  };

  it("sets the limit (400 past it), and refuses 0 or a non-number with exit 2", async () => {
    const run = cli(["--max-transcript-chars", "10"]);
    const urls = JSON.parse(await run.line) as { http: string };
    const post = (transcript: string) =>
      fetch(`${urls.http}/tts/bytes`, {
        method: "POST",
        body: JSON.stringify({ model_id: "sonic-3", transcript, voice: { mode: "id", id: "v" }, output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: 8000 } }),
      });
    expect((await post("x".repeat(11))).status).toBe(400);
    const ok = await post("x".repeat(10));
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    for (const value of ["0", "many"]) expect(await cli(["--max-transcript-chars", value]).exited).toBe(2);
  }, 30_000);
});
