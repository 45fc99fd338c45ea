/**
 * Starting and stopping the registry the end-to-end tests talk to. By
 * default that is this project's server (`main.ts`); `E2E_SERVER=reference`
 * runs the Go reference registry (`docker-registry`) instead, so the tests
 * themselves can be checked against an implementation known to be right.
 * Both listen on loopback at a port picked here, keep their data in a
 * directory the caller owns (so a restart can reuse it), and count as
 * started once `GET /v2/` answers.
 *
 * @module
 */

/** Which registry the tests run against. */
export type ServerKind = "ours" | "reference";

/** A registry process that is up and answering. */
export interface RunningServer {
  /** `127.0.0.1:port`, as used in image references. */
  host: string;
  /** The directory holding the registry's data. */
  storageDir: string;
  /** The last part of what the server printed, for failure messages. */
  output(): string;
  /** Stops the process and waits for it to exit. */
  stop(): Promise<void>;
}

const mainModule = new URL("../../main.ts", import.meta.url);
const startTimeoutMs = 30_000;
const outputLimit = 64 * 1024;

/** The server chosen by `E2E_SERVER`; ours unless told otherwise. */
export function serverKind(): ServerKind {
  const kind = Deno.env.get("E2E_SERVER") ?? "ours";
  if (kind !== "ours" && kind !== "reference") {
    throw new Error(`E2E_SERVER must be "ours" or "reference", not "${kind}"`);
  }
  return kind;
}

/** The programs the chosen server needs, to decide whether to skip. */
export function serverPrograms(): string[] {
  return serverKind() === "reference" ? ["docker-registry"] : [];
}

/** Settings for this project's server beyond storage and address, such
 * as auth flags. The reference registry is configured differently, so it
 * takes none. */
export interface ServerOptions {
  /** Extra command-line flags for `main.ts`. */
  args?: string[];
  /** Extra environment variables, such as `REGISTRY_PASSWORD`. */
  env?: Record<string, string>;
}

/** Starts the chosen registry on `storageDir`. A port picked here can be
 * taken by another process before the server binds it, so a start that
 * dies early is tried again on a new port. */
export async function startServer(
  storageDir: string,
  options: ServerOptions = {},
): Promise<RunningServer> {
  const extra = (options.args?.length ?? 0) +
    Object.keys(options.env ?? {}).length;
  if (extra > 0 && serverKind() === "reference") {
    throw new Error("extra flags and environment apply to main.ts only");
  }
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(storageDir, freePort(), options);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function startOnce(
  storageDir: string,
  port: number,
  options: ServerOptions,
): Promise<RunningServer> {
  const host = `127.0.0.1:${port}`;
  const [program, args] = serverKind() === "reference"
    ? ["docker-registry", ["serve", await referenceConfig(storageDir, port)]]
    : [Deno.execPath(), [...ourArgs(storageDir, port), ...options.args ?? []]];
  const child = new Deno.Command(program, {
    args,
    env: { ...withoutRegistryVariables(), ...options.env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();

  const captured = new Capture();
  const drained = Promise.all([
    child.stdout.pipeTo(captured.writable()),
    child.stderr.pipeTo(captured.writable()),
  ]);
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  const stop = async () => {
    if (!exited) child.kill("SIGTERM");
    await status;
    await drained;
  };

  try {
    await waitUntilAnswering(host, () => exited);
  } catch (error) {
    await stop();
    throw new Error(
      `${program} did not start: ${String(error)}\n` +
        `--- server output ---\n${captured.text()}`,
    );
  }
  return { host, storageDir, output: () => captured.text(), stop };
}

function ourArgs(storageDir: string, port: number): string[] {
  return [
    "run",
    "-A",
    mainModule.pathname,
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--storage",
    storageDir,
  ];
}

/** The reference registry is configured by file only; its config goes
 * beside, not inside, the storage directory. */
async function referenceConfig(storageDir: string, port: number) {
  const path = `${storageDir}.config.yml`;
  await Deno.writeTextFile(
    path,
    [
      "version: 0.1",
      "log:",
      "  level: warn",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${storageDir}`,
      "  delete:",
      "    enabled: true",
      "http:",
      `  addr: 127.0.0.1:${port}`,
      "",
    ].join("\n"),
  );
  return path;
}

/** Both servers read `REGISTRY_*` variables as settings; one left in the
 * caller's environment must not change the server under test. */
function withoutRegistryVariables(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([name]) =>
      !name.startsWith("REGISTRY_")
    ),
  );
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function waitUntilAnswering(host: string, exited: () => boolean) {
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (exited()) throw new Error("the process exited");
    try {
      const response = await fetch(`http://${host}/v2/`);
      await response.body?.cancel();
      // 401 counts too: an authenticating registry is still up.
      if (response.status === 200 || response.status === 401) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`GET /v2/ gave no answer within ${startTimeoutMs} ms`);
}

/** Keeps the tail of a process's output. The pipes must be read all the
 * time: a server that fills an unread pipe blocks on its next log line. */
class Capture {
  #chunks: Uint8Array[] = [];
  #size = 0;

  writable(): WritableStream<Uint8Array> {
    return new WritableStream({
      write: (chunk) => {
        this.#chunks.push(chunk);
        this.#size += chunk.byteLength;
        while (this.#size > outputLimit && this.#chunks.length > 1) {
          this.#size -= this.#chunks.shift()!.byteLength;
        }
      },
    });
  }

  text(): string {
    const decoder = new TextDecoder();
    return this.#chunks.map((chunk) => decoder.decode(chunk)).join("");
  }
}
