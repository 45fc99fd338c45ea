/**
 * Byte and stream fixtures shared by the storage tests: deterministic
 * content, streams cut into chosen chunks, streams that fail part way, and
 * a reader that gathers a stream back into bytes.
 *
 * @module
 */

import assert from "node:assert/strict";

/** The UTF-8 bytes of `text`. */
export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** `size` bytes of a repeating pattern that `seed` shifts. */
export function pattern(size: number, seed = 0): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed * 7 + (i >> 11)) & 255;
  return out;
}

/** A stream of `data` cut at the given chunk sizes, cycling through them. */
export function chunked(
  data: Uint8Array,
  sizes: number[] = [data.byteLength],
): ReadableStream<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for (let at = 0, i = 0; at < data.byteLength; i++) {
    const size = Math.max(1, sizes[i % sizes.length]);
    chunks.push(data.slice(at, at + size));
    at += size;
  }
  return streamOf(chunks);
}

/**
 * A stream with all of `data` queued up front in chunks of `size`, so a
 * reader gets every chunk without waiting: what a fast client looks like.
 */
export function eager(
  data: Uint8Array,
  size: number,
): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (let at = 0; at < data.byteLength; at += size) {
        controller.enqueue(data.slice(at, at + size));
      }
      controller.close();
    },
  });
}

/** A stream that yields `chunks` one per pull, each after a macrotask. */
export function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  const queue = [...chunks];
  return new ReadableStream({
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      const chunk = queue.shift();
      if (chunk) controller.enqueue(chunk);
      else controller.close();
    },
  });
}

/** A stream that yields `chunks` and then fails with `error`. */
export function failing(
  chunks: Uint8Array[],
  error: Error,
): ReadableStream<Uint8Array> {
  const queue = [...chunks];
  return new ReadableStream({
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      const chunk = queue.shift();
      if (chunk) controller.enqueue(chunk);
      else controller.error(error);
    },
  });
}

/**
 * Asserts that `actual` holds exactly the bytes of `expected`, naming the
 * first difference; cheaper than a deep-equality diff of megabytes.
 */
export function assertBytes(
  actual: Uint8Array | undefined,
  expected: Uint8Array,
  message = "",
): void {
  assert.ok(actual, `${message} no bytes`);
  assert.equal(actual.byteLength, expected.byteLength, `${message} length`);
  const at = actual.findIndex((byte, i) => byte !== expected[i]);
  assert.equal(at, -1, `${message} first differing byte`);
}

/** Every byte of `stream`, concatenated. */
export async function readAll(
  stream: ReadableStream<Uint8Array>,
): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
