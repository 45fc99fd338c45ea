/**
 * Blob uploads: `POST /v2/<name>/blobs/uploads/` (a session, a monolithic
 * upload with `?digest=`, or a cross-repository mount), and `GET`,
 * `PATCH`, `PUT` and `DELETE` of a session. Bodies stream into storage
 * while they are hashed; a blob becomes visible only once its digest is
 * checked.
 *
 * @module
 */

import {
  appendUpload,
  cancelUpload,
  completeUpload,
  createUpload,
  outOfOrder,
  uploadSize,
} from "../content/uploads.ts";
import { RegistryError } from "../protocol/errors.ts";
import { type Digest, parseDigest } from "../protocol/names.ts";
import { parseContentRange, uploadRange } from "../protocol/range.ts";
import {
  type Context,
  empty,
  log,
  methodNotAllowed,
  requireAccess,
  requireWritable,
  runHook,
} from "./context.ts";
import { tryMount } from "./mount.ts";
import { receiving } from "./upload_limits.ts";

/** Serves `POST /v2/<name>/blobs/uploads/`. */
export async function handleUploads(
  ctx: Context,
  repository: string,
): Promise<Response> {
  if (ctx.request.method !== "POST") methodNotAllowed(ctx);
  requireWritable(ctx);
  await requireAccess(ctx, repository, ["push"]);
  const params = ctx.url.searchParams;

  const mount = params.get("mount");
  if (mount !== null) {
    const mounted = await tryMount(ctx, repository, mount, params.get("from"));
    if (mounted) return empty(201, blobHeaders(repository, mounted));
  }

  const digestParam = params.get("digest");
  const digest = digestParam === null ? undefined : parseDigest(digestParam);
  if (!digest) {
    const id = await createUpload(ctx.options.storage, repository);
    return empty(202, sessionHeaders(repository, id, 0));
  }

  // The session is made inside the slot, so a refused upload leaves
  // nothing behind.
  const body = ctx.request.body;
  const id = await receiving(ctx, async () => {
    const id = await createUpload(ctx.options.storage, repository);
    if (body) {
      await appendUpload(
        ctx.options.storage,
        ctx.state.uploadHashes,
        id,
        0,
        body,
        digest.algorithm,
      );
    }
    return id;
  });
  return await finish(ctx, repository, id, digest, true);
}

/** Serves `GET`, `PATCH`, `PUT` and `DELETE` of an upload session. */
export async function handleUpload(
  ctx: Context,
  repository: string,
  id: string,
): Promise<Response> {
  const method = ctx.request.method;
  if (!["GET", "PATCH", "PUT", "DELETE"].includes(method)) {
    methodNotAllowed(ctx);
  }
  if (method !== "GET") requireWritable(ctx);
  await requireAccess(ctx, repository, ["push"]);
  const storage = ctx.options.storage;
  const size = await uploadSize(storage, repository, id);

  if (method === "GET") {
    return empty(204, sessionHeaders(repository, id, size));
  }
  if (method === "DELETE") {
    await cancelUpload(storage, ctx.state.uploadHashes, id);
    log(ctx, {
      level: "info",
      msg: "upload cancelled",
      repository,
      upload: id,
    });
    return empty(204, { "Content-Length": "0" });
  }
  if (method === "PATCH") {
    const total = await receiveChunk(ctx, repository, id, size);
    return empty(202, sessionHeaders(repository, id, total));
  }

  // PUT closes the session, with the final chunk or without one. The
  // digest is checked first, so a malformed one leaves the session as is.
  const digest = parseDigest(ctx.url.searchParams.get("digest") ?? "");
  if (ctx.request.body) await receiveChunk(ctx, repository, id, size);
  return await finish(ctx, repository, id, digest);
}

/**
 * Appends the request body to the session. A `Content-Range` must start
 * where the session ends, and agree with `Content-Length` when both are
 * given; a chunk that does not is refused with 416 and changes nothing.
 * Without `Content-Range` the body simply follows on (a streamed upload).
 */
async function receiveChunk(
  ctx: Context,
  repository: string,
  id: string,
  size: number,
): Promise<number> {
  const headers = ctx.request.headers;
  const header = headers.get("Content-Range");
  const range = parseContentRange(header);
  if (range === null) {
    throw new RegistryError(
      "BLOB_UPLOAD_INVALID",
      `malformed Content-Range '${header}'`,
    );
  }
  try {
    if (range && range.start !== size) throw outOfOrder(range.start, size);
    const declared = headers.get("Content-Length");
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
    const body = ctx.request.body;
    if (!body) return size;
    return await receiving(
      ctx,
      () =>
        appendUpload(
          ctx.options.storage,
          ctx.state.uploadHashes,
          id,
          size,
          body,
        ),
    );
  } catch (error) {
    // A client that lost track of the session learns where to go on.
    if (error instanceof RegistryError && error.status === 416) {
      error.headers.set("Location", sessionLocation(repository, id));
    }
    throw error;
  }
}

/** Completes a session; `exclusive` when its id never left this request. */
async function finish(
  ctx: Context,
  repository: string,
  id: string,
  digest: Digest,
  exclusive = false,
): Promise<Response> {
  const size = await completeUpload(
    ctx.options.storage,
    ctx.state.uploadHashes,
    repository,
    id,
    digest,
    exclusive,
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

function sessionLocation(repository: string, id: string): string {
  return `/v2/${repository}/blobs/uploads/${id}`;
}

function sessionHeaders(
  repository: string,
  id: string,
  size: number,
): HeadersInit {
  return {
    "Location": sessionLocation(repository, id),
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
