/**
 * What every handler gets: the request, its parsed URL, the registry's
 * options and the caller's identity, plus the checks that most handlers
 * share (access, writes allowed, parameters decoded and validated).
 *
 * @module
 */

import type { Action, Identity, Scope } from "../auth/types.ts";
import type { Hooks } from "../hooks/types.ts";
import type { LogEvent } from "../log.ts";
import type { ResolvedOptions } from "../options.ts";
import { RegistryError } from "../protocol/errors.ts";
import type { ManifestCache } from "../content/manifest_cache.ts";
import type { UploadHashes } from "../content/upload_hashes.ts";
import type { UploadLimits } from "./upload_limits.ts";

/** One request on its way through the registry. */
export interface Context {
  request: Request;
  url: URL;
  options: ResolvedOptions;
  identity: Identity | undefined;
  requestId: string;
  /** What the registry instance keeps in memory across requests. */
  state: InstanceState;
}

/**
 * Memory of one registry instance across requests. It only ever saves
 * work: every answer stays right without it, as it must when several
 * instances share a storage.
 */
export interface InstanceState {
  /** Manifest bytes by digest. */
  manifests: ManifestCache;
  /** Running hashes of upload sessions. */
  uploadHashes: UploadHashes;
  /** Upload bodies being received, counted per client and in all. */
  uploadLimits: UploadLimits;
}

/** Logs an event that belongs to the request. */
export function log(ctx: Context, event: LogEvent): void {
  ctx.options.log({ ...event, requestId: ctx.requestId });
}

/** The actions the caller may perform on `repository`. */
export async function permissionsOn(
  ctx: Context,
  repository: string,
): Promise<Set<string>> {
  return new Set(await ctx.options.auth.permissions(ctx.identity, repository));
}

/**
 * Throws unless the caller may perform at least one of `anyOf` on
 * `repository`: 401 with a challenge when a login (or a token with more
 * scope) could help, 403 `DENIED` when the caller is known and refused.
 */
export async function requireAccess(
  ctx: Context,
  repository: string,
  anyOf: readonly Action[],
): Promise<void> {
  const granted = await permissionsOn(ctx, repository);
  if (anyOf.some((action) => granted.has(action))) return;
  await refuse(ctx, { type: "repository", name: repository, actions: anyOf });
}

/** Throws the refusal for a request that lacked `scope`, or, with no
 * scope, simply a login. */
export async function refuse(
  ctx: Context,
  scope?: Scope,
): Promise<never> {
  if (ctx.identity === undefined || ctx.identity.grants !== undefined) {
    const challenge = await ctx.options.auth.challenge(ctx.request, scope);
    throw new RegistryError("UNAUTHORIZED", "authentication required", {
      headers: { "WWW-Authenticate": challenge },
      detail: scope && [{
        Type: scope.type,
        Name: scope.name,
        Action: scope.actions.join(","),
      }],
    });
  }
  const what = scope
    ? `${scope.actions.join(" or ")} '${scope.name}'`
    : "use this registry";
  throw new RegistryError("DENIED", `'${ctx.identity.name}' may not ${what}`);
}

/** Throws 405 `UNSUPPORTED` when the registry is read-only. */
export function requireWritable(ctx: Context): void {
  if (ctx.options.readOnly) {
    throw new RegistryError("UNSUPPORTED", "the registry is read-only");
  }
}

/** Throws 405 `UNSUPPORTED` when deletion is turned off. */
export function requireDeletable(ctx: Context): void {
  requireWritable(ctx);
  if (!ctx.options.deleteEnabled) {
    throw new RegistryError("UNSUPPORTED", "deletion is disabled");
  }
}

/** Runs a hook; a hook that fails is logged and otherwise ignored. */
export async function runHook<K extends keyof Hooks>(
  ctx: Context,
  name: K,
  event: Parameters<NonNullable<Hooks[K]>>[0],
): Promise<void> {
  const hook = ctx.options.hooks[name] as
    | ((e: typeof event) => unknown)
    | undefined;
  if (!hook) return;
  try {
    await hook.call(ctx.options.hooks, event);
  } catch (error) {
    log(ctx, {
      level: "error",
      msg: "hook failed",
      hook: name,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

/** The 405 answer for a method a route does not take. */
export function methodNotAllowed(ctx: Context): never {
  throw new RegistryError(
    "UNSUPPORTED",
    `${ctx.request.method} is not supported here`,
  );
}

/** A response with no body and the given status and headers. */
export function empty(status: number, headers: HeadersInit = {}): Response {
  return new Response(null, { status, headers });
}

/**
 * A JSON response. For a `HEAD` request it carries the headers a `GET`
 * would, `Content-Length` included, and no body.
 */
export function json(
  value: unknown,
  headers: HeadersInit = {},
  status = 200,
  method = "GET",
): Response {
  const body = new TextEncoder().encode(JSON.stringify(value));
  const all = new Headers(headers);
  if (!all.has("Content-Type")) all.set("Content-Type", "application/json");
  all.set("Content-Length", String(body.byteLength));
  return new Response(method === "HEAD" ? null : body, {
    status,
    headers: all,
  });
}
