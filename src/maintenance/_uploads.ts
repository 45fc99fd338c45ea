/**
 * Abandoned upload sessions. A client that stops halfway through a push,
 * or a registry killed while receiving one, leaves `uploads/<id>/` behind;
 * nothing else ever removes it. A session counts as abandoned once its
 * last activity (the latest modification time of any of its objects,
 * which every appended chunk moves) is older than the cut-off, so a slow
 * upload that is still receiving bytes is never cut.
 *
 * A session prefix that holds no object at all is left alone: it may be a
 * session being created right now (a file storage makes the directory,
 * then writes the record through a hidden temporary file), and the
 * storage interface gives a prefix no age to tell it from one a killed
 * registry left behind.
 *
 * @module
 */

import { uploadPrefix } from "../content/keys.ts";
import type { Storage } from "../storage/types.ts";
import { eachLimited } from "./_pool.ts";

/** An upload session found abandoned. */
export interface StaleUpload {
  id: string;
  key: string;
  /** Bytes the session holds. */
  size: number;
}

/** The sessions whose last activity is at or before `cutoff` (ms). */
export async function findStaleUploads(
  storage: Storage,
  cutoff: number,
): Promise<StaleUpload[]> {
  const ids = (await storage.list("uploads/"))
    .filter((entry) => entry.prefix)
    .map((entry) => entry.name);
  const stale: StaleUpload[] = [];
  await eachLimited(ids, 8, async (id) => {
    const activity = await lastActivity(storage, id);
    if (activity && activity.time <= cutoff) {
      stale.push({ id, key: uploadPrefix(id), size: activity.size });
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
  await storage.deletePrefix(upload.key);
  return true;
}

/** The latest modification time and total size of the objects of a
 * session, whatever they are (its record, its bytes, bytes sealed for
 * completion); undefined when it holds none. */
async function lastActivity(
  storage: Storage,
  id: string,
): Promise<{ time: number; size: number } | undefined> {
  const prefix = uploadPrefix(id);
  const objects = (await storage.list(prefix)).filter((e) => !e.prefix);
  const infos = await Promise.all(
    objects.map((entry) => storage.stat(prefix + entry.name)),
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
