/**
 * Graceful shutdown on SIGINT or SIGTERM: turn new requests away, let the
 * requests in flight finish, stop the listeners, and give up waiting
 * after a deadline so an orchestrator's stop never hangs on one stuck
 * client. A second signal ends the process at once.
 *
 * @module
 */

import type { Logger } from "../log.ts";
import type { Drain } from "./drain.ts";

/** How long in-flight requests get to finish after a signal. */
export const shutdownDeadlineMs = 10_000;

/** Something that can stop gracefully, like `Deno.HttpServer`. */
export interface Stoppable {
  /** Stops accepting and resolves when in-flight requests are done. */
  shutdown(): Promise<void>;
}

/**
 * Drains `drain`, then stops every server in `servers`, waiting at most
 * `deadlineMs` in all; resolves to true when everything finished in time.
 */
export async function stopAll(
  servers: readonly Stoppable[],
  drain: Pick<Drain, "drain">,
  deadlineMs = shutdownDeadlineMs,
): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), deadlineMs);
  });
  const stopped = drain.drain()
    .then(() => Promise.all(servers.map((s) => s.shutdown())))
    .then(() => true);
  try {
    return await Promise.race([stopped, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Resolves once a shutdown signal has arrived and `servers` have stopped
 * (or the deadline passed); the caller then exits with status 0.
 */
export function stopOnSignal(
  servers: readonly Stoppable[],
  drain: Drain,
  log: Logger,
  deadlineMs = shutdownDeadlineMs,
): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: Deno.Signal) => () => {
      if (stopping) {
        log({ level: "warn", msg: "second signal, exiting now", signal });
        Deno.exit(1);
      }
      stopping = true;
      log({
        level: "info",
        msg: "shutting down",
        signal,
        inFlight: drain.inFlight,
        deadlineMs,
      });
      stopAll(servers, drain, deadlineMs).then((clean) => {
        if (!clean) {
          log({
            level: "warn",
            msg: "requests still running at the deadline were cut off",
          });
        }
        resolve();
      });
    };
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      try {
        Deno.addSignalListener(signal, onSignal(signal));
      } catch {
        // Windows has no SIGTERM; SIGINT (Ctrl-C) still works there.
      }
    }
  });
}
