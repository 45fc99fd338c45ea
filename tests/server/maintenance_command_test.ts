import assert from "node:assert/strict";
import { main } from "../../src/server/cli.ts";
import { FileStorage } from "../../src/storage/filesystem.ts";

Deno.test("main() runs gc and verify over --storage", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A blob no repository links, old enough for a zero grace period.
    const storage = new FileStorage(dir);
    const hex = "ab".repeat(32);
    await storage.write(`blobs/sha256/ab/${hex}`, new Uint8Array(3));

    assert.equal(await main(["gc", "--dry-run", "--storage", dir], {}), 0);
    assert.ok(await storage.stat(`blobs/sha256/ab/${hex}`));

    // Its bytes do not match its digest, which verify reports.
    assert.equal(await main(["verify", "--storage", dir], {}), 1);

    assert.equal(await main(["gc", "--grace", "0", "--storage", dir], {}), 0);
    assert.equal(await storage.stat(`blobs/sha256/ab/${hex}`), undefined);
    assert.equal(await main(["verify", "--storage", dir], {}), 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main() refuses an unknown gc flag with exit status 2", async () => {
  assert.equal(await main(["gc", "--bogus"], {}), 2);
});
