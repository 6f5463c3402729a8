/**
 * The built-in third-party adapters run against the committed baselines: every failing or warning
 * check is listed there with its reason, and every listed one still fails (no stale entry).
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadBuiltinAdapter } from "../src/adapter/builtin.js";
import { readBaseline } from "../src/report/baseline.js";
import { runConformance } from "../src/runner/run.js";
import { SEED } from "./helpers.js";

const baseline = (name: string) => readBaseline(fileURLToPath(new URL(`../baselines/${name}.json`, import.meta.url)));

describe("built-in adapters match their committed baselines", () => {
  it("@cartesia/cartesia-js 4.2.0", async () => {
    const report = await runConformance({ adapter: await loadBuiltinAdapter("cartesia-js"), runs: 2, seed: SEED, baseline: baseline("cartesia-js") });
    expect({ unexpected: report.unexpected, stale: report.stale }).toEqual({ unexpected: [], stale: [] });
    // v1/config: its reconnect does not send the lost connection's `config` again (v1-config-drop).
    expect(report.checks.filter((c) => c.grade === "fail").map((c) => c.id)).toEqual(["v1/config", "turns/audio-delivered", "turns/close-drains", "access-token/grant-refused", "access-token/expired-refused"]);
    // Its raw turn events carry the words and languages as sent.
    expect(report.checks.filter((c) => /^turns\/(config|words-match-transcript|languages-surfaced)$/u.test(c.id)).map((c) => `${c.id} ${c.grade}`)).toEqual([
      "turns/config pass",
      "turns/words-match-transcript pass",
      "turns/languages-surfaced pass",
    ]);
    // Skipped: no keep-alive in the SDK; the unknown-frame relay is plain ws:// and its TTS socket forces wss://.
    expect(report.checks.filter((c) => c.grade === "skipped").map((c) => c.id)).toEqual(["v1/keep-alive", "turns/keep-alive", "tts/unknown-message"]);
    // TTS over HTTP (tts.generate, tts.generateSSE; MP3 included) and batch STT (stt.transcribe) pass whole.
    expect(report.checks.filter((c) => c.suite === "tts-http" || c.suite === "stt-batch").map((c) => `${c.id} ${c.grade}`)).toEqual([
      "tts-http/bytes-request pass",
      "tts-http/sse-request pass",
      "tts-http/bytes-audio pass",
      "tts-http/sse-events pass",
      "tts-http/errors-surfaced pass",
      "tts-http/no-crash pass",
      "stt-batch/request pass",
      "stt-batch/text pass",
      "stt-batch/errors-surfaced pass",
      "stt-batch/no-crash pass",
    ]);
    // Access tokens: minted and used (Bearer on its Node sockets); only a refused handshake (403, or
    // 401 for an expired token) is surfaced without its status.
    expect(report.checks.filter((c) => c.suite === "access-token").map((c) => `${c.id} ${c.grade}`)).toEqual([
      "access-token/request pass",
      "access-token/token-surfaced pass",
      "access-token/used-on-websocket pass",
      "access-token/grant-refused fail",
      "access-token/expired-refused fail",
      "access-token/errors-surfaced pass",
      "access-token/no-crash pass",
    ]);
  });

  it("@livekit/agents-plugin-cartesia 1.8.1", async () => {
    const report = await runConformance({ adapter: await loadBuiltinAdapter("livekit"), runs: 2, seed: SEED, baseline: baseline("livekit") });
    expect({ unexpected: report.unexpected, stale: report.stale }).toEqual({ unexpected: [], stale: [] });
    expect(report.checks.filter((c) => c.grade === "fail" || c.grade === "warning").map((c) => `${c.id} ${c.grade}`)).toEqual([
      "turns/events-in-order fail",
      "turns/eager-resume-order fail",
      "turns/errors-surfaced fail",
      "tts/end-context warning",
      "tts/errors-surfaced fail",
      "tts-http/bytes-request fail",
      "tts-http/errors-surfaced fail",
    ]);
    // It has no STT v1 stream, no keep-alive, never sends a Cartesia flush, cancel or config, and its SpeechEvents carry no words or languages.
    const skipped = report.checks.filter((c) => c.grade === "skipped").map((c) => c.id);
    expect(skipped.filter((id) => !/^(v1|tts-http|stt-batch|access-token)\//u.test(id))).toEqual([
      "turns/keep-alive",
      "turns/config",
      "turns/words-match-transcript",
      "turns/languages-surfaced",
      "tts/flush",
      "tts/cancel",
      "tts/flush-done-surfaced",
    ]);
    expect(skipped.filter((id) => id.startsWith("v1/"))).toHaveLength(13);
    // TTS over HTTP runs over TLS against the mock (synthesize(): /tts/bytes, raw pcm_s16le only, so no SSE); no batch STT (the plugin has none).
    expect(report.checks.filter((c) => c.suite === "tts-http").map((c) => `${c.id} ${c.grade}`)).toEqual([
      "tts-http/bytes-request fail",
      "tts-http/sse-request skipped",
      "tts-http/bytes-audio pass",
      "tts-http/sse-events skipped",
      "tts-http/errors-surfaced fail",
      "tts-http/no-crash pass",
    ]);
    expect(report.checks.find((c) => c.id === "tts-http/bytes-request")?.reason).toMatch(/max_buffer_delay_ms/u);
    expect(skipped.filter((id) => id.startsWith("stt-batch/"))).toHaveLength(4);
    // Access tokens are not declared: the plugin takes an API key only.
    expect(skipped.filter((id) => id.startsWith("access-token/"))).toHaveLength(7);
  });
});
