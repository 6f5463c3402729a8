/** The scenario registry and per-connection selection (DESIGN.md "Scenario selection"). */
import { BUILTIN_SCENARIOS } from "../scenario/builtin.js";
import type { Scenario } from "../scenario/schema.js";
import type { Latency } from "../core/latency.js";
import type { HttpError } from "./respond.js";

/** The header that selects a scenario. */
export const SCENARIO_HEADER = "x-speechwire-scenario";
/** The query parameter that selects a scenario. */
export const SCENARIO_QUERY = "speechwire_scenario";

/** Holds the scenarios a server knows: built-ins, a folder's, and those added at run time. */
export class ScenarioRegistry {
  readonly #byName = new Map<string, Scenario>();
  #connections = new Map<string, number>();
  /** The scenarios and default the server started with (`seal()`), which `reset()` restores. */
  #startup: { byName: Map<string, Scenario>; defaultName: string } | undefined;

  constructor(
    public defaultName: string,
    private readonly latencyOverride?: Latency,
  ) {
    for (const s of BUILTIN_SCENARIOS) this.#byName.set(s.name, s);
  }

  /** Adds or replaces a scenario. */
  add(scenario: Scenario): void {
    this.#byName.set(scenario.name, scenario);
  }

  /**
   * Marks the current scenarios and default as the server's own (built-ins, a folder's, those given in
   * code): `isProtected` is true for them and `reset()` comes back to this state.
   */
  seal(): void {
    this.#startup = { byName: new Map(this.#byName), defaultName: this.defaultName };
  }

  /** Whether a name belongs to a scenario the server started with (replacing it needs an explicit ask). */
  isProtected(name: string): boolean {
    return this.#startup?.byName.has(name) ?? false;
  }

  /**
   * Removes a scenario added at run time. A scenario the server started with is not removed
   * (`"protected"`); a replaced one comes back to its startup version. Connections that already chose
   * it keep it.
   */
  remove(name: string): "removed" | "restored" | "protected" | "unknown" {
    const startup = this.#startup?.byName.get(name);
    const current = this.#byName.get(name);
    if (current === undefined) return "unknown";
    if (startup === current) return "protected";
    if (startup !== undefined) {
      this.#byName.set(name, startup);
      return "restored";
    }
    this.#byName.delete(name);
    if (this.defaultName === name) this.defaultName = this.#startup?.defaultName ?? this.defaultName;
    return "removed";
  }

  /** Back to the sealed state: run-time scenarios gone, replaced ones restored, the startup default, connection counts at 0. */
  reset(): void {
    if (this.#startup) {
      this.#byName.clear();
      for (const [name, s] of this.#startup.byName) this.#byName.set(name, s);
      this.defaultName = this.#startup.defaultName;
    }
    this.#connections = new Map();
  }

  /** Every scenario, sorted by name. */
  list(): Scenario[] {
    return [...this.#byName.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** A scenario by name, with the server's latency override applied. */
  get(name: string): Scenario | undefined {
    const scenario = this.#byName.get(name);
    if (!scenario || this.latencyOverride === undefined) return scenario;
    const l = this.latencyOverride;
    return { ...scenario, latency: { finalize: l, turnEnd: l, ttsFirstChunk: l } };
  }

  /** Counts connections per scenario (1 for the first), so faults can fire only on early ones. */
  nextConnection(name: string): number {
    const n = (this.#connections.get(name) ?? 0) + 1;
    this.#connections.set(name, n);
    return n;
  }
}

/** A request path with its scenario prefix (`/s/<name>/…`) split off. */
export interface RoutedPath {
  path: string;
  scenarioFromPath?: string;
}

/** Percent-decodes one path segment; `undefined` when its encoding is malformed (`%ZZ`, a lone `%`, bad UTF-8). */
export function decodePathSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Splits `/s/<name>/rest` into the scenario name and `/rest`; `undefined` when the name does not decode. */
export function splitScenarioPrefix(pathname: string): RoutedPath | undefined {
  const m = /^\/s\/([^/]+)(\/.*)?$/.exec(pathname);
  if (!m) return { path: pathname };
  const name = decodePathSegment(m[1] as string);
  return name === undefined ? undefined : { path: m[2] ?? "/", scenarioFromPath: name };
}

/** Which scenario a connection asked for: path prefix, then query, then header; else undefined. */
export function requestedScenario(routed: RoutedPath, query: URLSearchParams, header: string | undefined): string | undefined {
  return routed.scenarioFromPath ?? query.get(SCENARIO_QUERY) ?? header ?? undefined;
}

/**
 * The refusal a scenario's `handshake` rule makes, the same on WebSocket handshakes and HTTP requests:
 * 401 and 429 with the titles and codes the real API uses for them, any other status a plain refusal.
 */
export function scenarioRefusal(scenario: Scenario, what: "handshake" | "request"): HttpError | undefined {
  if (!scenario.handshake) return undefined;
  const { status, message } = scenario.handshake;
  const title = status === 401 ? "Unauthorized" : status === 429 ? "Too many concurrent requests" : "Refused";
  const code = status === 429 ? "concurrency_limited" : status === 401 ? "unauthorized" : null;
  return { status, code, title, message: message ?? `Scenario "${scenario.name}" refuses ${what === "handshake" ? "the handshake" : "requests"} with ${status}.` };
}
