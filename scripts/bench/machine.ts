/**
 * @module
 * Describes the machine and measures its limits independently of any
 * registry: the disk's sequential write rate (dd with fsync) and the SHA-256
 * rate of OpenSSL and of `node:crypto` in Deno. A registry's push rate is
 * bounded by both, so they frame every push figure.
 */

import { createHash } from "node:crypto";
import { runCommand } from "./process.ts";
import { REFERENCE_BIN } from "./servers.ts";

/** The facts printed above the results table. */
export interface MachineDescription {
  /** Logical CPUs. */
  nproc: number;
  /** CPU model name from /proc/cpuinfo. */
  cpu: string;
  /** Kernel release. */
  kernel: string;
  /** Deno version. */
  deno: string;
  /** Total memory in bytes. */
  memory: number;
  /** The reference registry's version line, or "not installed". */
  reference: string;
}

/** Collects the machine description. */
export async function describeMachine(): Promise<MachineDescription> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo");
  const meminfo = await Deno.readTextFile("/proc/meminfo");
  const reference = await runCommand(REFERENCE_BIN, ["--version"], 10_000)
    .then((result) => result.stdout.trim())
    .catch(() => "not installed");
  return {
    nproc: navigator.hardwareConcurrency,
    cpu: cpuinfo.match(/^model name\s*:\s*(.*)$/m)?.[1] ?? "unknown",
    kernel: Deno.osRelease(),
    deno: Deno.version.deno,
    memory: Number(meminfo.match(/^MemTotal:\s+(\d+) kB/m)?.[1] ?? 0) * 1024,
    reference,
  };
}

/**
 * Writes `mib` MiB of zeros with dd and fsync into `dir`.
 *
 * @returns bytes per second.
 */
export async function diskWriteRate(dir: string, mib: number): Promise<number> {
  const file = `${dir}/dd.bin`;
  try {
    const result = await runCommand("dd", [
      "if=/dev/zero",
      `of=${file}`,
      "bs=8M",
      `count=${mib / 8}`,
      "conv=fsync",
    ], 300_000);
    const match = result.stderr.match(/(\d+) bytes .* copied, ([\d.]+) s/);
    if (result.code !== 0 || !match) {
      throw new Error(`dd failed: ${result.stderr}`);
    }
    return Number(match[1]) / Number(match[2]);
  } finally {
    await Deno.remove(file).catch(() => {});
  }
}

/** OpenSSL's SHA-256 rate on 16 KiB blocks, in bytes per second. */
export async function opensslSha256Rate(): Promise<number> {
  const result = await runCommand("openssl", [
    "speed",
    "-evp",
    "sha256",
    "-bytes",
    "16384",
    "-seconds",
    "2",
  ], 60_000);
  // The last line reads "sha256  1544200.19k": thousands of bytes a second.
  const match = result.stdout.match(/^sha256\s+([\d.]+)k\s*$/im);
  if (!match) throw new Error(`openssl speed: unexpected output`);
  return Number(match[1]) * 1000;
}

/** `node:crypto` SHA-256 rate in Deno over `mib` MiB, in bytes per second. */
export function nodeSha256Rate(mib: number): number {
  const block = new Uint8Array(1024 * 1024).fill(7);
  const hash = createHash("sha256");
  const start = performance.now();
  for (let i = 0; i < mib; i++) hash.update(block);
  hash.digest();
  return (mib * block.length) / ((performance.now() - start) / 1000);
}
