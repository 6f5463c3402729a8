/** The voice agent against a real mock on 127.0.0.1, through `@speechwire/mock-server/testing`: what it sent and received. */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BUILTIN_SCENARIOS } from "@speechwire/mock-server";
import { setupMockServer, type MockSession } from "@speechwire/mock-server/testing";
import { CartesiaApiError } from "@speechwire/client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readWav, replyTo, runVoiceAgent, syntheticSpeech, type AgentEvent } from "../src/index.js";

const mock = setupMockServer({ scenario: "eager-resume" });
beforeAll(() => mock.listen());
afterEach(() => mock.reset());
afterAll(() => mock.close());

/** The agent on `seconds` of synthetic speech, streamed as fast as the socket takes it (the mock's clock is the audio). */
const run = (seconds: number, events: AgentEvent[] = []) =>
  runVoiceAgent({ baseUrl: mock.urls.http, apiKey: "sk_car_test", audio: syntheticSpeech(seconds), pace: 0, onEvent: (e) => events.push(e) });

/** The TTS messages the agent sent, as (context, what) pairs. */
const ttsSent = (s: MockSession<"tts">) =>
  s.sent.map((m) => ("cancel" in m ? [m.context_id, "cancel"] : "transcript" in m ? [m.context_id, m.continue === false ? "end" : m.transcript] : [m.type]));

/** Bytes of decoded audio the mock sent for one context. */
const audioOf = (s: MockSession<"tts">, contextId: string) =>
  s.received.reduce((n, m) => n + (m.type === "chunk" && m.context_id === contextId ? Buffer.from(m.data, "base64").length : 0), 0);

const EAGER_RESUME = BUILTIN_SCENARIOS.find((s) => s.name === "eager-resume");
const FINAL = "I'd like to change my order. The address is wrong.";

describe("the voice agent", () => {
  it("starts a reply on turn.eager_end, cancels it on turn.resume, and answers the final transcript (eager-resume)", async () => {
    // The TTS's first chunk is held 1.5 s, so the cancel always reaches the mock before any audio of
    // the eager reply (it is sent as soon as turn.resume arrives, milliseconds later).
    mock.use({ ...EAGER_RESUME, name: "eager-resume-slow-tts", latency: { ttsFirstChunk: 1500 } });
    const events: AgentEvent[] = [];
    const result = await run(8, events);

    expect(result.transcripts).toEqual([FINAL]);
    expect(result.cancelled).toEqual(["reply-1"]);
    expect(result.failures).toEqual([]);
    expect(result.turns.map(({ audio, ...t }) => t)).toEqual([{ transcript: FINAL, reply: `Got it. You said: ${FINAL}`, contextId: "reply-2", speculative: false }]);
    expect(events.map((e) => e.type)).toEqual(["reply-started", "reply-cancelled", "reply-started", "turn", "reply"]);

    const stt = await mock.nextSession("stt-turns");
    expect(stt.sent).toEqual([{ type: "close" }]);
    expect(stt.received.map((m) => m.type).filter((t) => t !== "turn.update")).toEqual(["connected", "turn.start", "turn.eager_end", "turn.resume", "turn.end"]);
    expect(stt.audioBytes).toBe(8 * 16000 * 2);

    const tts = await mock.nextSession("tts");
    expect(ttsSent(tts)).toEqual([
      ["reply-1", "Got it. You said: I'd like to change my order."],
      ["reply-1", "end"],
      ["reply-1", "cancel"],
      ["reply-2", `Got it. You said: ${FINAL}`],
      ["reply-2", "end"],
    ]);
    expect(tts.sent[0]).toMatchObject({ model_id: "sonic-3", output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: 24000 }, continue: true });
    // The mock stopped reply-1 at the cancel: at most the chunk it had already made (held by the
    // latency) still goes out, then `done`; the agent kept none of it.
    const reply1 = tts.received.filter((m) => "context_id" in m && m.context_id === "reply-1").map((m) => m.type);
    expect(reply1.filter((t) => t === "chunk").length).toBeLessThanOrEqual(1);
    expect(reply1.at(-1)).toBe("done");
    expect(audioOf(tts, "reply-2")).toBe(result.turns[0]?.audio.pcm.byteLength);
    expect(result.turns[0]?.audio.pcm.byteLength).toBeGreaterThan(24000);
    expect(tts.close).toMatchObject({ side: "client", code: 1000 });
  });

  it("keeps a reply started on turn.eager_end when turn.end confirms the transcript (eager-end)", async () => {
    mock.use("eager-end");
    const result = await run(4);
    expect(result.turns.map(({ audio, ...t }) => t)).toEqual([
      { transcript: "What time do you close today?", reply: "Let me check. You asked: What time do you close today?", contextId: "reply-1", speculative: true },
    ]);
    expect(result.cancelled).toEqual([]);
    const tts = await mock.nextSession("tts");
    expect(ttsSent(tts)).toEqual([
      ["reply-1", "Let me check. You asked: What time do you close today?"],
      ["reply-1", "end"],
    ]);
    expect(audioOf(tts, "reply-1")).toBe(result.turns[0]?.audio.pcm.byteLength);
    const stt = await mock.nextSession("stt-turns");
    expect(stt.received.filter((m) => m.type === "turn.end")).toMatchObject([{ transcript: "What time do you close today?" }]);
  });

  it("answers every turn of a conversation in order, and skips an empty one (multi-turn, empty-turn)", async () => {
    mock.use("multi-turn");
    const result = await run(14);
    const said = ["Hello.", "Can you check my balance?", "The account ends in four two seven.", "Thanks, that's all."];
    expect(result.transcripts).toEqual(said);
    expect(result.turns.map((t) => t.reply)).toEqual(said.map(replyTo));
    const tts = await mock.nextSession("tts");
    // The eager reply to the paused turn may have finished before the resume (nothing left to cancel) or not.
    const cancels = ttsSent(tts).filter(([, what]) => what === "cancel").map(([id]) => id);
    expect(cancels).toEqual(result.cancelled);
    expect(ttsSent(tts).filter(([, what]) => what !== "end" && what !== "cancel").map(([, text]) => text)).toEqual([
      replyTo("Hello."),
      replyTo("Can you check my balance?"),
      replyTo("The account ends in"),
      replyTo("The account ends in four two seven."),
      replyTo("Thanks, that's all."),
    ]);
    for (const turn of result.turns) expect(audioOf(tts, turn.contextId)).toBe(turn.audio.pcm.byteLength);

    mock.reset();
    mock.use("empty-turn");
    const empty = await run(8);
    expect(empty.transcripts).toEqual(["Hello?", "", "Are you still there?"]);
    expect(empty.turns.map((t) => t.transcript)).toEqual(["Hello?", "Are you still there?"]);
  });

  it("streams in real time by default, like a microphone", async () => {
    mock.use("eager-end");
    const started = Date.now();
    await runVoiceAgent({ baseUrl: mock.urls.http, audio: syntheticSpeech(1) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    const stt = await mock.nextSession("stt-turns");
    expect(stt.audioBytes).toBe(32000);
  });

  it("rejects with the API's error when the handshake is refused, and leaves nothing running", async () => {
    mock.use("auth-401");
    const error = await run(1).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CartesiaApiError);
    expect((error as CartesiaApiError).status).toBe(401);
    // A refused handshake opens no session: nothing was journalled, nothing is left open.
    await expect(mock.nextSession(undefined, { timeout: 200 })).rejects.toThrow(/since the last reset:\n {2}none$/);
  });

  it("refuses bad options with a clear error", async () => {
    await expect(runVoiceAgent({ baseUrl: mock.urls.http, audio: syntheticSpeech(1), pace: -1 })).rejects.toThrow(/pace must be a finite number ≥ 0, got -1/);
    await expect(runVoiceAgent({ baseUrl: mock.urls.http, audio: syntheticSpeech(1), frameMs: 0 })).rejects.toThrow(/frameMs must be a positive number/);
  });
});

describe("the CLI", () => {
  const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
  const exec = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "voice-agent-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("makes a WAV, runs the loop on it against the mock, prints each step and writes each reply as a WAV", async () => {
    const wav = join(dir, "in.wav");
    expect((await exec(["--make-wav", wav, "--seconds", "8"])).code).toBe(0);
    expect(readWav(readFileSync(wav))).toEqual(syntheticSpeech(8));
    const out = join(dir, "replies");
    const { code, stdout, stderr } = await exec(["--url", `${mock.urls.http}/s/eager-end`, "--wav", wav, "--out", out, "--pace", "0"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout.split("\n")).toEqual([
      '  speaking reply-1: "Let me check. You asked: What time do you close today?"',
      'caller: "What time do you close today?"',
      expect.stringMatching(/^agent: "Let me check\. You asked: What time do you close today\?" → .*turn-1\.wav \(\d+\.\d\d s, started on eager end\)$/),
      "1 replies, 0 cancelled on resume, 0 failed",
      "",
    ]);
    expect(readdirSync(out)).toEqual(["turn-1.wav"]);
    const reply = readWav(readFileSync(join(out, "turn-1.wav")));
    expect(reply.sampleRate).toBe(24000);
    const tts = await mock.nextSession("tts");
    expect(audioOf(tts, "reply-1")).toBe(reply.pcm.byteLength);
    expect((await mock.nextSession("stt-turns")).scenario).toBe("eager-end");
  });

  it("says what is wrong in one line, with a hint", async () => {
    const missing = await exec(["--wav", "x.wav"]);
    expect(missing).toMatchObject({ code: 2, stdout: "", stderr: "voice-agent: --url is required\n(run with --help for the options)\n" });
    const notWav = join(dir, "not.wav");
    writeFileSync(notWav, "hello");
    expect((await exec(["--url", mock.urls.http, "--wav", notWav])).stderr).toBe(`voice-agent: ${notWav}: not a WAV file (no RIFF/WAVE header)\n(run with --help for the options)\n`);
    expect((await exec(["--bogus"])).stderr).toMatch(/^voice-agent: Unknown option '--bogus'/);
    const help = await exec(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: node dist\/cli\.js --url URL --wav FILE/);
  });
});
