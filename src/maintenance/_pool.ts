/**
 * Bounded concurrency for the maintenance walks. Stat, read and hash
 * calls overlap well on a file system or an object store, but a walk over
 * a large store must not start them all at once.
 *
 * @module
 */

/** Runs `task` for every item, at most `limit` at a time, and resolves
 * when all have finished; the first failure rejects. */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await task(items[index], index);
    }
  };
  const workers = Math.max(1, Math.min(limit, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
}
