/**
 * Shared pieces of the benchmark: the scenarios it loads into the mock, child processes (the mock via
 * its CLI, the echo baseline), histograms, CPU accounting and formatting.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import hdr from "hdr-histogram-js";
import { NODE_FLAGS } from "../dist/node-flags.js";

export const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
/** util-linux `taskset`, when this is Linux and it is installed. */
export const TASKSET = ["/usr/bin/taskset", "/bin/taskset"].find((p) => existsSync(p));
export const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
export const ECHO_SERVER = fileURLToPath(new URL("./echo-server.mjs", import.meta.url));
export const REPLAY_SERVER = fileURLToPath(new URL("./replay-server.mjs", import.meta.url));

/** Query of both STT endpoints: 16 kHz s16le. */
export const STT_V1_QUERY = "model=ink-whisper&encoding=pcm_s16le&sample_rate=16000&language=en";
export const TURNS_QUERY = "model=ink-2&encoding=pcm_s16le&sample_rate=16000";
export const SAMPLE_RATE = 16000;
/** 20 ms of 16 kHz s16le. */
export const CHUNK_MS = 20;
export const CHUNK_BYTES = (SAMPLE_RATE * 2 * CHUNK_MS) / 1000;

/**
 * (a) One word then a little silence, looping: 0.3 s word + 0.1 s = 0.4 s = 20 chunks per pass, so
 * every pass of 20 chunks completes exactly one word (one interim), and `finalize` then has a final.
 */
export const WORD_SCENARIO = {
  name: "bench-word",
  description: "Benchmark: one 0.3 s word and 0.1 s of silence, repeated forever.",
  stt: { afterScript: "loop", turns: [{ leadSilence: 0, segments: [{ say: "hello" }], endSilence: 0.1 }] },
};

/** (b) The built-in `default` conversation (two turns, an eager pause), repeated forever. */
export const TURNS_SCENARIO = {
  name: "bench-turns",
  description: "Benchmark: the default two-turn conversation, repeated forever.",
  stt: {
    afterScript: "loop",
    turns: [
      { segments: [{ say: "Hi, I'd like to book a table" }, { pause: 0.5 }, { say: "for two people tonight." }] },
      { segments: [{ say: "Around seven would be great." }] },
    ],
  },
};

/** A histogram of microseconds (1 µs to 1 h, 3 significant digits). */
export function histogram() {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });
}

/** Records milliseconds into a µs histogram. */
export function recordMs(h, ms) {
  h.recordValue(Math.max(1, Math.round(ms * 1000)));
}

export const encodeHistogram = (h) => hdr.encodeIntoCompressedBase64(h);

/** Adds encoded histograms into one. */
export function mergeHistograms(encoded) {
  const out = histogram();
  for (const e of encoded) if (e) out.add(hdr.decodeFromCompressedBase64(e));
  return out;
}

/** p50/p90/p99/max (and count, mean) of a µs histogram, in milliseconds. */
export function summary(h) {
  const ms = (us) => Math.round(us) / 1000;
  if (h.totalCount === 0) return { count: 0, p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN };
  return {
    count: h.totalCount,
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    max: ms(h.maxValue),
    mean: ms(h.mean),
  };
}

/**
 * The Node flags every server the bench starts runs with, the mock and its baselines alike: by default
 * the mock launchers' (`src/node-flags.ts`), so the mock is measured as `pnpm start` runs it and a
 * baseline gets the same runtime. `--node-flags` of run.mjs / replay.mjs sets them.
 */
let serverNodeFlags = [...NODE_FLAGS];
export const DEFAULT_SERVER_NODE_FLAGS = NODE_FLAGS.join(" ");
/** Sets the flags of every server started after this call (a space-separated list; "" for none). */
export function setServerNodeFlags(text) {
  serverNodeFlags = text.split(" ").filter(Boolean);
}
/** The flags servers start with now. */
export const serverFlags = () => [...serverNodeFlags];
/** Server flags as a report prints them. */
export const flagsText = (flags = []) => flags.join(" ") || "no flags";

/** A child process that prints one JSON line when it is listening. */
async function spawnServer(args, { nodeArgs = [], label, onOutput, cpu }) {
  const command = [process.execPath, ...serverNodeFlags, ...nodeArgs, ...args];
  // Pinned to one CPU with taskset where asked (and available), so that two servers compared side by side get the same placement.
  const pinned = cpu !== undefined && TASKSET ? [TASKSET, "-c", String(cpu), ...command] : command;
  const child = spawn(pinned[0], pinned.slice(1), { cwd: PACKAGE_DIR, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d.toString();
  });
  const info = await new Promise((resolve, reject) => {
    let out = "";
    // The first line that starts with "{" (node flags such as --trace-gc may print before it).
    const onData = (d) => {
      out += d.toString();
      for (let nl = out.indexOf("\n"); nl >= 0; nl = out.indexOf("\n")) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (!line.startsWith("{")) continue;
        child.stdout.off("data", onData);
        try {
          resolve(JSON.parse(line));
        } catch (error) {
          reject(new Error(`${label}: not a JSON line: ${line} (${error.message})`));
        }
        return;
      }
    };
    child.stdout.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${label} exited (${code}) before listening:\n${stderr}`)));
  });
  child.stdout.on("data", (d) => onOutput?.(d.toString()));
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return {
    child,
    info,
    pid: child.pid,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/** The mock in its own process, through its CLI (`--json` gives the URLs); `cli`: another build's `dist/cli.js` (a baseline). */
export function spawnMock({ scenariosDir, nodeArgs = [], onOutput, cpu, cli = CLI, args = [] }) {
  // The terminal log (a line per session) is off, as the figures were measured; builds older than the
  // log (`--mock-cli`) have no --quiet and log nothing.
  const quiet = cli === CLI ? ["--quiet"] : [];
  return spawnServer([cli, "--port", "0", "--tls-port", "off", "--json", ...quiet, "--scenarios", scenariosDir, ...args], { nodeArgs, label: "mock", onOutput, cpu });
}

/** A process's resident set now and its peak so far, in bytes, from /proc (Linux); NaN elsewhere. */
export function rssOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kib("VmRSS"), peak: kib("VmHWM") };
  } catch {
    return { rss: NaN, peak: NaN };
  }
}

/** min / median / max of numbers. */
export function spread(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return { runs: values.length, min: sorted[0] ?? NaN, median: sorted.length === 0 ? NaN : sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2, max: sorted.at(-1) ?? NaN };
}

/** A bare `ws` echo server in its own process (with a timeline file: the minimal turns server). */
export function spawnEcho({ nodeArgs = [], timeline, cpu } = {}) {
  return spawnServer([ECHO_SERVER, ...(timeline ? ["--timeline", timeline] : [])], { nodeArgs, label: "echo server", cpu });
}

/** The replay baseline (bench/replay-server.mjs) in its own process, replaying a recording file. */
export function spawnReplay({ recording, nodeArgs = [], cpu }) {
  return spawnServer([REPLAY_SERVER, "--recording", recording], { nodeArgs, label: "replay server", cpu });
}

/**
 * CPU time a process's threads have run so far, in seconds at nanosecond resolution: the sum of
 * /proc/PID/task/TID/schedstat (Linux). /proc/PID/stat counts in 10 ms ticks, too coarse for the
 * ~50 ms a 15,000-frame stream costs a bare server. Threads that already exited are not counted.
 */
export function cpuPrecise(pid) {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      } catch {
        // The thread ended between the listing and the read.
      }
    }
    return ns / 1e9;
  } catch {
    return NaN;
  }
}

const CLK_TCK = 100;

/** CPU seconds a process has used so far, user and system, from /proc (Linux); NaN elsewhere. */
export function cpuTimes(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14 and 15 of stat(5) (utime, stime), counted here from field 3.
    return { user: Number(fields[11]) / CLK_TCK, system: Number(fields[12]) / CLK_TCK };
  } catch {
    return { user: NaN, system: NaN };
  }
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid) {
  const t = cpuTimes(pid);
  return t.user + t.system;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `task(i)` for i < n with at most `limit` at once. */
export async function pool(n, limit, task) {
  let next = 0;
  const results = new Array(n);
  const runner = async () => {
    while (next < n) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, limit) }, runner));
  return results;
}

/** A plain-text table. */
export function table(headers, rows) {
  const cells = [headers, ...rows].map((r) => r.map((c) => String(c)));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(cells[0]), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

/** A Markdown table. */
export function mdTable(headers, rows) {
  return [`| ${headers.join(" | ")} |`, `| ${headers.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

export const fmt = (x, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : "n/a");
export const fmtInt = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "n/a");

// ------------------------------------------------------------------ (b) capacity from step verdicts

/** The smallest N of a side's failing steps (`Infinity` if none failed). Verdicts: `{ streams, pass }`. */
export function firstFailing(verdicts) {
  return Math.min(Infinity, ...verdicts.filter((v) => !v.pass).map((v) => v.streams));
}

/**
 * A side's capacity: its largest passing N below its smallest failing one (0 if none passed); a pass
 * above a failure (noise) does not count.
 * @example largest([{ streams: 400, pass: true }, { streams: 600, pass: false }, { streams: 500, pass: true }]) // 500
 */
export function largest(verdicts) {
  const limit = firstFailing(verdicts);
  return Math.max(0, ...verdicts.filter((v) => v.pass && v.streams < limit).map((v) => v.streams));
}

/**
 * The next N to try between a side's capacity and its first failing N, or `undefined` once they are at
 * most an eighth of the capacity apart (at least 25 streams): the midpoint, rounded to 5.
 * @example refinementStep([{ streams: 400, pass: true }, { streams: 600, pass: false }]) // 500
 */
export function refinementStep(verdicts) {
  const low = largest(verdicts);
  const high = firstFailing(verdicts);
  if (!Number.isFinite(high) || high - low <= Math.max(25, low / 8)) return undefined;
  const mid = Math.round((low + high) / 2 / 5) * 5;
  return mid > low && mid < high ? mid : undefined;
}
