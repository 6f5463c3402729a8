/**
 * STT with speech synthesized by the target's own TTS (`--speech tts`), against the embedded mock and a
 * separately started one, over loopback only. The mock's TTS renders each word as a tone with exact word
 * timestamps; the `bench-*-speech` scenarios (`timing: vad`) make its STT hear that audio. Checked: where
 * the plan says speech ends (the TTS's last word `end`, and the detector's view of the audio), that every
 * turn and round yields its metric, and that an added latency shows up (order only, no tight timing).
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockServer } from "@speechwire/mock-server";
import { detectSpeech } from "@speechwire/mock-server/core";
import { CLIENTS } from "../src/drivers/types.js";
import { ENDPOINTS } from "../src/metrics/definitions.js";
import { runBench } from "../src/run/bench.js";
import { runEndpoint, type RunPlan } from "../src/run/runner.js";
import { parseResults } from "../src/report/schema.js";
import { BYTES_PER_SECOND, DEFAULT_SCENARIO, FRAME_MS, SAMPLE_RATE } from "../src/targets/scenarios.js";
import { DEFAULT_SPEECH_VOICE, SPEECH_SILENCE, SPEECH_TRANSCRIPTS, SpeechCache, speechTurnsPlan, speechV1Plan, synthesizeSpeech } from "../src/targets/speech.js";
import { startTarget, type Target } from "../src/targets/target.js";

const FRAME_S = FRAME_MS / 1000;

const plan = (extra: Partial<RunPlan> = {}): RunPlan => ({
  endpoints: [...ENDPOINTS],
  client: "raw",
  sessions: 3,
  concurrency: 2,
  warmup: 1,
  pacing: "fast",
  rounds: 3,
  requests: 1,
  speech: "tts",
  ...extra,
});

let target: Target;
beforeAll(async () => {
  target = await startTarget({ kind: "mock", latency: 40, seed: 5, tls: false });
});
afterAll(async () => {
  await target.close();
});

describe("synthesized speech", () => {
  it("comes back as 16 kHz pcm_s16le with one timestamp per word; speech ends at the last word's end", async () => {
    const transcript = SPEECH_TRANSCRIPTS["stt-turns"][0];
    const s = await synthesizeSpeech(target.connection("tts", DEFAULT_SCENARIO.tts), transcript);
    expect(s.sampleRate).toBe(SAMPLE_RATE);
    expect(s.words.map((w) => w.word)).toEqual(transcript.split(" "));
    expect(s.speechEnd).toBe(s.words[s.words.length - 1]!.end);
    expect(s.audio.length / BYTES_PER_SECOND).toBeGreaterThanOrEqual(s.speechEnd);
    // The audio itself: the energy detector's last loud frame ends within a frame of the last word's end.
    const heard = detectSpeech(s.audio, "pcm_s16le", SAMPLE_RATE);
    expect(heard.length).toBeGreaterThan(0);
    expect(Math.abs(heard[heard.length - 1]!.end - s.speechEnd)).toBeLessThanOrEqual(FRAME_S);
  });

  it("the turns plan marks each turn's speech end at its clip's offset + the last word's end, and the audio agrees", async () => {
    const cache = new SpeechCache();
    const connection = target.connection("tts", DEFAULT_SCENARIO.tts);
    const turns = await Promise.all(SPEECH_TRANSCRIPTS["stt-turns"].map((t) => cache.get("mock", connection, t, DEFAULT_SPEECH_VOICE)));
    const p = speechTurnsPlan(turns);
    expect(p.turns).toBe(3);
    expect(p.audio.length).toBe(p.bytes);
    let clipStart = Math.round(SPEECH_SILENCE.turnsLead * SAMPLE_RATE) * 2;
    const heard = detectSpeech(p.audio, "pcm_s16le", SAMPLE_RATE);
    turns.forEach((t, k) => {
      expect(p.speechEnds[k]).toBe(clipStart + Math.round(t.speechEnd * SAMPLE_RATE) * 2);
      const clipEnd = clipStart + t.audio.length;
      // The detector's view of this turn's clip: its last stretch of speech ends where the plan says, within a frame.
      const inClip = heard.filter((h) => h.start * BYTES_PER_SECOND >= clipStart - 1 && h.start * BYTES_PER_SECOND < clipEnd);
      expect(inClip.length, `turn ${k}`).toBeGreaterThan(0);
      expect(Math.abs(inClip[inClip.length - 1]!.end - p.speechEnds[k]! / BYTES_PER_SECOND), `turn ${k}`).toBeLessThanOrEqual(FRAME_S);
      // turn.end is due by the end of the silence after the turn, which the endpointer needs.
      expect(p.turnEndsDue[k]).toBe(clipEnd + Math.round(SPEECH_SILENCE.turnsAfter * SAMPLE_RATE) * 2);
      clipStart = p.turnEndsDue[k]!;
    });
    expect(p.bytes).toBe(clipStart);
    // The cache synthesized each transcript once.
    await cache.get("mock", connection, SPEECH_TRANSCRIPTS["stt-turns"][0], DEFAULT_SPEECH_VOICE);
    expect(cache.size).toBe(3);
    const v1 = speechV1Plan([turns[0]!]);
    expect(v1.roundBytes).toEqual([Math.round(SPEECH_SILENCE.v1Lead * SAMPLE_RATE) * 2 + turns[0]!.audio.length + Math.round(SPEECH_SILENCE.v1Tail * SAMPLE_RATE) * 2]);
  });
});

describe("--speech tts against the embedded mock (latency 40 ms)", () => {
  it("stt-turns: every turn's speech end gets its turn.end, at least the added latency later", async () => {
    const o = await runEndpoint(plan(), target, "stt-turns");
    expect(o.scenario).toBe("bench-turns-speech");
    expect(o.sessions).toEqual({ ok: 3, failed: 0, errors: [] });
    const s = o.recorders.get("stt-turns.speech-end-to-turn-end")!.summary()!;
    expect(s.n).toBe(9);
    // The mock holds turn.end back 40 ms after 0.4 s of silence; its timer may fire ~1 ms early (libuv's loop clock).
    expect(s.min).toBeGreaterThanOrEqual(39);
    expect(o.speech?.source).toBe("tts");
    expect(o.speech?.utterances.map((u) => u.transcript)).toEqual([...SPEECH_TRANSCRIPTS["stt-turns"]]);
    for (const u of o.speech!.utterances) expect(u.speechEndSeconds).toBeLessThanOrEqual(u.audioSeconds);
  });

  it("stt-v1: every round's finalize gets a final and a flush_done", async () => {
    const o = await runEndpoint(plan({ client: "speechwire" }), target, "stt-v1");
    expect(o.scenario).toBe("bench-v1-speech");
    expect(o.sessions).toEqual({ ok: 3, failed: 0, errors: [] });
    expect(o.recorders.get("stt-v1.finalize-to-final")?.n).toBe(9);
    expect(o.recorders.get("stt-v1.finalize-to-flush-done")?.n).toBe(9);
    expect(o.recorders.get("stt-v1.finalize-to-final")!.summary()!.min).toBeGreaterThanOrEqual(39);
  });

  it("runBench records the speech source, model, voice and transcripts; results stay valid", async () => {
    const r = await runBench({
      command: "stt-turns",
      endpoints: ["stt-turns"],
      clients: ["raw", "speechwire"],
      target: "mock",
      latency: 40,
      seed: 2,
      sessions: 2,
      concurrency: 2,
      warmup: 0,
      pacing: "fast",
      rounds: 1,
      requests: 1,
      speech: "tts",
      voice: { model: "sonic-3", voice: "bench-test-voice" },
      baselineN: 50,
    });
    expect(r.environment.speech).toEqual({ source: "tts", model: "sonic-3", voice: "bench-test-voice" });
    expect(r.runs.map((x) => x.speech?.voice)).toEqual(["bench-test-voice", "bench-test-voice"]);
    for (const run of r.runs) expect(run.metrics.find((m) => m.id === "stt-turns.speech-end-to-turn-end")?.summary?.n).toBe(6);
    expect(parseResults(JSON.stringify(r)).ok).toBe(true);
  });
});

describe.each(CLIENTS)("--speech tts with client %s", (client) => {
  it("hands the synthesized audio over intact: every turn ends, and the mock's detector hears the same pauses", async () => {
    const o = await runEndpoint(plan({ client, sessions: 2, warmup: 0 }), target, "stt-turns");
    expect(o.sessions).toEqual({ ok: 2, failed: 0, errors: [] });
    expect(o.recorders.get("stt-turns.speech-end-to-turn-end")?.n).toBe(6);
    // Per session four eager ends (one per turn end, one at "free? Or"), one of them resumed: only the
    // real audio, frame for frame, gives that.
    const share = o.recorders.get("stt-turns.resume-share")!.summary()!;
    expect([share.n, share.min, share.max]).toEqual([2, 0.25, 0.25]);
  });
});

describe("--speech on URL targets", () => {
  it("a separately started mock with --speech tts forced: its vad scenario comes through the admin API", async () => {
    const elsewhere = await startMockServer({ host: "127.0.0.1", port: 0, tlsPort: false, latency: 40 });
    try {
      const url = await startTarget({ kind: "url", url: elsewhere.urls.http, apiKey: "sk_test" });
      expect(url.scripted).toBe(true);
      const o = await runEndpoint(plan({ client: "speechwire", warmup: 0, sessions: 2 }), url, "stt-turns");
      expect(o.sessions).toEqual({ ok: 2, failed: 0, errors: [] });
      expect(elsewhere.scenarios.get("bench-turns-speech")?.stt.timing).toBe("vad");
      const s = o.recorders.get("stt-turns.speech-end-to-turn-end")!.summary()!;
      expect(s.n).toBe(6);
      expect(s.min).toBeGreaterThanOrEqual(39);
    } finally {
      await elsewhere.close();
    }
  });

  it("a URL that is not a mock defaults to tts speech; when synthesis fails, every session fails with the reason", async () => {
    // Nothing listens on port 9 of loopback: synthesis is refused, and no STT socket is opened.
    const url = await startTarget({ kind: "url", url: "http://127.0.0.1:9", apiKey: "sk_test" });
    const o = await runEndpoint(plan({ speech: undefined, warmup: 0, sessions: 2 }), url, "stt-v1");
    expect(o.skipped).toBeUndefined();
    expect(o.sessions.ok).toBe(0);
    expect(o.sessions.failed).toBe(2);
    expect(o.sessions.errors[0]).toMatch(/synthesizing STT speech .* failed/);
    expect(o.recorders.size).toBe(0);
  });

  it("--speech scripted on a URL that is not a mock skips STT with the reason", async () => {
    const url = await startTarget({ kind: "url", url: "http://127.0.0.1:9", apiKey: "sk_test" });
    const o = await runEndpoint(plan({ speech: "scripted" }), url, "stt-turns");
    expect(o.skipped).toMatch(/--speech tts/);
    expect(o.sessions).toEqual({ ok: 0, failed: 0, errors: [] });
  });

  it("results written before the speech field still parse (the field is optional)", async () => {
    // The committed example of 2026-11-22 (histograms and most of each distribution cut, to keep it small).
    const old = await readFile(new URL("./fixtures/results-2026-11-22.json", import.meta.url), "utf8");
    expect(old).not.toMatch(/"speech"/);
    const parsed = parseResults(old);
    expect(parsed.ok).toBe(true);
  });
});
