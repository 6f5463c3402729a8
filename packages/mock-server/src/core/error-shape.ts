/**
 * Which error shape a session answers in (docs/protocol §1.4): its version's — structured JSON from
 * 2026-03-01, legacy before — except on `/stt/turns/websocket`, which answers structured whatever
 * version is sent: the endpoint postdates the structured shape, and LiveKit's Python plugin sends
 * 2025-04-16 there and reads `status_code` (with the legacy `{message, code}` it takes a 500 for a
 * non-fatal 400 and reconnects).
 */
import { shapesForVersion, type ErrorShape } from "@speechwire/protocol";

/** The endpoint (as scenario faults and the journal name it) that answers structured errors on every version. */
export const STRUCTURED_ERRORS_ENDPOINT = "stt-turns";

/** The error shape of a session of `endpoint` (undefined when not known) at `version`. */
export function errorShapeOf(endpoint: string | undefined, version: string): ErrorShape {
  return endpoint === STRUCTURED_ERRORS_ENDPOINT ? "structured" : shapesForVersion(version).errors;
}
