/**
 * `redactText`'s quick look for secrets (rare characters first) never misses one: for arbitrary text
 * with tokens, keys and near misses spliced in anywhere, it gives what the plain replace gives.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { redactSecret, redactText } from "../src/server/journal.js";
import { fcOptions } from "./core-tts-helpers.js";

/** The regular expression of the journal's secrets, as `redactText` applies it. */
const SECRETS = /eyJ[A-Za-z0-9_-]*\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*|sk_car_[A-Za-z0-9_-]+/g;
const plain = (text: string) => text.replace(SECRETS, (s) => redactSecret(s));

const piece = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.base64String({ maxLength: 40 }),
  fc.constantFrom("eyJ", ".", "_", "sk_", "sk_car", "sk_car_", "sk_car_x", "eyJhbGci.eyJzdWIi.c2ln", "eyJa.eyJb.", "eyJa.eyJ", "_sk_car_k", "s", "k", "c", "a", "r", '"step_time":100.5,'),
);

describe("redactText", () => {
  it("redacts exactly what the plain replace redacts, for text with secrets and near misses anywhere", () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const text = pieces.join("");
        expect(redactText(text)).toBe(plain(text));
      }),
      { ...fcOptions, numRuns: Math.max(fcOptions.numRuns, 1000) },
    );
  });

  it("leaves a TTS chunk frame as it is, and finds a key or a token in one", () => {
    const chunk = JSON.stringify({ type: "chunk", data: Buffer.alloc(300, 7).toString("base64"), done: false, status_code: 206, step_time: 100, context_id: "c", flush_id: 1 });
    expect(redactText(chunk)).toBe(chunk);
    expect(redactText(chunk.replace('"c"', '"sk_car_abc"'))).toBe(chunk.replace('"c"', `"${redactSecret("sk_car_abc")}"`));
    expect(redactText(chunk.replace('"c"', '"eyJa.eyJb.sig"'))).toBe(chunk.replace('"c"', `"${redactSecret("eyJa.eyJb.sig")}"`));
  });
});
