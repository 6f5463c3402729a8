import type { Parameters } from "fast-check";

/** fast-check run options: FC_NUM_RUNS and FC_SEED replay a failure (fast-check prints the seed). */
export function fcOptions<T>(overrides: Parameters<T> = {}): Parameters<T> {
  return {
    numRuns: Number(process.env.FC_NUM_RUNS ?? 200),
    ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
    ...overrides,
  };
}
