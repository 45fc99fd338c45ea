/**
 * @module
 * Runs the external tools the benchmark leans on (curl, wrk, dd, openssl)
 * with a hard time limit each, so no scenario can hang the run, and with the
 * child registered for clean-up while it lives.
 */

import { trackChild } from "./cleanup.ts";

/** What a finished command printed and how it exited. */
export interface CommandResult {
  /** Exit code; a non-zero code is not an exception, callers decide. */
  code: number;
  /** Standard output as text. */
  stdout: string;
  /** Standard error as text. */
  stderr: string;
  /** Wall-clock time from spawn to exit, in milliseconds. */
  elapsedMs: number;
}

/**
 * Runs `cmd args`, killing it after `timeoutMs`.
 *
 * @throws Error when the command is still running at the limit.
 */
export async function runCommand(
  cmd: string,
  args: string[],
  timeoutMs: number,
): Promise<CommandResult> {
  const start = performance.now();
  const child = trackChild(
    new Deno.Command(cmd, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn(),
  );
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  try {
    const output = await child.output();
    if (timedOut) {
      throw new Error(`${cmd} did not finish within ${timeoutMs} ms`);
    }
    const decoder = new TextDecoder();
    return {
      code: output.code,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
      elapsedMs: performance.now() - start,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Waits for `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
