/**
 * A {@linkcode Storage} that times every call of the storage it wraps and
 * records the latency, and failures, in the server's metrics. It changes
 * nothing else, so the registry core is unaware of it. A `read` is timed
 * until its stream is open, not until the bytes are consumed: the client,
 * not the storage, sets the pace of the rest. A `write` or `append` of a
 * stream is timed until the stream ends, so for uploads the figure
 * includes the client's sending time.
 *
 * @module
 */

import type {
  Body,
  ByteRange,
  ListEntry,
  MoveOptions,
  ObjectInfo,
  Storage,
} from "../storage/types.ts";
import type { Metrics } from "./metrics.ts";

/** Wraps a storage and meters each operation. */
export class MeteredStorage implements Storage {
  readonly #inner: Storage;
  readonly #metrics: Metrics;

  constructor(inner: Storage, metrics: Metrics) {
    this.#inner = inner;
    this.#metrics = metrics;
  }

  stat(key: string): Promise<ObjectInfo | undefined> {
    return this.#time("stat", () => this.#inner.stat(key));
  }

  read(
    key: string,
    range?: ByteRange,
  ): Promise<ReadableStream<Uint8Array> | undefined> {
    return this.#time("read", () => this.#inner.read(key, range));
  }

  readBytes(key: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
    return this.#time("readBytes", () => this.#inner.readBytes(key));
  }

  write(key: string, body: Body): Promise<number> {
    return this.#time("write", () => this.#inner.write(key, body));
  }

  append(key: string, offset: number, body: Body): Promise<number> {
    return this.#time("append", () => this.#inner.append(key, offset, body));
  }

  move(from: string, to: string, options?: MoveOptions): Promise<void> {
    return this.#time("move", () => this.#inner.move(from, to, options));
  }

  delete(key: string): Promise<boolean> {
    return this.#time("delete", () => this.#inner.delete(key));
  }

  list(prefix: string): Promise<ListEntry[]> {
    return this.#time("list", () => this.#inner.list(prefix));
  }

  deletePrefix(prefix: string): Promise<void> {
    return this.#time("deletePrefix", () => this.#inner.deletePrefix(prefix));
  }

  async #time<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await call();
    } catch (error) {
      this.#metrics.storageErrors.inc({ operation });
      throw error;
    } finally {
      const seconds = (performance.now() - started) / 1000;
      this.#metrics.storageDuration.observe({ operation }, seconds);
    }
  }
}
