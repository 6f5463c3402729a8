import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { wordCount } from "../src/core/stt/words.js";

describe("wordCount", () => {
  it("counts what split on spaces leaves non-empty, for every string", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(" ", "a", "é", "-", "\t", "😀") }), (text) => {
        expect(wordCount(text)).toBe(text.split(" ").filter((w) => w !== "").length);
      }),
    );
  });

  it("counts the words of a transcript", () => {
    expect(wordCount("Hi, I'd like to book a table")).toBe(7);
    expect(wordCount("")).toBe(0);
    expect(wordCount("  two  words ")).toBe(2);
  });
});
