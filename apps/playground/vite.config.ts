import { defineConfig } from "vite";

// A plain TS + DOM app: Vite bundles it into dist/ (relative asset paths, so it works at any path the
// mock serves it from). `vite` (dev) serves it on 127.0.0.1 against a mock started separately.
export default defineConfig({
  base: "./",
  server: { host: "127.0.0.1", port: 5173 },
  preview: { host: "127.0.0.1" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
    reportCompressedSize: true,
  },
});
