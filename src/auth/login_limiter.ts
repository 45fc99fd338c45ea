/**
 * Slows down password guessing, at the token endpoint and for Basic
 * credentials on every request: once a client has failed to log in a
 * number of times within a time window, it is refused with 429 until the
 * oldest failure leaves the window. The counts live in
 * this process's memory, so each instance of a registry run behind a
 * load balancer counts on its own, and a restart forgets them.
 *
 * @module
 */

/** Options for {@linkcode LoginLimiter}. */
export interface LoginLimiterOptions {
  /** Failures allowed within the window; defaults to 5. */
  maxFailures?: number;
  /** The window, in seconds; defaults to 60. */
  window?: number;
  /** Most clients tracked; the one tracked longest is dropped first, so
   * memory stays bounded under a flood of distinct keys. Defaults to
   * 10000. */
  maxClients?: number;
  /** The clock, in milliseconds. */
  now?: () => number;
}

/**
 * Counts failed logins per client key.
 *
 * @example
 * ```ts
 * import { LoginLimiter } from "./login_limiter.ts";
 *
 * const limiter = new LoginLimiter({ maxFailures: 1 });
 * limiter.fail("alice");
 * console.log(limiter.retryAfter("alice")); // 60
 * ```
 */
export class LoginLimiter {
  readonly #maxFailures: number;
  readonly #window: number;
  readonly #maxClients: number;
  readonly #now: () => number;
  readonly #failures = new Map<string, number[]>();

  /** Creates a limiter with no failures recorded. */
  constructor(options: LoginLimiterOptions = {}) {
    this.#maxFailures = options.maxFailures ?? 5;
    this.#window = (options.window ?? 60) * 1000;
    this.#maxClients = options.maxClients ?? 10000;
    this.#now = options.now ?? Date.now;
  }

  /** Seconds until `key` may try again, or `undefined` when it may now. */
  retryAfter(key: string): number | undefined {
    const recent = this.#recent(key);
    if (recent.length < this.#maxFailures) return undefined;
    const oldest = recent[recent.length - this.#maxFailures];
    return Math.max(1, Math.ceil((oldest + this.#window - this.#now()) / 1000));
  }

  /** Records a failed login of `key`. */
  fail(key: string): void {
    const recent = [...this.#recent(key), this.#now()];
    this.#failures.delete(key);
    if (this.#failures.size >= this.#maxClients) {
      this.#failures.delete(this.#failures.keys().next().value!);
    }
    this.#failures.set(key, recent.slice(-this.#maxFailures));
  }

  #recent(key: string): number[] {
    const since = this.#now() - this.#window;
    const recent = (this.#failures.get(key) ?? []).filter((t) => t > since);
    if (recent.length === 0) this.#failures.delete(key);
    return recent;
  }
}
