/**
 * Joining byte chunks, for the few places that hold a small body whole: a
 * manifest being checked, an object of the in-memory storage.
 *
 * @module
 */

/** The chunks, which hold `size` bytes in all, as one array. */
export function concatBytes(
  chunks: readonly Uint8Array[],
  size: number,
): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
