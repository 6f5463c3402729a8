/**
 * The cases: a fixed set per suite (every check has at least one case that exercises it) and
 * fast-check arbitraries that generate more (turn scripts with any number of eager/resume cycles,
 * unicode and empty transcripts, chunk sizes, interleaved TTS contexts).
 */
import * as fc from "fast-check";
import { compileScript } from "@speechwire/mock-server/core";
import { BUILTIN_SCENARIOS, scenarioSchema, type ScenarioInput } from "@speechwire/mock-server";
import { caseSchema, type Action, type Case, type CaseInput, type ContextSpec, type Suite } from "../adapter/schema.js";
import { accessTokenCaseArb, accessTokenFixedCases } from "./access-token-cases.js";

const VOICE = { mode: "id", id: "6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81" } as const;
const RATE = 16000;

/** `bytes` of deterministic non-silent s16le audio (so reordering or loss shows in digests). */
export function patternAudio(bytes: number, seed = 1): Uint8Array {
  const out = new Uint8Array(bytes);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < out.length; i += 1) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** Whole samples of 16 kHz s16le for `seconds`. */
function bytesFor(seconds: number): number {
  return Math.round(seconds * RATE) * 2;
}

type SttScriptInput = NonNullable<ScenarioInput["stt"]>;

/** Seconds of audio a speech script lasts. */
export function scriptSeconds(stt: SttScriptInput): number {
  return compileScript(scenarioSchema.parse({ name: "probe", stt }).stt).duration;
}

/** Where the last turn's speech ends, in seconds. */
function lastSpeechEnd(stt: SttScriptInput): number {
  const turns = compileScript(scenarioSchema.parse({ name: "probe", stt }).stt).turns;
  return turns[turns.length - 1]?.speechEnd ?? 0;
}

function builtinStt(name: string): SttScriptInput {
  const s = BUILTIN_SCENARIOS.find((x) => x.name === name);
  if (!s) throw new Error(`no built-in scenario ${name}`);
  return s.stt as SttScriptInput;
}

interface SttCaseOptions {
  id: string;
  suite: "stt-v1" | "stt-turns";
  stt: SttScriptInput;
  purpose: string;
  chunkBytes?: number;
  /** Byte offsets (whole samples) where `finalize` goes (v1). */
  finalizeAt?: { at: number; wait: boolean }[];
  faults?: ScenarioInput["faults"];
  version?: string;
  reconnect?: boolean;
  injectUnknown?: boolean;
  /** Replace the default actions. */
  actions?: (total: number) => Action[];
  idleLimitMs?: number;
  seed?: number;
  /** Server latency (ms) of the scenario: makes draining take time. */
  latency?: { finalize?: number; turnEnd?: number };
  /** Seconds of audio to send (default: the whole script plus 0.6 s). */
  seconds?: number;
  /** The model (default: ink-whisper on v1, ink-2 on turns); `ink-preview` adds `words` and `languages` to turn events. */
  model?: string;
  /** `config` messages sent before the audio (default actions only). */
  configs?: Omit<ConfigAction, "op">[];
}

type ConfigAction = Extract<Action, { op: "config" }>;

/** Builds an STT case: the script's audio plus a tail, streamed in chunks, finalizes, then close. */
export function sttCase(o: SttCaseOptions): Case {
  const total = bytesFor(o.seconds ?? scriptSeconds(o.stt) + 0.6);
  const audio = patternAudio(total, o.seed ?? 1);
  let actions: Action[];
  if (o.actions) actions = o.actions(total);
  else {
    actions = (o.configs ?? []).map((cfg): Action => ({ op: "config", ...cfg }));
    let at = 0;
    for (const f of [...(o.finalizeAt ?? [])].sort((a, b) => a.at - b.at)) {
      const to = Math.min(total, f.at - (f.at % 2));
      if (to > at) actions.push({ op: "audio", bytes: to - at });
      actions.push({ op: "finalize", wait: f.wait });
      at = Math.max(at, to);
    }
    if (total > at) actions.push({ op: "audio", bytes: total - at });
    actions.push({ op: "close" });
  }
  const input: CaseInput = {
    id: o.id,
    suite: o.suite,
    version: o.version ?? "2026-03-01",
    scenario: { stt: { ...o.stt, afterScript: "stop" }, ...(o.faults ? { faults: o.faults } : {}), ...(o.latency ? { latency: o.latency } : {}) },
    stt: {
      model: o.model ?? (o.suite === "stt-v1" ? "ink-whisper" : "ink-2"),
      encoding: "pcm_s16le",
      sample_rate: RATE,
      ...(o.suite === "stt-v1" ? { language: "en" } : {}),
      audio: Buffer.from(audio).toString("base64"),
      chunkBytes: o.chunkBytes ?? 640,
    },
    actions,
    reconnect: o.reconnect ?? false,
    injectUnknown: o.injectUnknown ?? false,
    purpose: o.purpose,
    ...(o.idleLimitMs ? { idleLimitMs: o.idleLimitMs } : {}),
  };
  return caseSchema.parse(input);
}

const TTS_CONTEXT = (id: string, format: ContextSpec["output_format"], timestamps: boolean): ContextSpec => ({
  id,
  model_id: "sonic-3",
  voice: { ...VOICE },
  output_format: format,
  language: "en",
  add_timestamps: timestamps,
  max_buffer_delay_ms: 0,
});
const S16_24K = { container: "raw", encoding: "pcm_s16le", sample_rate: 24000 } as const;
const MULAW_8K = { container: "raw", encoding: "pcm_mulaw", sample_rate: 8000 } as const;
const S16_16K = { container: "raw", encoding: "pcm_s16le", sample_rate: 16000 } as const;
/** Small TTS chunks (20 ms) interleave contexts finely, frame by frame. */
const TTS_SCENARIO = { tts: { chunkMs: 20 } };

function ttsCase(input: Omit<CaseInput, "suite" | "scenario"> & { scenario?: Record<string, unknown> }): Case {
  return caseSchema.parse({ ...input, suite: "tts", scenario: { ...TTS_SCENARIO, ...(input.scenario ?? {}) } });
}

const TWO_TURNS: SttScriptInput = builtinStt("default");
type FaultInput = NonNullable<ScenarioInput["faults"]>[number];
const errorFault = (endpoint: "stt-v1" | "stt-turns" | "tts", at: FaultInput["at"]): FaultInput[] => [
  { at, action: { type: "error", status: 400, code: "invalid_request", title: "Scripted error", message: "A scripted non-fatal error.", fatal: false }, endpoints: [endpoint] },
];

/** The fixed cases of a suite. */
export function fixedCases(suite: Suite): Case[] {
  if (suite === "tts-http") return httpFixedCases();
  if (suite === "stt-batch") return batchFixedCases();
  if (suite === "access-token") return accessTokenFixedCases();
  if (suite === "stt-v1") {
    const first = bytesFor(1.0);
    return [
      sttCase({ id: "v1-basic", suite, stt: TWO_TURNS, finalizeAt: [{ at: bytesFor(1.2), wait: true }, { at: bytesFor(2.6), wait: false }], purpose: "finalize twice, close; finals, flush_done and done surfaced" }),
      sttCase({
        id: "v1-drop-at-boundary",
        suite,
        stt: TWO_TURNS,
        reconnect: true,
        faults: [{ at: { event: "flush_done", index: 0 }, action: { type: "drop" }, endpoints: ["stt-v1"], connections: 1 }],
        actions: (total) => [{ op: "audio", bytes: first }, { op: "finalize", wait: true }, { op: "wait-disconnect" }, { op: "audio", bytes: total - first }, { op: "close" }],
        purpose: "the server drops the connection right after the first flush_done: every byte exactly once across the reconnect",
      }),
      sttCase({
        id: "v1-keep-alive",
        suite,
        stt: TWO_TURNS,
        idleLimitMs: 1000,
        actions: (total) => [{ op: "audio", bytes: bytesFor(0.5) }, { op: "idle", ms: 2200 }, { op: "audio", bytes: total - bytesFor(0.5) }, { op: "close" }],
        purpose: "2.2 s without audio against a 1 s idle limit",
      }),
      sttCase({ id: "v1-drain", suite, stt: TWO_TURNS, latency: { finalize: 300 }, purpose: "the server answers close 300 ms late: the client must wait for done and the server's close" }),
      sttCase({ id: "v1-error", suite, stt: TWO_TURNS, faults: errorFault("stt-v1", { audio: 0.6 }), purpose: "a structured error event (2026-03-01)" }),
      sttCase({ id: "v1-error-legacy", suite, stt: TWO_TURNS, version: "2025-04-16", faults: errorFault("stt-v1", { audio: 0.6 }), purpose: "a legacy {message, code} error event (2025-04-16)" }),
      sttCase({ id: "v1-unknown", suite, stt: TWO_TURNS, injectUnknown: true, finalizeAt: [{ at: bytesFor(1.2), wait: false }], purpose: "an unknown message type in the stream" }),
      sttCase({
        id: "v1-config",
        suite,
        stt: TWO_TURNS,
        model: "ink-preview",
        configs: [{ keyterms: ["table", "tonight"], language_hints: ["en", "fr"] }, { language_hints: [] }],
        finalizeAt: [{ at: bytesFor(1.2), wait: true }],
        purpose: "ink-preview with two `config` messages before the audio (a new list replaces, [] clears), as JSON text frames",
      }),
      sttCase({
        id: "v1-config-drop",
        suite,
        stt: TWO_TURNS,
        model: "ink-preview",
        reconnect: true,
        faults: [{ at: { event: "flush_done", index: 0 }, action: { type: "drop" }, endpoints: ["stt-v1"], connections: 1 }],
        actions: (total) => [
          { op: "config", keyterms: ["table"], language_hints: ["en"] },
          { op: "audio", bytes: first },
          { op: "finalize", wait: true },
          { op: "wait-disconnect" },
          { op: "audio", bytes: total - first },
          { op: "close" },
        ],
        purpose: "a `config`, then a drop after the first flush_done: the new connection needs the lists again",
      }),
      sttCase({
        id: "v1-config-refused",
        suite,
        stt: TWO_TURNS,
        model: "ink-2",
        configs: [{ language_hints: ["fr"] }],
        purpose: "a `config` the server refuses (ink-2 takes no hints): an error event (400), and the stream goes on to done",
      }),
    ];
  }
  if (suite === "stt-turns") {
    return [
      sttCase({ id: "turns-eager-resume", suite, stt: builtinStt("eager-resume"), purpose: "§3.6: eager_end → resume → end" }),
      sttCase({ id: "turns-multi", suite, stt: builtinStt("multi-turn"), chunkBytes: 3200, purpose: "four turns, one eager pause" }),
      sttCase({ id: "turns-empty", suite, stt: builtinStt("empty-turn"), chunkBytes: 2, purpose: "an empty turn (\"\") between two spoken ones; 1-sample chunks" }),
      sttCase({
        id: "turns-eager-end",
        suite,
        stt: { turns: [{ segments: [{ say: "Is that all?" }], eagerBeforeEnd: true }] },
        purpose: "eager_end then end with the same transcript",
      }),
      sttCase({
        id: "turns-drop-mid-turn",
        suite,
        stt: builtinStt("drop-mid-turn"),
        reconnect: true,
        faults: [{ at: { audio: 1.2 }, action: { type: "drop" }, endpoints: ["stt-turns"], connections: 1 }],
        purpose: "the server drops the connection mid-turn: no audio lost",
      }),
      sttCase({
        id: "turns-drain",
        suite,
        stt: TWO_TURNS,
        seconds: lastSpeechEnd(TWO_TURNS) + 0.1,
        latency: { turnEnd: 300 },
        purpose: "close while the last turn is open; its turn.end comes 300 ms later: the client must wait for the drain",
      }),
      sttCase({
        id: "turns-keep-alive",
        suite,
        stt: TWO_TURNS,
        idleLimitMs: 1000,
        actions: (total) => [{ op: "audio", bytes: bytesFor(0.2) }, { op: "idle", ms: 2200 }, { op: "audio", bytes: total - bytesFor(0.2) }, { op: "close" }],
        purpose: "2.2 s without audio against a 1 s idle limit",
      }),
      sttCase({ id: "turns-error", suite, stt: TWO_TURNS, faults: errorFault("stt-turns", { audio: 0.6 }), purpose: "a structured error event (2026-03-01)" }),
      sttCase({ id: "turns-error-legacy", suite, stt: TWO_TURNS, version: "2025-04-16", faults: errorFault("stt-turns", { audio: 0.6 }), purpose: "an error event on 2025-04-16 (structured: the turns endpoint answers structured on every version)" }),
      sttCase({ id: "turns-unknown", suite, stt: builtinStt("eager-resume"), injectUnknown: true, purpose: "an unknown message type in the stream" }),
      sttCase({
        id: "turns-words",
        suite,
        stt: TWO_TURNS,
        model: "ink-preview",
        configs: [{ keyterms: ["table"], language_hints: ["en", "es"] }, { keyterms: [], turn: { end_timeout_ms: 2000 } }],
        purpose: "ink-preview: `words` and `languages` on turn events (eager/resume included); two `config` messages before the audio",
      }),
      sttCase({
        id: "turns-words-drop",
        suite,
        stt: builtinStt("drop-mid-turn"),
        model: "ink-preview",
        reconnect: true,
        configs: [{ keyterms: ["delivery"], language_hints: ["en"] }],
        faults: [{ at: { audio: 1.2 }, action: { type: "drop" }, endpoints: ["stt-turns"], connections: 1 }],
        purpose: "ink-preview with a `config`, dropped mid-turn: words in stream time and the lists again on the new connection",
      }),
      sttCase({
        id: "turns-config-refused",
        suite,
        stt: TWO_TURNS,
        configs: [{ language_hints: ["fr"] }],
        purpose: "a `config` the server refuses (ink-2 takes no hints): an error event (400), and the session goes on",
      }),
    ];
  }
  const tsError = (version: string, id: string) =>
    ttsCase({
      id,
      version,
      scenario: { faults: [{ at: { message: 0 }, action: { type: "error", status: 404, code: "voice_not_found", title: "Voice not found", message: "No voice with that id.", fatal: false }, endpoints: ["tts"], connections: 1 }] },
      contexts: [TTS_CONTEXT("bad", S16_24K, false), TTS_CONTEXT("good", S16_24K, false)],
      actions: [
        { op: "push", context: "bad", transcript: "This fails. " },
        { op: "push", context: "good", transcript: "This works. " },
        { op: "end", context: "good" },
        { op: "end", context: "bad" },
        { op: "close" },
      ],
      purpose: `an error event on one context (${version})`,
    });
  return [
    ttsCase({
      id: "tts-interleaved",
      contexts: [TTS_CONTEXT("a", S16_24K, true), TTS_CONTEXT("b", MULAW_8K, false), TTS_CONTEXT("c", S16_16K, true)],
      actions: [
        { op: "push", context: "a", transcript: "Hello there, " },
        { op: "push", context: "b", transcript: "A second voice. " },
        { op: "push", context: "a", transcript: "how are you? " },
        { op: "flush", context: "a" },
        { op: "push", context: "c", transcript: "Third context, café. " },
        { op: "push", context: "b", transcript: "More text here." },
        { op: "push", context: "a", transcript: "Goodbye." },
        { op: "end", context: "a" },
        { op: "end", context: "b" },
        { op: "end", context: "c" },
        { op: "close" },
      ],
      purpose: "three interleaved contexts, one flush, timestamps on two",
    }),
    ttsCase({
      id: "tts-cancel",
      contexts: [TTS_CONTEXT("x", S16_24K, false), TTS_CONTEXT("y", S16_24K, false)],
      actions: [
        { op: "push", context: "x", transcript: "This context is cancelled. " },
        { op: "push", context: "y", transcript: "This one is kept." },
        { op: "cancel", context: "x" },
        { op: "end", context: "y" },
        { op: "close" },
      ],
      purpose: "cancel one context, keep the other",
    }),
    tsError("2026-03-01", "tts-error"),
    tsError("2025-04-16", "tts-error-legacy"),
    ttsCase({
      id: "tts-unknown",
      injectUnknown: true,
      contexts: [TTS_CONTEXT("u", S16_24K, false)],
      actions: [
        { op: "push", context: "u", transcript: "Unknown messages are ignored." },
        { op: "end", context: "u" },
        { op: "close" },
      ],
      purpose: "an unknown message type in the stream",
    }),
  ];
}

// ------------------------------------------------------------------ generated cases

const wordArb = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z][a-z']{0,7}[.,?!]?$/) },
  { weight: 1, arbitrary: fc.constantFrom("héllo", "日本語", "naïve", "straße", "Ωmega", "😀ok", "¿qué?", "dził") },
);

const segmentArb = fc.oneof(
  { weight: 3, arbitrary: fc.array(wordArb, { minLength: 1, maxLength: 4 }).map((ws) => ({ say: ws.join(" ") })) },
  { weight: 1, arbitrary: fc.record({ pause: fc.constantFrom(0.4, 0.5, 0.7), eager: fc.boolean() }) },
);

/** A generated speech script: 1–3 turns, any number of eager pauses, empty turns. */
export const sttScriptArb: fc.Arbitrary<SttScriptInput> = fc
  .array(
    fc.record({
      leadSilence: fc.constantFrom(0.1, 0.3, 0.5),
      segments: fc.array(segmentArb, { minLength: 0, maxLength: 4 }),
      endSilence: fc.constantFrom(0.9, 1.2),
      eagerBeforeEnd: fc.boolean(),
    }),
    { minLength: 1, maxLength: 3 },
  )
  .map((turns) => ({ turns }));

/** Chunk sizes in bytes (whole 16-bit samples, from one sample up). */
const chunkArb = fc.oneof(fc.constant(2), fc.integer({ min: 1, max: 4096 }).map((n) => n * 2));

/** A generated fault: a non-fatal error event (either shape) or a dropped connection, at a fraction of the audio. */
interface GeneratedFault {
  kind: "error" | "drop";
  at: number;
  status: number;
  code: string;
  legacy: boolean;
}

const faultArb = (kinds: readonly GeneratedFault["kind"][]): fc.Arbitrary<GeneratedFault | undefined> =>
  fc.option(
    fc.record({
      kind: fc.constantFrom(...kinds),
      at: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
      status: fc.constantFrom(400, 404, 429),
      code: fc.constantFrom("invalid_request", "not_found", "concurrency_limited"),
      legacy: fc.boolean(),
    }),
    { nil: undefined, freq: 3 },
  );

/** The scenario fault, case version and reconnect flag of a generated fault. */
function faultParts(f: GeneratedFault | undefined, suite: "stt-v1" | "stt-turns", seconds: number): Pick<SttCaseOptions, "faults" | "version" | "reconnect"> {
  if (!f) return {};
  const at = { audio: Math.round(f.at * seconds * 1000) / 1000 };
  if (f.kind === "drop") return { faults: [{ at, action: { type: "drop" }, endpoints: [suite], connections: 1 }], reconnect: true };
  return {
    faults: [{ at, action: { type: "error", status: f.status, code: f.code, title: "Generated error", message: "A generated non-fatal error.", fatal: false }, endpoints: [suite] }],
    version: f.legacy ? "2025-04-16" : "2026-03-01",
  };
}

/**
 * A model of an STT suite: ink-preview (hints; on turns, `words` and `languages`) in about one turns
 * case in two and one v1 case in three; the rest ink-2 / ink-whisper.
 */
const modelArb = (suite: "stt-v1" | "stt-turns") => fc.constantFrom(...(suite === "stt-v1" ? ["ink-whisper", "ink-whisper", "ink-preview"] : ["ink-2", "ink-preview"]));

/**
 * `config` messages sent before the audio, sometimes: keyterms (a list, or [] to clear) and hints (the
 * model's, or — one time in four with models that take none — a hint: ink-2 refuses it with an error
 * event and the session goes on; ink-whisper's are accepted), and on the turns endpoint a turn setting.
 */
function configsArb(suite: "stt-v1" | "stt-turns", model: string): fc.Arbitrary<Omit<ConfigAction, "op">[] | undefined> {
  const hints = model === "ink-preview" ? fc.subarray(["en", "fr", "de", "es", "hi", "ja"], { maxLength: 3 }) : fc.constantFrom<string[]>([], [], [], ["fr"]);
  const config = fc.record(
    {
      keyterms: fc.subarray(["table", "tonight", "seven", "Speechwire"], { maxLength: 3 }),
      language_hints: hints,
      ...(suite === "stt-turns" ? { turn: fc.record({ end_timeout_ms: fc.constantFrom(700, 2000, 5600) }) } : {}),
    },
    { requiredKeys: [] },
  );
  return fc.option(fc.array(config, { minLength: 1, maxLength: 2 }), { nil: undefined, freq: 2 });
}

/** Generated turns cases: a script, a chunk size, a model, sometimes `config` messages, an error event or a dropped connection. */
export function turnsCaseArb(): fc.Arbitrary<Case> {
  return modelArb("stt-turns").chain((model) =>
    fc
      .record({ stt: sttScriptArb, chunk: chunkArb, seed: fc.integer({ min: 1, max: 1000 }), fault: faultArb(["error", "drop"]), configs: configsArb("stt-turns", model) })
      .map(({ stt, chunk, seed, fault, configs }) =>
        sttCase({
          id: `turns-gen-${seed}`,
          suite: "stt-turns",
          stt,
          chunkBytes: chunk,
          seed,
          model,
          ...(configs ? { configs } : {}),
          ...faultParts(fault, "stt-turns", scriptSeconds(stt)),
          purpose: `generated turn script (${model})`,
        }),
      ),
  );
}

/** Generated v1 cases: a script, chunk size, a model, finalize points, sometimes `config` messages and an error event. */
export function v1CaseArb(): fc.Arbitrary<Case> {
  return modelArb("stt-v1").chain((model) => v1CaseOf(model));
}

function v1CaseOf(model: string): fc.Arbitrary<Case> {
  return fc
    .record({
      stt: sttScriptArb,
      chunk: chunkArb,
      seed: fc.integer({ min: 1, max: 1000 }),
      finalizes: fc.array(fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), wait: fc.boolean() }), { maxLength: 3 }),
      fault: faultArb(["error"]),
      configs: configsArb("stt-v1", model),
    })
    .map(({ stt, chunk, seed, finalizes, fault, configs }) => {
      const total = bytesFor(scriptSeconds(stt) + 0.6);
      const finalizeAt = finalizes.map((f) => ({ at: Math.floor((f.at * total) / 2) * 2, wait: f.wait }));
      return sttCase({
        id: `v1-gen-${seed}`,
        suite: "stt-v1",
        stt,
        chunkBytes: chunk,
        seed,
        finalizeAt,
        model,
        ...(configs ? { configs } : {}),
        ...faultParts(fault, "stt-v1", scriptSeconds(stt)),
        purpose: `generated script, chunking, finalizes and faults (${model})`,
      });
    });
}

const textArb = fc.array(wordArb, { minLength: 1, maxLength: 5 }).map((ws) => `${ws.join(" ")} `);

/** Generated TTS cases: 1–3 contexts, pieces interleaved in any order, flushes, timestamps. */
export function ttsCaseArb(): fc.Arbitrary<Case> {
  const formats = [S16_24K, MULAW_8K, S16_16K] as const;
  const contextArb = fc.record({
    pieces: fc.array(textArb, { minLength: 1, maxLength: 3 }),
    flushAfter: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
    format: fc.integer({ min: 0, max: 2 }),
    timestamps: fc.boolean(),
  });
  return fc
    .record({ contexts: fc.array(contextArb, { minLength: 1, maxLength: 3 }), order: fc.array(fc.nat(), { maxLength: 30 }), seed: fc.nat(1000) })
    .map(({ contexts, order, seed }) => {
      const specs = contexts.map((c, k) => TTS_CONTEXT(`ctx-${k}`, formats[c.format] ?? S16_24K, c.timestamps));
      const queues: Action[][] = contexts.map((c, k) => {
        const id = `ctx-${k}`;
        const q: Action[] = [];
        c.pieces.forEach((p, n) => {
          q.push({ op: "push", context: id, transcript: p });
          if (c.flushAfter === n) q.push({ op: "flush", context: id });
        });
        q.push({ op: "end", context: id });
        return q;
      });
      const actions: Action[] = [];
      let pick = 0;
      while (queues.some((q) => q.length > 0)) {
        const open = queues.filter((q) => q.length > 0);
        const q = open[(order[pick] ?? 0) % open.length] as Action[];
        pick += 1;
        actions.push(q.shift() as Action);
      }
      actions.push({ op: "close" });
      return ttsCase({ id: `tts-gen-${seed}`, contexts: specs, actions, purpose: "generated interleaved contexts" });
    });
}

// ------------------------------------------------------------------ TTS over HTTP

/** The output formats a `/tts/bytes` request may ask for (§6.1, §8); SSE takes only `raw`. */
type BytesFormat =
  | { container: "raw" | "wav"; encoding: "pcm_s16le" | "pcm_f32le" | "pcm_mulaw" | "pcm_alaw"; sample_rate: number }
  | { container: "mp3"; sample_rate: number; bit_rate: number };

/** A generation request body for the HTTP endpoints (the fields every client can send). */
function ttsHttpRequest(transcript: string, output_format: BytesFormat, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model_id: "sonic-3", transcript, voice: { ...VOICE }, output_format, language: "en", ...extra };
}

function httpCase(input: { id: string; endpoint: "bytes" | "sse"; request: Record<string, unknown>; invalid?: boolean; version?: string; scenario?: Record<string, unknown>; purpose: string }): Case {
  return caseSchema.parse({
    id: input.id,
    suite: "tts-http",
    ...(input.version ? { version: input.version } : {}),
    scenario: { ...TTS_SCENARIO, ...(input.scenario ?? {}) },
    http: { endpoint: input.endpoint, request: input.request, invalid: input.invalid ?? false },
    actions: [],
    purpose: input.purpose,
  });
}

/** Whether a case's request asks for MP3 (only for adapters that declare `mp3`). */
export function wantsMp3(c: Case): boolean {
  const f = c.http?.request.output_format as { container?: string } | undefined;
  return f?.container === "mp3";
}

const SSML_TEXT = 'Hello <break time="300ms"/> there, <speed ratio="1.2"/>quickly now. ';
const UNICODE_TEXT = "Grüße aus Köln, 日本語も話せます. ¿Qué tal? 😀 ";

function httpFixedCases(): Case[] {
  const refuse = (status: number) => ({ handshake: { status } });
  return [
    httpCase({ id: "http-bytes-raw", endpoint: "bytes", request: ttsHttpRequest(UNICODE_TEXT, S16_24K), purpose: "raw s16le 24 kHz, unicode transcript: audio byte for byte" }),
    httpCase({ id: "http-bytes-wav", endpoint: "bytes", request: ttsHttpRequest(SSML_TEXT, { container: "wav", encoding: "pcm_f32le", sample_rate: 22050 }), purpose: "WAV f32le 22.05 kHz with SSML-like tags" }),
    httpCase({ id: "http-bytes-mulaw", endpoint: "bytes", request: ttsHttpRequest("One, two, three. ", MULAW_8K), purpose: "raw µ-law 8 kHz" }),
    httpCase({ id: "http-bytes-mp3", endpoint: "bytes", request: ttsHttpRequest("An MP3 sentence to decode. ", { container: "mp3", sample_rate: 44100, bit_rate: 128000 }), purpose: "MP3 44.1 kHz 128 kbps (adapters that declare mp3)" }),
    httpCase({ id: "http-sse", endpoint: "sse", request: ttsHttpRequest(UNICODE_TEXT, S16_24K, { context_id: "sse-1", add_timestamps: true }), purpose: "SSE with timestamps: every event in order, audio as /tts/bytes" }),
    httpCase({ id: "http-sse-alaw", endpoint: "sse", request: ttsHttpRequest(SSML_TEXT, { container: "raw", encoding: "pcm_alaw", sample_rate: 8000 }), purpose: "SSE A-law 8 kHz without timestamps" }),
    httpCase({ id: "http-bytes-401", endpoint: "bytes", request: ttsHttpRequest("Refused. ", S16_24K), scenario: refuse(401), purpose: "HTTP 401 with a structured JSON body (2026-03-01)" }),
    httpCase({ id: "http-bytes-429-legacy", endpoint: "bytes", version: "2025-04-16", request: ttsHttpRequest("Refused. ", S16_24K), scenario: refuse(429), purpose: "HTTP 429 with a legacy plain-text body (2025-04-16)" }),
    httpCase({
      id: "http-bytes-400",
      endpoint: "bytes",
      invalid: true,
      request: ttsHttpRequest("Bad format. ", { container: "raw", encoding: "pcm_s16le", sample_rate: 12345 }),
      purpose: "an invalid sample rate: HTTP 400 invalid_request naming the field",
    }),
    httpCase({ id: "http-sse-429", endpoint: "sse", request: ttsHttpRequest("Refused. ", S16_24K), scenario: refuse(429), purpose: "SSE refused with HTTP 429 concurrency_limited (structured)" }),
  ];
}

const httpTextArb = fc
  .array(fc.oneof({ weight: 4, arbitrary: wordArb }, { weight: 1, arbitrary: fc.constantFrom('<break time="200ms"/>', '<speed ratio="0.8"/>', '<emotion value="happy"/>', "<spell>AB12</spell>") }), {
    minLength: 1,
    maxLength: 8,
  })
  .map((ws) => `${ws.join(" ")} `);
const rawFormatArb = fc.record({
  container: fc.constant("raw" as const),
  encoding: fc.constantFrom("pcm_s16le" as const, "pcm_f32le" as const, "pcm_mulaw" as const, "pcm_alaw" as const),
  sample_rate: fc.constantFrom(8000, 16000, 22050, 24000, 44100, 48000),
});
const bytesFormatArb: fc.Arbitrary<BytesFormat> = fc.oneof(
  { weight: 2, arbitrary: rawFormatArb },
  { weight: 2, arbitrary: rawFormatArb.map((f) => ({ ...f, container: "wav" as const })) },
  { weight: 1, arbitrary: fc.record({ container: fc.constant("mp3" as const), sample_rate: fc.constantFrom(22050, 24000, 44100), bit_rate: fc.constantFrom(64000, 128000) }) },
);

/** Generated TTS HTTP cases: unicode and tagged transcripts, every container, encoding and sample rate; SSE with or without timestamps; sometimes a refusal. */
export function ttsHttpCaseArb(): fc.Arbitrary<Case> {
  return fc
    .record({
      endpoint: fc.constantFrom("bytes" as const, "sse" as const),
      text: httpTextArb,
      bytesFormat: bytesFormatArb,
      rawFormat: rawFormatArb,
      timestamps: fc.boolean(),
      // About one case in five is refused (401 or 429, either error shape).
      refusal: fc.oneof(
        { weight: 4, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.record({ status: fc.constantFrom(401, 429), legacy: fc.boolean() }) },
      ),
      seed: fc.nat(1000),
    })
    .map(({ endpoint, text, bytesFormat, rawFormat, timestamps, refusal, seed }) =>
      httpCase({
        id: `http-gen-${endpoint}-${seed}`,
        endpoint,
        request: endpoint === "bytes" ? ttsHttpRequest(text, bytesFormat) : ttsHttpRequest(text, rawFormat, timestamps ? { add_timestamps: true } : {}),
        ...(refusal ? { scenario: { handshake: { status: refusal.status } }, version: refusal.legacy ? "2025-04-16" : "2026-03-01" } : {}),
        purpose: "generated request",
      }),
    );
}

// ------------------------------------------------------------------ batch STT

/** A mono 16-bit PCM WAV file (44-byte header) around `pcm`. */
export function wavFile(pcm: Uint8Array, sampleRate: number): Uint8Array {
  const out = new Uint8Array(44 + pcm.length);
  const v = new DataView(out.buffer);
  const ascii = (at: number, t: string) => [...t].forEach((ch, k) => v.setUint8(at + k, ch.charCodeAt(0)));
  ascii(0, "RIFF");
  v.setUint32(4, 36 + pcm.length, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true); // PCM
  v.setUint16(22, 1, true); // mono
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  ascii(36, "data");
  v.setUint32(40, pcm.length, true);
  out.set(pcm, 44);
  return out;
}

function batchCase(input: {
  id: string;
  stt: SttScriptInput;
  raw?: boolean;
  seconds?: number;
  words?: boolean;
  language?: string;
  version?: string;
  refuse?: number;
  seed?: number;
  purpose: string;
}): Case {
  const pcm = patternAudio(bytesFor(input.seconds ?? 0.5), input.seed ?? 1);
  const file = input.raw ? pcm : wavFile(pcm, RATE);
  return caseSchema.parse({
    id: input.id,
    suite: "stt-batch",
    ...(input.version ? { version: input.version } : {}),
    scenario: { stt: input.stt, ...(input.refuse ? { handshake: { status: input.refuse } } : {}) },
    batch: {
      file: Buffer.from(file).toString("base64"),
      filename: input.raw ? "audio.pcm" : "audio.wav",
      model: "ink-whisper",
      ...(input.language ? { language: input.language } : {}),
      words: input.words ?? false,
      ...(input.raw ? { encoding: "pcm_s16le", sample_rate: RATE } : {}),
    },
    actions: [],
    purpose: input.purpose,
  });
}

function batchFixedCases(): Case[] {
  const unicode: SttScriptInput = { language: "de", turns: [{ segments: [{ say: "Grüße aus Köln, straße naïve." }] }] } as SttScriptInput;
  return [
    batchCase({ id: "batch-wav", stt: TWO_TURNS, purpose: "a WAV upload: the transcript's text surfaced exactly" }),
    batchCase({ id: "batch-words", stt: TWO_TURNS, words: true, purpose: "timestamp_granularities[]=word: words surfaced" }),
    batchCase({ id: "batch-raw", stt: TWO_TURNS, raw: true, purpose: "headerless raw PCM with encoding and sample_rate in the query" }),
    batchCase({ id: "batch-unicode", stt: unicode, language: "de", words: true, purpose: "unicode text, language de" }),
    batchCase({ id: "batch-401", stt: TWO_TURNS, refuse: 401, purpose: "HTTP 401 (structured JSON body)" }),
    batchCase({ id: "batch-429-legacy", stt: TWO_TURNS, refuse: 429, version: "2025-04-16", purpose: "HTTP 429 with a legacy plain-text body" }),
  ];
}

/** Generated batch cases: any script (unicode, empty turns), WAV or raw, with or without words, sometimes refused. */
export function batchCaseArb(): fc.Arbitrary<Case> {
  return fc
    .record({
      stt: sttScriptArb,
      raw: fc.boolean(),
      words: fc.boolean(),
      seconds: fc.constantFrom(0.1, 0.5, 1.3),
      refusal: fc.oneof(
        { weight: 4, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.record({ status: fc.constantFrom(401, 429), legacy: fc.boolean() }) },
      ),
      seed: fc.integer({ min: 1, max: 1000 }),
    })
    .map(({ stt, raw, words, seconds, refusal, seed }) =>
      batchCase({
        id: `batch-gen-${seed}`,
        stt,
        raw,
        words,
        seconds,
        seed,
        ...(refusal ? { refuse: refusal.status, version: refusal.legacy ? "2025-04-16" : "2026-03-01" } : {}),
        purpose: "generated upload",
      }),
    );
}

/** The arbitrary of a suite's generated cases. */
export function caseArb(suite: Suite): fc.Arbitrary<Case> {
  if (suite === "access-token") return accessTokenCaseArb();
  return suite === "stt-v1" ? v1CaseArb() : suite === "stt-turns" ? turnsCaseArb() : suite === "tts-http" ? ttsHttpCaseArb() : suite === "stt-batch" ? batchCaseArb() : ttsCaseArb();
}
