/**
 * Paging of the list routes (tags, catalog, referrers). A client asks for
 * at most `n` entries after `last`; the registry caps `n` at its page size
 * and, only when entries remain, adds a `Link` header (RFC 8288,
 * `rel="next"`) that names the next page. Lists are sorted by code unit,
 * so `last` is a position that stays valid while entries are added.
 *
 * @module
 */

import { RegistryError } from "../protocol/errors.ts";
import type { Context } from "./context.ts";

/** What a client asked for: a page size and where the page starts. */
export interface PageRequest {
  /** The most entries the page may hold, already capped. */
  n: number;
  /** Entries up to and including this one are skipped. */
  last: string | undefined;
}

/** One page of a list. */
export interface Page<T> {
  /** The page's entries. */
  items: T[];
  /** Whether entries follow the page. */
  more: boolean;
}

/**
 * Reads `n` and `last` from the query. An absent `n`, or one above the
 * registry's page size, asks for a full page; a malformed one is refused.
 */
export function pageRequest(ctx: Context): PageRequest {
  const params = ctx.url.searchParams;
  const max = ctx.options.maxPageSize;
  const raw = params.get("n");
  const n = raw === null || raw === "" ? max : Number(raw);
  if (!/^\d*$/.test(raw ?? "") || !Number.isSafeInteger(n)) {
    throw new RegistryError("UNSUPPORTED", `invalid page size n='${raw}'`, {
      status: 400,
    });
  }
  return { n: Math.min(n, max), last: params.get("last") ?? undefined };
}

/** The entries of the sorted list `all` that `request` asks for. */
export function page<T>(
  all: readonly T[],
  request: PageRequest,
  keyOf: (item: T) => string,
): Page<T> {
  const { n, last } = request;
  const rest = last === undefined
    ? all
    : all.filter((item) => keyOf(item) > last);
  return { items: rest.slice(0, n), more: rest.length > n };
}

/**
 * The `Link` header of a page: set only when entries follow it. An empty
 * page (`n=0`) gets none, as the specification requires.
 */
export function nextLink<T>(
  path: string,
  request: PageRequest,
  result: Page<T>,
  keyOf: (item: T) => string,
  extra: Record<string, string> = {},
): Headers {
  const headers = new Headers();
  const last = result.items.at(-1);
  if (result.more && last !== undefined) {
    const query = new URLSearchParams({
      ...extra,
      n: String(request.n),
      last: keyOf(last),
    });
    headers.set("Link", `<${path}?${query}>; rel="next"`);
  }
  return headers;
}
