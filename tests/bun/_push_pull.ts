/**
 * Runs under Bun: serves the registry with `Bun.serve` and the in-memory
 * store, pushes an image over loopback with `fetch`, pulls it back, and
 * prints one JSON line with what it saw. It imports the modules that an
 * embedding app uses, none of which may need the `Deno` namespace.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { createRegistry } from "../../src/registry.ts";
import { MemoryStorage } from "../../src/storage/memory.ts";

declare const Bun: {
  serve(options: {
    port: number;
    hostname: string;
    fetch: (request: Request) => Promise<Response>;
  }): { port: number; stop(): void };
};

const registry = createRegistry({ storage: new MemoryStorage() });
const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: registry });
const base = `http://127.0.0.1:${server.port}`;

const sha256 = (bytes: Uint8Array) =>
  `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

async function pushBlob(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = sha256(bytes);
  const start = await fetch(`${base}/v2/bun/test/blobs/uploads/`, {
    method: "POST",
  });
  const location = start.headers.get("Location")!;
  await fetch(`${base}${location}`, { method: "PATCH", body: bytes });
  const done = await fetch(`${base}${location}?digest=${digest}`, {
    method: "PUT",
  });
  if (done.status !== 201) throw new Error(`blob push: ${done.status}`);
  return digest;
}

const layer = crypto.getRandomValues(new Uint8Array(100_000));
const config = new TextEncoder().encode('{"architecture":"amd64"}');
const manifest = JSON.stringify({
  schemaVersion: 2,
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  config: {
    mediaType: "application/vnd.oci.image.config.v1+json",
    digest: await pushBlob(config),
    size: config.byteLength,
  },
  layers: [{
    mediaType: "application/vnd.oci.image.layer.v1.tar",
    digest: await pushBlob(layer),
    size: layer.byteLength,
  }],
});
const put = await fetch(`${base}/v2/bun/test/manifests/v1`, {
  method: "PUT",
  headers: { "Content-Type": "application/vnd.oci.image.manifest.v1+json" },
  body: manifest,
});

const pulled = await fetch(`${base}/v2/bun/test/manifests/v1`);
const pulledManifest = await pulled.text();
const layerDigest = JSON.parse(pulledManifest).layers[0].digest;
const blob = await fetch(`${base}/v2/bun/test/blobs/${layerDigest}`);
const pulledLayer = new Uint8Array(await blob.arrayBuffer());

console.log(JSON.stringify({
  manifestPush: put.status,
  manifestSame: pulledManifest === manifest,
  digestHeader: pulled.headers.get("Docker-Content-Digest") ===
    sha256(new TextEncoder().encode(manifest)),
  layerSame: sha256(pulledLayer) === sha256(layer),
}));
server.stop();
