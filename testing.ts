/**
 * A real registry on a free loopback port, for tests of code that talks
 * to a registry over HTTP: clients, CI tooling, image builders. Storage is
 * in memory unless asked otherwise, and everything is released on close,
 * so tests can start one each and run in parallel.
 *
 * @example Push a blob, then read it back
 * ```ts
 * import { startTestRegistry } from "./testing.ts";
 *
 * await using registry = await startTestRegistry();
 * const blob = new TextEncoder().encode("hello");
 * const hash = await crypto.subtle.digest("SHA-256", blob);
 * const hex = Array.from(new Uint8Array(hash), (b) =>
 *   b.toString(16).padStart(2, "0")).join("");
 * const digest = `sha256:${hex}`;
 *
 * const start = await fetch(`${registry.url}/v2/demo/blobs/uploads/`, {
 *   method: "POST",
 * });
 * await start.body?.cancel();
 * const upload = new URL(start.headers.get("Location")!, registry.url);
 * upload.searchParams.set("digest", digest);
 * const put = await fetch(upload, { method: "PUT", body: blob });
 * await put.body?.cancel();
 *
 * const got = await fetch(`${registry.url}/v2/demo/blobs/${digest}`);
 * console.log(await got.text()); // "hello"
 * ```
 *
 * @module
 */

import { createRegistry, type Registry } from "./src/registry.ts";
import type { RegistryOptions } from "./src/options.ts";
import { FileStorage } from "./src/storage/filesystem.ts";
import { MemoryStorage } from "./src/storage/memory.ts";
import type { Storage } from "./src/storage/types.ts";

/** Options for {@linkcode startTestRegistry}: the registry's options,
 * with storage also given by name. */
export interface TestRegistryOptions extends Omit<RegistryOptions, "storage"> {
  /** `"memory"` (the default), `"temp"` for a temporary directory removed
   * on close, or any storage. */
  storage?: "memory" | "temp" | Storage;
}

/** A running test registry. */
export interface TestRegistry extends AsyncDisposable {
  /** Its base URL, such as `http://127.0.0.1:41235`. */
  url: string;
  /** Host and port, as image references want them: `127.0.0.1:41235`. */
  host: string;
  /** The registry being served. */
  registry: Registry;
  /** The storage it uses. */
  storage: Storage;
  /** With `storage: "temp"`, the directory that holds the data. */
  directory?: string;
  /** Stops the server and removes a temporary storage directory. */
  close(): Promise<void>;
}

/**
 * Starts a registry on `127.0.0.1` on a free port.
 *
 * @example Start, use, close
 * ```ts
 * import { startTestRegistry } from "./testing.ts";
 *
 * const registry = await startTestRegistry({ storage: "temp" });
 * const response = await fetch(`${registry.url}/v2/`);
 * await response.body?.cancel();
 * console.log(response.status); // 200
 * await registry.close();
 * ```
 */
export async function startTestRegistry(
  options: TestRegistryOptions = {},
): Promise<TestRegistry> {
  const tempDir = options.storage === "temp"
    ? await Deno.makeTempDir({ prefix: "registry-test-" })
    : undefined;
  const storage = tempDir
    ? new FileStorage(tempDir)
    : typeof options.storage === "object"
    ? options.storage
    : new MemoryStorage();

  const registry = createRegistry({ ...options, storage });
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
  }, registry.fetch);
  const host = `127.0.0.1:${server.addr.port}`;

  let closed: Promise<void> | undefined;
  const close = () =>
    closed ??= (async () => {
      await server.shutdown();
      if (tempDir) await Deno.remove(tempDir, { recursive: true });
    })();
  return {
    url: `http://${host}`,
    host,
    registry,
    storage,
    ...(tempDir ? { directory: tempDir } : {}),
    close,
    [Symbol.asyncDispose]: close,
  };
}
