import assert from "node:assert/strict";
import {
  assertError,
  bytes,
  descriptor,
  digestOf,
  errorCode,
  pushBlob,
  pushImage,
  pushManifest,
  testRegistry,
  types,
} from "./_helpers.ts";

Deno.test("PUT manifest by tag answers 201 with Location and Docker-Content-Digest", async () => {
  const t = testRegistry();
  const image = await pushImage(t, "app", { reference: "v1" });
  const response = image.response;
  assert.equal(response.status, 201);
  assert.equal(
    response.headers.get("Location"),
    `/v2/app/manifests/${image.digest}`,
  );
  assert.equal(response.headers.get("Docker-Content-Digest"), image.digest);
  assert.equal(response.headers.get("OCI-Subject"), null);
});

Deno.test("GET manifest by tag and by digest returns the pushed bytes exactly", async () => {
  const t = testRegistry();
  const image = await pushImage(t, "app", { reference: "v1" });
  for (const reference of ["v1", image.digest]) {
    const response = await t.send("GET", `/v2/app/manifests/${reference}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("Content-Type"), types.manifest);
    assert.equal(response.headers.get("Docker-Content-Digest"), image.digest);
    assert.equal(
      response.headers.get("Content-Length"),
      String(image.bytes.byteLength),
    );
    assert.equal(response.headers.get("ETag"), `"${image.digest}"`);
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), image.bytes);
  }
});

Deno.test("HEAD manifest answers 200 with the GET's headers and no body", async () => {
  const t = testRegistry();
  const image = await pushImage(t, "app", { reference: "v1" });
  const response = await t.send("HEAD", "/v2/app/manifests/v1");
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("Content-Type"), types.manifest);
  assert.equal(response.headers.get("Docker-Content-Digest"), image.digest);
  assert.equal(
    response.headers.get("Content-Length"),
    String(image.bytes.byteLength),
  );
  assert.equal(response.body, null);
});

Deno.test("PUT manifest by digest stores it without a tag", async () => {
  const t = testRegistry();
  const image = await pushImage(t, "app");
  assert.equal(image.response.status, 201);
  const tags = await t.send("GET", "/v2/app/tags/list");
  assert.deepEqual(await tags.json(), { name: "app", tags: [] });
  const get = await t.send("GET", `/v2/app/manifests/${image.digest}`);
  assert.equal(get.status, 200);
  await get.body?.cancel();
});

Deno.test("GET manifest ignores Accept and serves the stored type", async () => {
  const t = testRegistry();
  await pushImage(t, "app", { reference: "v1" });
  const response = await t.send("GET", "/v2/app/manifests/v1", {
    headers: { Accept: types.dockerManifest },
  });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("Content-Type"), types.manifest);
  await response.body?.cancel();
});

Deno.test("a manifest is stored byte for byte, whitespace and unknown fields included", async () => {
  const t = testRegistry();
  const config = await pushBlob(t, "app", "{}");
  const text = `{ "schemaVersion": 2,\n\t"mediaType": "${types.manifest}",` +
    `"config": {"mediaType": "${types.config}", "digest": "${config.digest}",` +
    ` "size": 2, "data": "e30=", "future": [1]},\n"layers": [], "extra": {} }  `;
  const pushed = await pushManifest(t, "app", "odd", bytes(text));
  assert.equal(pushed.response.status, 201);
  const response = await t.send("GET", "/v2/app/manifests/odd");
  assert.equal(await response.text(), text);
});

Deno.test("GET and HEAD of an unknown manifest answer 404 MANIFEST_UNKNOWN", async () => {
  const t = testRegistry();
  await pushImage(t, "app", { reference: "v1" });
  for (const reference of ["missing", digestOf("missing")]) {
    const get = await t.send("GET", `/v2/app/manifests/${reference}`);
    await assertError(get, 404, "MANIFEST_UNKNOWN");
    const head = await t.send("HEAD", `/v2/app/manifests/${reference}`);
    assert.equal(head.status, 404);
    assert.equal(head.body, null);
  }
});

Deno.test("reading a malformed tag answers 404, a malformed digest 400 DIGEST_INVALID", async () => {
  const t = testRegistry();
  for (const method of ["GET", "HEAD", "DELETE"]) {
    const response = await t.send(method, "/v2/app/manifests/.INVALID_NAME");
    assert.equal(response.status, 404, method);
    await response.body?.cancel();
  }
  const digest = await t.send("GET", "/v2/app/manifests/sha256:totallywrong");
  await assertError(digest, 400, "DIGEST_INVALID");
});

Deno.test("PUT to a malformed tag answers 400 TAG_INVALID", async () => {
  const t = testRegistry();
  const config = await pushBlob(t, "app", "{}");
  const manifest = {
    schemaVersion: 2,
    config: descriptor(types.config, config),
    layers: [],
  };
  const pushed = await pushManifest(t, "app", "-bad", manifest);
  await assertError(pushed.response, 400, "TAG_INVALID");
});

Deno.test("a manifest referencing a blob the repository lacks answers 400 MANIFEST_BLOB_UNKNOWN", async () => {
  const t = testRegistry();
  const config = await pushBlob(t, "app", "{}");
  const elsewhere = await pushBlob(t, "other", "layer in another repository");
  for (const layer of [{ digest: digestOf("absent"), size: 6 }, elsewhere]) {
    const manifest = {
      schemaVersion: 2,
      mediaType: types.manifest,
      config: descriptor(types.config, config),
      layers: [descriptor(types.layer, layer)],
    };
    const pushed = await pushManifest(t, "app", "v1", manifest);
    assert.equal(pushed.response.status, 400);
    const body = await pushed.response.json();
    assert.equal(body.errors[0].code, "MANIFEST_BLOB_UNKNOWN");
    assert.deepEqual(body.errors[0].detail, { digest: layer.digest });
  }
  const get = await t.send("GET", "/v2/app/manifests/v1");
  assert.equal(get.status, 404);
  await get.body?.cancel();
});

Deno.test("a manifest whose descriptor size is wrong answers 400 MANIFEST_INVALID", async () => {
  const t = testRegistry();
  const config = await pushBlob(t, "app", "{}");
  const manifest = {
    schemaVersion: 2,
    config: descriptor(types.config, { ...config, size: 99 }),
    layers: [],
  };
  const pushed = await pushManifest(t, "app", "v1", manifest);
  await assertError(pushed.response, 400, "MANIFEST_INVALID");
});

Deno.test("PUT to a digest the body does not have answers 400 DIGEST_INVALID and stores nothing", async () => {
  const t = testRegistry();
  const config = await pushBlob(t, "app", "{}");
  const manifest = {
    schemaVersion: 2,
    config: descriptor(types.config, config),
    layers: [],
  };
  const wrong = digestOf("another body");
  const pushed = await pushManifest(t, "app", wrong, manifest);
  await assertError(pushed.response, 400, "DIGEST_INVALID");
  for (const reference of [wrong, pushed.digest]) {
    const get = await t.send("GET", `/v2/app/manifests/${reference}`);
    assert.equal(get.status, 404);
    await get.body?.cancel();
  }
});

Deno.test("malformed manifests answer 400 MANIFEST_INVALID", async () => {
  const t = testRegistry();
  for (const body of ["blablabla", "", "[]", '{"schemaVersion": 1}']) {
    const pushed = await pushManifest(t, "app", "v1", bytes(body));
    await assertError(pushed.response, 400, "MANIFEST_INVALID");
  }
});

Deno.test("a body whose mediaType contradicts Content-Type answers 400 MANIFEST_INVALID", async () => {
  const t = testRegistry();
  const pushed = await pushManifest(
    t,
    "app",
    "v1",
    { schemaVersion: 2, mediaType: types.index, manifests: [] },
    types.manifest,
  );
  await assertError(pushed.response, 400, "MANIFEST_INVALID");
});

Deno.test("a manifest over the size limit answers 413, declared or streamed", async () => {
  const t = testRegistry({ maxManifestSize: 64 });
  const big = bytes(JSON.stringify({ schemaVersion: 2, pad: "x".repeat(100) }));
  const declared = await t.send("PUT", "/v2/app/manifests/v1", {
    body: big,
    headers: {
      "Content-Type": types.manifest,
      "Content-Length": String(big.byteLength),
    },
  });
  assert.equal(declared.status, 413);
  assert.equal(await errorCode(declared), "SIZE_INVALID");
  const streamed = await t.send("PUT", "/v2/app/manifests/v1", {
    body: new Blob([big]).stream(),
    headers: { "Content-Type": types.manifest },
  });
  assert.equal(streamed.status, 413);
  await streamed.body?.cancel();
});

Deno.test("an image manifest with no layers is accepted", async () => {
  const t = testRegistry();
  const config = await pushBlob(t, "app", "{}");
  const pushed = await pushManifest(t, "app", "empty", {
    schemaVersion: 2,
    mediaType: types.manifest,
    config: descriptor(types.config, config),
    layers: [],
  });
  assert.equal(pushed.response.status, 201);
});

Deno.test("foreign and non-distributable layers need not be in the registry", async () => {
  const t = testRegistry();
  const config = await pushBlob(t, "app", "{}");
  const absent = { digest: digestOf("far away"), size: 8 };
  const pushed = await pushManifest(t, "app", "foreign", {
    schemaVersion: 2,
    mediaType: types.manifest,
    config: descriptor(types.config, config),
    layers: [
      descriptor(
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
        absent,
        { urls: ["https://example.com/layer"] },
      ),
      descriptor(
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
        absent,
      ),
    ],
  });
  assert.equal(pushed.response.status, 201);
});

Deno.test("an index answers 201 when its manifests exist, 400 MANIFEST_BLOB_UNKNOWN when not", async () => {
  const t = testRegistry();
  const image = await pushImage(t, "app");
  const index = {
    schemaVersion: 2,
    mediaType: types.index,
    manifests: [
      descriptor(types.manifest, image, {
        platform: { os: "linux", architecture: "amd64" },
      }),
    ],
  };
  const ok = await pushManifest(t, "app", "multi", index, types.index);
  assert.equal(ok.response.status, 201);
  const get = await t.send("GET", "/v2/app/manifests/multi");
  assert.equal(get.headers.get("Content-Type"), types.index);
  await get.body?.cancel();

  const missing = {
    ...index,
    manifests: [
      descriptor(types.manifest, { digest: digestOf("nope"), size: 4 }),
    ],
  };
  const bad = await pushManifest(t, "app", "broken", missing, types.index);
  await assertError(bad.response, 400, "MANIFEST_BLOB_UNKNOWN");
});

Deno.test("a tag can move between an index and an image manifest", async () => {
  const t = testRegistry();
  const image = await pushImage(t, "app", { reference: "moving" });
  const index = await pushManifest(t, "app", "moving", {
    schemaVersion: 2,
    mediaType: types.index,
    manifests: [descriptor(types.manifest, image)],
  }, types.index);
  assert.equal(index.response.status, 201);
  let get = await t.send("GET", "/v2/app/manifests/moving");
  assert.equal(get.headers.get("Content-Type"), types.index);
  assert.equal(get.headers.get("Docker-Content-Digest"), index.digest);
  await get.body?.cancel();

  const again = await pushManifest(t, "app", "moving", image.bytes);
  assert.equal(again.response.status, 201);
  get = await t.send("GET", "/v2/app/manifests/moving");
  assert.equal(get.headers.get("Content-Type"), types.manifest);
  assert.equal(get.headers.get("Docker-Content-Digest"), image.digest);
  await get.body?.cancel();
});

Deno.test("Docker schema 2 manifests and manifest lists are stored with their types", async () => {
  const t = testRegistry();
  const config = await pushBlob(t, "app", '{"os":"linux"}');
  const layer = await pushBlob(t, "app", "docker layer");
  const manifest = await pushManifest(t, "app", "docker", {
    schemaVersion: 2,
    mediaType: types.dockerManifest,
    config: descriptor(types.dockerConfig, config),
    layers: [descriptor(types.dockerLayer, layer)],
  }, types.dockerManifest);
  assert.equal(manifest.response.status, 201);
  const list = await pushManifest(t, "app", "docker-list", {
    schemaVersion: 2,
    mediaType: types.dockerList,
    manifests: [descriptor(types.dockerManifest, manifest)],
  }, types.dockerList);
  assert.equal(list.response.status, 201);
  for (
    const [tag, type] of [["docker", types.dockerManifest], [
      "docker-list",
      types.dockerList,
    ]]
  ) {
    const get = await t.send("GET", `/v2/app/manifests/${tag}`);
    assert.equal(get.headers.get("Content-Type"), type);
    await get.body?.cancel();
  }
});

Deno.test("a Docker manifest list with a missing manifest answers 400 MANIFEST_BLOB_UNKNOWN", async () => {
  const t = testRegistry();
  const list = await pushManifest(t, "app", "list", {
    schemaVersion: 2,
    mediaType: types.dockerList,
    manifests: [descriptor(types.dockerManifest, {
      digest: digestOf("x"),
      size: 1,
    })],
  }, types.dockerList);
  await assertError(list.response, 400, "MANIFEST_BLOB_UNKNOWN");
});

Deno.test("PUT manifest by a sha512 digest stores it under that digest", async () => {
  const t = testRegistry();
  const config = await pushBlob(t, "app", "{}");
  const body = bytes(JSON.stringify({
    schemaVersion: 2,
    mediaType: types.manifest,
    config: descriptor(types.config, config),
    layers: [],
  }));
  const digest = digestOf(body, "sha512");
  const pushed = await pushManifest(t, "app", digest, body);
  assert.equal(pushed.response.status, 201);
  assert.equal(pushed.response.headers.get("Docker-Content-Digest"), digest);
  const get = await t.send("GET", `/v2/app/manifests/${digest}`);
  assert.equal(get.status, 200);
  assert.deepEqual(new Uint8Array(await get.arrayBuffer()), body);
});

Deno.test("DELETE by digest answers 202 and removes the manifest and its tags only", async () => {
  const t = testRegistry();
  const image = await pushImage(t, "app", { reference: "v1" });
  await pushManifest(t, "app", "v1-alias", image.bytes);
  const other = await pushImage(t, "app", { reference: "v2" });
  const response = await t.send("DELETE", `/v2/app/manifests/${image.digest}`);
  assert.equal(response.status, 202);
  for (const reference of [image.digest, "v1", "v1-alias"]) {
    const get = await t.send("GET", `/v2/app/manifests/${reference}`);
    await assertError(get, 404, "MANIFEST_UNKNOWN");
  }
  const kept = await t.send("GET", "/v2/app/manifests/v2");
  assert.equal(kept.headers.get("Docker-Content-Digest"), other.digest);
  await kept.body?.cancel();
  const tags = await t.send("GET", "/v2/app/tags/list");
  assert.deepEqual((await tags.json()).tags, ["v2"]);
});

Deno.test("DELETE by tag answers 202 and removes only the tag", async () => {
  const t = testRegistry();
  const image = await pushImage(t, "app", { reference: "v1" });
  const response = await t.send("DELETE", "/v2/app/manifests/v1");
  assert.equal(response.status, 202);
  await assertError(
    await t.send("GET", "/v2/app/manifests/v1"),
    404,
    "MANIFEST_UNKNOWN",
  );
  const byDigest = await t.send("GET", `/v2/app/manifests/${image.digest}`);
  assert.equal(byDigest.status, 200);
  await byDigest.body?.cancel();
});

Deno.test("DELETE of an unknown tag or digest answers 404 MANIFEST_UNKNOWN", async () => {
  const t = testRegistry();
  await pushImage(t, "app", { reference: "v1" });
  for (const reference of ["nope", digestOf("nope")]) {
    const response = await t.send("DELETE", `/v2/app/manifests/${reference}`);
    await assertError(response, 404, "MANIFEST_UNKNOWN");
  }
});

Deno.test("DELETE manifest answers 405 UNSUPPORTED when deletion is disabled", async () => {
  const t = testRegistry({ deleteEnabled: false });
  const image = await pushImage(t, "app", { reference: "v1" });
  for (const reference of ["v1", image.digest]) {
    const response = await t.send("DELETE", `/v2/app/manifests/${reference}`);
    await assertError(response, 405, "UNSUPPORTED");
  }
  const get = await t.send("GET", "/v2/app/manifests/v1");
  assert.equal(get.status, 200);
  await get.body?.cancel();
});

Deno.test("a read-only registry serves manifests and refuses PUT and DELETE with 405", async () => {
  const writable = testRegistry();
  const image = await pushImage(writable, "app", { reference: "v1" });
  const t = testRegistry({ storage: writable.storage, readOnly: true });
  const get = await t.send("GET", "/v2/app/manifests/v1");
  assert.equal(get.status, 200);
  await get.body?.cancel();
  const put = await pushManifest(t, "app", "v2", image.bytes);
  await assertError(put.response, 405, "UNSUPPORTED");
  const del = await t.send("DELETE", "/v2/app/manifests/v1");
  await assertError(del, 405, "UNSUPPORTED");
});

Deno.test("other methods on a manifest answer 405 UNSUPPORTED", async () => {
  const t = testRegistry();
  for (const method of ["POST", "PATCH"]) {
    const response = await t.send(method, "/v2/app/manifests/v1");
    await assertError(response, 405, "UNSUPPORTED");
  }
});

Deno.test("a manifest deleted through one instance is gone from another that served it", async () => {
  const first = testRegistry();
  const second = testRegistry({ storage: first.storage });
  const image = await pushImage(first, "app", { reference: "v1" });
  const warm = await first.send("GET", `/v2/app/manifests/${image.digest}`);
  assert.equal(warm.status, 200);
  await warm.body?.cancel();

  const deleted = await second.send(
    "DELETE",
    `/v2/app/manifests/${image.digest}`,
  );
  assert.equal(deleted.status, 202);
  for (const reference of [image.digest, "v1"]) {
    const get = await first.send("GET", `/v2/app/manifests/${reference}`);
    await assertError(get, 404, "MANIFEST_UNKNOWN");
  }
});
