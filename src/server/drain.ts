/**
 * Tracks the requests being handled so a shutdown can wait for them.
 * `Deno.HttpServer.shutdown()` alone is not enough: on Deno 2.9 it makes
 * the body of every request still being received unreadable at once, so
 * an upload in progress would fail with a 500. The server therefore first
 * drains (requests already running finish, new ones are turned away with
 * 503) and only then shuts the listener down. Response bodies still
 * streaming when the handler returns are not tracked here; `shutdown()`
 * waits for those itself.
 *
 * @module
 */

import { RegistryError } from "../protocol/errors.ts";
import type { Handler } from "./instrument.ts";

/** Counts requests in flight and turns new ones away once draining. */
export class Drain {
  #inFlight = 0;
  #draining = false;
  #idle = Promise.withResolvers<void>();

  /** Whether a shutdown has begun. */
  get draining(): boolean {
    return this.#draining;
  }

  /** Requests whose handler has not yet returned. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** `handler`, counted; answers 503 once draining has begun. */
  track(handler: Handler): Handler {
    return async (request, info) => {
      if (this.#draining) {
        return new RegistryError("UNKNOWN", "the registry is shutting down", {
          status: 503,
          headers: { "Retry-After": "5" },
        }).toResponse(request.method);
      }
      this.#inFlight++;
      try {
        return await handler(request, info);
      } finally {
        this.#inFlight--;
        if (this.#draining && this.#inFlight === 0) this.#idle.resolve();
      }
    };
  }

  /** Begins draining; resolves when no tracked request is in flight. */
  drain(): Promise<void> {
    this.#draining = true;
    if (this.#inFlight === 0) this.#idle.resolve();
    return this.#idle.promise;
  }
}
