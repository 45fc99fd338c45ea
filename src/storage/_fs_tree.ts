/**
 * The directories below a {@linkcode FileStorage}'s root: the path of a
 * key, creating a key's directory (durably) when a step finds it missing,
 * and removing directories a delete has emptied. Keys are split into path
 * segments by `_fs_keys.ts` before they arrive here.
 *
 * @module
 */

// deno-lint-ignore-file no-sync-fn-in-async-fn

import { DirectorySyncs } from "./_dir_syncs.ts";

/**
 * How often a step that needs its directory retries after finding the
 * directory gone: a concurrent delete may remove an empty directory
 * between our creating it and our using it.
 */
const DIRECTORY_RETRIES = 5;

/** The directory tree below one root. */
export class DirectoryTree {
  #root: string;
  #syncs = new DirectorySyncs();

  /** The tree below `root`, given without a trailing slash. */
  constructor(root: string) {
    this.#root = root;
  }

  /** The file-system path of the key or prefix with `segments`. */
  path(segments: string[]): string {
    if (segments.length === 0) return this.#root;
    const root = this.#root.endsWith("/") ? this.#root : `${this.#root}/`;
    return root + segments.join("/");
  }

  /**
   * Makes the entries of the directory at `path` durable, sharing a sync
   * with concurrent callers (see `_dir_syncs.ts`).
   */
  sync(path: string): Promise<void> {
    return this.#syncs.sync(path);
  }

  /**
   * Runs `step`, which creates an entry in the directory of the key with
   * `segments`; when that directory is missing, creates it and tries again.
   */
  async inDirectory<T>(
    segments: string[],
    step: () => T,
  ): Promise<T> {
    for (let attempt = 1;; attempt++) {
      try {
        return step();
      } catch (error) {
        const missing = error instanceof Deno.errors.NotFound;
        if (!missing || attempt > DIRECTORY_RETRIES) throw error;
      }
      await this.#make(segments.slice(0, -1)).catch((error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
    }
  }

  /** Creates a directory and its missing parents, each made durable. */
  async #make(segments: string[]): Promise<void> {
    const path = this.path(segments);
    if (segments.length === 0) {
      Deno.mkdirSync(path, { recursive: true });
      return;
    }
    try {
      Deno.mkdirSync(path);
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) return;
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      await this.#make(segments.slice(0, -1));
      try {
        Deno.mkdirSync(path);
      } catch (error) {
        if (error instanceof Deno.errors.AlreadyExists) return;
        throw error;
      }
    }
    // A new directory is an entry in its parent; without this sync a crash
    // could lose the directory and the object about to be renamed into it.
    await this.#syncs.sync(this.path(segments.slice(0, -1)));
  }

  /**
   * Removes the directory with `segments` and then its parents while they
   * are empty, so that a prefix with no objects left does not list. A
   * directory that is not empty, or that another call is using, stops it;
   * writers that lose their directory to this create it again.
   *
   * The directories right below the root stay even when empty: each holds
   * a whole kind of object, and one that empties often (where upload
   * sessions live) would otherwise be removed and made again, with a disk
   * sync, over and over under load.
   */
  pruneEmpty(segments: string[]): void {
    for (let depth = segments.length; depth > 1; depth--) {
      try {
        Deno.removeSync(this.path(segments.slice(0, depth)));
      } catch {
        return;
      }
    }
  }
}
