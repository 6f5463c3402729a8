/**
 * Every API version the protocol knows (docs/protocol §13.3). Its own module, free of the model table,
 * so that reading the default version does not pull every model into a browser bundle.
 */

/** An API version and what it changed. */
export interface ApiVersion {
  date: string;
  /** `current`: the docs' latest and the default when a client sends none; `supported`: still served. */
  status: "current" | "supported";
  note: string;
  source: string;
}

/** Every `Cartesia-Version` seen in the sources, oldest first (docs/protocol §1.3). */
export const API_VERSIONS = [
  { date: "2024-06-10", status: "supported", note: "First stable API.", source: "migration guide" },
  { date: "2024-11-13", status: "supported", note: "flush_done and <pause>.", source: "CHG-2024" },
  { date: "2025-04-16", status: "supported", note: "Sent by the LiveKit plugins (TTS in JS, everything in Python).", source: "LK-JS, LK-PY" },
  { date: "2025-11-04", status: "supported", note: "Default of cartesia-js 3.x.", source: "SDK-JS-3.5" },
  { date: "2026-03-01", status: "supported", note: "Structured JSON errors from here on; sent by pipecat.", source: "CHG-2026, ERRORS" },
  {
    date: "2026-08-14",
    status: "current",
    note: "Voice is string | {id}; locale and normalization; default of the 4.x SDKs and the docs' latest stable.",
    source: "SDK-JS CHANGELOG 4.0.0, cartesia-mcp api_version.py (update D12)",
  },
] as const satisfies readonly ApiVersion[];

/**
 * The docs' latest stable version and the mock's default when a client sends none (§1.3, update D12):
 * the `current` row above, written out so that a bundle reading it does not keep the table (a test
 * holds the two equal).
 */
export const DEFAULT_VERSION = "2026-08-14" satisfies (typeof API_VERSIONS)[number]["date"];
