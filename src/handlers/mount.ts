/**
 * Cross-repository blob mounts: `POST /v2/<name>/blobs/uploads/?mount=`
 * links a blob another repository holds instead of receiving it again.
 * Any reason not to mount (no read access to the source, no such blob, a
 * malformed parameter) falls back to an ordinary upload session, as the
 * specification asks and clients expect, never to an error.
 *
 * @module
 */

import { blobExists, blobSize, linkBlob } from "../content/blobs.ts";
import { listRepositories } from "../content/tags.ts";
import type { Digest } from "../protocol/names.ts";
import { isRepositoryName, parseDigest } from "../protocol/names.ts";
import { type Context, log, permissionsOn, runHook } from "./context.ts";

/**
 * Mounts `rawDigest` into `repository` from `from`, or from any
 * repository the caller may read when `from` is absent. Resolves to the
 * mounted digest, or `undefined` when the caller should get a session.
 */
export async function tryMount(
  ctx: Context,
  repository: string,
  rawDigest: string,
  from: string | null,
): Promise<Digest | undefined> {
  let digest: Digest;
  try {
    digest = parseDigest(rawDigest);
  } catch {
    return undefined;
  }
  const storage = ctx.options.storage;
  const source = from ?? await findReadableSource(ctx, digest);
  if (!source || !isRepositoryName(source)) return undefined;
  if (!(await permissionsOn(ctx, source)).has("pull")) return undefined;
  const size = await blobSize(storage, source, digest);
  if (size === undefined) return undefined;

  await linkBlob(storage, repository, digest);
  log(ctx, {
    level: "info",
    msg: "blob mounted",
    repository,
    from: source,
    digest: digest.value,
  });
  await runHook(ctx, "onBlobPushed", {
    repository,
    digest: digest.value,
    size,
  });
  return digest;
}

/**
 * For a mount that names no source: a repository the caller may read that
 * holds the blob. This walks the repository list, so it is only tried for
 * blobs the store holds at all.
 */
async function findReadableSource(
  ctx: Context,
  digest: Digest,
): Promise<string | undefined> {
  const storage = ctx.options.storage;
  if (!(await blobExists(storage, digest))) return undefined;
  for (const name of await listRepositories(storage)) {
    if (await blobSize(storage, name, digest) === undefined) continue;
    if ((await permissionsOn(ctx, name)).has("pull")) return name;
  }
  return undefined;
}
