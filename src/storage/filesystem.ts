/**
 * A storage on the local file system, where each key is a file below a
 * root directory. Whole-object writes go to a temporary file beside their
 * target, are synced to disk, and are renamed into place, so a reader or a
 * crash never sees half an object; upload appends go straight to their
 * file and are made durable when the finished upload is moved.
 *
 * Opening, renaming, removing and listing are synchronous system calls,
 * and only syncing to disk and streaming bodies are asynchronous. On a
 * local disk the metadata calls take microseconds, much less than a trip
 * through the runtime's thread pool, and they are most of what the
 * registry's small requests do (a manifest GET, a blob HEAD, a small
 * push); measured, this doubled to tripled their rate. The waits that can
 * be long, the disk syncs, stay asynchronous so requests still overlap
 * while the disk flushes. On a slow network file system each metadata
 * call would hold up the event loop for its duration.
 *
 * @module
 */

// deno-lint-ignore-file no-sync-fn-in-async-fn

import { fileStream, isAbsent, writeBody } from "./_fs_io.ts";
import { keySegments, prefixSegments, TEMP_PREFIX } from "./_fs_keys.ts";
import {
  followsToDirectory,
  holdsEntries,
  openIfPresent,
  removeTree,
} from "./_fs_probe.ts";
import { DirectoryTree } from "./_fs_tree.ts";
import { KeyLock } from "./_key_lock.ts";
import { LoneReads } from "./_lone_reads.ts";
import {
  type Body,
  type ByteRange,
  type ListEntry,
  type MoveOptions,
  type ObjectInfo,
  OffsetMismatchError,
  type Storage,
} from "./types.ts";

/**
 * How long before a whole-file read no other may have begun for it to
 * count as lone; see {@linkcode LoneReads}.
 */
const LONE_READ_QUIET_MS = 1000;

/**
 * The chunk size of lone reads. Measured on a 1 GiB pull, 4 MiB chunks
 * were half again as fast as the runtime's own file stream, and 1 MiB ones
 * a fifth.
 */
const LONE_READ_CHUNK = 4 * 1024 * 1024;

/** The chunk size of byte-range reads, which are rarely long. */
const RANGE_READ_CHUNK = 512 * 1024;

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
  #tree: DirectoryTree;
  #appends = new KeyLock();
  #loneReads = new LoneReads(LONE_READ_QUIET_MS);

  /** A storage rooted at the directory `root`. */
  constructor(root: string) {
    this.#tree = new DirectoryTree(root.replace(/[\\/]+$/, "") || "/");
  }

  stat(key: string): Promise<ObjectInfo | undefined> {
    return settle(() => {
      try {
        const info = Deno.statSync(this.#tree.path(keySegments(key)));
        if (!info.isFile) return undefined;
        return { size: info.size, modified: info.mtime ?? new Date() };
      } catch (error) {
        if (isAbsent(error)) return undefined;
        throw error;
      }
    });
  }

  read(
    key: string,
    range?: ByteRange,
  ): Promise<ReadableStream<Uint8Array> | undefined> {
    return settle(() => this.#readSync(key, range));
  }

  #readSync(
    key: string,
    range?: ByteRange,
  ): ReadableStream<Uint8Array> | undefined {
    const file = openIfPresent(this.#tree.path(keySegments(key)));
    if (!file) return undefined;
    try {
      const info = file.statSync();
      if (!info.isFile) {
        file.close();
        return undefined;
      }
      if (range) {
        file.seekSync(range.start, Deno.SeekMode.Start);
        const length = range.end + 1 - range.start;
        return fileStream(file, length, RANGE_READ_CHUNK);
      }
      const end = this.#loneReads.begin();
      // The runtime's own stream moves bytes from the file to the socket
      // without JavaScript buffers, and closes the file when it ends.
      if (!end) return file.readable;
      return fileStream(file, info.size, LONE_READ_CHUNK, end);
    } catch (error) {
      file.close();
      throw error;
    }
  }

  readBytes(key: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
    return settle(() => {
      try {
        return Deno.readFileSync(this.#tree.path(keySegments(key)));
      } catch (error) {
        if (isAbsent(error) || error instanceof Deno.errors.IsADirectory) {
          return undefined;
        }
        throw error;
      }
    });
  }

  async write(key: string, body: Body): Promise<number> {
    const segments = keySegments(key);
    const path = this.#tree.path(segments);
    const dir = this.#tree.path(segments.slice(0, -1));
    const temp = `${dir}/${TEMP_PREFIX}${crypto.randomUUID()}`;

    const file = await this.#tree.inDirectory(
      segments,
      () => Deno.openSync(temp, { write: true, createNew: true }),
    );
    let open = true;
    try {
      const size = await writeBody(file, body, temp);
      // Data first, then the name: after a crash the new name can only
      // point at complete bytes. An empty object has no data to sync; the
      // directory sync below commits its creation with its name.
      if (size > 0) await file.syncData();
      file.close();
      open = false;
      Deno.renameSync(temp, path);
      await this.#tree.sync(dir);
      return size;
    } catch (error) {
      if (open) file.close();
      try {
        Deno.removeSync(temp);
      } catch {
        // Already gone, or never made; the original error is what counts.
      }
      throw error;
    }
  }

  async append(key: string, offset: number, body: Body): Promise<number> {
    const segments = keySegments(key);
    return await this.#appends.run(key, async () => {
      const file = await this.#openForAppend(key, segments, offset);
      try {
        const size = file.statSync().size;
        if (size !== offset) throw new OffsetMismatchError(key, offset, size);
        // No sync per chunk: an upload's bytes become an object only by
        // `move`, which syncs them first, and only after the registry has
        // checked their digest; bytes a crash loses or garbles before then
        // fail that check, and the client uploads again.
        return offset + await writeBody(file, body, this.#tree.path(segments));
      } finally {
        file.close();
      }
    });
  }

  move(from: string, to: string, options?: MoveOptions): Promise<void> {
    // Under the append queue of `from`, so no append adds bytes to the
    // file after it has been synced and renamed.
    return this.#appends.run(
      from,
      () => this.#move(from, to, options?.durable ?? true),
    );
  }

  async #move(from: string, to: string, durable: boolean): Promise<void> {
    const source = keySegments(from);
    const target = keySegments(to);
    const fromPath = this.#tree.path(source);
    const toPath = this.#tree.path(target);

    // Appended bytes were never synced, so sync them before the rename
    // makes them an object. The time is reset because the object's age,
    // which garbage collection goes by, starts when it appears here.
    const file = Deno.openSync(fromPath, { write: true });
    try {
      if (!file.statSync().isFile) {
        throw new Error(`no object at '${from}'`);
      }
      const now = new Date();
      file.utimeSync(now, now);
      if (durable) await file.sync();
    } finally {
      file.close();
    }

    await this.#tree.inDirectory(
      target,
      () => Deno.renameSync(fromPath, toPath),
    );
    // Only the new name is synced. The old one is gone from the source
    // directory in the same journal transaction on the file systems that
    // journal metadata (ext4, XFS, btrfs); elsewhere a crash may at worst
    // leave the old name too, a stray copy that nothing reads.
    const toDir = target.slice(0, -1);
    const fromDir = source.slice(0, -1);
    if (durable) await this.#tree.sync(this.#tree.path(toDir));
    if (fromDir.join("/") !== toDir.join("/")) this.#tree.pruneEmpty(fromDir);
  }

  delete(key: string): Promise<boolean> {
    return settle(() => this.#deleteSync(key));
  }

  #deleteSync(key: string): boolean {
    const segments = keySegments(key);
    const path = this.#tree.path(segments);
    try {
      if (Deno.lstatSync(path).isDirectory) return false;
      Deno.removeSync(path);
    } catch (error) {
      if (isAbsent(error)) return false;
      throw error;
    }
    this.#tree.pruneEmpty(segments.slice(0, -1));
    return true;
  }

  list(prefix: string): Promise<ListEntry[]> {
    return settle(() => this.#listSync(prefix));
  }

  #listSync(prefix: string): ListEntry[] {
    const segments = prefixSegments(prefix);
    const dir = this.#tree.path(segments);
    const entries: ListEntry[] = [];
    try {
      for (const entry of Deno.readDirSync(dir)) {
        if (entry.name.startsWith(TEMP_PREFIX)) continue;
        const isDirectory = entry.isSymlink
          ? followsToDirectory(`${dir}/${entry.name}`)
          : entry.isDirectory;
        // The root's directories are kept when empty (see `DirectoryTree.pruneEmpty`),
        // but a prefix without objects is not listed.
        if (
          isDirectory && segments.length === 0 &&
          !holdsEntries(`${dir}/${entry.name}`)
        ) {
          continue;
        }
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

  deletePrefix(prefix: string): Promise<void> {
    return settle(() => {
      const segments = prefixSegments(prefix);
      if (segments.length === 0) {
        let names: string[];
        try {
          const entries = Deno.readDirSync(this.#tree.path([]));
          names = [...entries].map((entry) => entry.name)
            .filter((name) => !name.startsWith(TEMP_PREFIX));
        } catch (error) {
          if (isAbsent(error)) return;
          throw error;
        }
        for (const name of names) {
          removeTree(this.#tree.path([name]));
          this.#deleteSync(name);
        }
        return;
      }
      removeTree(this.#tree.path(segments));
      this.#tree.pruneEmpty(segments.slice(0, -1));
    });
  }

  async #openForAppend(
    key: string,
    segments: string[],
    offset: number,
  ): Promise<Deno.FsFile> {
    const path = this.#tree.path(segments);
    if (offset === 0) {
      return await this.#tree.inDirectory(
        segments,
        () => Deno.openSync(path, { append: true, create: true }),
      );
    }
    try {
      return Deno.openSync(path, { append: true });
    } catch (error) {
      if (isAbsent(error)) throw new OffsetMismatchError(key, offset, 0);
      throw error;
    }
  }
}

/** Runs synchronous work and hands back its outcome as a promise, so a
 * thrown error becomes a rejection as callers of the interface expect. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error);
  }
}
