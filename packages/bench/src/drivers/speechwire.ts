/**
 * The `@speechwire/client` driver: events are read the way an application reads them, from the
 * client's public async iterators, and stamped when the iterator yields them.
 */
import { performance } from "node:perf_hooks";
import { createClient, type SttStream, type TurnsSession, type TtsContext } from "@speechwire/client";
import type { Endpoint } from "../metrics/definitions.js";
import type { BenchEvent, Connection, Driver, SttSession, TtsSession } from "./types.js";

const clientOf = (connection: Connection, baseUrl = connection.baseUrl) => createClient({ apiKey: connection.apiKey, baseUrl, version: connection.version });

/** Reads a session's iterator in the background, mapping each event; never rejects. */
async function pump<E>(source: AsyncIterable<E>, map: (e: E, at: number) => void): Promise<void> {
  try {
    for await (const e of source) map(e, performance.now());
  } catch {
    // The iterator ends with the session; failures were already surfaced as events.
  }
}

function sttSession(stream: SttStream | TurnsSession, pumped: Promise<void>, onEvent: (e: BenchEvent) => void, finalize: () => void, close: () => void): SttSession {
  return {
    sendAudio: (bytes) => {
      stream.send(bytes);
    },
    finalize,
    close,
    ended: pumped.then(() => onEvent({ type: "closed", at: performance.now() })),
    abort: () => stream.abort(),
  };
}

/** The `@speechwire/client` driver. */
export const speechwireDriver: Driver = {
  name: "speechwire",
  unsupported: (_endpoint: Endpoint) => undefined,

  async openSttV1(connection, params, onEvent) {
    const stream = clientOf(connection).stt.stream(params);
    const pumped = pump(stream, (e, at) => {
      if (e.type === "transcript") onEvent({ type: "transcript", at, isFinal: e.isFinal, text: e.text });
      else if (e.type === "flushDone") onEvent({ type: "flush_done", at });
      else if (e.type === "done") onEvent({ type: "done", at });
      else if (e.type === "error") onEvent({ type: "error", at, message: e.error.message });
    });
    await stream.ready;
    // The promises report through the iterator too; they are marked handled by the client.
    return sttSession(stream, pumped, onEvent, () => void stream.finalize(), () => void stream.close());
  },

  async openTurns(connection, params, onEvent) {
    // No watchdog: every driver must send exactly the same audio.
    const session = clientOf(connection).stt.turns(params, { watchdog: false });
    const pumped = pump(session, (e, at) => {
      switch (e.type) {
        case "connected":
          return onEvent({ type: "connected", at });
        case "turnStart":
          return onEvent({ type: "turn.start", at });
        case "turnUpdate":
          return onEvent({ type: "turn.update", at, transcript: e.transcript });
        case "eagerEnd":
          return onEvent({ type: "turn.eager_end", at, transcript: e.transcript });
        case "resume":
          return onEvent({ type: "turn.resume", at });
        case "turnEnd":
          return onEvent({ type: "turn.end", at, transcript: e.transcript });
        case "error":
          return onEvent({ type: "error", at, message: e.error.message });
        default:
          return undefined;
      }
    });
    await session.ready;
    return sttSession(session, pumped, onEvent, () => {}, () => void session.close());
  },

  async openTts(connection, params, onEvent) {
    const socket = clientOf(connection).tts.websocket();
    await socket.connect();
    const contexts: Promise<void>[] = [];
    const session: TtsSession = {
      request(contextId, transcript) {
        const ctx: TtsContext = socket.context({ ...params, contextId, max_buffer_delay_ms: 0, add_timestamps: true });
        ctx.push(transcript);
        void ctx.end();
        contexts.push(
          pump(ctx, (e, at) => {
            if (e.type === "audio") onEvent({ type: "chunk", at, contextId, bytes: e.audio.byteLength });
            else if (e.type === "timestamps") onEvent({ type: "timestamps", at, contextId, words: e.words.words.length });
            else if (e.type === "done") onEvent({ type: "context_done", at, contextId });
            else if (e.type === "error") onEvent({ type: "error", at, contextId, message: e.error.message });
          }),
        );
      },
      async close() {
        await Promise.all(contexts);
        await socket.close().catch(() => {});
      },
      abort: () => void socket.close({ timeoutMs: 0 }).catch(() => {}),
    };
    return session;
  },
};
