/**
 * An in-memory storage, for tests and for embedding a throwaway registry.
 * It keeps every object in a map and runs on any web-standard runtime;
 * everything is lost when the process ends.
 *
 * @module
 */

import { concatBytes } from "../bytes.ts";
import {
  type Body,
  type ByteRange,
  type ListEntry,
  type ObjectInfo,
  OffsetMismatchError,
  type Storage,
} from "./types.ts";

interface Entry {
  chunks: Uint8Array[];
  size: number;
  modified: Date;
}

/**
 * A {@linkcode Storage} that keeps objects in memory.
 *
 * @example A registry that forgets everything on exit
 * ```ts
 * import { createRegistry, MemoryStorage } from "../../mod.ts";
 *
 * const registry = createRegistry({ storage: new MemoryStorage() });
 * const response = await registry.fetch(new Request("http://x/v2/"));
 * console.log(response.status); // 200
 * ```
 */
export class MemoryStorage implements Storage {
  #objects = new Map<string, Entry>();

  stat(key: string): Promise<ObjectInfo | undefined> {
    const entry = this.#objects.get(key);
    return Promise.resolve(
      entry && { size: entry.size, modified: entry.modified },
    );
  }

  read(
    key: string,
    range?: ByteRange,
  ): Promise<ReadableStream<Uint8Array> | undefined> {
    const entry = this.#objects.get(key);
    if (!entry) return Promise.resolve(undefined);
    const chunks = range ? slice(entry.chunks, range) : [...entry.chunks];
    return Promise.resolve(
      new ReadableStream({
        pull(controller) {
          // A copy, so a reader that changes or transfers what it gets
          // cannot change the stored object.
          const chunk = chunks.shift();
          if (chunk) controller.enqueue(chunk.slice());
          else controller.close();
        },
      }),
    );
  }

  readBytes(key: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
    const entry = this.#objects.get(key);
    return Promise.resolve(entry && concatBytes(entry.chunks, entry.size));
  }

  async write(key: string, body: Body): Promise<number> {
    const chunks = await collect(body);
    const size = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
    this.#objects.set(key, { chunks, size, modified: new Date() });
    return size;
  }

  async append(key: string, offset: number, body: Body): Promise<number> {
    const entry = this.#objects.get(key) ??
      { chunks: [], size: 0, modified: new Date() };
    if (entry.size !== offset) {
      throw new OffsetMismatchError(key, offset, entry.size);
    }
    this.#objects.set(key, entry);

    // Bytes count as appended as they arrive, as on a file system.
    const chunks = body instanceof Uint8Array ? [body] : body;
    for await (const chunk of chunks) {
      if (entry.size !== offset) {
        throw new OffsetMismatchError(key, offset, entry.size);
      }
      const copy = chunk.slice();
      entry.chunks.push(copy);
      entry.size += copy.byteLength;
      offset += copy.byteLength;
      entry.modified = new Date();
    }
    return entry.size;
  }

  move(from: string, to: string): Promise<void> {
    const entry = this.#objects.get(from);
    if (!entry) return Promise.reject(new Error(`no object at '${from}'`));
    this.#objects.delete(from);

    // The object's age, which garbage collection goes by, starts when it
    // appears at its new key, as with a file storage.
    this.#objects.set(to, {
      chunks: [...entry.chunks],
      size: entry.size,
      modified: new Date(),
    });

    // An append still under way holds the old entry: its next chunk now
    // fails the offset check instead of reaching the moved object.
    entry.size = Number.NaN;
    return Promise.resolve();
  }

  delete(key: string): Promise<boolean> {
    return Promise.resolve(this.#objects.delete(key));
  }

  list(prefix: string): Promise<ListEntry[]> {
    const names = new Map<string, boolean>();
    for (const key of this.#objects.keys()) {
      if (!key.startsWith(prefix)) continue;
      const rest = key.slice(prefix.length);
      const slash = rest.indexOf("/");
      if (slash < 0) names.set(rest, names.get(rest) ?? false);
      else names.set(rest.slice(0, slash), true);
    }
    const entries = [...names].map(([name, prefix]) => ({ name, prefix }));
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return Promise.resolve(entries);
  }

  deletePrefix(prefix: string): Promise<void> {
    for (const key of [...this.#objects.keys()]) {
      if (key.startsWith(prefix)) this.#objects.delete(key);
    }
    return Promise.resolve();
  }
}

async function collect(body: Body): Promise<Uint8Array[]> {
  if (body instanceof Uint8Array) return [body.slice()];
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk.slice());
  return chunks;
}

function slice(chunks: Uint8Array[], range: ByteRange): Uint8Array[] {
  const out: Uint8Array[] = [];
  let offset = 0;
  for (const chunk of chunks) {
    const start = Math.max(range.start - offset, 0);
    const end = Math.min(range.end + 1 - offset, chunk.byteLength);
    if (start < end) out.push(chunk.subarray(start, end));
    offset += chunk.byteLength;
  }
  return out;
}
