/**
 * The journal's memory is what its limits say: a clipped text entry keeps its clip, not the whole
 * frame it was cut from (a 6.4 KB TTS chunk frame clipped at 4,096 characters, or a 64 KB one at 64).
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { DEFAULT_JOURNAL_LIMITS, Journal } from "../src/server/journal.js";

setFlagsFromString("--expose-gc");
/** A full collection (the flag above makes `gc` available to new contexts). */
const gc = runInNewContext("gc") as () => void;

describe("journal memory", () => {
  it("a clipped entry does not keep its whole frame alive", () => {
    const journal = new Journal({ ...DEFAULT_JOURNAL_LIMITS, entriesPerSession: 2000, textChars: 64 });
    const session = journal.open({ endpoint: "tts", scenario: "s", version: "2026-03-01", requestId: "r", path: "/tts/websocket", query: new URLSearchParams(), headers: {} });
    gc();
    const before = process.memoryUsage().heapUsed;
    // 2,000 distinct frames of 64 KiB: 128 MiB if the entries kept them.
    for (let i = 0; i < 2000; i += 1) session.text("client", `${String(i).padStart(8, "0")}${"x".repeat(65_528)}`, 0);
    gc();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(16 * 1024 * 1024);
    const entries = journal.get(session.record.id)?.entries ?? [];
    expect(entries).toHaveLength(2000);
    expect(entries[7]?.text).toBe(`00000007${"x".repeat(56)}…(65536 chars)`);
  });

  it("a clipped TTS chunk entry (the audio's middle cut out) does not keep its frame alive either", () => {
    const journal = new Journal({ ...DEFAULT_JOURNAL_LIMITS, entriesPerSession: 2000 });
    const session = journal.open(TTS_SESSION);
    session.text("client", JSON.stringify({ model_id: "sonic-3", voice: { mode: "id", id: "v" }, output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: 24000 }, context_id: "c", transcript: "Hi.", continue: true }), 0);
    gc();
    const before = process.memoryUsage().heapUsed;
    // 1,999 distinct chunk frames with 64 KiB of base64 each: 125 MiB if the entries kept them.
    for (let i = 1; i < 2000; i += 1) {
      session.text("server", `{"type":"chunk","data":"${String(i).padStart(8, "A")}${"A".repeat(65_528)}","done":false,"status_code":206,"step_time":1.5,"context_id":"c"}`, 0);
    }
    gc();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(16 * 1024 * 1024);
    const entries = journal.get(session.record.id)?.entries ?? [];
    expect(entries).toHaveLength(2000);
    expect(entries[7]?.text).toBe(`{"type":"chunk","data":"AAAAAAA7${"A".repeat(56)}…(65536 chars)","done":false,"status_code":206,"step_time":1.5,"context_id":"c"}`);
    expect(journal.get(session.record.id)?.violations).toEqual([]);
  });

  it("past the entry limit, frames are counted, not kept", () => {
    const journal = new Journal({ ...DEFAULT_JOURNAL_LIMITS, entriesPerSession: 3 });
    const session = journal.open({ endpoint: "tts", scenario: "s", version: "2026-03-01", requestId: "r", path: "/tts/websocket", query: new URLSearchParams(), headers: {} });
    for (let i = 0; i < 5; i += 1) session.text("client", `frame ${i}`, 0);
    const record = journal.get(session.record.id);
    expect(record?.entries.map((e) => e.text)).toEqual(["frame 0", "frame 1", "frame 2"]);
    expect(record?.droppedEntries).toBe(2);
  });

  it("past a session's text budget, its entries are clipped at 128 characters", () => {
    const journal = new Journal({ ...DEFAULT_JOURNAL_LIMITS, textChars: 1000, textCharsPerSession: 2500 });
    const session = journal.open(TTS_SESSION);
    for (let i = 0; i < 5; i += 1) session.text("server", `${i}${"y".repeat(4999)}`, 0);
    const lengths = (journal.get(session.record.id)?.entries ?? []).map((e) => e.text?.length);
    const suffix = "…(5000 chars)".length;
    // 1,000 + 1,000 + 1,000 characters reach the 2,500 budget; the rest are clipped short.
    expect(lengths).toEqual([1000 + suffix, 1000 + suffix, 1000 + suffix, 128 + suffix, 128 + suffix]);
  });

  it("past the text budget of all sessions, the oldest sessions are let go and the newest stays", () => {
    const journal = new Journal({ ...DEFAULT_JOURNAL_LIMITS, textChars: 10_000, textCharsTotal: 25_000 });
    const ids: string[] = [];
    for (let s = 0; s < 4; s += 1) {
      const session = journal.open(TTS_SESSION);
      ids.push(session.record.id);
      session.text("server", "z".repeat(10_000), 0);
    }
    // Each session holds 10,000 characters: only the two newest fit in 25,000.
    expect(journal.list().map((r) => r.id)).toEqual(ids.slice(2));
    expect(journal.get(ids[0] as string)).toBeUndefined();
    // One session larger than the whole budget still keeps its record.
    const big = new Journal({ ...DEFAULT_JOURNAL_LIMITS, textChars: 10_000, textCharsTotal: 5_000 });
    const only = big.open(TTS_SESSION);
    only.text("server", "z".repeat(10_000), 0);
    expect(big.list().map((r) => r.id)).toEqual([only.record.id]);
  });
});

/** What opening a TTS session's journal takes. */
const TTS_SESSION = { endpoint: "tts", scenario: "s", version: "2026-03-01", requestId: "r", path: "/tts/websocket", query: new URLSearchParams(), headers: {} } as const;
