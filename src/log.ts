/**
 * The registry's log events. The library never prints: it hands each event
 * to the `log` function the embedding app passes, which decides the format
 * and destination (the command-line server writes one line per event).
 *
 * @module
 */

/** Severity of a log event. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** One structured log event. Fields never hold credentials or tokens. */
export interface LogEvent {
  /** Severity. */
  level: LogLevel;
  /** A short fixed message, such as `request` or `manifest pushed`. */
  msg: string;
  /** The id of the request the event belongs to, if any. */
  requestId?: string;
  /** Further fields. */
  [field: string]: unknown;
}

/**
 * Receives log events.
 *
 * @example Log as JSON lines
 * ```ts
 * import type { Logger } from "../mod.ts";
 *
 * const log: Logger = (event) => console.log(JSON.stringify(event));
 * ```
 */
export type Logger = (event: LogEvent) => void;

/** A logger that drops every event. */
export const silent: Logger = () => {};
