/**
 * Resolves the server's settings from its three sources: a config file
 * (JSON or YAML), `REGISTRY_*` environment variables, and flags, in rising
 * precedence, over the defaults. Each source is checked against the
 * settings table as it is read, and the combination is checked at the end
 * (see `combinations.ts`), so every mistake surfaces as one
 * {@linkcode ConfigError} before anything listens.
 *
 * @module
 */

import { parse as parseYaml } from "yaml";
import { parseArgs } from "./args.ts";
import { checkCombination } from "./combinations.ts";
import {
  defaults,
  envName,
  passwordEnv,
  type Setting,
  type Settings,
  settings,
} from "./settings.ts";
import { checkValue, ConfigError, parseText } from "./values.ts";

/** The outcome of reading every source. */
export interface ResolvedConfig {
  /** `--help` was asked for; nothing else was checked. */
  help: boolean;
  /** The settings, defaults filled in. */
  settings: Settings;
  /** The master password from the environment, if set. */
  password?: string;
  /** `REGISTRY_*` environment variables that name no setting: likely
   * typos, worth a warning but not worth refusing to start. */
  unknownEnv: string[];
}

/** Reads flags, environment and config file; throws
 * {@linkcode ConfigError} on any bad value or combination. */
export async function resolveConfig(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<ResolvedConfig> {
  const flags = parseArgs(args);
  if (flags.help) {
    return { help: true, settings: { ...defaults }, unknownEnv: [] };
  }
  const fromEnv = readEnv(env);
  const path = flags.values.config ?? fromEnv.config;
  const fromFile = path ? await readConfigFile(path) : {};

  const resolved = { ...defaults, ...fromFile, ...fromEnv, ...flags.values };
  // A separate metrics listener is pointless without metrics.
  if (resolved.metricsAddress) resolved.metrics = true;
  const password = env[passwordEnv] || undefined;
  checkCombination(resolved, password !== undefined);
  return {
    help: false,
    settings: resolved,
    password,
    unknownEnv: unknownEnv(env),
  };
}

/** The settings given as `REGISTRY_*` variables; empty ones count as
 * unset, as container runtimes often pass them that way. */
export function readEnv(
  env: Readonly<Record<string, string>>,
): Partial<Settings> {
  const values: Record<string, unknown> = {};
  for (const setting of settings) {
    const name = envName(setting.key);
    const text = env[name];
    if (text) values[setting.key] = parseText(setting.kind, text, name);
  }
  return values as Partial<Settings>;
}

/** Reads a config file: a JSON or YAML mapping of setting keys. */
export async function readConfigFile(path: string): Promise<Partial<Settings>> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new ConfigError(`config file '${path}': ${(error as Error).message}`);
  }

  let document: unknown;
  try {
    if (/\.json$/i.test(path)) document = JSON.parse(text);
    else if (/\.ya?ml$/i.test(path)) document = parseYaml(text);
    else {
      throw new Error("name must end in .json, .yaml or .yml");
    }
  } catch (error) {
    throw new ConfigError(`config file '${path}': ${(error as Error).message}`);
  }
  return checkDocument(document ?? {}, path);
}

const byKey = new Map<string, Setting>(settings.map((s) => [s.key, s]));

/** Checks a parsed config file against the settings table. */
export function checkDocument(
  document: unknown,
  path: string,
): Partial<Settings> {
  if (
    typeof document !== "object" || document === null || Array.isArray(document)
  ) {
    throw new ConfigError(
      `config file '${path}': must hold a mapping of settings`,
    );
  }
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(document)) {
    const setting = byKey.get(key);
    if (!setting || setting.inFile === false) {
      throw new ConfigError(`config file '${path}': unknown key '${key}'`);
    }
    values[key] = checkValue(
      setting.kind,
      value,
      `config file '${path}', key '${key}'`,
    );
  }
  return values as Partial<Settings>;
}

const knownEnv = new Set([passwordEnv, ...settings.map((s) => envName(s.key))]);

function unknownEnv(env: Readonly<Record<string, string>>): string[] {
  return Object.keys(env)
    .filter((name) => name.startsWith("REGISTRY_") && !knownEnv.has(name));
}
