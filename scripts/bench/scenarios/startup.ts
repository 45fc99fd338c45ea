/**
 * @module
 * Start-up time: milliseconds from spawning a registry to its first
 * answered `GET /v2/`, on an empty store and on a store holding many tags
 * (one small manifest pushed under each, through the API, so both
 * registries hold exactly what their own code wrote). A hello-world
 * `Deno.serve` started the same way is Deno's own floor.
 */

import { makeSmallBlobs } from "../blobs.ts";
import { makeTempDir, removeTempDir } from "../cleanup.ts";
import { connect, pushImage, putManifest } from "../registry_ops.ts";
import {
  BudgetExceeded,
  orderFor,
  type Recorder,
  type RegistryKind,
  type Scenario,
  startRegistry,
} from "../scenario.ts";
import { startHello } from "../servers.ts";

const TAG_CLIENTS = 16;

/** Time to first answer on an empty store. */
export const startupEmptyScenario: Scenario = {
  name: "startup-empty",
  title: "Start-up to first GET /v2/, empty store",
  unit: "ms",
  better: "lower",
  budgetSeconds: 90,
  async run(context, recorder) {
    // One untimed start each, so that Deno's module cache is warm.
    // A failure here shows again, and is filed, in the timed starts.
    for (const kind of context.kinds) {
      await timeStart(kind, null).catch(() => {});
    }
    for (let rep = 0; rep < context.reps && recorder.hasTime(); rep++) {
      await recorder.measure({ limit: "Deno.serve" }, async () => {
        const hello = await startHello("");
        await hello.stop();
        return { value: hello.readyMs };
      });
      for (const kind of orderFor(context.kinds, rep)) {
        await recorder.measure(kind, () => timeStart(kind, null));
      }
    }
  },
};

/** Time to first answer on a store holding `sizes.tags` tags. */
export const startupTagsScenario: Scenario = {
  name: "startup-tags",
  title: "Start-up to first GET /v2/, tagged store",
  unit: "ms",
  better: "lower",
  budgetSeconds: 240,
  async run(context, recorder) {
    const tags = context.sizes.tags;
    const dirs = new Map<RegistryKind, string>();
    try {
      for (const kind of context.kinds) {
        const dir = await makeTempDir(`${kind}-tags`);
        try {
          await recorder.guard(() => fillTags(kind, dir, tags, recorder));
          dirs.set(kind, dir);
        } catch (error) {
          await removeTempDir(dir);
          if (error instanceof BudgetExceeded) throw error;
          recorder.fail(kind, error);
        }
      }
      for (let rep = 0; rep < context.reps && recorder.hasTime(); rep++) {
        for (const kind of orderFor(dirs.keys(), rep)) {
          await recorder.measure(kind, () => timeStart(kind, dirs.get(kind)!));
        }
      }
    } finally {
      for (const dir of dirs.values()) await removeTempDir(dir);
    }
  },
};

/** Starts `kind` on `dir` (or a fresh directory), times it, stops it. */
async function timeStart(
  kind: RegistryKind,
  dir: string | null,
): Promise<{ value: number }> {
  const storage = dir ?? await makeTempDir(`${kind}-start`);
  try {
    const server = await startRegistry(kind, storage);
    await server.stop();
    return { value: server.readyMs };
  } finally {
    if (dir === null) await removeTempDir(storage);
  }
}

/** Pushes one image and tags its manifest `tags` times, 16 clients at once. */
async function fillTags(
  kind: RegistryKind,
  dir: string,
  tags: number,
  recorder: Recorder,
): Promise<void> {
  const server = await startRegistry(kind, dir);
  try {
    const layer = makeSmallBlobs(1, 4096, -2)[0];
    const image = await pushImage(server, "tags", "tag-0", layer);
    const start = performance.now();
    let next = 1;
    await Promise.all(
      Array.from({ length: TAG_CLIENTS }, async () => {
        const client = connect(server);
        try {
          while (next < tags) {
            await putManifest(client, "tags", `tag-${next++}`, image.manifest);
          }
        } finally {
          client.close();
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    recorder.note(
      `${kind}: tagged ${tags - 1} manifests in ${seconds.toFixed(1)} s ` +
        `(${Math.round((tags - 1) / seconds)} tag PUTs/s, 16 clients)`,
    );
  } finally {
    await server.stop();
  }
}
