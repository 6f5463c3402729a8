/**
 * The runner: starts its own mock, runs the fixed and generated cases of each suite through an
 * adapter, reads the journal, evaluates the checks and aggregates grades; on a property failure it
 * writes the shrunk counterexample with the command that replays it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as fc from "fast-check";
import { scenarioSchema, startMockServer, type MockServer, type SessionRecord } from "@speechwire/mock-server";
import type { Adapter } from "../adapter/types.js";
import { observationEventSchema, SUITES, type Capabilities, type Case, type CaseResult, type ObservationEvent, type Suite } from "../adapter/schema.js";
import { checksFor, type Check, type Grade, type Verdict } from "../checks/catalogue.js";
import { httpExchange, surfacedAudio } from "../checks/http.js";
import { sha256 } from "../checks/journal.js";
import { baselineGrade, type BaselineEntry } from "../report/baseline.js";
import { caseArb, fixedCases, wantsMp3 } from "./cases.js";
import { expiredClockShift } from "./access-token-cases.js";
import { startUnknownInjector, type UnknownInjector } from "./proxy.js";
import { TokenClock } from "./token-clock.js";

/** One case's verdict on one check. */
export interface CaseVerdict {
  case: string;
  grade: Exclude<Grade, "skipped">;
  message?: string;
}

/** A check's aggregated result for one adapter. */
export interface CheckResult {
  id: string;
  suite: Suite;
  section: string;
  statement: string;
  source: "sent" | "surfaced";
  grade: Grade;
  /** Why it was skipped, or the first failing case's message. */
  reason?: string;
  /** Each case that exercised the check (non-pass first). */
  cases: CaseVerdict[];
  /** `known`: the baseline lists this grade; `unexpected`: a failure the baseline does not list; `stale`: the baseline lists a grade it no longer has. */
  baseline?: "known" | "unexpected" | "stale";
}

/** A written counterexample. */
export interface Counterexample {
  suite: Suite;
  file: string;
  checks: string[];
  seed: number;
  replay: string;
}

/** The outcome of running an adapter. */
export interface AdapterReport {
  adapter: string;
  capabilities: Capabilities;
  checks: CheckResult[];
  cases: number;
  counterexamples: Counterexample[];
  /** Baseline entries of this adapter whose check no longer has that grade. */
  stale: BaselineEntry[];
  totals: Record<Grade, number>;
  /** Unexpected failures (not in the baseline). */
  unexpected: string[];
}

/** Options of a run. */
export interface RunOptions {
  adapter: Adapter;
  suites?: readonly Suite[];
  /** Generated cases per suite (0: fixed cases only). Default 5. */
  runs?: number;
  seed?: number;
  baseline?: readonly BaselineEntry[];
  /** Where counterexamples go (`<out>/counterexamples`). */
  outDir?: string;
  /** How to name the adapter in replay commands (`--adapter speechwire` or `--command "…"`). */
  adapterArg?: string;
  /** How to start the CLI in replay commands (`npx speechwire-conformance`, `node …/dist/bin.js`). Default `speechwire-conformance`. */
  command?: string;
  /** Run these cases instead of the fixed and generated ones (replay). */
  cases?: readonly Case[];
  /** Skip the fixed cases. */
  generatedOnly?: boolean;
  onProgress?: (line: string) => void;
  /** Per-case time limit, ms. Default 60 000. */
  caseTimeoutMs?: number;
  /**
   * How many shrink candidates a failure may run (default 100): after them, candidates are skipped and
   * the smallest failing case found so far is the counterexample (it still fails; it may not be
   * minimal). A count, not a time, so the same seed shrinks to the same case on any machine.
   */
  shrinkSteps?: number;
  /**
   * An optional wall-clock bound on shrinking as well, ms (no default). When it cuts shrinking short,
   * the counterexample may differ between machines; the progress line says so.
   */
  shrinkBudgetMs?: number;
}

/** One case run: what the adapter observed and what the journal holds. */
export interface CaseRun {
  case: Case;
  events: ObservationEvent[];
  result: CaseResult;
  sessions: SessionRecord[];
  /** TTS over HTTP, SSE: the raw `/tts/bytes` audio for the same request. */
  reference?: Uint8Array;
  /** TTS over HTTP, `/tts/bytes` with audio that does not match the journal: the mock's re-render of the request. */
  rerender?: Uint8Array;
  verdicts: Map<string, Verdict>;
}

const API_KEY = "sk_car_conformance";
/** The key access-token cases with `key: "invalid"` get: the strict mock refuses it (401). */
const INVALID_API_KEY = "sk_car_not_a_known_key";

/** The mocks of a run: the main one, one per idle limit, and unknown-frame relays. */
/**
 * The journal keeps server frames whole (up to the mock's 4 MiB frame limit), every one of a session's,
 * so TTS audio compares byte for byte.
 */
const WHOLE_FRAMES = { textChars: 4 * 1024 * 1024, textCharsPerSession: Number.POSITIVE_INFINITY };

class Environment {
  readonly #idle = new Map<number, Promise<MockServer>>();
  readonly #relays = new Map<MockServer, Promise<UnknownInjector>>();
  #strict: Promise<MockServer> | undefined;
  /** The strict mock's token clock: an expired case moves its mint into the past (see `TokenClock`). */
  readonly tokenClock = new TokenClock();
  #seq = 0;
  constructor(
    readonly main: MockServer,
    private readonly tls: boolean,
  ) {}

  static async start(tls: boolean): Promise<Environment> {
    return new Environment(await startMockServer({ port: 0, tlsPort: tls ? 0 : false, seed: 1, journalLimits: WHOLE_FRAMES }), tls);
  }

  mockFor(c: Case): Promise<MockServer> {
    // Access tokens are checked in strict auth mode: only the run's key or a valid token opens anything (§1.2, §7).
    if (c.suite === "access-token") {
      this.#strict ??= startMockServer({ port: 0, tlsPort: this.tls ? 0 : false, seed: 1, auth: "strict", apiKeys: [API_KEY], clock: this.tokenClock.now, journalLimits: WHOLE_FRAMES });
      return this.#strict;
    }
    if (!c.idleLimitMs) return Promise.resolve(this.main);
    const ms = c.idleLimitMs;
    let m = this.#idle.get(ms);
    if (!m) {
      m = startMockServer({ port: 0, tlsPort: this.tls ? 0 : false, seed: 1, idleTimeouts: { stt: ms, tts: ms }, journalLimits: WHOLE_FRAMES });
      this.#idle.set(ms, m);
    }
    return m;
  }

  relayFor(mock: MockServer): Promise<UnknownInjector> {
    let r = this.#relays.get(mock);
    if (!r) {
      r = startUnknownInjector(mock.urls.ws);
      this.#relays.set(mock, r);
    }
    return r;
  }

  scenarioName(c: Case): string {
    this.#seq += 1;
    return `conf-${this.#seq}-${c.id.toLowerCase().replace(/[^a-z0-9._-]/gu, "-")}`;
  }

  async close(): Promise<void> {
    for (const r of this.#relays.values()) await (await r).close();
    for (const m of this.#idle.values()) await (await m).close();
    if (this.#strict) await (await this.#strict).close();
    await this.main.close();
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether the adapter can run a case at all (reconnect and keep-alive cases need the capability; STT cases a model it can open the socket with). */
export function caseApplies(c: Case, caps: Capabilities): boolean {
  if (!caps.suites.includes(c.suite)) return false;
  if (c.reconnect && !caps.reconnect) return false;
  if (c.idleLimitMs && !caps.keepAlive) return false;
  // The unknown-frame relay is plain ws://: a client that insists on TLS for TTS cannot use it.
  if (c.injectUnknown && caps.tls && c.suite === "tts") return false;
  if (wantsMp3(c) && !caps.mp3) return false;
  // A client that ties the endpoint to the model cannot open this socket with this model.
  const models = c.stt && (c.suite === "stt-v1" || c.suite === "stt-turns") ? caps.sttModels?.[c.suite] : undefined;
  if (models && c.stt && !models.includes(c.stt.model)) return false;
  if (c.http?.endpoint === "sse" && !caps.sse) return false;
  if (c.http && caps.httpFormats && !wantsMp3(c)) {
    const f = c.http.request.output_format as { container?: string; encoding?: string } | undefined;
    if (!caps.httpFormats.includes(`${String(f?.container)}/${String(f?.encoding)}`)) return false;
  }
  return true;
}

/** Evaluates a suite's checks on one case run (pure). */
export function evaluateCase(run: Omit<CaseRun, "verdicts">, scenario: ReturnType<typeof scenarioSchema.parse>, caps: Capabilities, audio: Uint8Array): Map<string, Verdict> {
  const out = new Map<string, Verdict>();
  for (const check of checksFor([run.case.suite])) {
    if (check.requires?.some((r) => !caps[r])) continue;
    // The relay that injects the unknown frame changes close timing: those cases grade what the
    // client sent and whether it survived, not the rest of what it surfaced.
    if (run.case.injectUnknown && check.source === "surfaced" && !/\/(unknown-message|no-crash)$/u.test(check.id)) continue;
    const v = check.evaluate({
      case: run.case,
      scenario,
      sessions: run.sessions,
      observations: { events: run.events, result: run.result },
      capabilities: caps,
      audio,
      ...(run.reference ? { reference: run.reference } : {}),
      ...(run.rerender ? { rerender: run.rerender } : {}),
    });
    if (v) out.set(check.id, v);
  }
  return out;
}

/**
 * The case as an adapter gets it: without `config` actions when it cannot send a `config` (adapters
 * written before that action existed keep working; the checks then see a case without them).
 */
export function caseFor(c: Case, caps: Capabilities): Case {
  return caps.config || !c.actions.some((a) => a.op === "config") ? c : { ...c, actions: c.actions.filter((a) => a.op !== "config") };
}

async function runOneCase(env: Environment, adapter: Adapter, caps: Capabilities, asked: Case, timeoutMs: number): Promise<CaseRun> {
  const c = caseFor(asked, caps);
  const mock = await env.mockFor(c);
  const name = env.scenarioName(c);
  const scenario = scenarioSchema.parse({ ...c.scenario, name });
  mock.scenarios.add(scenario);
  const base = c.injectUnknown ? (await env.relayFor(mock)).url : mock.urls.http;
  // HTTP cases: the case's scenario is also the mock's default for the case, so a client that drops the
  // base URL's path (LiveKit's synthesize() always posts to `/tts/bytes`) still meets it. Cases run
  // one at a time, and the journal names the scenario either way.
  const http = c.suite === "tts-http" || c.suite === "stt-batch";
  const previousDefault = mock.scenarios.defaultName;
  if (http) mock.scenarios.defaultName = name;
  const target = {
    baseUrl: `${base}/s/${name}`,
    ...(mock.urls.https ? { tlsBaseUrl: `${mock.urls.https}/s/${name}` } : {}),
    ...(mock.cert ? { ca: mock.cert } : {}),
    apiKey: c.accessToken?.key === "invalid" ? INVALID_API_KEY : API_KEY,
  };
  const events: ObservationEvent[] = [];
  const invalid: string[] = [];
  // Expired token cases: the mint reads a clock `expires_in + 1` s back, the handshake real time. Armed
  // per case, right before the adapter starts, and disarmed below whatever happens.
  const shift = c.suite === "access-token" ? expiredClockShift(c) : undefined;
  if (shift !== undefined) env.tokenClock.arm(shift);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<CaseResult>((resolve) => {
    timer = setTimeout(() => resolve({ crashed: true, crash: `the adapter did not finish the case within ${timeoutMs} ms` }), timeoutMs);
  });
  let result: CaseResult;
  try {
    result = await Promise.race([
      adapter.runCase(target, c, (e) => {
        const parsed = observationEventSchema.safeParse(e);
        if (parsed.success) events.push(parsed.data);
        else invalid.push(parsed.error.message);
      }),
      timeout,
    ]);
  } catch (error) {
    result = { crashed: true, crash: `the adapter rejected: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    clearTimeout(timer);
    env.tokenClock.disarm();
    if (http) mock.scenarios.defaultName = previousDefault;
  }
  if (invalid.length > 0 && !result.crashed) result = { ...result, crashed: true, crash: `invalid observations: ${invalid[0]}` };
  // The journal closes a session when its socket has closed on the server side too.
  const deadline = Date.now() + 5000;
  const mine = () => mock.sessions().filter((s) => s.scenario === name);
  while (Date.now() < deadline && mine().some((s) => !s.endedAt)) await sleep(20);
  const sessions = mine().sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
  const audio = c.stt ? Buffer.from(c.stt.audio, "base64") : new Uint8Array(0);
  // Fetched after the case's records were taken: these requests are journalled too, but not graded.
  const reference = c.http?.endpoint === "sse" && !scenario.handshake ? await rawBytesFor(mock, name, c) : undefined;
  const rerender = c.http?.endpoint === "bytes" ? await rerenderIfDifferent(mock, name, sessions, events) : undefined;
  const partial = { case: c, events, result, sessions, ...(reference ? { reference } : {}), ...(rerender ? { rerender } : {}) };
  return { ...partial, verdicts: evaluateCase(partial, scenario, caps, audio) };
}

/**
 * The raw `/tts/bytes` audio the mock gives for an SSE case's request (the mock is deterministic),
 * fetched by the runner itself: what `tts-http/sse-events` compares the SSE audio with.
 */
async function rawBytesFor(mock: MockServer, scenario: string, c: Case): Promise<Uint8Array | undefined> {
  if (!c.http || c.http.invalid) return undefined;
  const { context_id: _c, add_timestamps: _t, add_phoneme_timestamps: _p, use_normalized_timestamps: _n, ...request } = c.http.request;
  return postTtsBytes(mock, scenario, c.version, JSON.stringify(request));
}

/** The runner's own `POST /tts/bytes` to the mock (not graded): the audio, or undefined when it is refused or fails. */
async function postTtsBytes(mock: MockServer, scenario: string, version: string, body: string): Promise<Uint8Array | undefined> {
  try {
    const res = await fetch(`${mock.urls.http}/s/${scenario}/tts/bytes`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_KEY}`, "cartesia-version": version, "content-type": "application/json" },
      body,
    });
    return res.ok ? new Uint8Array(await res.arrayBuffer()) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * For a `/tts/bytes` case whose surfaced audio does not match the journal's digest of the answer: the
 * mock's re-render of the last request the client sent (same body, same version; the mock is
 * deterministic), so `tts-http/bytes-audio` can name the first differing byte. `undefined` otherwise.
 */
async function rerenderIfDifferent(mock: MockServer, scenario: string, sessions: readonly SessionRecord[], events: readonly ObservationEvent[]): Promise<Uint8Array | undefined> {
  const last = sessions.flatMap((s) => {
    const e = s.endpoint === "tts-bytes" ? httpExchange(s) : undefined;
    return e ? [e] : [];
  }).at(-1);
  if (!last || last.status !== 200 || !last.response || last.body === undefined) return undefined;
  const audio = surfacedAudio(events);
  if (audio.length === last.response.bytes && sha256(audio) === last.response.sha256) return undefined;
  return postTtsBytes(mock, scenario, last.headers["cartesia-version"] ?? "", last.body);
}

const ORDER: Record<Grade, number> = { fail: 3, warning: 2, pass: 1, skipped: 0 };

/** Runs an adapter through the suites and grades every check. */
export async function runConformance(options: RunOptions): Promise<AdapterReport> {
  const caps = await options.adapter.capabilities();
  const suites = (options.suites ?? SUITES).filter((s) => SUITES.includes(s));
  const runs = options.runs ?? 5;
  const seed = options.seed ?? 1;
  const timeoutMs = options.caseTimeoutMs ?? 60_000;
  const progress = options.onProgress ?? (() => {});
  const baseline = (options.baseline ?? []).filter((b) => b.adapter === caps.name);
  const checks = checksFor(suites);
  const verdicts = new Map<string, CaseVerdict[]>(checks.map((c) => [c.id, []]));
  const counterexamples: Counterexample[] = [];
  let caseCount = 0;
  // TLS for clients that force it: cartesia-js' TTS socket, LiveKit's synthesize() (https only).
  const env = await Environment.start(caps.tls || (caps.suites.includes("tts-http") && suites.includes("tts-http")));
  const record = (run: CaseRun) => {
    caseCount += 1;
    for (const [id, v] of run.verdicts) verdicts.get(id)?.push({ case: run.case.id, grade: v.grade, ...(v.message ? { message: v.message } : {}) });
  };
  const unexpectedIn = (run: CaseRun) =>
    [...run.verdicts].filter(([id, v]) => v.grade === "fail" && baselineGrade(baseline, caps.name, id) !== "fail").map(([id]) => id);
  try {
    const fixed = options.cases ? [...options.cases] : options.generatedOnly ? [] : suites.flatMap((s) => fixedCases(s));
    const applicable = fixed.filter((c) => suites.includes(c.suite) && caseApplies(c, caps));
    let n = 0;
    for (const c of applicable) {
      n += 1;
      const run = await runOneCase(env, options.adapter, caps, c, timeoutMs);
      record(run);
      const bad = [...run.verdicts].filter(([, v]) => v.grade === "fail").map(([id]) => id);
      progress(`[${n}/${applicable.length}] ${c.id}: ${bad.length === 0 ? "ok" : `FAIL ${bad.join(", ")}`}`);
    }
    if (!options.cases && runs > 0) {
      for (const suite of suites) {
        if (!caps.suites.includes(suite)) continue;
        const failing = new Map<string, string[]>();
        let k = 0;
        // After the first failure every call is a shrink step: each gets a progress line, and past the
        // step budget (or the optional time budget) the rest are skipped, so a failure is reported in
        // bounded time, and (with the step budget alone) as the same case on any machine.
        let shrinkingSince: number | undefined;
        let step = 0;
        const maxSteps = options.shrinkSteps ?? 100;
        const budgetMs = options.shrinkBudgetMs;
        let cut: "steps" | "time" | undefined;
        const outcome = await fc.check(
          fc.asyncProperty(caseArb(suite), async (c) => {
            // A generated drop needs the reconnect capability, like the fixed drop cases.
            fc.pre(caseApplies(c, caps));
            if (shrinkingSince !== undefined && cut === undefined) {
              if (step >= maxSteps) cut = "steps";
              else if (budgetMs !== undefined && Date.now() - shrinkingSince > budgetMs) cut = "time";
              if (cut) progress(`[${suite} shrinking stopped after ${step} step(s): ${cut === "steps" ? `the step budget (${maxSteps})` : `the time budget (${Math.round((budgetMs as number) / 1000)} s; the case may differ on another machine)`}]`);
            }
            if (cut) fc.pre(false);
            const run = await runOneCase(env, options.adapter, caps, c, timeoutMs);
            record(run);
            const bad = unexpectedIn(run);
            if (bad.length > 0) failing.set(JSON.stringify(c), bad);
            k += 1;
            if (shrinkingSince !== undefined) {
              step += 1;
              progress(`[${suite} shrinking, step ${step}, ${Math.round((Date.now() - shrinkingSince) / 1000)} s] ${bad.length === 0 ? "passes" : `still fails ${bad.join(", ")}`}`);
            } else if (k <= runs) {
              progress(`[${suite} property ${k}/${runs}] ${bad.length === 0 ? "ok" : `FAIL ${bad.join(", ")} (shrinking, at most ${maxSteps} steps${budgetMs !== undefined ? ` or ${Math.round(budgetMs / 1000)} s` : ""})`}`);
            }
            if (bad.length > 0 && shrinkingSince === undefined) shrinkingSince = Date.now();
            return bad.length === 0;
          }),
          { numRuns: runs, seed, endOnFailure: false },
        );
        if (outcome.failed && outcome.counterexample) {
          const c = outcome.counterexample[0];
          const ids = failing.get(JSON.stringify(c)) ?? ["(unknown)"];
          const dir = join(options.outDir ?? ".", "counterexamples");
          mkdirSync(dir, { recursive: true });
          const file = join(dir, `${(ids[0] ?? "check").replace(/[^a-z0-9-]/giu, "_")}-${outcome.seed}.json`);
          const replay = `${options.command ?? "speechwire-conformance"} replay ${file} ${options.adapterArg ?? "--adapter <adapter>"}`;
          writeFileSync(file, `${JSON.stringify({ adapter: caps.name, suite, seed: outcome.seed, path: outcome.counterexamplePath, checks: ids, replay, case: c }, null, 2)}\n`);
          counterexamples.push({ suite, file, checks: ids, seed: outcome.seed, replay });
          progress(`counterexample for ${ids.join(", ")} written to ${file}\n  replay: ${replay}`);
        }
      }
    }
  } finally {
    await env.close();
    await options.adapter.dispose?.();
  }
  return aggregate(caps, checks, verdicts, baseline, caseCount, counterexamples);
}

function aggregate(caps: Capabilities, checks: Check[], verdicts: Map<string, CaseVerdict[]>, baseline: readonly BaselineEntry[], cases: number, counterexamples: Counterexample[]): AdapterReport {
  const results: CheckResult[] = checks.map((check) => {
    const list = [...(verdicts.get(check.id) ?? [])].sort((a, b) => ORDER[b.grade] - ORDER[a.grade]);
    const base = { id: check.id, suite: check.suite, section: check.section, statement: check.statement, source: check.source };
    const missing = check.requires?.filter((r) => !caps[r]) ?? [];
    if (!caps.suites.includes(check.suite)) return { ...base, grade: "skipped" as Grade, reason: `the adapter does not support ${check.suite}`, cases: [] };
    if (missing.length > 0) return { ...base, grade: "skipped" as Grade, reason: `capability not declared: ${missing.join(", ")}`, cases: [] };
    if (list.length === 0) return { ...base, grade: "skipped" as Grade, reason: "no case exercised it", cases: [] };
    const grade = (list[0] as CaseVerdict).grade;
    return { ...base, grade, ...(grade !== "pass" && list[0]?.message ? { reason: `${list[0].case}: ${list[0].message}` } : {}), cases: list };
  });
  const stale: BaselineEntry[] = [];
  const unexpected: string[] = [];
  for (const r of results) {
    const known = baselineGrade(baseline, caps.name, r.id);
    if (known !== undefined && known !== r.grade) {
      r.baseline = r.grade === "fail" ? "unexpected" : "stale";
      if (r.grade === "fail") unexpected.push(r.id);
      else stale.push({ adapter: caps.name, check: r.id, grade: known });
    } else if (known !== undefined) r.baseline = "known";
    else if (r.grade === "fail") {
      r.baseline = "unexpected";
      unexpected.push(r.id);
    }
  }
  const totals: Record<Grade, number> = { pass: 0, fail: 0, warning: 0, skipped: 0 };
  for (const r of results) totals[r.grade] += 1;
  return { adapter: caps.name, capabilities: caps, checks: results, cases, counterexamples, stale, totals, unexpected };
}
