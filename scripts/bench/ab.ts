/**
 * @module
 * Runs ApacheBench (`ab`) for HEAD requests. wrk 4.1, the version Debian
 * ships, waits for a body after a HEAD response that carries a non-zero
 * Content-Length and so never completes a request; ab's `-i` mode handles
 * HEAD correctly. ab is single-threaded, so its ceiling is lower than
 * wrk's: compare HEAD figures with each other, not with GET figures.
 */

import { runCommand } from "./process.ts";
import type { WrkResult } from "./wrk.ts";

/** Sends HEAD requests to `url` on `connections` kept-alive connections. */
export async function runAbHead(
  url: string,
  connections: number,
  seconds: number,
): Promise<WrkResult> {
  // -t must come before -n: -t resets the request cap to 50,000.
  const result = await runCommand("ab", [
    "-q",
    "-i",
    "-k",
    "-c",
    String(connections),
    "-t",
    String(seconds),
    "-n",
    "100000000",
    url,
  ], (seconds + 30) * 1000);
  const rate = result.stdout.match(/Requests per second:\s+([\d.]+)/);
  const total = result.stdout.match(/Complete requests:\s+(\d+)/);
  if (result.code !== 0 || !rate || !total) {
    throw new Error(`ab failed: ${result.stderr || result.stdout}`);
  }
  const failed = Number(result.stdout.match(/Failed requests:\s+(\d+)/)?.[1]);
  const non2xx = Number(
    result.stdout.match(/Non-2xx responses:\s+(\d+)/)?.[1] ?? 0,
  );
  return {
    requestsPerSecond: Number(rate[1]),
    requests: Number(total[1]),
    errors: failed + non2xx,
  };
}
