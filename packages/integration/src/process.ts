/** Running commands and bins for the packaging tests: bounded, with their output kept for messages. */
import { spawn, spawnSync, type SpawnSyncOptions } from "node:child_process";
import { createInterface } from "node:readline";

/** The outcome of a finished command. */
export interface RunResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (10 minutes at most) and returns its exit status and output. */
export function run(command: string, args: readonly string[], options: SpawnSyncOptions = {}): RunResult {
  const result = spawnSync(command, args, { encoding: "utf8", timeout: 600_000, maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.error) throw new Error(`${command} ${args.join(" ")}: ${result.error.message}`);
  return { status: result.status, signal: result.signal, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** Runs a command and throws, with its output, unless it exits 0. */
export function runOk(command: string, args: readonly string[], options: SpawnSyncOptions = {}): RunResult {
  const result = run(command, args, options);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited ${result.status ?? result.signal}\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

/** A long-running process started by `startJsonLine`. */
export interface Running<T> {
  /** The first line it printed on stdout, parsed as JSON. */
  first: T;
  /** Everything it wrote to stderr so far. */
  stderr: () => string;
  /** Sends SIGTERM and resolves with its exit code. */
  stop: () => Promise<number | null>;
}

/** Starts a process that announces itself with one JSON line on stdout (e.g. `speechwire-mock --json`). */
export async function startJsonLine<T>(command: string, args: readonly string[], cwd: string, timeoutMs = 60_000): Promise<Running<T>> {
  const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  const line = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`${command}: no line within ${timeoutMs} ms\n${stderr}`)), timeoutMs);
    createInterface({ input: child.stdout }).once("line", (text) => {
      clearTimeout(timer);
      done(text);
    });
    child.once("error", fail);
    void exited.then((code) => fail(new Error(`${command} exited ${code} before printing a line\n${stderr}`)));
  }).catch((error: unknown) => {
    child.kill("SIGKILL");
    throw error;
  });
  return {
    first: JSON.parse(line) as T,
    stderr: () => stderr,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}
