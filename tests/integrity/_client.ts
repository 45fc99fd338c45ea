/**
 * A minimal OCI client for the integrity and maintenance tests: pushes
 * blobs (whole or in chunks), image manifests, indexes and referrers, and
 * pulls an image back checking every digest. It speaks to anything with a
 * `fetch` shape, so the same code drives the in-process handler and a
 * server process over loopback.
 *
 * @module
 */

import { createHash } from "node:crypto";

/** Anything that answers requests: a registry handler or `fetch`. */
export type Fetch = (request: Request) => Promise<Response>;

/** A content descriptor, as manifests hold them. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

/** A pushed image: its manifest and the blobs it needs. */
export interface PushedImage {
  manifest: Descriptor;
  config: Descriptor;
  layers: Descriptor[];
}

export const ociManifest = "application/vnd.oci.image.manifest.v1+json";
export const ociIndex = "application/vnd.oci.image.index.v1+json";
const layerType = "application/vnd.oci.image.layer.v1.tar";
const configType = "application/vnd.oci.image.config.v1+json";

/** The sha256 digest of `bytes`. */
export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** A small seeded PRNG (mulberry32), so failures can be replayed. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `size` bytes that are unique with overwhelming likelihood. */
export function uniqueBytes(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += 65536) {
    crypto.getRandomValues(bytes.subarray(at, Math.min(at + 65536, size)));
  }
  return bytes;
}

/** Talks to one registry. */
export class Client {
  readonly fetch: Fetch;
  readonly base: string;

  constructor(fetch: Fetch, base = "http://registry.test") {
    this.fetch = fetch;
    this.base = base;
  }

  /** Sends a request to `path` and returns the response. */
  request(method: string, path: string, init: RequestInit = {}) {
    return this.fetch(new Request(`${this.base}${path}`, { method, ...init }));
  }

  /** Uploads a blob, whole or in `chunks` parts, and returns its
   * descriptor; throws unless the registry answers 201. */
  async pushBlob(
    repository: string,
    bytes: Uint8Array<ArrayBuffer>,
    options: { chunks?: number; mediaType?: string } = {},
  ): Promise<Descriptor> {
    const digest = sha256(bytes);
    const descriptor = {
      mediaType: options.mediaType ?? layerType,
      digest,
      size: bytes.byteLength,
    };
    const chunks = options.chunks ?? 1;
    if (chunks <= 1) {
      const response = await this.request(
        "POST",
        `/v2/${repository}/blobs/uploads/?digest=${digest}`,
        { body: bytes },
      );
      await expectStatus(response, 201, `monolithic push of ${digest}`);
      await response.body?.cancel();
      return descriptor;
    }

    let response = await this.request(
      "POST",
      `/v2/${repository}/blobs/uploads/`,
    );
    await expectStatus(response, 202, "upload start");
    await response.body?.cancel();
    let location = response.headers.get("Location")!;
    const step = Math.ceil(bytes.byteLength / chunks);
    for (let at = 0; at < bytes.byteLength; at += step) {
      const chunk = bytes.slice(at, at + step);
      response = await this.request("PATCH", location, {
        body: chunk,
        headers: {
          "Content-Type": "application/octet-stream",
          "Content-Range": `${at}-${at + chunk.byteLength - 1}`,
        },
      });
      await expectStatus(response, 202, `chunk at ${at} of ${digest}`);
      await response.body?.cancel();
      location = response.headers.get("Location")!;
    }
    const separator = location.includes("?") ? "&" : "?";
    response = await this.request(
      "PUT",
      `${location}${separator}digest=${digest}`,
    );
    await expectStatus(response, 201, `upload end of ${digest}`);
    await response.body?.cancel();
    return descriptor;
  }

  /** Links a blob of repository `from` into `repository` without sending
   * it; throws unless the registry answers 201. */
  async mountBlob(
    repository: string,
    from: string,
    blob: Descriptor,
  ): Promise<void> {
    const response = await this.request(
      "POST",
      `/v2/${repository}/blobs/uploads/?mount=${blob.digest}&from=${from}`,
    );
    await expectStatus(response, 201, `mount of ${blob.digest} from ${from}`);
    await response.body?.cancel();
  }

  /** Pushes manifest bytes under `reference`; returns the response. */
  async putManifest(
    repository: string,
    reference: string,
    bytes: Uint8Array<ArrayBuffer>,
    mediaType: string,
  ): Promise<Response> {
    const response = await this.request(
      "PUT",
      `/v2/${repository}/manifests/${reference}`,
      { body: bytes, headers: { "Content-Type": mediaType } },
    );
    await response.body?.cancel();
    return response;
  }

  /** Pushes a manifest and returns its descriptor; throws unless 201. */
  async pushManifest(
    repository: string,
    reference: string,
    manifest: unknown,
  ): Promise<Descriptor> {
    const bytes = encode(manifest);
    const mediaType = (manifest as { mediaType: string }).mediaType;
    const response = await this.putManifest(
      repository,
      reference,
      bytes,
      mediaType,
    );
    if (response.status !== 201) {
      throw new Error(
        `manifest push to ${repository}:${reference} got ${response.status}`,
      );
    }
    return { mediaType, digest: sha256(bytes), size: bytes.byteLength };
  }

  /** Pushes a config, `layers` and an image manifest under `reference`
   * (a tag, or the manifest's digest when undefined). */
  async pushImage(
    repository: string,
    reference: string | undefined,
    layers: Uint8Array<ArrayBuffer>[],
    options: { subject?: Descriptor; chunks?: number } = {},
  ): Promise<PushedImage> {
    const config = await this.pushBlob(
      repository,
      encode({
        architecture: "amd64",
        os: "linux",
        nonce: crypto.randomUUID(),
      }),
      { mediaType: configType },
    );
    const pushed = await Promise.all(
      layers.map((layer) =>
        this.pushBlob(repository, layer, { chunks: options.chunks })
      ),
    );
    const body = imageManifest(config, pushed, options.subject);
    const manifest = await this.pushManifest(
      repository,
      reference ?? sha256(encode(body)),
      body,
    );
    return { manifest, config, layers: pushed };
  }

  /** Pulls `reference` and everything it needs, checking every digest
   * and size; throws on the first thing that does not match. */
  async pullAll(repository: string, reference: string): Promise<string> {
    const response = await this.request(
      "GET",
      `/v2/${repository}/manifests/${reference}`,
      { headers: { Accept: `${ociManifest}, ${ociIndex}` } },
    );
    await expectStatus(response, 200, `pull of ${repository}:${reference}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const digest = sha256(bytes);
    if (reference.includes(":") && digest !== reference) {
      throw new Error(`manifest ${reference} arrived as ${digest}`);
    }
    const manifest = JSON.parse(new TextDecoder().decode(bytes));
    for (const child of manifest.manifests ?? []) {
      await this.pullAll(repository, child.digest);
    }
    for (const blob of [manifest.config, ...(manifest.layers ?? [])]) {
      if (blob) await this.pullBlob(repository, blob);
    }
    return digest;
  }

  /** Fetches a blob and checks its digest and size. */
  async pullBlob(repository: string, blob: Descriptor): Promise<void> {
    const response = await this.request(
      "GET",
      `/v2/${repository}/blobs/${blob.digest}`,
    );
    await expectStatus(response, 200, `blob ${blob.digest} of ${repository}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (sha256(bytes) !== blob.digest || bytes.byteLength !== blob.size) {
      throw new Error(`blob ${blob.digest} of ${repository} is damaged`);
    }
  }
}

/** An OCI image manifest. */
export function imageManifest(
  config: Descriptor,
  layers: Descriptor[],
  subject?: Descriptor,
): Record<string, unknown> {
  return {
    schemaVersion: 2,
    mediaType: ociManifest,
    config,
    layers,
    ...(subject ? { subject } : {}),
  };
}

/** An OCI image index. */
export function imageIndex(manifests: Descriptor[]): Record<string, unknown> {
  return { schemaVersion: 2, mediaType: ociIndex, manifests };
}

/** JSON bytes of `value`. */
export function encode(value: unknown): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(JSON.stringify(value));
}

/** Throws, with the response body, unless `response` has `status`;
 * otherwise leaves the body to the caller. */
export async function expectStatus(
  response: Response,
  status: number,
  what: string,
): Promise<void> {
  if (response.status === status) return;
  const body = await response.text();
  throw new Error(
    `${what}: expected ${status}, got ${response.status} ${body}`,
  );
}
