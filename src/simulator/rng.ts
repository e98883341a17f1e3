// A small seeded PRNG for the simulator. Job-duration jitter, scenario
// arrivals and faults all draw from it so that the same seed gives the same
// run, bit for bit, whatever the clock. Math.random is never used.

/** A stream of pseudo-random numbers in [0, 1). */
export interface Rng {
  /** Next number in [0, 1). */
  next(): number;
  /** Next integer in [0, n). */
  int(n: number): number;
  /** A value in [mean·(1−spread), mean·(1+spread)], uniformly. */
  around(mean: number, spread: number): number;
  /**
   * An independent stream derived from this one's seed and a label, so that
   * adding draws to one concern (say, durations) does not shift another
   * (say, arrivals) for the same seed.
   */
  fork(label: string): Rng;
}

/**
 * mulberry32: 32 bits of state, fast, good enough statistically for jitter
 * and arrivals (it passes gjrand's basic battery); not for cryptography.
 */
export function createRng(seed: number): Rng {
  const base = seed >>> 0;
  let state = base;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    around: (mean, spread) => mean * (1 + spread * (2 * next() - 1)),
    fork: (label) => createRng(hash32(label) ^ Math.imul(base, 0x9e3779b1)),
  };
}

/** FNV-1a over the label's UTF-16 code units: a stable 32-bit label hash. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
