// Preloaded into the fuzzed mock (`node --expose-gc --import fuzz/gc-hook.mjs dist/cli.js …`) by the
// long fuzz run: the mock has no route that collects garbage, so its live heap after GC is read over
// the child's IPC channel instead. Nothing here touches the server; without IPC it does nothing.
if (typeof globalThis.gc === "function" && typeof process.send === "function") {
  process.on("message", (message) => {
    if (message?.type !== "speechwire-fuzz:gc") return;
    // Twice: the first pass may leave objects whose finalizers free more.
    globalThis.gc();
    globalThis.gc();
    const { heapUsed, rss } = process.memoryUsage();
    process.send({ type: "speechwire-fuzz:heap", heapUsed, rss });
  });
  // The IPC channel must not keep a stopped mock alive.
  process.channel?.unref();
}
