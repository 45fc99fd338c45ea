import assert from "node:assert/strict";
import { ClientAddresses } from "../../src/server/client_address.ts";
import { startServer } from "./_process.ts";

function info(remoteAddr: Deno.Addr): Deno.ServeHandlerInfo {
  return { remoteAddr, completed: Promise.resolve() };
}

Deno.test("ClientAddresses.key() gives the address recorded for the very request the registry gets", async () => {
  const addresses = new ClientAddresses();
  const seen: (string | undefined)[] = [];
  const handler = addresses.record((request) => {
    seen.push(addresses.key(request));
    return Promise.resolve(new Response());
  });
  await handler(
    new Request("http://x/v2/"),
    info({ transport: "tcp", hostname: "192.0.2.7", port: 40000 }),
  );
  await handler(new Request("http://x/v2/"));
  await handler(
    new Request("http://x/v2/"),
    info({ transport: "unix", path: "/run/registry.sock" }),
  );
  assert.deepEqual(seen, ["192.0.2.7", undefined, undefined]);
  assert.equal(addresses.key(new Request("http://x/v2/")), undefined);
});

Deno.test("main.ts --max-uploads-per-client refuses a second streamed upload from the same address with 429", async () => {
  const storage = await Deno.makeTempDir();
  // Metrics on: the metering layer wraps a streamed body in a new request,
  // which must still be traced to its client.
  const server = await startServer([
    "--port=0",
    `--storage=${storage}`,
    "--metrics",
    "--max-uploads-per-client=1",
  ]);
  const session = async () => {
    const response = await fetch(`${server.url}/v2/app/blobs/uploads/`, {
      method: "POST",
    });
    await response.body?.cancel();
    return new URL(response.headers.get("Location")!, server.url);
  };
  try {
    let send!: ReadableStreamDefaultController<Uint8Array>;
    const held = fetch(await session(), {
      method: "PATCH",
      body: new ReadableStream<Uint8Array>({
        start: (controller) => {
          send = controller;
        },
      }),
    });
    send.enqueue(new Uint8Array(100).fill(1));

    // The held upload takes its slot once the server reaches it; until
    // then a second upload may still go through, so try a few times.
    let refused: Response | undefined;
    const deadline = Date.now() + 10_000;
    while (!refused && Date.now() < deadline) {
      const response = await fetch(await session(), {
        method: "PATCH",
        body: new Uint8Array(10),
      });
      if (response.status === 429) refused = response;
      else await response.body?.cancel();
    }
    assert.ok(refused, "no upload was refused");
    assert.equal(refused.headers.get("Retry-After"), "1");
    assert.equal((await refused.json()).errors[0].code, "TOOMANYREQUESTS");

    send.close();
    const done = await held;
    await done.body?.cancel();
    assert.equal(done.status, 202);
    const after = await fetch(await session(), {
      method: "PATCH",
      body: new Uint8Array(10),
    });
    await after.body?.cancel();
    assert.equal(after.status, 202);
  } finally {
    const status = await server.stop();
    await Deno.remove(storage, { recursive: true });
    assert.equal(status.code, 0);
  }
});
