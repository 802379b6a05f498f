/** The seed `api check` samples with when `--seed` is not given: the same sample on every run. */
export const DEFAULT_SAMPLE_SEED = 1;

/** A small seeded generator (mulberry32): the same seed gives the same numbers on every platform. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Draws `n` distinct contacts at random with `seed`. The contacts are sorted first, so the
 * sample depends on the set sent and the seed, not on the order the inputs were given in.
 */
export function sampleContacts(contacts: Iterable<string>, n: number, seed: number): string[] {
  const pool = [...new Set(contacts)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const k = Math.min(Math.max(0, Math.floor(n)), pool.length);
  const random = seededRandom(seed);
  // a partial Fisher-Yates shuffle: the first k places end up a uniform sample
  for (let i = 0; i < k; i += 1) {
    const j = i + Math.floor(random() * (pool.length - i));
    const t = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = t;
  }
  return pool.slice(0, k);
}
