/**
 * A per-key queue for asynchronous work. {@linkcode FileStorage} runs every
 * append to one key through it, so that checking a file's size and writing
 * after it happen as one step within the process; without it, two appends
 * at the same offset could both pass the check and interleave their bytes.
 *
 * @module
 */

/** Runs tasks that share a key one after another, in arrival order. */
export class KeyLock {
  #tails = new Map<string, Promise<void>>();

  /** Runs `task` once every earlier task for `key` has settled. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(ignore, ignore);
    this.#tails.set(key, tail);
    // Forget the key once its queue drains, so the map does not grow with
    // every upload session ever seen.
    tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}

function ignore(): void {}
