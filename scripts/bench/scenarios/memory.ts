/**
 * @module
 * Peak resident memory of each registry while one client pushes the large
 * blob and 64 connections pull a smaller blob over and over. A server that
 * buffers bodies instead of streaming them shows up here at once. The pulls
 * run for the first `wrkSeconds` of the push only: 64 greedy readers would
 * otherwise starve the push to a few MB/s and make the scenario take many
 * minutes. The hello-world `Deno.serve` under the same load, in the first
 * repetition only, gives Deno's own floor.
 */

import { type BlobFile, writeBlobFile } from "../blobs.ts";
import { makeTempDir, removeTempDir } from "../cleanup.ts";
import { pushMonolithic } from "../registry_ops.ts";
import {
  orderFor,
  type Scenario,
  settleDisk,
  startRegistry,
} from "../scenario.ts";
import { readMemory, type RunningServer, startHello } from "../servers.ts";
import { startWrk } from "../wrk.ts";

const MIB = 1024 * 1024;

/** Peak RSS during a large push with 64 concurrent pulls. */
export const memoryScenario: Scenario = {
  name: "memory",
  title: "Peak RSS: large push + 64 pulling",
  unit: "MiB",
  better: "lower",
  budgetSeconds: 180,
  async run(context, recorder) {
    const big = await context.bigBlob();
    const small = await writeBlobFile(
      `${context.workDir}/pull.bin`,
      context.sizes.pullBlob,
    );
    const pullSeconds = context.sizes.wrkSeconds;
    for (let rep = 0; rep < context.reps && recorder.hasTime(); rep++) {
      if (rep === 0) {
        await recorder.measure({ limit: "Deno.serve" }, async () => {
          const hello = await startHello(small.path);
          try {
            return await peakUnderLoad(hello, big, small, pullSeconds);
          } finally {
            await hello.stop();
          }
        });
      }
      for (const kind of orderFor(context.kinds, rep)) {
        await settleDisk();
        const dir = await makeTempDir(`${kind}-mem`);
        try {
          await recorder.measure(kind, async () => {
            const server = await startRegistry(kind, dir);
            try {
              await pushMonolithic(server, "mem", small);
              return await peakUnderLoad(server, big, small, pullSeconds);
            } finally {
              await server.stop();
            }
          });
        } finally {
          await removeTempDir(dir);
        }
      }
    }
  },
};

/**
 * Pushes `big` while wrk pulls `small` on 64 connections for at most
 * `pullSeconds`, sampling the server's RSS; returns the larger of the
 * sampled maximum and the kernel's high-water mark, in MiB, with failed
 * pulls as errors. Pulls still running when the push ends are cut off, not
 * counted as failures.
 */
async function peakUnderLoad(
  server: RunningServer,
  big: BlobFile,
  small: BlobFile,
  pullSeconds: number,
): Promise<{ value: number; errors: number }> {
  let sampled = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      sampled = Math.max(sampled, (await readMemory(server.pid)).rss);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const pulls = startWrk({
    url: `${server.baseUrl}/v2/mem/blobs/${small.digest}`,
    connections: 64,
    threads: 1,
    seconds: pullSeconds,
  });
  let pushError: unknown = null;
  await pushMonolithic(server, "mem", big).catch((error) => pushError = error);
  const pulled = await pulls.stop();
  sampling = false;
  await sampler;
  const { peak } = await readMemory(server.pid);
  if (pushError) throw pushError;
  return { value: Math.max(sampled, peak) / MIB, errors: pulled.errors };
}
