/**
 * Where the tests find a Python that can import pipecat and LiveKit's Python plugin:
 * `SPEECHWIRE_PYTHON_CLIENTS` (a command that runs such a Python, e.g. `/venv/bin/python`), else the
 * chroot kit at `SPEECHWIRE_PYTHON_CLIENTS_KIT`, else the nearest `shared/python-clients` beside the
 * checkout or one of its parents (`<repo>/../shared/python-clients` in this workplace), through its
 * `run.sh python3`. Neither: the tests are skipped with the reason, never passed.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join, resolve } from "node:path";

/** The conformance package's folder: the adapters' commands run from here (the kit mounts it). */
export const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
const REPO_ROOT = resolve(PACKAGE_DIR, "..", "..");

/** A Python with both clients, or why there is none. */
export type PythonClients = { python: string; via: string } | { skip: string };

/** The modules the adapters drive; importing them is the availability check. */
const IMPORTS = "import pipecat.services.cartesia.tts, pipecat.services.cartesia.turns.stt, livekit.plugins.cartesia, livekit.agents";

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/** Runs `<python> -c IMPORTS` through the shell from the package folder. */
function tryImports(python: string): { status: number | null; output: string } {
  const r = spawnSync("sh", ["-c", `${python} -c ${quote(IMPORTS)}`], {
    cwd: PACKAGE_DIR,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
  });
  return { status: r.status, output: `${r.stderr ?? ""}${r.error ? r.error.message : ""}`.trim() };
}

/** The nearest `<ancestor>/shared/python-clients` above the checkout that has a `run.sh`. */
function nearestKit(): string | undefined {
  for (let dir = resolve(REPO_ROOT, ".."); ; dir = resolve(dir, "..")) {
    const kit = join(dir, "shared", "python-clients");
    if (existsSync(join(kit, "run.sh"))) return kit;
    if (dir === resolve(dir, "..")) return undefined;
  }
}

const lastLine = (text: string) => text.split("\n").filter(Boolean).at(-1) ?? "";

/**
 * Finds the Python the adapters run under. A Python named by `SPEECHWIRE_PYTHON_CLIENTS` that cannot
 * import the clients is an error (it was asked for); a kit whose environment is not built is a skip.
 */
export function findPythonClients(env: NodeJS.ProcessEnv = process.env): PythonClients {
  const named = env.SPEECHWIRE_PYTHON_CLIENTS?.trim();
  if (named) {
    const r = tryImports(named);
    if (r.status !== 0) throw new Error(`SPEECHWIRE_PYTHON_CLIENTS=${named} cannot import the clients (exit ${r.status}): ${lastLine(r.output)}`);
    return { python: named, via: `SPEECHWIRE_PYTHON_CLIENTS=${named}` };
  }
  const kit = env.SPEECHWIRE_PYTHON_CLIENTS_KIT ? resolve(env.SPEECHWIRE_PYTHON_CLIENTS_KIT) : nearestKit();
  if (!kit || !existsSync(join(kit, "run.sh"))) {
    return {
      skip: `no Python clients: SPEECHWIRE_PYTHON_CLIENTS is not set and there is no kit ${kit ? `at ${kit}` : "in shared/python-clients beside the checkout or its parents"} (set SPEECHWIRE_PYTHON_CLIENTS_KIT)`,
    };
  }
  const runSh = join(kit, "run.sh");
  const python = `${quote(runSh)} python3`;
  const r = tryImports(python);
  // 125 is run.sh's own failure (environment not built, not root, mounts refused): the kit is not usable here.
  if (r.status === 125) return { skip: `the kit at ${kit} cannot run here: ${lastLine(r.output)} (scripts/ensure-python-clients.sh runs its setup.sh; see ${join(kit, "README.md")})` };
  if (r.status !== 0) throw new Error(`the kit at ${kit} runs but cannot import the clients (exit ${r.status}): ${lastLine(r.output)}`);
  return { python, via: `${runSh} python3` };
}
