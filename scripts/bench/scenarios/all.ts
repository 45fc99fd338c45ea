/**
 * @module
 * Every scenario, in the order the report lists them; `--only` selects from
 * this list by name or name prefix.
 */

import type { Scenario } from "../scenario.ts";
import {
  blobHeadScenario,
  manifestGetScenario,
  smallPushesScenario,
} from "./concurrency.ts";
import { sha256Scenario } from "./hashing.ts";
import { memoryScenario } from "./memory.ts";
import { startupEmptyScenario, startupTagsScenario } from "./startup.ts";
import {
  pullScenario,
  pushChunkedScenario,
  pushMonolithicScenario,
} from "./transfer.ts";

/** All scenarios in report order. */
export const SCENARIOS: Scenario[] = [
  pushMonolithicScenario,
  pushChunkedScenario,
  pullScenario,
  manifestGetScenario,
  blobHeadScenario,
  smallPushesScenario,
  memoryScenario,
  startupEmptyScenario,
  startupTagsScenario,
  sha256Scenario,
];

/** The scenarios whose name equals or starts with one of `selectors`. */
export function selectScenarios(selectors: string[]): Scenario[] {
  if (selectors.length === 0) return SCENARIOS;
  const chosen = SCENARIOS.filter((scenario) =>
    selectors.some((selector) => scenario.name.startsWith(selector))
  );
  const unknown = selectors.filter((selector) =>
    !SCENARIOS.some((scenario) => scenario.name.startsWith(selector))
  );
  if (unknown.length > 0) {
    throw new Error(
      `unknown scenario ${unknown.join(", ")}; known: ` +
        SCENARIOS.map((scenario) => scenario.name).join(", "),
    );
  }
  return chosen;
}
