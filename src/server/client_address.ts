/**
 * The network address of each request's client, for the registry's
 * per-client upload limit. The registry is a plain `fetch` handler and
 * never sees the connection; `Deno.serve` hands the address to the
 * server's handler beside the request. The server records it here, keyed
 * by the very `Request` object the registry is then given, and the
 * registry's `clientKey` option reads it back. A header set by the server
 * would be simpler, but the registry could not tell it from one the
 * client sent, and a limit a client can dodge by changing a header is no
 * limit. A `WeakMap` drops each entry together with its request.
 *
 * Behind a reverse proxy every request comes from the proxy's address, so
 * all anonymous clients share one per-client limit there.
 *
 * @module
 */

import type { Handler } from "./instrument.ts";

/** Remembers the client address of each request handed to the registry. */
export class ClientAddresses {
  readonly #byRequest = new WeakMap<Request, string>();

  /** `fetch`, called after the request's client address is recorded. */
  record(fetch: (request: Request) => Promise<Response>): Handler {
    return (request, info) => {
      const address = info?.remoteAddr;
      if (address && "hostname" in address) {
        this.#byRequest.set(request, address.hostname);
      }
      return fetch(request);
    };
  }

  /** The address recorded for `request`; pass as the registry's
   * `clientKey`. */
  readonly key = (request: Request): string | undefined =>
    this.#byRequest.get(request);
}
