import { describe, expect, it } from "vitest";
import { sttTurns, type SchemaOptions } from "../src/index.js";

describe("schemas per options object", () => {
  it("follow a reused options object whose strictness changes", () => {
    // An unknown field: accepted when lenient, refused when strict.
    const frame = JSON.stringify({ type: "turn.start", request_id: "r", extra: 1 });
    const options: SchemaOptions = { strictness: "lenient" };
    expect(sttTurns.parseServerMessage(frame, options).ok).toBe(true);
    expect(sttTurns.parseServerMessage(frame, options).ok).toBe(true);
    options.strictness = "strict";
    expect(sttTurns.parseServerMessage(frame, options).ok).toBe(false);
    expect(sttTurns.parseServerMessage(frame, { strictness: "strict" }).ok).toBe(false);
  });
});
