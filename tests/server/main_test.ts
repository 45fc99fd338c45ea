import assert from "node:assert/strict";
import { runMain, sha256Digest, startServer } from "./_process.ts";

/** Polls `condition` until it holds, failing after five seconds. */
async function until(condition: () => boolean | Promise<boolean>) {
  const deadline = Date.now() + 5000;
  while (!await condition()) {
    if (Date.now() > deadline) throw new Error("condition never held");
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("main.ts serves the API on the port it reports, and stops on SIGTERM with status 0", async () => {
  const storage = await Deno.makeTempDir();
  const server = await startServer(["--port", "0", "--storage", storage]);
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${server.url}/v2/`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {});

    const startup = server.lines.find((l) => l.includes(" listening "))!;
    assert.match(
      startup,
      new RegExp(`storage=${await Deno.realPath(storage)}`),
    );
    assert.match(startup, /auth=none/);
    assert.ok(server.lines.some((l) => / WARN .*open/.test(l)));
  } finally {
    const status = await server.stop();
    await Deno.remove(storage, { recursive: true });
    assert.equal(status.code, 0);
  }
  assert.ok(
    server.lines.some((l) =>
      / INFO request method=GET path=\/v2\/ status=200 /.test(l)
    ),
    server.lines.join("\n"),
  );
});

Deno.test("main.ts lets an in-flight upload finish after SIGTERM, turns new requests away, then exits 0", async () => {
  const storage = await Deno.makeTempDir();
  const server = await startServer([
    "--port=0",
    `--storage=${storage}`,
    "--metrics",
  ]);
  const client = Deno.createHttpClient({});
  try {
    const start = await fetch(`${server.url}/v2/slow/blobs/uploads/`, {
      method: "POST",
    });
    await start.body?.cancel();
    assert.equal(start.status, 202);
    const location = new URL(start.headers.get("Location")!, server.url);

    const first = new Uint8Array(1000).fill(1);
    const second = new Uint8Array(500).fill(2);
    let send!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        send = controller;
      },
    });
    const patch = fetch(location, {
      method: "PATCH",
      body,
      headers: { "Content-Type": "application/octet-stream" },
    });
    send.enqueue(first);
    await until(async () => {
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      return /^registry_uploads_in_flight 1$/m.test(metrics);
    });

    server.child.kill("SIGTERM");
    await until(() => server.lines.some((l) => l.includes("shutting down")));
    const refused = await fetch(`${server.url}/v2/`, { client });
    await refused.body?.cancel();
    assert.equal(refused.status, 503);

    send.enqueue(second);
    send.close();
    const response = await patch;
    await response.body?.cancel();
    assert.equal(response.status, 202);
    assert.equal(response.headers.get("Range"), "0-1499");

    const status = await server.exited;
    assert.equal(status.code, 0);
    await assert.rejects(() => fetch(`${server.url}/v2/`, { client }));
  } finally {
    client.close();
    await server.stop();
    await Deno.remove(storage, { recursive: true });
  }
});

Deno.test("main.ts with --log-format json writes JSON lines and pushes a blob", async () => {
  const storage = await Deno.makeTempDir();
  const server = await startServer([
    "--port=0",
    `--storage=${storage}`,
    "--log-format=json",
    "--metrics",
  ]);
  try {
    const blob = new TextEncoder().encode("hello from main");
    const digest = await sha256Digest(blob);
    const start = await fetch(`${server.url}/v2/app/blobs/uploads/`, {
      method: "POST",
    });
    await start.body?.cancel();
    const put = new URL(start.headers.get("Location")!, server.url);
    put.searchParams.set("digest", digest);
    const done = await fetch(put, { method: "PUT", body: blob });
    await done.body?.cancel();
    assert.equal(done.status, 201);

    const got = await fetch(`${server.url}/v2/app/blobs/${digest}`);
    assert.equal(await got.text(), "hello from main");

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(
      metrics,
      /registry_http_requests_total\{route="upload",method="PUT",status="201"\} 1/,
    );
    assert.match(
      metrics,
      /registry_storage_operation_duration_seconds_count\{operation="write"\} [1-9]/,
    );
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(await ready.text(), "ready\n");
  } finally {
    await server.stop();
    await Deno.remove(storage, { recursive: true });
  }
  const events = server.lines.map((l) => JSON.parse(l));
  const putEvent = events.find((e) =>
    e.msg === "request" && e.method === "PUT"
  );
  assert.ok(putEvent, server.lines.join("\n"));
  assert.equal(putEvent.status, 201);
  assert.ok(!putEvent.path.includes("?"), "query string stripped");
  assert.equal(typeof putEvent.requestId, "string");
});

Deno.test("main.ts exits 2 with a message on stderr for an unknown flag", async () => {
  const result = await runMain(["--prot", "5000"]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /unknown flag '--prot'/);
});

Deno.test("main.ts exits 2 for a bad environment value or config key", async () => {
  const env = await runMain([], { REGISTRY_PORT: "fifty" });
  assert.equal(env.code, 2);
  assert.match(env.stderr, /REGISTRY_PORT/);

  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/c.yaml`, "listen: 1\n");
    const file = await runMain(["--config", `${dir}/c.yaml`]);
    assert.equal(file.code, 2);
    assert.match(file.stderr, /unknown key 'listen'/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main.ts --help documents flags and exits 0", async () => {
  const result = await runMain(["--help"]);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /--max-manifest-size <bytes>/);
  assert.match(result.stdout, /REGISTRY_MAX_MANIFEST_SIZE/);
});

Deno.test("main.ts with REGISTRY_PASSWORD and --anonymous pull lets anyone pull but only the password push", async () => {
  const storage = await Deno.makeTempDir();
  const server = await startServer(
    ["--port=0", `--storage=${storage}`, "--anonymous=pull"],
    { REGISTRY_PASSWORD: "correct horse" },
  );
  try {
    // Anonymous pulls work: an unknown repository is a 404, not a 401.
    const pull = await fetch(`${server.url}/v2/app/tags/list`);
    await pull.body?.cancel();
    assert.equal(pull.status, 404);

    const anonymous = await fetch(`${server.url}/v2/app/blobs/uploads/`, {
      method: "POST",
    });
    await anonymous.body?.cancel();
    assert.equal(anonymous.status, 401);

    const authorized = await fetch(`${server.url}/v2/app/blobs/uploads/`, {
      method: "POST",
      headers: { Authorization: `Basic ${btoa("ci:correct horse")}` },
    });
    await authorized.body?.cancel();
    assert.equal(authorized.status, 202);
  } finally {
    await server.stop();
    await Deno.remove(storage, { recursive: true });
  }
  const log = server.lines.join("\n");
  assert.match(log, / listening .*auth=master-password anonymous=pull/);
  assert.ok(!log.includes("correct horse"));
  assert.ok(!/ WARN .*open/.test(log));
});

Deno.test("main.ts with --metrics-address serves /metrics only on that listener", async () => {
  const storage = await Deno.makeTempDir();
  const server = await startServer([
    "--port=0",
    `--storage=${storage}`,
    "--metrics-address=127.0.0.1:0",
  ]);
  try {
    const startup = server.lines.find((l) => l.includes(" listening "))!;
    const metricsUrl = startup.match(/metrics=(\S+)/)![1];
    assert.notEqual(new URL(metricsUrl).port, new URL(server.url).port);

    const base = await fetch(`${server.url}/v2/`);
    await base.body?.cancel();
    const metrics = await (await fetch(metricsUrl)).text();
    assert.match(
      metrics,
      /registry_http_requests_total\{route="base",method="GET",status="200"\} 1/,
    );

    const onMain = await fetch(`${server.url}/metrics`);
    await onMain.body?.cancel();
    assert.equal(onMain.status, 404);
  } finally {
    await server.stop();
    await Deno.remove(storage, { recursive: true });
  }
});

Deno.test("main.ts exits 1 with a message when its port is taken", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const storage = await Deno.makeTempDir();
  try {
    const port = (taken.addr as Deno.NetAddr).port;
    const result = await runMain([
      "--port",
      String(port),
      "--storage",
      storage,
    ]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /cannot listen/);
  } finally {
    taken.close();
    await Deno.remove(storage, { recursive: true });
  }
});
