/**
 * The options `createRegistry` takes, with their defaults.
 *
 * @module
 */

import type { Auth } from "./auth/types.ts";
import type { Hooks } from "./hooks/types.ts";
import type { Logger } from "./log.ts";
import type { Storage } from "./storage/types.ts";

/** Options for `createRegistry`. */
export interface RegistryOptions {
  /** Where all state lives. Defaults to a `FileStorage` in
   * `./registry-data` (which needs Deno); pass a storage on other runtimes. */
  storage?: Storage;
  /** Who may do what. Defaults to letting everyone pull and push. */
  auth?: Auth;
  /** Callbacks for changes to the store. */
  hooks?: Hooks;
  /** Receives structured log events; the library itself never prints. */
  log?: Logger;
  /** Refuse every write with 405 `UNSUPPORTED`. Defaults to false. */
  readOnly?: boolean;
  /** Allow `DELETE` of manifests, tags and blobs. Defaults to true. */
  deleteEnabled?: boolean;
  /** Largest manifest accepted, in bytes (413 above). Defaults to 4 MiB. */
  maxManifestSize?: number;
  /** Most entries one page of the tags list, catalog or referrers holds
   * when the client asks for no `n`, or a larger one. Defaults to 1000. */
  maxPageSize?: number;
  /**
   * Most blob-upload request bodies (a `PATCH`, a `PUT` with a final
   * chunk, a monolithic `POST ?digest=`) received at once, from all
   * clients together. One more is refused with 429 `TOOMANYREQUESTS` and
   * `Retry-After: 1` before any of its bytes are read.
   * Requests without a body (starting a session, mounting, the closing
   * `PUT` of a chunked upload) are never limited. The count is kept in
   * memory by this registry instance, since what it protects (sockets,
   * memory, disk bandwidth) belongs to the process: registries sharing a
   * storage each count their own uploads. Defaults to 256.
   */
  maxConcurrentUploads?: number;
  /**
   * The same limit for any one client, so a single client cannot take all
   * of `maxConcurrentUploads`. A caller that logged in is counted by user
   * name; an anonymous caller by what `clientKey` returns. An
   * anonymous caller without a key counts toward the total limit only.
   * Defaults to 32.
   */
  maxConcurrentUploadsPerClient?: number;
  /**
   * Names the client that sent a request, for
   * `maxConcurrentUploadsPerClient`: typically its network address. A
   * `fetch` handler never sees the connection, so the server that does
   * supplies this. Do not read it from a header the client itself can set
   * (such as `X-Forwarded-For`) unless a proxy you trust overwrites it.
   * Defaults to knowing no client.
   */
  clientKey?: (request: Request) => string | undefined;
}

/** The options with every default filled in, as the handlers use them. */
export interface ResolvedOptions {
  storage: Storage;
  auth: Auth;
  hooks: Hooks;
  log: Logger;
  readOnly: boolean;
  deleteEnabled: boolean;
  maxManifestSize: number;
  maxPageSize: number;
  maxConcurrentUploads: number;
  maxConcurrentUploadsPerClient: number;
  clientKey: (request: Request) => string | undefined;
}
