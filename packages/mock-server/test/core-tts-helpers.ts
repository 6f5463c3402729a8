/** Shared pieces of the TTS core tests: a scenario, requests, a session driver that records traffic. */
import { lintSession, tts, type RawSessionEvent, type TtsEncoding, type Violation } from "@speechwire/protocol";
import { createTtsCore } from "../src/core/tts/index.js";
import { decodePcm } from "../src/core/pcm.js";
import type { CoreOutput, SessionCore } from "../src/core/types.js";
import { scenarioSchema, type Scenario, type ScenarioInput } from "../src/scenario/schema.js";

/** fast-check options: run count and seed from the environment, so CI can widen or replay a run. */
export const fcOptions = {
  numRuns: Number(process.env.FC_NUM_RUNS ?? 100),
  ...(process.env.FC_SEED !== undefined ? { seed: Number(process.env.FC_SEED) } : {}),
};

/** A validated scenario with defaults, plus overrides. */
export function scenario(input: Partial<ScenarioInput> = {}): Scenario {
  return scenarioSchema.parse({ name: "test", ...input });
}

export const VOICE_ID = "6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81";

/** The fields every input on a context repeats. */
export function base(encoding: TtsEncoding = "pcm_s16le", sampleRate = 24000) {
  return {
    model_id: "sonic-3",
    voice: { mode: "id" as const, id: VOICE_ID },
    output_format: { container: "raw" as const, encoding, sample_rate: sampleRate },
    language: "en",
  };
}

/** A generation request frame (JSON text). */
export function request(contextId: string, transcript: string, extra: Record<string, unknown> = {}, fields: object = base()): string {
  return JSON.stringify({ ...fields, context_id: contextId, transcript, ...extra });
}

/** A cancel frame. */
export function cancel(contextId: string): string {
  return JSON.stringify({ context_id: contextId, cancel: true });
}

/**
 * Drives one core like the edge would with a client that reads everything at once: a lane the core
 * has `more` for is pulled until it has no more, all at one instant (so an output's `since` changes
 * nothing and is left out of `outputs`; `raw` keeps every output as the core gave it). Records both
 * directions for linting, and checks the anchor bookkeeping: every `since` names an anchor that was
 * announced by an earlier step and not released, and each anchor is released once.
 */
export class Driver {
  readonly core: SessionCore;
  readonly events: RawSessionEvent[] = [];
  /** Sends, closes, drops and timers, in order, without `since`. */
  readonly outputs: CoreOutput[] = [];
  /** Everything the core returned, `more`/`anchor`/`release`/`since` included. */
  readonly raw: CoreOutput[] = [];
  /** Pulls made. */
  pulls = 0;
  /** Pull lanes only when the test says (`pull()`), instead of at once. */
  manual = false;
  readonly #anchors = new Set<number>();
  readonly #released = new Set<number>();
  readonly #wanting = new Set<string>();

  constructor(
    readonly version = "2026-03-01",
    readonly scn: Scenario = scenario(),
    options: { seed?: number; connection?: number; maxTranscriptChars?: number; planWindowChars?: number } = {},
  ) {
    this.core = createTtsCore({
      version,
      requestId: "req-1",
      scenario: scn,
      seed: options.seed ?? 7,
      connection: options.connection ?? 1,
      ...(options.maxTranscriptChars !== undefined ? { maxTranscriptChars: options.maxTranscriptChars } : {}),
      ...(options.planWindowChars !== undefined ? { planWindowChars: options.planWindowChars } : {}),
    });
    this.#record(this.core.open());
  }

  /** Sends a text frame; returns what the core answered (with everything pulled after it, unless `manual`). */
  send(frame: string): CoreOutput[] {
    this.events.push({ from: "client", frame });
    return this.#drain(this.#record(this.core.step({ kind: "text", data: frame })));
  }

  /** Sends a binary frame. */
  binary(data: Uint8Array): CoreOutput[] {
    this.events.push({ from: "client", frame: data });
    return this.#drain(this.#record(this.core.step({ kind: "audio", data })));
  }

  /** Fires the buffer timer of a context (each waiting context has its own). */
  tick(contextId: string): CoreOutput[] {
    return this.#drain(this.#record(this.core.step({ kind: "tick", key: `buffer:${contextId}` })));
  }

  /** Pulls every lane that has more (or only those `only` picks), once each; returns what came out. */
  pull(only: (lane: string) => boolean = () => true): CoreOutput[] {
    const lanes = [...this.#wanting].filter(only);
    for (const lane of lanes) this.#wanting.delete(lane);
    return lanes.flatMap((lane) => {
      this.pulls += 1;
      return this.#record(this.core.step({ kind: "pull", lane }));
    });
  }

  /** Unless `manual`, pulls until no lane has more. */
  #drain(out: CoreOutput[]): CoreOutput[] {
    while (!this.manual && this.#wanting.size > 0) out.push(...this.pull());
    return out;
  }

  /** Lanes the core said `more` for and that were not pulled since. */
  get wanting(): string[] {
    return [...this.#wanting];
  }

  #record(out: CoreOutput[]): CoreOutput[] {
    const shown: CoreOutput[] = [];
    const announced: number[] = [];
    for (const o of out) {
      this.raw.push(o);
      if (o.kind === "more") {
        this.#wanting.add(o.lane);
        continue;
      }
      if (o.kind === "anchor") {
        if (this.#anchors.has(o.id) || this.#released.has(o.id)) throw new Error(`anchor ${o.id} announced twice`);
        announced.push(o.id);
        continue;
      }
      if (o.kind === "release") {
        if (!this.#anchors.delete(o.id)) throw new Error(`release of unknown anchor ${o.id}`);
        this.#released.add(o.id);
        continue;
      }
      if (o.kind !== "timer" && o.since !== undefined) {
        if (!this.#anchors.has(o.since)) throw new Error(`output since anchor ${o.since}, which is not announced: ${JSON.stringify(o)}`);
        if (announced.includes(o.since)) throw new Error(`output since the anchor of its own step`);
        const { since: _since, ...plain } = o;
        shown.push(plain as CoreOutput);
      } else {
        shown.push(o);
      }
    }
    for (const id of announced) this.#anchors.add(id);
    return this.#show(shown);
  }

  /** Anchors announced and not released yet. */
  get liveAnchors(): number[] {
    return [...this.#anchors];
  }

  #show(out: CoreOutput[]): CoreOutput[] {
    for (const o of out) {
      this.outputs.push(o);
      if (o.kind === "send") this.events.push({ from: "server", frame: o.data });
      else if (o.kind === "close") this.events.push({ from: "server", close: { code: o.code, reason: o.reason } });
      else if (o.kind === "drop") this.events.push({ from: "server", close: { code: 1006 } });
    }
    return out;
  }

  /** Every server message so far, parsed as JSON. */
  messages(): Record<string, unknown>[] {
    return parsedSends(this.outputs);
  }

  /** The messages of one context. */
  of(contextId: string): Record<string, unknown>[] {
    return this.messages().filter((m) => m.context_id === contextId);
  }

  /** The concatenated audio bytes of a context's chunks. */
  audio(contextId: string): Uint8Array {
    return concat(this.of(contextId).filter((m) => m.type === "chunk").map((m) => fromBase64(m.data as string)));
  }

  /** Lints the whole session (client and server frames) at the strict level. */
  lint(): Violation[] {
    return lintSession("tts", this.events, { strictness: "strict", version: this.version });
  }
}

/** JSON of every `send` output. */
export function parsedSends(outputs: readonly CoreOutput[]): Record<string, unknown>[] {
  return outputs.filter((o) => o.kind === "send").map((o) => JSON.parse((o as { data: string }).data) as Record<string, unknown>);
}

/** Byte-for-byte equality (vitest's deep toEqual walks typed arrays element by element: far too slow for audio). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Bytes from base64. */
export function fromBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "base64"));
}

/** Concatenates byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Word and phoneme timestamps of a context, concatenated over its messages. */
export function timestampsOf(messages: readonly Record<string, unknown>[]) {
  const words = { words: [] as string[], start: [] as number[], end: [] as number[] };
  const phonemes = { phonemes: [] as string[], start: [] as number[], end: [] as number[] };
  for (const m of messages) {
    if (m.type === "timestamps") {
      const w = m.word_timestamps as typeof words;
      words.words.push(...w.words);
      words.start.push(...w.start);
      words.end.push(...w.end);
    } else if (m.type === "phoneme_timestamps") {
      const p = m.phoneme_timestamps as typeof phonemes;
      phonemes.phonemes.push(...p.phonemes);
      phonemes.start.push(...p.start);
      phonemes.end.push(...p.end);
    }
  }
  return { words, phonemes };
}

/** A decoded sample counts as sound above this level: A-law has no exact zero (silence decodes to ±8/32768). */
export const SILENCE_LEVEL = 9 / 32768;

/**
 * The non-silent spans `[start, end)` of decoded audio, found from the audio alone: runs of sound,
 * merged across silent runs shorter than `minGap` samples (a tone crosses zero inside a word).
 */
export function soundSpans(samples: Float32Array, minGap: number): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  let i = 0;
  while (i < samples.length) {
    if (Math.abs(samples[i] as number) <= SILENCE_LEVEL) {
      i += 1;
      continue;
    }
    const start = i;
    let end = i + 1;
    let j = i + 1;
    while (j < samples.length) {
      if (Math.abs(samples[j] as number) > SILENCE_LEVEL) {
        end = j + 1;
        j += 1;
        continue;
      }
      let k = j;
      while (k < samples.length && Math.abs(samples[k] as number) <= SILENCE_LEVEL) k += 1;
      if (k - j >= minGap || k === samples.length) break;
      j = k;
    }
    spans.push({ start, end });
    i = end;
  }
  return spans;
}

/** Decodes a context's audio. */
export function decoded(driver: Driver, contextId: string, encoding: TtsEncoding): Float32Array {
  return decodePcm(driver.audio(contextId), encoding);
}

/** Parses a server frame strictly for a version (checks wire shapes). */
export function strictServer(frame: string, version: string) {
  return tts.parseServerMessage(frame, { strictness: "strict", version });
}
