/**
 * Puts the registry on the network: the operator endpoints (`/healthz`,
 * `/readyz`, and `/metrics` when enabled) in front of the registry's own
 * `fetch`, metered when metrics are on, served by `Deno.serve` over HTTP
 * or, given a certificate and key, HTTPS. The registry logs each request
 * itself; this layer adds nothing to the registry core.
 *
 * @module
 */

import type { Logger } from "../log.ts";
import type { Storage } from "../storage/types.ts";
import type { Drain } from "./drain.ts";
import { healthz, readyz } from "./health.ts";
import { type Handler, instrument } from "./instrument.ts";
import type { Metrics } from "./metrics.ts";

/** What {@linkcode createHandler} composes. */
export interface HandlerOptions {
  /** The registry's request handler. */
  registry: Handler;
  /** The storage `/readyz` probes. */
  storage: Storage;
  /** Receives readiness failures. */
  log: Logger;
  /** When set, requests are metered into it. */
  metrics?: Metrics;
  /** Whether this listener answers `GET /metrics`. */
  serveMetrics?: boolean;
  /** Tracks registry requests for a graceful shutdown; while it drains,
   * `/readyz` answers 503 so load balancers stop sending traffic. */
  drain?: Drain;
}

/** The handler of the main listener. */
export function createHandler(options: HandlerOptions): Handler {
  const { storage, log, metrics, drain } = options;
  const metered = metrics
    ? instrument(options.registry, metrics)
    : options.registry;
  const registry = drain ? drain.track(metered) : metered;
  const serveMetrics = options.serveMetrics && metrics;

  return (request, info) => {
    if (request.method === "GET" || request.method === "HEAD") {
      const path = new URL(request.url).pathname;
      if (path === "/healthz") return Promise.resolve(healthz());
      if (path === "/readyz") {
        if (drain?.draining) {
          return Promise.resolve(
            new Response("shutting down\n", { status: 503 }),
          );
        }
        return readyz(storage, log);
      }
      if (path === "/metrics" && serveMetrics) {
        return Promise.resolve(serveMetrics.response());
      }
    }
    return registry(request, info);
  };
}

/** The handler of a separate metrics listener: `/metrics` and nothing
 * else. */
export function metricsHandler(metrics: Metrics): Handler {
  return (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/metrics" && request.method === "GET") {
      return Promise.resolve(metrics.response());
    }
    return Promise.resolve(new Response("not found\n", { status: 404 }));
  };
}

/** Where and how to listen. */
export interface ListenOptions {
  /** Host name or address. */
  host: string;
  /** Port; 0 picks a free one. */
  port: number;
  /** PEM certificate chain and key, for HTTPS. */
  tls?: { cert: string; key: string };
}

/** A started listener and the URL it answers on. */
export interface Listener {
  /** The running server. */
  server: Deno.HttpServer<Deno.NetAddr>;
  /** Its base URL, with the port actually bound. */
  url: string;
}

/** Starts `Deno.serve` with `handler`; rejects if the address is taken. */
export function listen(handler: Handler, options: ListenOptions): Listener {
  const server = Deno.serve({
    hostname: options.host,
    port: options.port,
    ...(options.tls ?? {}),
    // The server prints its own start-up line through the logger.
    onListen: () => {},
  }, handler);
  const scheme = options.tls ? "https" : "http";
  return { server, url: `${scheme}://${hostForUrl(server.addr)}` };
}

function hostForUrl(addr: Deno.NetAddr): string {
  const host = addr.hostname.includes(":")
    ? `[${addr.hostname}]`
    : addr.hostname;
  return `${host}:${addr.port}`;
}
