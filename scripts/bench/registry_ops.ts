/**
 * @module
 * The registry operations the scenarios time, written once against the OCI
 * Distribution API so both registries get byte-for-byte the same requests:
 * upload start, monolithic and chunked blob pushes, blob pulls, manifest
 * pushes. Large bodies go through curl (`-T` streams from the file) or the
 * raw HTTP client; every operation checks the status the spec requires and
 * throws when it differs, so a fast wrong answer never counts as a result.
 */

import type { BlobFile, SmallBlob } from "./blobs.ts";
import { sha256 } from "./blobs.ts";
import { HttpConnection } from "./http_client.ts";
import { runCommand } from "./process.ts";
import type { RunningServer } from "./servers.ts";

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";

/** Opens a kept-alive connection to a server. */
export function connect(server: RunningServer): HttpConnection {
  return new HttpConnection(server.host, server.port);
}

/** Starts an upload session; returns its Location as path and query. */
export async function startUpload(
  client: HttpConnection,
  repository: string,
): Promise<string> {
  const response = await client.request(
    "POST",
    `/v2/${repository}/blobs/uploads/`,
  );
  expectStatus(response.status, 202, "POST upload");
  return locationOf(response.headers);
}

/**
 * Pushes a file as one PUT after an upload POST, the way most clients push
 * small layers; curl streams the body from disk.
 *
 * @returns milliseconds from the POST to the PUT's answer.
 */
export async function pushMonolithic(
  server: RunningServer,
  repository: string,
  blob: BlobFile,
): Promise<number> {
  const start = performance.now();
  const client = connect(server);
  const location = await startUpload(client, repository);
  client.close();
  const url = server.baseUrl + withDigest(location, blob.digest);
  // An empty Expect header stops curl from waiting for 100 Continue.
  const result = await runCommand("curl", [
    "-sS",
    "-o",
    "/dev/null",
    "-w",
    "%{http_code}",
    "-H",
    "Expect:",
    "-H",
    "Content-Type: application/octet-stream",
    "-T",
    blob.path,
    url,
  ], 600_000);
  const elapsed = performance.now() - start;
  expectStatus(Number(result.stdout), 201, `PUT blob (${result.stderr})`);
  return elapsed;
}

/**
 * Pushes a file in `chunkSize` PATCHes with Content-Range, following each
 * Location, then closes the session with an empty PUT.
 *
 * @returns milliseconds from the POST to the PUT's answer.
 */
export async function pushChunked(
  server: RunningServer,
  repository: string,
  blob: BlobFile,
  chunkSize: number,
): Promise<number> {
  const file = await Deno.open(blob.path);
  const client = connect(server);
  const buffer = new Uint8Array(Math.min(chunkSize, 1 << 20));
  try {
    const start = performance.now();
    let location = await startUpload(client, repository);
    for (let offset = 0; offset < blob.size; offset += chunkSize) {
      const length = Math.min(chunkSize, blob.size - offset);
      const response = await client.request("PATCH", location, {
        "Content-Type": "application/octet-stream",
        "Content-Range": `${offset}-${offset + length - 1}`,
      }, { file, offset, length, buffer });
      expectStatus(response.status, 202, `PATCH at ${offset}`);
      location = locationOf(response.headers);
    }
    const done = await client.request("PUT", withDigest(location, blob.digest));
    expectStatus(done.status, 201, "closing PUT");
    return performance.now() - start;
  } finally {
    client.close();
    file.close();
  }
}

/** Pushes one in-memory blob with POST then PUT on `client`. */
export async function pushSmall(
  client: HttpConnection,
  repository: string,
  blob: SmallBlob,
): Promise<void> {
  const location = await startUpload(client, repository);
  const response = await client.request(
    "PUT",
    withDigest(location, blob.digest),
    { "Content-Type": "application/octet-stream" },
    blob.bytes,
  );
  expectStatus(response.status, 201, "PUT blob");
}

/**
 * Pulls a blob with curl into /dev/null.
 *
 * @returns milliseconds for the whole download.
 */
export async function pullBlob(
  server: RunningServer,
  repository: string,
  blob: { digest: string; size: number },
): Promise<number> {
  const url = `${server.baseUrl}/v2/${repository}/blobs/${blob.digest}`;
  const result = await runCommand("curl", [
    "-sS",
    "-o",
    "/dev/null",
    "-w",
    "%{http_code} %{size_download}",
    url,
  ], 600_000);
  const [status, size] = result.stdout.split(" ").map(Number);
  expectStatus(status, 200, `GET blob (${result.stderr})`);
  if (size !== blob.size) {
    throw new Error(`GET blob returned ${size} bytes, expected ${blob.size}`);
  }
  return result.elapsedMs;
}

/** An image pushed for the read scenarios. */
export interface PushedImage {
  /** The manifest's bytes, reusable under more tags. */
  manifest: Uint8Array;
  /** The manifest's digest. */
  manifestDigest: string;
  /** The layer blob's digest. */
  layerDigest: string;
}

/** Pushes a config, a layer and an OCI image manifest tagged `tag`. */
export async function pushImage(
  server: RunningServer,
  repository: string,
  tag: string,
  layer: SmallBlob,
): Promise<PushedImage> {
  const client = connect(server);
  try {
    const config = new TextEncoder().encode(
      JSON.stringify({ architecture: "amd64", os: "linux", rootfs: {} }),
    );
    const configBlob = { bytes: config, digest: sha256(config) };
    await pushSmall(client, repository, configBlob);
    await pushSmall(client, repository, layer);
    const manifest = new TextEncoder().encode(JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: {
        mediaType: OCI_CONFIG,
        digest: configBlob.digest,
        size: config.length,
      },
      layers: [{
        mediaType: OCI_LAYER,
        digest: layer.digest,
        size: layer.bytes.length,
      }],
    }));
    await putManifest(client, repository, tag, manifest);
    return {
      manifest,
      manifestDigest: sha256(manifest),
      layerDigest: layer.digest,
    };
  } finally {
    client.close();
  }
}

/** Stores `manifest` under `tag`. */
export async function putManifest(
  client: HttpConnection,
  repository: string,
  tag: string,
  manifest: Uint8Array,
): Promise<void> {
  const response = await client.request(
    "PUT",
    `/v2/${repository}/manifests/${tag}`,
    { "Content-Type": OCI_MANIFEST },
    manifest,
  );
  expectStatus(response.status, 201, `PUT manifest ${tag}`);
}

/** The Accept header manifest readers send. */
export const MANIFEST_ACCEPT = OCI_MANIFEST;

function locationOf(headers: Headers): string {
  const location = headers.get("location");
  if (!location) throw new Error("response has no Location header");
  const url = new URL(location.trim(), "http://127.0.0.1");
  return url.pathname + url.search;
}

function withDigest(location: string, digest: string): string {
  const separator = location.includes("?") ? "&" : "?";
  return `${location}${separator}digest=${encodeURIComponent(digest)}`;
}

function expectStatus(actual: number, expected: number, what: string): void {
  if (actual !== expected) {
    throw new Error(`${what}: status ${actual}, expected ${expected}`);
  }
}
