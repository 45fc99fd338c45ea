/**
 * The registry's metrics: requests by route class, method and status,
 * bytes in and out, uploads in flight, storage operation latency, and
 * garbage collection runs. One {@linkcode Metrics} object is shared by the
 * request instrumentation, the metered storage and the garbage collector,
 * and rendered for `GET /metrics`.
 *
 * @module
 */

import { Counter, Gauge, Histogram, type Metric } from "./prometheus.ts";

const secondsBuckets = [
  0.001,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
  30,
];

/** What one garbage collection run did. */
export interface GcRun {
  /** Bytes of blobs and uploads removed. */
  bytesReclaimed: number;
}

/** The content type of the Prometheus text exposition format. */
export const metricsContentType = "text/plain; version=0.0.4; charset=utf-8";

/**
 * Every metric the server exposes.
 *
 * @example Count a garbage collection run
 * ```ts
 * import { Metrics } from "./metrics.ts";
 *
 * const metrics = new Metrics();
 * metrics.recordGc({ bytesReclaimed: 1024 });
 * console.log(metrics.render().includes("registry_gc_runs_total 1")); // true
 * ```
 */
export class Metrics {
  /** Requests answered, by `route`, `method` and `status`. */
  readonly requests = new Counter(
    "registry_http_requests_total",
    "Requests answered, by route class, method and status.",
  );
  /** Time to the response head, by `route`. */
  readonly requestDuration = new Histogram(
    "registry_http_request_duration_seconds",
    "Time from request to response head, by route class.",
    secondsBuckets,
  );
  /** Request body bytes received, by `route`. */
  readonly bytesIn = new Counter(
    "registry_http_received_bytes_total",
    "Request body bytes received, by route class.",
  );
  /** Response body bytes sent, by `route`. */
  readonly bytesOut = new Counter(
    "registry_http_sent_bytes_total",
    "Response body bytes sent (as declared by Content-Length when set), by route class.",
  );
  /** Upload requests being served now. */
  readonly uploadsInFlight = new Gauge(
    "registry_uploads_in_flight",
    "Blob upload requests being served now.",
  );
  /** Storage call latency, by `operation`. */
  readonly storageDuration = new Histogram(
    "registry_storage_operation_duration_seconds",
    "Latency of storage operations, by operation.",
    secondsBuckets,
  );
  /** Storage calls that failed, by `operation`. */
  readonly storageErrors = new Counter(
    "registry_storage_operation_errors_total",
    "Storage operations that failed, by operation.",
  );
  /** Garbage collection runs. */
  readonly gcRuns = new Counter(
    "registry_gc_runs_total",
    "Garbage collection runs completed.",
  );
  /** Bytes garbage collection removed. */
  readonly gcBytesReclaimed = new Counter(
    "registry_gc_reclaimed_bytes_total",
    "Bytes removed by garbage collection.",
  );

  constructor() {
    // Unlabelled counters show as 0 before their first event, so a
    // dashboard can tell "none yet" from "not scraped".
    this.gcRuns.inc({}, 0);
    this.gcBytesReclaimed.inc({}, 0);
  }

  /** Counts a completed garbage collection run. */
  recordGc(run: GcRun): void {
    this.gcRuns.inc();
    this.gcBytesReclaimed.inc({}, run.bytesReclaimed);
  }

  /** All metrics in the Prometheus text format. */
  render(): string {
    const all: Metric[] = [
      this.requests,
      this.requestDuration,
      this.bytesIn,
      this.bytesOut,
      this.uploadsInFlight,
      this.storageDuration,
      this.storageErrors,
      this.gcRuns,
      this.gcBytesReclaimed,
    ];
    return all.map((metric) => metric.render()).join("");
  }

  /** The `GET /metrics` response. */
  response(): Response {
    return new Response(this.render(), {
      headers: { "Content-Type": metricsContentType },
    });
  }
}
