/**
 * The file operations under {@linkcode FileStorage}: writing a body through
 * large buffers, streaming a byte range out of an open file, and syncing a
 * directory. Kept apart from the key-to-path logic so each part reads on
 * its own.
 *
 * @module
 */

// deno-lint-ignore-file no-sync-fn-in-async-fn

import type { Body } from "./types.ts";

/**
 * Small network chunks are gathered into buffers this large before each
 * write, so a streamed blob costs one system call per mebibyte rather than
 * one per chunk.
 */
const WRITE_BUFFER_SIZE = 1 << 20;

/**
 * Whether `error` means the path does not exist, including when one of its
 * parents is a file rather than a directory.
 */
export function isAbsent(error: unknown): boolean {
  return error instanceof Deno.errors.NotFound ||
    error instanceof Deno.errors.NotADirectory;
}

/**
 * How many bytes of a long body are written between early disk syncs.
 * Left alone, the kernel starts writing a file's pages to disk only once
 * gigabytes are dirty, so a blob of a few gigabytes would first fill the
 * page cache and then wait for the whole of it in the final sync. Syncing
 * as it goes makes the disk work while the network is still delivering.
 */
const WRITE_BACK_STEP = 32 << 20;

/**
 * Writes `body` at the file's position and resolves to the number of bytes
 * written. A stream is held in memory two buffers at a time at most: one
 * being filled while the other is written, so reading the network and
 * writing the disk overlap. Given the file's `path`, a long body is also
 * synced to disk as it goes, through a second handle so the syncs never
 * wait for writes or writes for syncs; the caller still makes the final
 * sync, which then has little left to do.
 */
export async function writeBody(
  file: Deno.FsFile,
  body: Body,
  path?: string,
): Promise<number> {
  if (body instanceof Uint8Array) {
    await writeAll(file, body);
    return body.byteLength;
  }
  const writeBack = path === undefined ? undefined : new WriteBack(path);
  const writer = new CoalescingWriter(file, writeBack);
  try {
    for await (const chunk of body) await writer.push(chunk);
    await writer.flush();
  } finally {
    // The caller closes the file next; no write may still be running.
    await writer.settle();
    await writeBack?.close();
  }
  return writer.size;
}

/**
 * A stream of `length` bytes read from the file's position in chunks of
 * `chunkSize`; the file is closed, and `onClose` called, when the stream
 * ends, fails or is cancelled.
 */
export function fileStream(
  file: Deno.FsFile,
  length: number,
  chunkSize: number,
  onClose?: () => void,
): ReadableStream<Uint8Array> {
  let remaining = length;
  let open = true;
  const close = () => {
    if (!open) return;
    open = false;
    file.close();
    onClose?.();
  };
  return new ReadableStream({
    async pull(controller) {
      try {
        const size = Math.min(chunkSize, remaining);
        const buffer = new Uint8Array(size);
        const count = size > 0 ? await file.read(buffer) : null;
        if (count === null) {
          close();
          controller.close();
          return;
        }
        remaining -= count;
        controller.enqueue(buffer.subarray(0, count));
        if (remaining === 0) {
          close();
          controller.close();
        }
      } catch (error) {
        close();
        controller.error(error);
      }
    },
    cancel: close,
  });
}

/**
 * Makes the directory's entries durable, as after a rename into it. Some
 * platforms cannot sync a directory (Windows cannot open one as a file,
 * and a few file systems refuse); there the entries are as durable as the
 * platform makes them, and that refusal is the only error ignored.
 */
export async function syncDir(path: string): Promise<void> {
  if (Deno.build.os === "windows") return;
  let dir: Deno.FsFile;
  try {
    dir = Deno.openSync(path, { read: true });
  } catch (error) {
    // Emptied and removed by a concurrent delete: nothing left to sync.
    if (isAbsent(error)) return;
    throw error;
  }
  try {
    await dir.sync();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (!code || !UNSYNCABLE_DIR_CODES.has(code)) throw error;
  } finally {
    dir.close();
  }
}

const UNSYNCABLE_DIR_CODES = new Set(["EINVAL", "ENOTSUP", "EOPNOTSUPP"]);

/** Small bodies (links, tags, records) are written in one synchronous
 * call; see `filesystem.ts` for why metadata-sized work is synchronous. */
const SYNC_WRITE_LIMIT = 64 * 1024;

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  if (bytes.byteLength <= SYNC_WRITE_LIMIT) {
    let done = 0;
    while (done < bytes.byteLength) {
      done += file.writeSync(bytes.subarray(done));
    }
    return;
  }
  let written = 0;
  while (written < bytes.byteLength) {
    written += await file.write(bytes.subarray(written));
  }
}

/** Gathers chunks into buffers and keeps at most one write in flight. */
class CoalescingWriter {
  /** Bytes pushed so far. */
  size = 0;
  #file: Deno.FsFile;
  #buffer: Uint8Array | undefined;
  #spare: Uint8Array | undefined;
  #filled = 0;
  /** A lone first chunk, kept as it came: a small body is written from it
   * directly rather than copied into a fresh buffer. */
  #held: Uint8Array | undefined;
  #pending: Promise<void> = Promise.resolve();
  #writeBack: WriteBack | undefined;
  /** Bytes handed to writes so far. */
  #started = 0;

  constructor(file: Deno.FsFile, writeBack?: WriteBack) {
    this.#file = file;
    this.#writeBack = writeBack;
  }

  async push(chunk: Uint8Array): Promise<void> {
    this.size += chunk.byteLength;
    if (
      this.#filled > 0 && this.#filled + chunk.byteLength > WRITE_BUFFER_SIZE
    ) {
      await this.#sendBuffer();
    }
    if (chunk.byteLength >= WRITE_BUFFER_SIZE) {
      // Already big enough to be worth a system call; copying buys nothing.
      await this.#startWrite(chunk);
      return;
    }
    if (this.#filled === 0) {
      this.#held = chunk;
      this.#filled = chunk.byteLength;
      return;
    }
    this.#buffer ??= new Uint8Array(WRITE_BUFFER_SIZE);
    if (this.#held) {
      this.#buffer.set(this.#held);
      this.#held = undefined;
    }
    this.#buffer.set(chunk, this.#filled);
    this.#filled += chunk.byteLength;
  }

  async flush(): Promise<void> {
    if (this.#filled > 0) await this.#sendBuffer();
    await this.#pending;
  }

  async settle(): Promise<void> {
    await this.#pending.catch(() => {});
  }

  async #sendBuffer(): Promise<void> {
    const held = this.#held;
    this.#held = undefined;
    await this.#startWrite(held ?? this.#buffer!.subarray(0, this.#filled));
    // The buffer now being written is not touched again until the next
    // send, which first waits for this write to finish.
    if (!held) [this.#buffer, this.#spare] = [this.#spare, this.#buffer];
    this.#filled = 0;
  }

  async #startWrite(bytes: Uint8Array): Promise<void> {
    await this.#pending;
    // Every write started before this one has now finished.
    this.#writeBack?.written(this.#started);
    this.#started += bytes.byteLength;
    const write = writeAll(this.#file, bytes);
    // Observed later by the next write, flush or settle; the handler only
    // keeps a failure from counting as unhandled in the meantime.
    write.catch(() => {});
    this.#pending = write;
  }
}

/**
 * Early syncs of a file being written (see `WRITE_BACK_STEP`), at most one
 * at a time, through a handle of their own: the runtime runs the
 * operations of one handle one after another, so a sync on the writing
 * handle would hold up the writes behind it. A failed early sync is left
 * for the final one to report; the kernel tells every handle that was
 * open when a write to disk failed.
 */
class WriteBack {
  #path: string;
  #handle: Deno.FsFile | undefined;
  #running: Promise<void> | undefined;
  #syncedUpTo = 0;

  constructor(path: string) {
    this.#path = path;
  }

  /** Notes that the first `bytes` bytes have been written. */
  written(bytes: number): void {
    if (this.#running || bytes - this.#syncedUpTo < WRITE_BACK_STEP) return;
    this.#syncedUpTo = bytes;
    try {
      this.#handle ??= Deno.openSync(this.#path, { read: true });
    } catch {
      // Renamed or removed under us; the final sync is all that is left.
      return;
    }
    this.#running = this.#handle.syncData().catch(() => {}).finally(() => {
      this.#running = undefined;
    });
  }

  /** Waits for a sync under way and closes the handle. */
  async close(): Promise<void> {
    await this.#running;
    this.#handle?.close();
  }
}
