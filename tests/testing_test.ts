import assert from "node:assert/strict";
import { MemoryStorage } from "../src/storage/memory.ts";
import { startTestRegistry } from "../testing.ts";

async function pushBlob(url: string, repository: string, text: string) {
  const bytes = new TextEncoder().encode(text);
  const hash = await crypto.subtle.digest("SHA-256", bytes);
  const hex = Array.from(
    new Uint8Array(hash),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  const digest = `sha256:${hex}`;

  const start = await fetch(`${url}/v2/${repository}/blobs/uploads/`, {
    method: "POST",
  });
  await start.body?.cancel();
  assert.equal(start.status, 202);
  const upload = new URL(start.headers.get("Location")!, url);
  upload.searchParams.set("digest", digest);
  const put = await fetch(upload, { method: "PUT", body: bytes });
  await put.body?.cancel();
  assert.equal(put.status, 201);
  return digest;
}

Deno.test("startTestRegistry() serves on a free loopback port and stores blobs in memory", async () => {
  const registry = await startTestRegistry();
  try {
    assert.match(registry.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(registry.url, `http://${registry.host}`);
    assert.ok(registry.storage instanceof MemoryStorage);

    const digest = await pushBlob(registry.url, "demo/app", "hello");
    const got = await fetch(`${registry.url}/v2/demo/app/blobs/${digest}`);
    assert.equal(await got.text(), "hello");
  } finally {
    await registry.close();
  }
  await assert.rejects(() => fetch(`${registry.url}/v2/`));
});

Deno.test("startTestRegistry() runs two registries side by side", async () => {
  await using a = await startTestRegistry();
  await using b = await startTestRegistry();
  assert.notEqual(a.url, b.url);
  const digest = await pushBlob(a.url, "x", "only in a");
  const missing = await fetch(`${b.url}/v2/x/blobs/${digest}`);
  await missing.body?.cancel();
  assert.equal(missing.status, 404);
});

Deno.test("startTestRegistry() with temp storage removes its directory on close", async () => {
  let directory: string | undefined;
  {
    await using registry = await startTestRegistry({ storage: "temp" });
    directory = registry.directory!;
    await pushBlob(registry.url, "temp/app", "on disk");
    assert.ok((await Deno.stat(`${directory}/blobs`)).isDirectory);
  }
  await assert.rejects(() => Deno.stat(directory!), Deno.errors.NotFound);
});

Deno.test("startTestRegistry() uses a storage it is given and passes options on", async () => {
  const storage = new MemoryStorage();
  await using registry = await startTestRegistry({ storage, readOnly: true });
  assert.equal(registry.storage, storage);
  const start = await fetch(`${registry.url}/v2/a/blobs/uploads/`, {
    method: "POST",
  });
  await start.body?.cancel();
  assert.equal(start.status, 405);
});

Deno.test("close() may be called twice", async () => {
  const registry = await startTestRegistry();
  await registry.close();
  await registry.close();
});
