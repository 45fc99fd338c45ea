/**
 * @module
 * Turns repeated samples into the figures the report prints: the median of
 * each series, the ratio between registries, and human-readable numbers.
 */

/** Median of `samples`, or null when there are none. */
export function median(samples: number[]): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[middle]
    : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Formats a number with precision that suits its size. */
export function formatNumber(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString("en-US");
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}
