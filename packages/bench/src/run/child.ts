/**
 * `--mock-process`: servers in a child process of their own (own event loop and CPU time), on
 * 127.0.0.1. This file is both the child's entry (run with `fork`) and the parent's handle to it.
 * Requests and answers go over the IPC channel; the child exits when the channel closes.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { missingNodeFlags, startMockServer, type Latency, type MockServer } from "@speechwire/mock-server";
import { BENCH_SCENARIOS } from "../targets/scenarios.js";
import { startReplay, type Listening, type Recording } from "./replay.js";

/** What the parent asks of the child (without its id). */
export type ChildAsk = { op: "mock"; latency: Latency; seed: number; tls: boolean } | { op: "replay"; recordings: Recording[] } | { op: "close"; handle: number };

/** A request with its id. */
export type ChildRequest = ChildAsk & { id: number };

/** A server started in the child: its URLs (mock) or port (replay), and a handle to close it. */
export interface ChildServer {
  handle: number;
  urls: { http: string; ws: string; https?: string };
  cert?: string;
}

type Answer = { id: number; ok: true; server?: ChildServer } | { id: number; ok: false; error: string };

/** The parent's side: starts servers in one child process. */
export class ServerProcess {
  #child: ChildProcess;
  #next = 1;
  #waiting = new Map<number, (a: Answer) => void>();

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on("message", (a: Answer) => {
      this.#waiting.get(a.id)?.(a);
      this.#waiting.delete(a.id);
    });
    child.on("exit", (code) => {
      for (const w of this.#waiting.values()) w({ id: 0, ok: false, error: `the server process exited (${code})` });
      this.#waiting.clear();
    });
  }

  /** Forks the child and waits for it to be ready. */
  static async start(): Promise<ServerProcess> {
    // With the mock launchers' Node flags (both servers share the child, so both run with them).
    const child = fork(fileURLToPath(import.meta.url), ["--speechwire-bench-child"], { stdio: ["ignore", "inherit", "inherit", "ipc"], serialization: "advanced", execArgv: [...missingNodeFlags(), ...process.execArgv] });
    await new Promise<void>((resolve, reject) => {
      child.once("message", () => resolve());
      child.once("exit", (code) => reject(new Error(`the server process exited before it was ready (${code})`)));
    });
    return new ServerProcess(child);
  }

  #ask(req: ChildAsk): Promise<ChildServer | undefined> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, (a) => (a.ok ? resolve(a.server) : reject(new Error(a.error))));
      this.#child.send({ ...req, id });
    });
  }

  /** Starts a mock with the bench's scenarios in the child. */
  async mock(latency: Latency, seed: number, tls: boolean): Promise<ChildServer & { close(): Promise<void> }> {
    const s = (await this.#ask({ op: "mock", latency, seed, tls })) as ChildServer;
    return { ...s, close: async () => void (await this.#ask({ op: "close", handle: s.handle })) };
  }

  /** Starts a replay server in the child. */
  async replay(recordings: Recording[]): Promise<ChildServer & { close(): Promise<void> }> {
    const s = (await this.#ask({ op: "replay", recordings })) as ChildServer;
    return { ...s, close: async () => void (await this.#ask({ op: "close", handle: s.handle })) };
  }

  /** Ends the child (its servers close with it). */
  async close(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once("exit", () => resolve()));
    this.#child.disconnect();
    await exited;
  }
}

/** The child's side: serves requests until the IPC channel closes. */
function serve(): void {
  const servers = new Map<number, MockServer | Listening>();
  let next = 1;
  const answer = (a: Answer) => process.send?.(a);
  process.on("message", (req: ChildRequest) => {
    void (async () => {
      try {
        if (req.op === "mock") {
          const mock = await startMockServer({ host: "127.0.0.1", port: 0, tlsPort: req.tls ? 0 : false, seed: req.seed, latency: req.latency, scenarios: BENCH_SCENARIOS });
          const handle = next++;
          servers.set(handle, mock);
          answer({ id: req.id, ok: true, server: { handle, urls: { http: mock.urls.http, ws: mock.urls.ws, ...(mock.urls.https ? { https: mock.urls.https } : {}) }, ...(mock.cert ? { cert: mock.cert } : {}) } });
        } else if (req.op === "replay") {
          const replay = await startReplay(req.recordings);
          const handle = next++;
          servers.set(handle, replay);
          answer({ id: req.id, ok: true, server: { handle, urls: { http: `http://127.0.0.1:${replay.port}`, ws: `ws://127.0.0.1:${replay.port}` } } });
        } else {
          await servers.get(req.handle)?.close();
          servers.delete(req.handle);
          answer({ id: req.id, ok: true });
        }
      } catch (error) {
        answer({ id: req.id, ok: false, error: error instanceof Error ? error.message : String(error) });
      }
    })();
  });
  process.on("disconnect", () => {
    void Promise.allSettled([...servers.values()].map((s) => s.close())).then(() => process.exit(0));
  });
  process.send?.("ready");
}

if (process.argv.includes("--speechwire-bench-child") && process.send) serve();
