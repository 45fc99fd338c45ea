/**
 * The container clients as the tests call them. skopeo runs without a
 * signature policy file, so it works on machines where none is installed.
 * podman and buildah get a storage of their own inside the test's
 * temporary directory, with the `vfs` driver (no overlay mounts, no
 * kernel features needed), cgroupfs and file-based events, so they run
 * as plain processes without a system service and leave nothing behind.
 *
 * @module
 */

import {
  mustFail,
  mustRun,
  type RunOptions,
  type RunResult,
} from "./_process.ts";

/** Runs `skopeo` with the given arguments; throws with its stderr on
 * failure and returns its stdout bytes. */
export function skopeo(
  args: string[],
  options?: RunOptions,
): Promise<Uint8Array<ArrayBuffer>> {
  return mustRun("skopeo", ["--insecure-policy", ...args], options);
}

/** The raw manifest bytes the registry serves for `reference`
 * (`host/repository:tag` or `host/repository@digest`). */
export function inspectRaw(
  reference: string,
): Promise<Uint8Array<ArrayBuffer>> {
  return skopeo([
    "inspect",
    "--raw",
    "--tls-verify=false",
    `docker://${reference}`,
  ]);
}

/** The tags `skopeo list-tags` reports for `host/repository`, sorted. */
export async function listTags(repository: string): Promise<string[]> {
  const out = await skopeo([
    "list-tags",
    "--tls-verify=false",
    `docker://${repository}`,
  ]);
  const tags: string[] = JSON.parse(new TextDecoder().decode(out)).Tags;
  return tags.sort();
}

/** A podman or buildah bound to its own storage. */
export interface ContainerTool {
  /** Runs the tool; throws with its stderr on failure. */
  run(args: string[]): Promise<Uint8Array<ArrayBuffer>>;
  /** Runs the tool and returns its stdout as trimmed text. */
  text(args: string[]): Promise<string>;
  /** Runs the tool, which must fail; returns the run to check why. */
  fail(args: string[]): Promise<RunResult>;
}

/** podman with a private storage under `dir`. */
export function podman(dir: string): Promise<ContainerTool> {
  return containerTool("podman", dir, [
    "--cgroup-manager",
    "cgroupfs",
    "--events-backend",
    "file",
    "--tmpdir",
    `${dir}/libpod`,
  ]);
}

/** buildah with a private storage under `dir`. */
export function buildah(dir: string): Promise<ContainerTool> {
  return containerTool("buildah", dir, []);
}

async function containerTool(
  program: string,
  dir: string,
  extraFlags: string[],
): Promise<ContainerTool> {
  await Deno.mkdir(`${dir}/tmp`, { recursive: true });
  const flags = [
    "--root",
    `${dir}/root`,
    "--runroot",
    `${dir}/runroot`,
    "--storage-driver",
    "vfs",
    ...extraFlags,
  ];
  // Image layers are staged in TMPDIR, which would otherwise be /var/tmp.
  const options = { env: { TMPDIR: `${dir}/tmp` } };
  const run = (args: string[]) =>
    mustRun(program, [...flags, ...args], options);
  return {
    run,
    text: async (args) => new TextDecoder().decode(await run(args)).trim(),
    fail: (args) => mustFail(program, [...flags, ...args], options),
  };
}
