/**
 * @module
 * Renders results: the machine description, one Markdown table row per
 * scenario (median of the repetitions), the notes under it, and the JSON
 * form written by `--json`. Every ratio is oriented so that above 1 means
 * ours is better, and the row says which way it was divided.
 */

import type { MachineDescription } from "./machine.ts";
import type { RegistryKind, ScenarioResult, Series } from "./scenario.ts";
import { formatNumber, median } from "./stats.ts";

/** The machine as the lines printed above the table. */
export function renderMachine(machine: MachineDescription): string {
  return [
    `machine: ${machine.nproc} CPUs, ${machine.cpu}, ` +
    `${(machine.memory / 2 ** 30).toFixed(0)} GiB RAM`,
    `kernel: ${machine.kernel}; Deno ${machine.deno}`,
    `reference: ${machine.reference}`,
  ].join("\n");
}

/** The results table followed by its notes. */
export function renderTable(
  results: ScenarioResult[],
  kinds: RegistryKind[],
): string {
  const lines = [
    "| scenario | ours | reference | ratio (>1 = ours better) | machine limit |",
    "| --- | --- | --- | --- | --- |",
  ];
  const notes: string[] = [];
  for (const result of results) {
    const isLimitOnly = result.ours.samples.length === 0 &&
      result.reference.samples.length === 0 &&
      result.ours.failures.length === 0 &&
      result.reference.failures.length === 0;
    const cell = (kind: RegistryKind) =>
      isLimitOnly || !kinds.includes(kind)
        ? "—"
        : renderSeries(result[kind], result.unit);
    const limits = [...result.limits].map(([label, series]) =>
      `${label}: ${renderSeries(series, result.unit)}`
    ).join("; ") || "—";
    lines.push(
      `| ${result.title} | ${cell("ours")} | ${cell("reference")} | ` +
        `${isLimitOnly ? "—" : renderRatio(result)} | ${limits} |`,
    );
    for (const note of result.notes) {
      notes.push(`- ${result.name}: ${oneLine(note)}`);
    }
    for (const kind of kinds) {
      for (const failure of result[kind].failures) {
        notes.push(`- ${result.name}: ${kind} failed: ${oneLine(failure)}`);
      }
    }
    for (const [label, series] of result.limits) {
      for (const failure of series.failures) {
        notes.push(`- ${result.name}: ${label} failed: ${oneLine(failure)}`);
      }
    }
  }
  return [...lines, "", ...notes].join("\n");
}

/** The results as plain data for `--json`. */
export function resultsAsJson(results: ScenarioResult[]): unknown[] {
  const plain = (series: Series) => ({
    ...series,
    median: median(series.samples),
  });
  return results.map((result) => ({
    name: result.name,
    title: result.title,
    unit: result.unit,
    better: result.better,
    ours: plain(result.ours),
    reference: plain(result.reference),
    limits: Object.fromEntries(
      [...result.limits].map(([label, series]) => [label, plain(series)]),
    ),
    notes: result.notes,
  }));
}

function renderSeries(series: Series, unit: string): string {
  const value = median(series.samples);
  if (value === null) {
    return series.failures.length > 0 ? "failed (see notes)" : "—";
  }
  let text = `${formatNumber(value)} ${unit}`;
  if (series.errors > 0) text += `, ${series.errors} errors`;
  if (series.failures.length > 0) {
    text += `, ${series.failures.length} reps failed`;
  }
  return text;
}

function renderRatio(result: ScenarioResult): string {
  const ours = median(result.ours.samples);
  const reference = median(result.reference.samples);
  if (ours === null || reference === null || ours === 0 || reference === 0) {
    return "—";
  }
  return result.better === "higher"
    ? `${(ours / reference).toFixed(2)} (ours/ref)`
    : `${(reference / ours).toFixed(2)} (ref/ours)`;
}

/** A failure message without terminal colours, on one line, kept short. */
function oneLine(message: string): string {
  const plain = message.replace(ANSI_COLOUR, "").replace(/\s+/g, " ").trim();
  return plain.length > 400 ? `${plain.slice(0, 400)}…` : plain;
}

const ANSI_COLOUR = new RegExp(String.fromCharCode(27) + "\\[[0-9;]*m", "g");
