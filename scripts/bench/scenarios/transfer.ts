/**
 * @module
 * Large-blob throughput: a monolithic push, a chunked push in 8 MiB PATCHes,
 * and a pull, each of the whole large blob, in MB/s. Pushes are framed by the
 * disk's fsync'd write rate (dd) and by a hello-world `Deno.serve` that
 * receives the same requests and drops the bytes; the pull by that server
 * streaming the same file. Limits are measured in the first repetition
 * only: they frame the comparison rather than take part in it.
 */

import type { BlobFile } from "../blobs.ts";
import { diskWriteRate } from "../machine.ts";
import { pullBlob, pushChunked, pushMonolithic } from "../registry_ops.ts";
import {
  type BenchContext,
  megabytesPerSecond,
  orderFor,
  type Recorder,
  type RegistryKind,
  type Scenario,
  settleDisk,
  withRegistries,
} from "../scenario.ts";
import { type RunningServer, startHello } from "../servers.ts";

const CHUNK = 8 * 1024 * 1024;

/** How one transfer scenario moves the large blob. */
interface Transfer {
  /** The file the hello-world server streams; empty for pushes. */
  helloFile: (blob: BlobFile) => string;
  /** Moves the blob once and resolves to the milliseconds it took. */
  move: (server: RunningServer, repository: string, blob: BlobFile) => Promise<
    number
  >;
  /** The repository of one repetition. */
  repository: (rep: number) => string;
  /** Runs before the repetitions, such as pushing the blob to pull. */
  prepare?: (
    servers: Map<RegistryKind, RunningServer>,
    blob: BlobFile,
  ) => Promise<void>;
  /** Measures the disk's own rate as a further limit. */
  withDiskLimit?: boolean;
}

/** Runs a transfer against every registry, interleaved, with its limits. */
async function measureTransfer(
  context: BenchContext,
  recorder: Recorder,
  transfer: Transfer,
): Promise<void> {
  const blob = await context.bigBlob();
  const hello = await startHello(transfer.helloFile(blob));
  const rate = async (server: RunningServer, repository: string) => ({
    value: megabytesPerSecond(
      blob.size,
      await transfer.move(server, repository, blob),
    ),
  });
  try {
    await withRegistries(context.kinds, recorder, async (servers) => {
      await transfer.prepare?.(servers, blob);
      for (let rep = 0; rep < context.reps && recorder.hasTime(); rep++) {
        if (rep === 0 && transfer.withDiskLimit) {
          await recorder.measure({ limit: "dd" }, async () => ({
            value: await diskWriteRate(context.workDir, blob.size / 2 ** 20) /
              1e6,
          }));
        }
        if (rep === 0) {
          await recorder.measure(
            { limit: "Deno.serve" },
            () => rate(hello, "hello"),
          );
        }
        for (const kind of orderFor(servers.keys(), rep)) {
          await settleDisk();
          await recorder.measure(
            kind,
            () => rate(servers.get(kind)!, transfer.repository(rep)),
          );
        }
      }
    });
  } finally {
    await hello.stop();
  }
}

/** Monolithic push: POST, then one PUT ?digest= with the whole body. */
export const pushMonolithicScenario: Scenario = {
  name: "push-monolithic",
  title: "Monolithic push of the large blob",
  unit: "MB/s",
  better: "higher",
  budgetSeconds: 150,
  run: (context, recorder) =>
    measureTransfer(context, recorder, {
      helloFile: () => "",
      move: pushMonolithic,
      repository: (rep) => `mono/r${rep}`,
      withDiskLimit: true,
    }),
};

/** Chunked push: POST, 8 MiB PATCHes with Content-Range, closing PUT. */
export const pushChunkedScenario: Scenario = {
  name: "push-chunked",
  title: "Chunked push (8 MiB PATCHes)",
  unit: "MB/s",
  better: "higher",
  budgetSeconds: 150,
  run: (context, recorder) =>
    measureTransfer(context, recorder, {
      helloFile: () => "",
      move: (server, repository, blob) =>
        pushChunked(server, repository, blob, CHUNK),
      repository: (rep) => `chunked/r${rep}`,
    }),
};

/** Blob pull of the large blob with curl into /dev/null. */
export const pullScenario: Scenario = {
  name: "pull",
  title: "Blob pull of the large blob",
  unit: "MB/s",
  better: "higher",
  budgetSeconds: 120,
  run: (context, recorder) =>
    measureTransfer(context, recorder, {
      helloFile: (blob) => blob.path,
      move: pullBlob,
      repository: () => "pull",
      prepare: async (servers, blob) => {
        for (const server of servers.values()) {
          await pushMonolithic(server, "pull", blob);
        }
      },
    }),
};
