/**
 * Picks the whole-file reads that go through large JavaScript buffers: a
 * lone pull, and nothing else. Such a read is what makes a single pull
 * fast, since chunks of a few mebibytes take one read from the file and
 * one trip through the runtime each, where the runtime's own file stream
 * moves 64 KiB at a time. But its buffers are garbage once sent and are
 * freed only when the garbage collector gets round to them, which under
 * steady traffic is after tens of mebibytes; measured with 64 concurrent
 * pulls, even two such reads among them added a third to the peak
 * resident memory. When many pulls run at once they share the network
 * anyway, so they take the runtime's stream, which holds almost nothing.
 *
 * A read counts as lone when no other whole-file read began within the
 * quiet period before it and no other lone read is still open. A read
 * that began alone keeps its buffers if others join it later.
 *
 * @module
 */

/** Hands out the right to read with large buffers to lone reads. */
export class LoneReads {
  #quietMs: number;
  #now: () => number;
  #lastBegun = -Infinity;
  #open = false;

  /**
   * Lone reads are those with no other read begun within `quietMs`
   * before them, on the clock `now` (in milliseconds).
   */
  constructor(quietMs: number, now: () => number = () => performance.now()) {
    this.#quietMs = quietMs;
    this.#now = now;
  }

  /**
   * Records that a read begins. A lone read gets the function that ends
   * it, which does so once however often it is called; any other read
   * gets undefined.
   */
  begin(): (() => void) | undefined {
    const now = this.#now();
    const quiet = now - this.#lastBegun >= this.#quietMs;
    this.#lastBegun = now;
    if (!quiet || this.#open) return undefined;

    this.#open = true;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.#open = false;
    };
  }
}
