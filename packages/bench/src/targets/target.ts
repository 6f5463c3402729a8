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
  const mock = await startMockServer({
    host: "127.0.0.1",
    port: 0,
    tlsPort: spec.tls ? 0 : false,
    seed: spec.seed,
    latency: spec.latency,
    scenarios: BENCH_SCENARIOS,
  });
  return {
    spec,
    description: "embedded mock (@speechwire/mock-server, in this process, 127.0.0.1)",
    mock,
    connection(_endpoint, scenario) {
      const prefix = scenario ? `/s/${encodeURIComponent(scenario)}` : "";
      return {
        baseUrl: `${mock.urls.http}${prefix}`,
        ...(mock.urls.https ? { tlsBaseUrl: `${mock.urls.https}${prefix}` } : {}),
        ...(mock.cert ? { ca: mock.cert } : {}),
        apiKey: "sk_car_bench",
        version: BENCH_VERSION,
      };
    },
    close: () => mock.close(),
  };
}
