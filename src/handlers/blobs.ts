/**
 * `HEAD`, `GET` and `DELETE` of `/v2/<name>/blobs/<digest>`. Reads stream
 * from storage and honour a single byte range.
 *
 * @module
 */

import { blobSize, readBlob, unlinkBlob } from "../content/blobs.ts";
import { RegistryError } from "../protocol/errors.ts";
import { parseDigest } from "../protocol/names.ts";
import { parseRange } from "../protocol/range.ts";
import {
  type Context,
  empty,
  log,
  methodNotAllowed,
  requireAccess,
  requireDeletable,
  runHook,
} from "./context.ts";

/** Serves a blob route. */
export async function handleBlob(
  ctx: Context,
  repository: string,
  rawDigest: string,
): Promise<Response> {
  const method = ctx.request.method;
  if (method === "DELETE") return await deleteBlob(ctx, repository, rawDigest);
  if (method !== "GET" && method !== "HEAD") methodNotAllowed(ctx);

  // A client that may only push still checks which blobs exist before it
  // uploads them, so existence checks are open to pushers too.
  await requireAccess(
    ctx,
    repository,
    method === "HEAD" ? ["pull", "push"] : ["pull"],
  );
  const digest = parseDigest(rawDigest);
  const storage = ctx.options.storage;
  const size = await blobSize(storage, repository, digest);
  if (size === undefined) throw unknownBlob(digest.value);

  const headers = new Headers({
    "Content-Type": "application/octet-stream",
    "Docker-Content-Digest": digest.value,
    "ETag": `"${digest.value}"`,
    "Accept-Ranges": "bytes",
    "Cache-Control": "max-age=31536000",
  });
  const rangeHeader = ctx.request.headers.get("Range");
  const range = parseRange(rangeHeader, size);
  if (range === null) {
    // RFC 9110 asks for the representation's size in a 416; the error code
    // is the specification's nearest, as it defines none for ranges.
    throw new RegistryError(
      "SIZE_INVALID",
      `range '${rangeHeader}' is outside the blob's ${size} bytes`,
      {
        status: 416,
        headers: {
          "Content-Range": `bytes */${size}`,
          "Accept-Ranges": "bytes",
        },
      },
    );
  }
  const length = range ? range.end - range.start + 1 : size;
  headers.set("Content-Length", String(length));
  if (range) {
    headers.set("Content-Range", `bytes ${range.start}-${range.end}/${size}`);
  }
  const status = range ? 206 : 200;
  if (method === "HEAD") return empty(status, headers);

  const body = await readBlob(storage, digest, range);
  if (!body) throw unknownBlob(digest.value);
  return new Response(body, { status, headers });
}

async function deleteBlob(
  ctx: Context,
  repository: string,
  rawDigest: string,
): Promise<Response> {
  requireDeletable(ctx);
  await requireAccess(ctx, repository, ["delete"]);
  const digest = parseDigest(rawDigest);
  if (!(await unlinkBlob(ctx.options.storage, repository, digest))) {
    throw unknownBlob(digest.value);
  }
  log(ctx, {
    level: "info",
    msg: "blob deleted",
    repository,
    digest: digest.value,
  });
  await runHook(ctx, "onDeleted", {
    repository,
    kind: "blob",
    reference: digest.value,
  });
  return empty(202, { "Content-Length": "0" });
}

function unknownBlob(digest: string): RegistryError {
  return new RegistryError(
    "BLOB_UNKNOWN",
    `blob ${digest} is not in the repository`,
    {
      detail: { digest },
    },
  );
}
