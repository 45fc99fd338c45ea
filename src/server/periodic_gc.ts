/**
 * Garbage collection inside the server, every `--gc-interval`. Runs never
 * overlap: the next one is scheduled only when the last has finished, so
 * a collection slower than the interval delays the next instead of
 * piling up. Each run logs one summary event and feeds the GC metrics; a
 * run that fails is logged and the schedule carries on. Collection is
 * safe while the registry serves (see `src/maintenance/gc.ts`), and safe
 * to cut short, which is what a shutdown past its deadline does.
 *
 * @module
 */

import type { Logger } from "../log.ts";
import { collectGarbage, type GcOptions } from "../maintenance/gc.ts";
import type { Storage } from "../storage/types.ts";
import type { Metrics } from "./metrics.ts";
import type { Stoppable } from "./shutdown.ts";

/** What {@linkcode startPeriodicGc} needs. */
export interface PeriodicGcOptions {
  /** The store to collect. */
  storage: Storage;
  /** Time from the end of one run to the start of the next. */
  intervalMs: number;
  /** The grace period of each run; see {@linkcode GcOptions}. */
  gracePeriodMs?: number;
  /** Receives one event per run. */
  log: Logger;
  /** When set, each completed run is counted in it. */
  metrics?: Metrics;
  /** The collector; `collectGarbage` unless replaced. */
  collect?: typeof collectGarbage;
}

/**
 * Starts collecting every `intervalMs`, the first run one interval after
 * the start. The result's `shutdown()` cancels the next run and resolves
 * once a run in progress has finished.
 */
export function startPeriodicGc(options: PeriodicGcOptions): Stoppable {
  const { storage, intervalMs, log, metrics } = options;
  const collect = options.collect ?? collectGarbage;
  const gcOptions: GcOptions = { gracePeriodMs: options.gracePeriodMs };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const run = async () => {
    const started = performance.now();
    try {
      const report = await collect(storage, gcOptions);
      metrics?.recordGc({ bytesReclaimed: report.bytesReclaimed });
      log({
        level: "info",
        msg: "gc finished",
        blobsRemoved: report.blobsRemoved,
        manifestsRemoved: report.manifestsRemoved,
        linksRemoved: report.linksRemoved,
        referrersRemoved: report.referrersRemoved,
        uploadsRemoved: report.uploadsRemoved,
        bytesReclaimed: report.bytesReclaimed,
        durationMs: Math.round(performance.now() - started),
      });
      for (const warning of report.warnings) {
        log({ level: "warn", msg: "gc warning", warning });
      }
    } catch (error) {
      log({
        level: "error",
        msg: "gc failed",
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };
  const schedule = () => {
    timer = setTimeout(() => {
      running = run().finally(() => {
        running = undefined;
        if (!stopped) schedule();
      });
    }, intervalMs);
  };

  schedule();
  return {
    async shutdown() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
