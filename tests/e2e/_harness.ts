/**
 * How an end-to-end test is declared. `e2eTest` gives each test its own
 * temporary directory and its own registry process, and cleans both up.
 * A test that needs a client program which is not installed is skipped
 * with a printed notice, except in CI (`CI=true`), where a missing client
 * means the machine was set up wrong and the test fails. When a test
 * fails, the registry's own output is added to the error, since a client's
 * complaint is often explained by what the server logged.
 *
 * @module
 */

import { onPath } from "./_process.ts";
import {
  type RunningServer,
  serverKind,
  serverPrograms,
  startServer,
} from "./_server.ts";

/** What an end-to-end test works with. */
export interface E2eContext {
  /** The registry, replaced by `restart()`. */
  server: RunningServer;
  /** Makes a fresh directory inside the test's temporary directory. */
  dir(name: string): Promise<string>;
  /** Stops the registry and starts it again on the same storage. */
  restart(): Promise<RunningServer>;
}

/**
 * Declares an end-to-end test that needs the given client programs.
 *
 * @example
 * ```ts
 * e2eTest("skopeo lists tags", ["skopeo"], async ({ server }) => {
 *   // talk to `docker://${server.host}/...`
 * });
 * ```
 */
export function e2eTest(
  name: string,
  programs: string[],
  fn: (context: E2eContext) => Promise<void>,
): void {
  const fullName = `${name} [${serverKind()}]`;
  const missing = [...programs, ...serverPrograms()].filter((program) =>
    !onPath(program)
  );
  if (missing.length > 0 && Deno.env.get("CI") === "true") {
    Deno.test(fullName, () => {
      throw new Error(`not installed, and CI needs it: ${missing.join(", ")}`);
    });
    return;
  }
  if (missing.length > 0) {
    console.log(`skipping "${fullName}": ${missing.join(", ")} not installed`);
    Deno.test({ name: fullName, ignore: true, fn: () => {} });
    return;
  }
  Deno.test(fullName, () => withRegistry(fn));
}

async function withRegistry(fn: (context: E2eContext) => Promise<void>) {
  const root = await Deno.makeTempDir({ prefix: "e2e_" });
  const storageDir = `${root}/storage`;
  await Deno.mkdir(storageDir);
  let server: RunningServer | undefined;
  try {
    server = await startServer(storageDir);
    const context: E2eContext = {
      server,
      dir: async (name) => {
        const path = `${root}/${name}`;
        await Deno.mkdir(path);
        return path;
      },
      restart: async () => {
        const stopping = server!;
        server = undefined;
        await stopping.stop();
        server = await startServer(storageDir);
        context.server = server;
        return server;
      },
    };
    await fn(context);
  } catch (error) {
    if (server === undefined || !(error instanceof Error)) throw error;
    error.message += `\n--- registry output (tail) ---\n` +
      server.output().slice(-8000);
    throw error;
  } finally {
    await server?.stop();
    await Deno.remove(root, { recursive: true });
  }
}
