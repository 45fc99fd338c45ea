/**
 * The registry: `createRegistry` builds the one `fetch` handler that
 * serves the whole OCI Distribution API. A request is routed, its caller
 * authenticated, its handler run; any failure becomes the spec's JSON
 * error, and one log event records the request.
 *
 * @module
 */

import { allowAll } from "./auth/open.ts";
import type { Auth } from "./auth/types.ts";
import { handleBlob } from "./handlers/blobs.ts";
import { ManifestCache } from "./content/manifest_cache.ts";
import { UploadHashes } from "./content/upload_hashes.ts";
import { UploadLimits } from "./handlers/upload_limits.ts";
import {
  type Context,
  empty,
  type InstanceState,
  json,
  log,
  refuse,
} from "./handlers/context.ts";
import {
  handleCatalog,
  handleReferrers,
  handleTags,
} from "./handlers/listings.ts";
import { handleManifest } from "./handlers/manifests.ts";
import { handleUpload, handleUploads } from "./handlers/uploads.ts";
import { silent } from "./log.ts";
import type { RegistryOptions, ResolvedOptions } from "./options.ts";
import { RegistryError } from "./protocol/errors.ts";
import { parseRepositoryName } from "./protocol/names.ts";
import { matchRoute, type Route } from "./protocol/routes.ts";
import { FileStorage } from "./storage/filesystem.ts";

/**
 * A registry: a `fetch` handler. It is also callable itself, so it can be
 * passed straight to `Deno.serve`, to `Bun.serve`, or exported as the
 * default of a module run with `deno serve`.
 */
export interface Registry {
  (request: Request): Promise<Response>;
  /** Serves one request of the OCI Distribution API. */
  fetch(request: Request): Promise<Response>;
}

const apiVersion = "registry/2.0";

/**
 * Creates a registry.
 *
 * @example Serve a registry with Deno
 * ```ts ignore
 * import { createRegistry } from "./mod.ts";
 *
 * Deno.serve({ port: 5000 }, createRegistry());
 * ```
 */
export function createRegistry(options: RegistryOptions = {}): Registry {
  const resolved: ResolvedOptions = {
    storage: options.storage ?? new FileStorage("./registry-data"),
    auth: options.auth ?? allowAll(),
    hooks: options.hooks ?? {},
    log: options.log ?? silent,
    readOnly: options.readOnly ?? false,
    deleteEnabled: options.deleteEnabled ?? true,
    maxManifestSize: options.maxManifestSize ?? 4 * 1024 * 1024,
    maxPageSize: options.maxPageSize ?? 1000,
    maxConcurrentUploads: options.maxConcurrentUploads ?? 256,
    maxConcurrentUploadsPerClient: options.maxConcurrentUploadsPerClient ??
      32,
    clientKey: options.clientKey ?? (() => undefined),
  };
  const state: InstanceState = {
    manifests: new ManifestCache(),
    uploadHashes: new UploadHashes(),
    uploadLimits: new UploadLimits(
      resolved.maxConcurrentUploads,
      resolved.maxConcurrentUploadsPerClient,
    ),
  };
  const fetch = (request: Request) => serve(resolved, state, request);
  return Object.assign(fetch, { fetch });
}

async function serve(
  options: ResolvedOptions,
  state: InstanceState,
  request: Request,
): Promise<Response> {
  const started = performance.now();
  const url = new URL(request.url);
  const ctx: Context = {
    request,
    url,
    options,
    identity: undefined,
    requestId: requestIdOf(request),
    state,
  };

  let response: Response;
  try {
    response = await route(ctx, url.pathname);
  } catch (error) {
    response = errorResponse(ctx, error);
  }

  response.headers.set("Docker-Distribution-API-Version", apiVersion);
  response.headers.set("X-Request-Id", ctx.requestId);
  log(ctx, {
    level: response.status >= 500 ? "error" : "info",
    msg: "request",
    method: request.method,
    path: url.pathname,
    status: response.status,
    bytesIn: Number(request.headers.get("Content-Length") ?? 0),
    bytesOut: Number(response.headers.get("Content-Length") ?? 0),
    durationMs: Math.round((performance.now() - started) * 10) / 10,
    ...(ctx.identity ? { user: ctx.identity.name } : {}),
  });
  return response;
}

async function route(ctx: Context, path: string): Promise<Response> {
  const auth: Auth = ctx.options.auth;
  const matched = matchRoute(path);
  if (!matched) {
    const answer = await auth.handle?.(ctx.request);
    if (answer) return answer;
    throw new RegistryError("UNSUPPORTED", `no API route at '${path}'`, {
      status: 404,
    });
  }

  ctx.identity = await auth.authenticate(ctx.request);
  return await dispatch(ctx, decodeRoute(matched));
}

function dispatch(ctx: Context, route: Route): Promise<Response> {
  switch (route.kind) {
    case "base":
      return base(ctx);
    case "catalog":
      return handleCatalog(ctx);
  }

  const name = parseRepositoryName(route.name);
  switch (route.kind) {
    case "tags":
      return handleTags(ctx, name);
    case "manifest":
      return handleManifest(ctx, name, route.reference);
    case "blob":
      return handleBlob(ctx, name, route.digest);
    case "uploads":
      return handleUploads(ctx, name);
    case "upload":
      return handleUpload(ctx, name, route.id);
    case "referrers":
      return handleReferrers(ctx, name, route.digest);
  }
}

/** `GET /v2/`: tells clients this is a registry, and whether to log in. */
async function base(ctx: Context): Promise<Response> {
  const method = ctx.request.method;
  if (method !== "GET" && method !== "HEAD") {
    throw new RegistryError("UNSUPPORTED", `${method} is not supported here`);
  }
  if (ctx.identity === undefined && ctx.options.auth.anonymousBase === false) {
    // No scope: logging in is all the base endpoint asks for.
    await refuse(ctx);
  }
  return method === "HEAD" ? empty(200) : json({});
}

/** Path parameters arrive percent-encoded; some clients encode the `:` of
 * a digest. They are decoded here and validated by each handler. */
function decodeRoute(route: Route): Route {
  try {
    const decoded = { ...route } as Record<string, string>;
    for (const key of ["name", "reference", "digest", "id"]) {
      if (key in decoded) decoded[key] = decodeURIComponent(decoded[key]);
    }
    return decoded as unknown as Route;
  } catch {
    throw new RegistryError(
      "NAME_INVALID",
      "malformed percent-encoding in path",
    );
  }
}

function errorResponse(ctx: Context, error: unknown): Response {
  if (error instanceof RegistryError) {
    return error.toResponse(ctx.request.method);
  }
  log(ctx, {
    level: "error",
    msg: "internal error",
    error: error instanceof Error
      ? (error.stack ?? error.message)
      : String(error),
  });
  return new RegistryError("UNKNOWN", "internal error").toResponse(
    ctx.request.method,
  );
}

/** Keeps a caller's request id when it is short and plain, so logs of a
 * proxy and the registry line up; otherwise makes one. */
function requestIdOf(request: Request): string {
  const given = request.headers.get("X-Request-Id");
  if (given && /^[A-Za-z0-9._-]{1,64}$/.test(given)) return given;
  return crypto.randomUUID();
}
