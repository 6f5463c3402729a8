/**
 * The strict schemas' base64 check (`isBase64`, a linear scan) accepts exactly what the regular
 * expression it replaced accepts, on arbitrary strings and on strings one edit away from base64; the
 * schema keeps its message, its issue and its JSON Schema `pattern`. And the TTS parser's `chunk` fast
 * path reads every frame exactly as the general reading does.
 */
import fc from "fast-check";
import * as z from "zod";
import { describe, expect, it } from "vitest";
import { tts } from "../src/index.js";
import { BASE64_PATTERN, isBase64, isBase64Atob, isBase64Decoding, isBase64Scan, isBase64Within } from "../src/endpoints/common.js";
import { parseByType } from "../src/shared/dispatch.js";
import { STRICTNESS_LEVELS } from "../src/shared/strictness.js";
import { fcOptions } from "./fc-options.js";

/** The regular expression the strict schemas used before `isBase64` (a real RegExp, with its own test). */
const OLD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/**
 * Characters that make base64 wrong in every way: padding, base64url, whitespace, non-ASCII, a lone
 * surrogate, NUL; characters above 255 whose low byte is in the alphabet or is `=` (a check that read
 * a character by its low byte would take Ł for `A`, ī `+`, į `/`, Ľ `=`), and `,` (IMAP's base64).
 */
const intruders = ["=", "-", "_", " ", "\n", "\r", "\t", "\f", "\v", "\u00a0", ".", "é", "\u0100", "\ud800", "\u0000", "\u007f", "\u0080", "Ａ", "\u0141", "\u012b", "\u012f", "\u013d", "\u0161", ","];
const base64Char = fc.constantFrom(...ALPHABET);
const nearChar = fc.oneof({ weight: 6, arbitrary: base64Char }, { weight: 1, arbitrary: fc.constantFrom(...intruders) });

/** Real padded base64 of random bytes (every padding case: 0, 1 or 2 `=`). */
const validArb = fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString("base64"));
/** One edit of real base64: insert, delete, replace or append characters (padding and intruders included). */
const nearArb = fc.oneof(
  fc.tuple(validArb, fc.nat(), nearChar).map(([s, i, c]) => s.slice(0, i % (s.length + 1)) + c + s.slice(i % (s.length + 1))),
  fc.tuple(validArb, fc.nat()).map(([s, i]) => (s.length === 0 ? s : s.slice(0, i % s.length) + s.slice((i % s.length) + 1))),
  fc.tuple(validArb, fc.nat(), nearChar).map(([s, i, c]) => (s.length === 0 ? c : s.slice(0, i % s.length) + c + s.slice((i % s.length) + 1))),
  fc.tuple(validArb, fc.array(fc.constantFrom("=", "==", "A", "=A", "\n"), { maxLength: 3 })).map(([s, tail]) => s + tail.join("")),
  // Strings of base64 characters, padding and intruders of any length, with `=` anywhere.
  fc.array(nearChar, { maxLength: 24 }).map((cs) => cs.join("")),
  fc.array(fc.constantFrom("A", "/", "+", "="), { maxLength: 12 }).map((cs) => cs.join("")),
);

/**
 * Every way `isBase64` can run (Node's decoder into a reused buffer, `atob` where there is no Buffer, the
 * scan where there is neither), and `isBase64Within` on a part of a longer text, each held to the old
 * regular expression.
 */
const CHECKS: [string, (s: string) => boolean][] = [
  ["isBase64", isBase64],
  ["isBase64Decoding", isBase64Decoding],
  ["isBase64Atob", isBase64Atob],
  ["isBase64Scan", isBase64Scan],
  // A part of a longer text, in an ASCII one (checked once as a whole) and in one that is not.
  ["isBase64Within (ASCII around)", (t) => isBase64Within(`{"data":"${t}"}`, 9, 9 + t.length)],
  ["isBase64Within (é around)", (t) => isBase64Within(`é${t}é`, 1, 1 + t.length)],
];
const allAgree = (s: string) => {
  const want = OLD_BASE64.test(s);
  for (const [name, check] of CHECKS) expect([name, s, check(s)]).toEqual([name, s, want]);
};

describe("isBase64: by decoding (Node), with atob (browsers) and by a scan (neither)", () => {
  it("accepts exactly what the old regular expression accepts, on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 40 }), fc.string({ maxLength: 40 }), fc.base64String({ maxLength: 40 })), allAgree),
      fcOptions({ numRuns: 1000 }),
    );
  });

  it("accepts exactly what the old regular expression accepts, on strings near base64 (and accepts real base64)", () => {
    fc.assert(
      fc.property(nearArb, allAgree),
      fcOptions({ numRuns: 5000 }),
    );
    fc.assert(
      fc.property(validArb, (s) => {
        for (const [name, check] of CHECKS) expect([name, check(s)]).toEqual([name, true]);
      }),
      fcOptions(),
    );
  });

  it("edge cases: empty, padding only, padding inside, lengths not a multiple of 4", () => {
    for (const s of ["", "AAAA", "AA==", "AAA=", "====", "AA A", "AAA\t", "AAAA    ", "\nAAA", "AA\f=", "A===", "=AAA", "AA=A", "A=A=", "AAAAA", "AAA", "AA=", "AAAA====", "AAAAAA==", "\ud800AAA", "QUJ\u0141", "QU\u013d\u013d", "QUJ-", "QUJ_", "QU,D", "QUJD".repeat(5000), `${"QUJD".repeat(5000)}QU\u0141=`, "QUJD".repeat(6000), `${"QUJD".repeat(6000)}QU-=`, `${"QUJD".repeat(6000)}Q==A`]) {
      allAgree(s);
    }
  });

  it("the schema keeps the regular expression's source, message and issue", () => {
    expect(BASE64_PATTERN.source).toBe(OLD_BASE64.source);
    expect(BASE64_PATTERN.toString()).toBe(OLD_BASE64.toString());
    expect(BASE64_PATTERN.test("AA==")).toBe(true);
    expect(BASE64_PATTERN.test("AA=")).toBe(false);
    const schema = z.string().regex(BASE64_PATTERN, "expected base64");
    const before = z.string().regex(OLD_BASE64, "expected base64");
    const issues = (r: { success: boolean; error?: { issues: unknown[] } }) => JSON.parse(JSON.stringify(r.error?.issues ?? []));
    expect(issues(schema.safeParse("not base64!"))).toEqual(issues(before.safeParse("not base64!")));
    expect(z.toJSONSchema(schema)).toEqual(z.toJSONSchema(before));
    const chunk = JSON.stringify({ type: "chunk", data: "not base64!", done: false, status_code: 206, step_time: 1, context_id: "c", flush_id: 1 });
    const strict = tts.parseServerMessage(chunk, { strictness: "strict" });
    expect(strict.ok).toBe(false);
    expect(JSON.stringify(strict)).toContain("expected base64");
  });
});

describe("tts.parseServerMessage's chunk fast path (the audio not JSON-parsed)", () => {
  /** The general reading every frame took before: JSON.parse of the whole frame, then the type's schema. */
  const general = (frame: string, options: { strictness: (typeof STRICTNESS_LEVELS)[number] }) => {
    const s = tts.schemas(options);
    return parseByType<tts.ServerMessage>(frame, { chunk: s.chunk, timestamps: s.timestamps, phoneme_timestamps: s.phonemeTimestamps, flush_done: s.flushDone, done: s.done, error: s.error });
  };
  const awkward = fc.constantFrom('"data"', "\\", '"', "\\u0041", "data", "é", "\ud800", "\u0000");
  const dataArb = fc.oneof(validArb, nearArb, fc.tuple(validArb, awkward).map(([s, c]) => s + c), fc.string({ unit: "binary", maxLength: 12 }));
  const valueArb = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.string({ maxLength: 6 }), fc.tuple(fc.string({ maxLength: 4 }), awkward).map(([a, b]) => a + b));
  const chunkArb = fc.record(
    {
      data: dataArb,
      done: fc.oneof(fc.constant(false), valueArb),
      status_code: fc.oneof(fc.constant(206), valueArb),
      step_time: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), valueArb),
      context_id: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('"data"', "data", "a\\b", 'q"q'), valueArb),
      flush_id: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constant(null), valueArb),
      extra: valueArb,
    },
    { requiredKeys: ["data"] },
  );
  /** Frames as servers write them, and the same with what breaks the plain form: a second `type` or `data` key, whitespace, a cut. */
  const frameArb = fc.tuple(chunkArb, fc.constantFrom("", ',"type":"done"', ',"data":"AAAA"', ',"data":""', ' ,"done":false', ',"type":"chunk"'), fc.option(fc.nat(), { freq: 5 })).map(([chunk, tail, cut]) => {
    const text = JSON.stringify({ type: "chunk", ...chunk });
    const frame = `${text.slice(0, -1)}${tail}}`;
    return cut === null ? frame : frame.slice(0, cut % (frame.length + 1));
  });

  it("reads every frame exactly as the general reading does, at every strictness", () => {
    fc.assert(
      fc.property(frameArb, fc.constantFrom(...STRICTNESS_LEVELS), (frame, strictness) => {
        expect(tts.parseServerMessage(frame, { strictness })).toEqual(general(frame, { strictness }));
      }),
      fcOptions({ numRuns: 3000 }),
    );
  });

  it("reads a frame whose rest it has read before exactly as the general reading does, with an object of its own", () => {
    fc.assert(
      fc.property(chunkArb, fc.array(dataArb, { minLength: 1, maxLength: 4 }), fc.constantFrom(...STRICTNESS_LEVELS), (chunk, datas, strictness) => {
        const { data: _first, ...rest } = chunk;
        // The same rest after every audio: the first valid one is remembered, the others hit it.
        for (const data of [...datas, ...datas]) {
          const frame = JSON.stringify({ type: "chunk", data, ...rest });
          const read = tts.parseServerMessage(frame, { strictness });
          expect(read).toEqual(general(frame, { strictness }));
          // A caller that changes its message changes no later reading.
          if (read.ok) Object.assign(read.value, { context_id: "changed", data: "AAAA", done: "changed" });
        }
      }),
      fcOptions({ numRuns: 1500 }),
    );
  });

  it("takes the fast path for the frames the mock writes (and they read as valid chunks)", () => {
    const data = Buffer.from(Array.from({ length: 4800 }, (_, i) => i & 255)).toString("base64");
    const frame = JSON.stringify({ type: "chunk", data, done: false, status_code: 206, step_time: 12.5, context_id: "c1", flush_id: 1 });
    const read = tts.parseServerMessage(frame, { strictness: "strict" });
    expect(read).toEqual({ ok: true, value: JSON.parse(frame) });
    expect(read).toEqual(general(frame, { strictness: "strict" }));
  });
});
