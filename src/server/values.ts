/**
 * Reads one setting's value, from text (a flag or an environment variable)
 * or from a value a config file already parsed. A value that does not fit
 * is an error naming where it came from and what was expected, never a
 * silent fallback to the default: an operator who writes `--port 50000x`
 * must learn of it at start, not by finding the registry elsewhere.
 *
 * @module
 */

import type { Action } from "../auth/types.ts";
import { parseDuration } from "../maintenance/_format.ts";
import type { Kind } from "./settings.ts";

/** A bad flag, config file or environment variable; the server prints the
 * message and exits with status 2. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

const choices = {
  logFormat: ["text", "json"],
  logLevel: ["debug", "info", "warn", "error"],
} as const;

/** Reads `text` as a value of `kind`; `source` names where it came from,
 * such as `--port` or `REGISTRY_PORT`. */
export function parseText(kind: Kind, text: string, source: string): unknown {
  switch (kind) {
    case "boolean":
      if (/^(true|1|yes)$/i.test(text)) return true;
      if (/^(false|0|no)$/i.test(text)) return false;
      throw bad(source, text, "true or false");
    case "port":
    case "size":
      if (!/^\d+$/.test(text)) throw bad(source, text, expected(kind));
      return checkValue(kind, Number(text), source);
    default:
      return checkValue(kind, text, source);
  }
}

/** Checks a value from a config file, where numbers and booleans arrive
 * already typed. */
export function checkValue(
  kind: Kind,
  value: unknown,
  source: string,
): unknown {
  switch (kind) {
    case "boolean":
      if (typeof value === "boolean") return value;
      break;
    case "port":
      if (typeof value === "number" && isPort(value)) return value;
      break;
    case "size":
      if (typeof value === "number" && isSize(value)) return value;
      break;
    case "string":
      if (typeof value === "string" && value !== "") return value;
      break;
    case "duration": {
      // YAML reads a bare `0` as a number; any other number would leave
      // its unit to guesswork.
      if (value === 0) return 0;
      const ms = typeof value === "string" ? parseDuration(value) : undefined;
      if (ms !== undefined) return ms;
      break;
    }
    case "address":
      if (typeof value === "string") return checkAddress(value, source);
      break;
    case "anonymous":
      if (typeof value === "string") return parseAnonymous(value, source);
      // YAML invites a list: `anonymous: [pull, push]`.
      if (Array.isArray(value) && value.every((v) => typeof v === "string")) {
        return parseAnonymous(value.join(",") || "none", source);
      }
      break;
    case "logFormat":
    case "logLevel":
      if ((choices[kind] as readonly unknown[]).includes(value)) return value;
      break;
  }
  throw bad(source, value, expected(kind));
}

function isPort(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 65535;
}

function isSize(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0;
}

function parseAnonymous(text: string, source: string): Action[] {
  if (text === "none") return [];
  const actions = text.split(",").map((part) => part.trim());
  const known = actions.every((a) => a === "pull" || a === "push");
  // Pushing without pulling is not a permission clients can use: a push
  // reads back what is already there.
  if (!known || !actions.includes("pull")) {
    throw bad(source, text, expected("anonymous"));
  }
  return [...new Set(actions as Action[])];
}

function checkAddress(text: string, source: string): string {
  const match = text.match(/^(.+):(\d+)$/);
  const port = match ? Number(match[2]) : -1;
  if (!match || port > 65535) throw bad(source, text, expected("address"));
  return text;
}

/** Splits a checked `host:port` address; brackets around an IPv6 host are
 * removed. */
export function splitAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(":");
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  return { host, port: Number(address.slice(colon + 1)) };
}

function expected(kind: Kind): string {
  switch (kind) {
    case "boolean":
      return "true or false";
    case "port":
      return "a port number from 0 to 65535";
    case "size":
      return "a positive whole number";
    case "string":
      return "a non-empty string";
    case "duration":
      return "a duration such as 90s, 15m, 1h30m or 7d";
    case "address":
      return "host:port";
    case "anonymous":
      return "none, pull or pull,push";
    case "logFormat":
    case "logLevel":
      return choices[kind].join(", ");
  }
}

function bad(source: string, value: unknown, wanted: string): ConfigError {
  const shown = typeof value === "string"
    ? `'${value}'`
    : JSON.stringify(value);
  return new ConfigError(
    `${source}: ${shown} is not valid; expected ${wanted}`,
  );
}
