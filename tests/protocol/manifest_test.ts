import assert from "node:assert/strict";
import { RegistryError } from "../../src/protocol/errors.ts";
import { parseManifest } from "../../src/protocol/manifest.ts";
import {
  dockerManifest,
  dockerManifestList,
  ociIndex,
  ociManifest,
} from "../../src/protocol/media_types.ts";

const d = (char: string) => `sha256:${char.repeat(64)}`;
const config = {
  mediaType: "application/vnd.oci.image.config.v1+json",
  digest: d("c"),
  size: 7,
};
const layer = {
  mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
  digest: d("1"),
  size: 3,
};

function encode(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

function assertInvalid(body: Uint8Array, contentType: string | null): void {
  assert.throws(() => parseManifest(body, contentType), (error) => {
    assert.ok(error instanceof RegistryError);
    assert.equal(error.code, "MANIFEST_INVALID");
    assert.equal(error.status, 400);
    return true;
  });
}

Deno.test("parseManifest() lists an image manifest's config and layers", () => {
  const parsed = parseManifest(
    encode({
      schemaVersion: 2,
      mediaType: ociManifest,
      config,
      layers: [layer],
    }),
    ociManifest,
  );
  assert.equal(parsed.mediaType, ociManifest);
  assert.deepEqual(parsed.blobs.map((b) => b.digest.value), [d("c"), d("1")]);
  assert.deepEqual(parsed.manifests, []);
  assert.equal(parsed.subject, undefined);
});

Deno.test("parseManifest() lists an index's manifests", () => {
  const child = { mediaType: ociManifest, digest: d("2"), size: 100 };
  const parsed = parseManifest(
    encode({ schemaVersion: 2, mediaType: ociIndex, manifests: [child] }),
    ociIndex,
  );
  assert.deepEqual(parsed.manifests.map((m) => m.digest.value), [d("2")]);
  assert.deepEqual(parsed.blobs, []);
  assert.equal(parsed.artifactType, undefined);
});

Deno.test("parseManifest() takes the declared type, then the body's, then guesses", () => {
  const image = { schemaVersion: 2, config, layers: [] };
  assert.equal(
    parseManifest(encode(image), ociManifest).mediaType,
    ociManifest,
  );
  assert.equal(parseManifest(encode(image), null).mediaType, ociManifest);
  assert.equal(
    parseManifest(encode(image), "application/json").mediaType,
    ociManifest,
  );
  const docker = {
    schemaVersion: 2,
    config: {
      ...config,
      mediaType: "application/vnd.docker.container.image.v1+json",
    },
    layers: [],
  };
  assert.equal(parseManifest(encode(docker), null).mediaType, dockerManifest);
  assert.equal(
    parseManifest(encode({ schemaVersion: 2, manifests: [] }), null).mediaType,
    ociIndex,
  );
  assert.equal(
    parseManifest(
      encode({
        schemaVersion: 2,
        mediaType: dockerManifestList,
        manifests: [],
      }),
      null,
    ).mediaType,
    dockerManifestList,
  );
});

Deno.test("parseManifest() drops Content-Type parameters", () => {
  const parsed = parseManifest(
    encode({ schemaVersion: 2, config, layers: [] }),
    `${ociManifest}; charset=utf-8`,
  );
  assert.equal(parsed.mediaType, ociManifest);
});

Deno.test("parseManifest() refuses a body whose mediaType contradicts Content-Type", () => {
  assertInvalid(
    encode({ schemaVersion: 2, mediaType: ociIndex, manifests: [] }),
    ociManifest,
  );
});

Deno.test("parseManifest() refuses malformed manifests with MANIFEST_INVALID", () => {
  const cases: [unknown, string | null][] = [
    ["not an object", ociManifest],
    [[1, 2], ociManifest],
    [{ schemaVersion: 1, config, layers: [] }, ociManifest],
    [{ schemaVersion: 2, layers: [] }, ociManifest],
    [{ schemaVersion: 2, config, layers: "x" }, ociManifest],
    [
      { schemaVersion: 2, config, layers: [{ ...layer, size: -1 }] },
      ociManifest,
    ],
    [
      { schemaVersion: 2, config, layers: [{ ...layer, size: 1.5 }] },
      ociManifest,
    ],
    [
      { schemaVersion: 2, config, layers: [{ ...layer, digest: "sha256:x" }] },
      ociManifest,
    ],
    [
      { schemaVersion: 2, config: { ...config, mediaType: 5 }, layers: [] },
      ociManifest,
    ],
    [{ schemaVersion: 2, manifests: {} }, ociIndex],
    [{ schemaVersion: 2, mediaType: 7, config, layers: [] }, null],
    [{ schemaVersion: 2, config, layers: [], artifactType: 3 }, ociManifest],
    [{ schemaVersion: 2, config, layers: [], subject: "x" }, ociManifest],
    [{ schemaVersion: 2 }, null],
  ];
  for (const [body, type] of cases) assertInvalid(encode(body), type);
  assertInvalid(new TextEncoder().encode("{not json"), ociManifest);
  assertInvalid(new Uint8Array([0xff, 0xfe, 0x7b, 0x7d]), ociManifest);
});

Deno.test("parseManifest() reads the subject, artifactType and annotations", () => {
  const subject = { mediaType: ociManifest, digest: d("5"), size: 10 };
  const parsed = parseManifest(
    encode({
      schemaVersion: 2,
      mediaType: ociManifest,
      artifactType: "application/vnd.example.sbom",
      config,
      layers: [],
      subject,
      annotations: { "org.example": "yes" },
    }),
    ociManifest,
  );
  assert.equal(parsed.subject?.digest.value, d("5"));
  assert.equal(parsed.artifactType, "application/vnd.example.sbom");
  assert.deepEqual(parsed.annotations, { "org.example": "yes" });
});

Deno.test("parseManifest() falls back to the config type when artifactType is absent or empty", () => {
  const artifact = { ...config, mediaType: "application/vnd.example.sig" };
  for (const extra of [{}, { artifactType: "" }]) {
    const parsed = parseManifest(
      encode({ schemaVersion: 2, config: artifact, layers: [], ...extra }),
      ociManifest,
    );
    assert.equal(parsed.artifactType, "application/vnd.example.sig");
  }
});

Deno.test("parseManifest() treats layers with urls or non-distributable types as foreign", () => {
  const parsed = parseManifest(
    encode({
      schemaVersion: 2,
      config: { ...config, urls: ["https://example.com/c"] },
      layers: [
        layer,
        { ...layer, urls: ["https://example.com/l"] },
        {
          ...layer,
          mediaType: "application/vnd.oci.image.layer.nondistributable.v1.tar",
        },
        {
          ...layer,
          mediaType:
            "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
        },
      ],
    }),
    ociManifest,
  );
  // A config is never foreign, even with urls.
  assert.deepEqual(parsed.blobs.map((b) => b.foreign), [
    false,
    false,
    true,
    true,
    true,
  ]);
});

Deno.test("parseManifest() ignores unknown fields, such as a descriptor's data", () => {
  const parsed = parseManifest(
    encode({
      schemaVersion: 2,
      config: { ...config, data: "e30=", newField: [1] },
      layers: [],
      extra: { anything: true },
    }),
    ociManifest,
  );
  assert.equal(parsed.blobs.length, 1);
});

Deno.test("parseManifest() stores unknown manifest types without reference checks", () => {
  const type = "application/vnd.example.thing.v1+json";
  const parsed = parseManifest(
    encode({ schemaVersion: 2, mediaType: type, blobs: [layer] }),
    type,
  );
  assert.equal(parsed.mediaType, type);
  assert.deepEqual(parsed.blobs, []);
});
