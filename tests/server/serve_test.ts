import assert from "node:assert/strict";
import { MemoryStorage } from "../../src/storage/memory.ts";
import { Drain } from "../../src/server/drain.ts";
import { Metrics } from "../../src/server/metrics.ts";
import {
  createHandler,
  listen,
  metricsHandler,
} from "../../src/server/serve.ts";

const registry = (request: Request) =>
  Promise.resolve(new Response(`registry ${new URL(request.url).pathname}`));

Deno.test("createHandler() answers /healthz and /readyz itself", async () => {
  const handler = createHandler({
    registry,
    storage: new MemoryStorage(),
    log: () => {},
  });
  assert.equal(
    await (await handler(new Request("http://x/healthz"))).text(),
    "ok\n",
  );
  assert.equal((await handler(new Request("http://x/readyz"))).status, 200);
  assert.equal(
    await (await handler(new Request("http://x/v2/"))).text(),
    "registry /v2/",
  );
});

Deno.test("createHandler() serves /metrics only when asked to", async () => {
  const metrics = new Metrics();
  const on = createHandler({
    registry,
    storage: new MemoryStorage(),
    log: () => {},
    metrics,
    serveMetrics: true,
  });
  const off = createHandler({
    registry,
    storage: new MemoryStorage(),
    log: () => {},
    metrics,
  });
  await (await on(new Request("http://x/v2/"))).text();
  const text = await (await on(new Request("http://x/metrics"))).text();
  assert.match(
    text,
    /registry_http_requests_total\{route="base",method="GET",status="200"\} 1/,
  );
  assert.equal(
    await (await off(new Request("http://x/metrics"))).text(),
    "registry /metrics",
  );
});

Deno.test("createHandler() passes non-GET requests to health paths on to the registry", async () => {
  const handler = createHandler({
    registry,
    storage: new MemoryStorage(),
    log: () => {},
  });
  const response = await handler(
    new Request("http://x/healthz", { method: "POST" }),
  );
  assert.equal(await response.text(), "registry /healthz");
});

Deno.test("metricsHandler() answers /metrics and 404 elsewhere", async () => {
  const handler = metricsHandler(new Metrics());
  assert.equal((await handler(new Request("http://x/metrics"))).status, 200);
  const other = await handler(new Request("http://x/v2/"));
  await other.body?.cancel();
  assert.equal(other.status, 404);
});

Deno.test("listen() binds port 0 to a free port and reports its URL", async () => {
  const { server, url } = listen(registry, { host: "127.0.0.1", port: 0 });
  try {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(server.addr.port, 0);
    const response = await fetch(`${url}/v2/`);
    assert.equal(await response.text(), "registry /v2/");
  } finally {
    await server.shutdown();
  }
});

Deno.test("createHandler() reports not ready and turns API requests away while draining", async () => {
  const drain = new Drain();
  const handler = createHandler({
    registry,
    storage: new MemoryStorage(),
    log: () => {},
    drain,
  });
  const before = await handler(new Request("http://x/readyz"));
  await before.body?.cancel();
  assert.equal(before.status, 200);

  await drain.drain();
  const statusOf = async (path: string) => {
    const response = await handler(new Request(`http://x${path}`));
    await response.body?.cancel();
    return response.status;
  };
  assert.equal(await statusOf("/readyz"), 503);
  assert.equal(await statusOf("/healthz"), 200);
  assert.equal(await statusOf("/v2/"), 503);
});
