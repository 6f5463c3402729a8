/**
 * The language-neutral adapter: the runner spawns a command and speaks JSON lines over its
 * stdin/stdout (`hello` → `capabilities`; `case` → `observation`* → `done`; `shutdown`). Every line
 * the adapter writes is validated with `adapterMessageSchema`; its stderr is passed through.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { Adapter, Observe } from "./types.js";
import { adapterMessageSchema, type AdapterMessage, type Capabilities, type CaseResult, type RunnerMessage } from "./schema.js";

/** Options of a command adapter. */
export interface CommandAdapterOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** How long the command may take to answer `hello`. Default 15 000 ms. */
  helloTimeoutMs?: number;
  /** Where the command's stderr goes. Default: this process's stderr. */
  stderr?: (chunk: string) => void;
}

interface Pending {
  id: string;
  observe: Observe;
  resolve: (r: CaseResult) => void;
}

/**
 * Spawns `command` (through the shell) as an adapter.
 * @example const adapter = createCommandAdapter("node examples/node-adapter.mjs");
 */
export function createCommandAdapter(command: string, options: CommandAdapterOptions = {}): Adapter {
  let child: ChildProcess | undefined;
  let exited: string | undefined;
  let capabilities: ((c: Capabilities) => void) | undefined;
  /** Rejects a pending `hello` at once when the adapter answers with something invalid. */
  let helloFailed: ((why: string) => void) | undefined;
  let pending: Pending | undefined;
  const protocolErrors: string[] = [];

  const fail = (why: string) => {
    helloFailed?.(why);
    if (pending) {
      const p = pending;
      pending = undefined;
      p.resolve({ crashed: true, crash: why });
    }
  };

  const onMessage = (m: AdapterMessage) => {
    if (m.type === "capabilities") {
      capabilities?.(m.capabilities);
      return;
    }
    if (!pending || m.case !== pending.id) {
      protocolErrors.push(`a ${m.type} for case ${m.case}, which is not running`);
      return;
    }
    if (m.type === "observation") pending.observe(m.event);
    else {
      const p = pending;
      pending = undefined;
      p.resolve(m.result);
    }
  };

  const start = () => {
    // Its own process group: the shell does not exec the command, so a kill must reach the group.
    const proc = spawn(command, { shell: true, detached: true, cwd: options.cwd, env: options.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] });
    child = proc;
    proc.stderr?.setEncoding("utf8");
    proc.stderr?.on("data", (d: string) => (options.stderr ?? ((s: string) => process.stderr.write(s)))(d));
    proc.stdin?.on("error", () => undefined);
    const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      if (line.trim() === "") return;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        const why = `the adapter wrote a line that is not JSON: ${line.slice(0, 200)}`;
        protocolErrors.push(why);
        fail(why);
        return;
      }
      const parsed = adapterMessageSchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const why = `invalid adapter message ${line.slice(0, 200)}: ${issue ? `${issue.path.join(".")}: ${issue.message}` : "invalid"}`;
        protocolErrors.push(why);
        fail(why);
        return;
      }
      onMessage(parsed.data);
    });
    proc.on("exit", (code, signal) => {
      exited = `the adapter process exited (${signal ?? `code ${code}`})`;
      fail(exited);
    });
    proc.on("error", (error) => {
      exited = `the adapter command failed to start: ${error.message}`;
      fail(exited);
    });
  };

  const send = (m: RunnerMessage) => {
    if (!child?.stdin || exited) return false;
    child.stdin.write(`${JSON.stringify(m)}\n`);
    return true;
  };

  return {
    capabilities() {
      if (!child) start();
      const timeoutMs = options.helloTimeoutMs ?? 15_000;
      return new Promise<Capabilities>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the adapter command did not answer hello within ${timeoutMs} ms: ${exited ?? protocolErrors[0] ?? "no output"}`)), timeoutMs);
        capabilities = (c) => {
          clearTimeout(timer);
          helloFailed = undefined;
          resolve(c);
        };
        helloFailed = (why) => {
          clearTimeout(timer);
          helloFailed = undefined;
          reject(new Error(`the adapter command did not answer hello properly: ${why}`));
        };
        child?.once("exit", () => {
          clearTimeout(timer);
          reject(new Error(`${exited ?? "the adapter process exited"} before answering hello${protocolErrors[0] ? `: ${protocolErrors[0]}` : ""}`));
        });
        send({ type: "hello", protocol: 1 });
      });
    },
    runCase(target, c, observe) {
      return new Promise<CaseResult>((resolve) => {
        if (exited) {
          resolve({ crashed: true, crash: exited });
          return;
        }
        pending = { id: c.id, observe, resolve };
        send({ type: "case", target, case: c });
      });
    },
    async dispose() {
      const proc = child;
      if (!proc || exited) return;
      send({ type: "shutdown" });
      proc.stdin?.end();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          try {
            if (proc.pid !== undefined) process.kill(-proc.pid, "SIGKILL");
          } catch {
            proc.kill("SIGKILL");
          }
          resolve();
        }, 3000);
        proc.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
