/**
 * Parsing of the byte-range headers the protocol uses: `Range` on blob
 * reads (RFC 9110, a single range) and `Content-Range` on upload chunks
 * (`<start>-<end>`, as the OCI spec writes it, or `bytes <start>-<end>/*`).
 *
 * @module
 */

import type { ByteRange } from "../storage/types.ts";

/**
 * Resolves a `Range` header against an object of `size` bytes.
 * Returns `undefined` when the whole object should be sent (no header, or
 * a form this server does not serve, such as several ranges), or `null`
 * when the range cannot be satisfied.
 */
export function parseRange(
  header: string | null,
  size: number,
): ByteRange | null | undefined {
  if (!header) return undefined;
  const match = header.trim().match(/^bytes=(\d*)-(\d*)$/);
  if (!match) return undefined;
  const [, first, last] = match;
  if (first === "" && last === "") return undefined;

  if (first === "") {
    // A suffix range: the last n bytes.
    const length = Number(last);
    if (length === 0 || size === 0) return null;
    return { start: Math.max(size - length, 0), end: size - 1 };
  }

  const start = Number(first);
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || (last !== "" && Number(last) < start)) return null;
  return { start, end };
}

/**
 * Parses an upload chunk's `Content-Range`; `undefined` for an absent
 * header, `null` for a malformed one.
 */
export function parseContentRange(
  header: string | null,
): ByteRange | null | undefined {
  if (header === null) return undefined;
  const match = header.trim().match(
    /^(?:bytes )?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/,
  );
  if (!match) return null;
  const start = Number(match[1]);
  const end = Number(match[2]);
  return end < start ? null : { start, end };
}

/** The `Range` header value of an upload holding `size` bytes. The
 * reference registry and clients write `0-0` for an empty upload. */
export function uploadRange(size: number): string {
  return `0-${Math.max(size - 1, 0)}`;
}
