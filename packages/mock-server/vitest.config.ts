import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    reporters: ["default", ["json", { outputFile: ".test-results/vitest.json" }]],
    testTimeout: 60_000,
    // Suites start mocks (some as child processes through tsx) in hooks: a loaded CI machine needs time.
    hookTimeout: 60_000,
  },
});
