/**
 * @module
 * Command-line flags of `scripts/bench.ts`, parsed by hand because the
 * standard library's parser is not available here. Both `--flag=value` and
 * `--flag value` are accepted.
 */

/** The parsed flags. */
export interface BenchFlags {
  /** Scenario names or name prefixes to run; empty runs all. */
  only: string[];
  /** Repetitions per scenario; the median is reported. */
  reps: number;
  /** Smaller sizes and shorter runs, for a smoke test. */
  quick: boolean;
  /** Skip the reference registry. */
  oursOnly: boolean;
  /** Also write the results as JSON to this file. */
  json: string | null;
  /** Print usage and exit. */
  help: boolean;
}

/** Usage text for `--help`. */
export const USAGE = `Usage: deno task bench [flags]

  --only=a,b     run only these scenarios (names or prefixes; see below)
  --reps=N       repetitions per scenario, median reported (default 3)
  --quick        smoke run: 64 MiB blobs, 200 small pushes, 3 s wrk runs
  --ours-only    do not start the reference registry
  --json FILE    also write the results as JSON to FILE
  --help         show this text
`;

/** Parses `args`; throws on an unknown flag or a bad value. */
export function parseFlags(args: string[]): BenchFlags {
  const flags: BenchFlags = {
    only: [],
    reps: 3,
    quick: false,
    oursOnly: false,
    json: null,
    help: false,
  };
  for (let i = 0; i < args.length; i++) {
    const [name, inline] = args[i].split(/=(.*)/s, 2);
    const value = () => {
      const found = inline ?? args[++i];
      if (found === undefined) throw new Error(`${name} needs a value`);
      return found;
    };
    switch (name) {
      case "--only":
        flags.only = value().split(",").map((s) => s.trim()).filter(Boolean);
        break;
      case "--reps":
        flags.reps = Number(value());
        if (!Number.isInteger(flags.reps) || flags.reps < 1) {
          throw new Error(`--reps must be a positive integer`);
        }
        break;
      case "--quick":
        flags.quick = true;
        break;
      case "--ours-only":
        flags.oursOnly = true;
        break;
      case "--json":
        flags.json = value();
        break;
      case "--help":
      case "-h":
        flags.help = true;
        break;
      default:
        throw new Error(`unknown flag ${args[i]}\n\n${USAGE}`);
    }
  }
  return flags;
}
