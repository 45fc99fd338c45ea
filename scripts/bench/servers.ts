/**
 * @module
 * Starts and stops the servers under test: our registry (`main.ts`), the Go
 * reference registry, and a hello-world `Deno.serve` that stands for the
 * machine's limit. Each runs as a child process with its output sent to a
 * log file by the kernel, so logging costs the benchmark process nothing,
 * and each is ready once it answers `GET /v2/`.
 */

import { makeTempDir, trackChild } from "./cleanup.ts";
import { HttpConnection } from "./http_client.ts";
import { sleep } from "./process.ts";

/** Which server a measurement ran against. */
export type ServerKind = "ours" | "reference" | "hello";

/** A server child process that answers HTTP on loopback. */
export interface RunningServer {
  /** Which server this is. */
  kind: ServerKind;
  /** Always 127.0.0.1: the benchmark never leaves loopback. */
  host: string;
  /** The port it listens on. */
  port: number;
  /** `http://host:port`. */
  baseUrl: string;
  /** The process id, for reading its memory use. */
  pid: number;
  /** Milliseconds from spawn to the first answered `GET /v2/`. */
  readyMs: number;
  /** Ends the process and waits for it. */
  stop(): Promise<void>;
}

/** Where our registry's entry point lives. */
export const OURS_MAIN = new URL("../../main.ts", import.meta.url).pathname;
/** The Go reference registry binary. */
export const REFERENCE_BIN = "/usr/bin/docker-registry";
const HELLO_MAIN = new URL("./hello_server.ts", import.meta.url).pathname;
const HOST = "127.0.0.1";

/** Returns a port that was free a moment ago. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: HOST, port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Starts our registry with filesystem storage in `storageDir`. */
export function startOurs(storageDir: string): Promise<RunningServer> {
  const port = freePort();
  return spawnServer("ours", port, [
    Deno.execPath(),
    "run",
    "-A",
    OURS_MAIN,
    "--host",
    HOST,
    "--port",
    String(port),
    "--storage",
    storageDir,
    // Matches the reference's settings: errors only, no per-request lines.
    "--log-level",
    "error",
  ]);
}

/** Starts the reference registry with its data in `storageDir`. */
export async function startReference(
  storageDir: string,
): Promise<RunningServer> {
  const port = freePort();
  const configDir = await makeTempDir("refconf");
  const config = `${configDir}/config.yml`;
  // The access log is off so that neither registry pays for per-request
  // logging; errors are still logged.
  await Deno.writeTextFile(
    config,
    [
      "version: 0.1",
      "log:",
      "  level: error",
      "  accesslog:",
      "    disabled: true",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${storageDir}`,
      "  delete:",
      "    enabled: true",
      "http:",
      `  addr: ${HOST}:${port}`,
      "",
    ].join("\n"),
  );
  return await spawnServer("reference", port, [REFERENCE_BIN, "serve", config]);
}

/**
 * Starts the hello-world server; `file` is streamed for any GET of a path
 * with `/blobs/` in it (pass "" when no scenario pulls from it).
 */
export function startHello(file: string): Promise<RunningServer> {
  const port = freePort();
  return spawnServer("hello", port, [
    Deno.execPath(),
    "run",
    "-A",
    HELLO_MAIN,
    String(port),
    file,
  ]);
}

/** Reports whether the reference registry binary is installed. */
export async function referenceInstalled(): Promise<boolean> {
  try {
    return (await Deno.stat(REFERENCE_BIN)).isFile;
  } catch {
    return false;
  }
}

/** Reads current and peak resident memory of a process, in bytes. */
export async function readMemory(
  pid: number,
): Promise<{ rss: number; peak: number }> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const field = (name: string) =>
    Number(status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, "m"))?.[1] ?? 0) *
    1024;
  return { rss: field("VmRSS"), peak: field("VmHWM") };
}

async function spawnServer(
  kind: ServerKind,
  port: number,
  argv: string[],
): Promise<RunningServer> {
  const logDir = await makeTempDir(`${kind}log`);
  const log = `${logDir}/server.log`;
  const start = performance.now();
  // `exec` makes the shell become the server, so the pid is the server's.
  const child = trackChild(
    new Deno.Command("/bin/sh", {
      args: [
        "-c",
        'log="$1"; shift; exec "$@" >"$log" 2>&1',
        "sh",
        log,
        ...argv,
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn(),
  );
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch {
        // Ended on its own after SIGTERM.
      }
    }, 3000);
    await child.status;
    clearTimeout(timer);
  };
  try {
    await waitForV2(child, port, kind === "ours" ? 120_000 : 30_000);
  } catch (error) {
    await stop();
    const tail = (await Deno.readTextFile(log).catch(() => "")).slice(-2000);
    throw new Error(`${kind} server did not start: ${error}\n${tail}`);
  }
  return {
    kind,
    host: HOST,
    port,
    baseUrl: `http://${HOST}:${port}`,
    pid: child.pid,
    readyMs: performance.now() - start,
    stop,
  };
}

async function waitForV2(
  child: Deno.ChildProcess,
  port: number,
  timeoutMs: number,
): Promise<void> {
  let exited = false;
  child.status.then(() => exited = true);
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (exited) throw new Error("the process exited");
    const client = new HttpConnection(HOST, port);
    try {
      const response = await client.request("GET", "/v2/");
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    } finally {
      client.close();
    }
    await sleep(1);
  }
  throw new Error(`no answer to GET /v2/ within ${timeoutMs} ms`);
}
