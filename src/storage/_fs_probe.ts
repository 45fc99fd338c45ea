/**
 * Synchronous lookups under {@linkcode FileStorage} for which a missing
 * path is an answer rather than an error: opening a file that may be gone,
 * asking whether a directory holds anything or a link leads to one, and
 * removing a tree that may already be removed.
 *
 * @module
 */

import { isAbsent } from "./_fs_io.ts";
import { TEMP_PREFIX } from "./_fs_keys.ts";

/** Opens a file for reading; undefined if it does not exist. */
export function openIfPresent(path: string): Deno.FsFile | undefined {
  try {
    return Deno.openSync(path, { read: true });
  } catch (error) {
    if (isAbsent(error)) return undefined;
    throw error;
  }
}

/** Removes a directory tree; a file at the path is an object and stays. */
export function removeTree(path: string): void {
  try {
    if (!Deno.lstatSync(path).isDirectory) return;
    Deno.removeSync(path, { recursive: true });
  } catch (error) {
    if (!isAbsent(error)) throw error;
  }
}

/** Whether a directory holds anything besides temporary files. */
export function holdsEntries(path: string): boolean {
  try {
    for (const entry of Deno.readDirSync(path)) {
      if (!entry.name.startsWith(TEMP_PREFIX)) return true;
    }
  } catch (error) {
    if (!isAbsent(error)) throw error;
  }
  return false;
}

/** Whether a symbolic link leads to a directory; undefined if dangling. */
export function followsToDirectory(path: string): boolean | undefined {
  try {
    return Deno.statSync(path).isDirectory;
  } catch (error) {
    if (isAbsent(error)) return undefined;
    throw error;
  }
}
