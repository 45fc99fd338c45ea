/**
 * The command-line server from start to exit: resolve the settings, build
 * storage, auth and the registry, listen, log one start-up line saying
 * where it listens, where it stores and who may do what, then serve until
 * SIGINT or SIGTERM. A bad setting ends the process with status 2 and a
 * message on stderr, before anything listens.
 *
 * @module
 */

import type { Logger } from "../log.ts";
import { formatDuration } from "../maintenance/_format.ts";
import { runGc, runVerify, splitMaintenanceArgs } from "../maintenance/cli.ts";
import { createRegistry } from "../registry.ts";
import { FileStorage } from "../storage/filesystem.ts";
import type { Storage } from "../storage/types.ts";
import { helpText } from "./args.ts";
import { setupAuth } from "./auth_setup.ts";
import { ClientAddresses } from "./client_address.ts";
import { resolveConfig } from "./config.ts";
import { readText } from "./files.ts";
import { Drain } from "./drain.ts";
import { createLogger } from "./logger.ts";
import { MeteredStorage } from "./metered_storage.ts";
import { Metrics } from "./metrics.ts";
import { startPeriodicGc } from "./periodic_gc.ts";
import { createHandler, listen, metricsHandler } from "./serve.ts";
import type { Settings } from "./settings.ts";
import { stopOnSignal, type Stoppable } from "./shutdown.ts";
import { ConfigError, splitAddress } from "./values.ts";

/** Exit status for a bad flag, config file or environment variable. */
export const usageExitCode = 2;

/**
 * Runs the server with `args` and `env`; resolves to the exit status once
 * it has shut down (or failed to start).
 */
export async function main(
  args: readonly string[],
  env: Readonly<Record<string, string>> = Deno.env.toObject(),
): Promise<number> {
  try {
    if (args[0] === "gc" || args[0] === "verify") {
      return await maintain(args[0], args.slice(1), env);
    }
    const config = await resolveConfig(args, env);
    if (config.help) {
      console.log(helpText());
      return 0;
    }
    const { settings } = config;
    const log = createLogger({
      format: settings.logFormat,
      level: settings.logLevel,
    });
    for (const name of config.unknownEnv) {
      log({ level: "warn", msg: "unknown environment variable ignored", name });
    }
    const drain = new Drain();
    const servers = await start(settings, config.password, log, drain);
    await stopOnSignal(servers, drain, log);
    log({ level: "info", msg: "stopped" });
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`error: ${error.message}`);
      return usageExitCode;
    }
    // An address in use or a port that needs privileges: the operator's
    // problem to fix, so the message is enough, without a stack.
    if (
      error instanceof Deno.errors.AddrInUse ||
      error instanceof Deno.errors.PermissionDenied
    ) {
      console.error(`error: cannot listen: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

/** Builds everything and starts listening; resolves to what a shutdown
 * stops: the servers and the garbage collection schedule. */
async function start(
  settings: Settings,
  password: string | undefined,
  log: Logger,
  drain: Drain,
): Promise<Stoppable[]> {
  const metrics = settings.metrics ? new Metrics() : undefined;
  const root = await prepareRoot(settings.storage);
  const files = new FileStorage(root);
  const storage: Storage = metrics ? new MeteredStorage(files, metrics) : files;
  const auth = await setupAuth(settings, password, log);
  const tls = settings.tlsCert && settings.tlsKey
    ? {
      cert: await readText(settings.tlsCert, "--tls-cert"),
      key: await readText(settings.tlsKey, "--tls-key"),
    }
    : undefined;

  const addresses = new ClientAddresses();
  const registry = createRegistry({
    storage,
    auth: auth.auth,
    log,
    readOnly: settings.readOnly,
    deleteEnabled: !settings.noDelete,
    maxManifestSize: settings.maxManifestSize,
    maxPageSize: settings.maxPageSize,
    maxConcurrentUploads: settings.maxUploads,
    maxConcurrentUploadsPerClient: settings.maxUploadsPerClient,
    clientKey: addresses.key,
  });
  const handler = createHandler({
    registry: addresses.record(registry.fetch),
    storage,
    log,
    metrics,
    serveMetrics: !settings.metricsAddress,
    drain,
  });

  const main = listen(handler, {
    host: settings.host,
    port: settings.port,
    tls,
  });
  const servers: Stoppable[] = [main.server];
  let metricsUrl = metrics ? `${main.url}/metrics` : "off";
  if (metrics && settings.metricsAddress) {
    const side = listen(metricsHandler(metrics), {
      ...splitAddress(settings.metricsAddress),
    });
    servers.push(side.server);
    metricsUrl = `${side.url}/metrics`;
  }

  log({
    level: "info",
    msg: "listening",
    url: main.url,
    storage: root,
    auth: auth.mode,
    anonymous: auth.anonymous,
    readOnly: settings.readOnly,
    delete: !settings.noDelete,
    metrics: metricsUrl,
    gc: settings.gcInterval ? formatDuration(settings.gcInterval) : "off",
  });
  if (settings.gcInterval) {
    servers.push(startPeriodicGc({
      storage,
      intervalMs: settings.gcInterval,
      gracePeriodMs: settings.gcGrace,
      log,
      metrics,
    }));
  }
  for (const warning of auth.warnings) log({ level: "warn", msg: warning });
  if (!auth.auth && !settings.readOnly) {
    log({
      level: "warn",
      msg: "the registry is open: anyone who can reach it may pull, push " +
        "and delete; set REGISTRY_PASSWORD, --htpasswd or a token mode to " +
        "require a login",
    });
  }
  return servers;
}

/** Creates the storage directory if missing and returns its absolute
 * path, so the start-up line says exactly where data goes. */
async function prepareRoot(path: string): Promise<string> {
  try {
    await Deno.mkdir(path, { recursive: true });
    return await Deno.realPath(path);
  } catch (error) {
    throw new ConfigError(`--storage '${path}': ${(error as Error).message}`);
  }
}

/** Runs `gc` or `verify` over the configured storage. The subcommand's own
 * flags are split from the server's, so `--storage` and `--config` work
 * for both. */
async function maintain(
  command: "gc" | "verify",
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<number> {
  const { own, rest } = splitMaintenanceArgs(command, [...args]);
  const { settings } = await resolveConfig(rest, env);
  const storage = new FileStorage(settings.storage);
  const run = command === "gc" ? runGc : runVerify;
  return await run(own, storage, console.log);
}
