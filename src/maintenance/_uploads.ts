/**
 * Abandoned upload sessions. A client that stops halfway through a push,
 * or a registry killed while receiving one, leaves the session's objects
 * (`uploads/<id>.info`, `.data`, `.sealed`) behind; nothing else ever
 * removes them. A session counts as abandoned once its last activity (the
 * latest modification time of any of its objects, which every appended
 * chunk moves) is older than the cut-off, so a slow upload that is still
 * receiving bytes is never cut.
 *
 * @module
 */

import { uploadIdOf, uploadKeys, UPLOADS_PREFIX } from "../content/keys.ts";
import type { Storage } from "../storage/types.ts";
import { eachLimited } from "./_pool.ts";

/** An upload session found abandoned. */
export interface StaleUpload {
  id: string;
  /** How reports name the session. */
  key: string;
  /** Bytes the session holds. */
  size: number;
}

/** The ids of the sessions that have objects in storage, sorted. */
export async function listUploadIds(storage: Storage): Promise<string[]> {
  const ids = new Set<string>();
  for (const entry of await storage.list(UPLOADS_PREFIX)) {
    const id = entry.prefix ? undefined : uploadIdOf(entry.name);
    if (id) ids.add(id);
  }
  return [...ids].sort();
}

/** The sessions whose last activity is at or before `cutoff` (ms). */
export async function findStaleUploads(
  storage: Storage,
  cutoff: number,
): Promise<StaleUpload[]> {
  const stale: StaleUpload[] = [];
  await eachLimited(await listUploadIds(storage), 8, async (id) => {
    const activity = await lastActivity(storage, id);
    if (activity && activity.time <= cutoff) {
      stale.push({ id, key: UPLOADS_PREFIX + id, size: activity.size });
    }
  });
  return stale.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Removes a session found abandoned, after checking once more that it has
 * had no activity since; resolves to whether it was removed.
 */
export async function removeStaleUpload(
  storage: Storage,
  upload: StaleUpload,
  cutoff: number,
): Promise<boolean> {
  const activity = await lastActivity(storage, upload.id);
  if (!activity || activity.time > cutoff) return false;
  for (const key of uploadKeys(upload.id)) await storage.delete(key);
  return true;
}

/** The latest modification time and total size of the objects of a
 * session, whatever they are (its record, its bytes, bytes sealed for
 * completion); undefined when it holds none. */
async function lastActivity(
  storage: Storage,
  id: string,
): Promise<{ time: number; size: number } | undefined> {
  const infos = await Promise.all(
    uploadKeys(id).map((key) => storage.stat(key)),
  );
  let time: number | undefined;
  let size = 0;
  for (const info of infos) {
    if (!info) continue;
    time = Math.max(time ?? 0, info.modified.getTime());
    size += info.size;
  }
  return time === undefined ? undefined : { time, size };
}
