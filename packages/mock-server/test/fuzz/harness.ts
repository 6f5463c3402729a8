/**
 * Runs fuzz cases against a mock child and turns what happened into findings: the case's own answer
 * (through the oracle), the process's liveness and stderr, and a reference session run alongside that
 * must get exactly the frames it got alone. Shared by the bounded suites and the long-run CLI.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { bytesPerSample, type Encoding } from "@speechwire/protocol";
import {
  frameCaseHandshake,
  frameCaseSteps,
  renderRequest,
  STRICT_KEY,
  WS_PATH_OF,
  type AbuseCase,
  type FrameCase,
  type RequestCase,
  type SessionCase,
  type WsEndpoint,
} from "./generators.js";
import { MockProcess, Supervisor, type MockProcessOptions } from "./mock-process.js";
import { describeRequest, httpProblems, problemKind, SECRET_MARKER, wsProblems, type FindingKind, type Mode } from "./oracle.js";
import { converse, encodeFrame, exchange, OPCODE, renderHead, WS_KEY, type Exchange, type WsStep } from "./wire.js";

/** Something wrong that one case caused. */
export interface Finding {
  kind: FindingKind;
  detail: string;
}

/** A case of any family. */
export type FuzzCase =
  | { family: "request"; c: RequestCase }
  /** Requests one after another on one process: what leaks per request shows after enough of them. */
  | { family: "requests"; c: RequestCase[] }
  | { family: "frames"; c: FrameCase }
  | { family: "session"; c: SessionCase }
  | { family: "abuse"; c: AbuseCase };

/** fast-check options: FC_NUM_RUNS and FC_SEED replay a failure (fast-check prints the seed), as in the other property tests. */
export function fcOptions(numRuns: number): fc.Parameters<unknown> {
  return {
    numRuns: Number(process.env.FC_NUM_RUNS ?? numRuns),
    ...(process.env.FC_SEED !== undefined ? { seed: Number(process.env.FC_SEED) } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// The reference session
// ---------------------------------------------------------------------------------------------

const upgradeHead = (target: string) =>
  renderHead("GET", target, [
    ["Host", "127.0.0.1"],
    ["Upgrade", "websocket"],
    ["Connection", "Upgrade"],
    ["Sec-WebSocket-Key", WS_KEY],
    ["Sec-WebSocket-Version", "13"],
  ]);

/** Opens a WebSocket on a raw socket and runs steps; a refused handshake comes back as `refused`. */
async function wsSession(port: number, head: Buffer, steps: WsStep[], finalClose = true) {
  const ex = await exchange(port, [{ write: head }]);
  if (!ex.upgraded) return { ex, refused: true as const };
  const t = await converse(ex.upgraded.socket, ex.upgraded.rest, steps, { finalClose });
  return { ex, refused: false as const, t, requestId: ex.answer?.headers["cartesia-request-id"] ?? "" };
}

const REF_AUDIO_BYTES = 16000 * 2 * 8;
/** The reference's text frames, with its own request id replaced (ids come from one seeded sequence per process). */
export interface ReferenceFrames {
  turns: string[];
  tts: string[];
}

/**
 * The reference: a turns session streaming 8 s of audio through the default scenario (its two turns),
 * then `{"type":"close"}`; and a TTS context with a fixed transcript until `done`. Both at once.
 */
export async function runReference(port: number, credentials = ""): Promise<ReferenceFrames | string> {
  const audio: WsStep[] = [];
  for (let i = 0; i < REF_AUDIO_BYTES; i += 3200) audio.push({ send: encodeFrame({ opcode: OPCODE.binary, payload: Buffer.alloc(3200) }) });
  audio.push({ send: encodeFrame({ opcode: OPCODE.text, payload: Buffer.from('{"type":"close"}') }) });
  const request = JSON.stringify({
    model_id: "sonic-3",
    transcript: "The reference speaks: a quick brown fox jumps over the lazy dog.",
    voice: { mode: "id", id: "6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81" },
    output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: 24000 },
    context_id: "reference",
    continue: false,
    add_timestamps: true,
  });
  const auth = credentials === "" ? "" : `&${credentials}`;
  const [turns, speech] = await Promise.all([
    wsSession(port, upgradeHead(`/stt/turns/websocket?model=ink-2&encoding=pcm_s16le&sample_rate=16000${auth}`), audio, false),
    wsSession(port, upgradeHead(`/tts/websocket?cartesia_version=2026-03-01${auth}`), [{ send: encodeFrame({ opcode: OPCODE.text, payload: Buffer.from(request) }) }, { waitText: (t) => t.includes('"type":"done"') }]),
  ]);
  if (turns.refused) return `reference turns handshake refused: ${turns.ex.answer?.status ?? "no answer"}`;
  if (speech.refused) return `reference TTS handshake refused: ${speech.ex.answer?.status ?? "no answer"}`;
  if (turns.t.timedOut || speech.t.timedOut) return "reference session did not finish within the timeout (hang)";
  const normalize = (texts: string[], id: string) => texts.map((t) => (id === "" ? t : t.split(id).join("<request-id>")));
  return { turns: normalize(turns.t.texts, turns.requestId), tts: normalize(speech.t.texts, speech.requestId) };
}

/** How a reference run differs from the baseline ("" when identical). */
function referenceDiff(base: ReferenceFrames, got: ReferenceFrames | string): string {
  if (typeof got === "string") return got;
  for (const key of ["turns", "tts"] as const) {
    const a = base[key];
    const b = got[key];
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i += 1) {
      if (a[i] !== b[i]) return `reference ${key} frame ${i} differs from the run alone: expected ${a[i]?.slice(0, 160)} got ${b[i]?.slice(0, 160)}`;
    }
  }
  return "";
}

// ---------------------------------------------------------------------------------------------
// The target
// ---------------------------------------------------------------------------------------------

/** A playground folder for traversal tests, with a secret file beside it and symbolic links. */
export function makePlayground(): { dir: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), "speechwire-fuzz-"));
  const dir = join(root, "site");
  mkdirSync(join(dir, "assets"), { recursive: true });
  writeFileSync(join(dir, "index.html"), "<!doctype html><title>fuzz</title>");
  writeFileSync(join(dir, "assets", "app.js"), "console.log('fuzz');");
  writeFileSync(join(root, "secret.txt"), SECRET_MARKER);
  symlinkSync(join(root, "secret.txt"), join(dir, "link-out"));
  symlinkSync(join(dir, "index.html"), join(dir, "link-in"));
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Options of a fuzz target. */
export interface TargetOptions {
  mode?: Mode;
  playgroundDir?: string;
  gcHook?: boolean;
  /** Run the reference session alongside every case (default true). */
  reference?: boolean;
}

/** A supervised mock of one configuration, with its reference baseline and a minted token per child. */
export class FuzzTarget {
  readonly mode: Mode;
  readonly sup: Supervisor;
  #baseline: ReferenceFrames | undefined;
  readonly #tokens = new WeakMap<MockProcess, string>();
  readonly #reference: boolean;

  constructor(readonly options: TargetOptions = {}) {
    this.mode = options.mode ?? "open";
    const args = [...(this.mode === "strict" ? ["--auth", "strict", "--api-key", STRICT_KEY] : []), ...(options.playgroundDir ? ["--playground", options.playgroundDir] : ["--no-playground"])];
    const processOptions: MockProcessOptions = { args, gcHook: options.gcHook ?? false };
    this.sup = new Supervisor(processOptions);
    this.#reference = options.reference ?? true;
  }

  /** Credentials of the reference session (strict mode needs the key). */
  get #refAuth(): string {
    return this.mode === "strict" ? `api_key=${STRICT_KEY}` : "";
  }

  /** A clean mock and the token it minted (for `MINTED_TOKEN`). Captures the reference baseline on first use. */
  async ready(): Promise<{ mock: MockProcess; token: string }> {
    const mock = await this.sup.ready();
    let token = this.#tokens.get(mock);
    if (token === undefined) {
      token = await mint(mock.port, this.mode);
      this.#tokens.set(mock, token);
    }
    if (this.#reference && this.#baseline === undefined) {
      const base = await runReference(mock.port, this.#refAuth);
      if (typeof base === "string") throw new Error(`the reference session fails alone: ${base}`);
      this.#baseline = base;
    }
    return { mock, token };
  }

  /** Runs one case with the reference alongside, then checks liveness and stderr. */
  async run(c: FuzzCase): Promise<Finding[]> {
    const { mock, token } = await this.ready();
    const [problems, reference] = await Promise.all([
      exercise(mock.port, token, c, this),
      this.#reference ? runReference(mock.port, this.#refAuth) : Promise.resolve(undefined),
    ]);
    const findings: Finding[] = [];
    if (!(await probe(mock))) {
      const stderr = mock.stderrLines().filter((l) => l.trim() !== "");
      const exit = mock.exit ? `exit code ${mock.exit.code}${mock.exit.signal ? ` signal ${mock.exit.signal}` : ""}` : "alive but not answering";
      return [{ kind: "crash", detail: `the mock died (${exit}): ${errorLine(stderr)}` }];
    }
    const stderr = mock.stderrLines().filter((l) => l.trim() !== "");
    if (stderr.length > 0) findings.push({ kind: "stderr", detail: `stderr: ${errorLine(stderr)}` });
    for (const p of problems) findings.push({ kind: problemKind(p), detail: p });
    if (reference !== undefined && this.#baseline) {
      const diff = referenceDiff(this.#baseline, reference);
      if (diff !== "") findings.push({ kind: diff.includes("(hang)") ? "hang" : "reference", detail: diff });
    }
    return findings;
  }

  /** Stops the mock. */
  stop(): Promise<void> {
    return this.sup.stop();
  }
}

/** The most telling stderr line: the error's name and message, else the first line. */
function errorLine(lines: string[]): string {
  const error = lines.find((l) => /^\w*(Error|Warning)\b|Error:|Warning:|ERR_/.test(l.trim()));
  return (error ?? lines[0] ?? "(nothing on stderr)").trim().slice(0, 300);
}

/** Mints a token (grants tts+stt) with the key the mode needs. */
async function mint(port: number, mode: Mode): Promise<string> {
  const body = JSON.stringify({ grants: { tts: true, stt: true }, expires_in: 3600 });
  const ex = await exchange(port, [
    {
      write: Buffer.concat([
        renderHead("POST", "/access-token", [["Host", "127.0.0.1"], ["Content-Type", "application/json"], ["Content-Length", String(body.length)], ...(mode === "strict" ? ([["Authorization", `Bearer ${STRICT_KEY}`]] as [string, string][]) : [])]),
        Buffer.from(body),
      ]),
    },
  ]);
  const token = ex.answer?.status === 200 ? (JSON.parse(ex.answer.body.toString("utf8")) as { token?: string }).token : undefined;
  if (!token) throw new Error(`minting a token failed: ${ex.answer?.status} ${ex.answer?.body.toString("utf8")}`);
  return token;
}

/** Whether the mock still answers (a health request within 5 s); waits for the exit of a dying one. */
async function probe(mock: MockProcess): Promise<boolean> {
  if (!mock.alive) return false;
  const ex = await exchange(mock.port, [{ write: renderHead("GET", "/_speechwire/health", [["Host", "127.0.0.1"]]) }], { timeoutMs: 5000 });
  if (ex.answer) return true;
  await Promise.race([mock.exited, new Promise((r) => setTimeout(r, 2000))]);
  return false;
}

// ---------------------------------------------------------------------------------------------
// Exercising a case
// ---------------------------------------------------------------------------------------------

/** Runs a case against `port`; returns the oracle's problems. */
async function exercise(port: number, token: string, c: FuzzCase, target: FuzzTarget): Promise<string[]> {
  switch (c.family) {
    case "request":
      return exerciseRequest(port, token, c.c, target);
    case "requests": {
      const problems = new Set<string>();
      for (const r of c.c) for (const p of await exerciseRequest(port, token, r, target)) problems.add(p);
      return [...problems];
    }
    case "frames":
      return exerciseFrames(port, c.c, target.mode === "strict" ? `api_key=${STRICT_KEY}` : "");
    case "session":
      return exerciseSession(port, c.c, target.mode === "strict" ? `api_key=${STRICT_KEY}` : "");
    case "abuse":
      return exerciseAbuse(port, c.c);
  }
}

const ENDPOINT_OF_ROUTE: Record<string, WsEndpoint> = Object.fromEntries(Object.entries(WS_PATH_OF).map(([k, v]) => [v, k as WsEndpoint]));

async function exerciseRequest(port: number, token: string, c: RequestCase, target: FuzzTarget): Promise<string[]> {
  const meta = describeRequest(c, token);
  const ex = await exchange(port, renderRequest(c, token), { headRequest: c.method === "HEAD" });
  const problems = httpProblems(meta, ex, { mode: target.mode, playground: target.options.playgroundDir !== undefined });
  if (ex.upgraded) {
    const endpoint = ENDPOINT_OF_ROUTE[meta.route ?? ""] ?? "stt-turns";
    const t = await converse(ex.upgraded.socket, ex.upgraded.rest, []);
    problems.push(...wsProblems(t, { endpoint, version: meta.version, scriptedServerError: meta.scenario === "error-mid-turn" }));
  }
  return problems;
}

async function exerciseFrames(port: number, c: FrameCase, auth: string): Promise<string[]> {
  const session = await wsSession(port, frameCaseHandshake(c, auth), frameCaseSteps(c));
  if (session.refused) return [`the valid handshake was refused: ${describeExchange(session.ex)}`];
  const clientCloseCodes = c.frames.flatMap((f) => (f.t === "close" ? [f.code] : []));
  return wsProblems(session.t, { endpoint: c.endpoint, version: c.version, clientCloseCodes, scriptedServerError: c.prefix === "/s/error-mid-turn" });
}

function describeExchange(ex: Exchange): string {
  if (ex.timedOut) return "no answer (hang)";
  if (!ex.answer) return "connection closed without an answer";
  return `${ex.answer.status} ${ex.answer.body.toString("utf8").slice(0, 200)}`;
}

/** Valid full sessions: each must succeed, not only stay well-formed. */
async function exerciseSession(port: number, c: SessionCase, auth: string): Promise<string[]> {
  const a = auth === "" ? "" : `&${auth}`;
  if (c.endpoint === "tts-bytes" || c.endpoint === "tts-sse") {
    const path = c.endpoint === "tts-bytes" ? "/tts/bytes" : "/tts/sse";
    const body = Buffer.from(c.body, "utf8");
    const req: RequestCase = {
      method: "POST",
      target: `${path}?cartesia_version=${c.version}${a}`,
      httpVersion: "HTTP/1.1",
      headers: [["Host", "127.0.0.1"], ["Content-Type", "application/json"], ["Content-Length", String(body.length)]],
      body: [body.toString("latin1")],
      pauseMs: 0,
      end: "keep",
    };
    const ex = await exchange(port, renderRequest(req, ""));
    const problems = httpProblems(describeRequest(req, ""), ex, { mode: "open" });
    if (ex.answer?.status !== 200) problems.push(`a valid ${path} request was not answered 200: ${describeExchange(ex)}`);
    return problems;
  }
  const endpoint: WsEndpoint = c.endpoint;
  const query = c.endpoint === "tts" ? "" : `${c.query}&`;
  const head = upgradeHead(`${WS_PATH_OF[endpoint]}?${query}cartesia_version=${c.version}${a}`);
  const steps: WsStep[] = [];
  const text = (s: string) => ({ send: encodeFrame({ opcode: OPCODE.text, payload: Buffer.from(s, "utf8") }) });
  if (c.endpoint === "tts") {
    for (const r of c.requests) steps.push(text(r));
    const contexts = c.requests.map((_, i) => `fuzz-${i}`);
    const finished = new Set<string>();
    steps.push({
      waitText: (t) => {
        const m = /"type":"(done|error)".*"context_id":"(fuzz-\d+)"|"context_id":"(fuzz-\d+)".*"type":"(done|error)"/.exec(t);
        const id = m?.[2] ?? m?.[3];
        if (id) finished.add(id);
        return contexts.every((x) => finished.has(x));
      },
    });
  } else {
    const q = new URLSearchParams(c.query);
    const bytesPerSecond = Number(q.get("sample_rate")) * bytesPerSample(q.get("encoding") as Encoding);
    // At most 2 MB of audio however high the generated sample rate.
    const total = Math.min(2_000_000, Math.floor(c.audioSeconds * bytesPerSecond));
    if (c.endpoint === "stt-turns" && c.config !== undefined) steps.push(text(c.config));
    let frames = 0;
    for (let at = 0; at < total; at += c.chunkBytes) {
      steps.push({ send: encodeFrame({ opcode: OPCODE.binary, payload: Buffer.alloc(Math.min(c.chunkBytes, total - at)) }) });
      frames += 1;
      if (c.endpoint === "stt-v1" && c.finalizeEvery > 0 && frames % (c.finalizeEvery * 10) === 0) steps.push(text("finalize"));
    }
    steps.push(text(c.endpoint === "stt-turns" ? '{"type":"close"}' : "done"));
  }
  const session = await wsSession(port, head, steps, c.endpoint === "tts");
  if (session.refused) return [`a valid session's handshake was refused: ${describeExchange(session.ex)}`];
  const problems = wsProblems(session.t, { endpoint, version: c.version });
  if (c.endpoint !== "tts" && session.t.close?.code !== 1000) problems.push(`a valid ${endpoint} session did not end with close 1000: ${JSON.stringify(session.t.close)} last ${session.t.texts.at(-1)?.slice(0, 160)}`);
  if (c.endpoint === "stt-v1" && !session.t.texts.some((t) => t.includes('"type":"done"'))) problems.push("a valid stt-v1 session ended without done");
  return problems;
}

/** Abusive clients: their own exchange must end, and the reference alongside is what judges them. */
async function exerciseAbuse(port: number, c: AbuseCase): Promise<string[]> {
  const { connect } = await import("node:net");
  const open = () =>
    new Promise<import("node:net").Socket>((resolve) => {
      const s = connect({ host: "127.0.0.1", port }, () => resolve(s));
      s.on("error", () => resolve(s));
    });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  switch (c.kind) {
    case "idle-sockets": {
      const sockets = await Promise.all(Array.from({ length: c.count }, open));
      if (c.partialHead) for (const s of sockets) s.write("GET /stt/turns/websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      await sleep(c.holdMs);
      for (const s of sockets) s.destroy();
      return [];
    }
    case "non-reading": {
      const ex = await exchange(port, [{ write: upgradeHead("/tts/websocket") }]);
      if (!ex.upgraded) return [`TTS handshake refused: ${describeExchange(ex)}`];
      const socket = ex.upgraded.socket;
      socket.pause();
      const transcript = Array.from({ length: c.words }, (_, i) => `word${i}`).join(" ");
      const request = JSON.stringify({ model_id: "sonic-3", transcript, voice: { mode: "id", id: "a" }, output_format: { container: "raw", encoding: "pcm_f32le", sample_rate: 48000 }, context_id: "hog", continue: false });
      socket.write(encodeFrame({ opcode: OPCODE.text, payload: Buffer.from(request) }));
      await sleep(c.holdMs);
      socket.destroy();
      return [];
    }
    case "half-close-after-upgrade": {
      const s = await wsSession(port, frameCaseHandshake({ endpoint: c.endpoint, version: "2026-03-01", prefix: "" }), [{ end: "half-close" }]);
      if (s.refused) return [`handshake refused: ${describeExchange(s.ex)}`];
      return s.t.timedOut ? ["the server did not end a half-closed session (hang)"] : [];
    }
    case "ping-flood": {
      const ping = encodeFrame({ opcode: OPCODE.ping, payload: Buffer.from("flood") });
      const s = await wsSession(port, frameCaseHandshake({ endpoint: c.endpoint, version: "2026-03-01", prefix: "" }), [{ send: Buffer.concat(Array.from({ length: c.count }, () => ping)) }]);
      if (s.refused) return [`handshake refused: ${describeExchange(s.ex)}`];
      const problems = wsProblems(s.t, { endpoint: c.endpoint, version: "2026-03-01" });
      // ws answers every ping, or cuts a client with more than 60 pongs pending (its flood guard): both are fine.
      if (s.t.pongs !== c.count && !(s.t.ended && s.t.close === undefined)) problems.push(`${c.count} pings got ${s.t.pongs} pongs and the connection stayed`);
      return problems;
    }
    case "many-sessions": {
      const runs = await Promise.all(Array.from({ length: c.count }, () => wsSession(port, frameCaseHandshake({ endpoint: c.endpoint, version: "2026-03-01", prefix: "" }), [])));
      return runs.flatMap((s) => (s.refused ? [`handshake refused: ${describeExchange(s.ex)}`] : wsProblems(s.t, { endpoint: c.endpoint, version: "2026-03-01" })));
    }
  }
}

/** Formats findings for an assertion message. */
export function formatFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `[${f.kind}] ${f.detail}`).join("\n");
}

/**
 * A fast-check property over a case family: runs each case on the target and fails with the findings.
 * Findings of the same kinds as `expect` only are also failures: nothing is waved through.
 */
export function caseProperty<T>(target: FuzzTarget, arb: fc.Arbitrary<T>, wrap: (c: T) => FuzzCase): fc.IAsyncPropertyWithHooks<[T]> {
  return fc.asyncProperty(arb, async (c) => {
    const findings = await target.run(wrap(c));
    if (findings.length > 0) throw new Error(formatFindings(findings));
  });
}
