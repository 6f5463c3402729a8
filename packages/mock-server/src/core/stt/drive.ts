/**
 * Runs a session core without a socket: feeds it inputs, records every frame in both directions as
 * the protocol linter reads them, and answers its timer requests at once (a test has no wall clock).
 * Used by the tests; the conformance kit and the playground can replay scenarios the same way.
 */
import type { RawSessionEvent } from "@speechwire/protocol";
import type { CoreInput, CoreOutput, SessionCore } from "../types.js";

/** What a driven session produced. */
export interface DriveResult {
  /** Client frames, server frames and the server's close, in order (for `lintSession`). */
  events: RawSessionEvent[];
  /** The server's text frames, in order. */
  sent: string[];
  /** Every output, in order, timers included. */
  outputs: CoreOutput[];
  /** How the server ended the session, if it did (`drop` is reported as 1006). */
  closed: { code: number; reason: string } | undefined;
}

/** Splits bytes into chunks of the given sizes (cycling through `sizes`), as a client would send them. */
export function chunkBytes(bytes: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let at = 0;
  let i = 0;
  while (at < bytes.length) {
    const size = Math.max(1, sizes.length === 0 ? bytes.length : (sizes[i % sizes.length] as number));
    chunks.push(bytes.subarray(at, Math.min(bytes.length, at + size)));
    at += size;
    i += 1;
  }
  return chunks;
}

/**
 * Opens a core and feeds it `inputs` until it closes or drops the session; a requested timer is
 * answered with a `tick` right after the input that asked for it, and a lane with `more` is pulled
 * at once (a test client reads everything).
 */
export function driveCore(core: SessionCore, inputs: Iterable<CoreInput>): DriveResult {
  const result: DriveResult = { events: [], sent: [], outputs: [], closed: undefined };
  const take = (outputs: CoreOutput[]) => {
    const timers = new Set<string>();
    const pulls = new Set<string>();
    for (const output of outputs) {
      if (output.kind === "more") pulls.add(output.lane);
      if (output.kind === "more" || output.kind === "anchor" || output.kind === "release") continue;
      result.outputs.push(output);
      if (output.kind === "send") {
        result.sent.push(output.data);
        result.events.push({ from: "server", frame: output.data });
      } else if (output.kind === "close") {
        result.closed = { code: output.code, reason: output.reason };
        result.events.push({ from: "server", close: { code: output.code, reason: output.reason } });
      } else if (output.kind === "drop") {
        result.closed = { code: 1006, reason: "" };
        result.events.push({ from: "server", close: { code: 1006 } });
      } else if (output.kind === "timer") {
        timers.add(output.key ?? "");
      }
    }
    for (const lane of pulls) take(core.step({ kind: "pull", lane }));
    for (const key of timers) take(core.step(key === "" ? { kind: "tick" } : { kind: "tick", key }));
  };
  take(core.open());
  for (const input of inputs) {
    if (result.closed) break;
    if (input.kind === "audio" || input.kind === "text") result.events.push({ from: "client", frame: input.data });
    take(core.step(input));
  }
  return result;
}
