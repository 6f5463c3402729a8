/**
 * The connection bar's state: which mock (or any base URL), which credential, which endpoint and
 * scenario. Sessions get a client for `<base>/s/<scenario>` with an access token in the query (browsers
 * cannot set handshake headers, docs/protocol §1.2); without a token given, one is minted from the base
 * URL's `POST /access-token` (the mock in its default `open` auth mode mints one for any key, or none).
 */
import { createClient, type Client } from "@speechwire/client";

/** The three WebSocket endpoints the playground drives. */
export const ENDPOINTS = ["stt-turns", "stt-v1", "tts"] as const;
/** One of `ENDPOINTS`. */
export type Endpoint = (typeof ENDPOINTS)[number];

/** A scenario as listed by the mock's admin API. */
export interface ScenarioSummary {
  name: string;
  description: string;
  default: boolean;
}

/** Where and how sessions connect. */
export interface ConnectionSettings {
  baseUrl: string;
  /** An access token to use as given; empty: mint one per session. */
  accessToken: string;
  /** The key used to mint tokens (any key, or none, for the mock in open mode). */
  apiKey: string;
  endpoint: Endpoint;
  /** Empty: no scenario prefix (the server's default scenario, or a real endpoint). */
  scenario: string;
}

/** The base URL the page was served from, or `?mock=` / the dev default. */
export function defaultBaseUrl(location: Location): string {
  const fromQuery = new URLSearchParams(location.search).get("mock");
  if (fromQuery) return fromQuery.replace(/\/+$/, "");
  return import.meta.env.DEV ? "http://127.0.0.1:8787" : location.origin;
}

/** Live connection state shared by every view. */
export class Connection {
  scenarios: ScenarioSummary[] = [];
  readonly #listeners = new Set<() => void>();

  constructor(public settings: ConnectionSettings) {}

  /** Calls `listener` whenever settings or the scenario list change. */
  onChange(listener: () => void): void {
    this.#listeners.add(listener);
  }

  /** Updates settings and tells the views. */
  update(patch: Partial<ConnectionSettings>): void {
    this.settings = { ...this.settings, ...patch };
    for (const l of this.#listeners) l();
  }

  /** The base URL without a trailing slash. */
  get base(): string {
    return this.settings.baseUrl.replace(/\/+$/, "");
  }

  /** The base URL with the scenario prefix, as every client of the mock would use it. */
  get sessionBase(): string {
    return this.settings.scenario ? `${this.base}/s/${encodeURIComponent(this.settings.scenario)}` : this.base;
  }

  /** Loads the scenario list from the mock's admin API; returns an error message on failure. */
  async refreshScenarios(): Promise<string | undefined> {
    try {
      const res = await fetch(`${this.base}/_speechwire/scenarios`);
      if (!res.ok) throw new Error(`GET /_speechwire/scenarios: HTTP ${res.status}`);
      this.scenarios = (await res.json()) as ScenarioSummary[];
      if (!this.settings.scenario || !this.scenarios.some((s) => s.name === this.settings.scenario)) {
        const fallback = this.scenarios.find((s) => s.default)?.name ?? this.scenarios[0]?.name ?? "";
        this.settings = { ...this.settings, scenario: this.settings.scenario && this.scenarios.length === 0 ? this.settings.scenario : fallback };
      }
      for (const l of this.#listeners) l();
      return undefined;
    } catch (error) {
      // Not a mock (or not reachable): no scenario prefix, so a real endpoint's URLs stay as they are.
      this.scenarios = [];
      this.settings = { ...this.settings, scenario: "" };
      for (const l of this.#listeners) l();
      return `cannot reach ${this.base} (${(error as Error).message}); not a speechwire mock? Scenarios need its admin API.`;
    }
  }

  /** The access token to use: the one given, else a fresh one from `POST /access-token`. */
  async token(grants: { stt?: boolean; tts?: boolean }): Promise<string> {
    if (this.settings.accessToken.trim()) return this.settings.accessToken.trim();
    const minter = createClient({ baseUrl: this.base, ...(this.settings.apiKey ? { apiKey: this.settings.apiKey } : {}) });
    const { token } = await minter.accessToken.create(grants, 600);
    return token;
  }

  /** A client for one session, with the scenario prefix and an access token. */
  async client(grants: { stt?: boolean; tts?: boolean }): Promise<Client> {
    return createClient({ baseUrl: this.sessionBase, accessToken: await this.token(grants) });
  }
}
