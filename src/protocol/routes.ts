/**
 * Maps a request path to an API route of the OCI Distribution
 * Specification. Repository names contain `/`, so a path is matched from
 * its end: the last `/blobs/`, `/manifests/`, `/tags/list` or
 * `/referrers/` decides where the name stops.
 *
 * @module
 */

/** A recognised API route, with the raw (not yet validated) parts. */
export type Route =
  | { kind: "base" }
  | { kind: "catalog" }
  | { kind: "tags"; name: string }
  | { kind: "manifest"; name: string; reference: string }
  | { kind: "blob"; name: string; digest: string }
  | { kind: "uploads"; name: string }
  | { kind: "upload"; name: string; id: string }
  | { kind: "referrers"; name: string; digest: string };

const patterns: [RegExp, (m: RegExpMatchArray) => Route][] = [
  [/^\/v2\/?$/, () => ({ kind: "base" })],
  [/^\/v2\/_catalog$/, () => ({ kind: "catalog" })],
  [/^\/v2\/(.+)\/tags\/list$/, (m) => ({ kind: "tags", name: m[1] })],
  [
    /^\/v2\/(.+)\/manifests\/([^/]+)$/,
    (m) => ({ kind: "manifest", name: m[1], reference: m[2] }),
  ],
  [
    /^\/v2\/(.+)\/blobs\/uploads\/?$/,
    (m) => ({ kind: "uploads", name: m[1] }),
  ],
  [
    /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/,
    (m) => ({ kind: "upload", name: m[1], id: m[2] }),
  ],
  [
    /^\/v2\/(.+)\/blobs\/([^/]+)$/,
    (m) => ({ kind: "blob", name: m[1], digest: m[2] }),
  ],
  [
    /^\/v2\/(.+)\/referrers\/([^/]+)$/,
    (m) => ({ kind: "referrers", name: m[1], digest: m[2] }),
  ],
];

/** Finds the route of a URL path, or `undefined` for any other path. */
export function matchRoute(path: string): Route | undefined {
  for (const [pattern, build] of patterns) {
    const match = path.match(pattern);
    if (match) return build(match);
  }
  return undefined;
}
