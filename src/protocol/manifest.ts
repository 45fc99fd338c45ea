/**
 * Parsing and validation of manifest bodies. A manifest is checked here
 * before anything of it is stored: its JSON, its media type, and the form
 * of every descriptor it holds. Whether the referenced content exists is
 * the store's question, answered in `src/content/manifests.ts`.
 *
 * @module
 */

import { RegistryError } from "./errors.ts";
import {
  dockerManifest,
  imageManifestTypes,
  indexTypes,
  isForeignLayer,
  ociIndex,
  ociManifest,
} from "./media_types.ts";
import { type Digest, parseDigest } from "./names.ts";

/** A content descriptor from a manifest. */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  /** True for layers that need not be in the registry. */
  foreign: boolean;
}

/** What the registry needs to know of a manifest. */
export interface ParsedManifest {
  /** The media type the manifest is stored and served with. */
  mediaType: string;
  /** Blobs it needs: config and layers. */
  blobs: Descriptor[];
  /** Manifests it lists, for an index. */
  manifests: Descriptor[];
  /** The manifest it refers to, if any. */
  subject?: Descriptor;
  /** The artifact type shown in referrers lists. */
  artifactType?: string;
  /** Annotations shown in referrers lists. */
  annotations?: Record<string, string>;
}

/**
 * Parses `bytes` as a manifest uploaded with `contentType`, or throws
 * `MANIFEST_INVALID`.
 */
export function parseManifest(
  bytes: Uint8Array,
  contentType: string | null,
): ParsedManifest {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw invalid("manifest is not valid UTF-8 JSON");
  }
  if (!isObject(body)) throw invalid("manifest is not a JSON object");
  if (body.schemaVersion !== 2) throw invalid("schemaVersion must be 2");

  const mediaType = chooseMediaType(body, contentType);
  const parsed: ParsedManifest = { mediaType, blobs: [], manifests: [] };

  if (imageManifestTypes.has(mediaType)) {
    // Only layers may be foreign: a config is always the registry's to hold.
    parsed.blobs.push({ ...descriptor(body.config, "config"), foreign: false });
    if (!Array.isArray(body.layers)) throw invalid("layers must be an array");
    body.layers.forEach((layer, i) =>
      parsed.blobs.push(descriptor(layer, `layers[${i}]`))
    );
  }
  if (indexTypes.has(mediaType)) {
    if (!Array.isArray(body.manifests)) {
      throw invalid("manifests must be an array");
    }
    body.manifests.forEach((child, i) =>
      parsed.manifests.push(descriptor(child, `manifests[${i}]`))
    );
  }

  if (body.subject !== undefined) {
    parsed.subject = descriptor(body.subject, "subject");
  }
  if (
    body.artifactType !== undefined && typeof body.artifactType !== "string"
  ) {
    throw invalid("artifactType must be a string");
  }
  if (body.artifactType) {
    parsed.artifactType = body.artifactType as string;
  } else if (imageManifestTypes.has(mediaType)) {
    // The referrers list shows an image manifest without an artifactType
    // (or with an empty one) under its config's media type; an index
    // without one is shown without one.
    parsed.artifactType = parsed.blobs[0].mediaType;
  }
  if (isObject(body.annotations)) {
    parsed.annotations = body.annotations as Record<string, string>;
  }
  return parsed;
}

/**
 * The declared `Content-Type` wins; the body's own `mediaType` must agree
 * with it when both are given, since a client that says one thing and
 * sends another would be served a type it never pushed.
 */
function chooseMediaType(
  body: Record<string, unknown>,
  contentType: string | null,
): string {
  const declared = contentType?.split(";")[0].trim() || undefined;
  const inner = typeof body.mediaType === "string" ? body.mediaType : undefined;
  if (body.mediaType !== undefined && inner === undefined) {
    throw invalid("mediaType must be a string");
  }
  const generic = !declared || declared === "application/json" ||
    declared === "application/octet-stream";
  if (!generic && inner && inner !== declared) {
    throw invalid(`mediaType '${inner}' does not match '${declared}'`);
  }
  if (!generic) return declared!;
  if (inner) return inner;
  if (Array.isArray(body.manifests)) return ociIndex;
  if (isObject(body.config)) {
    return (body.config as { mediaType?: unknown }).mediaType ===
        "application/vnd.docker.container.image.v1+json"
      ? dockerManifest
      : ociManifest;
  }
  throw invalid("cannot tell the manifest's media type");
}

function descriptor(value: unknown, where: string): Descriptor {
  if (!isObject(value)) throw invalid(`${where} must be a descriptor object`);
  const { mediaType, digest, size, artifactType, annotations, urls } =
    value as Record<string, unknown>;
  if (typeof mediaType !== "string") {
    throw invalid(`${where}.mediaType must be a string`);
  }
  if (typeof digest !== "string") {
    throw invalid(`${where}.digest must be a string`);
  }
  if (!Number.isSafeInteger(size) || (size as number) < 0) {
    throw invalid(`${where}.size must be a non-negative integer`);
  }
  let parsedDigest: Digest;
  try {
    parsedDigest = parseDigest(digest);
  } catch {
    throw invalid(`${where}.digest '${digest}' is not a supported digest`);
  }
  return {
    mediaType,
    digest: parsedDigest,
    size: size as number,
    artifactType: typeof artifactType === "string" ? artifactType : undefined,
    annotations: isObject(annotations)
      ? annotations as Record<string, string>
      : undefined,
    foreign: isForeignLayer(mediaType, urls),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function invalid(message: string): RegistryError {
  return new RegistryError("MANIFEST_INVALID", message);
}
