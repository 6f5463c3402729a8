/** Seeded randomness: every "random" value the mock produces comes from here, so runs repeat. */

/** A seeded pseudo-random generator (mulberry32): `next()` is uniform in [0, 1). */
export interface Rng {
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
}

/** Creates a generator from a 32-bit seed. */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n) };
}

/** A 32-bit FNV-1a hash of text: derives sub-seeds and per-word tones from names. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Derives an independent seed for a named purpose (`derive(seed, "session:3")`). */
export function deriveSeed(seed: number, purpose: string): number {
  return hash32(`${seed >>> 0}:${purpose}`);
}

/**
 * A UUID v4-shaped id drawn from a seeded generator (not a real random UUID: it repeats with the seed).
 * @example seededUuid(createRng(1)) // "…-…-4…-8…-…", the same every run
 */
export function seededUuid(rng: Rng): string {
  const hex = Array.from({ length: 32 }, () => rng.int(16).toString(16));
  hex[12] = "4";
  hex[16] = (8 + rng.int(4)).toString(16);
  const h = hex.join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
