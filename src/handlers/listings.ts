/**
 * The listing routes: the tags of a repository, the catalog of
 * repositories, and the referrers of a manifest. Lists are sorted by code
 * unit and paged with `n` and `last`; a `Link` header points at the next
 * page only when more remain.
 *
 * @module
 */

import { listReferrers } from "../content/referrers.ts";
import {
  listRepositories,
  listTags,
  page,
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

  const { n, last } = pageParams(ctx);
  const { items, more } = page(tags, n, last);
  const headers = nextLink(ctx, `/v2/${repository}/tags/list`, n, items, more);
  return json({ name: repository, tags: items }, headers);
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

  const { n, last } = pageParams(ctx);
  const { items, more } = page(visible, n, last);
  const headers = nextLink(ctx, "/v2/_catalog", n, items, more);
  return json({ repositories: items }, headers);
}

/** Serves `GET /v2/<name>/referrers/<digest>`. */
export async function handleReferrers(
  ctx: Context,
  repository: string,
  rawDigest: string,
): Promise<Response> {
  requireRead(ctx);
  await requireAccess(ctx, repository, ["pull"]);
  const subject = parseDigest(rawDigest);
  const artifactType = ctx.url.searchParams.get("artifactType") ?? undefined;
  const manifests = await listReferrers(
    ctx.options.storage,
    repository,
    subject,
    artifactType,
  );

  const headers = new Headers({ "Content-Type": ociIndex });
  if (artifactType !== undefined) {
    headers.set("OCI-Filters-Applied", "artifactType");
  }
  return json({ schemaVersion: 2, mediaType: ociIndex, manifests }, headers);
}

function requireRead(ctx: Context): void {
  if (ctx.request.method !== "GET" && ctx.request.method !== "HEAD") {
    methodNotAllowed(ctx);
  }
}

function pageParams(ctx: Context): { n: number; last: string | undefined } {
  const params = ctx.url.searchParams;
  const max = ctx.options.maxPageSize;
  const raw = params.get("n");
  const n = raw === null || raw === "" ? max : Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RegistryError("UNSUPPORTED", `invalid page size n='${raw}'`, {
      status: 400,
    });
  }
  return { n: Math.min(n, max), last: params.get("last") ?? undefined };
}

function nextLink(
  ctx: Context,
  path: string,
  n: number,
  items: string[],
  more: boolean,
): Headers {
  const headers = new Headers();
  if (more && items.length > 0) {
    const query = new URLSearchParams({ n: String(n), last: items.at(-1)! });
    headers.set("Link", `<${path}?${query}>; rel="next"`);
  }
  return headers;
}
