import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    reporters: ["default", ["json", { outputFile: ".test-results/vitest.json" }]],
    // Packing five packages and an npm install from the registry take minutes on a loaded machine.
    testTimeout: 300_000,
    hookTimeout: 900_000,
    // One file at a time: each packs the workspace, and the CPU is shared.
    fileParallelism: false,
  },
});
