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
}
