/**
 * Runs a maintenance test against each storage: in memory, and on the
 * file system in a fresh temporary directory. Each run gets a registry
 * handler on the storage and a client speaking to it.
 *
 * @module
 */

import { createRegistry } from "../../src/registry.ts";
import { FileStorage } from "../../src/storage/filesystem.ts";
import { MemoryStorage } from "../../src/storage/memory.ts";
import type { Storage } from "../../src/storage/types.ts";
import { Client } from "../integrity/_client.ts";

/** What a store test gets. */
export interface Store {
  storage: Storage;
  client: Client;
  /** The directory of a file storage; undefined in memory. */
  dir?: string;
}

/** An instant long after anything a test writes: everything is old. */
export function later(): Date {
  return new Date(Date.now() + 2 * 60 * 60 * 1000);
}

/** Registers `body` as a test once per storage kind. */
export function storeTest(
  name: string,
  body: (store: Store) => Promise<void>,
): void {
  Deno.test(`${name} (memory)`, async () => {
    const storage = new MemoryStorage();
    await body({ storage, client: clientOf(storage) });
  });
  Deno.test(`${name} (file system)`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "maintenance_" });
    try {
      const storage = new FileStorage(dir);
      await body({ storage, client: clientOf(storage), dir });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

function clientOf(storage: Storage): Client {
  const registry = createRegistry({ storage });
  return new Client((request) => registry.fetch(request));
}
