/** Bounded concurrency for many small I/O tasks (hashing files, uploading objects). */

/**
 * Runs `fn` over `items` with at most `limit` calls in flight; results keep the order of `items`.
 * The first rejection is re-thrown once every started call has settled (no work keeps running behind a
 * failure), and no new call starts after it.
 * @param limit at least 1
 */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure !== undefined) throw failure.error;
  return results;
}
