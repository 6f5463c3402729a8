/** Test helpers: temporary folders, captured CLI output, the generated-case count. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { vi } from "vitest";
import { main } from "../src/cli.js";

/** Generated cases per property in the tests (FC_NUM_RUNS overrides; kept small: the suite runs on 2 cores). */
export const RUNS = Number(process.env.FC_NUM_RUNS) || 5;
/** The seed of the tests' properties (FC_SEED overrides). */
export const SEED = Number(process.env.FC_SEED) || 20261122;

/** A fresh temporary folder. */
export function tempDir(prefix = "conformance-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Runs the CLI in-process and captures what it prints. */
export async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
