/**
 * The `gc` and `verify` subcommands: flags, exit statuses, progress on
 * the status line, and the summary they print.
 *
 * @module
 */

import assert from "node:assert/strict";
import { blobKey } from "../../src/content/keys.ts";
import {
  runGc,
  runVerify,
  splitMaintenanceArgs,
  type StatusLine,
} from "../../src/maintenance/cli.ts";
import { createRegistry } from "../../src/registry.ts";
import { parseDigest } from "../../src/protocol/names.ts";
import { MemoryStorage } from "../../src/storage/memory.ts";
import { Client, uniqueBytes } from "../integrity/_client.ts";

interface Run {
  storage: MemoryStorage;
  client: Client;
  lines: string[];
  statuses: string[];
  status: StatusLine;
}

function setup(): Run {
  const storage = new MemoryStorage();
  const registry = createRegistry({ storage });
  const statuses: string[] = [];
  return {
    storage,
    client: new Client((request) => registry.fetch(request)),
    lines: [],
    statuses,
    status: {
      update: (text) => statuses.push(text),
      clear: () => statuses.push("(cleared)"),
    },
  };
}

Deno.test("runGc() --dry-run lists what would go and removes nothing", async () => {
  const run = setup();
  const orphan = await run.client.pushBlob("cli", uniqueBytes(2048));

  const code = await runGc(
    ["--dry-run", "--grace", "0"],
    run.storage,
    (line) => run.lines.push(line),
    run.status,
  );

  assert.equal(code, 0);
  assert.ok(
    run.lines.includes(`would remove blob ${orphan.digest} (2.0 KiB)`),
    run.lines.join("\n"),
  );
  assert.match(
    run.lines.at(-1)!,
    /^gc: would remove 1 blob, 0 manifests, 1 layer link, .* 2\.0 KiB reclaimed \(grace period 0\)$/,
  );
  assert.notEqual(
    await run.storage.stat(blobKey(parseDigest(orphan.digest))),
    undefined,
  );
  assert.ok(run.statuses.some((s) => s.startsWith("gc: marking")));
  assert.equal(run.statuses.at(-1), "(cleared)");
});

Deno.test("runGc() removes with --grace=0 and --delete-untagged", async () => {
  const run = setup();
  await run.client.pushImage("cli", undefined, [uniqueBytes(100)]);

  const code = await runGc(
    ["--grace=0", "--delete-untagged", "--upload-max-age", "1h"],
    run.storage,
    (line) => run.lines.push(line),
    run.status,
  );

  assert.equal(code, 0);
  assert.match(
    run.lines.at(-1)!,
    /^gc: removed 3 blobs, 1 manifest, 2 layer links/,
  );
  assert.equal((await run.storage.list("blobs/sha256/")).length, 0);
});

Deno.test("runGc() and runVerify() refuse unknown flags and bad durations with status 2", async () => {
  const run = setup();
  const print = (line: string) => run.lines.push(line);
  assert.equal(
    await runGc(["--grace", "soon"], run.storage, print, run.status),
    2,
  );
  assert.equal(run.lines[0], "error: --grace 'soon' is not a duration");
  assert.equal(await runGc(["--force"], run.storage, print, run.status), 2);
  assert.equal(await runGc(["--grace"], run.storage, print, run.status), 2);
  assert.equal(
    await runVerify(["--dry-run"], run.storage, print, run.status),
    2,
  );
  assert.equal(await runVerify(["--help"], run.storage, print, run.status), 0);
});

Deno.test("runVerify() exits 0 on a clean store and 1 with a corrupt blob, which --repair moves", async () => {
  const run = setup();
  const print = (line: string) => run.lines.push(line);
  const image = await run.client.pushImage("cli", "v1", [uniqueBytes(300)]);
  assert.equal(await runVerify([], run.storage, print, run.status), 0);
  assert.match(run.lines.at(-1)!, /no problems found/);

  const key = blobKey(parseDigest(image.layers[0].digest));
  await run.storage.write(key, uniqueBytes(300));
  run.lines.length = 0;
  assert.equal(
    await runVerify(["--repair"], run.storage, print, run.status),
    1,
  );
  assert.ok(
    run.lines.some((l) =>
      l.startsWith(`corrupt: ${key} hashes to`) &&
      l.includes("moved to quarantine/")
    ),
  );
  assert.match(run.lines.at(-1)!, /1 corrupt blob, 2 missing references/);
  assert.equal(await run.storage.stat(key), undefined);
});

Deno.test("splitMaintenanceArgs() separates a subcommand's flags from the server's settings", () => {
  assert.deepEqual(
    splitMaintenanceArgs("gc", [
      "--storage",
      "/data",
      "--dry-run",
      "--grace",
      "2h",
      "--upload-max-age=1d",
      "--config=registry.yml",
    ]),
    {
      own: ["--dry-run", "--grace", "2h", "--upload-max-age=1d"],
      rest: ["--storage", "/data", "--config=registry.yml"],
    },
  );
  assert.deepEqual(
    splitMaintenanceArgs("verify", ["--repair", "--storage=/d", "-h"]),
    { own: ["--repair", "-h"], rest: ["--storage=/d"] },
  );
});
