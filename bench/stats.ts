/** Statistics shared by the benchmarks. */

/**
 * The median of a sample: the middle value, or the mean of the two middle values for an even count.
 * @returns NaN for an empty sample
 */
export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
