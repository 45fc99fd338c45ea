/**
 * Turns the registry's log events into lines: readable text
 * (`2026-12-03T18:00:00Z INFO request method=GET path=/v2/ status=200`) or
 * one JSON object per line for log collectors. Events below the chosen
 * level are dropped. Whatever an event carries, the line never shows a
 * secret: fields named like credentials are masked, and paths and URLs
 * lose their query string, where clients put tokens and signed state.
 *
 * @module
 */

import type { LogEvent, Logger, LogLevel } from "../log.ts";

/** How {@linkcode createLogger} writes. */
export interface LoggerOptions {
  /** `text` for people, `json` for machines. */
  format: "text" | "json";
  /** The least severe level written. */
  level: LogLevel;
  /** Receives each line, without its newline; defaults to stdout. */
  write?: (line: string) => void;
  /** The clock; tests pass a fixed one. */
  now?: () => Date;
}

const rank: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

const secretField =
  /^(password|passwd|secret|token|access_?token|refresh_?token|authorization|cookie|credentials?)$/i;
const locationField = /^(path|url|uri|location)$/i;

/** A {@linkcode Logger} that formats, filters and writes events. */
export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? writeStdout;
  const now = options.now ?? (() => new Date());
  const format = options.format === "json" ? formatJson : formatText;
  const least = rank[options.level];
  return (event) => {
    if ((rank[event.level] ?? rank.info) < least) return;
    write(format(event, now()));
  };
}

/** One text line: time to the second, level, message, then `key=value`
 * fields in the order the event lists them. */
export function formatText(event: LogEvent, time: Date): string {
  const stamp = time.toISOString().replace(/\.\d+Z$/, "Z");
  const parts = [stamp, event.level.toUpperCase(), event.msg];
  for (const [key, value] of fields(event)) {
    parts.push(`${key}=${textValue(value)}`);
  }
  return parts.join(" ");
}

/** One JSON line: `time`, `level` and `msg` first, then the fields. */
export function formatJson(event: LogEvent, time: Date): string {
  const line: Record<string, unknown> = {
    time: time.toISOString(),
    level: event.level,
    msg: event.msg,
  };
  for (const [key, value] of fields(event)) line[key] = jsonValue(value);
  return JSON.stringify(line);
}

/** The event's fields, redacted, without `level` and `msg`. */
function fields(event: LogEvent): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [key, value] of Object.entries(event)) {
    if (key === "level" || key === "msg" || value === undefined) continue;
    out.push([key, redact(key, value)]);
  }
  return out;
}

/** Masks credentials; strips query strings and user info from locations. */
export function redact(key: string, value: unknown): unknown {
  if (secretField.test(key)) return "[redacted]";
  if (locationField.test(key) && typeof value === "string") {
    return value.replace(/[?#].*$/s, "").replace(/\/\/[^/@]*@/, "//");
  }
  return value;
}

function textValue(value: unknown): string {
  if (value instanceof Error) return quote(value.message);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "string") return quote(value);
  if (typeof value === "object" && value !== null) {
    return quote(JSON.stringify(value));
  }
  return String(value);
}

function jsonValue(value: unknown): unknown {
  if (value instanceof Error) return value.message;
  if (typeof value === "bigint") return value.toString();
  return value;
}

/** Quotes a value only when a reader could not tell where it ends. */
function quote(text: string): string {
  return text === "" || /[\s"=\\]/.test(text) || /[^\x20-\x7e]/.test(text)
    ? JSON.stringify(text)
    : text;
}

const encoder = new TextEncoder();

function writeStdout(line: string): void {
  const bytes = encoder.encode(line + "\n");
  let written = 0;
  while (written < bytes.length) {
    written += Deno.stdout.writeSync(bytes.subarray(written));
  }
}
