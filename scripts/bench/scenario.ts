/**
 * @module
 * The shape every scenario shares: what a scenario is, the context it runs
 * in, and the recorder that times each measurement against the scenario's
 * budget and files the value under ours, the reference, or a machine limit.
 * Keeping this in one place makes every scenario interleave the registries
 * and fail the same way.
 */

import type { BlobFile } from "./blobs.ts";
import { makeTempDir, removeTempDir } from "./cleanup.ts";
import { runCommand } from "./process.ts";
import { type RunningServer, startOurs, startReference } from "./servers.ts";

/** A registry under test. */
export type RegistryKind = "ours" | "reference";

/** The samples taken for one server or limit. */
export interface Series {
  /** One value per successful repetition, in the scenario's unit. */
  samples: number[];
  /** Failed operations counted inside successful repetitions. */
  errors: number;
  /** Messages of repetitions that failed outright. */
  failures: string[];
}

/** Everything one scenario measured. */
export interface ScenarioResult {
  /** The name used by `--only`. */
  name: string;
  /** The row label. */
  title: string;
  /** Unit of every sample, e.g. "MB/s". */
  unit: string;
  /** Whether a higher or a lower value is better. */
  better: "higher" | "lower";
  /** Our registry's samples. */
  ours: Series;
  /** The reference registry's samples. */
  reference: Series;
  /** Machine limits, each with a label such as "dd". */
  limits: Map<string, Series>;
  /** Remarks printed below the table. */
  notes: string[];
}

/** Sizes that `--quick` shrinks. */
export interface Sizes {
  /** The large blob, in bytes. */
  bigBlob: number;
  /** The blob 64 clients pull while memory is measured, in bytes. */
  pullBlob: number;
  /** Number of small pushes. */
  smallPushes: number;
  /** Seconds per wrk run. */
  wrkSeconds: number;
  /** Tags created for the start-up scenario. */
  tags: number;
}

/** What a scenario can use. */
export interface BenchContext {
  /** Repetitions per scenario. */
  reps: number;
  /** Registries to run, in the order of the first repetition. */
  kinds: RegistryKind[];
  /** Sizes for this run. */
  sizes: Sizes;
  /** Scratch directory for generated files; removed at the end. */
  workDir: string;
  /** The large blob file, generated on first use. */
  bigBlob(): Promise<BlobFile>;
}

/** One benchmark scenario. */
export interface Scenario {
  /** Name used by `--only`. */
  name: string;
  /** Row label. */
  title: string;
  /** Unit of the samples. */
  unit: string;
  /** Whether higher or lower is better. */
  better: "higher" | "lower";
  /** Time budget of the full run, in seconds; `--quick` halves it. */
  budgetSeconds: number;
  /** Runs the repetitions, filing samples through `recorder`. */
  run(context: BenchContext, recorder: Recorder): Promise<void>;
}

/** Thrown when a scenario ran out of its time budget. */
export class BudgetExceeded extends Error {}

/** Times measurements and files them in a `ScenarioResult`. */
export class Recorder {
  #result: ScenarioResult;
  #deadline: number;

  /** Records into `result` until `budgetMs` from now. */
  constructor(result: ScenarioResult, budgetMs: number) {
    this.#result = result;
    this.#deadline = performance.now() + budgetMs;
  }

  /** Whether another repetition may start. */
  hasTime(): boolean {
    return performance.now() < this.#deadline;
  }

  /** Adds a remark to the scenario. */
  note(text: string): void {
    this.#result.notes.push(text);
  }

  /**
   * Runs `measure` and files its value under `target` (a registry, or a
   * machine-limit label). A failure is filed too and does not stop the
   * scenario; running out of budget does.
   */
  async measure(
    target: RegistryKind | { limit: string },
    measure: () => Promise<{ value: number; errors?: number }>,
  ): Promise<void> {
    const series = typeof target === "string"
      ? this.#result[target]
      : this.#limit(target.limit);
    try {
      const { value, errors = 0 } = await this.guard(measure);
      series.samples.push(value);
      series.errors += errors;
    } catch (error) {
      if (error instanceof BudgetExceeded) throw error;
      series.failures.push(error instanceof Error ? error.message : `${error}`);
    }
  }

  /** Files a failure for `kind` that happened outside `measure()`. */
  fail(kind: RegistryKind, error: unknown): void {
    this.#result[kind].failures.push(
      error instanceof Error ? error.message : `${error}`,
    );
  }

  /** Runs `work`, throwing `BudgetExceeded` if it outlives the budget. */
  async guard<T>(work: () => Promise<T>): Promise<T> {
    const left = this.#deadline - performance.now();
    if (left <= 0) throw new BudgetExceeded("time budget used up");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new BudgetExceeded("time budget used up mid-measurement")),
        left,
      );
    });
    const running = work();
    // The abandoned work may still fail later; that is expected.
    running.catch(() => {});
    try {
      return await Promise.race([running, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  #limit(label: string): Series {
    let series = this.#result.limits.get(label);
    if (!series) {
      series = emptySeries();
      this.#result.limits.set(label, series);
    }
    return series;
  }
}

/** A series with no samples yet. */
export function emptySeries(): Series {
  return { samples: [], errors: 0, failures: [] };
}

/** The registries in the order for repetition `rep`: alternating. */
export function orderFor(
  kinds: Iterable<RegistryKind>,
  rep: number,
): RegistryKind[] {
  const order = [...kinds];
  return rep % 2 === 0 ? order : order.reverse();
}

/** Starts one registry of `kind` on fresh storage in a temp directory. */
export async function startRegistry(
  kind: RegistryKind,
  storageDir?: string,
): Promise<RunningServer> {
  const dir = storageDir ?? await makeTempDir(`${kind}-store`);
  return kind === "ours" ? await startOurs(dir) : await startReference(dir);
}

/**
 * Starts every registry in `kinds` on fresh storage, runs `body` with those
 * that started (one that fails to start is filed as a failure and left out,
 * so the other is still measured), then stops them and removes their
 * storage, whatever `body` did.
 */
export async function withRegistries(
  kinds: RegistryKind[],
  recorder: Recorder,
  body: (servers: Map<RegistryKind, RunningServer>) => Promise<void>,
): Promise<void> {
  const servers = new Map<RegistryKind, RunningServer>();
  const dirs: string[] = [];
  try {
    for (const kind of kinds) {
      const dir = await makeTempDir(`${kind}-store`);
      dirs.push(dir);
      try {
        servers.set(kind, await startRegistry(kind, dir));
      } catch (error) {
        recorder.fail(kind, error);
      }
    }
    await body(servers);
  } finally {
    for (const server of servers.values()) await server.stop();
    for (const dir of dirs) await removeTempDir(dir);
  }
}

/**
 * Flushes dirty pages to disk so one measurement's writes are not paid for
 * during the next one.
 */
export async function settleDisk(): Promise<void> {
  await runCommand("sync", [], 120_000);
}

/** Converts bytes moved in `ms` milliseconds into MB/s (10^6 bytes). */
export function megabytesPerSecond(bytes: number, ms: number): number {
  return bytes / 1e6 / (ms / 1000);
}
