/**
 * Reads the files that settings point to (password, keys, policy, TLS
 * certificates), turning any failure into a {@linkcode ConfigError} that
 * names the setting and the path, so a typo in a path reads as such.
 *
 * @module
 */

import { ConfigError } from "./values.ts";

/** Reads a text file. */
export async function readText(path: string, source: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    throw new ConfigError(`${source} '${path}': ${messageOf(error)}`);
  }
}

/** Reads a file holding one secret; a trailing newline is not part of it. */
export async function readSecret(
  path: string,
  source: string,
): Promise<string> {
  const text = (await readText(path, source)).replace(/\r?\n$/, "");
  if (!text) throw new ConfigError(`${source} '${path}': the file is empty`);
  return text;
}

/** Reads and parses a JSON file. */
export async function readJson(path: string, source: string): Promise<unknown> {
  const text = await readText(path, source);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${source} '${path}': ${messageOf(error)}`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
