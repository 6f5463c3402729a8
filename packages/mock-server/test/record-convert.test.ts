/**
 * Issue 18, the pure layers: a capture converts to a scenario whose replay gives the recorded frames
 * for any chunking of the same audio (property), `match: digest` refuses other audio, ids become
 * placeholders and every secret is scrubbed, and the same capture converts to the same text.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sttTurns } from "@speechwire/protocol";
import { createSttTurnsCore } from "../src/core/stt/stt-turns.js";
import { driveCore, chunkBytes } from "../src/core/stt/drive.js";
import { convertCapture, type Capture } from "../src/record/convert.js";
import { validateScenario } from "../src/scenario/parse.js";
import type { CoreInput } from "../src/core/types.js";

const SECRET = "plainkey-not-cartesia-shaped-42";
const query = { model: "ink-2", encoding: "pcm_s16le", sample_rate: "16000", api_key: SECRET };
const audio = (seconds: number, salt = 0) => {
  const b = new Uint8Array(Math.round(seconds * 16000) * 2);
  for (let i = 0; i < b.length; i++) b[i] = (i * 31 + salt) & 0xff;
  return b;
};

/** A turns session as the proxy would capture it: audio in 20 ms frames, events at their positions, then close. */
function capture(): Capture {
  const a = audio(2);
  const events: Capture["events"] = [{ t: 1, dir: "server", kind: "text", text: JSON.stringify({ type: "connected", request_id: "up-1" }) }];
  const frame = 640;
  let t = 2;
  for (let i = 0; i < a.length; i += frame) {
    events.push({ t: (t += 20), dir: "client", kind: "audio", data: a.subarray(i, i + frame) });
    if (i === 640 * 20) events.push({ t, dir: "server", kind: "text", text: JSON.stringify({ type: "turn.start", request_id: "up-1" }) });
    if (i === 640 * 50) events.push({ t, dir: "server", kind: "text", text: JSON.stringify({ type: "turn.update", transcript: `key ${SECRET} sk_car_abcdef`, request_id: "up-1" }) });
  }
  events.push({ t: (t += 5), dir: "client", kind: "text", text: JSON.stringify({ type: "close" }) });
  events.push({ t: t + 130, dir: "server", kind: "text", text: JSON.stringify({ type: "turn.end", transcript: "hello", request_id: "up-1" }) });
  events.push({ t: t + 131, dir: "server", kind: "close", code: 1000, reason: "OK" });
  return { endpoint: "stt-turns", query, events };
}

function replayCore(match: "position" | "digest", connection = 1) {
  const converted = convertCapture(capture(), { name: "rec-x", secrets: [SECRET], match });
  const v = validateScenario(converted.scenario);
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  const q = sttTurns.parseQuery(new URLSearchParams({ model: "ink-2", encoding: "pcm_s16le", sample_rate: "16000" }));
  if (!q.ok) throw new Error("query");
  return createSttTurnsCore({ query: q.value, version: "2026-03-01", requestId: "mine", scenario: v.scenario, seed: 1, connection });
}

describe("capture → scenario", () => {
  it("is stable text with placeholders for ids and no secret", () => {
    const a = convertCapture(capture(), { name: "rec-x", secrets: [SECRET] });
    const b = convertCapture(capture(), { name: "rec-x", secrets: [SECRET] });
    expect(a.yaml).toBe(b.yaml);
    expect(a.yaml).not.toContain(SECRET);
    expect(a.yaml).not.toContain("sk_car_abcdef");
    expect(a.yaml).not.toContain("up-1");
    expect(a.yaml).not.toContain("api_key");
    const events = a.scenario?.replay?.stt?.[0]?.events ?? [];
    expect(events.map((e) => e.at)).toEqual([0, 0.42, 1.02, 2, 2]);
    expect(events[3]).toMatchObject({ after: 0, delayMs: 130 });
  });

  it("replays the same frames for any chunking of the same audio (position)", () => {
    const expected = driveCore(replayCore("position"), [...chunkBytes(audio(2), [640]).map((data): CoreInput => ({ kind: "audio", data })), { kind: "text", data: '{"type":"close"}' }]);
    expect(expected.sent.map((s) => JSON.parse(s).type)).toEqual(["connected", "turn.start", "turn.update", "turn.end"]);
    // Before the close, only what the audio reached: the turn.end answers the close.
    const noClose = driveCore(replayCore("position"), chunkBytes(audio(1.5), [640]).map((data): CoreInput => ({ kind: "audio", data })));
    expect(noClose.sent.map((s) => JSON.parse(s).type)).toEqual(["connected", "turn.start", "turn.update"]);
    expect(expected.sent.every((s) => JSON.parse(s).request_id === "mine")).toBe(true);
    expect(expected.closed).toEqual({ code: 1000, reason: "OK" });
    const delayed = expected.outputs.find((o) => o.kind === "send" && o.data.includes("turn.end"));
    expect(delayed).toMatchObject({ delayMs: 130 });
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 5 }), fc.constantFrom<"position" | "digest">("position", "digest"), (size, match) => {
        const got = driveCore(replayCore(match), [...chunkBytes(audio(2), size).map((data): CoreInput => ({ kind: "audio", data })), { kind: "text", data: '{"type":"close"}' }]);
        expect(got.sent).toEqual(expected.sent);
      }),
      { numRuns: 60 },
    );
  });

  it("match: digest refuses other audio with an error and a journal note; position does not care", () => {
    const other = [...chunkBytes(audio(2, 1), [640]).map((data): CoreInput => ({ kind: "audio", data }))];
    const strict = driveCore(replayCore("digest"), other);
    expect(strict.outputs.some((o) => o.kind === "note" && o.rule === "replay/audio-differs")).toBe(true);
    expect(JSON.parse(strict.sent.at(-1) as string)).toMatchObject({ type: "error" });
    expect(strict.closed?.code).toBe(1008);
    const loose = driveCore(replayCore("position"), other);
    expect(loose.sent.map((s) => JSON.parse(s).type)).toEqual(["connected", "turn.start", "turn.update"]);
  });
});
