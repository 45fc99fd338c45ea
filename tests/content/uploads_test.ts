import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { UploadHashes } from "../../src/content/upload_hashes.ts";
import { uploadInfoKey } from "../../src/content/keys.ts";
import {
  appendUpload,
  completeUpload,
  createUpload,
  uploadSize,
} from "../../src/content/uploads.ts";
import { RegistryError } from "../../src/protocol/errors.ts";
import { parseDigest } from "../../src/protocol/names.ts";
import { MemoryStorage } from "../../src/storage/memory.ts";

const encode = (text: string) => new TextEncoder().encode(text);
const digestOf = (text: string) =>
  parseDigest(`sha256:${createHash("sha256").update(text).digest("hex")}`);

Deno.test("appendUpload() refuses a chunk at the wrong offset with 416 and the current Range", async () => {
  const storage = new MemoryStorage();
  const hashes = new UploadHashes();
  const id = await createUpload(storage, "app");
  assert.equal(await appendUpload(storage, hashes, id, 0, encode("abc")), 3);
  await assert.rejects(
    appendUpload(storage, hashes, id, 1, encode("zz")),
    (error) => {
      assert.ok(error instanceof RegistryError);
      assert.equal(error.status, 416);
      assert.equal(error.code, "BLOB_UPLOAD_INVALID");
      assert.equal(error.headers.get("Range"), "0-2");
      return true;
    },
  );
  assert.equal(await uploadSize(storage, "app", id), 3);
});

Deno.test("completeUpload() hashes from storage when no running hash is at hand", async () => {
  const storage = new MemoryStorage();
  const id = await createUpload(storage, "app");
  await appendUpload(storage, new UploadHashes(), id, 0, encode("hello "));
  await appendUpload(storage, new UploadHashes(), id, 6, encode("world"));
  const size = await completeUpload(
    storage,
    new UploadHashes(),
    "app",
    id,
    digestOf("hello world"),
  );
  assert.equal(size, 11);
  assert.deepEqual(
    await storage.readBytes(
      `blobs/sha256/${digestOf("hello world").hex.slice(0, 2)}/${
        digestOf("hello world").hex
      }`,
    ),
    encode("hello world"),
  );
});

Deno.test("uploadSize() refuses a session of another repository", async () => {
  const storage = new MemoryStorage();
  const id = await createUpload(storage, "owner");
  await assert.rejects(
    uploadSize(storage, "other", id),
    (error: RegistryError) => error.code === "BLOB_UPLOAD_UNKNOWN",
  );
});

Deno.test("a session whose record a crash tore is an unknown session", async () => {
  const storage = new MemoryStorage();
  const id = await createUpload(storage, "app");
  await storage.write(uploadInfoKey(id), new TextEncoder().encode('{"repo'));
  await assert.rejects(
    uploadSize(storage, "app", id),
    (error: RegistryError) => error.code === "BLOB_UPLOAD_UNKNOWN",
  );
});
