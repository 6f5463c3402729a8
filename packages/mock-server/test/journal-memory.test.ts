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

  it("past the entry limit, frames are counted, not kept", () => {
    const journal = new Journal({ ...DEFAULT_JOURNAL_LIMITS, entriesPerSession: 3 });
    const session = journal.open({ endpoint: "tts", scenario: "s", version: "2026-03-01", requestId: "r", path: "/tts/websocket", query: new URLSearchParams(), headers: {} });
    for (let i = 0; i < 5; i += 1) session.text("client", `frame ${i}`, 0);
    const record = journal.get(session.record.id);
    expect(record?.entries.map((e) => e.text)).toEqual(["frame 0", "frame 1", "frame 2"]);
    expect(record?.droppedEntries).toBe(2);
  });
});
