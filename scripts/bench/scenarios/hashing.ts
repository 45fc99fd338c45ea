/**
 * @module
 * The machine's SHA-256 rate, by OpenSSL and by `node:crypto` inside Deno.
 * Every push is hashed by the registry, so this bounds push throughput on a
 * single core whatever the HTTP and disk paths allow.
 */

import { nodeSha256Rate, opensslSha256Rate } from "../machine.ts";
import type { Scenario } from "../scenario.ts";

/** SHA-256 rate of the machine; a limit only, no registry is involved. */
export const sha256Scenario: Scenario = {
  name: "sha256",
  title: "SHA-256 rate (one core)",
  unit: "MB/s",
  better: "higher",
  budgetSeconds: 60,
  async run(context, recorder) {
    await recorder.measure({ limit: "openssl" }, async () => ({
      value: await opensslSha256Rate() / 1e6,
    }));
    const mib = context.sizes.bigBlob >= 2 ** 30 ? 256 : 64;
    await recorder.measure(
      { limit: `node:crypto ${mib} MiB` },
      () => Promise.resolve({ value: nodeSha256Rate(mib) / 1e6 }),
    );
  },
};
