/**
 * Limits on the blob-upload request bodies a registry receives at once:
 * in all, and per client. Each body being received holds a socket, a
 * stream into storage and a running hash, so without a limit a few
 * clients opening many slow uploads could take all of them. A request
 * over a limit is refused with 429 `TOOMANYREQUESTS` and `Retry-After`
 * before any of its bytes are read, and a slot is given back as soon as
 * its body has been received or has failed.
 *
 * The counts live in memory, per registry instance, and that is the
 * point: they guard this process's own resources. Several processes over
 * one storage each count only their own uploads.
 *
 * @module
 */

import { RegistryError } from "../protocol/errors.ts";
import type { Context } from "./context.ts";

/** Counts upload bodies being received, in all and per client. */
export class UploadLimits {
  readonly #maxTotal: number;
  readonly #maxPerClient: number;
  #total = 0;
  readonly #perClient = new Map<string, number>();

  /** Limits of `maxTotal` bodies at once, `maxPerClient` of them from any
   * one client. */
  constructor(maxTotal: number, maxPerClient: number) {
    this.#maxTotal = maxTotal;
    this.#maxPerClient = maxPerClient;
  }

  /** Bodies being received now. */
  get active(): number {
    return this.#total;
  }

  /**
   * Takes a slot for a body from `client` (`undefined`: a client that
   * cannot be told apart, counted in the total only) and returns the
   * function that gives it back; calling that twice gives it back once.
   * Throws 429 `TOOMANYREQUESTS` when either limit is reached.
   */
  acquire(client: string | undefined): () => void {
    if (this.#total >= this.#maxTotal) {
      throw tooMany(
        `the registry is already receiving ${this.#maxTotal} uploads`,
      );
    }
    const held = client === undefined ? 0 : this.#perClient.get(client) ?? 0;
    if (client !== undefined && held >= this.#maxPerClient) {
      throw tooMany(
        `this client is already sending ${this.#maxPerClient} uploads`,
      );
    }

    this.#total++;
    if (client !== undefined) this.#perClient.set(client, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#total--;
      if (client === undefined) return;
      const left = (this.#perClient.get(client) ?? 1) - 1;
      if (left > 0) this.#perClient.set(client, left);
      else this.#perClient.delete(client);
    };
  }
}

/**
 * Runs `receive`, which reads the request body into storage, while
 * holding an upload slot; a request without a body needs no slot. Throws
 * 429 before `receive` starts when no slot is free.
 */
export async function receiving<T>(
  ctx: Context,
  receive: () => Promise<T>,
): Promise<T> {
  if (!ctx.request.body) return await receive();
  const release = ctx.state.uploadLimits.acquire(clientOf(ctx));
  try {
    return await receive();
  } finally {
    release();
  }
}

/** The client an upload counts against: the user name when the caller
 * logged in, otherwise whatever the embedding server says (such as the
 * network address). Prefixes keep a user name from ever equalling an
 * address. */
function clientOf(ctx: Context): string | undefined {
  if (ctx.identity) return `user:${ctx.identity.name}`;
  const key = ctx.options.clientKey(ctx.request);
  return key === undefined ? undefined : `client:${key}`;
}

function tooMany(message: string): RegistryError {
  return new RegistryError("TOOMANYREQUESTS", `${message}; try again`, {
    headers: { "Retry-After": "1" },
  });
}
