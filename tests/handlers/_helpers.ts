/**
 * Shared setup for the handler tests: a registry over a fresh
 * `MemoryStorage`, called through its `fetch` handler exactly as a server
 * would, and the pushes most tests start from (a blob, an image). Digests
 * are computed here with `node:crypto`, independently of the code under
 * test.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createRegistry, type Registry } from "../../src/registry.ts";
import type { RegistryOptions } from "../../src/options.ts";
import { MemoryStorage } from "../../src/storage/memory.ts";
import type { Storage } from "../../src/storage/types.ts";

/** Media types the tests push. */
export const types = {
  manifest: "application/vnd.oci.image.manifest.v1+json",
  index: "application/vnd.oci.image.index.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layer: "application/vnd.oci.image.layer.v1.tar+gzip",
  empty: "application/vnd.oci.empty.v1+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  dockerLayer: "application/vnd.docker.image.rootfs.diff.tar.gzip",
} as const;

/** A registry under test and the storage behind it. */
export interface TestRegistry {
  registry: Registry;
  storage: MemoryStorage;
  /** Sends one request to the registry's `fetch` handler. */
  send(method: string, path: string, init?: SendInit): Promise<Response>;
}

/** Body and headers of a request. */
export interface SendInit {
  body?: BodyInit;
  headers?: HeadersInit;
}

/** A registry over a fresh (or the given) `MemoryStorage`. */
export function testRegistry(
  options: RegistryOptions & { storage?: MemoryStorage } = {},
): TestRegistry {
  const storage = options.storage ?? new MemoryStorage();
  const registry = createRegistry({ ...options, storage });
  return {
    registry,
    storage,
    send: (method, path, init = {}) =>
      registry.fetch(
        new Request(`http://registry.test${path}`, { method, ...init }),
      ),
  };
}

/** UTF-8 bytes of `text`. */
export function bytes(text: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(text);
}

/** The digest of `content`, computed independently of the registry. */
export function digestOf(
  content: Uint8Array | string,
  algorithm: "sha256" | "sha512" = "sha256",
): string {
  const data = typeof content === "string" ? bytes(content) : content;
  return `${algorithm}:${createHash(algorithm).update(data).digest("hex")}`;
}

/** The `code` of the first error in an OCI error body. */
export async function errorCode(response: Response): Promise<string> {
  const body = await response.json();
  assert.ok(Array.isArray(body.errors), "error body has an errors array");
  return body.errors[0].code;
}

/** Asserts a response's status and OCI error code. */
export async function assertError(
  response: Response,
  status: number,
  code: string,
): Promise<void> {
  assert.equal(response.status, status);
  assert.equal(await errorCode(response), code);
}

/** A pushed blob's descriptor. */
export interface Pushed {
  digest: string;
  size: number;
  content: Uint8Array<ArrayBuffer>;
}

/** Pushes a blob monolithically with `POST ?digest=`. */
export async function pushBlob(
  t: TestRegistry,
  repository: string,
  content: Uint8Array<ArrayBuffer> | string,
  algorithm: "sha256" | "sha512" = "sha256",
): Promise<Pushed> {
  const data = typeof content === "string" ? bytes(content) : content;
  const digest = digestOf(data, algorithm);
  const response = await t.send(
    "POST",
    `/v2/${repository}/blobs/uploads/?digest=${digest}`,
    { body: data, headers: { "Content-Type": "application/octet-stream" } },
  );
  assert.equal(response.status, 201, `pushing blob ${digest}`);
  return { digest, size: data.byteLength, content: data };
}

/** Starts an upload session and returns its location. */
export async function startUpload(
  t: TestRegistry,
  repository: string,
): Promise<string> {
  const response = await t.send("POST", `/v2/${repository}/blobs/uploads/`);
  assert.equal(response.status, 202);
  const location = response.headers.get("Location");
  assert.ok(location, "session has a Location");
  return location;
}

/** A descriptor as manifests hold it. */
export function descriptor(
  mediaType: string,
  pushed: { digest: string; size: number },
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { mediaType, digest: pushed.digest, size: pushed.size, ...extra };
}

/** A pushed manifest. */
export interface PushedManifest {
  digest: string;
  size: number;
  bytes: Uint8Array<ArrayBuffer>;
  mediaType: string;
  response: Response;
}

/** Pushes manifest `body` (an object, serialized here) to `reference`. */
export async function pushManifest(
  t: TestRegistry,
  repository: string,
  reference: string,
  body: Record<string, unknown> | Uint8Array<ArrayBuffer>,
  mediaType: string = types.manifest,
): Promise<PushedManifest> {
  const data = body instanceof Uint8Array
    ? body
    : bytes(JSON.stringify(body, null, 2));
  const response = await t.send(
    "PUT",
    `/v2/${repository}/manifests/${reference}`,
    { body: data, headers: { "Content-Type": mediaType } },
  );
  return {
    digest: digestOf(data),
    size: data.byteLength,
    bytes: data,
    mediaType,
    response,
  };
}

/** What `pushImage` pushes. */
export interface ImageOptions {
  /** Tag or digest to push to; the manifest's digest when absent. */
  reference?: string;
  /** Layer contents; one small layer by default. */
  layers?: string[];
  /** Extra top-level manifest fields, such as `subject`. */
  fields?: Record<string, unknown>;
  /** Config media type (an artifact's type). */
  configType?: string;
}

/** Pushes a config, layers and an OCI image manifest; asserts 201. */
export async function pushImage(
  t: TestRegistry,
  repository: string,
  options: ImageOptions = {},
): Promise<PushedManifest & { manifest: Record<string, unknown> }> {
  const unique = crypto.randomUUID();
  const config = await pushBlob(
    t,
    repository,
    JSON.stringify({ architecture: "amd64", os: "linux", unique }),
  );
  const layers = [];
  for (const layer of options.layers ?? [`layer ${unique}`]) {
    layers.push(descriptor(types.layer, await pushBlob(t, repository, layer)));
  }
  const manifest = {
    schemaVersion: 2,
    mediaType: types.manifest,
    config: descriptor(options.configType ?? types.config, config),
    layers,
    ...options.fields,
  };
  const data = bytes(JSON.stringify(manifest, null, 2));
  const pushed = await pushManifest(
    t,
    repository,
    options.reference ?? digestOf(data),
    data,
  );
  assert.equal(pushed.response.status, 201, "pushing image manifest");
  return { ...pushed, manifest };
}

/** Every key in `storage`, sorted; for checking that nothing was stored. */
export async function allKeys(storage: Storage): Promise<string[]> {
  const keys: string[] = [];
  const walk = async (prefix: string): Promise<void> => {
    for (const entry of await storage.list(prefix)) {
      if (entry.prefix) await walk(`${prefix}${entry.name}/`);
      else keys.push(`${prefix}${entry.name}`);
    }
  };
  await walk("");
  return keys.sort();
}
