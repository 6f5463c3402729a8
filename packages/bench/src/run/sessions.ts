/**
 * The session scripts, one per endpoint, written once for every driver. The bench stamps each moment
 * it hands a frame to the client (`performance.now()` just before the call); drivers stamp what they
 * deliver. Metrics are computed here from those stamps, so every client is measured by the same code.
 */
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { Connection, Driver, SttSession } from "../drivers/types.js";
import { wordCount } from "../drivers/types.js";
import { FRAME_BYTES, FRAME_MS, SAMPLE_RATE, TTS_MODEL, TTS_TRANSCRIPT, TTS_VOICE, type TurnsPlan, type V1Plan } from "../targets/scenarios.js";
import { EventLog } from "./events.js";

/** Real time (one 20 ms frame every 20 ms) or as fast as the socket takes it. */
export type Pacing = "realtime" | "fast";

/** Values one session produced, by metric id. */
export type SessionValues = Record<string, number[]>;

/**
 * Optional observers of a session. `sendLag(ms)`: with real-time pacing, per audio frame, how late it was
 * handed to the client against its drift-free schedule (a load generator that cannot keep up shows here).
 */
export interface SessionHooks {
  sendLag?(ms: number): void;
}

/** How long any single wait may take before the session is counted as failed. */
export const WAIT_MS = 30_000;

const add = (values: SessionValues, id: string, v: number) => {
  (values[id] ??= []).push(v);
};

/**
 * Sends audio from byte `from` to byte `to` of the stream in 20 ms frames, on the stream's frame grid:
 * bytes of `audio` (synthesized speech) when given, else silence (the mock places words by audio
 * position). Calls `onMark(i, at)` for each mark (an absolute byte offset) when the frame that reaches
 * it is handed over.
 */
async function stream(session: SttSession, from: number, to: number, pacing: Pacing, marks: readonly number[] = [], onMark?: (i: number, at: number) => void, audio?: Uint8Array, hooks?: SessionHooks): Promise<void> {
  const silence = new Uint8Array(FRAME_BYTES);
  // Views, not copies: the (cached) speech is never written to, and copying would add work to the timed loop.
  const frameAt = (offset: number, n: number) => (audio ? audio.subarray(offset, offset + n) : n === FRAME_BYTES ? silence : silence.subarray(0, n));
  const start = performance.now();
  let sent = from;
  let k = 0;
  let nextMark = marks.findIndex((m) => m > from);
  if (nextMark < 0) nextMark = marks.length;
  while (sent < to) {
    const n = Math.min(FRAME_BYTES, to - sent);
    if (pacing === "realtime") {
      // Drift-free: frame k leaves at start + k × 20 ms.
      const wait = start + k * FRAME_MS - performance.now();
      if (wait > 1) await sleep(wait);
    }
    const frame = frameAt(sent, n);
    const at = performance.now();
    if (pacing === "realtime") hooks?.sendLag?.(Math.max(0, at - (start + k * FRAME_MS)));
    session.sendAudio(frame);
    sent += n;
    k += 1;
    while (nextMark < marks.length && (marks[nextMark] as number) <= sent) onMark?.(nextMark++, at);
  }
}

const timed = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
  const t0 = performance.now();
  const v = await f();
  return [v, performance.now() - t0];
};

/** One `/stt/websocket` session: `rounds` × (a scripted turn's audio, `finalize`), then `close`. */
export async function sttV1Session(driver: Driver, connection: Connection, plan: V1Plan, rounds: number, pacing: Pacing, hooks?: SessionHooks): Promise<SessionValues> {
  const log = new EventLog();
  const values: SessionValues = {};
  const [session, handshake] = await timed(() => driver.openSttV1(connection, { model: "ink-whisper", encoding: "pcm_s16le", sample_rate: SAMPLE_RATE, language: "en" }, log.push));
  add(values, "stt-v1.handshake", handshake);
  try {
    const n = plan.loop ? rounds : Math.min(rounds, plan.roundBytes.length);
    for (let r = 0; r < n; r += 1) {
      const i = r % plan.roundBytes.length;
      await stream(session, 0, plan.roundBytes[i] as number, pacing, [], undefined, plan.roundAudio?.[i], hooks);
      const from = log.mark;
      const sentAt = performance.now();
      session.finalize();
      const flushDone = await log.wait((e) => e.type === "flush_done", from, WAIT_MS, "flush_done");
      add(values, "stt-v1.finalize-to-flush-done", flushDone.at - sentAt);
      const final = log.events.slice(from).find((e) => e.type === "transcript" && e.isFinal);
      if (final) add(values, "stt-v1.finalize-to-final", final.at - sentAt);
    }
    const from = log.mark;
    const closeAt = performance.now();
    session.close();
    const done = await log.wait((e) => e.type === "done", from, WAIT_MS, "done");
    add(values, "stt-v1.close-to-done", done.at - closeAt);
    await Promise.race([session.ended, sleep(WAIT_MS, undefined, { ref: false })]);
    return values;
  } catch (error) {
    session.abort();
    throw error;
  }
}

/** One `/stt/turns/websocket` session: one pass of the script's audio, then `{"type":"close"}`. */
export async function turnsSession(driver: Driver, connection: Connection, plan: TurnsPlan, pacing: Pacing, hooks?: SessionHooks): Promise<SessionValues> {
  const log = new EventLog();
  const values: SessionValues = {};
  const [session, handshake] = await timed(() => driver.openTurns(connection, { model: "ink-2", encoding: "pcm_s16le", sample_rate: SAMPLE_RATE }, log.push));
  add(values, "stt-turns.handshake", handshake);
  try {
    const speechEndSent: number[] = [];
    const mark = (i: number, at: number) => {
      speechEndSent[i] = at;
    };
    const turnEnd = (e: { type: string }) => e.type === "turn.end";
    const waitTurnEnd = async (k: number) => {
      while (log.events.filter(turnEnd).length <= k) {
        await log.wait(turnEnd, log.events.findLastIndex(turnEnd) + 1, WAIT_MS, `turn.end ${k + 1} of ${plan.turns}`);
      }
    };
    if (pacing === "realtime") {
      await stream(session, 0, plan.bytes, pacing, plan.speechEnds, mark, plan.audio, hooks);
    } else {
      // As fast as possible, one turn at a time: each turn's audio up to where its turn.end is due, then
      // wait for that turn.end. Each turn is then measured on its own, as a live conversation produces
      // it (a speaker waits for the reply), whatever a server does with a burst of several turns.
      let at = 0;
      for (let k = 0; k < plan.turns; k += 1) {
        const due = Math.min(plan.bytes, Math.ceil((plan.turnEndsDue[k] as number) / FRAME_BYTES) * FRAME_BYTES);
        if (due > at) await stream(session, at, due, pacing, plan.speechEnds, mark, plan.audio, hooks);
        at = Math.max(at, due);
        await waitTurnEnd(k);
      }
      if (at < plan.bytes) await stream(session, at, plan.bytes, pacing, [], undefined, plan.audio, hooks);
    }
    // Every scripted turn ends within the pass.
    await waitTurnEnd(plan.turns - 1);
    session.close();
    await Promise.race([session.ended, sleep(WAIT_MS, undefined, { ref: false })]);
    // Turn k's events lie between its turn.start and its turn.end.
    let turn = 0;
    let eagerAt: number | undefined;
    let eagers = 0;
    let resumed = 0;
    for (const e of log.events) {
      if (e.type === "turn.eager_end") {
        eagers += 1;
        eagerAt = e.at;
      } else if (e.type === "turn.resume") {
        if (eagerAt !== undefined) resumed += 1;
        eagerAt = undefined;
      } else if (e.type === "turn.end") {
        const sent = speechEndSent[turn];
        if (sent !== undefined) add(values, "stt-turns.speech-end-to-turn-end", e.at - sent);
        if (eagerAt !== undefined) add(values, "stt-turns.eager-lead", e.at - eagerAt);
        eagerAt = undefined;
        turn += 1;
      }
    }
    if (eagers > 0) add(values, "stt-turns.resume-share", resumed / eagers);
    return values;
  } catch (error) {
    session.abort();
    throw error;
  }
}

/** One `/tts/websocket` session: `requests` contexts one after another, each a whole transcript. */
export async function ttsSession(driver: Driver, connection: Connection, requests: number, sessionIndex: number, transcript: string = TTS_TRANSCRIPT): Promise<SessionValues> {
  const log = new EventLog();
  const values: SessionValues = {};
  const sampleRate = 24_000;
  const [session, handshake] = await timed(() =>
    driver.openTts(
      connection,
      {
        model_id: TTS_MODEL,
        voice: { mode: "id", id: TTS_VOICE },
        output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: sampleRate },
        language: "en",
      },
      log.push,
    ),
  );
  add(values, "tts.handshake", handshake);
  const words = wordCount(transcript);
  try {
    for (let r = 0; r < requests; r += 1) {
      const contextId = `bench-${sessionIndex}-${r}`;
      const from = log.mark;
      const sentAt = performance.now();
      session.request(contextId, transcript);
      const mine = (e: { type: string; contextId?: string }) => e.contextId === contextId;
      const done = await log.wait((e) => e.type === "context_done" && mine(e), from, WAIT_MS, `done of ${contextId}`);
      const own = log.events.slice(from).filter(mine);
      const first = own.find((e) => e.type === "chunk");
      const bytes = own.reduce((s, e) => s + (e.type === "chunk" ? e.bytes : 0), 0);
      const stamped = own.reduce((s, e) => s + (e.type === "timestamps" ? e.words : 0), 0);
      if (first) add(values, "tts.first-chunk", first.at - sentAt);
      add(values, "tts.done", done.at - sentAt);
      const audioSeconds = bytes / 2 / sampleRate;
      if (audioSeconds > 0) add(values, "tts.real-time-factor", (done.at - sentAt) / 1000 / audioSeconds);
      add(values, "tts.timestamp-coverage", stamped / words);
    }
    await session.close();
    return values;
  } catch (error) {
    session.abort();
    throw error;
  }
}
