/**
 * Everything both entry points (index.ts for Node, browser.ts for browser bundles) export besides
 * `createClient`: the union of the subpath entries' surfaces, so each export is declared once.
 */
export type { Client } from "./client.js";
export type { ClientConfig } from "./config.js";
export * from "./entries/turns.surface.js";
export * from "./entries/stt.surface.js";
export * from "./entries/tts.surface.js";
export * from "./entries/access-token.surface.js";
