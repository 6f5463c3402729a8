/**
 * `speechwire-conformance probe`: the mock against itself (no drift), a target changed by a scenario
 * or by a rewriting relay (the drift table names exactly the change), the key never written out, an
 * unreachable target. Everything runs over 127.0.0.1 against real mocks.
 */
import { existsSync, readFileSync } from "node:fs";
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import * as fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { DEFAULT_VERSION } from "@speechwire/protocol";
import { startMockServer, type MockServer } from "@speechwire/mock-server";
import { ABSENT, compareShapes, type DriftReport, type DriftRow } from "../src/probe/drift.js";
import { probeRequests } from "../src/probe/requests.js";
import { DEFAULT_PROBE_VOICE } from "../src/probe/run.js";
import { sequenceOf, shapeOf, STREAMING_TYPES } from "../src/probe/shape.js";
import { runCli, SEED, RUNS, tempDir } from "./helpers.js";

/** Per-probe time limit in the tests (a probe of a healthy mock takes milliseconds). */
const TIMEOUT = ["--timeout", "5"];
const PROBE_COUNT = probeRequests({ version: DEFAULT_VERSION, voice: DEFAULT_PROBE_VOICE }).length;

/** What a relay may change in the server's direction. */
interface Rewrite {
  /** Rewrites a server text frame (parsed JSON); return it changed or as is. */
  message?: (m: Record<string, unknown>) => Record<string, unknown>;
  /** Server text frames (parsed JSON) for which this holds are not passed on. */
  drop?: (m: Record<string, unknown>) => boolean;
  /** Maps the server's close code. */
  closeCode?: (code: number) => number;
}

/** A relay in front of `upstream` (http base URL): HTTP passes through, WebSocket frames go through `rewrite`. */
async function startRelay(upstream: string, rewrite: Rewrite): Promise<{ url: string; close(): Promise<void> }> {
  const up = new URL(upstream);
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const hop = new Set(["host", "connection", "upgrade", "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-protocol"]);
  const server: Server = createServer((req, res) => {
    const forward = request({ host: up.hostname, port: up.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (!hop.has(k) && typeof v === "string") headers[k] = v;
    const upstreamWs = new WebSocket(`ws://${up.host}${req.url ?? "/"}`, { headers, perMessageDeflate: false });
    upstreamWs.on("unexpected-response", (_r, res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const body = Buffer.concat(chunks);
        socket.end(`HTTP/1.1 ${res.statusCode} Refused\r\nContent-Type: ${res.headers["content-type"] ?? "text/plain"}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.toString("latin1")}`, "latin1");
        upstreamWs.terminate();
      });
    });
    upstreamWs.on("error", () => socket.destroy());
    upstreamWs.on("open", () => {
      wss.handleUpgrade(req, socket, head, (client) => {
        upstreamWs.on("message", (data, binary) => {
          if (binary || (!rewrite.message && !rewrite.drop)) client.send(data, { binary });
          else {
            const m = JSON.parse(String(data)) as Record<string, unknown>;
            if (!rewrite.drop?.(m)) client.send(JSON.stringify(rewrite.message ? rewrite.message(m) : m));
          }
        });
        client.on("message", (data, binary) => {
          if (upstreamWs.readyState === WebSocket.OPEN) upstreamWs.send(data as Buffer, { binary });
        });
        upstreamWs.on("close", (code, reason) => {
          if (code === 1005 || code === 1006) client.terminate();
          else client.close(rewrite.closeCode?.(code) ?? code, reason);
        });
        client.on("close", (code, reason) => {
          if (upstreamWs.readyState !== WebSocket.OPEN) return;
          if (code === 1005 || code === 1006) upstreamWs.terminate();
          else upstreamWs.close(code, reason);
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Runs the probe CLI writing to a fresh folder; returns the exit code, output and the written report. */
async function probe(args: string[]): Promise<{ code: number; stdout: string; stderr: string; report: DriftReport; markdown: string; out: string }> {
  const out = tempDir("probe-");
  const r = await runCli(["probe", ...TIMEOUT, "--out", out, ...args]);
  const report = existsSync(join(out, "drift.json")) ? (JSON.parse(readFileSync(join(out, "drift.json"), "utf8")) as DriftReport) : (undefined as unknown as DriftReport);
  const markdown = existsSync(join(out, "drift.md")) ? readFileSync(join(out, "drift.md"), "utf8") : "";
  return { ...r, report, markdown, out };
}

/** Every drift row of a report. */
const rowsOf = (report: DriftReport): DriftRow[] => report.probes.flatMap((p) => p.drift);

describe("probe: a mock against the in-process mock", () => {
  let mock: MockServer;
  beforeAll(async () => {
    mock = await startMockServer({ port: 0, tlsPort: false });
  });
  afterAll(async () => {
    await mock.close();
  });

  it("finds no drift, runs every probe, exits 0 and writes drift.md and drift.json", async () => {
    const r = await probe(["--target", mock.urls.http]);
    expect(r.stderr).not.toContain("difference");
    expect(r.code).toBe(0);
    expect(r.report.drift).toBe(0);
    expect(r.report.probes).toHaveLength(PROBE_COUNT);
    expect(r.report.probes.map((p) => p.name)).toEqual(probeRequests({ version: DEFAULT_VERSION, voice: DEFAULT_PROBE_VOICE }).map((p) => p.name));
    for (const p of r.report.probes) {
      expect(Object.keys(p.target).length, p.name).toBeGreaterThan(0);
      expect(p.target, p.name).toEqual(p.reference);
      // Every probe got an answer: a status or a handshake, never a timeout or a failed connection.
      expect(p.target.status ?? p.target.handshake, p.name).toMatch(/^\d{3}$/u);
      expect(p.target.timeout, p.name).toBeUndefined();
      expect(p.target.failure, p.name).toBeUndefined();
    }
    expect(r.stdout).toContain(`No drift: all ${PROBE_COUNT} probes`);
    expect(r.markdown).toBe(r.stdout);
    expect(r.report.reference).toContain("in-process");
  });

  it("--json prints the report, and --reference takes a URL", async () => {
    const other = await startMockServer({ port: 0, tlsPort: false });
    try {
      const r = await runCli(["probe", ...TIMEOUT, "--json", "--target", mock.urls.http, "--reference", other.urls.http]);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as DriftReport;
      expect(report).toMatchObject({ drift: 0, reference: `${other.urls.http}/` });
      expect(report.probes).toHaveLength(PROBE_COUNT);
    } finally {
      await other.close();
    }
  });
});

describe("probe: a changed target", () => {
  let mock: MockServer;
  beforeAll(async () => {
    mock = await startMockServer({ port: 0, tlsPort: false });
  });
  afterAll(async () => {
    await mock.close();
  });

  it("a field renamed in turn.end: exactly that field, in exactly the probes that have a turn.end", async () => {
    const relay = await startRelay(mock.urls.http, {
      message: (m) => {
        if (m.type !== "turn.end") return m;
        const { transcript, ...rest } = m;
        return { ...rest, text: transcript };
      },
    });
    try {
      const r = await probe(["--target", relay.url]);
      expect(r.code).toBe(1);
      const withTurnEnd = r.report.probes.filter((p) => "turn.end field transcript" in p.reference).map((p) => p.name);
      expect(withTurnEnd.length).toBeGreaterThan(0);
      expect(r.report.probes.filter((p) => p.drift.length > 0).map((p) => p.name)).toEqual(withTurnEnd);
      for (const p of r.report.probes.filter((x) => x.drift.length > 0)) {
        expect(p.drift).toEqual([
          { probe: p.name, what: "turn.end field transcript", target: ABSENT, reference: "string" },
          { probe: p.name, what: "turn.end field text", target: "string", reference: ABSENT },
        ]);
      }
      expect(r.stdout).toContain(`| ${withTurnEnd[0]} | turn.end field text | string | ${ABSENT} |`);
      expect(r.markdown).toBe(r.stdout);
    } finally {
      await relay.close();
    }
  });

  it("a changed close code: only the close code rows, where the server closed with it", async () => {
    const relay = await startRelay(mock.urls.http, { closeCode: (code) => (code === 1008 ? 4008 : code) });
    try {
      const r = await probe(["--target", relay.url]);
      expect(r.code).toBe(1);
      const closing1008 = r.report.probes.filter((p) => p.reference["close code"] === "1008");
      expect(closing1008.length).toBeGreaterThan(0);
      expect(rowsOf(r.report)).toEqual(closing1008.map((p) => ({ probe: p.name, what: "close code", target: "4008", reference: "1008" })));
    } finally {
      await relay.close();
    }
  });

  it("error events swallowed: exactly the error rows, and a silent server is an answer (no timeout)", async () => {
    const relay = await startRelay(mock.urls.http, { drop: (m) => m.type === "error" });
    try {
      const r = await probe(["--target", relay.url]);
      expect(r.code).toBe(1);
      const withError = r.report.probes.filter((p) => p.reference.sequence?.split(" ").includes("error"));
      expect(withError.map((p) => p.name)).toContain("stt-turns.bad-config");
      expect(r.report.probes.filter((p) => p.drift.length > 0).map((p) => p.name)).toEqual(withError.map((p) => p.name));
      for (const p of withError) {
        const sequence = p.reference.sequence?.split(" ").filter((t) => t !== "error").join(" ") || "(none)";
        const values = Object.keys(p.reference).filter((k) => k.startsWith("error value "));
        expect(p.drift.map((d) => d.what).sort(), p.name).toEqual(["sequence", "error fields", ...values].sort());
        expect(p.drift.find((d) => d.what === "sequence"), p.name).toMatchObject({ target: sequence });
        expect(p.target.timeout, p.name).toBeUndefined();
      }
    } finally {
      await relay.close();
    }
  });

  it("a scenario that refuses every handshake with 429 (/s/rate-limit-429): every probe's status", async () => {
    const r = await probe(["--target", `${mock.urls.http}/s/rate-limit-429`]);
    expect(r.code).toBe(1);
    expect(r.report.sttAudio).toContain("pattern noise");
    expect(r.report.probes).toHaveLength(PROBE_COUNT);
    for (const p of r.report.probes) {
      const status = p.drift.find((d) => d.what === "handshake" || d.what === "status");
      expect(status, p.name).toMatchObject({ target: "429" });
      expect(status?.reference, p.name).not.toBe("429");
      // A refused handshake has no messages and no close: those aspects are absent on the target side.
      for (const d of p.drift.filter((x) => x.what === "sequence" || x.what === "close code")) expect(d.target, `${p.name} ${d.what}`).toBe(ABSENT);
    }
    const refused = r.report.probes.find((p) => p.name === "tts.context");
    expect(refused?.target["handshake body value status_code"] ?? refused?.target["handshake body value title"]).toBeDefined();
  });
});

describe("probe: the API key", () => {
  const KEY = "sk_car_probe_SECRET_9f3a7c1e5b";
  let strict: MockServer;
  beforeAll(async () => {
    strict = await startMockServer({ port: 0, tlsPort: false, auth: "strict", apiKeys: [KEY] });
  });
  afterAll(async () => {
    await strict.close();
  });

  it("is read from CARTESIA_API_KEY, sent (a strict mock lets every probe through) and never written out", async () => {
    const saved = process.env.CARTESIA_API_KEY;
    process.env.CARTESIA_API_KEY = KEY;
    try {
      const r = await probe(["--target", strict.urls.http]);
      expect(r.code).toBe(0);
      for (const text of [r.stdout, r.stderr, r.markdown, readFileSync(join(r.out, "drift.json"), "utf8")]) {
        expect(text.length).toBeGreaterThan(0);
        expect(text).not.toContain(KEY);
        expect(text).not.toContain("SECRET_9f3a");
      }
    } finally {
      if (saved === undefined) delete process.env.CARTESIA_API_KEY;
      else process.env.CARTESIA_API_KEY = saved;
    }
  });

  it("a wrong --api-key: drift on every probe (401), and neither key is written out", async () => {
    const wrong = "sk_car_probe_WRONG_1d2e3f4a5b";
    const r = await probe(["--api-key", wrong, "--target", strict.urls.http]);
    expect(r.code).toBe(1);
    for (const p of r.report.probes) expect(p.drift.find((d) => d.what === "handshake" || d.what === "status"), p.name).toMatchObject({ target: "401" });
    for (const text of [r.stdout, r.stderr, r.markdown, readFileSync(join(r.out, "drift.json"), "utf8")]) {
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(KEY);
    }
  });
});

describe("probe: usage and unreachable targets", () => {
  it("an unreachable target exits 2 and says so", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const r = await runCli(["probe", ...TIMEOUT, "--target", `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`the target http://127.0.0.1:${port}/ is unreachable (ECONNREFUSED); nothing was compared`);
    expect(r.stdout).toBe("");
  });

  it("the README's table of the fixed set lists every probe, in order", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("### The fixed set"), readme.indexOf("### Reading the table"));
    const listed = [...section.matchAll(/^\| `([a-z0-9.-]+)` \|/gmu)].map((m) => m[1]);
    expect(listed).toEqual(probeRequests({ version: DEFAULT_VERSION, voice: DEFAULT_PROBE_VOICE }).map((p) => p.name));
  });

  it("bad usage exits 2 with a clear message; --help lists probe", async () => {
    expect(await runCli(["probe"])).toMatchObject({ code: 2, stderr: expect.stringContaining("probe needs --target") });
    expect(await runCli(["probe", "--target", "ftp://127.0.0.1/"])).toMatchObject({ code: 2, stderr: expect.stringContaining("http:// or https://") });
    expect(await runCli(["probe", "--target", "http://127.0.0.1:1/?api_key=sk_car_x1234"])).toMatchObject({ code: 2, stderr: expect.not.stringContaining("sk_car_x1234") });
    expect(await runCli(["probe", "--target", "http://user:sk_car_x1234@127.0.0.1:1/"])).toMatchObject({ code: 2, stderr: expect.stringContaining("must not carry credentials") });
    expect((await runCli(["probe", "--target", "http://user:sk_car_x1234@127.0.0.1:1/"])).stderr).not.toContain("sk_car_x1234");
    expect(await runCli(["probe", "--target", "http://127.0.0.1:1", "--timeout", "0"])).toMatchObject({ code: 2, stderr: expect.stringContaining("--timeout") });
    expect(await runCli(["probe", "--target", "http://127.0.0.1:1", "--version", "latest"])).toMatchObject({ code: 2, stderr: expect.stringContaining("--version") });
    const help = await runCli(["--help"]);
    expect(help.stdout).toContain("speechwire-conformance probe --target");
    expect(help.stdout).toContain("speechwire-conformance server");
  });
});

describe("probe: shapes", () => {
  const streaming = [...STREAMING_TYPES].filter((t) => !t.startsWith("<"));
  const tokenArb = fc.oneof(fc.constantFrom(...streaming), fc.constantFrom("connected", "turn.start", "turn.end", "flush_done", "done", "error"));

  it("a sequence does not depend on how many streaming messages came", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(tokenArb, fc.integer({ min: 1, max: 4 })), { maxLength: 12 }), (runs) => {
        const once = runs.map(([t]) => t);
        const repeated = runs.flatMap(([t, n]) => (STREAMING_TYPES.has(t) ? Array<string>(n).fill(t) : [t]));
        expect(sequenceOf(repeated)).toBe(sequenceOf(once));
      }),
      { numRuns: RUNS * 20, seed: SEED },
    );
  });

  it("keeps no value but the error fields', and a shape never drifts from itself", () => {
    const marker = fc.string({ minLength: 1, maxLength: 8 }).map((s) => `MARK${s}`);
    fc.assert(
      fc.property(marker, fc.constantFrom("transcript", "turn.end", "chunk", "error", "done"), fc.integer({ min: 1000, max: 4999 }), (mark, type, code) => {
        const message = JSON.stringify({ type, transcript: mark, text: mark, request_id: mark, data: mark, words: [{ word: mark, start: 0.1, end: 0.2 }], message: mark, error_code: "model_not_found", status_code: 400 });
        const shape = shapeOf({ kind: "ws", handshake: { status: 101 }, messages: [message], close: { code, reason: "" }, timedOut: false });
        expect(Object.values(shape).some((v) => v.includes(mark))).toBe(false);
        expect(shape[`${type} field words[].start`]).toBe("number");
        if (type === "error") expect(shape["error value error_code"]).toBe('"model_not_found"');
        else expect(shape[`${type} value error_code`]).toBeUndefined();
        expect(compareShapes("p", shape, { ...shape })).toEqual([]);
      }),
      { numRuns: RUNS * 20, seed: SEED },
    );
  });

  it("a message type only one side has is one row listing its fields; a shared type gets a row per field", () => {
    const reference = { sequence: "connected turn.end", "connected field type": "string", "turn.end field transcript": "string", "turn.end field type": "string" };
    const target = { sequence: "connected turn.end error", "connected field type": "string", "turn.end field text": "string", "turn.end field type": "string", "error field type": "string", "error field title": "string", "error value title": '"Bad"' };
    expect(compareShapes("p", target, reference)).toEqual([
      { probe: "p", what: "sequence", target: "connected turn.end error", reference: "connected turn.end" },
      { probe: "p", what: "turn.end field transcript", target: ABSENT, reference: "string" },
      { probe: "p", what: "turn.end field text", target: "string", reference: ABSENT },
      { probe: "p", what: "error fields", target: "type: string, title: string", reference: ABSENT },
      { probe: "p", what: "error value title", target: '"Bad"', reference: ABSENT },
    ]);
  });
});
