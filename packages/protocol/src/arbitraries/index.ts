/**
 * @speechwire/protocol/arbitraries: fast-check arbitraries for every message, for whole
 * grammar-valid sessions, and mutations that break one grammar rule at a time.
 * Needs `fast-check` (an optional peer dependency of the package).
 */
export * from "./messages.js";
export * from "./sessions.js";
