/**
 * An OCI Distribution registry as a web-standard `fetch` handler.
 *
 * `createRegistry()` returns a handler that serves the whole OCI
 * Distribution API; pass it to `Deno.serve` or `Bun.serve`, or call its
 * `fetch` from your own server. Storage, auth and hooks are plain objects.
 *
 * @example Serve a registry on port 5000 with storage in ./registry-data
 * ```ts ignore
 * import { createRegistry } from "./mod.ts";
 *
 * Deno.serve({ port: 5000 }, createRegistry());
 * ```
 *
 * @module
 */

export { createRegistry, type Registry } from "./src/registry.ts";
export type { RegistryOptions } from "./src/options.ts";
export {
  type ErrorCode,
  RegistryError,
  type RegistryErrorOptions,
} from "./src/protocol/errors.ts";
export type {
  Body,
  ByteRange,
  ListEntry,
  MoveOptions,
  ObjectInfo,
  Storage,
} from "./src/storage/types.ts";
export { OffsetMismatchError } from "./src/storage/types.ts";
export { MemoryStorage } from "./src/storage/memory.ts";
export { FileStorage } from "./src/storage/filesystem.ts";
export type {
  Action,
  Auth,
  Awaitable,
  Grant,
  Identity,
  Scope,
} from "./src/auth/types.ts";
export { allowAll } from "./src/auth/open.ts";
export {
  anonymousWithMaster,
  type MasterPasswordOptions,
  type UserEntry,
  userTable,
  type UserTableOptions,
} from "./src/auth/users.ts";
export {
  htpasswd,
  type HtpasswdOptions,
  parseHtpasswd,
} from "./src/auth/htpasswd.ts";
export {
  type CompiledPolicy,
  compilePolicy,
  type Policy,
  type PolicyRule,
  withPolicy,
} from "./src/auth/policy.ts";
export { tokenAuth, type TokenAuthOptions } from "./src/auth/token.ts";
export {
  type TokenResponse,
  type TokenServer,
  tokenServer,
  type TokenServerOptions,
} from "./src/auth/token_server.ts";
export {
  tokenAuthWithServer,
  type TokenAuthWithServerOptions,
} from "./src/auth/token_with_server.ts";
export type { Jwk, JwkSet, KeyInput } from "./src/auth/keys.ts";
export type {
  BlobPushedEvent,
  DeletedEvent,
  Hooks,
  ManifestPushedEvent,
} from "./src/hooks/types.ts";
export type { LogEvent, Logger, LogLevel } from "./src/log.ts";
export {
  collectGarbage,
  type GcItem,
  type GcOptions,
  type GcProgress,
  type GcReport,
} from "./src/maintenance/gc.ts";
export {
  type CorruptBlob,
  type MissingContent,
  type VerifyOptions,
  type VerifyProgress,
  type VerifyReport,
  verifyStore,
} from "./src/maintenance/verify.ts";
