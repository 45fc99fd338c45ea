import assert from "node:assert/strict";
import { MemoryStorage } from "../../src/storage/memory.ts";
import type { Storage } from "../../src/storage/types.ts";
import { instrument } from "../../src/server/instrument.ts";
import { MeteredStorage } from "../../src/server/metered_storage.ts";
import { Metrics, metricsContentType } from "../../src/server/metrics.ts";
import { classifyRoute } from "../../src/server/route_class.ts";

/** Every line of the text exposition format is a comment or a sample. */
function assertExpositionFormat(text: string): void {
  assert.ok(text.endsWith("\n"));
  const sample =
    /^[a-z_:][a-z0-9_:]*(\{([a-z_]+="([^"\\\n]|\\.)*",?)*\})? -?[0-9.e+-]+$/i;
  for (const line of text.trimEnd().split("\n")) {
    if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue;
    assert.match(line, sample);
  }
}

Deno.test("classifyRoute() sorts API paths into route classes", () => {
  const cases: [string, string][] = [
    ["/v2/", "base"],
    ["/v2", "base"],
    ["/v2/_catalog", "catalog"],
    ["/v2/a/b/tags/list", "tags"],
    ["/v2/a/manifests/latest", "manifest"],
    ["/v2/a/blobs/sha256:abc", "blob"],
    ["/v2/a/blobs/uploads/", "upload"],
    ["/v2/a/blobs/uploads/123", "upload"],
    ["/v2/a/referrers/sha256:abc", "referrers"],
    ["/token", "other"],
    ["/favicon.ico", "other"],
  ];
  for (const [path, route] of cases) {
    assert.equal(classifyRoute(path), route, path);
  }
});

Deno.test("Metrics.render() is valid exposition format and shows GC counters at 0", () => {
  const metrics = new Metrics();
  const text = metrics.render();
  assertExpositionFormat(text);
  assert.match(text, /^registry_gc_runs_total 0$/m);
  assert.match(text, /^registry_gc_reclaimed_bytes_total 0$/m);
  assert.match(text, /^registry_uploads_in_flight 0$/m);
});

Deno.test("Metrics.recordGc() counts runs and reclaimed bytes", () => {
  const metrics = new Metrics();
  metrics.recordGc({ bytesReclaimed: 100 });
  metrics.recordGc({ bytesReclaimed: 50 });
  const text = metrics.render();
  assert.match(text, /^registry_gc_runs_total 2$/m);
  assert.match(text, /^registry_gc_reclaimed_bytes_total 150$/m);
});

Deno.test("Metrics.response() serves the text format content type", async () => {
  const response = new Metrics().response();
  assert.equal(response.headers.get("Content-Type"), metricsContentType);
  assertExpositionFormat(await response.text());
});

Deno.test("instrument() counts requests by route, method and status, and bytes", async () => {
  const metrics = new Metrics();
  const handler = instrument(async (request) => {
    const body = await request.text();
    const status = request.method === "PATCH" ? 202 : 404;
    return new Response(`got ${body.length}`, { status });
  }, metrics);

  const chunked = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new Uint8Array(7));
      controller.close();
    },
  });
  const patch = await handler(
    new Request("http://x/v2/a/blobs/uploads/1", {
      method: "PATCH",
      body: chunked,
    }),
  );
  assert.equal(await patch.text(), "got 7");
  const get = await handler(new Request("http://x/v2/a/manifests/latest"));
  await get.body?.cancel();

  assert.equal(
    metrics.requests.value({ route: "upload", method: "PATCH", status: "202" }),
    1,
  );
  assert.equal(
    metrics.requests.value({ route: "manifest", method: "GET", status: "404" }),
    1,
  );
  assert.equal(metrics.bytesIn.value({ route: "upload" }), 7);
  assert.equal(metrics.bytesOut.value({ route: "upload" }), 5);
  assert.equal(metrics.requestDuration.count({ route: "manifest" }), 1);
  assertExpositionFormat(metrics.render());
});

Deno.test("instrument() counts declared Content-Length without reading bodies", async () => {
  const metrics = new Metrics();
  const handler = instrument(
    () =>
      Promise.resolve(
        new Response("abc", { headers: { "Content-Length": "3" } }),
      ),
    metrics,
  );
  const response = await handler(
    new Request("http://x/v2/a/blobs/uploads/1", {
      method: "PUT",
      body: "12345",
      headers: { "Content-Length": "5" },
    }),
  );
  assert.equal(metrics.bytesIn.value({ route: "upload" }), 5);
  assert.equal(metrics.bytesOut.value({ route: "upload" }), 3);
  assert.equal(await response.text(), "abc");
});

Deno.test("instrument() keeps uploads in flight while an upload is served", async () => {
  const metrics = new Metrics();
  let during = -1;
  const handler = instrument(() => {
    during = metrics.uploadsInFlight.value();
    return Promise.resolve(new Response(null, { status: 202 }));
  }, metrics);
  await handler(
    new Request("http://x/v2/a/blobs/uploads/", { method: "POST" }),
  );
  assert.equal(during, 1);
  assert.equal(metrics.uploadsInFlight.value(), 0);
});

Deno.test("instrument() releases an upload in flight when the handler throws", async () => {
  const metrics = new Metrics();
  const handler = instrument(() => Promise.reject(new Error("boom")), metrics);
  await assert.rejects(
    () =>
      handler(new Request("http://x/v2/a/blobs/uploads/", { method: "POST" })),
    /boom/,
  );
  assert.equal(metrics.uploadsInFlight.value(), 0);
});

Deno.test("MeteredStorage times each operation and passes results through", async () => {
  const metrics = new Metrics();
  const storage = new MeteredStorage(new MemoryStorage(), metrics);
  await storage.write("a/b", new Uint8Array([1, 2, 3]));
  assert.equal((await storage.stat("a/b"))?.size, 3);
  assert.deepEqual(await storage.readBytes("a/b"), new Uint8Array([1, 2, 3]));
  assert.deepEqual(await storage.list("a/"), [{ name: "b", prefix: false }]);
  assert.equal(await storage.delete("a/b"), true);

  for (const operation of ["write", "stat", "readBytes", "list", "delete"]) {
    assert.equal(metrics.storageDuration.count({ operation }), 1, operation);
  }
  assert.equal(metrics.storageDuration.count({ operation: "move" }), 0);
  assertExpositionFormat(metrics.render());
});

Deno.test("MeteredStorage counts failed operations and rethrows", async () => {
  const metrics = new Metrics();
  const failing = new MemoryStorage() as Storage;
  failing.move = () => Promise.reject(new Error("no space"));
  const storage = new MeteredStorage(failing, metrics);
  await assert.rejects(() => storage.move("a", "b"), /no space/);
  assert.equal(metrics.storageErrors.value({ operation: "move" }), 1);
  assert.equal(metrics.storageDuration.count({ operation: "move" }), 1);
});
