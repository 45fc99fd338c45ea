/**
 * @module
 * Large-blob throughput: a monolithic push, a chunked push in 8 MiB PATCHes,
 * and a pull, each of the whole large blob, in MB/s. Pushes are framed by the
 * disk's fsync'd write rate (dd) and by a hello-world `Deno.serve` that
 * receives the same requests and drops the bytes; the pull by that server
 * streaming the same file. Limits are measured in the first repetition
 * only: they frame the comparison rather than take part in it.
 */

import { diskWriteRate } from "../machine.ts";
import { pullBlob, pushChunked, pushMonolithic } from "../registry_ops.ts";
import {
  megabytesPerSecond,
  orderFor,
  type Scenario,
  settleDisk,
  withRegistries,
} from "../scenario.ts";
import { startHello } from "../servers.ts";

const CHUNK = 8 * 1024 * 1024;

/** Monolithic push: POST, then one PUT ?digest= with the whole body. */
export const pushMonolithicScenario: Scenario = {
  name: "push-monolithic",
  title: "Monolithic push of the large blob",
  unit: "MB/s",
  better: "higher",
  budgetSeconds: 150,
  async run(context, recorder) {
    const blob = await context.bigBlob();
    const hello = await startHello("");
    try {
      await withRegistries(context.kinds, recorder, async (servers) => {
        for (let rep = 0; rep < context.reps && recorder.hasTime(); rep++) {
          if (rep === 0) {
            await recorder.measure({ limit: "dd" }, async () => ({
              value: await diskWriteRate(context.workDir, blob.size / 2 ** 20) /
                1e6,
            }));
          }
          if (rep === 0) {
            await recorder.measure({ limit: "Deno.serve" }, async () => ({
              value: megabytesPerSecond(
                blob.size,
                await pushMonolithic(hello, "hello", blob),
              ),
            }));
          }
          for (const kind of orderFor(servers.keys(), rep)) {
            await settleDisk();
            await recorder.measure(kind, async () => ({
              value: megabytesPerSecond(
                blob.size,
                await pushMonolithic(servers.get(kind)!, `mono/r${rep}`, blob),
              ),
            }));
          }
        }
      });
    } finally {
      await hello.stop();
    }
  },
};

/** Chunked push: POST, 8 MiB PATCHes with Content-Range, closing PUT. */
export const pushChunkedScenario: Scenario = {
  name: "push-chunked",
  title: "Chunked push (8 MiB PATCHes)",
  unit: "MB/s",
  better: "higher",
  budgetSeconds: 150,
  async run(context, recorder) {
    const blob = await context.bigBlob();
    const hello = await startHello("");
    try {
      await withRegistries(context.kinds, recorder, async (servers) => {
        for (let rep = 0; rep < context.reps && recorder.hasTime(); rep++) {
          if (rep === 0) {
            await recorder.measure({ limit: "Deno.serve" }, async () => ({
              value: megabytesPerSecond(
                blob.size,
                await pushChunked(hello, "hello", blob, CHUNK),
              ),
            }));
          }
          for (const kind of orderFor(servers.keys(), rep)) {
            await settleDisk();
            await recorder.measure(kind, async () => ({
              value: megabytesPerSecond(
                blob.size,
                await pushChunked(
                  servers.get(kind)!,
                  `chunked/r${rep}`,
                  blob,
                  CHUNK,
                ),
              ),
            }));
          }
        }
      });
    } finally {
      await hello.stop();
    }
  },
};

/** Blob pull of the large blob with curl into /dev/null. */
export const pullScenario: Scenario = {
  name: "pull",
  title: "Blob pull of the large blob",
  unit: "MB/s",
  better: "higher",
  budgetSeconds: 120,
  async run(context, recorder) {
    const blob = await context.bigBlob();
    const hello = await startHello(blob.path);
    try {
      await withRegistries(context.kinds, recorder, async (servers) => {
        for (const server of servers.values()) {
          await pushMonolithic(server, "pull", blob);
        }
        await settleDisk();
        for (let rep = 0; rep < context.reps && recorder.hasTime(); rep++) {
          if (rep === 0) {
            await recorder.measure({ limit: "Deno.serve" }, async () => ({
              value: megabytesPerSecond(
                blob.size,
                await pullBlob(hello, "hello", blob),
              ),
            }));
          }
          for (const kind of orderFor(servers.keys(), rep)) {
            await recorder.measure(kind, async () => ({
              value: megabytesPerSecond(
                blob.size,
                await pullBlob(servers.get(kind)!, "pull", blob),
              ),
            }));
          }
        }
      });
    } finally {
      await hello.stop();
    }
  },
};
