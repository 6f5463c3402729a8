/**
 * How the journal clips a long text entry (`clipText`) and how a reader knows it did (`isClippedText`):
 * a TTS chunk frame loses the middle of its audio and stays JSON with its fields; anything else keeps
 * its start. Both are no longer than a plain clip, and both are recognized as clipped.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clipText, isClippedText } from "../src/index.js";

const HEAD = '{"type":"chunk","data":"';
/** Base64 audio of any length the mock sends (a few bytes to 13 KB). */
const audioArb = fc.uint8Array({ minLength: 0, maxLength: 10_000 }).map((b) => Buffer.from(b).toString("base64"));
/** The fields after a chunk's audio, as the mock writes them and with awkward values (escapes, quotes, non-ASCII). */
const fieldsArb = fc.record(
  {
    done: fc.boolean(),
    status_code: fc.constantFrom(206, 200),
    step_time: fc.double({ min: 0, max: 1000, noNaN: true }),
    context_id: fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('a"b', "a\\b", "é…(3 chars)")),
    flush_id: fc.nat(),
  },
  { requiredKeys: ["done", "context_id"] },
);
const chunkFrame = (data: string, fields: object) => JSON.stringify({ type: "chunk", data, ...fields });
/** The longest a clip may be: the clip and its marker (`clipText`'s bound). */
const bound = (text: string, clipAt: number) => clipAt + `…(${text.length} chars)`.length;

describe("clipText and isClippedText", () => {
  it("a chunk frame keeps its fields and the start of its audio, as JSON, within a plain clip's length", () => {
    fc.assert(
      fc.property(audioArb, fieldsArb, fc.integer({ min: 0, max: 5000 }), (data, fields, clipAt) => {
        const frame = chunkFrame(data, fields);
        fc.pre(frame.length > clipAt);
        const clip = clipText(frame, clipAt);
        expect(clip.length).toBeLessThanOrEqual(bound(frame, clipAt));
        expect(isClippedText(clip)).toBe(true);
        const restLength = frame.length - HEAD.length - data.length;
        if (HEAD.length + restLength <= clipAt) {
          // Room for the fields: the chunk form, JSON with every field as sent.
          const read = JSON.parse(clip) as Record<string, unknown>;
          expect({ ...read, data: undefined }).toEqual({ ...JSON.parse(frame), data: undefined });
          const kept = Math.min(64, clipAt - HEAD.length - restLength, data.length);
          expect(read.data).toBe(`${data.slice(0, kept)}…(${data.length} chars)`);
        } else {
          expect(clip).toBe(`${frame.slice(0, clipAt)}…(${frame.length} chars)`);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("anything else keeps its first clipAt characters and the marker", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.nat(300), (text, clipAt) => {
        fc.pre(text.length > clipAt && !text.startsWith(HEAD));
        const clip = clipText(text, clipAt);
        expect(clip).toBe(`${text.slice(0, clipAt)}…(${text.length} chars)`);
        expect(isClippedText(clip)).toBe(true);
      }),
    );
  });

  it("a chunk whose audio has an escape is clipped plainly (a cut escape would not be JSON)", () => {
    const frame = `${HEAD}AAAA\\u0041${"A".repeat(6000)}","done":false}`;
    expect(clipText(frame, 128)).toBe(`${frame.slice(0, 128)}…(${frame.length} chars)`);
  });

  it("a frame that was not clipped is not taken for a clipped one", () => {
    fc.assert(
      fc.property(audioArb, fieldsArb, (data, fields) => {
        const frame = chunkFrame(data, fields);
        // Only a context id that spells the marker itself at the very end could look clipped.
        fc.pre(!frame.endsWith(" chars)"));
        expect(isClippedText(frame)).toBe(false);
      }),
      { numRuns: 300 },
    );
    for (const text of ['{"type":"transcript","text":"…","is_final":true}', "finalize", '{"type":"chunk","data":"AAAA","done":false}', ""]) expect(isClippedText(text)).toBe(false);
  });
});
