/**
 * Running the client programs of the end-to-end tests. Every run has a
 * time limit, so a client that hangs on a misbehaving registry fails its
 * test instead of stalling the suite, and every failure message carries the
 * command line and the client's own stderr, which is where skopeo, podman
 * and buildah say what the registry did wrong.
 *
 * @module
 */

/** What a finished client run produced. */
export interface RunResult {
  /** The command line, for messages. */
  command: string;
  /** Exit code; -1 when the run was killed. */
  code: number;
  /** Standard output as bytes, since `skopeo inspect --raw` prints a
   * manifest whose digest must be taken over the exact bytes. */
  stdout: Uint8Array<ArrayBuffer>;
  /** Standard error as text. */
  stderr: string;
  /** True when the time limit killed the run. */
  timedOut: boolean;
}

/** Options of a client run. */
export interface RunOptions {
  /** Time limit in milliseconds. Defaults to two minutes. */
  timeoutMs?: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

const defaultTimeoutMs = 120_000;

/** Runs a program to completion, killing it at the time limit. */
export async function run(
  program: string,
  args: string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const command = [program, ...args].join(" ");
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, timeoutMs);
  try {
    const output = await new Deno.Command(program, {
      args,
      env: options.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: abort.signal,
    }).output();
    return {
      command,
      code: output.signal === null ? output.code : -1,
      stdout: output.stdout,
      stderr: new TextDecoder().decode(output.stderr),
      timedOut,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** A readable account of a run, for assertion messages. */
export function describe(result: RunResult): string {
  const ending = result.timedOut ? "timed out" : `exited ${result.code}`;
  const stdout = new TextDecoder().decode(result.stdout).slice(-2000);
  return `\`${result.command}\` ${ending}\n--- stderr ---\n` +
    `${result.stderr.slice(-4000)}\n--- stdout ---\n${stdout}`;
}

/** Runs a program that must succeed; returns its stdout bytes. */
export async function mustRun(
  program: string,
  args: string[],
  options?: RunOptions,
): Promise<Uint8Array<ArrayBuffer>> {
  const result = await run(program, args, options);
  if (result.code !== 0) {
    throw new Error(`client failed: ${describe(result)}`);
  }
  return result.stdout;
}

/** Runs a program that must fail, but not by hanging; returns the run so
 * the caller can check why it failed. */
export async function mustFail(
  program: string,
  args: string[],
  options?: RunOptions,
): Promise<RunResult> {
  const result = await run(program, args, options);
  if (result.code === 0 || result.timedOut) {
    throw new Error(`client was expected to fail: ${describe(result)}`);
  }
  return result;
}

/** Whether a program of this name is on `PATH`. Synchronous because tests
 * are registered while the module loads. */
export function onPath(program: string): boolean {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir === "") continue;
    try {
      if (Deno.statSync(`${dir}/${program}`).isFile) return true;
    } catch {
      // Not in this directory; the next one may have it.
    }
  }
  return false;
}
