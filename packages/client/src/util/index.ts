/** Small shared utilities: async queue, abort and promise helpers, bytes. */
export * from "./queue.js";
export * from "./abort.js";
export * from "./promise.js";
export * from "./bytes.js";
