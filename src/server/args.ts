/**
 * The command-line flag parser and the `--help` text, both driven by the
 * settings table. Flags take `--name value` or `--name=value`; a boolean
 * flag alone means true. Anything the table does not know is an error, so
 * a mistyped flag never starts a registry with a setting left at its
 * default.
 *
 * @module
 */

import {
  envName,
  flagName,
  passwordEnv,
  type Settings,
  settings,
} from "./settings.ts";
import { ConfigError, parseText } from "./values.ts";

/** What the command line asked for. */
export interface ParsedArgs {
  /** `--help` or `-h` was given. */
  help: boolean;
  /** The settings given as flags, checked but without defaults. */
  values: Partial<Settings>;
}

const byFlag = new Map(settings.map((s) => [flagName(s.key), s]));

/** Parses `args` (as in `Deno.args`); throws {@linkcode ConfigError}. */
export function parseArgs(args: readonly string[]): ParsedArgs {
  const values: Record<string, unknown> = {};
  let help = false;

  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    if (!arg.startsWith("--")) {
      throw new ConfigError(`unexpected argument '${arg}'; see --help`);
    }

    const equals = arg.indexOf("=");
    const name = equals < 0 ? arg : arg.slice(0, equals);
    const setting = byFlag.get(name);
    if (!setting) throw new ConfigError(unknownFlag(name));

    let text: string | undefined = equals < 0
      ? undefined
      : arg.slice(equals + 1);
    if (text === undefined && setting.kind === "boolean") text = "true";
    if (text === undefined) {
      text = args[++i];
      if (text === undefined || text.startsWith("--")) {
        throw new ConfigError(
          `${name} needs a value ${setting.value ?? ""}`.trim(),
        );
      }
    }
    values[setting.key] = parseText(setting.kind, text, name);
  }
  return { help, values: values as Partial<Settings> };
}

function unknownFlag(name: string): string {
  if (name === "--password") {
    return `the master password is never read from a flag, where the ` +
      `process list would show it; set ${passwordEnv} or use --password-file`;
  }
  return `unknown flag '${name}'; see --help`;
}

const indent = "      ";
const width = 80;

/** The text `--help` prints. */
export function helpText(): string {
  const entries = settings.map((s) => {
    const flag = `${flagName(s.key)}${s.value ? " " + s.value : ""}`;
    const where = s.inFile === false
      ? `env ${envName(s.key)}`
      : `env ${envName(s.key)}, config key "${s.key}"`;
    return `  ${flag}\n${wrap(s.help)}\n${indent}${where}`;
  });
  return [
    "An OCI Distribution registry.",
    "",
    "Usage: deno run -A main.ts [flags]",
    "       deno run -A main.ts gc [--dry-run] [--grace <dur>]",
    "           [--upload-max-age <dur>] [--delete-untagged] [flags]",
    "       deno run -A main.ts verify [--repair] [flags]",
    "",
    "gc removes blobs and manifests no tag reaches and abandoned uploads;",
    "verify re-hashes every blob and checks every reference. Durations",
    "look like 90s, 15m, 1h30m or 7d. Both read --storage and --config.",
    "",
    "Each flag can also be set by the environment variable and config-file",
    "key shown; flags override the environment, which overrides the file.",
    "",
    ...entries,
    `  --help\n${wrap("show this text")}`,
    "",
    "Environment only:",
    `  ${passwordEnv}`,
    wrap(
      "the master password; anyone who gives it (with any user name) may " +
        "pull, push and delete",
    ),
    "",
    "With no password, htpasswd or token settings, anyone may pull, push",
    "and delete. Exit status: 0 after a clean shutdown, 2 for a bad",
    "setting, 1 when the server cannot start.",
    "",
  ].join("\n");
}

/** Indents `text` and wraps it to the width at word boundaries. */
function wrap(text: string): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  lines.push(line);
  return lines.map((l) => indent + l).join("\n");
}
