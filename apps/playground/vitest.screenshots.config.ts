import { defineConfig } from "vitest/config";

// The README's screenshots (test/screenshots.shots.ts): run on demand, never by `vitest run`.
export default defineConfig({
  test: { include: ["test/**/*.shots.ts"], testTimeout: 90_000, hookTimeout: 90_000, fileParallelism: false },
});
