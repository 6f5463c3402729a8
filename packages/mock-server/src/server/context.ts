/** What every route and socket handler shares: registry, auth, journal, ids, limits. */
import type { Authenticator } from "./auth.js";
import type { Journal } from "./journal.js";
import type { ScenarioRegistry } from "./scenarios.js";

/** Idle timeouts in milliseconds (PROTOCOL.md §1.6: STT 180 s, TTS 300 s). */
/** The largest WebSocket frame a client may send, by default (larger ones are closed with 1009). */
export const DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;

export interface IdleTimeouts {
  stt: number;
  tts: number;
}

/** Shared server state. */
export interface ServerContext {
  registry: ScenarioRegistry;
  auth: Authenticator;
  journal: Journal;
  seed: number;
  idle: IdleTimeouts;
  /** Largest WebSocket frame accepted; larger ones are closed with 1009. */
  maxFrameBytes: number;
  /** Longest TTS transcript (and a context's text not yet generated), in characters; longer: 400. */
  maxTranscriptChars: number;
  /** The real path of a static folder served at `/` (the built playground), if any. */
  playgroundDir?: string;
  /** Next request id (seeded: the same sequence every run). */
  nextRequestId(): string;
}

/**
 * Back to the state the server started in: every session forgotten (open ones keep running but are no
 * longer recorded), run-time scenarios removed, replaced ones restored, the startup default scenario,
 * connection counts at 0. Open sessions are not closed. Returns how many sessions were forgotten.
 */
export function resetServerState(ctx: ServerContext): { sessions: number } {
  const sessions = ctx.journal.clear();
  ctx.registry.reset();
  return { sessions };
}
