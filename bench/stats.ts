/** Small statistics over samples; every figure the bench prints goes through these. */

/** The value below which a fraction `p` (0..1) of the samples fall, by nearest rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank] as number;
}

/** The median, by nearest rank. */
export function median(samples: readonly number[]): number {
  return percentile(samples, 0.5);
}

/** Rounds to `digits` decimals, for results that people read. */
export function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/**
 * The median of `a[i] / b[i]`, to two decimals: each sample against the one taken next to it, which
 * holds better than a ratio of medians when the machine's load shifts during the run.
 */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  return round(median(a.map((value, i) => value / (b[i] as number))), 2);
}
