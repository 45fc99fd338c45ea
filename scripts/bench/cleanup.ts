/**
 * @module
 * Everything the benchmark leaves behind while it runs: child processes and
 * temporary directories. Each is registered here the moment it exists, and
 * `cleanUp()` ends and removes them all, whether the run finishes, throws, or
 * is interrupted with Ctrl-C or SIGTERM, so a benchmark never leaves a
 * registry listening or a gigabyte blob on disk.
 */

const children = new Set<Deno.ChildProcess>();
const tempDirs = new Set<string>();
let closing = false;

/**
 * Remembers a child process so that `cleanUp()` can end it. Once clean-up
 * has begun, a new child is ended at once: the scenario that spawned it is
 * still unwinding and must not leave it behind.
 */
export function trackChild(child: Deno.ChildProcess): Deno.ChildProcess {
  children.add(child);
  child.status.finally(() => children.delete(child));
  if (closing) kill(child);
  return child;
}

/** Whether clean-up has begun, so the run should stop starting work. */
export function cleaningUp(): boolean {
  return closing;
}

/** Creates a temporary directory that `cleanUp()` will remove. */
export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: `oci-bench-${prefix}-` });
  tempDirs.add(dir);
  return dir;
}

/**
 * Removes a temporary directory now. It stays on the clean-up list: a
 * server abandoned mid-measurement may still write into it until it is
 * killed, so `cleanUp()` removes it once more after ending every child.
 */
export async function removeTempDir(dir: string): Promise<void> {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}

/** Ends every tracked child process and removes every temporary directory. */
export async function cleanUp(): Promise<void> {
  closing = true;
  for (const child of children) kill(child);
  await Promise.allSettled([...children].map((child) => child.status));
  for (const dir of tempDirs) await removeTempDir(dir);
}

/**
 * Makes Ctrl-C and SIGTERM clean up before the process exits; without this
 * Deno would exit at once and orphan the registries it started.
 */
export function cleanUpOnSignals(): void {
  const onSignal = async () => {
    console.error("\ninterrupted: stopping servers and removing temp dirs");
    await cleanUp();
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
}

function kill(child: Deno.ChildProcess): void {
  try {
    child.kill("SIGKILL");
  } catch {
    // The process ended between the lookup and the kill.
  }
}

/**
 * Runs a script's `main` with clean-up on signals and at the end, then
 * exits with the code `main` returns, or 1 if it throws.
 */
export async function runScript(main: () => Promise<number>): Promise<never> {
  cleanUpOnSignals();
  let code = 1;
  try {
    code = await main();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
  } finally {
    await cleanUp();
  }
  Deno.exit(code);
}
