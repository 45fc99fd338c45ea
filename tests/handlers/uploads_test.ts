import assert from "node:assert/strict";
import {
  allKeys,
  assertError,
  bytes,
  digestOf,
  startUpload,
  testRegistry,
} from "./_helpers.ts";

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const blob = bytes("The quick brown fox jumps over the lazy dog");
const blobDigest = digestOf(blob);

function patch(range: [number, number] | undefined, body: Uint8Array) {
  const headers: Record<string, string> = {
    "Content-Type": "application/octet-stream",
    "Content-Length": String(body.byteLength),
  };
  if (range) headers["Content-Range"] = `${range[0]}-${range[1]}`;
  return { body: body as Uint8Array<ArrayBuffer>, headers };
}

Deno.test("POST starts a session: 202, Location with a UUID, Range 0-0", async () => {
  const t = testRegistry();
  const response = await t.send("POST", "/v2/app/blobs/uploads/", {
    headers: { "Content-Length": "0" },
  });
  assert.equal(response.status, 202);
  const location = response.headers.get("Location") ?? "";
  const id = location.split("/").at(-1) ?? "";
  assert.equal(location, `/v2/app/blobs/uploads/${id}`);
  assert.match(id, uuid);
  assert.equal(response.headers.get("Docker-Upload-UUID"), id);
  assert.equal(response.headers.get("Range"), "0-0");
  assert.equal(response.headers.get("Content-Length"), "0");
  assert.equal(response.body, null);
});

Deno.test("POST without the trailing slash starts a session too", async () => {
  const response = await testRegistry().send("POST", "/v2/app/blobs/uploads");
  assert.equal(response.status, 202);
});

Deno.test("POST ?digest= with the blob is a monolithic upload: 201 and a pullable Location", async () => {
  const t = testRegistry();
  const response = await t.send(
    "POST",
    `/v2/app/blobs/uploads/?digest=${blobDigest}`,
    patch(undefined, blob),
  );
  assert.equal(response.status, 201);
  assert.equal(response.headers.get("Location"), `/v2/app/blobs/${blobDigest}`);
  assert.equal(response.headers.get("Docker-Content-Digest"), blobDigest);
  const get = await t.send("GET", response.headers.get("Location")!);
  assert.deepEqual(new Uint8Array(await get.arrayBuffer()), blob);
  assert.deepEqual(
    (await allKeys(t.storage)).filter((k) => k.startsWith("uploads/")),
    [],
  );
});

Deno.test("POST ?digest= that does not match the body answers 400 DIGEST_INVALID and stores nothing", async () => {
  const t = testRegistry();
  const wrong = digestOf("something else");
  const response = await t.send(
    "POST",
    `/v2/app/blobs/uploads/?digest=${wrong}`,
    patch(undefined, blob),
  );
  await assertError(response, 400, "DIGEST_INVALID");
  assert.equal((await t.send("HEAD", `/v2/app/blobs/${wrong}`)).status, 404);
  assert.equal(
    (await t.send("HEAD", `/v2/app/blobs/${blobDigest}`)).status,
    404,
  );
  assert.deepEqual(await allKeys(t.storage), []);
});

Deno.test("POST ?digest= with a malformed digest answers 400 and opens no session", async () => {
  const t = testRegistry();
  const response = await t.send(
    "POST",
    "/v2/app/blobs/uploads/?digest=sha256:zzz",
    patch(undefined, blob),
  );
  await assertError(response, 400, "DIGEST_INVALID");
  assert.deepEqual(await allKeys(t.storage), []);
});

Deno.test("POST then PUT with the whole blob answers 201", async () => {
  const t = testRegistry();
  const location = await startUpload(t, "app");
  const response = await t.send(
    "PUT",
    `${location}?digest=${blobDigest}`,
    patch(undefined, blob),
  );
  assert.equal(response.status, 201);
  assert.equal(response.headers.get("Location"), `/v2/app/blobs/${blobDigest}`);
  assert.equal(response.headers.get("Docker-Content-Digest"), blobDigest);
  assert.equal(
    (await t.send("HEAD", `/v2/app/blobs/${blobDigest}`)).status,
    200,
  );
});

Deno.test("a streamed PATCH without Content-Range then an empty PUT completes the blob", async () => {
  const t = testRegistry();
  const location = await startUpload(t, "app");
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(blob.subarray(0, 10));
      controller.enqueue(blob.subarray(10));
      controller.close();
    },
  });
  const patched = await t.send("PATCH", location, { body });
  assert.equal(patched.status, 202);
  assert.equal(patched.headers.get("Location"), location);
  assert.equal(patched.headers.get("Range"), `0-${blob.byteLength - 1}`);
  const put = await t.send("PUT", `${location}?digest=${blobDigest}`);
  assert.equal(put.status, 201);
  const get = await t.send("GET", `/v2/app/blobs/${blobDigest}`);
  assert.deepEqual(new Uint8Array(await get.arrayBuffer()), blob);
});

Deno.test("chunked PATCHes report the whole upload's Range each time", async () => {
  const t = testRegistry();
  const location = await startUpload(t, "app");
  const cuts = [0, 10, 25, blob.byteLength];
  for (let i = 0; i < cuts.length - 1; i++) {
    const chunk = blob.subarray(cuts[i], cuts[i + 1]);
    const response = await t.send(
      "PATCH",
      location,
      patch([cuts[i], cuts[i + 1] - 1], chunk),
    );
    assert.equal(response.status, 202);
    assert.equal(response.headers.get("Location"), location);
    assert.equal(response.headers.get("Range"), `0-${cuts[i + 1] - 1}`);
    const status = await t.send("GET", location);
    assert.equal(status.status, 204);
    assert.equal(status.headers.get("Range"), `0-${cuts[i + 1] - 1}`);
  }
  const put = await t.send("PUT", `${location}?digest=${blobDigest}`, {
    headers: { "Content-Length": "0" },
  });
  assert.equal(put.status, 201);
  const get = await t.send("GET", `/v2/app/blobs/${blobDigest}`);
  assert.deepEqual(new Uint8Array(await get.arrayBuffer()), blob);
});

Deno.test("PUT may carry the final chunk with its Content-Range", async () => {
  const t = testRegistry();
  const location = await startUpload(t, "app");
  const first = await t.send(
    "PATCH",
    location,
    patch([0, 19], blob.subarray(0, 20)),
  );
  assert.equal(first.status, 202);
  const put = await t.send(
    "PUT",
    `${location}?digest=${blobDigest}`,
    patch([20, blob.byteLength - 1], blob.subarray(20)),
  );
  assert.equal(put.status, 201);
  const get = await t.send("GET", `/v2/app/blobs/${blobDigest}`);
  assert.deepEqual(new Uint8Array(await get.arrayBuffer()), blob);
});

Deno.test("an out-of-order chunk answers 416 with the current Range and changes nothing", async () => {
  const t = testRegistry();
  const location = await startUpload(t, "app");

  // Skipping ahead on an empty upload.
  const ahead = await t.send(
    "PATCH",
    location,
    patch([10, 19], blob.subarray(10, 20)),
  );
  await assertError(ahead, 416, "BLOB_UPLOAD_INVALID");
  assert.equal(ahead.headers.get("Range"), "0-0");
  assert.equal(ahead.headers.get("Location"), location);

  const first = await t.send(
    "PATCH",
    location,
    patch([0, 9], blob.subarray(0, 10)),
  );
  assert.equal(first.status, 202);

  // Retrying the chunk already taken, and skipping a byte.
  for (const range of [[0, 9], [11, 20]] as [number, number][]) {
    const response = await t.send(
      "PATCH",
      location,
      patch(range, blob.subarray(range[0], range[1] + 1)),
    );
    await assertError(response, 416, "BLOB_UPLOAD_INVALID");
    assert.equal(response.headers.get("Range"), "0-9");
  }
  // An out-of-order final chunk on PUT is refused the same way.
  const put = await t.send(
    "PUT",
    `${location}?digest=${blobDigest}`,
    patch([5, blob.byteLength - 1], blob.subarray(5)),
  );
  await assertError(put, 416, "BLOB_UPLOAD_INVALID");

  const status = await t.send("GET", location);
  assert.equal(status.status, 204);
  assert.equal(status.headers.get("Range"), "0-9");
  const rest = await t.send(
    "PUT",
    `${location}?digest=${blobDigest}`,
    patch([10, blob.byteLength - 1], blob.subarray(10)),
  );
  assert.equal(rest.status, 201);
  const get = await t.send("GET", `/v2/app/blobs/${blobDigest}`);
  assert.deepEqual(new Uint8Array(await get.arrayBuffer()), blob);
});

Deno.test("a chunk whose Content-Length contradicts its Content-Range answers 416 and changes nothing", async () => {
  const t = testRegistry();
  const location = await startUpload(t, "app");
  const response = await t.send("PATCH", location, {
    body: blob.subarray(0, 10),
    headers: { "Content-Range": "0-19", "Content-Length": "10" },
  });
  await assertError(response, 416, "BLOB_UPLOAD_INVALID");
  const status = await t.send("GET", location);
  assert.equal(status.headers.get("Range"), "0-0");
  assert.deepEqual(
    (await allKeys(t.storage)).filter((k) => k.endsWith("/data")),
    [],
  );
});

Deno.test("a malformed Content-Range answers 400 BLOB_UPLOAD_INVALID", async () => {
  const t = testRegistry();
  const location = await startUpload(t, "app");
  const response = await t.send("PATCH", location, {
    body: blob,
    headers: { "Content-Range": "bytes=0-5" },
  });
  await assertError(response, 400, "BLOB_UPLOAD_INVALID");
});

Deno.test("PUT with a digest that does not match answers 400 DIGEST_INVALID and nothing becomes visible", async () => {
  const t = testRegistry();
  const location = await startUpload(t, "app");
  await t.send("PATCH", location, patch([0, blob.byteLength - 1], blob));
  const wrong = digestOf("not the blob");
  const response = await t.send("PUT", `${location}?digest=${wrong}`);
  await assertError(response, 400, "DIGEST_INVALID");
  assert.equal((await t.send("HEAD", `/v2/app/blobs/${wrong}`)).status, 404);
  assert.equal(
    (await t.send("HEAD", `/v2/app/blobs/${blobDigest}`)).status,
    404,
  );
  await assertError(await t.send("GET", location), 404, "BLOB_UPLOAD_UNKNOWN");
  assert.deepEqual(await allKeys(t.storage), []);
});

Deno.test("PUT without a digest, or with a malformed one, answers 400 and keeps the session", async () => {
  const t = testRegistry();
  const location = await startUpload(t, "app");
  await t.send("PATCH", location, patch([0, 9], blob.subarray(0, 10)));
  for (const query of ["", "?digest=", "?digest=sha256:abc", "?digest=md5:x"]) {
    const response = await t.send("PUT", `${location}${query}`);
    await assertError(response, 400, "DIGEST_INVALID");
  }
  const status = await t.send("GET", location);
  assert.equal(status.status, 204);
  assert.equal(status.headers.get("Range"), "0-9");
});

Deno.test("GET of a session answers 204 with Location and Range and no body", async () => {
  const t = testRegistry();
  const location = await startUpload(t, "app");
  const response = await t.send("GET", location);
  assert.equal(response.status, 204);
  assert.equal(response.headers.get("Location"), location);
  assert.equal(response.headers.get("Range"), "0-0");
  assert.equal(response.body, null);
});

Deno.test("DELETE cancels a session with 204; afterwards it is 404 BLOB_UPLOAD_UNKNOWN", async () => {
  const t = testRegistry();
  const location = await startUpload(t, "app");
  await t.send("PATCH", location, patch([0, 9], blob.subarray(0, 10)));
  const response = await t.send("DELETE", location, {
    headers: { "Content-Length": "0" },
  });
  assert.equal(response.status, 204);
  for (const method of ["GET", "PATCH", "PUT", "DELETE"]) {
    const again = await t.send(method, `${location}?digest=${blobDigest}`);
    await assertError(again, 404, "BLOB_UPLOAD_UNKNOWN");
  }
  assert.deepEqual(await allKeys(t.storage), []);
});

Deno.test("a session cannot be used through another repository's URL", async () => {
  const t = testRegistry();
  const location = await startUpload(t, "owner");
  const id = location.split("/").at(-1);
  for (const method of ["GET", "PATCH", "PUT", "DELETE"]) {
    const response = await t.send(
      method,
      `/v2/intruder/blobs/uploads/${id}?digest=${blobDigest}`,
      method === "PATCH" || method === "PUT" ? { body: blob } : {},
    );
    await assertError(response, 404, "BLOB_UPLOAD_UNKNOWN");
  }
  const status = await t.send("GET", location);
  assert.equal(status.headers.get("Range"), "0-0");
});

Deno.test("an unknown or malformed session id answers 404 BLOB_UPLOAD_UNKNOWN", async () => {
  const t = testRegistry();
  for (const id of [crypto.randomUUID(), "not-a-uuid", "..%2F..%2Fblobs"]) {
    const response = await t.send("GET", `/v2/app/blobs/uploads/${id}`);
    await assertError(response, 404, "BLOB_UPLOAD_UNKNOWN");
  }
});

Deno.test("a sha512 blob can be pushed in chunks and monolithically", async () => {
  const t = testRegistry();
  const digest = digestOf(blob, "sha512");
  const location = await startUpload(t, "app");
  await t.send("PATCH", location, patch([0, 9], blob.subarray(0, 10)));
  const put = await t.send(
    "PUT",
    `${location}?digest=${digest}`,
    patch([10, blob.byteLength - 1], blob.subarray(10)),
  );
  assert.equal(put.status, 201);
  assert.equal(put.headers.get("Docker-Content-Digest"), digest);
  const get = await t.send("GET", `/v2/app/blobs/${digest}`);
  assert.deepEqual(new Uint8Array(await get.arrayBuffer()), blob);

  const other = bytes("another sha512 blob");
  const otherDigest = digestOf(other, "sha512");
  const post = await t.send(
    "POST",
    `/v2/app/blobs/uploads/?digest=${otherDigest}`,
    patch(undefined, other),
  );
  assert.equal(post.status, 201);
});

Deno.test("a session survives a restart: a new registry over the same storage completes it", async () => {
  const before = testRegistry();
  const location = await startUpload(before, "app");
  await before.send("PATCH", location, patch([0, 19], blob.subarray(0, 20)));

  const after = testRegistry({ storage: before.storage });
  const status = await after.send("GET", location);
  assert.equal(status.status, 204);
  assert.equal(status.headers.get("Range"), "0-19");
  const put = await after.send(
    "PUT",
    `${location}?digest=${blobDigest}`,
    patch([20, blob.byteLength - 1], blob.subarray(20)),
  );
  assert.equal(put.status, 201);
  const get = await after.send("GET", `/v2/app/blobs/${blobDigest}`);
  assert.deepEqual(new Uint8Array(await get.arrayBuffer()), blob);
});

Deno.test("a restarted registry still refuses a wrong digest for a session it did not hash", async () => {
  const before = testRegistry();
  const location = await startUpload(before, "app");
  await before.send("PATCH", location, patch([0, blob.byteLength - 1], blob));
  const after = testRegistry({ storage: before.storage });
  const response = await after.send(
    "PUT",
    `${location}?digest=${digestOf("x")}`,
  );
  await assertError(response, 400, "DIGEST_INVALID");
});

Deno.test("a zero-byte blob can be pushed with POST then an empty PUT", async () => {
  const t = testRegistry();
  const empty = digestOf(new Uint8Array(0));
  const location = await startUpload(t, "app");
  const put = await t.send("PUT", `${location}?digest=${empty}`);
  assert.equal(put.status, 201);
  const head = await t.send("HEAD", `/v2/app/blobs/${empty}`);
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("Content-Length"), "0");
});

Deno.test("pushing a blob the store already holds completes normally", async () => {
  const t = testRegistry();
  for (const repository of ["a", "b", "a"]) {
    const response = await t.send(
      "POST",
      `/v2/${repository}/blobs/uploads/?digest=${blobDigest}`,
      patch(undefined, blob),
    );
    assert.equal(response.status, 201);
  }
  const get = await t.send("GET", `/v2/b/blobs/${blobDigest}`);
  assert.deepEqual(new Uint8Array(await get.arrayBuffer()), blob);
});

Deno.test("upload writes answer 405 UNSUPPORTED on a read-only registry", async () => {
  const t = testRegistry({ readOnly: true });
  await assertError(
    await t.send("POST", "/v2/app/blobs/uploads/"),
    405,
    "UNSUPPORTED",
  );
  const location = `/v2/app/blobs/uploads/${crypto.randomUUID()}`;
  for (const method of ["PATCH", "PUT", "DELETE"]) {
    await assertError(await t.send(method, location), 405, "UNSUPPORTED");
  }
});

Deno.test("methods the upload routes do not take answer 405 UNSUPPORTED", async () => {
  const t = testRegistry();
  for (const method of ["GET", "PUT", "DELETE"]) {
    await assertError(
      await t.send(method, "/v2/app/blobs/uploads/"),
      405,
      "UNSUPPORTED",
    );
  }
  const location = await startUpload(t, "app");
  await assertError(await t.send("POST", location), 405, "UNSUPPORTED");
});

Deno.test("a chunk still arriving when the final PUT comes never reaches the blob", async () => {
  const t = testRegistry();
  const location = await startUpload(t, "race/app");
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  writer.write(bytes("early"));
  const patching = t.send("PATCH", location, { body: readable });
  await new Promise((resolve) => setTimeout(resolve, 20));

  const digest = digestOf(bytes("early"));
  const put = await t.send("PUT", `${location}?digest=${digest}`);
  writer.write(bytes("-late")).catch(() => {});
  writer.close().catch(() => {});
  await (await patching).body?.cancel();

  assert.equal(put.status, 201);
  const blob = await t.send("GET", `/v2/race/app/blobs/${digest}`);
  assert.equal(await blob.text(), "early");
});
