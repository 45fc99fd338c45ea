import assert from "node:assert/strict";
import { Drain } from "../../src/server/drain.ts";
import { stopAll } from "../../src/server/shutdown.ts";

Deno.test("stopAll() resolves true when every server stops before the deadline", async () => {
  const stopped: string[] = [];
  const server = (name: string, ms: number) => ({
    shutdown: () =>
      new Promise<void>((resolve) =>
        setTimeout(() => {
          stopped.push(name);
          resolve();
        }, ms)
      ),
  });
  assert.equal(
    await stopAll([server("a", 10), server("b", 30)], new Drain(), 1000),
    true,
  );
  assert.deepEqual(stopped, ["a", "b"]);
});

Deno.test("stopAll() resolves false at the deadline when a server hangs", async () => {
  const started = performance.now();
  const hung = { shutdown: () => new Promise<void>(() => {}) };
  assert.equal(await stopAll([hung], new Drain(), 50), false);
  assert.ok(performance.now() - started < 1000);
});

Deno.test("stopAll() waits for requests in flight before stopping servers", async () => {
  const events: string[] = [];
  const drain = new Drain();
  const { promise: release, resolve } = Promise.withResolvers<void>();
  const handler = drain.track(async () => {
    await release;
    events.push("request done");
    return new Response("ok");
  });
  const running = handler(new Request("http://x/v2/"));
  const server = {
    shutdown: () => {
      events.push("shutdown");
      return Promise.resolve();
    },
  };
  const stopping = stopAll([server], drain, 1000);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(events, []);
  resolve();
  assert.equal(await stopping, true);
  assert.equal((await running).status, 200);
  assert.deepEqual(events, ["request done", "shutdown"]);
});

Deno.test("Drain.track() answers 503 with an OCI error once draining", async () => {
  const drain = new Drain();
  const handler = drain.track(() => Promise.resolve(new Response("ok")));
  assert.equal((await handler(new Request("http://x/v2/"))).status, 200);
  await drain.drain();
  const refused = await handler(new Request("http://x/v2/"));
  assert.equal(refused.status, 503);
  const body = await refused.json();
  assert.equal(body.errors[0].code, "UNKNOWN");
  assert.equal(drain.inFlight, 0);
});
