/**
 * Starts `main.ts` as a child process for the server's process tests, and
 * reads its log until the start-up line says where it listens.
 *
 * @module
 */

const mainPath = new URL("../../main.ts", import.meta.url).pathname;

/** A running server process. */
export interface ServerProcess {
  /** The URL from the start-up line. */
  url: string;
  /** Every stdout line so far. */
  lines: string[];
  /** The child process. */
  child: Deno.ChildProcess;
  /** Resolves to stderr once the process has exited. */
  stderr: Promise<string>;
  /** Resolves once stdout has closed. */
  stdoutDone: Promise<void>;
  /** Sends SIGTERM if still running and waits for the exit. */
  stop(): Promise<Deno.CommandStatus>;
  /** Waits for the process to exit by itself. */
  exited: Promise<Deno.CommandStatus>;
}

/** Runs `main.ts` with `args` and waits for its start-up line. */
export async function startServer(
  args: string[],
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", mainPath, ...args],
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();

  const lines: string[] = [];
  const { promise: listening, resolve, reject } = Promise.withResolvers<
    string
  >();
  const stdoutDone = (async () => {
    const decoder = child.stdout.pipeThrough(new TextDecoderStream());
    let rest = "";
    for await (const text of decoder) {
      const parts = (rest + text).split("\n");
      rest = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        const url = line.match(/ listening url=(\S+)/)?.[1] ??
          (line.includes('"msg":"listening"') ? JSON.parse(line).url : null);
        if (url) resolve(url);
      }
    }
    reject(new Error(`server exited before listening: ${await stderr}`));
  })();

  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  const timeout = setTimeout(
    () => reject(new Error("no start-up line within 30 s")),
    30_000,
  );
  try {
    const url = await listening;
    return {
      url,
      lines,
      child,
      stderr,
      stdoutDone,
      exited: status,
      stop: async () => {
        if (!exited) child.kill("SIGTERM");
        const result = await status;
        await stdoutDone;
        await stderr;
        return result;
      },
    };
  } catch (error) {
    if (!exited) child.kill("SIGKILL");
    await status;
    await stdoutDone.catch(() => {});
    throw error;
  } finally {
    clearTimeout(timeout);
  }
}

/** Runs `main.ts` to completion, for flags that stop it at once. */
export async function runMain(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", mainPath, ...args],
    env,
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** The sha256 digest of `bytes`, as `sha256:<hex>`. */
export async function sha256Digest(bytes: Uint8Array): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", bytes as BufferSource);
  const hex = Array.from(
    new Uint8Array(hash),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  return `sha256:${hex}`;
}
