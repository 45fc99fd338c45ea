/**
 * The `gc` and `verify` subcommands of the command-line server. Each
 * parses its own flags, runs against the storage the server would use,
 * shows progress on a status line when stderr is a terminal, and prints a
 * summary; the resolved exit status is 0 on success, 1 when `verify`
 * found problems, and 2 for a bad command line.
 *
 * @module
 */

import type { Storage } from "../storage/types.ts";
import { formatBytes, formatDuration, parseDuration } from "./_format.ts";
import { collectGarbage, type GcOptions, type GcReport } from "./gc.ts";
import { type VerifyReport, verifyStore } from "./verify.ts";

/** Writes one line of output. */
export type Print = (line: string) => void;

/** A line of progress redrawn in place. */
export interface StatusLine {
  /** Shows `text` in place of the previous status. */
  update(text: string): void;
  /** Removes the status, before the summary is printed. */
  clear(): void;
}

const gcUsage = [
  "usage: gc [--dry-run] [--grace <duration>] [--upload-max-age <duration>]",
  "          [--delete-untagged]",
  "  --dry-run          list what would be removed, and remove nothing",
  "  --grace            keep anything younger than this (default 1h)",
  "  --upload-max-age   remove upload sessions idle this long (default 24h)",
  "  --delete-untagged  also remove manifests no tag reaches",
  "durations: 90s, 15m, 1h30m, 7d, 0",
];

const verifyUsage = [
  "usage: verify [--repair]",
  "  --repair  move corrupt blobs to quarantine/ so they are not served",
];

/** The flags each subcommand takes: switches, and flags with a value. */
const commandFlags = {
  gc: {
    switches: ["--dry-run", "--delete-untagged"],
    valued: ["--grace", "--upload-max-age"],
  },
  verify: { switches: ["--repair"], valued: [] as string[] },
};

/**
 * Splits the arguments after `gc` or `verify` into the subcommand's own
 * flags (and `--help`) and the rest, which are the server's settings
 * (such as `--storage` or `--config`) that say which store to work on.
 */
export function splitMaintenanceArgs(
  command: "gc" | "verify",
  args: readonly string[],
): { own: string[]; rest: string[] } {
  const { switches, valued } = commandFlags[command];
  const own: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const name = arg.split("=")[0];
    if (arg === "--help" || arg === "-h" || switches.includes(name)) {
      own.push(arg);
    } else if (valued.includes(name)) {
      own.push(arg);
      if (!arg.includes("=") && i + 1 < args.length) own.push(args[++i]);
    } else {
      rest.push(arg);
    }
  }
  return { own, rest };
}

/** Runs `gc` with its command-line `args`; resolves to the exit status. */
export async function runGc(
  args: readonly string[],
  storage: Storage,
  print: Print,
  status: StatusLine = terminalStatus(),
): Promise<number> {
  const flags = parseFlags(args, commandFlags.gc);
  if (typeof flags === "string" || flags.has("--help")) {
    return usage(print, gcUsage, flags);
  }
  const options: GcOptions = {
    dryRun: flags.has("--dry-run"),
    deleteUntagged: flags.has("--delete-untagged"),
  };
  for (
    const [flag, option] of [["--grace", "gracePeriodMs"], [
      "--upload-max-age",
      "uploadMaxAgeMs",
    ]] as const
  ) {
    const text = flags.get(flag);
    if (text === undefined) continue;
    const ms = parseDuration(text);
    if (ms === undefined) {
      return usage(print, gcUsage, `${flag} '${text}' is not a duration`);
    }
    options[option] = ms;
  }

  const phases = {
    mark: "marking repositories",
    blobs: "looking over blobs",
    sweep: "removing",
    uploads: "removing upload sessions",
  };
  options.onProgress = ({ phase, done, total }) =>
    status.update(`gc: ${phases[phase]} ${done}/${total}`);
  let report: GcReport;
  try {
    report = await collectGarbage(storage, options);
  } finally {
    status.clear();
  }
  printGcReport(report, options, print);
  return 0;
}

/** Runs `verify` with its command-line `args`; resolves to the exit
 * status: 0 when the store is clean, 1 when something is wrong. */
export async function runVerify(
  args: readonly string[],
  storage: Storage,
  print: Print,
  status: StatusLine = terminalStatus(),
): Promise<number> {
  const flags = parseFlags(args, commandFlags.verify);
  if (typeof flags === "string" || flags.has("--help")) {
    return usage(print, verifyUsage, flags);
  }
  let report: VerifyReport;
  try {
    report = await verifyStore(storage, {
      repair: flags.has("--repair"),
      onProgress: ({ phase, done, total, bytes }) =>
        status.update(
          phase === "blobs"
            ? `verify: hashing blobs ${done}/${total} (${
              formatBytes(bytes ?? 0)
            })`
            : `verify: following references ${done}/${total} repositories`,
        ),
    });
  } finally {
    status.clear();
  }
  printVerifyReport(report, print);
  return report.clean ? 0 : 1;
}

/** A status line on stderr when it is a terminal, redrawn at most ten
 * times a second; nothing otherwise, so logs and pipes stay clean. */
export function terminalStatus(): StatusLine {
  if (!Deno.stderr.isTerminal()) return { update() {}, clear() {} };
  const encoder = new TextEncoder();
  let last = 0;
  let shown = false;
  return {
    update(text) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      shown = true;
      Deno.stderr.writeSync(encoder.encode(`\r\x1b[2K${text}`));
    },
    clear() {
      if (shown) Deno.stderr.writeSync(encoder.encode("\r\x1b[2K"));
      shown = false;
    },
  };
}

function printGcReport(report: GcReport, options: GcOptions, print: Print) {
  const grace = formatDuration(options.gracePeriodMs ?? 60 * 60 * 1000);
  if (report.dryRun) {
    for (const item of report.items) {
      const where = item.repository ? `${item.repository} ` : "";
      const what = item.digest ?? item.key;
      print(
        `would remove ${item.kind} ${where}${what} (${formatBytes(item.size)})`,
      );
    }
  }
  const counts = [
    plural(report.blobsRemoved, "blob"),
    plural(report.manifestsRemoved, "manifest"),
    plural(report.linksRemoved, "layer link"),
    plural(report.referrersRemoved, "referrers entry", "referrers entries"),
    plural(report.uploadsRemoved, "upload session"),
  ].join(", ");
  const verb = report.dryRun ? "would remove" : "removed";
  print(
    `gc: ${verb} ${counts}; ${formatBytes(report.bytesReclaimed)} ` +
      `reclaimed (grace period ${grace})`,
  );
  for (const warning of report.warnings) print(`warning: ${warning}`);
}

function printVerifyReport(report: VerifyReport, print: Print) {
  for (const blob of report.corrupt) {
    const moved = blob.quarantinedAs ? `; moved to ${blob.quarantinedAs}` : "";
    print(`corrupt: ${blob.key} hashes to ${blob.actual}${moved}`);
  }
  for (const missing of report.missing) {
    print(
      `missing: ${missing.repository}: ${missing.kind} ${missing.digest}` +
        ` (referenced by ${missing.referencedBy})`,
    );
  }
  for (const warning of report.warnings) print(`warning: ${warning}`);
  const summary = report.clean
    ? "no problems found"
    : `${plural(report.corrupt.length, "corrupt blob")}, ` +
      `${plural(report.missing.length, "missing reference")}`;
  print(
    `verify: hashed ${plural(report.blobsChecked, "blob")} ` +
      `(${formatBytes(report.bytesChecked)}); ${summary}; ` +
      `${plural(report.uploadSessions, "upload session")} not checked`,
  );
}

/**
 * Parses `--flag`, `--name value` and `--name=value`, plus `--help`/`-h`;
 * returns the flags given, or a message saying what is wrong.
 */
function parseFlags(
  args: readonly string[],
  { switches, valued }: { switches: string[]; valued: string[] },
): Map<string, string> | string {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--help" || arg === "-h") {
      flags.set("--help", "");
      continue;
    }
    const equals = arg.indexOf("=");
    const name = equals < 0 ? arg : arg.slice(0, equals);
    if (switches.includes(name) && equals < 0) {
      flags.set(name, "");
    } else if (valued.includes(name)) {
      const value = equals < 0 ? args[++i] : arg.slice(equals + 1);
      if (value === undefined) return `${name} needs a value`;
      flags.set(name, value);
    } else {
      return `unknown argument '${arg}'`;
    }
  }
  return flags;
}

function usage(
  print: Print,
  text: string[],
  problem: Map<string, string> | string,
): number {
  if (typeof problem === "string") print(`error: ${problem}`);
  for (const line of text) print(line);
  return typeof problem === "string" ? 2 : 0;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
