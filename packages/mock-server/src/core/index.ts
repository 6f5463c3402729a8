/**
 * @speechwire/mock-server/core: the sans-IO session cores and what they stand on, for running the
 * mock without sockets (tests, the conformance kit, the playground).
 */
export * from "./types.js";
export * from "./schedule.js";
export * from "./pcm.js";
export * from "./wav.js";
export { createRng, deriveSeed, hash32, seededUuid, type Rng } from "./random.js";
export * from "./latency.js";
export * from "./stt/index.js";
export * from "./tts/index.js";
export { AudioDigest, digestPrefixes } from "./audio-digest.js";
