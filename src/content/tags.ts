/**
 * Tags and repositories as lists: a repository's tags, whether a
 * repository exists, and the catalog of all repositories.
 *
 * @module
 */

import type { Storage } from "../storage/types.ts";
import { repositoryPrefix, tagsPrefix } from "./keys.ts";

/** A repository's tags, sorted by code unit. */
export async function listTags(
  storage: Storage,
  repository: string,
): Promise<string[]> {
  const entries = await storage.list(tagsPrefix(repository));
  return entries.filter((e) => !e.prefix).map((e) => e.name);
}

/** Whether anything was ever pushed to `repository`. */
export async function repositoryExists(
  storage: Storage,
  repository: string,
): Promise<boolean> {
  const entries = await storage.list(repositoryPrefix(repository));
  return entries.some((e) => e.name.startsWith("_"));
}

/**
 * Every repository name, sorted. A repository is a directory below
 * `repositories/` that holds a `_manifests` or `_layers` entry; names nest,
 * so the walk goes on below a repository too.
 */
export async function listRepositories(storage: Storage): Promise<string[]> {
  const names: string[] = [];
  const walk = async (path: string): Promise<void> => {
    const entries = await storage.list(`repositories/${path}`);
    if (path && entries.some((e) => e.name.startsWith("_"))) {
      names.push(path.slice(0, -1));
    }
    for (const entry of entries) {
      if (entry.prefix && !entry.name.startsWith("_")) {
        await walk(`${path}${entry.name}/`);
      }
    }
  };
  await walk("");
  return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
