/**
 * Group commit for directory syncs. Many writes land in the same directory
 * at once (every layer link of a repository being pushed, say), and each
 * needs its new entry made durable before it answers. One sync that
 * starts after all of their renames serves them all, so while a sync of a
 * directory runs, the callers that arrive share the single sync that
 * follows it rather than queueing one each. On a disk that flushes a few
 * hundred times a second this is what lets concurrent pushes scale.
 *
 * @module
 */

import { syncDir } from "./_fs_io.ts";

interface DirectoryQueue {
  /** The sync under way. */
  running: Promise<void>;
  /** The sync that starts when `running` ends, shared by every caller
   * that arrived after `running` started. */
  next?: Promise<void>;
}

/** Coalesces syncs of the same directory; see the module notes. */
export class DirectorySyncs {
  #queues = new Map<string, DirectoryQueue>();
  #syncDir: (path: string) => Promise<void>;

  /** Syncs through `syncDirectory`, which makes one directory durable. */
  constructor(syncDirectory: (path: string) => Promise<void> = syncDir) {
    this.#syncDir = syncDirectory;
  }

  /**
   * Resolves once a sync of `path` that started after this call has
   * finished, so every entry made in the directory before the call is
   * durable.
   */
  sync(path: string): Promise<void> {
    const queue = this.#queues.get(path);
    if (!queue) return this.#start(path).running;
    queue.next ??= queue.running.then(ignore, ignore).then(() =>
      this.#start(path).running
    );
    return queue.next;
  }

  #start(path: string): DirectoryQueue {
    const queue: DirectoryQueue = { running: this.#syncDir(path) };
    this.#queues.set(path, queue);
    const done = () => {
      // The waiters of `next` are moved on by the queue `next` makes; the
      // map only forgets a directory nobody is waiting for.
      if (this.#queues.get(path) === queue && !queue.next) {
        this.#queues.delete(path);
      }
    };
    queue.running.then(done, done);
    return queue;
  }
}

function ignore(): void {}
