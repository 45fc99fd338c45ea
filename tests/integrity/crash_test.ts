/**
 * Crash safety: a registry process on a file storage is killed with
 * SIGKILL at random moments while clients push to it, several times over
 * the same directory. Every push that was answered 201 must survive whole
 * and verify; what the kills interrupted may leave upload sessions and
 * unreferenced blobs behind, nothing worse; the restarted registry must
 * take pushes again; and no temporary file may show through the API.
 * The kills are of the process, not the machine: data the kernel had
 * accepted survives, so this tests the ordering of writes and renames,
 * not the syncs.
 *
 * @module
 */

import assert from "node:assert/strict";
import { collectGarbage } from "../../src/maintenance/gc.ts";
import { verifyStore } from "../../src/maintenance/verify.ts";
import { createRegistry } from "../../src/registry.ts";
import { FileStorage } from "../../src/storage/filesystem.ts";
import type { Storage } from "../../src/storage/types.ts";
import { Client, imageIndex, prng, uniqueBytes } from "./_client.ts";

const rounds = 5;
const pushers = 8;
const serverModule = new URL("./_server.ts", import.meta.url).pathname;

/** A push that was answered 201. */
interface Success {
  repository: string;
  tag: string;
  digest: string;
}

interface Server {
  client: Client;
  kill(): Promise<void>;
}

async function startServer(dir: string): Promise<Server> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", serverModule, dir],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let output = "";
  const port = await (async () => {
    while (!output.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) break;
      output += value;
    }
    return Number(output.trim().split("\n")[0]);
  })();
  const drained = (async () => {
    while (!(await lines.read()).done) { /* keep the pipe flowing */ }
  })();
  if (!Number.isInteger(port) || port <= 0) {
    child.kill("SIGKILL");
    await child.status;
    throw new Error(`server did not start: ${output}\n${await stderr}`);
  }

  const http = Deno.createHttpClient({});
  const client = new Client(
    (request) => fetch(request, { client: http }),
    `http://127.0.0.1:${port}`,
  );
  return {
    client,
    kill: async () => {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
      await child.status;
      await drained;
      await stderr;
      http.close();
    },
  };
}

/** Pushes images until the server stops answering; records successes. */
async function pushUntilKilled(
  client: Client,
  round: number,
  worker: number,
  base: Uint8Array<ArrayBuffer>,
  random: () => number,
  successes: Success[],
): Promise<void> {
  const repository = `crash/r${worker % 3}`;
  for (let i = 0;; i++) {
    const tag = `r${round}-w${worker}-i${i}`;
    try {
      const size = 1000 + Math.floor(random() * 400_000);
      const chunks = 1 + Math.floor(random() * 4);
      const image = await client.pushImage(repository, tag, [
        base,
        uniqueBytes(size),
      ], { chunks });
      successes.push({ repository, tag, digest: image.manifest.digest });
      if (random() < 0.3) {
        const indexTag = `${tag}-index`;
        const index = await client.pushManifest(
          repository,
          indexTag,
          imageIndex([image.manifest]),
        );
        successes.push({ repository, tag: indexTag, digest: index.digest });
      }
    } catch {
      // The server was killed: this push may be half done, which is fine.
      return;
    }
  }
}

/** Every key below `prefix`, through the storage interface. */
async function allKeys(storage: Storage, prefix = ""): Promise<string[]> {
  const keys: string[] = [];
  for (const entry of await storage.list(prefix)) {
    if (entry.prefix) {
      keys.push(...await allKeys(storage, `${prefix}${entry.name}/`));
    } else keys.push(prefix + entry.name);
  }
  return keys;
}

async function assertSurvived(client: Client, successes: Success[]) {
  for (const { repository, tag, digest } of successes) {
    assert.equal(await client.pullAll(repository, tag), digest, tag);
    assert.equal(await client.pullAll(repository, digest), digest, tag);
  }
}

Deno.test("a registry killed at random moments keeps every push it confirmed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "integrity_crash_" });
  const random = prng(Number(Deno.env.get("CRASH_SEED") ?? 20240611));
  const base = uniqueBytes(150_000);
  const successes: Success[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const server = await startServer(dir);
      const pushing = Array.from(
        { length: pushers },
        (_, worker) =>
          pushUntilKilled(
            server.client,
            round,
            worker,
            base,
            random,
            successes,
          ),
      );
      await new Promise((resolve) =>
        setTimeout(resolve, 300 + Math.floor(random() * 1200))
      );
      await server.kill();
      await Promise.all(pushing);
    }
    assert.ok(successes.length > rounds, `only ${successes.length} pushes`);

    const server = await startServer(dir);
    try {
      await assertSurvived(server.client, successes);
      const again = await server.client.pushImage("crash/r0", "again", [
        base,
        uniqueBytes(5000),
      ], { chunks: 2 });
      assert.equal(
        await server.client.pullAll("crash/r0", "again"),
        again.manifest.digest,
      );
      const catalog = await server.client.request("GET", "/v2/_catalog");
      const { repositories } = await catalog.json();
      assert.deepEqual(repositories, ["crash/r0", "crash/r1", "crash/r2"]);
      for (const repository of repositories) {
        const list = await server.client.request(
          "GET",
          `/v2/${repository}/tags/list`,
        );
        for (const tag of (await list.json()).tags) {
          assert.match(tag, /^(r\d+-w\d+-i\d+(-index)?|again)$/);
        }
      }
    } finally {
      await server.kill();
    }

    const storage = new FileStorage(dir);
    assert.deepEqual(
      (await allKeys(storage)).filter((key) => key.includes("/.tmp-")),
      [],
    );
    const report = await verifyStore(storage);
    assert.deepEqual(report.corrupt, []);
    assert.deepEqual(report.missing, []);
    assert.deepEqual(report.warnings, []);

    // What the kills left behind is garbage; collecting it keeps every
    // confirmed push whole.
    await collectGarbage(storage, {
      now: new Date(Date.now() + 48 * 60 * 60 * 1000),
    });
    assert.equal((await verifyStore(storage)).clean, true);
    // Directories of sessions killed before their record was written may
    // stay (collection cannot tell them from sessions being created), but
    // no session with anything in it.
    assert.deepEqual(await allKeys(storage, "uploads/"), []);
    const registry = createRegistry({ storage });
    await assertSurvived(
      new Client((request) => registry.fetch(request)),
      successes,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
