/**
 * Deliberately broken adapters: the real @speechwire/client with one fault injected each, so the
 * kit can prove that it catches the bug (and only that bug).
 */
import { createSpeechwireAdapter } from "../src/adapter/speechwire.js";
import type { Adapter } from "../src/adapter/types.js";
import type { ObservationEvent } from "../src/adapter/schema.js";
import type { WebSocketConstructor } from "@speechwire/client";
import { WebSocket } from "ws";

/** Renames the adapter so reports and baselines tell them apart. */
function named(name: string, adapter: Adapter): Adapter {
  return { ...adapter, capabilities: async () => ({ ...(await adapter.capabilities()), name }) };
}

/** Splits turn events into turns (from each turn.start). */
function turnsOf(events: readonly ObservationEvent[]): ObservationEvent[][] {
  const turns: ObservationEvent[][] = [];
  for (const e of events) {
    if (e.type === "turn.start") turns.push([]);
    else if (e.type === "connected" || e.type === "error") continue;
    turns[turns.length - 1]?.push(e);
  }
  return turns;
}

/** Builds the session text by concatenating every cumulative transcript (updates included). */
export const concatenatesCumulative = (): Adapter =>
  named(
    "broken-concatenates-cumulative",
    createSpeechwireAdapter({
      result: (r, events) => {
        if (!r.turns) return r;
        const turns = turnsOf(events)
          .filter((t) => t.some((e) => e.type === "turn.end"))
          .map((t) => t.map((e) => ("transcript" in e ? e.transcript : "")).join(""));
        return { ...r, turns, text: turns.join("") };
      },
    }),
  );

/** Drops `turn.resume` and keeps the eager transcript as the turn's text (speculation never dropped). */
export const ignoresResume = (): Adapter =>
  named(
    "broken-ignores-resume",
    createSpeechwireAdapter({
      observe: (e) => (e.type === "turn.resume" ? undefined : e),
      result: (r, events) => {
        if (!r.turns) return r;
        const turns = turnsOf(events)
          .filter((t) => t.some((e) => e.type === "turn.end"))
          .map((t) => {
            const eager = t.find((e) => e.type === "turn.eager_end");
            const end = t.find((e) => e.type === "turn.end");
            return (eager && "transcript" in eager ? eager.transcript : end && "transcript" in end ? end.transcript : "") as string;
          });
        return { ...r, turns, text: turns.join("") };
      },
    }),
  );

/** Drops the audio its caller sends while the client is reconnecting. */
export const dropsAudioWhileReconnecting = (): Adapter =>
  named("broken-drops-audio-while-reconnecting", createSpeechwireAdapter({ sendAudio: ({ reconnecting }) => !reconnecting }));

/**
 * Closes the socket right after its end command instead of waiting for the server to drain: a
 * faulty transport under the real client closes (1000) as soon as `close`/`done`/`{"type":"close"}` goes out.
 */
class ClosesAfterEndCommand extends WebSocket {
  override send(data: Parameters<WebSocket["send"]>[0], ...rest: unknown[]): void {
    (super.send as (...a: unknown[]) => void)(data, ...rest);
    const text = typeof data === "string" ? data : "";
    if (text === "close" || text === "done" || text === '{"type":"close"}') this.close(1000);
  }
}
export const closesWithoutDraining = (): Adapter =>
  named("broken-closes-without-draining", createSpeechwireAdapter({ webSocket: ClosesAfterEndCommand as unknown as WebSocketConstructor }));

/** Routes every TTS context's events to the first context (contexts mixed). */
export const mixesContexts = (): Adapter =>
  named("broken-mixes-contexts", createSpeechwireAdapter({ ttsRoute: (_id, contexts) => contexts[0] ?? _id }));

/** Swallows error events (never surfaces them to its caller). */
export const swallowsErrors = (): Adapter => named("broken-swallows-errors", createSpeechwireAdapter({ observe: (e) => (e.type === "error" ? undefined : e) }));

/** Reports turn word times in milliseconds (a unit slip; the words themselves are right). */
export const wordsInMilliseconds = (): Adapter =>
  named(
    "broken-words-in-milliseconds",
    createSpeechwireAdapter({
      observe: (e) =>
        (e.type === "turn.update" || e.type === "turn.eager_end" || e.type === "turn.end") && e.words
          ? { ...e, words: e.words.map((w) => ({ word: w.word, start: w.start * 1000, end: w.end * 1000 })) }
          : e,
    }),
  );

/** Drops turn events' `languages` (reads only the transcript and the words). */
export const dropsLanguages = (): Adapter =>
  named(
    "broken-drops-languages",
    createSpeechwireAdapter({
      observe: (e) => {
        if (!("languages" in e)) return e;
        const { languages: _languages, ...rest } = e;
        return rest;
      },
    }),
  );

/** A faulty transport under the real client that strips the lists from `config` (a serializer that knows only `turn`). */
class ConfigWithoutLists extends WebSocket {
  override send(data: Parameters<WebSocket["send"]>[0], ...rest: unknown[]): void {
    if (typeof data === "string" && data.startsWith('{"type":"config"')) {
      const { keyterms: _k, language_hints: _h, ...kept } = JSON.parse(data) as Record<string, unknown>;
      data = JSON.stringify(kept);
    }
    (super.send as (...a: unknown[]) => void)(data, ...rest);
  }
}
export const configWithoutLists = (): Adapter =>
  named("broken-config-without-lists", createSpeechwireAdapter({ webSocket: ConfigWithoutLists as unknown as WebSocketConstructor }));

/** Default export for `--adapter test/broken-adapters.ts` in the replay test. */
export default concatenatesCumulative;

/** Drops the last audio chunk of a `/tts/bytes` body (an SSE stream ends with `done`, so its audio is whole). */
export const dropsLastHttpChunk = (): Adapter => {
  const inner = createSpeechwireAdapter();
  return {
    capabilities: async () => ({ ...(await inner.capabilities()), name: "broken-drops-last-http-chunk" }),
    async runCase(target, c, observe) {
      // Hold back each audio observation until the next event shows it was not the last one.
      let held: ObservationEvent | undefined;
      const result = await inner.runCase(target, c, (e) => {
        if (held) observe(held);
        held = undefined;
        if (e.type === "http.audio") held = e;
        else observe(e);
      });
      return result;
    },
  };
};

/** Swallows HTTP errors of TTS over HTTP (a rejected request ends quietly, as if no audio came). */
export const swallowsHttpErrors = (): Adapter =>
  named("broken-swallows-http-errors", createSpeechwireAdapter({ observe: (e, c) => (e.type === "error" && c.suite === "tts-http" ? undefined : e) }));
