/** A guard for vitest setup files: no promise rejection may go unhandled while a file's tests run. */
import { afterAll, expect } from "vitest";

/**
 * Records every unhandled rejection from now on and fails the test file after its tests if there was
 * one. Call it once from a `setupFiles` module.
 *
 * @example
 * // test/setup.ts
 * import { failOnUnhandledRejections } from "@speechwire/testing";
 * failOnUnhandledRejections();
 */
export function failOnUnhandledRejections(): void {
  const unhandled: unknown[] = [];
  const listener = (reason: unknown) => {
    unhandled.push(reason);
  };
  process.on("unhandledRejection", listener);
  afterAll(async () => {
    // Let rejections of the last test surface first.
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.off("unhandledRejection", listener);
    expect(unhandled.map((r) => (r instanceof Error ? `${r.name}: ${r.message}` : String(r)))).toEqual([]);
  });
}
