/** Metric definitions, HDR recording and summaries. */
export * from "./definitions.js";
export * from "./histogram.js";
