/**
 * `GET`, `HEAD`, `PUT` and `DELETE` of `/v2/<name>/manifests/<reference>`.
 * Manifests are served byte for byte with the media type they were pushed
 * with, whatever the `Accept` header says: rewriting content would change
 * its digest, and answering 404 instead breaks clients.
 *
 * @module
 */

import {
  deleteManifest,
  deleteTag,
  getManifest,
  putManifest,
} from "../content/manifests.ts";
import { concatBytes } from "../bytes.ts";
import { RegistryError } from "../protocol/errors.ts";
import { isTag, parseReference, type Reference } from "../protocol/names.ts";
import {
  type Context,
  empty,
  log,
  methodNotAllowed,
  requireAccess,
  requireDeletable,
  requireWritable,
  runHook,
} from "./context.ts";

/** Serves a manifest route. */
export async function handleManifest(
  ctx: Context,
  repository: string,
  rawReference: string,
): Promise<Response> {
  switch (ctx.request.method) {
    case "GET":
    case "HEAD":
      return await serveManifest(ctx, repository, rawReference);
    case "PUT":
      return await pushManifest(ctx, repository, rawReference);
    case "DELETE":
      return await removeManifest(ctx, repository, rawReference);
  }
  return methodNotAllowed(ctx);
}

async function serveManifest(
  ctx: Context,
  repository: string,
  rawReference: string,
): Promise<Response> {
  // Clients check whether a manifest exists before pushing it.
  const head = ctx.request.method === "HEAD";
  await requireAccess(ctx, repository, head ? ["pull", "push"] : ["pull"]);
  const reference = lookupReference(rawReference);
  const manifest = reference &&
    await getManifest(
      ctx.options.storage,
      ctx.state.manifests,
      repository,
      reference,
    );
  if (!manifest) throw unknownManifest(repository, rawReference);

  const headers = {
    "Content-Type": manifest.mediaType,
    "Content-Length": String(manifest.bytes.byteLength),
    "Docker-Content-Digest": manifest.digest.value,
    "ETag": `"${manifest.digest.value}"`,
  };
  return new Response(head ? null : manifest.bytes, { headers });
}

async function pushManifest(
  ctx: Context,
  repository: string,
  rawReference: string,
): Promise<Response> {
  requireWritable(ctx);
  await requireAccess(ctx, repository, ["push"]);
  const reference = parseReference(rawReference);
  const bytes = await readLimited(ctx.request, ctx.options.maxManifestSize);
  const contentType = ctx.request.headers.get("Content-Type");

  const { digest, parsed } = await putManifest(
    ctx.options.storage,
    repository,
    reference,
    bytes,
    contentType,
  );
  const event = {
    repository,
    reference: rawReference,
    digest: digest.value,
    mediaType: parsed.mediaType,
    size: bytes.byteLength,
  };
  log(ctx, { level: "info", msg: "manifest pushed", ...event });
  await runHook(ctx, "onManifestPushed", event);

  const headers = new Headers({
    "Location": `/v2/${repository}/manifests/${digest.value}`,
    "Docker-Content-Digest": digest.value,
    "Content-Length": "0",
  });
  if (parsed.subject) headers.set("OCI-Subject", parsed.subject.digest.value);
  return empty(201, headers);
}

async function removeManifest(
  ctx: Context,
  repository: string,
  rawReference: string,
): Promise<Response> {
  requireDeletable(ctx);
  await requireAccess(ctx, repository, ["delete"]);
  const reference = lookupReference(rawReference);
  if (!reference) throw unknownManifest(repository, rawReference);
  const storage = ctx.options.storage;
  if (reference.kind === "tag") {
    await deleteTag(storage, repository, reference.tag);
  } else {
    await deleteManifest(storage, repository, reference.digest);
  }

  const kind = reference.kind === "tag" ? "tag" : "manifest";
  log(ctx, {
    level: "info",
    msg: `${kind} deleted`,
    repository,
    reference: rawReference,
  });
  await runHook(ctx, "onDeleted", {
    repository,
    kind,
    reference: rawReference,
  });
  return empty(202, { "Content-Length": "0" });
}

/**
 * The reference of a read or delete. A malformed tag names no manifest,
 * so it is answered as one that is not there (404), as clients and the
 * conformance suite expect; a malformed digest is still refused (400).
 */
function lookupReference(raw: string): Reference | undefined {
  if (!raw.includes(":") && !isTag(raw)) return undefined;
  return parseReference(raw);
}

function unknownManifest(
  repository: string,
  reference: string,
): RegistryError {
  return new RegistryError(
    "MANIFEST_UNKNOWN",
    `manifest '${reference.slice(0, 80)}' is not in repository '${repository}'`,
  );
}

/** Reads a request body whole, refusing it with 413 past `limit` bytes. */
async function readLimited(
  request: Request,
  limit: number,
): Promise<Uint8Array> {
  // 413 is the specification's status for this; it names no code, and
  // SIZE_INVALID is the nearest of those it does.
  const tooLarge = () =>
    new RegistryError(
      "SIZE_INVALID",
      `manifest is larger than ${limit} bytes`,
      { status: 413 },
    );
  const declared = Number(request.headers.get("Content-Length"));
  if (declared > limit) throw tooLarge();
  if (!request.body) return new Uint8Array(0);

  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body) {
    size += chunk.byteLength;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return concatBytes(chunks, size);
}
