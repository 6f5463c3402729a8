/**
 * Deterministic "speech": each word is a tone whose pitch comes from a hash of the word, each gap is
 * exact digital silence. Word and phoneme timestamps are derived from the same sample counts as the
 * audio, so they match it sample for sample. Also the PCM encoders of PROTOCOL.md §8: s16le, f32le,
 * G.711 µ-law and A-law.
 */
import { bytesPerSample, type SttEncoding } from "@speechwire/protocol";
import { encodePcm, encodePcmInto, floatToS16 } from "../pcm.js";
import { hash32 } from "../random.js";
import { tokenize, type TextState, type Token } from "./text.js";

/** Timing and level constants of the synthetic voice (milliseconds at speed 1). */
export const VOICE = {
  /** Word length: `perCharMs` × characters + `baseMs`. */
  perCharMs: 55,
  baseMs: 60,
  /** Silence for a whitespace run. */
  spaceMs: 40,
  /** Silence for `, ; :`. */
  shortPunctMs: 120,
  /** Silence for `. ! ?`. */
  sentencePunctMs: 250,
  /**
   * The least silence between two words (at speed 1): words that touch (a tag between them, spelled
   * characters) or are split by a tiny break are padded up to it, so every word is its own span.
   */
  jointMs: 20,
  /** `<pause>` (undocumented length, §5.6): unscaled, like a break. */
  pauseMs: 500,
  /** Linear fade in and out of every tone, so no word starts or stops with a click. */
  fadeMs: 5,
  /**
   * The fade starts at this fraction of full level, not at 0: the first and last sample of a word are
   * then audible in every encoding (A-law has no exact zero), which is what makes timestamps checkable.
   */
  fadeFloor: 0.02,
  /** Tone frequency range in Hz, picked by a hash of the word. */
  minHz: 180,
  maxHz: 720,
  /** Peak level at volume 1; the loudest setting (2 × 2) reaches 1.0 without clipping. */
  amplitude: 0.25,
} as const;

/** `generation_config` as it affects the audio (§5.2). Emotion has no audible effect. */
export interface SynthConfig {
  /** 0.6–1.5; multiplies with `<speed>`. */
  speed: number;
  /** 0.5–2.0; multiplies with `<volume>`. */
  volume: number;
}

/** What carries over from one generation to the next on a context. */
export interface SynthState {
  sampleRate: number;
  /** Samples generated so far on the context: where the next audio starts (timestamps are cumulative). */
  position: number;
  /** The latest `<speed ratio>` (1 until one is seen). */
  speed: number;
  /** The latest `<volume ratio>`. */
  volume: number;
  /** True once a word has been generated (the next word keeps at least `jointMs` from it). */
  afterWord: boolean;
  /** Samples of silence since the last word. */
  gap: number;
}

/** A word's span in samples on the context's timeline: `[start, end)`. */
export interface WordSpan {
  /** The word as its timestamp carries it: written, punctuation included ("Hello,"). */
  word: string;
  /** The word as spoken (its tone and its phonemes): "Hello". */
  spoken: string;
  start: number;
  end: number;
}

/** The audio of one generation and where its words are. */
export interface Synthesized {
  /** Mono samples in [-1, 1]. */
  samples: Float32Array;
  /** Context timeline position of `samples[0]`. */
  start: number;
  words: WordSpan[];
}

/** The default config: speed 1, volume 1. */
export const DEFAULT_SYNTH_CONFIG: SynthConfig = { speed: 1, volume: 1 };

/** A fresh state for a context at a sample rate. */
export function initialSynthState(sampleRate: number): SynthState {
  return { sampleRate, position: 0, speed: 1, volume: 1, afterWord: false, gap: 0 };
}

/** Samples in `ms` milliseconds at `rate`, rounded (each token rounds alone, so splits never shift later tokens). */
export function msToSamples(ms: number, rate: number): number {
  return Math.max(0, Math.round((ms * rate) / 1000));
}

/** The samples a word lasts at a speed. */
export function wordSamples(word: string, rate: number, speed: number): number {
  const chars = Array.from(word).length;
  return Math.max(2, msToSamples((VOICE.perCharMs * chars + VOICE.baseMs) / speed, rate));
}

/** The tone frequency (Hz) of a word before it is fitted to whole cycles. */
export function wordFrequency(word: string): number {
  return VOICE.minHz + (hash32(word) % (VOICE.maxHz - VOICE.minHz + 1));
}

/** A stretch of a plan: `n` samples of silence, or of one word's tone at a level (`word` spoken, `written` for its timestamp). */
export type Segment = { tone: false; n: number } | { tone: true; n: number; word: string; written: string; amp: number };

/** Turns tokens into segments, updating the state's speed, volume and word gap (not its position). */
function plan(tokens: readonly Token[], state: SynthState, config: SynthConfig): Segment[] {
  const rate = state.sampleRate;
  const out: Segment[] = [];
  const silence = (ms: number, scaled: boolean) => {
    const n = msToSamples(scaled ? ms / (state.speed * config.speed) : ms, rate);
    if (n > 0) {
      out.push({ tone: false, n });
      state.gap += n;
    }
  };
  for (const t of tokens) {
    switch (t.kind) {
      case "word": {
        if (state.afterWord) {
          const joint = msToSamples(VOICE.jointMs / (state.speed * config.speed), rate);
          if (state.gap < joint) out.push({ tone: false, n: joint - state.gap });
        }
        const n = wordSamples(t.text, rate, state.speed * config.speed);
        out.push({ tone: true, n, word: t.text, written: t.written, amp: VOICE.amplitude * state.volume * config.volume });
        state.afterWord = true;
        state.gap = 0;
        break;
      }
      case "space":
        silence(VOICE.spaceMs, true);
        break;
      case "punct":
        silence(t.sentence ? VOICE.sentencePunctMs : VOICE.shortPunctMs, true);
        break;
      case "break":
        // "<break> adds exactly the silence" asked for: not scaled by speed.
        silence(t.ms, false);
        break;
      case "pause":
        silence(VOICE.pauseMs, false);
        break;
      case "speed":
        state.speed = t.ratio;
        break;
      case "volume":
        state.volume = t.ratio;
        break;
      case "emotion":
      case "spell":
      // A closing quote or bracket after punctuation: the punctuation's pause already covers it.
      case "mark":
        break;
    }
  }
  return out;
}

/** Writes one word's tone: whole cycles so both ends sit on a peak, with linear fades. */
function renderTone(out: Float32Array, at: number, n: number, word: string, amp: number, rate: number): void {
  renderStretch(out, at, toneConstants(n, word, amp, rate), 0, n);
}

/**
 * Synthesizes tokens from a context's state (advancing it): the samples, and each word's span on the
 * context's timeline. Renders the whole generation at once: the reference for `planSynthesis` +
 * `PlanRenderer`, which render the same samples a stretch at a time.
 */
export function synthesize(tokens: readonly Token[], state: SynthState, config: SynthConfig = DEFAULT_SYNTH_CONFIG): Synthesized {
  const segments = plan(tokens, state, config);
  let total = 0;
  for (const s of segments) total += s.n;
  const samples = new Float32Array(total);
  const words: WordSpan[] = [];
  const start = state.position;
  let at = 0;
  for (const s of segments) {
    if (s.tone) {
      renderTone(samples, at, s.n, s.word, s.amp, state.sampleRate);
      words.push({ word: s.written, spoken: s.word, start: start + at, end: start + at + s.n });
    }
    at += s.n;
  }
  state.position = start + total;
  return { samples, start, words };
}

/** A generation planned but not rendered: its segments, where it starts and how long it is. */
export interface PlannedAudio {
  sampleRate: number;
  /** Context timeline position of the first sample. */
  start: number;
  /** Samples in all. */
  total: number;
  segments: readonly Segment[];
}

/**
 * Plans tokens from a context's state, advancing it exactly as `synthesize` does, without rendering a
 * sample: the cheap pass that tells how long the audio is (a WAV header needs it) before any of it exists.
 */
export function planSynthesis(tokens: readonly Token[], state: SynthState, config: SynthConfig = DEFAULT_SYNTH_CONFIG): PlannedAudio {
  const segments = plan(tokens, state, config);
  let total = 0;
  for (const s of segments) total += s.n;
  const start = state.position;
  state.position = start + total;
  return { sampleRate: state.sampleRate, start, total, segments };
}

/** Where a renderer's segments come from, a batch at a time (a whole plan at once, or `TextPlanner` windows). */
export interface SegmentSource {
  /** The next segments (possibly none), or undefined when there are no more. */
  next(): readonly Segment[] | undefined;
}

/** A whole plan as a source: all its segments in one batch. */
function planSource(plan: PlannedAudio): SegmentSource {
  let given = false;
  return {
    next: () => {
      if (given) return undefined;
      given = true;
      return plan.segments;
    },
  };
}

/**
 * Renders segments front to back, any number of samples at a time, sample for sample what
 * `synthesize` renders (the same tone formula, evaluated at the same indices), so memory is one
 * stretch (and, from a `TextPlanner`, one window of the plan), not the whole generation.
 */
export class PlanRenderer {
  readonly #source: SegmentSource;
  readonly #rate: number;
  #segments: readonly Segment[] = [];
  #segment = 0;
  /** Samples of the current segment already rendered. */
  #within = 0;
  #rendered = 0;
  /** The current tone: cached (its samples, and its bytes per encoding), or its constants (rendered as it goes). */
  #tone: CachedTone | ToneConstants | undefined;
  /** Called as a word's first sample is rendered (spoken and written), with its span offset from the first sample rendered. */
  onWord: ((word: { spoken: string; written: string }, offset: number, samples: number) => void) | undefined;

  /** From a whole plan, or a source of segments at `sampleRate`. */
  constructor(plan: PlannedAudio | SegmentSource, sampleRate?: number) {
    if ("segments" in plan) {
      this.#source = planSource(plan);
      this.#rate = plan.sampleRate;
    } else {
      this.#source = plan;
      this.#rate = sampleRate as number;
    }
  }

  /** Samples rendered so far. */
  get rendered(): number {
    return this.#rendered;
  }

  /** True while there are samples left to render (it may plan the next window to know). */
  more(): boolean {
    return this.#current() !== undefined;
  }

  /** The next `n` samples (fewer at the end, none after it). */
  next(n: number): Float32Array {
    const out = new Float32Array(Math.max(0, n));
    // Silence stays 0, as in a fresh Float32Array.
    const got = this.#walk(out.length, (tone, from, take, at) => {
      if (tone instanceof CachedTone) out.set(tone.samples.subarray(from, from + take), at);
      else renderStretch(out, at, tone, from, take);
    });
    return got < out.length ? out.subarray(0, got) : out;
  }

  /**
   * The next `n` samples (fewer at the end) in `encoding`: byte for byte `encodePcm(next(n), encoding)`
   * (every encoding is sample by sample), as a view of memory the next call reuses, so the caller
   * copies what it keeps (e.g. as base64). A cached tone keeps its encoded bytes, so a word heard
   * before is copied, not rendered and converted again.
   */
  nextEncoded(n: number, encoding: SttEncoding): Uint8Array {
    const bps = bytesPerSample(encoding);
    const want = Math.max(0, n);
    if (encodeScratch.length < want * bps) encodeScratch = new Uint8Array(Math.max(want * bps, 2 * encodeScratch.length));
    const out = encodeScratch;
    const got = this.#walk(
      want,
      (tone, from, take, at) => {
        if (tone instanceof CachedTone) {
          out.set(tone.encoded(encoding).subarray(from * bps, (from + take) * bps), at * bps);
        } else {
          if (floatScratch.length < take) floatScratch = new Float32Array(Math.max(take, 2 * floatScratch.length));
          const stretch = floatScratch.subarray(0, take);
          renderStretch(stretch, 0, tone, from, take);
          encodePcmInto(stretch, encoding, out, at * bps);
        }
      },
      (at, take) => out.fill(silenceByte(encoding), at * bps, (at + take) * bps),
    );
    return out.subarray(0, got * bps);
  }

  /**
   * Walks the next `n` samples' segments: `tone` for each stretch of a word (its tone, the first sample
   * of the stretch within the word, its length, its place in the output), `silence` for each gap.
   * Returns the samples walked (fewer than `n` at the end).
   */
  #walk(n: number, tone: (tone: CachedTone | ToneConstants, from: number, take: number, at: number) => void, silence?: (at: number, take: number) => void): number {
    const rate = this.#rate;
    let at = 0;
    while (at < n) {
      const s = this.#current();
      if (!s) break;
      const take = Math.min(s.n - this.#within, n - at);
      if (s.tone) {
        if (this.#within === 0 || this.#tone === undefined) {
          this.#tone = cachedTone(s.n, s.word, s.amp, rate) ?? toneConstants(s.n, s.word, s.amp, rate);
          if (this.#within === 0) this.onWord?.({ spoken: s.word, written: s.written }, this.#rendered + at, s.n);
        }
        tone(this.#tone, this.#within, take, at);
      } else {
        silence?.(at, take);
      }
      at += take;
      this.#within += take;
      if (this.#within === s.n) {
        this.#segment += 1;
        this.#within = 0;
        this.#tone = undefined;
      }
    }
    this.#rendered += at;
    return at;
  }

  /** The segment being rendered, taking the next batch from the source when this one is done. */
  #current(): Segment | undefined {
    while (this.#segment >= this.#segments.length || (this.#segments[this.#segment] as Segment).n === 0) {
      if (this.#segment < this.#segments.length) {
        this.#segment += 1;
        continue;
      }
      const next = this.#source.next();
      if (next === undefined) return undefined;
      this.#segments = next;
      this.#segment = 0;
    }
    return this.#segments[this.#segment];
  }
}

/** Characters of transcript a `TextPlanner` tokenizes and plans at a time (more when one token is longer). */
export const PLAN_WINDOW_CHARS = 16_384;

/**
 * Plans a transcript a window of text at a time, exactly as `planSynthesis(tokenize(text, state,
 * "final").tokens, …)` plans it at once: each window is tokenized in "partial" mode (it stops where a
 * word, a space or a tag may go on, and the rest starts the next window), the last one in "final"
 * mode, and each is planned from the synth state the one before left (planning is a fold over the
 * tokens). So a long text costs one window of work and memory at a time. Works on its own copy of
 * the synth state; `synth` and `textState` are the states after what it has planned so far.
 */
export class TextPlanner implements SegmentSource {
  readonly #text: string;
  readonly #config: SynthConfig;
  readonly #window: number;
  #at = 0;
  #ended = false;
  textState: TextState;
  readonly synth: SynthState;
  /** Samples planned so far. */
  planned = 0;
  /** Told the samples of each window as it is planned. */
  onPlanned: ((samples: number) => void) | undefined;

  constructor(text: string, textState: TextState, synth: SynthState, config: SynthConfig, windowChars = PLAN_WINDOW_CHARS) {
    this.#text = text;
    this.textState = { ...textState };
    this.synth = { ...synth };
    this.#config = { ...config };
    this.#window = Math.max(1, Math.floor(windowChars));
  }

  /** True once the whole text is planned. */
  get done(): boolean {
    return this.#ended;
  }

  /** The next window's segments (none for a window of tags only), or undefined after the last. */
  next(): Segment[] | undefined {
    if (this.#ended) return undefined;
    let size = this.#window;
    for (;;) {
      const last = this.#at + size >= this.#text.length;
      const piece = last ? this.#text.slice(this.#at) : this.#text.slice(this.#at, this.#at + size);
      const t = tokenize(piece, this.textState, last ? "final" : "partial");
      // One token longer than the window (a long word, a tag split at its edge): widen it.
      if (!last && t.consumed === 0) {
        size *= 2;
        continue;
      }
      this.#at += t.consumed;
      this.textState = t.state;
      if (last) this.#ended = true;
      const segments = plan(t.tokens, this.synth, this.#config);
      let samples = 0;
      for (const s of segments) samples += s.n;
      this.synth.position += samples;
      this.planned += samples;
      this.onPlanned?.(samples);
      return segments;
    }
  }

  /** The tokenizer and synth states after the whole text: plans the rest on a copy, this one is not moved. */
  endStates(): { textState: TextState; synth: SynthState } {
    if (this.#ended) return { textState: { ...this.textState }, synth: { ...this.synth } };
    const rest = new TextPlanner(this.#text.slice(this.#at), this.textState, this.synth, this.#config, this.#window);
    while (rest.next() !== undefined);
    return { textState: rest.textState, synth: rest.synth };
  }
}

/** A tone's per-word constants. */
interface ToneConstants {
  step: number;
  fade: number;
  span: number;
  amp: number;
}

/** Writes `take` samples of a tone, from its sample `from`, at `out[at]` (a whole tone: `from` 0, `take` its length). */
function renderStretch(out: Float32Array, at: number, tone: ToneConstants, from: number, take: number): void {
  const { step, fade, span, amp } = tone;
  const floor = VOICE.fadeFloor;
  for (let k = 0; k < take; k += 1) {
    const i = from + k;
    const edge = Math.min(i, span - i);
    const env = edge >= fade ? 1 : floor + ((1 - floor) * edge) / fade;
    out[at + k] = amp * env * Math.cos(step * i);
  }
}

/** Reused by `PlanRenderer.nextEncoded`: its result is a view of the first, a word not cached is rendered into the second. */
let encodeScratch = new Uint8Array(0);
let floatScratch = new Float32Array(0);
const silenceBytes = new Map<SttEncoding, number>();

/** The byte silence is in an encoding (0 for the linear ones; 0xff µ-law, 0xd5 A-law). */
function silenceByte(encoding: SttEncoding): number {
  let byte = silenceBytes.get(encoding);
  if (byte === undefined) {
    const pattern = encodePcm(new Float32Array(1), encoding);
    // Every encoding's zero is one byte repeated: filling with it is exact.
    if (pattern.some((b) => b !== pattern[0])) throw new Error(`silence in ${encoding} is not one repeated byte`);
    byte = pattern[0] as number;
    silenceBytes.set(encoding, byte);
  }
  return byte;
}

/** A tone in the cache: its samples, and its bytes in each encoding asked for so far. */
class CachedTone {
  readonly #encoded = new Map<SttEncoding, Uint8Array>();
  /** Bytes held (samples and encodings). */
  bytes: number;
  /** False once evicted: a renderer may still hold it mid-word, and what it adds then is not the cache's. */
  inCache = true;

  constructor(readonly samples: Float32Array) {
    this.bytes = samples.byteLength;
  }

  /** The tone's samples in `encoding` (converted the first time, kept after). */
  encoded(encoding: SttEncoding): Uint8Array {
    let bytes = this.#encoded.get(encoding);
    if (bytes === undefined) {
      bytes = encodePcm(this.samples, encoding);
      this.#encoded.set(encoding, bytes);
      this.bytes += bytes.byteLength;
      if (this.inCache) {
        cachedBytes += bytes.byteLength;
        evictTones();
      }
    }
    return bytes;
  }
}

/**
 * Rendered tones, shared by every session: the same word at the same length, level and rate is the
 * same samples, so a word heard before is copied, not computed and converted again (a cosine and a
 * conversion per sample were half of the mock's TTS time, and what a mock is asked to say repeats). A
 * tone is cached the second time it is asked for (text that never repeats would only churn the
 * cache), least recently used first out past `maxBytes` in all; one longer than `maxToneSamples` is
 * never cached. What is cached is what `renderTone` and `encodePcm` give, so the output does not
 * depend on it.
 */
export const TONE_CACHE = { maxBytes: 16 * 1024 * 1024, maxToneSamples: 96_000 };
const tones = new Map<string, CachedTone>();
/** Tones asked for once (keys only), forgotten all at once when it grows past this many. */
const seenOnce = new Set<string>();
const SEEN_ONCE_KEYS = 20_000;
let cachedBytes = 0;
/**
 * Lookups and hits, halved every `DECAY_LOOKUPS` lookups (recent ones weigh most). A full cache that
 * hits less than half the time holds text that is not repeating: it then takes one new tone in
 * `THROTTLED_ADMISSION` instead of every one (each costs a render to keep, an eviction and old-space
 * garbage), so text that never repeats costs about what it would without a cache, while a text that
 * starts repeating still gets in.
 */
let lookups = 0;
let hits = 0;
let refused = 0;
let evictions = 0;
const DECAY_LOOKUPS = 4096;
const THROTTLED_ADMISSION = 16;

/** A tone from the cache (cached the second time it is asked for), else undefined. */
function cachedTone(n: number, word: string, amp: number, rate: number): CachedTone | undefined {
  if (n > TONE_CACHE.maxToneSamples) return undefined;
  const key = `${n}|${amp}|${rate}|${word}`;
  if (++lookups >= DECAY_LOOKUPS) {
    lookups >>= 1;
    hits >>= 1;
  }
  let tone = tones.get(key);
  if (tone !== undefined) {
    hits += 1;
    // Most recently used last: Map keeps insertion order.
    tones.delete(key);
    tones.set(key, tone);
    return tone;
  }
  if (!seenOnce.has(key)) {
    if (seenOnce.size >= SEEN_ONCE_KEYS) seenOnce.clear();
    seenOnce.add(key);
    return undefined;
  }
  const full = cachedBytes + 4 * n > TONE_CACHE.maxBytes;
  if (full && 2 * hits < lookups && ++refused % THROTTLED_ADMISSION !== 0) return undefined;
  seenOnce.delete(key);
  const samples = new Float32Array(n);
  renderTone(samples, 0, n, word, amp, rate);
  tone = new CachedTone(samples);
  cachedBytes += tone.bytes;
  tones.set(key, tone);
  evictTones();
  return tone;
}

/** Lets the least recently used tones go until the cache is within its budget (the newest stays). */
function evictTones(): void {
  for (const [key, tone] of tones) {
    if (cachedBytes <= TONE_CACHE.maxBytes || tones.size === 1) break;
    tones.delete(key);
    tone.inCache = false;
    cachedBytes -= tone.bytes;
    evictions += 1;
  }
}

/**
 * How much the tone cache holds (tones, and bytes in all: at most `TONE_CACHE.maxBytes`, the newest
 * tone aside), and how it has done: tones evicted, and its recent lookups and hits (decayed).
 */
export function toneCacheStats(): { tones: number; bytes: number; evictions: number; lookups: number; hits: number } {
  return { tones: tones.size, bytes: cachedBytes, evictions, lookups, hits };
}

/** Empties the tone cache (tests use it to render from a cold cache). */
export function clearToneCache(): void {
  for (const tone of tones.values()) tone.inCache = false;
  tones.clear();
  seenOnce.clear();
  cachedBytes = 0;
  lookups = 0;
  hits = 0;
  refused = 0;
  evictions = 0;
}

/** A word's tone constants: its step per sample, fade length, span and level. */
function toneConstants(n: number, word: string, amp: number, rate: number): ToneConstants {
  // Fit the frequency to a whole number of cycles over n-1 sample steps: cos(0) = cos(2πk) = 1, so the
  // first and last samples are at the fade floor, never at a zero crossing.
  const span = n - 1;
  const cycles = Math.max(1, Math.round((wordFrequency(word) * span) / rate));
  const step = (2 * Math.PI * cycles) / span;
  const fade = Math.max(1, Math.min(msToSamples(VOICE.fadeMs, rate), Math.floor(n / 2)));
  return { step, fade, span, amp };
}

/**
 * The word spans of a plan in order, one at a time (a long generation never holds them all):
 * `peek()` is the next word's start (Infinity after the last), `take()` returns it and moves on.
 */
export class WordCursor {
  #segment = 0;
  #position: number;

  constructor(readonly plan: PlannedAudio) {
    this.#position = plan.start;
    this.#skipSilence();
  }

  /** Where the next word starts on the context's timeline, or Infinity when there is none. */
  peek(): number {
    return this.#segment < this.plan.segments.length ? this.#position : Number.POSITIVE_INFINITY;
  }

  /** The next word's span (call only when `peek()` is finite). */
  take(): WordSpan {
    const s = this.plan.segments[this.#segment] as Extract<Segment, { tone: true }>;
    const span = { word: s.written, spoken: s.word, start: this.#position, end: this.#position + s.n };
    this.#position += s.n;
    this.#segment += 1;
    this.#skipSilence();
    return span;
  }

  #skipSilence(): void {
    const segments = this.plan.segments;
    while (this.#segment < segments.length && !(segments[this.#segment] as Segment).tone) {
      this.#position += (segments[this.#segment] as Segment).n;
      this.#segment += 1;
    }
  }
}

/** The phoneme spans of a plan in order (each word's `phonemeSpans`), one at a time, like `WordCursor`. */
export class PhonemeCursor {
  readonly #words: WordCursor;
  #spans: PhonemeSpan[] = [];
  #next = 0;

  constructor(plan: PlannedAudio) {
    this.#words = new WordCursor(plan);
  }

  /** Where the next phoneme starts, or Infinity when there is none. */
  peek(): number {
    while (this.#next >= this.#spans.length) {
      if (this.#words.peek() === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
      this.#spans = phonemeSpans(this.#words.take());
      this.#next = 0;
    }
    return (this.#spans[this.#next] as PhonemeSpan).start;
  }

  /** The next phoneme's span (call only when `peek()` is finite). */
  take(): PhonemeSpan {
    this.peek();
    const span = this.#spans[this.#next] as PhonemeSpan;
    this.#next += 1;
    return span;
  }
}

/** A phoneme's span: the spoken word's letters as phonemes, the word's samples split evenly between them. */
export interface PhonemeSpan {
  phoneme: string;
  start: number;
  end: number;
}

/**
 * Splits a word's span into one span per character (code point) of the spoken word (its punctuation
 * is not a phoneme); the first starts and the last ends with the word.
 */
export function phonemeSpans(word: WordSpan): PhonemeSpan[] {
  const letters = Array.from(word.spoken);
  const n = word.end - word.start;
  return letters.map((phoneme, j) => ({
    phoneme,
    start: word.start + Math.floor((j * n) / letters.length),
    end: word.start + Math.floor(((j + 1) * n) / letters.length),
  }));
}

// ---------------------------------------------------------------- encoders


/** Float samples as signed 16-bit (what the MP3 encoder takes). */
export function toInt16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i += 1) out[i] = floatToS16(samples[i] as number);
  return out;
}

const BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
let base64Pairs: string[] | undefined;

/** Node's Buffer when the host has one (far faster); the cores also run in browsers, where it is absent. */
const NodeBuffer = (globalThis as { Buffer?: { from(b: ArrayBufferLike, offset: number, length: number): { toString(enc: "base64"): string } } })
  .Buffer;

/** Base64 of bytes (standard alphabet, padded): Node's Buffer when present, else `base64Portable`. */
export function toBase64(bytes: Uint8Array): string {
  return NodeBuffer ? NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64") : base64Portable(bytes);
}

/** Base64 in plain JavaScript (any host): two output characters per 12 bits from a 4096-entry table. */
export function base64Portable(bytes: Uint8Array): string {
  const pairs = (base64Pairs ??= Array.from({ length: 4096 }, (_, v) => (BASE64_ALPHABET[v >> 6] as string) + (BASE64_ALPHABET[v & 63] as string)));
  const parts: string[] = [];
  const whole = bytes.length - (bytes.length % 3);
  let out = "";
  for (let i = 0; i < whole; i += 3) {
    const v = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += (pairs[v >> 12] as string) + (pairs[v & 0xfff] as string);
    if (out.length >= 8192) {
      parts.push(out);
      out = "";
    }
  }
  const rest = bytes.length - whole;
  if (rest > 0) {
    const v = ((bytes[whole] as number) << 16) | (rest === 2 ? (bytes[whole + 1] as number) << 8 : 0);
    const four = (pairs[v >> 12] as string) + (pairs[v & 0xfff] as string);
    out += rest === 1 ? `${four.slice(0, 2)}==` : `${four.slice(0, 3)}=`;
  }
  parts.push(out);
  return parts.join("");
}
