/**
 * Blob uploads: `POST /v2/<name>/blobs/uploads/` (a session, a monolithic
 * upload with `?digest=`, or a cross-repository mount), and `GET`,
 * `PATCH`, `PUT` and `DELETE` of a session. Bodies stream into storage
 * while they are hashed; a blob becomes visible only once its digest is
 * checked.
 *
 * @module
 */

import { blobExists, blobSize, linkBlob } from "../content/blobs.ts";
import { listRepositories } from "../content/tags.ts";
import {
  appendUpload,
  cancelUpload,
  completeUpload,
  createUpload,
  uploadSize,
} from "../content/uploads.ts";
import { RegistryError } from "../protocol/errors.ts";
import {
  type Digest,
  isRepositoryName,
  looksLikeDigest,
  parseDigest,
} from "../protocol/names.ts";
import { parseContentRange, uploadRange } from "../protocol/range.ts";
import {
  type Context,
  empty,
  log,
  methodNotAllowed,
  permissionsOn,
  requireAccess,
  requireWritable,
  runHook,
} from "./context.ts";

/** Serves `POST /v2/<name>/blobs/uploads/`. */
export async function handleUploads(
  ctx: Context,
  repository: string,
): Promise<Response> {
  if (ctx.request.method !== "POST") methodNotAllowed(ctx);
  requireWritable(ctx);
  await requireAccess(ctx, repository, ["push"]);
  const storage = ctx.options.storage;
  const params = ctx.url.searchParams;

  const mount = params.get("mount");
  if (mount !== null && looksLikeDigest(mount)) {
    const mounted = await tryMount(ctx, repository, mount, params.get("from"));
    if (mounted) return mounted;
  }

  const id = await createUpload(storage, repository);
  const digestParam = params.get("digest");
  if (digestParam !== null) {
    const digest = parseDigest(digestParam);
    if (ctx.request.body) {
      await appendUpload(storage, id, 0, ctx.request.body, digest.algorithm);
    }
    return await finish(ctx, repository, id, digest);
  }
  return empty(202, sessionHeaders(repository, id, 0));
}

/** Serves `GET`, `PATCH`, `PUT` and `DELETE` of an upload session. */
export async function handleUpload(
  ctx: Context,
  repository: string,
  id: string,
): Promise<Response> {
  const method = ctx.request.method;
  const storage = ctx.options.storage;
  if (method !== "GET") requireWritable(ctx);
  await requireAccess(ctx, repository, ["push"]);
  let size = await uploadSize(storage, repository, id);

  switch (method) {
    case "GET":
      return empty(204, sessionHeaders(repository, id, size));

    case "PATCH":
      size = await receiveChunk(ctx, id, size);
      return empty(202, sessionHeaders(repository, id, size));

    case "PUT": {
      const digest = parseDigest(ctx.url.searchParams.get("digest") ?? "");
      if (ctx.request.body) await receiveChunk(ctx, id, size);
      return await finish(ctx, repository, id, digest);
    }

    case "DELETE":
      await cancelUpload(storage, id);
      log(ctx, {
        level: "info",
        msg: "upload cancelled",
        repository,
        upload: id,
      });
      return empty(204);
  }
  return methodNotAllowed(ctx);
}

/**
 * Appends the request body to the session. A `Content-Range` must start
 * where the session ends; without one the body simply follows on.
 */
async function receiveChunk(
  ctx: Context,
  id: string,
  size: number,
): Promise<number> {
  const header = ctx.request.headers.get("Content-Range");
  const range = parseContentRange(header);
  if (range === null) {
    throw new RegistryError(
      "BLOB_UPLOAD_INVALID",
      `malformed Content-Range '${header}'`,
    );
  }
  if (range && range.start !== size) {
    throw new RegistryError(
      "BLOB_UPLOAD_INVALID",
      `chunk starts at ${range.start}, upload holds ${size} bytes`,
      { status: 416, headers: { Range: uploadRange(size) } },
    );
  }
  const declared = ctx.request.headers.get("Content-Length");
  if (
    range && declared !== null &&
    Number(declared) !== range.end - range.start + 1
  ) {
    throw new RegistryError(
      "BLOB_UPLOAD_INVALID",
      `Content-Length ${declared} does not match Content-Range '${header}'`,
      { status: 416, headers: { Range: uploadRange(size) } },
    );
  }
  if (!ctx.request.body) return size;
  return await appendUpload(ctx.options.storage, id, size, ctx.request.body);
}

async function finish(
  ctx: Context,
  repository: string,
  id: string,
  digest: Digest,
): Promise<Response> {
  const size = await completeUpload(
    ctx.options.storage,
    repository,
    id,
    digest,
  );
  log(ctx, {
    level: "info",
    msg: "blob pushed",
    repository,
    digest: digest.value,
    size,
  });
  await runHook(ctx, "onBlobPushed", {
    repository,
    digest: digest.value,
    size,
  });
  return empty(201, blobHeaders(repository, digest));
}

/**
 * Links a blob from another repository instead of receiving it again. Any
 * reason not to (no read access to `from`, no such blob) falls back to a
 * normal upload session, as clients expect, rather than an error.
 */
async function tryMount(
  ctx: Context,
  repository: string,
  rawDigest: string,
  from: string | null,
): Promise<Response | undefined> {
  let digest: Digest;
  try {
    digest = parseDigest(rawDigest);
  } catch {
    return undefined;
  }
  const storage = ctx.options.storage;
  const source = from !== null ? from : await findReadableSource(ctx, digest);
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
  return empty(201, blobHeaders(repository, digest));
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

function sessionHeaders(
  repository: string,
  id: string,
  size: number,
): HeadersInit {
  return {
    "Location": `/v2/${repository}/blobs/uploads/${id}`,
    "Range": uploadRange(size),
    "Docker-Upload-UUID": id,
    "Content-Length": "0",
  };
}

function blobHeaders(repository: string, digest: Digest): HeadersInit {
  return {
    "Location": `/v2/${repository}/blobs/${digest.value}`,
    "Docker-Content-Digest": digest.value,
    "Content-Length": "0",
  };
}
