/**
 * The Artillery engine `speechwire`: each virtual user runs the bench's own session scripts (STT v1,
 * STT turns, TTS) with the bench's drivers, and reports the bench's metrics as Artillery histograms
 * under the bench's metric ids, plus counters for sessions, errors, missing events and send lag.
 * Artillery loads it through the CommonJS shim `artillery-engine-speechwire` (see `engineModulePath`).
 */
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { CLIENTS, driverFor, type ClientName, type Connection } from "../drivers/index.js";
import { metricDefinition, type Endpoint } from "../metrics/definitions.js";
import { sttV1Session, ttsSession, turnsSession, type Pacing, type SessionValues } from "../run/sessions.js";
import { BENCH_SCENARIOS, DEFAULT_SCENARIO, turnsPlan, v1Plan } from "../targets/scenarios.js";
import { BENCH_VERSION } from "../targets/target.js";

/** The `config.speechwire` block of an artillery.yml, with defaults filled in. */
export interface ArtilleryRunConfig {
  /** http(s) base URL of the target (`config.target`), e.g. a `speechwire-mock` on 127.0.0.1. */
  target: string;
  /** The same routes over TLS (cartesia-js always opens TTS with `wss`). */
  tlsTarget?: string;
  /** PEM file of a certificate to trust for `tlsTarget` (a mock's self-signed one). */
  caFile?: string;
  client: ClientName;
  pacing: Pacing;
  rounds: number;
  requests: number;
  apiKey: string;
  /** The mock's latency setting, as the mock was started (`--latency`); recorded, not applied. */
  latency: string;
}

/** A flow step of a `speechwire` scenario. */
export type EngineStep = { kind: Endpoint; client?: ClientName; pacing?: Pacing; rounds?: number; requests?: number } | { kind: "think"; seconds: number };

/** Artillery's per-scenario event emitter (the subset the engine uses). */
export interface ArtilleryEvents {
  emit(event: "started"): unknown;
  emit(event: "error", message: string): unknown;
  emit(event: "counter" | "histogram", name: string, value: number): unknown;
}

/** Frames later than this against their real-time schedule count as late (one frame). */
export const LATE_FRAME_MS = 20;

const ENDPOINT_KEYS: readonly Endpoint[] = ["stt-v1", "stt-turns", "tts"];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function intOf(where: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1) throw new Error(`${where} takes an integer ≥ 1, got ${JSON.stringify(v)}`);
  return n;
}

function clientOf(where: string, v: unknown, fallback: ClientName): ClientName {
  if (v === undefined) return fallback;
  if (!CLIENTS.includes(v as ClientName)) throw new Error(`${where} takes one of ${CLIENTS.join(", ")}, got ${JSON.stringify(v)}`);
  return v as ClientName;
}

function pacingOf(where: string, v: unknown, fallback: Pacing): Pacing {
  if (v === undefined) return fallback;
  if (v !== "fast" && v !== "realtime") throw new Error(`${where} takes fast or realtime, got ${JSON.stringify(v)}`);
  return v;
}

/** Reads and checks `config.target` and `config.speechwire` of an Artillery script; throws a clear error. */
export function parseRunConfig(config: unknown, env: NodeJS.ProcessEnv = process.env): ArtilleryRunConfig {
  if (!isRecord(config)) throw new Error("speechwire engine: the script has no config block");
  const target = config.target;
  if (typeof target !== "string" || !/^https?:\/\//.test(target)) throw new Error(`speechwire engine: config.target must be an http(s) URL (e.g. a speechwire-mock on 127.0.0.1), got ${JSON.stringify(target)}`);
  try {
    new URL(target);
  } catch {
    throw new Error(`speechwire engine: config.target is not a URL: ${target}`);
  }
  const sw = config.speechwire ?? {};
  if (!isRecord(sw)) throw new Error("speechwire engine: config.speechwire must be a mapping");
  const known = new Set(["client", "pacing", "rounds", "requests", "apiKey", "latency", "tlsTarget", "caFile"]);
  for (const k of Object.keys(sw)) if (!known.has(k)) throw new Error(`speechwire engine: unknown key config.speechwire.${k} (known: ${[...known].join(", ")})`);
  const apiKey = sw.apiKey ?? env.CARTESIA_API_KEY ?? "sk_car_bench";
  if (typeof apiKey !== "string" || apiKey === "") throw new Error("speechwire engine: config.speechwire.apiKey must be a non-empty string");
  const latency = sw.latency === undefined ? "none" : String(sw.latency);
  if (sw.tlsTarget !== undefined && (typeof sw.tlsTarget !== "string" || !/^https:\/\//.test(sw.tlsTarget))) throw new Error(`speechwire engine: config.speechwire.tlsTarget must be an https URL, got ${JSON.stringify(sw.tlsTarget)}`);
  if (sw.caFile !== undefined && typeof sw.caFile !== "string") throw new Error("speechwire engine: config.speechwire.caFile must be a file path");
  return {
    target: target.replace(/\/+$/, ""),
    ...(typeof sw.tlsTarget === "string" ? { tlsTarget: sw.tlsTarget.replace(/\/+$/, "") } : {}),
    ...(typeof sw.caFile === "string" ? { caFile: sw.caFile } : {}),
    client: clientOf("config.speechwire.client", sw.client, "speechwire"),
    pacing: pacingOf("config.speechwire.pacing", sw.pacing, "fast"),
    rounds: intOf("config.speechwire.rounds", sw.rounds, 5),
    requests: intOf("config.speechwire.requests", sw.requests, 3),
    apiKey,
    latency,
  };
}

/**
 * Reads a scenario's flow: each step is `{stt-v1: {...}}`, `{stt-turns: {...}}`, `{tts: {...}}` (one
 * session; options client, pacing, rounds, requests override config.speechwire) or `{think: seconds}`.
 */
export function parseFlow(flow: unknown): EngineStep[] {
  if (!Array.isArray(flow) || flow.length === 0) throw new Error("speechwire engine: a scenario needs a non-empty flow");
  return flow.map((step, i): EngineStep => {
    const where = `flow[${i}]`;
    if (!isRecord(step) || Object.keys(step).length !== 1) throw new Error(`speechwire engine: ${where} must have exactly one key: stt-v1, stt-turns, tts or think`);
    const [key, value] = Object.entries(step)[0] as [string, unknown];
    if (key === "think") {
      const seconds = typeof value === "number" ? value : Number.NaN;
      if (!Number.isFinite(seconds) || seconds < 0) throw new Error(`speechwire engine: ${where}.think takes seconds ≥ 0, got ${JSON.stringify(value)}`);
      return { kind: "think", seconds };
    }
    if (!ENDPOINT_KEYS.includes(key as Endpoint)) throw new Error(`speechwire engine: ${where}: unknown step "${key}" (stt-v1, stt-turns, tts, think)`);
    const o = value ?? {};
    if (!isRecord(o)) throw new Error(`speechwire engine: ${where}.${key} must be a mapping of options (client, pacing, rounds, requests) or empty`);
    for (const k of Object.keys(o)) if (!["client", "pacing", "rounds", "requests"].includes(k)) throw new Error(`speechwire engine: ${where}.${key}: unknown option "${k}" (client, pacing, rounds, requests)`);
    return {
      kind: key as Endpoint,
      ...(o.client !== undefined ? { client: clientOf(`${where}.${key}.client`, o.client, "speechwire") } : {}),
      ...(o.pacing !== undefined ? { pacing: pacingOf(`${where}.${key}.pacing`, o.pacing, "fast") } : {}),
      ...(o.rounds !== undefined ? { rounds: intOf(`${where}.${key}.rounds`, o.rounds, 5) } : {}),
      ...(o.requests !== undefined ? { requests: intOf(`${where}.${key}.requests`, o.requests, 3) } : {}),
    };
  });
}

/** What one session step reports: histograms (bench ids; ratios in thousandths) and counters. */
export interface StepReport {
  histograms: [string, number][];
  counters: [string, number][];
}

/**
 * Turns one session's values into Artillery metrics. Ratios are emitted in thousandths (as the bench's
 * HDR records them) because Artillery rounds its summaries to 0.1; `artillery report` divides them back.
 */
export function stepMetrics(endpoint: Endpoint, values: SessionValues, expected: { rounds: number; turns: number; requests: number }): StepReport {
  const histograms: [string, number][] = [];
  for (const [id, vs] of Object.entries(values)) {
    const unit = metricDefinition(id)?.unit ?? "ms";
    for (const v of vs) histograms.push([id, unit === "ratio" ? Math.max(0, v) * 1000 : Math.max(0, v)]);
  }
  const n = (id: string) => values[id]?.length ?? 0;
  const counters: [string, number][] = [[`speechwire.${endpoint}.sessions.ok`, 1]];
  const missing = (what: string, count: number) => {
    if (count > 0) counters.push([`speechwire.${endpoint}.missing.${what}`, count]);
  };
  if (endpoint === "stt-v1") missing("final", expected.rounds - n("stt-v1.finalize-to-final"));
  if (endpoint === "stt-turns") missing("turn-end", expected.turns - n("stt-turns.speech-end-to-turn-end"));
  if (endpoint === "tts") {
    missing("first-chunk", expected.requests - n("tts.first-chunk"));
    missing("timestamps", expected.requests - (values["tts.timestamp-coverage"] ?? []).filter((c) => c >= 1).length);
  }
  return { histograms, counters };
}

/** The Artillery engine (Artillery calls `new Engine(script, events, helpers)`, then `createScenario`). */
export class SpeechwireEngine {
  readonly config: ArtilleryRunConfig;
  readonly #ca: string | undefined;

  constructor(script: { config?: unknown }, _events?: unknown, _helpers?: unknown) {
    this.config = parseRunConfig(script?.config);
    this.#ca = this.config.caFile ? readFileSync(this.config.caFile, "utf8") : undefined;
  }

  /** The connection of an endpoint: the target with the bench's scenario selected by path (`/s/<name>`). */
  connection(endpoint: Endpoint): Connection {
    const prefix = `/s/${DEFAULT_SCENARIO[endpoint]}`;
    return {
      baseUrl: `${this.config.target}${prefix}`,
      ...(this.config.tlsTarget ? { tlsBaseUrl: `${this.config.tlsTarget}${prefix}` } : {}),
      ...(this.#ca ? { ca: this.#ca } : {}),
      apiKey: this.config.apiKey,
      version: BENCH_VERSION,
    };
  }

  /** Runs one session step and emits its metrics; rejects (after emitting the error) when the session fails. */
  async runStep(step: Extract<EngineStep, { kind: Endpoint }>, events: ArtilleryEvents, index: number): Promise<void> {
    const c = this.config;
    const endpoint = step.kind;
    const client = step.client ?? c.client;
    const pacing = step.pacing ?? c.pacing;
    const rounds = step.rounds ?? c.rounds;
    const requests = step.requests ?? c.requests;
    for (const name of [`client.${client}`, `pacing.${pacing}`, `latency.${c.latency}`, `rounds.${rounds}`, `requests.${requests}`, `target.${c.target}`]) events.emit("counter", `speechwire.run.${name}`, 1);
    const driver = driverFor(client);
    const why = driver.unsupported(endpoint) ?? (client === "cartesia-js" && endpoint === "tts" && !c.tlsTarget ? "cartesia-js opens TTS with wss only: set config.speechwire.tlsTarget (and caFile for a self-signed mock)" : undefined);
    if (why) {
      events.emit("counter", `speechwire.${endpoint}.sessions.failed`, 1);
      events.emit("error", `${endpoint}: ${client} cannot run it: ${why}`);
      throw new Error(why);
    }
    let maxLag = 0;
    let late = 0;
    const hooks = {
      sendLag: (ms: number) => {
        if (ms > maxLag) maxLag = ms;
        if (ms > LATE_FRAME_MS) late += 1;
      },
    };
    const scenario = BENCH_SCENARIOS.find((s) => s.name === DEFAULT_SCENARIO[endpoint]);
    if (!scenario) throw new Error(`no bench scenario for ${endpoint}`);
    let values: SessionValues;
    let turns = 0;
    try {
      if (endpoint === "stt-v1") values = await sttV1Session(driver, this.connection(endpoint), v1Plan(scenario), rounds, pacing, hooks);
      else if (endpoint === "stt-turns") {
        const plan = turnsPlan(scenario);
        turns = plan.turns;
        values = await turnsSession(driver, this.connection(endpoint), plan, pacing, hooks);
      } else values = await ttsSession(driver, this.connection(endpoint), requests, index);
    } catch (error) {
      events.emit("counter", `speechwire.${endpoint}.sessions.failed`, 1);
      const message = error instanceof Error ? error.message : String(error);
      events.emit("error", `${endpoint}: ${message}`);
      throw error instanceof Error ? error : new Error(message);
    } finally {
      if (pacing === "realtime" && endpoint !== "tts") {
        events.emit("histogram", "speechwire.send-lag.max", maxLag);
        if (late > 0) events.emit("counter", "speechwire.send-lag.late-frames", late);
      }
    }
    const report = stepMetrics(endpoint, values, { rounds, turns, requests });
    for (const [name, v] of report.histograms) events.emit("histogram", name, v);
    for (const [name, v] of report.counters) events.emit("counter", name, v);
  }

  /** Artillery's hook: returns the function that runs one virtual user of this scenario. */
  createScenario(spec: { flow?: unknown }, events: ArtilleryEvents): (context: Record<string, unknown>, done: (error: Error | null, context: Record<string, unknown>) => void) => void {
    const steps = parseFlow(spec?.flow);
    let counter = 0;
    return (context, done) => {
      events.emit("started");
      const run = async () => {
        for (const step of steps) {
          if (step.kind === "think") await sleep(step.seconds * 1000);
          else await this.runStep(step, events, counter++);
        }
      };
      run().then(
        () => done(null, context),
        (error: unknown) => done(error instanceof Error ? error : new Error(String(error)), context),
      );
    };
  }
}
