/**
 * A seeded pseudo-random generator (mulberry32), so two runs with the same seed generate the
 * same data sets and the same request streams, and their figures compare.
 */
export interface Random {
  /** In [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  /** True with probability p. */
  chance(p: number): boolean;
  /**
   * An index in [0, n) where low indexes are more likely (density ∝ 1/√x): the busiest 1% of
   * people make about 10% of the events and the busiest one a few thousand, as on real sites.
   */
  skewed(n: number): number;
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    pick: (items) => items[int(items.length)]!,
    chance: (p) => next() < p,
    skewed: (n) => Math.min(n - 1, Math.floor(n * next() ** 2)),
  };
}
