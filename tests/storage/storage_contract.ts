/**
 * The tests every {@linkcode Storage} must pass, written once against the
 * interface and run for each implementation, so that the registry can
 * rely on the guarantees stated in `src/storage/types.ts` whichever
 * storage it is given.
 *
 * @module
 */

import assert from "node:assert/strict";
import { OffsetMismatchError, type Storage } from "../../src/storage/types.ts";
import {
  assertBytes,
  bytes,
  chunked,
  eager,
  failing,
  pattern,
  readAll,
  streamOf,
} from "./_bytes.ts";

/** Makes a fresh, empty storage and a way to dispose of it. */
export type StorageFactory = () => Promise<{
  storage: Storage;
  cleanup(): Promise<void>;
}>;

/** Registers the storage contract tests for the storage `make` returns. */
export function storageContract(name: string, make: StorageFactory): void {
  const test = (what: string, body: (storage: Storage) => Promise<void>) =>
    Deno.test(`${name}: ${what}`, async () => {
      const { storage, cleanup } = await make();
      try {
        await body(storage);
      } finally {
        await cleanup();
      }
    });

  test("stat(), read() and readBytes() return undefined when absent", async (s) => {
    await s.write("a/b", bytes("x"));
    for (const key of ["nope", "a/nope", "a", "a/b/c"]) {
      assert.equal(await s.stat(key), undefined, key);
      assert.equal(await s.read(key), undefined, key);
      assert.equal(await s.readBytes(key), undefined, key);
    }
  });

  test("write() stores bytes that stat(), read() and readBytes() return", async (s) => {
    const before = Date.now();
    assert.equal(await s.write("a/b/c", bytes("hello")), 5);
    const info = await s.stat("a/b/c");
    assert.equal(info?.size, 5);
    assert.ok(info.modified instanceof Date);
    assert.ok(Math.abs(info.modified.getTime() - before) < 5_000);
    assert.deepEqual(await s.readBytes("a/b/c"), bytes("hello"));
    assert.deepEqual(await readAll((await s.read("a/b/c"))!), bytes("hello"));
  });

  test("write() stores a multi-chunk stream and returns its size", async (s) => {
    const data = pattern(10_000);
    assert.equal(await s.write("k", chunked(data, [1, 7, 999, 4096])), 10_000);
    assert.deepEqual(await s.readBytes("k"), data);
  });

  test("write() and append() keep streams of any mix of chunk sizes intact", async (s) => {
    // Around the write buffer's size (1 MiB): one small chunk, small ones
    // that fill it, a chunk that overflows it, chunks larger than it.
    const mib = 1 << 20;
    const shapes = [
      [100],
      [100, 200],
      [mib - 10, 20, 5],
      [10, mib + 1, 10],
      [3 * mib],
      [mib / 2, mib / 2, mib / 2],
    ];
    for (const [index, sizes] of shapes.entries()) {
      const total = sizes.reduce((sum, size) => sum + size, 0);
      const data = pattern(total, index);
      assert.equal(await s.write(`w${index}`, chunked(data, sizes)), total);
      assertBytes(await s.readBytes(`w${index}`), data);
      assert.equal(await s.append(`a${index}`, 0, chunked(data, sizes)), total);
      assertBytes(await s.readBytes(`a${index}`), data);
    }
  });

  test("write() replaces an existing object whole", async (s) => {
    await s.write("k", bytes("a much longer value"));
    await s.write("k", chunked(bytes("short"), [2]));
    assert.deepEqual(await s.readBytes("k"), bytes("short"));
    assert.equal((await s.stat("k"))?.size, 5);
  });

  test("write() stores empty objects from bytes and from streams", async (s) => {
    assert.equal(await s.write("e/bytes", new Uint8Array()), 0);
    assert.equal(await s.write("e/stream", streamOf([])), 0);
    for (const key of ["e/bytes", "e/stream"]) {
      assert.equal((await s.stat(key))?.size, 0);
      assert.deepEqual(await s.readBytes(key), new Uint8Array());
      assert.deepEqual(await readAll((await s.read(key))!), new Uint8Array());
    }
  });

  test("write() stores nothing when the stream fails", async (s) => {
    const error = new Error("client went away");
    const body = failing([pattern(5000), pattern(3000)], error);
    await assert.rejects(s.write("f/new", body), (e) => e === error);
    assert.equal(await s.stat("f/new"), undefined);
    assert.deepEqual(await s.list("f/"), []);
  });

  test("write() keeps the old object when the stream fails", async (s) => {
    await s.write("f/old", bytes("old"));
    const error = new Error("client went away");
    const body = failing([pattern(2 << 20)], error);
    await assert.rejects(s.write("f/old", body), (e) => e === error);
    assert.deepEqual(await s.readBytes("f/old"), bytes("old"));
    assert.deepEqual(await s.list("f/"), [{ name: "old", prefix: false }]);
  });

  test("write() keeps its own copy of the bytes", async (s) => {
    const data = bytes("abc");
    await s.write("k", data);
    data[0] = 0;
    assert.deepEqual(await s.readBytes("k"), bytes("abc"));
  });

  test("read() and readBytes() hand out copies of the stored bytes", async (s) => {
    await s.write("k", chunked(bytes("abcdef"), [3]));
    for await (const chunk of (await s.read("k"))!) chunk.fill(0);
    (await s.readBytes("k"))!.fill(0);
    assert.deepEqual(await s.readBytes("k"), bytes("abcdef"));
  });

  test("read() streams the inclusive byte range asked for", async (s) => {
    const data = pattern(3000);
    await s.write("k", chunked(data, [1000]));
    const range = async (start: number, end: number) =>
      await readAll((await s.read("k", { start, end }))!);
    assert.deepEqual(await range(0, 2999), data);
    assert.deepEqual(await range(0, 0), data.slice(0, 1));
    assert.deepEqual(await range(2999, 2999), data.slice(2999));
    assert.deepEqual(await range(999, 1000), data.slice(999, 1001));
    assert.deepEqual(await range(10, 2500), data.slice(10, 2501));
  });

  test("read() can be cancelled part way", async (s) => {
    await s.write("k", chunked(pattern(1 << 20), [65_536]));
    const reader = (await s.read("k"))!.getReader();
    assert.equal((await reader.read()).done, false);
    await reader.cancel();
    assert.equal(await s.delete("k"), true);
    assert.equal(await s.stat("k"), undefined);
  });

  test("write() and read() carry large streams of mixed chunks", async (s) => {
    const data = pattern(3 * (1 << 20) + 12_345, 3);
    const sizes = [1, 13, 65_536, 1_500_000, 300, (1 << 20) + 1];
    assert.equal(await s.write("big", chunked(data, sizes)), data.byteLength);
    assertBytes(await s.readBytes("big"), data);
    assertBytes(await readAll((await s.read("big"))!), data);
    const start = (1 << 20) - 10;
    const end = 2 * (1 << 20) + 10;
    assertBytes(
      await readAll((await s.read("big", { start, end }))!),
      data.slice(start, end + 1),
    );
  });

  test("write() and append() keep up with a stream that never waits", async (s) => {
    const data = pattern(9 << 20, 4);
    assert.equal(await s.write("fast", eager(data, 1000)), data.byteLength);
    assertBytes(await s.readBytes("fast"), data, "write");
    assert.equal(await s.append("up", 0, eager(data, 3000)), data.byteLength);
    assertBytes(await s.readBytes("up"), data, "append");
  });

  test("append() creates at offset 0 and grows the object", async (s) => {
    assert.equal(await s.append("u/data", 0, bytes("abc")), 3);
    assert.equal(await s.append("u/data", 3, chunked(bytes("defgh"), [2])), 8);
    assert.equal(await s.append("u/data", 8, new Uint8Array()), 8);
    assert.equal(await s.append("u/data", 8, streamOf([])), 8);
    assert.deepEqual(await s.readBytes("u/data"), bytes("abcdefgh"));
    assert.equal((await s.stat("u/data"))?.size, 8);
  });

  test("append() rejects a wrong offset with the real size", async (s) => {
    await s.append("u/data", 0, bytes("abcd"));
    for (const offset of [0, 3, 5]) {
      await assert.rejects(
        s.append("u/data", offset, bytes("zz")),
        (e) => e instanceof OffsetMismatchError && e.size === 4,
      );
    }
    assert.deepEqual(await s.readBytes("u/data"), bytes("abcd"));
  });

  test("append() at a nonzero offset to an absent key rejects with size 0", async (s) => {
    await assert.rejects(
      s.append("u/none", 5, bytes("zz")),
      (e) => e instanceof OffsetMismatchError && e.size === 0,
    );
    assert.equal(await s.stat("u/none"), undefined);
  });

  test("append() keeps at most a prefix of a failed stream", async (s) => {
    await s.append("u/data", 0, bytes("head-"));
    const error = new Error("client went away");
    const sent = pattern(3 << 20);
    const body = failing([sent.slice(0, 2 << 20), sent.slice(2 << 20)], error);
    await assert.rejects(s.append("u/data", 5, body), (e) => e === error);
    const stored = (await s.readBytes("u/data"))!;
    assert.deepEqual(stored.slice(0, 5), bytes("head-"));
    assertBytes(stored.slice(5), sent.slice(0, stored.byteLength - 5));
    const size = stored.byteLength;
    assert.equal(await s.append("u/data", size, bytes("!")), size + 1);
  });

  test("append() lets exactly one of two same-offset writers win", async (s) => {
    const bodies = [pattern(5000, 1), pattern(7000, 2)];
    const results = await Promise.allSettled(
      bodies.map((body) => s.append("u/data", 0, chunked(body, [1000]))),
    );
    const won = results.findIndex((r) => r.status === "fulfilled");
    const lost = results.filter((r) => r.status === "rejected");
    assert.equal(lost.length, 1);
    assert.ok(
      (lost[0] as PromiseRejectedResult).reason instanceof OffsetMismatchError,
    );
    assertBytes(await s.readBytes("u/data"), bodies[won]);
  });

  test("move() renames an object, replacing the target", async (s) => {
    await s.write("from/x", bytes("new"));
    await s.write("to/deep/y", bytes("old"));
    await s.move("from/x", "to/deep/y");
    assert.equal(await s.stat("from/x"), undefined);
    assert.deepEqual(await s.readBytes("to/deep/y"), bytes("new"));
    await s.move("to/deep/y", "fresh/path/z");
    assert.deepEqual(await s.readBytes("fresh/path/z"), bytes("new"));
    assert.deepEqual(await s.list(""), [{ name: "fresh", prefix: true }]);
  });

  test("move() that need not be durable still moves atomically", async (s) => {
    await s.append("u/data", 0, bytes("abc"));
    await s.move("u/data", "u/sealed", { durable: false });
    assert.equal(await s.stat("u/data"), undefined);
    assert.deepEqual(await s.readBytes("u/sealed"), bytes("abc"));
    await s.move("u/sealed", "done/x");
    assert.deepEqual(await s.readBytes("done/x"), bytes("abc"));
  });

  test("move() during an append: the moved object never changes after", async (s) => {
    const { readable, writable } = new TransformStream<
      Uint8Array,
      Uint8Array
    >();
    const writer = writable.getWriter();
    writer.write(bytes("first"));
    const appending = s.append("upload", 0, readable);
    await new Promise((resolve) => setTimeout(resolve, 20));

    const moving = s.move("upload", "sealed");
    writer.write(bytes("-late")).catch(() => {});
    writer.close().catch(() => {});
    await moving;
    const moved = await s.readBytes("sealed");
    await appending.catch(() => {});

    assert.deepEqual(await s.readBytes("sealed"), moved);
    assert.equal(await s.stat("upload"), undefined);
  });

  test("move() of an absent key rejects and leaves the target", async (s) => {
    await s.write("to", bytes("keep"));
    await assert.rejects(s.move("none", "to"));
    await assert.rejects(s.move("none/x", "other/y"));
    assert.deepEqual(await s.readBytes("to"), bytes("keep"));
    assert.equal(await s.stat("other/y"), undefined);
  });

  test("move() makes the object's age start at the move", async (s) => {
    await s.append("u/data", 0, bytes("blob"));
    const written = (await s.stat("u/data"))!.modified.getTime();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await s.move("u/data", "blobs/b");
    assert.ok((await s.stat("blobs/b"))!.modified.getTime() > written);
  });

  test("delete() removes one object and reports whether it was there", async (s) => {
    await s.write("d/a", bytes("1"));
    await s.write("d/b", bytes("2"));
    assert.equal(await s.delete("d/a"), true);
    assert.equal(await s.delete("d/a"), false);
    assert.equal(await s.delete("never"), false);
    assert.equal(await s.stat("d/a"), undefined);
    assert.deepEqual(await s.readBytes("d/b"), bytes("2"));
  });

  test("delete() of a prefix that is no object removes nothing", async (s) => {
    await s.write("d/sub/x", bytes("1"));
    assert.equal(await s.delete("d/sub"), false);
    assert.deepEqual(await s.readBytes("d/sub/x"), bytes("1"));
  });

  test("list() names direct children, sorted by code unit", async (s) => {
    const names = ["b", "a", "B", "_c", "a0", "a-1", "z", "\u00e9"];
    for (const name of [...names, "\uFB00", "\u{1D4B3}"]) {
      await s.write(`l/${name}`, bytes(name));
    }
    await s.write("l/dir/one", bytes("1"));
    await s.write("l/dir/two/deeper", bytes("2"));
    await s.write("l2/other", bytes("3"));
    // Code-unit order puts the surrogate pair of U+1D4B3 before U+FB00,
    // where code-point order would not.
    const expected = [
      ...["B", "_c", "a", "a-1", "a0", "b", "dir", "z"],
      ...["\u00e9", "\u{1D4B3}", "\uFB00"],
    ];
    assert.deepEqual(
      await s.list("l/"),
      expected.map((name) => ({ name, prefix: name === "dir" })),
    );
    assert.deepEqual(await s.list("l/dir/"), [
      { name: "one", prefix: false },
      { name: "two", prefix: true },
    ]);
  });

  test("list() of an absent prefix or of an object is empty", async (s) => {
    await s.write("l/x", bytes("1"));
    assert.deepEqual(await s.list("none/"), []);
    assert.deepEqual(await s.list("l/x/"), []);
  });

  test("list() no longer shows a prefix whose objects are all gone", async (s) => {
    await s.write("p/q/r/only", bytes("1"));
    await s.write("p/keep", bytes("2"));
    await s.delete("p/q/r/only");
    assert.deepEqual(await s.list("p/"), [{ name: "keep", prefix: false }]);
    await s.write("p/m/only", bytes("3"));
    await s.move("p/m/only", "p/moved");
    assert.deepEqual(await s.list("p/"), [
      { name: "keep", prefix: false },
      { name: "moved", prefix: false },
    ]);
  });

  test("deletePrefix() removes everything below the prefix only", async (s) => {
    for (const key of ["r/a/x", "r/a/y/z", "r/ab", "r/ab2/c", "r/b"]) {
      await s.write(key, bytes(key));
    }
    await s.deletePrefix("r/a/");
    assert.equal(await s.stat("r/a/x"), undefined);
    assert.equal(await s.stat("r/a/y/z"), undefined);
    assert.deepEqual(await s.list("r/"), [
      { name: "ab", prefix: false },
      { name: "ab2", prefix: true },
      { name: "b", prefix: false },
    ]);
    await s.deletePrefix("r/b/");
    await s.deletePrefix("none/");
    assert.deepEqual(await s.readBytes("r/b"), bytes("r/b"));
  });
}
