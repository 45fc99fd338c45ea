/**
 * The listing routes: the tags of a repository, the catalog of
 * repositories, and the referrers of a manifest. Lists are sorted by code
 * unit and paged (see `paging.ts`); a `HEAD` gets a list's headers only.
 *
 * @module
 */

import { listReferrers, type ReferrerEntry } from "../content/referrers.ts";
import {
  listRepositories,
  listTags,
  repositoryExists,
} from "../content/tags.ts";
import { RegistryError } from "../protocol/errors.ts";
import { ociIndex } from "../protocol/media_types.ts";
import { parseDigest } from "../protocol/names.ts";
import {
  type Context,
  json,
  methodNotAllowed,
  permissionsOn,
  refuse,
  requireAccess,
} from "./context.ts";
import { nextLink, page, pageRequest } from "./paging.ts";

const itself = (name: string) => name;
const byDigest = (entry: ReferrerEntry) => entry.digest;

/** Serves `GET /v2/<name>/tags/list`. */
export async function handleTags(
  ctx: Context,
  repository: string,
): Promise<Response> {
  requireRead(ctx);
  await requireAccess(ctx, repository, ["pull"]);
  const storage = ctx.options.storage;
  const tags = await listTags(storage, repository);
  if (tags.length === 0 && !(await repositoryExists(storage, repository))) {
    throw new RegistryError(
      "NAME_UNKNOWN",
      `repository '${repository}' is not known`,
    );
  }

  const request = pageRequest(ctx);
  const result = page(tags, request, itself);
  const path = `/v2/${repository}/tags/list`;
  const headers = nextLink(path, request, result, itself);
  return json(
    { name: repository, tags: result.items },
    headers,
    200,
    ctx.request.method,
  );
}

/** Serves `GET /v2/_catalog`, listing what the caller may pull. */
export async function handleCatalog(ctx: Context): Promise<Response> {
  requireRead(ctx);
  const auth = ctx.options.auth;
  if (ctx.identity === undefined && auth.anonymousBase === false) {
    await refuse(ctx, { type: "registry", name: "catalog", actions: ["*"] });
  }
  const everything = auth.catalog ? await auth.catalog(ctx.identity) : false;
  const all = await listRepositories(ctx.options.storage);
  const visible: string[] = [];
  for (const name of all) {
    if (everything || (await permissionsOn(ctx, name)).has("pull")) {
      visible.push(name);
    }
  }

  const request = pageRequest(ctx);
  const result = page(visible, request, itself);
  const headers = nextLink("/v2/_catalog", request, result, itself);
  return json({ repositories: result.items }, headers, 200, ctx.request.method);
}

/**
 * Serves `GET /v2/<name>/referrers/<digest>`: an image index of the
 * manifests whose `subject` is the digest. A subject nothing refers to,
 * even one that was never pushed, gets an empty index rather than 404, so
 * clients know the registry answers referrers queries itself.
 */
export async function handleReferrers(
  ctx: Context,
  repository: string,
  rawDigest: string,
): Promise<Response> {
  requireRead(ctx);
  await requireAccess(ctx, repository, ["pull"]);
  const subject = parseDigest(rawDigest);
  const artifactType = ctx.url.searchParams.get("artifactType") || undefined;
  const referrers = await listReferrers(
    ctx.options.storage,
    repository,
    subject,
    artifactType,
  );

  const request = pageRequest(ctx);
  const result = page(referrers, request, byDigest);
  const path = `/v2/${repository}/referrers/${subject.value}`;
  const filter: Record<string, string> = artifactType === undefined
    ? {}
    : { artifactType };
  const headers = nextLink(path, request, result, byDigest, filter);
  headers.set("Content-Type", ociIndex);
  if (artifactType !== undefined) {
    headers.set("OCI-Filters-Applied", "artifactType");
  }
  const index = {
    schemaVersion: 2,
    mediaType: ociIndex,
    manifests: result.items,
  };
  return json(index, headers, 200, ctx.request.method);
}

function requireRead(ctx: Context): void {
  if (ctx.request.method !== "GET" && ctx.request.method !== "HEAD") {
    methodNotAllowed(ctx);
  }
}
