/**
 * The bundled sample: speech-like audio generated in code (nothing binary is committed), so a
 * session works headless and gives the same bytes every run. Voiced "words" — a pitch contour with
 * harmonics, syllable envelopes and a little seeded breath noise — are laid out like the
 * `eager-resume` scenario's script (lead silence, two words, a 0.6 s pause, two words, trailing
 * silence). In the mock's `audio` timing mode any audio drives the script; in `vad` mode the voiced
 * stretches are where its energy detector finds speech.
 */

/** A stretch of the sample: voiced for `seconds`, or silent. */
export interface SampleSegment {
  voiced: boolean;
  seconds: number;
}

/** The sample's layout, in seconds (eager-resume: 0.6 + 0.7 s, pause 0.6 s, 0.5 + 0.5 s). */
export const SAMPLE_LAYOUT: readonly SampleSegment[] = [
  { voiced: false, seconds: 0.3 },
  { voiced: true, seconds: 0.6 },
  { voiced: false, seconds: 0.08 },
  { voiced: true, seconds: 0.7 },
  { voiced: false, seconds: 0.6 },
  { voiced: true, seconds: 0.5 },
  { voiced: false, seconds: 0.08 },
  { voiced: true, seconds: 0.5 },
  { voiced: false, seconds: 1.2 },
];

/** Total length of the sample in seconds. */
export const SAMPLE_SECONDS = SAMPLE_LAYOUT.reduce((sum, s) => sum + s.seconds, 0);

/** Where each voiced stretch of a layout ends, in seconds: the sample's "speech end" moments. */
export function speechEnds(layout: readonly SampleSegment[] = SAMPLE_LAYOUT): number[] {
  const ends: number[] = [];
  let at = 0;
  for (const segment of layout) {
    at += segment.seconds;
    if (segment.voiced) ends.push(at);
  }
  return ends;
}

/** A small seeded generator (mulberry32): the same sample every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Generates the sample as float samples at `sampleRate`.
 * @example const pcm = generateSample(16000); // SAMPLE_SECONDS × 16000 samples
 */
export function generateSample(sampleRate: number, layout: readonly SampleSegment[] = SAMPLE_LAYOUT, seed = 7): Float32Array {
  const total = Math.round(layout.reduce((sum, s) => sum + s.seconds, 0) * sampleRate);
  const out = new Float32Array(total);
  const random = rng(seed);
  let at = 0;
  let word = 0;
  for (const segment of layout) {
    const n = Math.round(segment.seconds * sampleRate);
    if (segment.voiced) {
      const syllables = Math.max(1, Math.round(segment.seconds / 0.18));
      const base = 120 + 25 * Math.sin(word * 1.7);
      let phase = 0;
      for (let i = 0; i < n && at + i < total; i += 1) {
        const t = i / sampleRate;
        const pos = i / n;
        // Falling intonation over the word, a wobble per syllable.
        const f0 = base * (1.15 - 0.25 * pos) + 8 * Math.sin(2 * Math.PI * syllables * pos);
        phase += (2 * Math.PI * f0) / sampleRate;
        const voice = 0.6 * Math.sin(phase) + 0.25 * Math.sin(2 * phase + 0.3) + 0.12 * Math.sin(3 * phase + 1.1) + 0.06 * Math.sin(5 * phase);
        const syllable = Math.sin(Math.PI * ((pos * syllables) % 1)) ** 0.6;
        const edges = Math.min(1, t / 0.02, (segment.seconds - t) / 0.02);
        out[at + i] = 0.45 * syllable * edges * voice + 0.02 * (random() * 2 - 1);
      }
      word += 1;
    } else {
      // Not digital silence: a faint noise floor, as a real microphone gives.
      for (let i = 0; i < n && at + i < total; i += 1) out[at + i] = 0.002 * (random() * 2 - 1);
    }
    at += n;
  }
  return out;
}
