/**
 * Bounded concurrency for the maintenance walks. Stat, read and hash
 * calls overlap well on a file system or an object store, but a walk over
 * a large store must not start them all at once.
 *
 * A walk also gives way to other work regularly: storage calls may finish
 * without waiting on anything (the file storage answers metadata calls
 * synchronously), and a collection running inside a server must not hold
 * up the requests it serves meanwhile.
 *
 * @module
 */

/** Items a worker handles before it lets other work run. */
const itemsBetweenPauses = 32;

/** Runs `task` for every item, at most `limit` at a time, and resolves
 * when all have finished; the first failure rejects. */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    let handled = 0;
    while (next < items.length) {
      const index = next++;
      await task(items[index], index);
      if (++handled % itemsBetweenPauses === 0) await giveWay();
    }
  };
  await giveWay();
  const workers = Math.max(1, Math.min(limit, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
}

/** Lets timers, I/O callbacks and other requests run before going on. */
export function giveWay(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
