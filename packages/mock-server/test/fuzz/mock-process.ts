/**
 * The mock under test as a child process (`node dist/cli.js --port 0 --tls-port off --json --seed 1`),
 * so that a crash is seen as an exit and anything the process prints on stderr (an unhandled error, a
 * warning such as MaxListenersExceededWarning) is seen at all. A `Supervisor` replaces a dead or
 * dirty (stderr written) process before the next input, so every finding belongs to the input that
 * caused it and fast-check can shrink it.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, readdirSync, rmdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The mock-server package folder. */
export const PACKAGE_DIR = fileURLToPath(new URL("../..", import.meta.url));
const CLI = join(PACKAGE_DIR, "dist", "cli.js");
/** The preload that answers "collect garbage, then report the heap" over IPC (long runs only). */
export const GC_HOOK = join(PACKAGE_DIR, "fuzz", "gc-hook.mjs");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds `dist/` when it is missing or older than `src/` (the child runs the built CLI, and `pnpm test`
 * does not build the package itself). Test files run in parallel: a lock folder makes one of them build.
 */
export function ensureBuilt(): void {
  const fresh = () => {
    try {
      return statSync(CLI).mtimeMs >= newestMtime(join(PACKAGE_DIR, "src"));
    } catch {
      return false;
    }
  };
  if (fresh()) return;
  const lock = join(tmpdir(), `speechwire-fuzz-build-${Buffer.from(PACKAGE_DIR).toString("base64url").slice(-24)}`);
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Someone else builds: wait for them, then look again.
      spawnSync(process.execPath, ["-e", "setTimeout(()=>{},200)"]);
      if (fresh()) return;
    }
  }
  try {
    if (!fresh()) {
      const tsc = spawnSync(process.execPath, [join(PACKAGE_DIR, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], { cwd: PACKAGE_DIR, encoding: "utf8" });
      if (tsc.status !== 0) throw new Error(`building the mock failed:\n${tsc.stdout}${tsc.stderr}`);
    }
  } finally {
    rmdirSync(lock);
  }
}

/** Options of one mock child. */
export interface MockProcessOptions {
  /** Extra CLI flags (e.g. `--auth strict --api-key k`, `--playground DIR`). */
  args?: readonly string[];
  /** Start with `--expose-gc` and the GC hook, so `heapAfterGc()` works. */
  gcHook?: boolean;
}

/** How a child ended. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One running mock child. */
export class MockProcess {
  readonly stderr: string[] = [];
  exit: ExitInfo | undefined;
  readonly exited: Promise<ExitInfo>;
  #partial = "";

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    this.exited = new Promise((resolve) => {
      const done = (code: number | null, signal: NodeJS.Signals | null) => {
        this.exit ??= { code, signal };
        resolve(this.exit);
      };
      if (child.exitCode !== null || child.signalCode !== null) done(child.exitCode, child.signalCode);
      else child.once("exit", done);
    });
    child.stderr?.on("data", (chunk: Buffer) => this.#onStderr(chunk.toString("utf8")));
  }

  #onStderr(text: string): void {
    const lines = (this.#partial + text).split("\n");
    this.#partial = lines.pop() ?? "";
    this.stderr.push(...lines);
  }

  /** Every stderr line so far, the unfinished last one included. */
  stderrLines(): string[] {
    return this.#partial === "" ? [...this.stderr] : [...this.stderr, this.#partial];
  }

  /** Starts a child and waits for its `--json` line. */
  static start(options: MockProcessOptions = {}): Promise<MockProcess> {
    const node = options.gcHook ? ["--expose-gc", "--import", GC_HOOK] : [];
    const env = { ...process.env };
    // The child must not inherit a test runner's loader or inspector flags.
    delete env.NODE_OPTIONS;
    const child = spawn(process.execPath, [...node, CLI, "--port", "0", "--tls-port", "off", "--json", "--seed", "1", ...(options.args ?? [])], {
      cwd: PACKAGE_DIR,
      env,
      stdio: ["ignore", "pipe", "pipe", ...(options.gcHook ? (["ipc"] as const) : [])],
    });
    return new Promise((resolve, reject) => {
      let out = "";
      let err = "";
      child.stderr?.on("data", (c: Buffer) => (err += c.toString()));
      const onData = (chunk: Buffer) => {
        out += chunk.toString("utf8");
        const line = out.split("\n")[0];
        if (!out.includes("\n") || line === undefined) return;
        child.stdout?.off("data", onData);
        child.stdout?.resume();
        try {
          const port = Number(new URL((JSON.parse(line) as { http: string }).http).port);
          const mock = new MockProcess(child, port);
          if (err !== "") mock.#onStderr(err);
          resolve(mock);
        } catch (error) {
          child.kill("SIGKILL");
          reject(new Error(`the mock printed no JSON line: ${line} ${String(error)}`));
        }
      };
      child.stdout?.on("data", onData);
      child.once("exit", (code) => reject(new Error(`the mock exited (${code}) before listening: ${err}`)));
    });
  }

  /** Still running. */
  get alive(): boolean {
    return this.exit === undefined;
  }

  /** Collects garbage in the child and reads its heap (needs `gcHook`); `undefined` without the hook. */
  heapAfterGc(): Promise<{ heapUsed: number; rss: number } | undefined> {
    if (!this.child.send || !this.alive) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), 10_000);
      const onMessage = (m: unknown) => {
        const msg = m as { type?: string; heapUsed?: number; rss?: number };
        if (msg?.type !== "speechwire-fuzz:heap") return;
        clearTimeout(timer);
        this.child.off("message", onMessage);
        resolve({ heapUsed: msg.heapUsed ?? 0, rss: msg.rss ?? 0 });
      };
      this.child.on("message", onMessage);
      this.child.send?.({ type: "speechwire-fuzz:gc" });
    });
  }

  /** Stops the child (SIGTERM, then SIGKILL after 3 s). */
  async stop(): Promise<void> {
    if (!this.alive) return;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 3000);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * Keeps one mock of a configuration ready. `ready()` replaces the current child when it died or wrote
 * to stderr, so the next input runs on a clean process; a spare is started in the background so a
 * replacement is quick.
 */
export class Supervisor {
  #current: MockProcess | undefined;
  #spare: Promise<MockProcess> | undefined;
  /** How many children were replaced (after a crash or stderr output). */
  restarts = 0;

  constructor(readonly options: MockProcessOptions = {}) {}

  #startSpare(): void {
    this.#spare = MockProcess.start(this.options);
    // A spare that fails to start is reported when it is taken.
    this.#spare.catch(() => undefined);
  }

  /** A clean, running mock. */
  async ready(): Promise<MockProcess> {
    const current = this.#current;
    if (current && current.alive && current.stderrLines().length === 0) return current;
    if (current) {
      this.restarts += 1;
      void current.stop();
    }
    const next = await (this.#spare ?? MockProcess.start(this.options));
    this.#current = next;
    this.#startSpare();
    return next;
  }

  /** The current child, as it is (dead or dirty included). */
  get current(): MockProcess | undefined {
    return this.#current;
  }

  /** Stops the current child and the spare. */
  async stop(): Promise<void> {
    const spare = this.#spare;
    this.#spare = undefined;
    await Promise.all([this.#current?.stop(), spare?.then((s) => s.stop(), () => undefined)]);
    this.#current = undefined;
  }
}

/** Waits `ms`. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
