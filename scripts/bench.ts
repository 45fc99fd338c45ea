/**
 * @module
 * Benchmarks our registry against the Go reference registry on this machine:
 * large pushes (monolithic and chunked), pulls, manifest and blob reads
 * under 64 connections, many small pushes, peak memory under mixed load,
 * and start-up time, each beside a machine limit (dd, a hello-world
 * `Deno.serve`, SHA-256 rates). Registries run on loopback with fresh
 * storage in temp directories, interleaved over several repetitions, and the
 * median is reported. Everything started is stopped and removed at the end,
 * also on error or Ctrl-C. Run with `deno task bench --help` for flags.
 */

import { type BlobFile, writeBlobFile } from "./bench/blobs.ts";
import { cleaningUp, makeTempDir, runScript } from "./bench/cleanup.ts";
import { parseFlags, USAGE } from "./bench/flags.ts";
import { describeMachine } from "./bench/machine.ts";
import { runCommand } from "./bench/process.ts";
import { renderMachine, renderTable, resultsAsJson } from "./bench/report.ts";
import {
  type BenchContext,
  BudgetExceeded,
  emptySeries,
  Recorder,
  type RegistryKind,
  type Scenario,
  type ScenarioResult,
  type Sizes,
} from "./bench/scenario.ts";
import { SCENARIOS, selectScenarios } from "./bench/scenarios/all.ts";
import { OURS_MAIN, referenceInstalled } from "./bench/servers.ts";
import { formatNumber, median } from "./bench/stats.ts";

const MIB = 1024 * 1024;

const FULL: Sizes = {
  bigBlob: 1024 * MIB,
  pullBlob: 16 * MIB,
  smallPushes: 2000,
  wrkSeconds: 10,
  tags: 10_000,
};

const QUICK: Sizes = {
  bigBlob: 64 * MIB,
  pullBlob: 4 * MIB,
  smallPushes: 200,
  wrkSeconds: 3,
  tags: 1_000,
};

async function main(): Promise<number> {
  const flags = parseFlags(Deno.args);
  if (flags.help) {
    console.log(
      USAGE + "\nScenarios: " + SCENARIOS.map((s) => s.name).join(", "),
    );
    return 0;
  }
  const scenarios = selectScenarios(flags.only);
  const sizes = flags.quick ? QUICK : FULL;
  const machine = await describeMachine();
  console.log(renderMachine(machine));

  const kinds = await pickRegistries(flags.oursOnly);

  const workDir = await makeTempDir("work");
  let big: Promise<BlobFile> | null = null;
  const context: BenchContext = {
    reps: flags.reps,
    kinds,
    sizes,
    workDir,
    bigBlob: () => big ??= generateBigBlob(workDir, sizes.bigBlob),
  };
  console.log(
    `reps: ${flags.reps}; large blob ${sizes.bigBlob / MIB} MiB; ` +
      `${sizes.smallPushes} small pushes; wrk ${sizes.wrkSeconds} s; ` +
      `${sizes.tags} tags\n`,
  );

  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    const start = performance.now();
    const result = await runScenario(scenario, context, flags.quick);
    if (cleaningUp()) return 130;
    results.push(result);
    console.log(progressLine(result, (performance.now() - start) / 1000));
  }

  console.log("\n" + renderTable(results, kinds));
  console.log(
    "\nMB/s = 10^6 bytes/s; medians of the repetitions; ratio: ours/ref " +
      "for rates, ref/ours for ms and MiB, so above 1 means ours is better.",
  );
  if (flags.json) {
    await Deno.writeTextFile(
      flags.json,
      JSON.stringify(
        { machine, flags, sizes, kinds, results: resultsAsJson(results) },
        null,
        2,
      ) + "\n",
    );
    console.log(`results written to ${flags.json}`);
  }
  return 0;
}

/** The registries to measure, saying why one is left out. */
async function pickRegistries(oursOnly: boolean): Promise<RegistryKind[]> {
  const kinds: RegistryKind[] = [];
  if (await oursServes()) kinds.push("ours");
  else console.log(`ours: skipped, ${OURS_MAIN} does not run with --help`);
  if (oursOnly) console.log("reference: skipped (--ours-only)");
  else if (await referenceInstalled()) kinds.push("reference");
  else console.log("reference: skipped, docker-registry is not installed");
  if (kinds.length === 0) console.log("only machine limits will be measured");
  return kinds;
}

/**
 * Runs one scenario within its budget; a scenario that runs out of time or
 * fails keeps what it measured and says why it stopped.
 */
async function runScenario(
  scenario: Scenario,
  context: BenchContext,
  quick: boolean,
): Promise<ScenarioResult> {
  const result: ScenarioResult = {
    name: scenario.name,
    title: scenario.title,
    unit: scenario.unit,
    better: scenario.better,
    ours: emptySeries(),
    reference: emptySeries(),
    limits: new Map(),
    notes: [],
  };
  const budget = scenario.budgetSeconds * (quick ? 500 : 1000);
  try {
    await scenario.run(context, new Recorder(result, budget));
  } catch (error) {
    result.notes.push(
      error instanceof BudgetExceeded
        ? `stopped: ${error.message} (${budget / 1000} s)`
        : `aborted: ${error instanceof Error ? error.message : error}`,
    );
  }
  return result;
}

/** Whether `main.ts` exists and runs; it is checked with `--help`. */
async function oursServes(): Promise<boolean> {
  try {
    await Deno.stat(OURS_MAIN);
  } catch {
    return false;
  }
  const result = await runCommand(
    Deno.execPath(),
    ["run", "-A", OURS_MAIN, "--help"],
    120_000,
  ).catch(() => null);
  return result?.code === 0;
}

async function generateBigBlob(dir: string, size: number): Promise<BlobFile> {
  const start = performance.now();
  const blob = await writeBlobFile(`${dir}/big.bin`, size);
  console.log(
    `  (generated the ${size / MIB} MiB blob in ` +
      `${((performance.now() - start) / 1000).toFixed(1)} s)`,
  );
  return blob;
}

function progressLine(result: ScenarioResult, seconds: number): string {
  const show = (series: { samples: number[] }) => {
    const value = median(series.samples);
    return value === null ? "—" : formatNumber(value);
  };
  const limits = [...result.limits].map(([label, series]) =>
    `${label} ${show(series)}`
  ).join(", ");
  return `${result.name} (${seconds.toFixed(0)} s): ours ${
    show(result.ours)
  }, ` +
    `reference ${show(result.reference)}${
      limits ? `, ${limits}` : ""
    } ${result.unit}`;
}

await runScript(main);
