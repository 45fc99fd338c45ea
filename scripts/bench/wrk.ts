/**
 * @module
 * Runs wrk, the HTTP load generator, and reads its summary. Used for the
 * many-connection read scenarios because a C load generator keeps up with
 * both registries, where a JavaScript client on the same two cores would
 * become the bottleneck first.
 */

import { trackChild } from "./cleanup.ts";
import { runCommand } from "./process.ts";

/** What one wrk run measured. */
export interface WrkResult {
  /** Completed requests per second. */
  requestsPerSecond: number;
  /** Completed requests in total. */
  requests: number;
  /** Responses outside 2xx/3xx plus socket errors. */
  errors: number;
}

/** How to load one URL. */
export interface WrkOptions {
  /** The URL to request. */
  url: string;
  /** Open connections. */
  connections: number;
  /** wrk threads. */
  threads: number;
  /** Duration in seconds. */
  seconds: number;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

/** Runs wrk and parses its summary; throws when it reports nothing. */
export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  const result = await runCommand(
    "wrk",
    wrkArgs(options),
    (options.seconds + 30) * 1000,
  );
  return parseSummary(result.code, result.stdout, result.stderr);
}

/** A wrk run in the background, ended on demand. */
export interface BackgroundWrk {
  /** Stops wrk with SIGINT, which makes it print its summary, and parses it. */
  stop(): Promise<WrkResult>;
}

/**
 * Starts wrk for at most `options.seconds`, to be stopped once the work it
 * runs alongside is done.
 */
export function startWrk(options: WrkOptions): BackgroundWrk {
  const child = trackChild(
    new Deno.Command("wrk", {
      args: wrkArgs(options),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn(),
  );
  const output = child.output();
  return {
    async stop() {
      try {
        child.kill("SIGINT");
      } catch {
        // wrk already reached its duration and exited.
      }
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      try {
        const done = await output;
        const decoder = new TextDecoder();
        return parseSummary(
          done.code,
          decoder.decode(done.stdout),
          decoder.decode(done.stderr),
        );
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function wrkArgs(options: WrkOptions): string[] {
  const args = [
    `-t${options.threads}`,
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    "--timeout",
    "10s",
  ];
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    args.push("-H", `${name}: ${value}`);
  }
  args.push(options.url);
  return args;
}

function parseSummary(code: number, stdout: string, stderr: string): WrkResult {
  const rate = stdout.match(/Requests\/sec:\s+([\d.]+)/);
  const total = stdout.match(/(\d+) requests in/);
  if (code !== 0 || !rate || !total) {
    throw new Error(`wrk failed: ${stderr || stdout}`);
  }
  const non2xx = Number(
    stdout.match(/Non-2xx or 3xx responses:\s+(\d+)/)?.[1] ?? 0,
  );
  const socket = stdout.match(
    /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/,
  );
  const socketErrors = socket
    ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0)
    : 0;
  return {
    requestsPerSecond: Number(rate[1]),
    requests: Number(total[1]),
    errors: non2xx + socketErrors,
  };
}
