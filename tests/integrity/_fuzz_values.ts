/**
 * The values the fuzz test draws request parts from: repository names,
 * tags, digests and upload ids that are valid or broken in one way each
 * (`..`, percent-encoding, NUL, overlong, wrong case), page sizes, header
 * values, and bodies that are not manifests at all.
 *
 * @module
 */

import { ociIndex, ociManifest, sha256 } from "./_client.ts";

const hex64 = "0123456789abcdef".repeat(4);

export const methods = [
  "GET",
  "HEAD",
  "PUT",
  "POST",
  "PATCH",
  "DELETE",
  "OPTIONS",
  "PROPFIND",
];

export const invalidNames = [
  "UPPER",
  "a//b",
  "..",
  "%2e%2e",
  "a/%2e%2e/b",
  "%252e%252e",
  "_layers",
  "a/_manifests",
  "a%00b",
  "a%2Fb",
  "a%2F..%2Fb",
  "x".repeat(300),
  "%C3%A9",
  "-a",
  "a..b",
  ".",
  "a/.tmp-x",
];

export const validTags = ["v1", "latest", "x_y.z-1", "A".repeat(128), "0"];
export const badTags = [
  ".hidden",
  "-dash",
  "a".repeat(129),
  "%2e%2e",
  "a%00",
  "%2F",
  ".tmp-1",
];

export const validDigests = [
  `sha256:${hex64}`,
  `sha256:${sha256(new Uint8Array()).slice(7)}`,
  `sha512:${hex64}${hex64}`,
];
export const badDigests = [
  "sha256:abc",
  `sha256:${"G".repeat(64)}`,
  `SHA256:${hex64}`,
  `md5:${hex64.slice(0, 32)}`,
  `sha256:${hex64.toUpperCase()}`,
  `sha256%3A${hex64}`,
  `sha256:${hex64}%2F..`,
  "sha256:",
  ":",
  `sha256:${hex64}0`,
];

export const badIds = [
  crypto.randomUUID(),
  "not-a-uuid",
  "%2e%2e",
  crypto.randomUUID().toUpperCase(),
  "00000000-0000-0000-0000-00000000000%00",
];

export const pageSizes = [
  "",
  "0",
  "1",
  "-1",
  "abc",
  "1e3",
  "99999999999999999999",
];

export const contentTypes = [
  ociManifest,
  ociIndex,
  "application/json",
  "application/octet-stream",
  "text/plain",
  "",
  `${ociManifest}; charset=utf-8`,
  "application/vnd.docker.distribution.manifest.v2+json",
  "a/b",
];

export const contentRanges = [
  "0-9",
  "bytes 0-9/10",
  "5-2",
  "abc",
  "0-99999999999999999999",
  "-1-5",
  "0-0",
  "bytes 0-*",
];

export const ranges = [
  "bytes=0-0",
  "bytes=-5",
  "bytes=5-",
  "bytes=9-3",
  "bytes=0-1,3-4",
  "bytes=99999999999999999999-",
  "items=0-1",
  "bytes=-0",
];

export const malformed: unknown[] = [
  null,
  [],
  "manifest",
  { schemaVersion: 2 },
  { schemaVersion: 2, mediaType: ociManifest },
  { schemaVersion: 2, mediaType: ociIndex, manifests: "x" },
  { schemaVersion: 2, config: {}, layers: [] },
  { schemaVersion: 2, manifests: [{}] },
];

export const brokenJson = [
  "{",
  "",
  "\u0000",
  '{"schemaVersion":2,}',
  "[".repeat(10000),
  "\ud800",
  '{"__proto__":{"x":1},"schemaVersion":2}',
];
