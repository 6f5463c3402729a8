/** Targets and the bench's scenarios. */
export * from "./scenarios.js";
export * from "./target.js";
export * from "./speech.js";
