/**
 * Targets: the embedded mock (started by the bench, on loopback, with a latency profile) or any URL
 * with an API key (a real endpoint). Both give the drivers a `Connection` per endpoint.
 */
import { LATENCY_PROFILES, scenarioSchema, startMockServer, type Latency, type MockServer, type Scenario } from "@speechwire/mock-server";
import { isDeepStrictEqual } from "node:util";
import type { Endpoint } from "../metrics/definitions.js";
import type { Connection } from "../drivers/types.js";
import { ServerProcess } from "../run/child.js";
import { BENCH_SCENARIOS } from "./scenarios.js";

/** The Cartesia-Version the bench sends (drivers that let it choose). */
export const BENCH_VERSION = "2026-03-01";

/** What to run against. */
export type TargetSpec = {
  kind: "mock";
  latency: Latency;
  seed: number;
  tls: boolean;
  /** Run the mock in a child process of its own (`--mock-process`) instead of the bench's process. */
  process?: boolean;
} | { kind: "url"; url: string; apiKey: string; adminKey?: string };

/** A started target. */
export interface Target {
  spec: TargetSpec;
  /** For the environment block: "embedded mock" or the URL (never the key). */
  description: string;
  /** The connection for an endpoint and scenario (the mock selects it with `/s/<name>`). */
  connection(endpoint: Endpoint, scenario: string | undefined): Connection;
  /**
   * Whether the target follows the mock's scenarios (the embedded mock, or a URL that answers the
   * mock's `/_speechwire/health`): then STT audio can be the scripted silence and speech ends are known.
   */
  scripted: boolean;
  /** A scenario by name (scripted targets), for the audio plan. */
  scenario(name: string): Promise<Scenario | undefined>;
  /**
   * A connection for one session on a server of its own, or undefined to use `connection`. The mock
   * draws STT delays per connection ordinal, which under concurrency depends on timing; under a named
   * profile each STT session therefore gets its own mock with seed `seed + 1 + index` (started and
   * stopped outside every timed span), so a session's draws depend only on its index.
   */
  sessionConnection?(endpoint: Endpoint, scenario: string | undefined, index: number): Promise<{ connection: Connection; release: () => Promise<void> } | undefined>;
  /** The mock's scenarios (undefined for a URL target). */
  mock?: MockServer;
  close(): Promise<void>;
}

/** Describes a latency setting with its source (named profiles). */
export function describeLatency(latency: Latency): string {
  if (latency === "none") return "none";
  if (typeof latency === "number") return `fixed ${latency} ms`;
  return `${latency} (${LATENCY_PROFILES[latency].source})`;
}

/** Starts (mock) or prepares (URL) a target. */
export async function startTarget(spec: TargetSpec): Promise<Target> {
  if (spec.kind === "url") {
    let base: URL;
    try {
      base = new URL(spec.url);
    } catch {
      throw new Error(`--target must be "mock" or an http(s) URL, got ${spec.url}`);
    }
    if (base.protocol !== "http:" && base.protocol !== "https:") throw new Error(`--target must be "mock" or an http(s) URL, got ${spec.url}`);
    const root = base.toString().replace(/\/+$/, "");
    const mockAdmin = await speechwireMockAt(base, spec.adminKey);
    if (mockAdmin) {
      // A speechwire mock started elsewhere: load the bench's scenarios through its admin API.
      for (const scenario of BENCH_SCENARIOS) await mockAdmin.add(scenario);
    }
    return {
      spec,
      description: `${base.origin}${base.pathname.replace(/\/+$/, "")}${mockAdmin ? " (a speechwire mock)" : ""}`,
      scripted: mockAdmin !== undefined,
      scenario: async (name) => (mockAdmin ? mockAdmin.get(name) : undefined),
      connection: (_endpoint, scenario) => ({
        baseUrl: mockAdmin && scenario ? `${root}/s/${encodeURIComponent(scenario)}` : root,
        apiKey: spec.apiKey,
        version: BENCH_VERSION,
      }),
      close: async () => {},
    };
  }
  const start = (seed: number, tls: boolean) =>
    startMockServer({ host: "127.0.0.1", port: 0, tlsPort: tls ? 0 : false, seed, latency: spec.latency, scenarios: BENCH_SCENARIOS });
  const connectionOf = (mock: MockServer, scenario: string | undefined): Connection => {
    const prefix = scenario ? `/s/${encodeURIComponent(scenario)}` : "";
    return {
      baseUrl: `${mock.urls.http}${prefix}`,
      ...(mock.urls.https ? { tlsBaseUrl: `${mock.urls.https}${prefix}` } : {}),
      ...(mock.cert ? { ca: mock.cert } : {}),
      apiKey: "sk_car_bench",
      version: BENCH_VERSION,
    };
  };
  const drawn = typeof spec.latency === "string" && spec.latency !== "none";
  if (spec.process) {
    // The same mock and scenarios, in a child process: the mock's CPU and event loop are its own.
    const child = await ServerProcess.start();
    const connectionOfChild = (s: { urls: { http: string; https?: string }; cert?: string }, scenario: string | undefined): Connection => {
      const prefix = scenario ? `/s/${encodeURIComponent(scenario)}` : "";
      return { baseUrl: `${s.urls.http}${prefix}`, ...(s.urls.https ? { tlsBaseUrl: `${s.urls.https}${prefix}` } : {}), ...(s.cert ? { ca: s.cert } : {}), apiKey: "sk_car_bench", version: BENCH_VERSION };
    };
    try {
      const main = await child.mock(spec.latency, spec.seed, spec.tls);
      const admin = await speechwireMockAt(new URL(main.urls.http), undefined);
      return {
        spec,
        description: "embedded mock (@speechwire/mock-server, in a child process of its own, 127.0.0.1)",
        scripted: true,
        scenario: async (name) => BENCH_SCENARIOS.find((s) => s.name === name) ?? admin?.get(name),
        connection: (_endpoint, scenario) => connectionOfChild(main, scenario),
        async sessionConnection(endpoint, scenario, index) {
          if (!drawn || endpoint === "tts") return undefined;
          const own = await child.mock(spec.latency, spec.seed + 1 + index, false);
          return { connection: connectionOfChild(own, scenario), release: () => own.close() };
        },
        close: () => child.close(),
      };
    } catch (error) {
      await child.close();
      throw error;
    }
  }
  const mock = await start(spec.seed, spec.tls);
  return {
    spec,
    description: "embedded mock (@speechwire/mock-server, in this process, 127.0.0.1)",
    mock,
    scripted: true,
    scenario: async (name) => mock.scenarios.get(name),
    connection: (_endpoint, scenario) => connectionOf(mock, scenario),
    async sessionConnection(endpoint, scenario, index) {
      // TTS draws per connection already; fixed and zero latencies draw nothing.
      if (!drawn || endpoint === "tts") return undefined;
      const own = await start(spec.seed + 1 + index, false);
      return { connection: connectionOf(own, scenario), release: () => own.close() };
    },
    close: () => mock.close(),
  };
}

/**
 * The admin API of a speechwire mock at `base`, if `GET /_speechwire/health` answers like one (open
 * in every mode, no credentials sent); undefined for anything else, e.g. a real endpoint. A mock in
 * strict mode needs its admin key (`--admin-key`) for the rest of the admin API; the API key never goes there.
 */
async function speechwireMockAt(base: URL, adminKey: string | undefined): Promise<{ add(s: Scenario): Promise<void>; get(name: string): Promise<Scenario | undefined> } | undefined> {
  const admin = new URL("/_speechwire/", base.origin);
  const auth: Record<string, string> = adminKey ? { authorization: `Bearer ${adminKey}` } : {};
  try {
    const res = await fetch(new URL("health", admin), { signal: AbortSignal.timeout(3000) });
    const body = (await res.json().catch(() => undefined)) as { ok?: unknown; openSessions?: unknown } | undefined;
    if (!res.ok || body?.ok !== true || typeof body.openSessions !== "number") return undefined;
  } catch {
    return undefined;
  }
  const get = async (name: string): Promise<Scenario | undefined> => {
    const res = await fetch(new URL(`scenarios/${encodeURIComponent(name)}`, admin), { headers: auth });
    if (!res.ok) return undefined;
    const parsed = scenarioSchema.safeParse(await res.json());
    return parsed.success ? parsed.data : undefined;
  };
  return {
    async add(scenario) {
      const res = await fetch(new URL("scenarios", admin), { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify(scenario) });
      if (res.status === 201) return;
      const body = await res.text();
      // 409: the mock started with a scenario of that name (e.g. `--scenarios bench-scenarios`, as
      // `artillery init` suggests: with --workers a posted one reaches one worker only). The same
      // scenario is fine (its latency aside: the mock's --latency fills it in, as for a posted one);
      // another one is not replaced behind the user's back.
      if (res.status === 409) {
        const existing = await get(scenario.name);
        const withoutLatency = ({ latency: _, ...rest }: Scenario) => rest;
        if (existing && isDeepStrictEqual(withoutLatency(existing), withoutLatency(scenarioSchema.parse(scenario)))) return;
        throw new Error(`the mock at ${base.origin} started with another scenario named ${scenario.name}; start it without that one (the bench loads its own) or with the bench's (speechwire-bench artillery init writes them)`);
      }
      throw new Error(`the mock at ${base.origin} refused scenario ${scenario.name}: HTTP ${res.status} ${body}`);
    },
    get,
  };
}
