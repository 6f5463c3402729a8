/**
 * What the CLI needs around its commands: how the user starts it (for the commands it prints), shell
 * quoting, a `--command`'s files checked before it is spawned, and a server's port checked before it
 * is probed. Each failure is one line for a usage error (exit 2).
 */
import { accessSync, constants, existsSync, realpathSync } from "node:fs";
import { connect } from "node:net";
import { delimiter, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** Quotes a word for a POSIX shell when it needs it. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/u.test(word) ? word : `'${word.replace(/'/gu, `'\\''`)}'`;
}

/** The real path of `file` (itself when it cannot be resolved). */
function real(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/**
 * How the user starts this CLI from where they are, for the commands it prints (a counterexample's
 * replay, the rerun of a whole run): `npx speechwire-conformance` when the CLI runs from an installed
 * package (its file is inside a `node_modules` folder), else — in the speechwire workspace — `node`
 * and the path of `dist/bin.js` relative to the working directory.
 *
 * @param moduleFile the CLI's own file (default: this module's; `src/` and `dist/` both sit in the package root)
 */
export function cliCommand(moduleFile: string = fileURLToPath(import.meta.url), cwd: string = process.cwd()): string {
  const file = real(moduleFile);
  if (file.split(sep).includes("node_modules")) return "npx speechwire-conformance";
  const bin = join(dirname(dirname(file)), "dist", "bin.js");
  const path = relative(cwd, bin);
  return `node ${shellQuote(path === "" || isAbsolute(path) ? bin : path)}`;
}

/** Splits a shell command into words: quotes and backslashes, no expansion (enough to find its program and script). */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < command.length; i += 1) {
    const ch = command.charAt(i);
    const next = command.charAt(i + 1);
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === "$" || ch === "`") return words;
      else if (ch === "\\" && next !== "" && '"\\$`'.includes(next)) {
        word += next;
        i += 1;
      } else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === "\\" && next !== "") {
      word += next;
      inWord = true;
      i += 1;
    } else if (/\s/u.test(ch)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else if (";&|<>()`$*?[~{".includes(ch)) {
      // Shell syntax (a pipeline, an expansion, a glob): stop; the words from here on are the shell's to read.
      return words;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord && quote === undefined) words.push(word);
  return words;
}

/** Interpreters whose first non-option argument is the script file, and their options that take a value. */
const INTERPRETERS: { name: RegExp; valueOptions: readonly string[]; noScript: readonly string[]; extensions: readonly string[] }[] = [
  { name: /^node$/u, valueOptions: ["-r", "--require", "--import", "--loader", "--experimental-loader", "-C", "--conditions", "--env-file", "--input-type"], noScript: ["-e", "--eval", "-p", "--print", "-i", "--interactive", "-v", "--version", "-h", "--help", "--test", "-"], extensions: ["", ".js", ".mjs", ".cjs"] },
  { name: /^python(\d+(\.\d+)*)?$/u, valueOptions: ["-W", "-X", "--check-hash-based-pycs"], noScript: ["-c", "-m", "-V", "--version", "-h", "--help", "-"], extensions: [""] },
  { name: /^(ba|da|z)?sh$|^ruby$|^perl$|^tsx$|^bun$/u, valueOptions: [], noScript: ["-c", "-e", "-E", "-", "--version", "--help"], extensions: [""] },
];

/** Whether `name` is an executable on `PATH`. */
function onPath(name: string): boolean {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

/**
 * Checks the files a `--command` names before it is spawned: its program when that is a path or a
 * name not on `PATH`, and the script of a known interpreter (`node x.mjs`, `python3 x.py`, `sh x.sh`).
 * Returns the problem in one line, or `undefined`. A command using shell syntax it cannot read is
 * left to the shell (a failed start is then reported from the adapter's own error).
 */
export function commandProblem(command: string, cwd: string = process.cwd()): string | undefined {
  const words = shellWords(command);
  while (words.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/u.test(words[0] as string)) words.shift();
  const program = words[0];
  if (program === undefined) return command.trim() === "" ? "--command is empty" : undefined;
  if (program.includes("/")) {
    if (!existsSync(resolve(cwd, program))) return `${program}: no such file`;
  } else if (!onPath(program)) {
    return undefined; // a shell builtin, a function or an alias: left to the shell
  }
  const base = program.split("/").pop() as string;
  const interpreter = INTERPRETERS.find((i) => i.name.test(base));
  if (!interpreter) return undefined;
  for (let i = 1; i < words.length; i += 1) {
    const word = words[i] as string;
    if (interpreter.noScript.includes(word)) return undefined;
    if (word.startsWith("-")) {
      if (interpreter.valueOptions.includes(word)) i += 1;
      continue;
    }
    if (interpreter.extensions.some((ext) => existsSync(resolve(cwd, word + ext)))) return undefined;
    return `${word}: no such file`;
  }
  return undefined;
}

/** The most telling line of what a failed command wrote to stderr: its last error line, else its last line. */
export function errorLine(stderr: string): string | undefined {
  const lines = stderr
    .split(/\r?\n/u)
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== "");
  const flush = lines.filter((l) => !/^\s/u.test(l));
  const telling = flush.filter((l) => /error|not found|no such|cannot|can't|denied|refused|invalid/iu.test(l));
  const line = telling.at(-1) ?? flush.at(-1) ?? lines.at(-1);
  return line === undefined ? undefined : line.trim().slice(0, 300);
}

/**
 * Opens (and closes) a TCP connection to the host and port of an http(s) or ws(s) URL: `undefined`
 * when something listens, else the reason in a few words ("connection refused").
 */
export function unreachable(url: string, timeoutMs = 10_000): Promise<string | undefined> {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol === "https:" || u.protocol === "wss:" ? 443 : 80));
  const host = u.hostname.replace(/^\[(.*)\]$/u, "$1");
  return new Promise((done) => {
    const socket = connect({ host, port });
    const finish = (why: string | undefined) => {
      socket.destroy();
      done(why);
    };
    socket.setTimeout(timeoutMs, () => finish(`no answer from ${host}:${port} within ${timeoutMs / 1000} s`));
    socket.once("connect", () => finish(undefined));
    socket.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNREFUSED") finish(`connection refused (nothing listens at ${host}:${port})`);
      else if (error.code === "ENOTFOUND" || error.code === "EAI_AGAIN") finish(`host ${host} not found`);
      else finish(`cannot connect to ${host}:${port}: ${error.code ?? error.message}`);
    });
  });
}
