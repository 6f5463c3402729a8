/** Turns run outcomes into the results.json object. */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { dirname, join } from "node:path";
import { metricsOf } from "../metrics/definitions.js";
import type { Baseline } from "../run/baseline.js";
import type { Overhead } from "../run/overhead.js";
import type { EndpointOutcome } from "../run/runner.js";
import type { ClientName } from "../drivers/types.js";
import type { Results, RunResult } from "./schema.js";

function versionOf(pkg: string): string {
  // Packages whose exports map hides package.json (cartesia-js): walk up from the resolved entry.
  try {
    const require = createRequire(import.meta.url);
    try {
      return (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), "utf8")) as { version: string }).version;
    } catch {
      // Not exported: fall through to the walk.
    }
    let dir = dirname(require.resolve(pkg));
    for (let i = 0; i < 5; i += 1) {
      try {
        const json = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
        if (json.name === pkg && json.version) return json.version;
      } catch {
        // No package.json here: go up.
      }
      dir = dirname(dir);
    }
  } catch {
    // Not resolvable: reported as unknown.
  }
  return "unknown";
}

/** Versions of the bench and the clients. */
export function versions(): { bench: string; clients: Record<ClientName, string> } {
  let bench = "0.0.0";
  try {
    bench = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
  } catch {
    // Keep the placeholder: only the report's environment block uses it.
  }
  return { bench, clients: { speechwire: versionOf("@speechwire/client"), "cartesia-js": versionOf("@cartesia/cartesia-js"), raw: `ws ${versionOf("ws")}` } };
}

/** The machine part of the environment block. */
export function machine() {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    cpus: { count: cpus.length, model: cpus[0]?.model.trim() ?? "unknown" },
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    hostname: os.hostname(),
  };
}

/** One run's entry of results.json. */
export function runResult(outcome: EndpointOutcome, client: ClientName): RunResult {
  const metrics = metricsOf(outcome.endpoint).map((def) => {
    const rec = outcome.recorders.get(def.id);
    return {
      id: def.id,
      unit: def.unit,
      statement: def.statement,
      from: def.from,
      to: def.to,
      summary: rec?.summary() ?? null,
      distribution: rec?.distribution() ?? [],
      histogram: rec?.encode() ?? "",
    };
  });
  return {
    endpoint: outcome.endpoint,
    client,
    scenario: outcome.scenario ?? null,
    ...(outcome.skipped ? { skipped: outcome.skipped } : {}),
    sessions: outcome.sessions,
    ...(outcome.speech ? { speech: outcome.speech } : {}),
    metrics: outcome.skipped ? [] : metrics,
  };
}

/** The baseline block. */
export function baselineResult(b: Baseline, overhead?: Overhead): Results["baseline"] {
  return { echo: b.echo, mock: b.mock, ratio: b.ratio, ...(overhead ? { overhead } : {}) };
}
