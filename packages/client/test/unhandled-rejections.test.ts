/**
 * No unhandled promise rejections, ever: this file drops every promise the client hands out, in
 * every failure it can produce, with its own `unhandledRejection` listener installed (the setup file
 * also checks every other file's scenarios the same way).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { MockServer } from "@speechwire/mock-server";
import { createClient } from "../src/index.js";
import { clientFor, collect, delay, patternAudio, RAW_24K, startMock, TURNS_PARAMS, V1_PARAMS, VOICE } from "./helpers.js";

let mock: MockServer;
const seen: unknown[] = [];
const listener = (reason: unknown) => {
  seen.push(reason);
};
beforeAll(async () => {
  process.on("unhandledRejection", listener);
  mock = await startMock();
});
afterAll(async () => {
  process.off("unhandledRejection", listener);
  await mock.close();
});

it("drops every promise of failing sessions and requests without an unhandled rejection", async () => {
  // STT v1 refused at the handshake: nothing awaited.
  const refused = clientFor(mock, "auth-401").stt.stream(V1_PARAMS);
  refused.send(new Uint8Array(640));
  void refused.finalize();
  void refused.close();
  void refused.ready;

  // STT v1 failing mid-stream, with finalize pending and an aborted finalize.
  const failing = clientFor(mock, "error-mid-turn").stt.stream(V1_PARAMS);
  for (let i = 0; i < 3; i += 1) failing.send(patternAudio(1, 16000, i));
  void failing.finalize();
  const aborted = new AbortController();
  void failing.finalize({ signal: aborted.signal });
  aborted.abort();

  // Turns with a speculation handler that throws and one that rejects.
  const turns = clientFor(mock, "eager-resume").stt.turns(TURNS_PARAMS);
  turns.onEagerEnd(() => {
    throw new Error("sync failure in a handler");
  });
  turns.onEagerEnd(async () => {
    throw new Error("async failure in a handler");
  });
  turns.onEagerEnd(async () => "ok", {
    onConfirmed: () => {
      throw new Error("failure in onConfirmed");
    },
  });
  turns.send(patternAudio(4));
  void turns.close({ timeoutMs: 1 });

  // A session cut by its signal with a close pending.
  const cut = new AbortController();
  const cutSession = clientFor(mock).stt.turns(TURNS_PARAMS, { signal: cut.signal });
  void cutSession.close();
  cut.abort();

  // TTS: refused socket with flush/end pending; a context cancelled with a flush pending; a closed session.
  const refusedTts = clientFor(mock, "auth-401").tts.websocket();
  const ctx = refusedTts.context({ model_id: "sonic-3", voice: VOICE, output_format: RAW_24K });
  ctx.push("Hello.");
  void ctx.flush();
  void ctx.end();
  void refusedTts.connect();
  const tts = clientFor(mock).tts.websocket();
  const cancelled = tts.context({ model_id: "sonic-3", voice: VOICE, output_format: RAW_24K });
  cancelled.push("Hello.");
  void cancelled.flush();
  void cancelled.done;
  cancelled.cancel();
  void tts.close({ timeoutMs: 1 });

  // HTTP calls that reject.
  const http = clientFor(mock, "rate-limit-429");
  void http.tts.bytes({ model_id: "sonic-3", voice: VOICE, transcript: "x", output_format: RAW_24K });
  void http.tts.sse({ model_id: "sonic-3", voice: VOICE, transcript: "x", output_format: RAW_24K });
  void http.stt.transcribe(new Uint8Array(10), { model: "ink-whisper" });
  void http.accessToken.create({ tts: true }, 60);
  void createClient({ baseUrl: "http://127.0.0.1:9" }).tts.bytes({ model_id: "sonic-3", voice: VOICE, transcript: "x", output_format: RAW_24K });
  void createClient({ baseUrl: "http://127.0.0.1:9" }).stt.turns(TURNS_PARAMS).close();

  // Let all of it fail.
  await collect(failing);
  await collect(turns);
  await delay(300);
  expect(seen).toEqual([]);
});
