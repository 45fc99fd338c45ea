/**
 * The liveness and readiness endpoints. `GET /healthz` answers as long as
 * the process serves requests at all. `GET /readyz` also proves the
 * storage works, by writing, reading back and deleting a small object
 * under `_health/`, a prefix the registry's own key layout never uses; a
 * load balancer thus stops sending pushes to an instance whose disk is
 * full or read-only.
 *
 * @module
 */

import type { Logger } from "../log.ts";
import type { Storage } from "../storage/types.ts";

/** How long the readiness probe may take before it counts as failed. */
const probeTimeoutMs = 5000;

/** The `GET /healthz` response. */
export function healthz(): Response {
  return text(200, "ok\n");
}

/** The `GET /readyz` response: 200 when `storage` can write, read and
 * delete; 503 otherwise. The cause goes to the log, not to the caller,
 * since it may name paths on the server. */
export async function readyz(storage: Storage, log: Logger): Promise<Response> {
  const failure = await probeStorage(storage);
  if (!failure) return text(200, "ready\n");
  log({ level: "warn", msg: "storage not ready", error: failure });
  return text(503, "storage unavailable\n");
}

/** Writes, reads back and deletes a probe object; resolves to what went
 * wrong, or `undefined` when all worked. */
export async function probeStorage(
  storage: Storage,
): Promise<string | undefined> {
  const key = `_health/probe-${crypto.randomUUID()}`;
  const expected = crypto.randomUUID();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(
      () => resolve(`no answer within ${probeTimeoutMs} ms`),
      probeTimeoutMs,
    );
  });

  const probe = async (): Promise<string | undefined> => {
    try {
      await storage.write(key, new TextEncoder().encode(expected));
      const bytes = await storage.readBytes(key);
      const found = bytes && new TextDecoder().decode(bytes);
      if (found !== expected) return "probe object read back wrong";
      if (!await storage.delete(key)) return "probe object vanished";
      return undefined;
    } catch (error) {
      // A half-done probe should not leave its object behind.
      await storage.delete(key).catch(() => false);
      return error instanceof Error ? error.message : String(error);
    }
  };

  try {
    return await Promise.race([probe(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function text(status: number, body: string): Response {
  return new Response(body, {
    status,
    headers: {
      "Content-Type": "text/plain; charset=utf-8",
      "Cache-Control": "no-store",
    },
  });
}
