/**
 * Sorts request paths into a handful of route classes for metrics. The
 * class, never the path, becomes a label, so repository names and digests
 * cannot grow the number of series without bound.
 *
 * @module
 */

import { matchRoute } from "../protocol/routes.ts";

/** The route classes metrics are labelled with. */
export type RouteClass =
  | "base"
  | "blob"
  | "upload"
  | "manifest"
  | "tags"
  | "catalog"
  | "referrers"
  | "other";

/** The route class of a URL path. */
export function classifyRoute(path: string): RouteClass {
  const route = matchRoute(path);
  if (!route) return "other";
  return route.kind === "uploads" ? "upload" : route.kind;
}
