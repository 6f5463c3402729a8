/**
 * The WebSocket edge: validates the handshake (path, version, scenario, auth, query), binds a sans-IO
 * core to the socket, sends its outputs when due (each output's delay counts from when it was
 * produced; order is kept per lane, see `OutputSchedule`), runs its timers and the idle timeout,
 * journals every frame, and bounds memory when a client stops reading.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import {
  headerValue,
  refuseModel,
  type ModelRefusal,
  sttTurns,
  sttV1,
  toErrorEvent,
  tts,
  type ErrorShape,
  type GrammarEndpoint,
} from "@speechwire/protocol";
import { createSttTurnsCore, createSttV1Core } from "../core/stt/index.js";
import { createTtsCore } from "../core/tts/index.js";
import { OutputSchedule } from "../core/schedule.js";
import type { CoreOutput, SessionCore } from "../core/types.js";
import type { ServerContext } from "./context.js";
import type { SessionJournal } from "./journal.js";
import { handshakeRefusal } from "./handshake.js";
import { readRequestHead, type RequestHead } from "./request-target.js";
import { requestLogRecord, type LogRecord } from "./log.js";
import { refuseUpgrade, requestIdHeaders, type HttpError } from "./respond.js";
import { requestedScenario, SCENARIO_HEADER, scenarioRefusal } from "./scenarios.js";

const ENDPOINT_BY_PATH: Record<string, GrammarEndpoint> = {
  [sttV1.PATH]: "stt-v1",
  [sttTurns.PATH]: "stt-turns",
  [tts.PATH]: "tts",
};

/** Close codes the mock uses (the real ones are undocumented, PROTOCOL.md §11). */
export const CLOSE = { normal: 1000, goingAway: 1001, policy: 1008, tooBig: 1009, internal: 1011 } as const;

/** The idle close's reason, with code 1000: what pipecat#1818 and cartesia-python#39 log from the real TTS socket. */
export const IDLE_CLOSE_REASON = "connection idle timeout";

/** Pause reading a client once this much is waiting to be sent to it. */
const HIGH_WATER_BYTES = 8 * 1024 * 1024;
/**
 * Pull a lane's next batch (a TTS generation's next chunks) only while less than this waits to be
 * sent: a client that stops reading stops its generation a batch or so later.
 */
const LOW_WATER_BYTES = 128 * 1024;

/**
 * Pulls (a chunk or so each, see the TTS core's batches) made in one turn of the event loop, at most,
 * and for at most this long: then the socket's input is read before more, so a request that arrives
 * while other contexts stream gets its first chunk within about a turn.
 */
const PULLS_PER_TURN = 32;
const PULL_TURN_MS = 1;

/** Every open session, so shutdown can close them with 1001. */
export type OpenSessions = Set<WebSocket>;

/** Creates the upgrade handler for both the plain and the TLS server. */
export function createUpgradeHandler(ctx: ServerContext, open: OpenSessions, log?: (record: LogRecord) => void) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: ctx.maxFrameBytes, perMessageDeflate: false });
  // One listener for every upgrade: one added per request stayed behind whenever ws refused it.
  const requestIds = new WeakMap<IncomingMessage, string>();
  wss.on("headers", (headers: string[], request: IncomingMessage) => {
    const requestId = requestIds.get(request);
    if (requestId !== undefined) for (const [k, v] of Object.entries(requestIdHeaders(requestId))) headers.push(`${k}: ${v}`);
  });
  // Sockets given to ws: past that point a failure cannot be answered with a status any more.
  const handedOver = new WeakSet<Duplex>();
  // Made here, not in the upgrade's callback: a listener made there would keep that scope, with the
  // request (its headers, raw headers and URL), alive as long as the session.
  const track = (ws: WebSocket) => {
    open.add(ws);
    ws.on("close", () => open.delete(ws));
  };
  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer, requestId: string, { target, versionResult, version, shape }: RequestHead) => {
    // A refused handshake opens no session: the log hears of it here (a session's line comes from its journal).
    const refuse = (error: HttpError, headers?: Record<string, string>, scenario?: string) => {
      refuseUpgrade(socket, error, shape, requestId, headers);
      const path = target.ok ? target.url.pathname : ((req.url ?? "").split("?")[0] ?? "");
      log?.(requestLogRecord({ route: "websocket", method: req.method ?? "GET", path, status: error.status, durationMs: 0, requestId, ...(scenario !== undefined ? { scenario } : {}) }));
    };
    if (!target.ok) {
      refuse({ status: 400, code: "invalid_request", title: "Invalid request target", message: target.message });
      return;
    }
    const { url, routed } = target;
    const endpoint = ENDPOINT_BY_PATH[routed.path];
    if (!endpoint) {
      refuse({ status: 404, code: "not_found", title: "Not found", message: `No WebSocket endpoint at ${url.pathname}.` });
      return;
    }
    const refusal = handshakeRefusal(req);
    if (refusal) {
      refuse(refusal.error, refusal.headers);
      return;
    }
    if (!versionResult.ok) {
      refuse({ status: 400, code: "invalid_version", title: "Invalid version", message: versionResult.error.message });
      return;
    }
    const scenarioName = requestedScenario(routed, url.searchParams, headerValue(req.headers, SCENARIO_HEADER)) ?? ctx.registry.defaultName;
    const scenario = ctx.registry.get(scenarioName);
    if (!scenario) {
      const names = ctx.registry.list().map((s) => s.name).join(", ");
      refuse({ status: 404, code: "scenario_not_found", title: "Scenario not found", message: `No scenario "${scenarioName}" (known: ${names}).` });
      return;
    }
    const scripted = scenarioRefusal(scenario, "handshake");
    if (scripted) {
      refuse(scripted, undefined, scenario.name);
      return;
    }
    const authFailure = ctx.auth.check(routed.path, req.headers, url.searchParams);
    if (authFailure) {
      refuse({ ...authFailure, code: authFailure.status === 403 ? "forbidden" : "unauthorized" }, undefined, scenario.name);
      return;
    }
    const connection = ctx.registry.nextConnection(scenario.name);
    requestIds.set(req, requestId);
    handedOver.add(socket);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const journal = ctx.journal.open({
        endpoint,
        scenario: scenario.name,
        version,
        requestId,
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
      });
      const seed = ctx.seed;
      let core: SessionCore | undefined;
      let queryError: string | undefined;
      let modelRefusal: ModelRefusal | undefined;
      if (endpoint === "tts") {
        core = createTtsCore({ version, requestId, scenario, seed, connection, maxTranscriptChars: ctx.maxTranscriptChars });
      } else {
        const parse = endpoint === "stt-v1" ? sttV1.parseQuery : sttTurns.parseQuery;
        const query = parse(endpoint === "stt-turns" ? turnsModelAsInk2(url.searchParams) : url.searchParams, { strictness: "validating", version });
        if (query.ok) {
          core =
            endpoint === "stt-v1"
              ? createSttV1Core({ query: query.value as sttV1.Query, version, requestId, scenario, seed, connection })
              : createSttTurnsCore({ query: query.value as sttTurns.Query, version, requestId, scenario, seed, connection });
        } else {
          queryError = query.error.message;
          // A sunset or unknown model gets its own documented error (update D8, D15).
          const model = url.searchParams.get("model");
          if (model !== null && query.error.issues.some((i) => i.path === "model")) modelRefusal = refuseModel(endpoint, model);
        }
      }
      const session = new WsSession(ws, journal, endpoint, shape, ctx, core);
      track(ws);
      if (!core) {
        session.failHandshakeQuery(requestId, queryError ?? "invalid query", modelRefusal);
        return;
      }
      session.start();
    });
  };
  return (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    const requestId = ctx.nextRequestId();
    const requestHead = readRequestHead(req);
    try {
      upgrade(req, socket, head, requestId, requestHead);
    } catch (error) {
      // A bug must cost this one connection, never the process (an upgrade listener's throw is fatal).
      if (handedOver.has(socket)) socket.destroy();
      else refuseUpgrade(socket, { status: 500, code: "internal_error", title: "Internal error", message: String(error) }, requestHead.shape, requestId);
    }
  };
}

/**
 * PROTOCOL.md §10.25: livekit-js, given a non-English `language`, connects to `/stt/turns/websocket`
 * with `model=ink-whisper` (its model routing); what the real server answers is unknown. DESIGN.md: the
 * mock accepts every reading a real client uses, so the turns endpoint serves the ink-whisper family
 * as it serves ink-2 (its core does not depend on the model). The journal keeps the query as sent.
 */
const TURNS_MODEL_ALIASES = new Set(["ink-whisper", "ink-whisper-2025-06-04"]);
function turnsModelAsInk2(query: URLSearchParams): URLSearchParams {
  const model = query.get("model");
  if (model === null || !TURNS_MODEL_ALIASES.has(model)) return query;
  const copy = new URLSearchParams(query);
  copy.set("model", "ink-2");
  return copy;
}

/**
 * One WebSocket session: the core, its output schedule, timers and the journal. A core that holds
 * more of a lane (`more`) is pulled for it once that lane's outputs have gone out and less than
 * `LOW_WATER_BYTES` waits in the socket, lanes in turn, a bounded number of pulls per turn of the
 * event loop (`setImmediate`), so a long generation never holds the loop, contexts interleave, and
 * none goes faster than the client reads.
 */
class WsSession {
  /** Outputs waiting to go out, by due time (`performance.now()` milliseconds) and lane. */
  readonly #schedule = new OutputSchedule();
  /** Lanes the core has more for, in the order they asked (pulled round-robin). */
  readonly #wanting = new Set<string>();
  /** The moments of the core's steps that still have outputs to come (`anchor` → `since`). */
  readonly #anchors = new Map<number, number>();
  #pullQueued = false;
  /** Waiting for the client to read before pulling again. */
  #waitingForReader = false;
  /** Ends that wait (the client read, or the socket closed). */
  #readerWake: (() => void) | undefined;
  /** Why reading from the client is paused (backpressure in the pump, a pull waiting): resumed when none is left. */
  #inputPauses = 0;
  /** The idle timeout came while a generation was still going out: close once it is done. */
  #idleClose = false;
  #pumping = false;
  /** The pump's wait for the next due output, which an earlier-due output cuts short. */
  #wait: { until: number; timer: NodeJS.Timeout; wake: () => void } | undefined;
  #closed = false;
  readonly #coreTimers = new Map<string, NodeJS.Timeout>();
  #idleTimer: NodeJS.Timeout | undefined;
  /** When the client last sent a frame (or the session started): the idle timer reads it when it fires. */
  #lastInput = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly journal: SessionJournal,
    private readonly endpoint: GrammarEndpoint,
    private readonly shape: ErrorShape,
    private readonly ctx: ServerContext,
    private readonly core: SessionCore | undefined,
  ) {
    ws.on("message", (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on("close", (code, reason) => this.#onClose(code, reason.toString()));
    ws.on("error", () => {
      // A protocol error from the client (e.g. an oversize frame): ws closes the socket itself.
    });
  }

  get #audio(): number {
    return Math.round((this.core?.audioSeconds ?? 0) * 1000) / 1000;
  }

  start(): void {
    this.#resetIdle();
    this.#enqueue(this.core?.open() ?? []);
  }

  /**
   * A bad handshake query: the real API answers with an error event (400), then the socket closes.
   * A refused model gets the documented body (`model_sunsetted`, or `model_not_found` "Invalid model").
   */
  failHandshakeQuery(requestId: string, message: string, model: ModelRefusal | undefined): void {
    const event = toErrorEvent(
      model
        ? { status: model.status, code: model.code, title: model.title, message: model.message, requestId }
        : { status: 400, code: "invalid_request", title: "Invalid query parameters", message, requestId },
      this.endpoint === "tts" ? "tts" : "stt",
      this.shape,
    );
    this.#enqueue([
      { kind: "send", data: JSON.stringify(event) },
      { kind: "close", code: CLOSE.policy, reason: "invalid query parameters" },
    ]);
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    if (this.#closed || !this.core) return;
    this.#resetIdle();
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (isBinary) {
      // A Buffer is a Uint8Array: no new view per frame (typed-array construction showed in profiles).
      const outputs = this.core.step({ kind: "audio", data: bytes });
      this.journal.binary("client", bytes, this.#audio);
      this.#enqueue(outputs);
    } else {
      const text = bytes.toString("utf8");
      this.journal.text("client", text, this.#audio);
      this.#enqueue(this.core.step({ kind: "text", data: text }));
    }
  }

  #onClose(code: number, reason: string): void {
    if (!this.#closed) this.journal.close("client", code, reason, this.#audio);
    this.#closed = true;
    for (const timer of this.#coreTimers.values()) clearTimeout(timer);
    this.#coreTimers.clear();
    clearTimeout(this.#idleTimer);
    this.#schedule.clear();
    this.#wanting.clear();
    this.#anchors.clear();
    this.#wake();
    this.#readerWake?.();
    this.journal.end();
  }

  /** The TCP socket under `ws` (its private `_socket`): corked, paused and resumed at the edge. */
  get #rawSocket(): Duplex | undefined {
    return (this.ws as unknown as { _socket?: Duplex })._socket;
  }

  #resetIdle(): void {
    this.#idleClose = false;
    // One timer, and per frame only a clock read: a new Timeout per frame (50 a second per stream)
    // was garbage, and re-inserting the timer per frame (`refresh`) a timer-list update per frame.
    this.#lastInput = performance.now();
    if (!this.#idleTimer) this.#armIdle(this.endpoint === "tts" ? this.ctx.idle.tts : this.ctx.idle.stt);
  }

  /** Arms the idle timer for `ms`; when it fires early (input came meanwhile) it waits out the rest. */
  #armIdle(ms: number): void {
    this.#idleTimer = setTimeout(() => {
      const idleMs = this.endpoint === "tts" ? this.ctx.idle.tts : this.ctx.idle.stt;
      const left = this.#lastInput + idleMs - performance.now();
      if (left >= 1) {
        this.#armIdle(left);
        return;
      }
      this.#idleTimer = undefined;
      // A generation still going out is not idleness: its audio goes first (as when it was sent whole).
      if (this.#wanting.size > 0) this.#idleClose = true;
      else this.#enqueue([{ kind: "close", code: CLOSE.normal, reason: IDLE_CLOSE_REASON }]);
    }, ms);
    this.#idleTimer.unref();
  }

  #enqueue(outputs: CoreOutput[]): void {
    // Most audio frames produce nothing and leave nothing to send or pull: no clock read, no pump.
    if (outputs.length === 0 && this.#schedule.size === 0 && this.#wanting.size === 0 && !this.#idleClose) return;
    // Every output of one step was produced at the same moment: delays count from here.
    const producedAt = performance.now();
    for (const output of outputs) {
      switch (output.kind) {
        case "timer": {
          const key = output.key ?? "";
          clearTimeout(this.#coreTimers.get(key));
          this.#coreTimers.set(
            key,
            setTimeout(() => {
              this.#coreTimers.delete(key);
              if (!this.#closed && this.core) this.#enqueue(this.core.step(key === "" ? { kind: "tick" } : { kind: "tick", key }));
            }, output.afterMs),
          );
          break;
        }
        case "more":
          this.#wanting.add(output.lane);
          break;
        case "anchor":
          this.#anchors.set(output.id, producedAt);
          break;
        case "release":
          this.#anchors.delete(output.id);
          break;
        case "note":
          // A replay warning (issue 18): journalled, never sent.
          this.journal.violation({ rule: output.rule, section: "replay", severity: "warning", message: output.message });
          break;
        default:
          // Due now with nothing waiting before it (nothing scheduled, no pump running): out at once.
          // The schedule would give it the same moment (every earlier output is out, so none is due
          // later), at the cost of a push, a shift and a pump per frame.
          if (output.kind === "send" && !((output.delayMs ?? 0) > 0) && this.#schedule.size === 0 && !this.#pumping && !this.#closed && this.ws.bufferedAmount <= HIGH_WATER_BYTES) {
            this.#sendFrame(output.data);
            break;
          }
          // An output the core held until pulled counts its delay from the step that produced it.
          this.#schedule.push(output, producedAt, output.since === undefined ? undefined : this.#anchors.get(output.since));
      }
    }
    if (this.#wanting.size > 0) this.#schedulePull();
    else if (this.#idleClose) {
      this.#idleClose = false;
      this.#schedule.push({ kind: "close", code: CLOSE.normal, reason: IDLE_CLOSE_REASON }, producedAt);
    }
    // Most audio frames cause nothing to send: no pump (an async call and a promise) for them.
    if (this.#schedule.size === 0) return;
    // A pump waiting for a later output must not hold back one that is due sooner (another lane).
    const next = this.#schedule.peek();
    if (this.#wait && next && next.due < this.#wait.until) this.#wake();
    void this.#pump();
  }

  /** Sends outputs when they are due, in due order, honouring backpressure. */
  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#schedule.size > 0 && !this.#closed) {
        const next = this.#schedule.peek() as NonNullable<ReturnType<OutputSchedule["peek"]>>;
        const wait = next.due - performance.now();
        if (wait > 0) {
          // Look again after waiting: an output pushed meanwhile may be due first.
          await this.#sleepUntil(next.due, wait);
          continue;
        }
        const output = (this.#schedule.shift() as typeof next).output;
        if (this.ws.bufferedAmount > HIGH_WATER_BYTES) await this.#drain();
        if (output.kind === "send") {
          this.#sendFrame(output.data);
        } else if (output.kind === "close") {
          this.journal.close("server", output.code, output.reason, this.#audio);
          this.#closed = true;
          this.ws.close(output.code, output.reason);
        } else {
          this.journal.close("server", undefined, "dropped", this.#audio, true);
          this.#closed = true;
          // Frames sent before the drop go first, even in a pull turn that corked the socket.
          const socket = this.#rawSocket;
          while (socket && socket.writableCorked > 0) socket.uncork();
          this.ws.terminate();
        }
      }
    } finally {
      this.#pumping = false;
    }
  }

  /** Sends a frame, then journals it (linting it, a schema parse, is off its path to the client). */
  #sendFrame(data: string): void {
    this.ws.send(data);
    this.journal.text("server", data, this.#audio);
    // Its lane may now be empty: time to pull the next batch.
    if (this.#wanting.size > 0) this.#schedulePull();
  }

  /** Waits `ms` (until `until`), or less if `#wake` is called. */
  #sleepUntil(until: number, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#wait = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#wait = { until, timer, wake };
    });
  }

  /** Ends the pump's current wait now (an earlier output arrived, or the socket closed). */
  #wake(): void {
    this.#wait?.wake();
  }

  /** Waits until the client has read enough; stops reading from it meanwhile. */
  async #drain(): Promise<void> {
    this.#pauseInput();
    while (this.ws.bufferedAmount > HIGH_WATER_BYTES / 2 && this.ws.readyState === this.ws.OPEN) await sleep(10);
    this.#resumeInput();
  }

  /** Pulls the next lane in the next turn of the event loop (once, however often it is asked). */
  #schedulePull(): void {
    if (this.#pullQueued || this.#waitingForReader || this.#closed || this.#wanting.size === 0) return;
    this.#pullQueued = true;
    setImmediate(() => {
      this.#pullQueued = false;
      this.#pullNext();
    });
  }

  /**
   * Steps the core with a `pull` for the first lane (round-robin) whose outputs have all gone out, and
   * again for the next, up to `PULLS_PER_TURN` pulls or `PULL_TURN_MS`, while the client is reading;
   * a lane with outputs still queued (held by latency or pacing) waits for the pump, which asks
   * again as it sends them.
   */
  #pullNext(): void {
    if (this.#closed || !this.core) return;
    const socket = this.#rawSocket;
    const started = performance.now();
    // The turn's frames leave in one write (a system call per 100 ms chunk was the largest cost).
    socket?.cork();
    let more = false;
    try {
      // The first pull is unconditional: on a loaded machine the time budget can be gone before the
      // loop starts, and a turn that pulled nothing would schedule no next turn (a stalled generation).
      for (let pulls = 0; pulls < PULLS_PER_TURN && (pulls === 0 || performance.now() - started < PULL_TURN_MS); pulls += 1) {
        if (this.#closed || this.ws.bufferedAmount >= LOW_WATER_BYTES) break;
        const lane = this.#nextLane();
        if (lane === undefined) break;
        this.#wanting.delete(lane);
        // Its `more` puts it back at the end of `#wanting`: the lanes take turns.
        this.#enqueue(this.core.step({ kind: "pull", lane }));
        more = true;
      }
    } finally {
      socket?.uncork();
    }
    if (this.#closed || this.#wanting.size === 0) return;
    if (this.ws.bufferedAmount >= LOW_WATER_BYTES) void this.#waitForReader();
    // The turn's budget is spent: the rest after the socket's input has been read. (When no lane was
    // ready, the pump asks again as it sends their held outputs.)
    else if (more) this.#schedulePull();
  }

  /** The first lane (in turn order) that wants more and has none of its outputs waiting to go out. */
  #nextLane(): string | undefined {
    for (const lane of this.#wanting) if (this.#schedule.pendingIn(lane) === 0) return lane;
    return undefined;
  }

  /**
   * Waits until the client has read below `LOW_WATER_BYTES`, then pulls again. Its frames are not
   * read meanwhile either: a client that does not read could otherwise queue generation after
   * generation. (Its socket's 'drain' ends the wait; a timer looks again in case it never comes.)
   */
  async #waitForReader(): Promise<void> {
    if (this.#waitingForReader) return;
    this.#waitingForReader = true;
    this.#pauseInput();
    const socket = this.#rawSocket;
    try {
      while (!this.#closed && this.ws.readyState === this.ws.OPEN && this.ws.bufferedAmount >= LOW_WATER_BYTES) {
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            socket?.off("drain", done);
            this.#readerWake = undefined;
            resolve();
          };
          const timer = setTimeout(done, 100);
          socket?.once("drain", done);
          this.#readerWake = done;
        });
      }
    } finally {
      this.#resumeInput();
      this.#waitingForReader = false;
    }
    this.#schedulePull();
  }

  #pauseInput(): void {
    this.#inputPauses += 1;
    if (this.#inputPauses === 1) this.#rawSocket?.pause();
  }

  #resumeInput(): void {
    this.#inputPauses -= 1;
    if (this.#inputPauses === 0 && !this.#closed) this.#rawSocket?.resume();
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
