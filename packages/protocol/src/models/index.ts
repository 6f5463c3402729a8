/** The model and API-version tables and their lookups (docs/protocol §13). */
export * from "./table.js";
export * from "./versions.js";
export * from "./lookup.js";
