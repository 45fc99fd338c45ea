/**
 * @module
 * Many clients at once: manifest GETs by tag (wrk) and blob HEADs (ab, as
 * wrk 4.1 cannot complete HEAD requests) from 64 connections, and thousands
 * of small blob pushes from 16 clients. A hello-world `Deno.serve` loaded
 * the same way, in the first repetition only, gives the ceiling that Deno's
 * HTTP stack leaves on this machine.
 */

import { makeSmallBlobs, type SmallBlob } from "../blobs.ts";
import {
  connect,
  MANIFEST_ACCEPT,
  pushImage,
  pushSmall,
} from "../registry_ops.ts";
import { orderFor, type Scenario, withRegistries } from "../scenario.ts";
import { type RunningServer, startHello } from "../servers.ts";
import { runAbHead } from "../ab.ts";
import { runWrk } from "../wrk.ts";

const CONNECTIONS = 64;
const PUSH_CLIENTS = 16;
const SMALL_BLOB = 4096;

/**
 * Loads `path` on each registry and on the hello server: GET with wrk, HEAD
 * with ab.
 */
function loadScenario(
  name: string,
  title: string,
  method: "GET" | "HEAD",
  pathOf: (image: { layerDigest: string }) => string,
): Scenario {
  return {
    name,
    title,
    unit: "req/s",
    better: "higher",
    budgetSeconds: 150,
    async run(context, recorder) {
      const layer = makeSmallBlobs(1, SMALL_BLOB, -1)[0];
      const hello = await startHello("");
      const load = async (server: RunningServer, path: string) => {
        const result = method === "HEAD"
          ? await runAbHead(
            server.baseUrl + path,
            CONNECTIONS,
            context.sizes.wrkSeconds,
          )
          : await runWrk({
            url: server.baseUrl + path,
            connections: CONNECTIONS,
            threads: 2,
            seconds: context.sizes.wrkSeconds,
            headers: { Accept: MANIFEST_ACCEPT },
          });
        return { value: result.requestsPerSecond, errors: result.errors };
      };
      try {
        await withRegistries(context.kinds, recorder, async (servers) => {
          const paths = new Map<string, string>();
          for (const [kind, server] of servers) {
            paths.set(
              kind,
              pathOf(await pushImage(server, "wrk", "latest", layer)),
            );
          }
          for (let rep = 0; rep < context.reps && recorder.hasTime(); rep++) {
            if (rep === 0) {
              await recorder.measure(
                { limit: "Deno.serve" },
                () => load(hello, "/"),
              );
            }
            for (const kind of orderFor(servers.keys(), rep)) {
              await recorder.measure(
                kind,
                () => load(servers.get(kind)!, paths.get(kind)!),
              );
            }
          }
        });
      } finally {
        await hello.stop();
      }
    },
  };
}

/** Manifest GET by tag with the OCI manifest Accept header. */
export const manifestGetScenario = loadScenario(
  "manifest-get",
  "Manifest GET by tag, 64 connections",
  "GET",
  () => "/v2/wrk/manifests/latest",
);

/** Blob HEAD by digest. */
export const blobHeadScenario = loadScenario(
  "blob-head",
  "Blob HEAD, 64 connections (ab)",
  "HEAD",
  (image) => `/v2/wrk/blobs/${image.layerDigest}`,
);

/** Distinct 4 KiB blob pushes (POST then PUT) from 16 clients. */
export const smallPushesScenario: Scenario = {
  name: "small-pushes",
  title: "4 KiB blob pushes, 16 clients",
  unit: "pushes/s",
  better: "higher",
  budgetSeconds: 150,
  async run(context, recorder) {
    const hello = await startHello("");
    try {
      await withRegistries(context.kinds, recorder, async (servers) => {
        for (let rep = 0; rep < context.reps && recorder.hasTime(); rep++) {
          const blobs = makeSmallBlobs(
            context.sizes.smallPushes,
            SMALL_BLOB,
            rep,
          );
          if (rep === 0) {
            await recorder.measure(
              { limit: "Deno.serve" },
              () => pushMany(hello, blobs, false),
            );
          }
          for (const kind of orderFor(servers.keys(), rep)) {
            await recorder.measure(
              kind,
              () => pushMany(servers.get(kind)!, blobs, true),
            );
          }
        }
      });
    } finally {
      await hello.stop();
    }
  },
};

/**
 * Pushes every blob from `PUSH_CLIENTS` kept-alive connections, then, when
 * `verify` is set, HEADs each one so that a push answered 201 but not stored
 * counts as an error.
 */
async function pushMany(
  server: RunningServer,
  blobs: SmallBlob[],
  verify: boolean,
): Promise<{ value: number; errors: number }> {
  const failed = new Set<SmallBlob>();
  const start = performance.now();
  await eachConcurrently(server, blobs, async (client, blob) => {
    try {
      await pushSmall(client, "small", blob);
    } catch {
      failed.add(blob);
      client.close();
    }
  });
  const elapsed = performance.now() - start;
  const pushed = blobs.length - failed.size;
  if (verify) {
    const stored = blobs.filter((blob) => !failed.has(blob));
    await eachConcurrently(server, stored, async (client, blob) => {
      const response = await client.request(
        "HEAD",
        `/v2/small/blobs/${blob.digest}`,
      ).catch(() => null);
      if (response?.status !== 200) failed.add(blob);
    });
  }
  return { value: pushed / (elapsed / 1000), errors: failed.size };
}

async function eachConcurrently(
  server: RunningServer,
  blobs: SmallBlob[],
  work: (client: ReturnType<typeof connect>, blob: SmallBlob) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: PUSH_CLIENTS }, async () => {
      const client = connect(server);
      try {
        while (next < blobs.length) await work(client, blobs[next++]);
      } finally {
        client.close();
      }
    }),
  );
}
