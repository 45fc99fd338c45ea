/**
 * Runs the storage contract against {@linkcode FileStorage}, then tests
 * what only a file system storage can get wrong: temporary files left
 * behind, keys that escape the root, appends racing within the process,
 * files left open, and directories left over or removed under a writer.
 *
 * @module
 */

import assert from "node:assert/strict";
import { FileStorage } from "../../src/storage/filesystem.ts";
import { OffsetMismatchError } from "../../src/storage/types.ts";
import {
  assertBytes,
  bytes,
  chunked,
  failing,
  pattern,
  readAll,
} from "./_bytes.ts";
import { storageContract } from "./storage_contract.ts";

storageContract("FileStorage", async () => {
  const root = await Deno.makeTempDir({ prefix: "file_storage_" });
  return {
    storage: new FileStorage(`${root}/data`),
    cleanup: () => Deno.remove(root, { recursive: true }),
  };
});

/** Runs `body` with a storage in a fresh directory: `${dir}/data`. */
function fsTest(
  what: string,
  body: (storage: FileStorage, dir: string) => Promise<void>,
): void {
  Deno.test(`FileStorage: ${what}`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "file_storage_" });
    try {
      await body(new FileStorage(`${dir}/data`), dir);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

/** Every path below `dir`, relative to it, sorted. */
async function walk(dir: string, under = ""): Promise<string[]> {
  const paths: string[] = [];
  for await (const entry of Deno.readDir(`${dir}/${under}`)) {
    const path = `${under}${entry.name}`;
    paths.push(path);
    if (entry.isDirectory) paths.push(...await walk(dir, `${path}/`));
  }
  return paths.sort();
}

fsTest("the root is created on first write, not before", async (s, dir) => {
  assert.equal(await s.stat("a/b"), undefined);
  assert.deepEqual(await s.list(""), []);
  assert.deepEqual(await walk(dir), []);
  await s.write("a/b", bytes("x"));
  assert.deepEqual(await walk(dir), ["data", "data/a", "data/a/b"]);
});

fsTest(
  "write() leaves no temporary file, whether it succeeds or fails",
  async (s, dir) => {
    await s.write("t/ok", chunked(pattern(3 << 20), [100_000]));
    await s.write("t/ok", bytes("replaced"));
    const error = new Error("client went away");
    await assert.rejects(
      s.write("t/failed", failing([pattern(3 << 20)], error)),
      (e) => e === error,
    );
    assert.deepEqual(await walk(dir), ["data", "data/t", "data/t/ok"]);
  },
);

fsTest("list() skips temporary files a crash left behind", async (s, dir) => {
  await s.write("t/real", bytes("x"));
  await Deno.writeTextFile(`${dir}/data/t/.tmp-1234`, "partial");
  assert.deepEqual(await s.list("t/"), [{ name: "real", prefix: false }]);
});

fsTest(
  "keys that could leave the root are refused by every method",
  async (s, dir) => {
    await Deno.writeTextFile(`${dir}/outside`, "secret");
    await s.write("in/side", bytes("x"));
    const badKeys = [
      "",
      "/etc/passwd",
      "../outside",
      "in/../../outside",
      "in/./side",
      ".",
      "a//b",
      "in/",
      "a\\..\\b",
      "a\0b",
      "in/.tmp-1",
    ];
    for (const key of badKeys) {
      const calls = [
        () => s.stat(key),
        () => s.read(key),
        () => s.readBytes(key),
        () => s.write(key, bytes("x")),
        () => s.append(key, 0, bytes("x")),
        () => s.move(key, "in/x"),
        () => s.move("in/side", key),
        () => s.delete(key),
      ];
      for (const call of calls) {
        await assert.rejects(
          call(),
          /invalid storage key/,
          JSON.stringify(key),
        );
      }
    }
    for (const prefix of ["../", "/", "in", "in//", "./", "in/../"]) {
      await assert.rejects(s.list(prefix), /invalid storage/, prefix);
      await assert.rejects(s.deletePrefix(prefix), /invalid storage/, prefix);
    }
    assert.deepEqual(await walk(dir), [
      "data",
      "data/in",
      "data/in/side",
      "outside",
    ]);
    assert.equal(await Deno.readTextFile(`${dir}/outside`), "secret");
  },
);

fsTest(
  "append() from many writers at one offset: one wins, bytes intact",
  async (s) => {
    for (const [round, offset] of [[0, 0], [1, 40_000]]) {
      const bodies = Array.from(
        { length: 8 },
        (_, i) => pattern(40_000, round * 8 + i),
      );
      const results = await Promise.allSettled(
        bodies.map((body) => s.append("u/data", offset, chunked(body, [4096]))),
      );
      const winners = results.flatMap((r, i) =>
        r.status === "fulfilled" ? [i] : []
      );
      assert.equal(winners.length, 1);
      for (const result of results) {
        if (result.status === "rejected") {
          assert.ok(result.reason instanceof OffsetMismatchError);
        }
      }
      const stored = (await s.readBytes("u/data"))!;
      assert.equal(stored.byteLength, offset + 40_000);
      assertBytes(stored.slice(offset), bodies[winners[0]]);
    }
  },
);

fsTest(
  "read() closes its file when the stream ends or is cancelled",
  async (s, dir) => {
    if (Deno.build.os !== "linux") return;
    const path = await Deno.realPath(`${dir}`) + "/data/r/file";
    const openCount = async () => {
      let count = 0;
      for await (const fd of Deno.readDir("/proc/self/fd")) {
        try {
          if (await Deno.readLink(`/proc/self/fd/${fd.name}`) === path) count++;
        } catch {
          // The descriptor closed while the directory was being read.
        }
      }
      return count;
    };
    await s.write("r/file", pattern(2 << 20));
    assert.equal(
      (await readAll((await s.read("r/file"))!)).byteLength,
      2 << 20,
    );
    await readAll((await s.read("r/file", { start: 5, end: 9 }))!);
    const cancelled = (await s.read("r/file"))!.getReader();
    await cancelled.read();
    await cancelled.cancel();
    assert.equal(await openCount(), 0);
    const held = await s.read("r/file");
    assert.equal(await openCount(), 1);
    await held!.cancel();
  },
);

fsTest(
  "read(): a lone read and the reads that join it return every byte",
  async (s) => {
    // Long enough for several of the large chunks a lone read takes.
    const data = pattern(9 * (1 << 20) + 7, 5);
    await s.write("big", data);

    const lone = await s.read("big");
    const joining = await Promise.all([s.read("big"), s.read("big")]);
    const results = await Promise.all(
      [lone, ...joining].map((stream) => readAll(stream!)),
    );
    for (const [i, result] of results.entries()) {
      assertBytes(result, data, `read ${i}`);
    }
  },
);

fsTest(
  "delete() removes emptied directories but keeps the root and its children",
  async (s, dir) => {
    await s.write("a/b/c/d", bytes("1"));
    await s.write("a/x", bytes("2"));
    await s.delete("a/b/c/d");
    assert.deepEqual(await walk(dir), ["data", "data/a", "data/a/x"]);
    await s.delete("a/x");
    assert.deepEqual(await walk(dir), ["data", "data/a"]);
    assert.deepEqual(await s.list("a/"), []);
    await s.write("e/f/g", bytes("3"));
    await s.move("e/f/g", "h/i");
    assert.deepEqual(await walk(dir), [
      "data",
      "data/a",
      "data/e",
      "data/h",
      "data/h/i",
    ]);
    await s.deletePrefix("");
    assert.deepEqual(await walk(dir), ["data"]);
  },
);

fsTest(
  "writes into a directory that deletes keep emptying all succeed",
  async (s) => {
    for (let i = 0; i < 100; i++) {
      await Promise.all([
        s.write(`w/x/k${i}`, bytes(`${i}`)),
        s.append(`w/y/k${i}`, 0, bytes(`${i}`)),
        i > 0 ? s.delete(`w/x/k${i - 1}`) : Promise.resolve(true),
        i > 0 ? s.move(`w/y/k${i - 1}`, `w/z/k${i - 1}`) : undefined,
        i > 1 ? s.delete(`w/z/k${i - 2}`) : Promise.resolve(true),
      ]);
    }
    assert.deepEqual(await s.list("w/x/"), [{ name: "k99", prefix: false }]);
    assert.deepEqual(await s.list("w/y/"), [{ name: "k99", prefix: false }]);
    assert.deepEqual(await s.list("w/z/"), [{ name: "k98", prefix: false }]);
  },
);

fsTest("deletePrefix('') removes every object", async (s, dir) => {
  await s.write("top", bytes("1"));
  await s.write("a/b", bytes("2"));
  await s.deletePrefix("");
  assert.deepEqual(await walk(dir), ["data"]);
});

Deno.test("FileStorage: a root given with a trailing slash works the same", async () => {
  const dir = await Deno.makeTempDir({ prefix: "file_storage_" });
  try {
    await new FileStorage(`${dir}/`).write("k", bytes("x"));
    assert.deepEqual(await new FileStorage(dir).readBytes("k"), bytes("x"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
