/**
 * The README's published figures, rendered from committed results files. The README holds each block
 * between `<!-- figures KIND FILE -->` and `<!-- /figures -->`; `scripts/readme-figures.mjs` rewrites
 * the blocks and a test checks that every block equals what its file renders to, and that the file is
 * the newest committed one of its kind: no figure without its command, date and file.
 */
import { fullCommand } from "../command.js";
import { sideOf, spreadOf, type Spread } from "../run/overhead.js";
import { fmt, mdTable, OVERHEAD_HEAD, overheadRows, overheadSentence } from "./format.js";
import type { Results } from "./schema.js";

/** The kinds of README blocks. */
export type FigureKind = "clients" | "overhead" | "speech";

const p = (r: Results, endpoint: string, client: string, id: string) => r.runs.find((x) => x.endpoint === endpoint && x.client === client)?.metrics.find((m) => m.id === id)?.summary ?? undefined;

/** Whether a results file can give a block of that kind (the test picks the newest such file). */
export function fitsKind(kind: FigureKind, r: Results): boolean {
  if (kind === "overhead") return r.baseline?.overhead !== undefined;
  const speech = r.environment.speech?.source === "tts";
  if (kind === "speech") return speech && r.environment.pacing === "fast";
  return !speech && r.environment.latency === "none" && r.environment.pacing === "fast" && ["speechwire", "cartesia-js", "raw"].every((c) => r.runs.some((x) => x.client === c && x.endpoint === "tts"));
}

/** The source line every block starts with: file, command, date, machine. */
function source(file: string, r: Results): string {
  const e = r.environment;
  return `From [\`${file}\`](${file}): \`${fullCommand(r.command)}\`, started ${r.startedAt} (Node ${e.node.replace(/^v/, "")}, ${e.cpus.count} × ${e.cpus.model}, shared machine).`;
}

/** Renders one block's Markdown from its results file. */
export function renderFigures(kind: FigureKind, file: string, r: Results): string {
  const lines = [source(file, r), ""];
  if (kind === "overhead") {
    lines.push(overheadSentence(r), "", mdTable(OVERHEAD_HEAD, overheadRows(r)));
  } else if (kind === "clients") {
    const clients = ["speechwire", "cartesia-js", "raw"] as const;
    const pair = (endpoint: string, id: string) => clients.map((c) => {
      const s = p(r, endpoint, c, id);
      return s ? `${fmt(s.p50)} / ${fmt(s.p99)}` : "–";
    });
    lines.push(
      mdTable(
        [`\`${r.environment.sessions} sessions, concurrency ${r.environment.concurrency}\`, latency none, fast`, "speechwire", "cartesia-js", "raw `ws`"],
        [
          ["`finalize` → first final, p50 / p99 ms", ...pair("stt-v1", "stt-v1.finalize-to-final")],
          ["last speech byte → `turn.end`, p50 / p99 ms", ...pair("stt-turns", "stt-turns.speech-end-to-turn-end")],
          ["TTS request → first chunk, p50 / p99 ms", ...pair("tts", "tts.first-chunk")],
          ["TTS handshake p50 ms (cartesia-js: + TLS)", ...clients.map((c) => fmt(p(r, "tts", c, "tts.handshake")?.p50))],
        ],
      ),
      "",
      `One run, so no spread over runs: compare the clients within it, not with another run. ${r.environment.mockProcess ? "The mock ran in a child process of its own; the clients share the bench's process." : "The clients share the process and event loop with the mock."}`,
    );
  } else {
    const clients = [...new Set(r.runs.map((x) => x.client))];
    const row = (endpoint: string, id: string) => clients.map((c) => fmt(p(r, endpoint, c, id)?.p50)).join(" / ");
    lines.push(
      `STT on speech synthesized by the mock's TTS (${clients.join(" / ")}, ${r.environment.pacing} pacing, latency ${r.environment.latency ?? "n/a"}): speech end → \`turn.end\` p50 ${row("stt-turns", "stt-turns.speech-end-to-turn-end")} ms, \`finalize\` → final p50 ${row("stt-v1", "stt-v1.finalize-to-final")} ms (the mock's detector decoding the round's audio burst; see Limits).`,
    );
  }
  return lines.join("\n");
}

/** A block found in a README. */
export interface FigureBlock {
  kind: FigureKind;
  file: string;
  body: string;
  start: number;
  end: number;
}

// A body never holds a block marker, so an empty block cannot swallow the next one.
const BLOCK = /<!-- figures (clients|overhead|speech) (\S+) -->\n(?:((?:(?!<!-- \/?figures)[\s\S])*?)\n)?<!-- \/figures -->/g;

/** The figure blocks of a README, in order. */
export function figureBlocks(readme: string): FigureBlock[] {
  return [...readme.matchAll(BLOCK)].map((m) => ({ kind: m[1] as FigureKind, file: m[2] as string, body: m[3] ?? "", start: m.index ?? 0, end: (m.index ?? 0) + m[0].length }));
}

/** The README with every block re-rendered from its file (`load` reads and parses a file named in a block). */
export function updateFigures(readme: string, load: (file: string) => Results): string {
  let out = "";
  let at = 0;
  for (const b of figureBlocks(readme)) {
    out += readme.slice(at, b.start) + `<!-- figures ${b.kind} ${b.file} -->\n${renderFigures(b.kind, b.file, load(b.file))}\n<!-- /figures -->`;
    at = b.end;
  }
  return out + readme.slice(at);
}

/** One invocation of the client's per-message bench (`per-message.mjs --json`). */
interface PerMessageInvocation {
  node: string;
  messages: number;
  runs: number;
  warmup: number;
  results: { stream: string; measure: string; ours: { median: number; p25: number; p75: number }; theirs: { median: number; p25: number; p75: number }; ratio: number }[];
}

/** The client per-message results file (`scripts/client-per-message.mjs`). */
export interface PerMessageFile {
  format: "speechwire-bench/client-per-message@1";
  command: string;
  startedAt: string;
  node: string;
  invocations: PerMessageInvocation[];
}

/** What a spread of ours ÷ cartesia-js says (the rule of `Verdict`). */
export function clientVerdict(s: Spread): "parity" | "ours faster" | "ours slower" | "inconclusive" {
  return sideOf(s, "ours slower", "ours faster");
}

/** The client README's speed block, rendered from the per-message results file. */
export function renderPerMessage(file: string, data: PerMessageFile): string {
  const first = data.invocations[0];
  const keys = first ? first.results.map((r) => [r.stream, r.measure] as const) : [];
  const n = data.invocations.length;
  const rows = keys.map(([stream, measure]) => {
    const per = data.invocations.map((inv) => inv.results.find((r) => r.stream === stream && r.measure === measure)).filter((r) => r !== undefined);
    const s = spreadOf(per.map((r) => r.ratio));
    // Interquartile ranges of the timed runs inside each invocation: do ours and theirs overlap?
    const overlaps = per.filter((r) => r.ours.p25 <= r.theirs.p75 && r.theirs.p25 <= r.ours.p75).length;
    const ns = (v: number) => Math.round(v).toLocaleString("en-US");
    return [
      stream,
      measure,
      per.map((r) => `${ns(r.ours.median)} / ${ns(r.theirs.median)}`).join("; "),
      `${fmt(s.min)} / ${fmt(s.median)} / ${fmt(s.max)}×`,
      `${overlaps} of ${per.length}`,
      clientVerdict(s),
    ];
  });
  return [
    `From [\`${file}\`](${file}): \`${data.command}\`, started ${data.startedAt} (Node ${data.node.replace(/^v/, "")}, shared 2-core machine). ${n} invocations, each ${first ? `${first.messages.toLocaleString("en-US")} messages, the median of ${first.runs} timed runs after ${first.warmup} warm-up, clients alternating` : ""}.`,
    "",
    mdTable(["stream", "measure", "ours / cartesia-js ns per message, each invocation", `ours ÷ cartesia-js, min / median / max of ${n}`, "p25–p75 overlap", "verdict"], rows),
    "",
    `Verdict: "ours faster" or "ours slower" only when the whole spread of the ratio lies beyond [0.91, 1.1]×; parity when its median lies in that band (a ratio near 1 is parity, not a win); inconclusive otherwise. "p25–p75 overlap": in how many invocations the interquartile ranges of the two clients' timed runs overlap.`,
  ].join("\n");
}

const CLIENT_BLOCK = /<!-- figures per-message (\S+) -->\n(?:((?:(?!<!-- \/?figures)[\s\S])*?)\n)?<!-- \/figures -->/g;

/** The per-message blocks of the client README. */
export function perMessageBlocks(readme: string): FigureBlock[] {
  return [...readme.matchAll(CLIENT_BLOCK)].map((m) => ({ kind: "clients" as FigureKind, file: m[1] as string, body: m[2] ?? "", start: m.index ?? 0, end: (m.index ?? 0) + m[0].length }));
}

/** The client README with every per-message block re-rendered from its file. */
export function updatePerMessage(readme: string, load: (file: string) => PerMessageFile): string {
  let out = "";
  let at = 0;
  for (const b of perMessageBlocks(readme)) {
    out += readme.slice(at, b.start) + `<!-- figures per-message ${b.file} -->\n${renderPerMessage(b.file, load(b.file))}\n<!-- /figures -->`;
    at = b.end;
  }
  return out + readme.slice(at);
}
