/** Runs before every test file: fails the file if any promise rejection goes unhandled while its tests run. */
import { afterAll, expect } from "vitest";

const unhandled: unknown[] = [];
const listener = (reason: unknown) => {
  unhandled.push(reason);
};
process.on("unhandledRejection", listener);

afterAll(async () => {
  await new Promise((resolve) => setTimeout(resolve, 50));
  process.off("unhandledRejection", listener);
  expect(unhandled.map((r) => (r instanceof Error ? `${r.name}: ${r.message}` : String(r)))).toEqual([]);
});
