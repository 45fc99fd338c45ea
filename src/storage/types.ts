/**
 * The storage interface: a small object store that the registry keeps all
 * of its state in. It speaks of keys and bytes only; the registry decides
 * the layout of keys (see `src/content/keys.ts`). It is shaped so that an
 * S3-compatible object store can implement it: keys are `/`-separated
 * paths, whole-object writes are atomic, and the two operations that a
 * file system does natively (append and rename) are stated here with the
 * guarantees the registry needs, so an object store can emulate them (for
 * example with multipart uploads and server-side copy).
 *
 * @module
 */

/** What {@linkcode Storage.stat} knows about an object. */
export interface ObjectInfo {
  /** Size in bytes. */
  size: number;
  /** When the object was last written; garbage collection uses it as the
   * object's age. */
  modified: Date;
}

/** An inclusive byte range, as in HTTP `Range: bytes=start-end`. */
export interface ByteRange {
  /** First byte offset. */
  start: number;
  /** Last byte offset, inclusive. */
  end: number;
}

/** One entry of a {@linkcode Storage.list} result. */
export interface ListEntry {
  /** The name below the listed prefix, without any `/`. */
  name: string;
  /** True when the name is a prefix of further keys rather than an object. */
  prefix: boolean;
}

/** How {@linkcode Storage.move} may carry out a move. */
export interface MoveOptions {
  /**
   * When false, the move need not survive a crash: the caller moves the
   * object on again, or can lose it, so a storage may skip the disk syncs
   * a durable move costs. It stays atomic. Defaults to true.
   */
  durable?: boolean;
}

/** Bytes to store: whole in memory, or a stream. */
export type Body = Uint8Array | ReadableStream<Uint8Array>;

/**
 * Thrown by {@linkcode Storage.append} when the object's current size does
 * not equal the offset the caller expected, so two writers never interleave
 * their bytes.
 */
export class OffsetMismatchError extends Error {
  /** The object's actual size. */
  readonly size: number;

  /** Makes the error for `key`, which holds `size` bytes, not `expected`. */
  constructor(key: string, expected: number, size: number) {
    super(`append to '${key}' expected offset ${expected}, size is ${size}`);
    this.name = "OffsetMismatchError";
    this.size = size;
  }
}

/**
 * An object store for the registry's blobs, manifests, tags, indexes and
 * upload sessions. Keys are relative paths of `/`-separated segments, each
 * segment non-empty and never `.` or `..`; the registry validates every
 * name before it becomes part of a key.
 *
 * Guarantees every implementation gives:
 * - `write` and `move` are atomic: a reader sees the old object, the new
 *   one, or nothing, never a part; once they resolve, the object survives
 *   a crash of the process or the machine.
 * - `append` grows an object that is only ever read by the registry's
 *   upload code; a crash may leave some of the appended bytes behind, never
 *   bytes out of order.
 *
 * @example An in-memory store
 * ```ts
 * import { MemoryStorage } from "../../mod.ts";
 *
 * const storage = new MemoryStorage();
 * await storage.write("a/b", new TextEncoder().encode("hello"));
 * console.log((await storage.stat("a/b"))?.size); // 5
 * ```
 */
export interface Storage {
  /** Size and age of the object at `key`, or `undefined` if absent. */
  stat(key: string): Promise<ObjectInfo | undefined>;

  /**
   * Streams the object at `key`, or a range of it; `undefined` if absent.
   * The range is already checked against the object's size by the caller.
   */
  read(
    key: string,
    range?: ByteRange,
  ): Promise<ReadableStream<Uint8Array> | undefined>;

  /** Reads a small object whole; `undefined` if absent. */
  readBytes(key: string): Promise<Uint8Array<ArrayBuffer> | undefined>;

  /**
   * Stores `body` at `key`, atomically and durably, replacing any object
   * there. If the body stream fails, nothing is stored and the error is
   * rethrown. Resolves to the number of bytes stored.
   */
  write(key: string, body: Body): Promise<number>;

  /**
   * Appends `body` to the object at `key` (creating it when `offset` is 0)
   * and resolves to its new size. Rejects with
   * {@linkcode OffsetMismatchError} when the object's size is not `offset`.
   * If the body stream fails, the bytes received so far may stay appended.
   */
  append(key: string, offset: number, body: Body): Promise<number>;

  /**
   * Moves the object at `from` to `to`, atomically and durably, replacing
   * any object at `to`. Rejects if `from` is absent. An `append` to `from`
   * that is under way either finishes before the move or fails, so the
   * object at `to` never changes after `move` resolves. With `durable:
   * false` the move may be lost in a crash (see {@linkcode MoveOptions}).
   */
  move(from: string, to: string, options?: MoveOptions): Promise<void>;

  /** Removes the object at `key`; resolves to false if it was absent. */
  delete(key: string): Promise<boolean>;

  /**
   * Lists the names directly below `prefix` (which ends with `/`), sorted
   * by code unit. An absent prefix lists as empty.
   */
  list(prefix: string): Promise<ListEntry[]>;

  /** Removes every object whose key starts with `prefix` (ending in `/`). */
  deletePrefix(prefix: string): Promise<void>;
}
