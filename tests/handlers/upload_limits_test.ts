import assert from "node:assert/strict";
import type { Auth } from "../../src/auth/types.ts";
import { UploadLimits } from "../../src/handlers/upload_limits.ts";
import { RegistryError } from "../../src/protocol/errors.ts";
import {
  allKeys,
  assertError,
  bytes,
  digestOf,
  startUpload,
  testRegistry,
} from "./_helpers.ts";

/** A request body that is not read until the registry asks for it, and
 * then holds the request open until `finish` or `fail` is called. */
function heldBody(content: Uint8Array) {
  const reading = Promise.withResolvers<void>();
  const gate = Promise.withResolvers<boolean>();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      reading.resolve();
      if (await gate.promise) {
        controller.enqueue(content);
        controller.close();
      } else {
        controller.error(new Error("connection lost"));
      }
    },
  }, { highWaterMark: 0 });
  return {
    body,
    /** Resolves once the registry has begun reading the body. */
    reading: reading.promise,
    finish: () => gate.resolve(true),
    fail: () => gate.resolve(false),
  };
}

const chunk = bytes("some bytes of a layer");

function refusal(limits: UploadLimits, client?: string): RegistryError {
  try {
    limits.acquire(client);
  } catch (error) {
    assert.ok(error instanceof RegistryError);
    return error;
  }
  assert.fail("acquire() should have refused");
}

Deno.test("UploadLimits.acquire() refuses with 429 and Retry-After once the total is reached", () => {
  const limits = new UploadLimits(2, 10);
  limits.acquire("a");
  const release = limits.acquire("b");
  const error = refusal(limits, "c");
  assert.equal(error.code, "TOOMANYREQUESTS");
  assert.equal(error.status, 429);
  assert.equal(error.headers.get("Retry-After"), "1");
  release();
  limits.acquire("c");
  assert.equal(limits.active, 2);
});

Deno.test("UploadLimits.acquire() limits each client on its own", () => {
  const limits = new UploadLimits(10, 2);
  limits.acquire("a");
  const release = limits.acquire("a");
  assert.equal(refusal(limits, "a").code, "TOOMANYREQUESTS");
  limits.acquire("b");
  release();
  limits.acquire("a");
  assert.equal(limits.active, 3);
});

Deno.test("UploadLimits.acquire() counts a client without a key toward the total only", () => {
  const limits = new UploadLimits(3, 1);
  limits.acquire(undefined);
  limits.acquire(undefined);
  limits.acquire(undefined);
  assert.equal(refusal(limits, undefined).code, "TOOMANYREQUESTS");
});

Deno.test("UploadLimits: releasing a slot twice gives it back once", () => {
  const limits = new UploadLimits(2, 2);
  const release = limits.acquire("a");
  limits.acquire("a");
  release();
  release();
  assert.equal(limits.active, 1);
  limits.acquire("a");
  assert.equal(refusal(limits, "a").code, "TOOMANYREQUESTS");
});

Deno.test("the upload over maxConcurrentUploads gets 429 and changes nothing; after one finishes a new one goes through", async () => {
  const t = testRegistry({
    maxConcurrentUploads: 2,
    maxConcurrentUploadsPerClient: 10,
  });
  const held = [heldBody(chunk), heldBody(chunk)];
  const patches = [];
  for (const { body } of held) {
    const location = await startUpload(t, "app");
    patches.push(t.send("PATCH", location, { body }));
  }
  await Promise.all(held.map((h) => h.reading));
  const before = await allKeys(t.storage);

  // A PATCH, a monolithic POST and a PUT with the final chunk: each is
  // refused before its body is read.
  const third = await startUpload(t, "app");
  const after = await allKeys(t.storage);
  const unread = heldBody(chunk);
  const patch = await t.send("PATCH", third, { body: unread.body });
  await assertError(patch, 429, "TOOMANYREQUESTS");
  assert.equal(patch.headers.get("Retry-After"), "1");
  const post = await t.send(
    "POST",
    `/v2/app/blobs/uploads/?digest=${digestOf(chunk)}`,
    { body: heldBody(chunk).body },
  );
  await assertError(post, 429, "TOOMANYREQUESTS");
  const put = await t.send("PUT", `${third}?digest=${digestOf(chunk)}`, {
    body: heldBody(chunk).body,
  });
  await assertError(put, 429, "TOOMANYREQUESTS");
  assert.deepEqual(await allKeys(t.storage), after);
  assert.equal(after.length, before.length + 1, "only the new session");
  const session = await t.send("GET", third);
  assert.equal(session.headers.get("Range"), "0-0");
  assert.equal(
    (await t.send("HEAD", `/v2/app/blobs/${digestOf(chunk)}`)).status,
    404,
  );

  held[0].finish();
  assert.equal((await patches[0]).status, 202);
  const again = await t.send("PATCH", third, { body: chunk });
  assert.equal(again.status, 202);
  assert.equal(again.headers.get("Range"), `0-${chunk.byteLength - 1}`);
  held[1].finish();
  assert.equal((await patches[1]).status, 202);
});

Deno.test("maxConcurrentUploadsPerClient refuses one client's extra upload while another client's goes through", async () => {
  const t = testRegistry({
    maxConcurrentUploadsPerClient: 1,
    clientKey: (request) => request.headers.get("x-test-client") ?? undefined,
  });
  const held = heldBody(chunk);
  const pending = t.send("PATCH", await startUpload(t, "app"), {
    body: held.body,
    headers: { "x-test-client": "10.0.0.1" },
  });
  await held.reading;

  const same = await t.send("PATCH", await startUpload(t, "app"), {
    body: chunk,
    headers: { "x-test-client": "10.0.0.1" },
  });
  await assertError(same, 429, "TOOMANYREQUESTS");
  const other = await t.send("PATCH", await startUpload(t, "app"), {
    body: chunk,
    headers: { "x-test-client": "10.0.0.2" },
  });
  assert.equal(other.status, 202);

  held.finish();
  assert.equal((await pending).status, 202);
});

Deno.test("maxConcurrentUploadsPerClient counts a logged-in user by name, whatever address it comes from", async () => {
  const auth: Auth = {
    authenticate: (request) => {
      const user = request.headers.get("x-test-user");
      return user ? { name: user } : undefined;
    },
    permissions: () => ["pull", "push"],
    challenge: () => 'Basic realm="test"',
  };
  const t = testRegistry({
    auth,
    maxConcurrentUploadsPerClient: 1,
    clientKey: (request) => request.headers.get("x-test-client") ?? undefined,
  });
  const held = heldBody(chunk);
  const pending = t.send("PATCH", await startUpload(t, "app"), {
    body: held.body,
    headers: { "x-test-user": "ci", "x-test-client": "10.0.0.1" },
  });
  await held.reading;

  const elsewhere = await t.send("PATCH", await startUpload(t, "app"), {
    body: chunk,
    headers: { "x-test-user": "ci", "x-test-client": "10.0.0.2" },
  });
  await assertError(elsewhere, 429, "TOOMANYREQUESTS");
  const anonymous = await t.send("PATCH", await startUpload(t, "app"), {
    body: chunk,
    headers: { "x-test-client": "10.0.0.1" },
  });
  assert.equal(anonymous.status, 202);

  held.finish();
  assert.equal((await pending).status, 202);
});

Deno.test("an upload whose body fails gives its slot back", async () => {
  const t = testRegistry({ maxConcurrentUploads: 1 });
  const held = heldBody(chunk);
  const pending = t.send("PATCH", await startUpload(t, "app"), {
    body: held.body,
  });
  await held.reading;
  held.fail();
  const failed = await pending;
  await failed.body?.cancel();
  assert.notEqual(failed.status, 202);

  const next = await t.send("PATCH", await startUpload(t, "app"), {
    body: chunk,
  });
  assert.equal(next.status, 202);
});

Deno.test("requests without a body are never limited", async () => {
  const t = testRegistry({ maxConcurrentUploads: 1 });
  const held = heldBody(chunk);
  const location = await startUpload(t, "app");
  const pending = t.send("PATCH", location, { body: held.body });
  await held.reading;

  const other = await startUpload(t, "app");
  assert.equal((await t.send("GET", other)).status, 204);
  assert.equal(
    (await t.send("PUT", `${other}?digest=${digestOf("")}`)).status,
    201,
  );

  held.finish();
  assert.equal((await pending).status, 202);
});
