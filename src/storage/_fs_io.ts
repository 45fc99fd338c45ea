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
 * The size of the chunks a read stream yields. Measured on a 1 GiB pull,
 * 512 KiB reads doubled the rate of 256 KiB ones and matched 1 MiB ones,
 * while a puller holds half as much memory (two chunks at most).
 */
const READ_CHUNK_SIZE = 512 * 1024;

/**
 * Whether `error` means the path does not exist, including when one of its
 * parents is a file rather than a directory.
 */
export function isAbsent(error: unknown): boolean {
  return error instanceof Deno.errors.NotFound ||
    error instanceof Deno.errors.NotADirectory;
}

/**
 * Writes `body` at the file's position and resolves to the number of bytes
 * written. A stream is held in memory two buffers at a time at most: one
 * being filled while the other is written, so reading the network and
 * writing the disk overlap.
 */
export async function writeBody(
  file: Deno.FsFile,
  body: Body,
): Promise<number> {
  if (body instanceof Uint8Array) {
    await writeAll(file, body);
    return body.byteLength;
  }
  const writer = new CoalescingWriter(file);
  try {
    for await (const chunk of body) await writer.push(chunk);
    await writer.flush();
  } finally {
    // The caller closes the file next; no write may still be running.
    await writer.settle();
  }
  return writer.size;
}

/**
 * A stream of `length` bytes read from the file's position; the file is
 * closed when the stream ends, fails or is cancelled.
 */
export function fileStream(
  file: Deno.FsFile,
  length: number,
): ReadableStream<Uint8Array> {
  let remaining = length;
  let open = true;
  const close = () => {
    if (open) file.close();
    open = false;
  };
  return new ReadableStream({
    async pull(controller) {
      try {
        const buffer = new Uint8Array(Math.min(READ_CHUNK_SIZE, remaining));
        const count = buffer.byteLength > 0 ? await file.read(buffer) : null;
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
  #pending: Promise<void> = Promise.resolve();

  constructor(file: Deno.FsFile) {
    this.#file = file;
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
    this.#buffer ??= new Uint8Array(WRITE_BUFFER_SIZE);
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
    await this.#startWrite(this.#buffer!.subarray(0, this.#filled));
    // The buffer now being written is not touched again until the next
    // send, which first waits for this write to finish.
    [this.#buffer, this.#spare] = [this.#spare, this.#buffer];
    this.#filled = 0;
  }

  async #startWrite(bytes: Uint8Array): Promise<void> {
    await this.#pending;
    const write = writeAll(this.#file, bytes);
    // Observed later by the next write, flush or settle; the handler only
    // keeps a failure from counting as unhandled in the meantime.
    write.catch(() => {});
    this.#pending = write;
  }
}
