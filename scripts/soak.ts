/**
 * @module
 * A long mixed run against our registry, watching its resident memory for
 * growth. Image pushes that retag, repeated large pushes, concurrent
 * pulls, manifest and blob reads, tag listings and abandoned uploads all
 * run at once for `--minutes` (10 by default) against fresh storage in a
 * temp directory. One line a minute shows the memory and the work done;
 * the end compares the second minute, once warm, with the last. A leak shows as
 * memory that keeps climbing; garbage the collector has not reached yet
 * shows as a saw-tooth that does not. Exits 1 when any request failed.
 * Everything it starts is stopped and removed at the end, also on Ctrl-C.
 */

import { type BlobFile, makeSmallBlobs, writeBlobFile } from "./bench/blobs.ts";
import { makeTempDir, runScript } from "./bench/cleanup.ts";
import {
  connect,
  MANIFEST_ACCEPT,
  pullBlob,
  pushImage,
  pushMonolithic,
  startUpload,
} from "./bench/registry_ops.ts";
import { sleep } from "./bench/process.ts";
import { readMemory, type RunningServer, startOurs } from "./bench/servers.ts";
import { formatNumber, median } from "./bench/stats.ts";

const MIB = 1024 * 1024;
const USAGE = `Usage: deno task soak [--minutes=N]

  --minutes=N   how long the mixed load runs (default 10, at least 3)
  --help        show this text
`;

/** The size of the blob pushed and pulled over and over. */
const LARGE_BLOB = 64 * MIB;
/** The size of each image's layer; every image gets a new one. */
const LAYER_SIZE = 16 * 1024;
/** Tags the image pushes cycle through, so tags are overwritten. */
const TAGS = 100;
/** Tags pushed before the load starts, which the readers read. */
const READ_TAGS = 10;
const REPOSITORY = "soak";
const SAMPLE_MS = 2000;

/** The kinds of work, and how many clients do each at once. */
const WORKERS = {
  "image pushes": 4,
  "large pushes": 1,
  "pulls": 2,
  "reads": 4,
  "abandoned uploads": 1,
} as const;

type Work = keyof typeof WORKERS;

interface Tally {
  done: Record<Work, number>;
  failures: number;
  /** The first failures' messages. */
  examples: string[];
}

/** How many failure messages are kept for the report. */
const EXAMPLES = 20;

function parseMinutes(args: string[]): number | "help" {
  let minutes = 10;
  for (const arg of args) {
    if (arg === "--help" || arg === "-h") return "help";
    const match = /^--minutes=(\d+)$/.exec(arg);
    if (!match) throw new Error(`unknown flag ${arg}\n\n${USAGE}`);
    minutes = Number(match[1]);
  }
  // The second minute is compared with the last, so there must be a
  // minute after it.
  if (minutes < 3) throw new Error("--minutes must be at least 3");
  return minutes;
}

async function main(): Promise<number> {
  const minutes = parseMinutes(Deno.args);
  if (minutes === "help") {
    console.log(USAGE);
    return 0;
  }

  const workDir = await makeTempDir("soak");
  const large = await writeBlobFile(`${workDir}/large.bin`, LARGE_BLOB);
  const server = await startOurs(await makeTempDir("soak-store"));
  await pushMonolithic(server, REPOSITORY, large);
  const seedLayers = makeSmallBlobs(READ_TAGS, LAYER_SIZE, -1);
  for (const [index, layer] of seedLayers.entries()) {
    await pushImage(server, REPOSITORY, `t${index}`, layer);
  }

  const tally: Tally = {
    done: Object.fromEntries(
      Object.keys(WORKERS).map((work) => [work, 0]),
    ) as Record<Work, number>,
    failures: 0,
    examples: [],
  };
  const deadline = performance.now() + minutes * 60_000;
  const running = () => performance.now() < deadline;
  console.log(
    `mixed load for ${minutes} min; clients: ` +
      Object.entries(WORKERS).map(([work, n]) => `${n} ${work}`).join(", "),
  );

  const workers = (Object.keys(WORKERS) as Work[]).flatMap((work) =>
    Array.from(
      { length: WORKERS[work] },
      (_, index) =>
        loop(running, tally, work, workFor(work, index, server, large)),
    )
  );
  const samples = await sampleMemory(server, minutes, tally);
  await Promise.all(workers);
  await server.stop();

  report(samples, tally);
  return tally.failures === 0 ? 0 : 1;
}

/** One step of `work` for client `index`. */
function workFor(
  work: Work,
  index: number,
  server: RunningServer,
  large: BlobFile,
): (step: number) => Promise<void> {
  switch (work) {
    case "image pushes":
      return async (step) => {
        const [layer] = makeSmallBlobs(1, LAYER_SIZE, index * 1e9 + step);
        await pushImage(server, REPOSITORY, `t${step % TAGS}`, layer);
      };
    case "large pushes":
      return async () => {
        await pushMonolithic(server, REPOSITORY, large);
      };
    case "pulls":
      return async () => {
        await pullBlob(server, REPOSITORY, large);
      };
    case "reads":
      return readSteps(server, large);
    case "abandoned uploads":
      return abandonSteps(server);
  }
}

/** A manifest GET by tag, a blob HEAD and a tag listing per step. */
function readSteps(
  server: RunningServer,
  large: BlobFile,
): (step: number) => Promise<void> {
  const client = connect(server);
  return async (step) => {
    const tag = `t${step % READ_TAGS}`;
    const requests: [string, string, Record<string, string>][] = [
      ["GET", `/v2/${REPOSITORY}/manifests/${tag}`, {
        Accept: MANIFEST_ACCEPT,
      }],
      ["HEAD", `/v2/${REPOSITORY}/blobs/${large.digest}`, {}],
      ["GET", `/v2/${REPOSITORY}/tags/list`, {}],
    ];
    for (const [method, path, headers] of requests) {
      const response = await client.request(method, path, headers);
      if (response.status !== 200) {
        throw new Error(`${method} ${path}: status ${response.status}`);
      }
    }
  };
}

/** Starts an upload, sends one chunk and gives the upload up. */
function abandonSteps(server: RunningServer): (step: number) => Promise<void> {
  const client = connect(server);
  const chunk = new Uint8Array(64 * 1024);
  return async () => {
    const location = await startUpload(client, REPOSITORY);
    const patched = await client.request("PATCH", location, {
      "Content-Type": "application/octet-stream",
      "Content-Range": `0-${chunk.length - 1}`,
    }, chunk);
    if (patched.status !== 202) {
      throw new Error(`PATCH upload: status ${patched.status}`);
    }
    const deleted = await client.request("DELETE", location);
    if (deleted.status !== 204) {
      throw new Error(`DELETE upload: status ${deleted.status}`);
    }
  };
}

/** Runs `step` until the deadline, counting steps and failures. */
async function loop(
  running: () => boolean,
  tally: Tally,
  work: Work,
  step: (index: number) => Promise<void>,
): Promise<void> {
  for (let index = 0; running(); index++) {
    try {
      await step(index);
      tally.done[work]++;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      tally.failures++;
      if (tally.examples.length < EXAMPLES) {
        tally.examples.push(`${work}: ${message}`);
      }
      // A broken server would otherwise be hammered in a tight loop.
      await sleep(100);
    }
  }
}

/**
 * Reads the server's resident memory every `SAMPLE_MS` until the run ends
 * and prints a line a minute; returns the samples in MiB, by minute.
 */
async function sampleMemory(
  server: RunningServer,
  minutes: number,
  tally: Tally,
): Promise<number[][]> {
  const byMinute: number[][] = [];
  const start = performance.now();
  for (let minute = 0; minute < minutes; minute++) {
    const samples: number[] = [];
    while (performance.now() - start < (minute + 1) * 60_000) {
      await sleep(SAMPLE_MS);
      samples.push((await readMemory(server.pid)).rss / MIB);
    }
    byMinute.push(samples);
    const work = Object.entries(tally.done)
      .map(([name, count]) => `${name} ${count.toLocaleString("en-US")}`)
      .join(", ");
    console.log(
      `minute ${minute + 1}: RSS median ${mib(median(samples))}, ` +
        `max ${mib(Math.max(...samples))}; done so far: ${work}; ` +
        `failures ${tally.failures}`,
    );
  }
  return byMinute;
}

function report(byMinute: number[][], tally: Tally): void {
  // The first minute holds the warm-up: caches filling, code compiling.
  const first = median(byMinute[1]) ?? 0;
  const last = median(byMinute[byMinute.length - 1]) ?? 0;
  const peak = Math.max(...byMinute.flat());
  console.log(
    `\nRSS median in minute 2: ${mib(first)}; in the last minute: ` +
      `${mib(last)}; change: ${signed(last - first)} MiB; peak ${mib(peak)}`,
  );
  if (tally.failures > 0) {
    console.log(`\n${tally.failures} steps failed, among them:`);
    for (const example of tally.examples) console.log(`  ${example}`);
  }
}

function mib(value: number | null): string {
  return value === null ? "—" : `${formatNumber(value)} MiB`;
}

function signed(value: number): string {
  return (value >= 0 ? "+" : "") + formatNumber(value);
}

await runScript(main);
