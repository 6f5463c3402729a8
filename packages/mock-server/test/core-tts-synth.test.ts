import fc from "fast-check";
import { TTS_ENCODINGS, TTS_SAMPLE_RATES, type TtsEncoding } from "@speechwire/protocol";
import { describe, expect, it } from "vitest";
import { initialSynthState, msToSamples, parseTranscript, synthesize, VOICE, wordSamples } from "../src/core/tts/index.js";
import { decodePcm, encodePcm } from "../src/core/pcm.js";
import { base, decoded, Driver, fcOptions, request, sameBytes, scenario, SILENCE_LEVEL, soundSpans, timestampsOf } from "./core-tts-helpers.js";

/** Synthesizes a whole text at a rate (float samples and word spans). */
const synth = (text: string, rate = 24000, config = { speed: 1, volume: 1 }) => synthesize(parseTranscript(text), initialSynthState(rate), config);
const peak = (s: Float32Array, from = 0, to = s.length) => s.subarray(from, to).reduce((m, x) => Math.max(m, Math.abs(x)), 0);

const wordArb = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9']{1,8}$/),
  fc.constantFrom("héllo", "日本語", "naïve", "😀ok", "Straße", "-", "ça"),
);
const gapArb = fc.constantFrom(" ", "  ", ", ", ". ", "! ", "? ", "\n", "; ", " — ");
const tagArb = fc.oneof(
  fc.integer({ min: 0, max: 400 }).map((ms) => `<break time="${ms}ms"/>`),
  fc.integer({ min: 6, max: 15 }).map((r) => `<speed ratio="${r / 10}"/>`),
  fc.integer({ min: 5, max: 20 }).map((r) => `<volume ratio="${r / 10}"/>`),
  fc.constant('<emotion value="excited"/>'),
  fc.constant("<pause>"),
  fc.stringMatching(/^[A-Z0-9-]{1,5}$/).map((s) => `<spell>${s}</spell>`),
);
/** Random transcripts of words, gaps and tags (tags may touch words). */
const textArb = fc
  .array(fc.tuple(wordArb, gapArb, fc.option(tagArb, { freq: 3 })), { minLength: 1, maxLength: 10 })
  .map((parts) => parts.map(([w, g, t]) => `${t ?? ""}${w}${g}`).join(""));

describe("sample-exact timestamps", () => {
  it("every word's timestamps are exactly its non-silent span, and phonemes split it evenly", () => {
    fc.assert(
      fc.property(
        textArb,
        fc.constantFrom(...TTS_ENCODINGS),
        fc.constantFrom(...TTS_SAMPLE_RATES),
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.boolean(),
        fc.record({ speed: fc.integer({ min: 6, max: 15 }), volume: fc.integer({ min: 5, max: 20 }) }),
        (text, encoding, rate, cuts, flushAtCuts, gc) => {
          // The text goes out in pieces (optionally flushed), so timestamps must be cumulative.
          const fields = base(encoding, rate);
          const d = new Driver("2026-03-01", scenario({ tts: { chunkMs: 40 } }));
          const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          let last = 0;
          const extra = { add_timestamps: true, add_phoneme_timestamps: true, max_buffer_delay_ms: 0, generation_config: { speed: gc.speed / 10, volume: gc.volume / 10 } };
          for (const p of points) {
            d.send(request("c", text.slice(last, p), { ...extra, continue: true }, fields));
            if (flushAtCuts) d.send(request("c", "", { ...extra, continue: true, flush: true }, fields));
            last = p;
          }
          d.send(request("c", text.slice(last), { ...extra, continue: false }, fields));
          const audio = decoded(d, "c", encoding);
          const { words, phonemes } = timestampsOf(d.of("c"));
          // Words are ≥ jointMs apart (20 ms at speed 1, ≥ 8.8 ms at the fastest); a tone's zero crossings are far shorter.
          const spans = soundSpans(audio, msToSamples(4, rate));
          expect(spans.length).toBe(words.words.length);
          spans.forEach((span, i) => {
            expect(Math.round((words.start[i] as number) * rate)).toBe(span.start);
            expect(Math.round((words.end[i] as number) * rate)).toBe(span.end);
            // start/end are exact sample positions, not rounded seconds.
            expect(words.start[i]).toBe(span.start / rate);
            expect(words.end[i]).toBe(span.end / rate);
          });
          // Phonemes: the letters of each spoken word (the written word less its glued punctuation),
          // the word's samples split evenly, first and last on its edges.
          let p = 0;
          words.words.forEach((word, i) => {
            let count = 0;
            while (p + count < phonemes.phonemes.length && (phonemes.start[p + count] as number) < (words.end[i] as number)) count += 1;
            const letters = phonemes.phonemes.slice(p, p + count);
            expect(count).toBeGreaterThan(0);
            const at = word.indexOf(letters.join(""));
            expect(at).toBeGreaterThanOrEqual(0);
            expect(`${word.slice(0, at)}${word.slice(at + letters.join("").length)}`).toMatch(/^[,;:.!?…。！？，、；："'”’»›)\]}）」』】〕〉》]*$/);
            expect(phonemes.start[p]).toBe(words.start[i]);
            expect(phonemes.end[p + letters.length - 1]).toBe(words.end[i]);
            for (let k = p + 1; k < p + letters.length; k += 1) expect(phonemes.start[k]).toBe(phonemes.end[k - 1]);
            p += letters.length;
          });
          expect(p).toBe(phonemes.phonemes.length);
          expect(d.lint()).toEqual([]);
        },
      ),
      fcOptions,
    );
  });

  it("the timestamps message comes just before the chunk holding the word's first sample", () => {
    const d = new Driver("2026-03-01", scenario({ tts: { chunkMs: 50 } }));
    d.send(request("c", "one two three four five six", { add_timestamps: true, continue: false }));
    let position = 0;
    const rate = 24000;
    const messages = d.of("c");
    messages.forEach((m, i) => {
      if (m.type === "chunk") position += Buffer.from(m.data as string, "base64").length / 2;
      if (m.type !== "timestamps") return;
      const next = messages[i + 1] as Record<string, unknown>;
      expect(next.type).toBe("chunk");
      const chunkEnd = position + Buffer.from(next.data as string, "base64").length / 2;
      for (const start of (m.word_timestamps as { start: number[] }).start) {
        expect(start * rate).toBeGreaterThanOrEqual(position);
        expect(start * rate).toBeLessThan(chunkEnd);
      }
    });
  });
});

describe("tags change the audio", () => {
  it("<break> adds exactly its silence", () => {
    for (const [tag, ms] of [
      ['<break time="1s"/>', 1000],
      ['<break time="500ms"/>', 500],
      ['<break time="1.25s"/>', 1250],
    ] as const) {
      for (const rate of [8000, 22050, 48000]) {
        const plain = synth("Hello world", rate);
        const broken = synth(`Hello ${tag}world`, rate);
        expect(broken.samples.length - plain.samples.length).toBe(msToSamples(ms, rate));
        expect(broken.words[1]?.start).toBe((plain.words[1]?.start ?? 0) + msToSamples(ms, rate));
        // The added samples are digital silence.
        const gapStart = plain.words[0]?.end ?? 0;
        expect(peak(broken.samples, gapStart, broken.words[1]?.start)).toBe(0);
      }
    }
  });

  it("<speed> scales every duration after it (not the breaks)", () => {
    const rate = 24000;
    const normal = synth("Hello world.", rate);
    const fast = synth('<speed ratio="1.5"/>Hello world.', rate);
    const slow = synth('<speed ratio="0.6"/>Hello world.', rate);
    expect(fast.words.map((w) => w.end - w.start)).toEqual(["Hello", "world"].map((w) => wordSamples(w, rate, 1.5)));
    expect(slow.words.map((w) => w.end - w.start)).toEqual(["Hello", "world"].map((w) => wordSamples(w, rate, 0.6)));
    expect(fast.samples.length).toBeLessThan(normal.samples.length);
    expect(Math.abs(fast.samples.length * 1.5 - normal.samples.length)).toBeLessThan(5);
    expect(Math.abs(slow.samples.length * 0.6 - normal.samples.length)).toBeLessThan(5);
    // Only from the tag on.
    const mid = synth('Hello <speed ratio="1.5"/>world', rate);
    expect(mid.words[0]?.end).toBe(normal.words[0]?.end);
    expect((mid.words[1]?.end ?? 0) - (mid.words[1]?.start ?? 0)).toBe(wordSamples("world", rate, 1.5));
    // generation_config.speed multiplies with the tag.
    const both = synth('<speed ratio="1.2"/>Hello', rate, { speed: 1.25, volume: 1 });
    expect((both.words[0]?.end ?? 0) - (both.words[0]?.start ?? 0)).toBe(wordSamples("Hello", rate, 1.5));
    // A break stays exact at any speed.
    const fastBreak = synth('<speed ratio="1.5"/>a <break time="1s"/>b', rate);
    const fastPlain = synth('<speed ratio="1.5"/>a b', rate);
    expect(fastBreak.samples.length - fastPlain.samples.length).toBe(rate);
  });

  it("<volume> and generation_config.volume scale the amplitude", () => {
    const one = synth("Hello");
    const loud = synth('<volume ratio="2"/>Hello');
    const quiet = synth('<volume ratio="0.5"/>Hello', 24000, { speed: 1, volume: 0.5 });
    expect(peak(one.samples)).toBeCloseTo(VOICE.amplitude, 6);
    expect(peak(loud.samples)).toBeCloseTo(2 * VOICE.amplitude, 6);
    expect(peak(quiet.samples)).toBeCloseTo(0.25 * VOICE.amplitude, 6);
    loud.samples.forEach((x, i) => expect(x).toBeCloseTo(2 * (one.samples[i] as number), 6));
    // The loudest setting does not clip.
    expect(peak(synth('<volume ratio="2"/>Hello', 24000, { speed: 1, volume: 2 }).samples)).toBeLessThanOrEqual(1);
  });

  it("<emotion> is accepted with no audible change", () => {
    const a = synth('<emotion value="excited"/>Hello there').samples;
    const b = synth("Hello there").samples;
    expect(sameBytes(new Uint8Array(a.buffer), new Uint8Array(b.buffer))).toBe(true);
  });

  it("<spell> spells: one word per character", () => {
    const d = new Driver();
    d.send(request("c", "Code <spell>ABC-123</spell>.", { add_timestamps: true, continue: false }));
    expect(timestampsOf(d.of("c")).words.words).toEqual(["Code", "A", "B", "C", "-", "1", "2", "3."]);
    expect(d.lint()).toEqual([]);
  });

  it("each word is a tone of its own pitch; the same word always sounds the same", () => {
    const a = synth("alpha alpha beta");
    const [w0, w1, w2] = a.words;
    const slice = (w: typeof w0) => Array.from(a.samples.subarray(w?.start, w?.end));
    expect(slice(w0)).toEqual(slice(w1));
    expect(slice(w0)).not.toEqual(slice(w2).slice(0, slice(w0).length));
  });

  it("fades in and out: no sample jumps more than a smooth tone allows", () => {
    const s = synth("Hello world, again.").samples;
    let maxStep = 0;
    for (let i = 1; i < s.length; i += 1) maxStep = Math.max(maxStep, Math.abs((s[i] as number) - (s[i - 1] as number)));
    // A 720 Hz tone at 24 kHz and amplitude 0.25 moves ≤ 0.25 × 2π × 720 / 24000 ≈ 0.047 per sample.
    expect(maxStep).toBeLessThan(0.05);
    // And the edges start at the fade floor, audible in every encoding.
    const first = synth("Hello").samples;
    expect(Math.abs(first[0] as number)).toBeCloseTo(VOICE.amplitude * VOICE.fadeFloor, 6);
    for (const encoding of TTS_ENCODINGS as readonly TtsEncoding[]) {
      // The quietest setting (0.5 × 0.5) at the longest fade (48 kHz).
      const quiet = synth('<volume ratio="0.5"/>Hi', 48000, { speed: 1, volume: 0.5 });
      const d = decodePcm(encodePcm(quiet.samples, encoding), encoding);
      expect(Math.abs(d[0] as number)).toBeGreaterThan(SILENCE_LEVEL);
      expect(Math.abs(d[d.length - 1] as number)).toBeGreaterThan(SILENCE_LEVEL);
    }
  });
});
