/**
 * A storage on the local file system, where each key is a file below a
 * root directory. Whole-object writes go to a temporary file beside their
 * target, are synced to disk, and are renamed into place, so a reader or a
 * crash never sees half an object; upload appends go straight to their
 * file and are made durable when the finished upload is moved.
 *
 * @module
 */

import { fileStream, isAbsent, syncDir, writeBody } from "./_fs_io.ts";
import { keySegments, prefixSegments, TEMP_PREFIX } from "./_fs_keys.ts";
import { KeyLock } from "./_key_lock.ts";
import {
  type Body,
  type ByteRange,
  type ListEntry,
  type ObjectInfo,
  OffsetMismatchError,
  type Storage,
} from "./types.ts";

/**
 * How often a step that needs its directory retries after finding the
 * directory gone: a concurrent delete may remove an empty directory
 * between our creating it and our using it.
 */
const DIRECTORY_RETRIES = 5;

/**
 * A {@linkcode Storage} that keeps each object in a file below `root`,
 * which is created on first write. Within one process every guarantee of
 * the interface holds; two processes may share a root for reading and for
 * whole-object writes, but not for appends to the same upload.
 *
 * @example A registry that keeps its state in a directory
 * ```ts
 * import { createRegistry, FileStorage } from "../../mod.ts";
 *
 * const registry = createRegistry({
 *   storage: new FileStorage("./registry-data"),
 * });
 * const response = await registry.fetch(new Request("http://x/v2/"));
 * console.log(response.status); // 200
 * ```
 */
export class FileStorage implements Storage {
  #root: string;
  #appends = new KeyLock();

  /** A storage rooted at the directory `root`. */
  constructor(root: string) {
    this.#root = root.replace(/[\\/]+$/, "") || "/";
  }

  // `stat` and `readBytes` run synchronously. They serve the registry's
  // hottest requests (manifest GET, blob HEAD, tag lookups) and touch only
  // small metadata; on a local disk such a call takes microseconds, far
  // less than a trip through the runtime's thread pool, which tripled the
  // rate of those requests. On a slow network file system each call would
  // hold up the event loop for its duration.
  stat(key: string): Promise<ObjectInfo | undefined> {
    try {
      const info = Deno.statSync(this.#path(keySegments(key)));
      if (!info.isFile) return Promise.resolve(undefined);
      return Promise.resolve({
        size: info.size,
        modified: info.mtime ?? new Date(),
      });
    } catch (error) {
      if (isAbsent(error)) return Promise.resolve(undefined);
      return Promise.reject(error);
    }
  }

  async read(
    key: string,
    range?: ByteRange,
  ): Promise<ReadableStream<Uint8Array> | undefined> {
    const file = await openIfPresent(this.#path(keySegments(key)));
    if (!file) return undefined;
    try {
      const info = await file.stat();
      if (!info.isFile) {
        file.close();
        return undefined;
      }
      if (!range) return fileStream(file, info.size);
      await file.seek(range.start, Deno.SeekMode.Start);
      return fileStream(file, range.end + 1 - range.start);
    } catch (error) {
      file.close();
      throw error;
    }
  }

  readBytes(key: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
    try {
      return Promise.resolve(Deno.readFileSync(this.#path(keySegments(key))));
    } catch (error) {
      if (isAbsent(error) || error instanceof Deno.errors.IsADirectory) {
        return Promise.resolve(undefined);
      }
      return Promise.reject(error);
    }
  }

  async write(key: string, body: Body): Promise<number> {
    const segments = keySegments(key);
    const path = this.#path(segments);
    const dir = this.#path(segments.slice(0, -1));
    const temp = `${dir}/${TEMP_PREFIX}${crypto.randomUUID()}`;

    const file = await this.#inDirectory(
      segments,
      () => Deno.open(temp, { write: true, createNew: true }),
    );
    let open = true;
    try {
      const size = await writeBody(file, body);
      // Data first, then the name: after a crash the new name can only
      // point at complete bytes.
      await file.syncData();
      file.close();
      open = false;
      await Deno.rename(temp, path);
      await syncDir(dir);
      return size;
    } catch (error) {
      if (open) file.close();
      await Deno.remove(temp).catch(() => {});
      throw error;
    }
  }

  async append(key: string, offset: number, body: Body): Promise<number> {
    const segments = keySegments(key);
    return await this.#appends.run(key, async () => {
      const file = await this.#openForAppend(key, segments, offset);
      try {
        const size = (await file.stat()).size;
        if (size !== offset) throw new OffsetMismatchError(key, offset, size);
        // No sync per chunk: an upload's bytes become an object only by
        // `move`, which syncs them first, and only after the registry has
        // checked their digest; bytes a crash loses or garbles before then
        // fail that check, and the client uploads again.
        return offset + await writeBody(file, body);
      } finally {
        file.close();
      }
    });
  }

  move(from: string, to: string): Promise<void> {
    // Under the append queue of `from`, so no append adds bytes to the
    // file after it has been synced and renamed.
    return this.#appends.run(from, () => this.#move(from, to));
  }

  async #move(from: string, to: string): Promise<void> {
    const source = keySegments(from);
    const target = keySegments(to);
    const fromPath = this.#path(source);
    const toPath = this.#path(target);

    // Appended bytes were never synced, so sync them before the rename
    // makes them an object. The time is reset because the object's age,
    // which garbage collection goes by, starts when it appears here.
    const file = await Deno.open(fromPath, { write: true });
    try {
      if (!(await file.stat()).isFile) {
        throw new Error(`no object at '${from}'`);
      }
      const now = new Date();
      await file.utime(now, now);
      await file.sync();
    } finally {
      file.close();
    }

    await this.#inDirectory(target, () => Deno.rename(fromPath, toPath));
    const toDir = this.#path(target.slice(0, -1));
    const fromDir = this.#path(source.slice(0, -1));
    await syncDir(toDir);
    if (fromDir !== toDir) {
      await syncDir(fromDir);
      await this.#pruneEmpty(source.slice(0, -1));
    }
  }

  async delete(key: string): Promise<boolean> {
    const segments = keySegments(key);
    const path = this.#path(segments);
    try {
      if ((await Deno.lstat(path)).isDirectory) return false;
      await Deno.remove(path);
    } catch (error) {
      if (isAbsent(error)) return false;
      throw error;
    }
    await this.#pruneEmpty(segments.slice(0, -1));
    return true;
  }

  async list(prefix: string): Promise<ListEntry[]> {
    const dir = this.#path(prefixSegments(prefix));
    const entries: ListEntry[] = [];
    try {
      for await (const entry of Deno.readDir(dir)) {
        if (entry.name.startsWith(TEMP_PREFIX)) continue;
        const isDirectory = entry.isSymlink
          ? await followsToDirectory(`${dir}/${entry.name}`)
          : entry.isDirectory;
        if (isDirectory !== undefined) {
          entries.push({ name: entry.name, prefix: isDirectory });
        }
      }
    } catch (error) {
      if (isAbsent(error)) return [];
      throw error;
    }
    return entries.sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0
    );
  }

  async deletePrefix(prefix: string): Promise<void> {
    const segments = prefixSegments(prefix);
    if (segments.length === 0) {
      for (const entry of await this.list("")) {
        if (entry.prefix) await removeTree(this.#path([entry.name]));
        else await this.delete(entry.name);
      }
      return;
    }
    await removeTree(this.#path(segments));
    await this.#pruneEmpty(segments.slice(0, -1));
  }

  #path(segments: string[]): string {
    if (segments.length === 0) return this.#root;
    const root = this.#root.endsWith("/") ? this.#root : `${this.#root}/`;
    return root + segments.join("/");
  }

  async #openForAppend(
    key: string,
    segments: string[],
    offset: number,
  ): Promise<Deno.FsFile> {
    const path = this.#path(segments);
    if (offset === 0) {
      return await this.#inDirectory(
        segments,
        () => Deno.open(path, { append: true, create: true }),
      );
    }
    try {
      return await Deno.open(path, { append: true });
    } catch (error) {
      if (isAbsent(error)) throw new OffsetMismatchError(key, offset, 0);
      throw error;
    }
  }

  /**
   * Runs `step`, which creates an entry in the directory of the key with
   * `segments`; when that directory is missing, creates it and tries again.
   */
  async #inDirectory<T>(
    segments: string[],
    step: () => Promise<T>,
  ): Promise<T> {
    for (let attempt = 1;; attempt++) {
      try {
        return await step();
      } catch (error) {
        const missing = error instanceof Deno.errors.NotFound;
        if (!missing || attempt > DIRECTORY_RETRIES) throw error;
      }
      await this.#makeDirectory(segments.slice(0, -1)).catch((error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
    }
  }

  /** Creates a directory and its missing parents, each made durable. */
  async #makeDirectory(segments: string[]): Promise<void> {
    const path = this.#path(segments);
    if (segments.length === 0) {
      await Deno.mkdir(path, { recursive: true });
      return;
    }
    try {
      await Deno.mkdir(path);
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) return;
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      await this.#makeDirectory(segments.slice(0, -1));
      try {
        await Deno.mkdir(path);
      } catch (error) {
        if (error instanceof Deno.errors.AlreadyExists) return;
        throw error;
      }
    }
    // A new directory is an entry in its parent; without this sync a crash
    // could lose the directory and the object about to be renamed into it.
    await syncDir(this.#path(segments.slice(0, -1)));
  }

  /**
   * Removes the directory with `segments` and then its parents while they
   * are empty, so that a prefix with no objects left does not list. A
   * directory that is not empty, or that another call is using, stops it;
   * writers that lose their directory to this create it again.
   */
  async #pruneEmpty(segments: string[]): Promise<void> {
    for (let depth = segments.length; depth > 0; depth--) {
      try {
        await Deno.remove(this.#path(segments.slice(0, depth)));
      } catch {
        return;
      }
    }
  }
}

async function openIfPresent(path: string): Promise<Deno.FsFile | undefined> {
  try {
    return await Deno.open(path, { read: true });
  } catch (error) {
    if (isAbsent(error)) return undefined;
    throw error;
  }
}

/** Removes a directory tree; a file at the path is an object and stays. */
async function removeTree(path: string): Promise<void> {
  try {
    if (!(await Deno.lstat(path)).isDirectory) return;
    await Deno.remove(path, { recursive: true });
  } catch (error) {
    if (!isAbsent(error)) throw error;
  }
}

/** Whether a symbolic link leads to a directory; undefined if dangling. */
async function followsToDirectory(path: string): Promise<boolean | undefined> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch (error) {
    if (isAbsent(error)) return undefined;
    throw error;
  }
}
