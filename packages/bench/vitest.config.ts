import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    reporters: ["default", ["json", { outputFile: ".test-results/vitest.json" }]],
    testTimeout: 300_000,
    hookTimeout: 60_000,
    // The calibration tests measure latency: one file at a time keeps them off each other's CPU.
    fileParallelism: false,
  },
});
