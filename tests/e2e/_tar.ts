/**
 * Reading the files out of an image layer, to check that what buildah or
 * podman pushed holds the file the test put in. Layers are gzipped tar
 * archives; only regular files are returned, keyed by path without a
 * leading `./`. PAX headers are read for their `path` record, which Go
 * clients write for long names.
 *
 * @module
 */

import { createHash } from "node:crypto";

/** The regular files of a gzipped tar layer, by path, and the digest of
 * the uncompressed tar (the layer's `diff_id`). */
export async function layerFiles(gzipped: Uint8Array<ArrayBuffer>) {
  const stream = new Blob([gzipped]).stream()
    .pipeThrough(new DecompressionStream("gzip"));
  const tar = new Uint8Array(await new Response(stream).arrayBuffer());
  const diffId = `sha256:${createHash("sha256").update(tar).digest("hex")}`;
  return { files: tarFiles(tar), diffId };
}

/** The regular files of an uncompressed tar archive, by path. */
export function tarFiles(tar: Uint8Array): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  let nextPath: string | undefined;
  let offset = 0;
  // The archive ends with zero blocks; a zero first byte marks one.
  while (offset + 512 <= tar.byteLength && tar[offset] !== 0) {
    const header = tar.subarray(offset, offset + 512);
    const size = parseInt(text(header, 124, 12).trim() || "0", 8);
    const type = String.fromCharCode(header[156]);
    const body = tar.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;

    if (type === "x") {
      nextPath = paxPath(body) ?? nextPath;
      continue;
    }
    const prefix = text(header, 345, 155);
    const name = nextPath ??
      (prefix ? `${prefix}/` : "") + text(header, 0, 100);
    nextPath = undefined;
    if (type === "0" || type === "\0") {
      files.set(name.replace(/^\.\//, "").replace(/^\//, ""), body.slice());
    }
  }
  return files;
}

function text(bytes: Uint8Array, start: number, length: number): string {
  const field = bytes.subarray(start, start + length);
  const end = field.indexOf(0);
  return new TextDecoder().decode(end === -1 ? field : field.subarray(0, end));
}

/** PAX records read `<length> <key>=<value>\n`. */
function paxPath(body: Uint8Array): string | undefined {
  for (const record of new TextDecoder().decode(body).split("\n")) {
    const match = /^\d+ path=(.*)$/.exec(record);
    if (match) return match[1];
  }
  return undefined;
}
