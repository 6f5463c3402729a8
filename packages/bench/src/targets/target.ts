/**
 * Targets: the embedded mock (started by the bench, on loopback, with a latency profile) or any URL
 * with an API key (a real endpoint). Both give the drivers a `Connection` per endpoint.
 */
import { LATENCY_PROFILES, startMockServer, type Latency, type MockServer } from "@speechwire/mock-server";
import type { Endpoint } from "../metrics/definitions.js";
import type { Connection } from "../drivers/types.js";
import { BENCH_SCENARIOS } from "./scenarios.js";

/** The Cartesia-Version the bench sends (drivers that let it choose). */
export const BENCH_VERSION = "2026-03-01";

/** What to run against. */
export type TargetSpec = { kind: "mock"; latency: Latency; seed: number; tls: boolean } | { kind: "url"; url: string; apiKey: string };

/** A started target. */
export interface Target {
  spec: TargetSpec;
  /** For the environment block: "embedded mock" or the URL (never the key). */
  description: string;
  /** The connection for an endpoint and scenario (the mock selects it with `/s/<name>`). */
  connection(endpoint: Endpoint, scenario: string | undefined): Connection;
  /**
   * A connection for one session on a server of its own, or undefined to use `connection`. The mock
   * draws STT delays from the server seed, so every session of one server would get the same sequence
   * of draws; under a named profile each STT session therefore gets its own mock with seed
   * `seed + 1 + index` (started and stopped outside every timed span).
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
    const base = new URL(spec.url);
    if (base.protocol !== "http:" && base.protocol !== "https:") throw new Error(`--target must be "mock" or an http(s) URL, got ${spec.url}`);
    return {
      spec,
      description: base.origin + base.pathname.replace(/\/+$/, ""),
      connection: () => ({ baseUrl: base.toString().replace(/\/+$/, ""), apiKey: spec.apiKey, version: BENCH_VERSION }),
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
  const mock = await start(spec.seed, spec.tls);
  const drawn = typeof spec.latency === "string" && spec.latency !== "none";
  return {
    spec,
    description: "embedded mock (@speechwire/mock-server, in this process, 127.0.0.1)",
    mock,
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
