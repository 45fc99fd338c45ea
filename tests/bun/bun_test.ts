import assert from "node:assert/strict";

const bun = await findBun();

Deno.test({
  name: "the registry pushes and pulls an image under Bun.serve",
  ignore: bun === undefined,
  async fn() {
    const script = new URL("./_push_pull.ts", import.meta.url).pathname;
    const output = await new Deno.Command(bun!, {
      args: ["run", script],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, stderr);

    const result = JSON.parse(new TextDecoder().decode(output.stdout));
    assert.deepEqual(result, {
      manifestPush: 201,
      manifestSame: true,
      digestHeader: true,
      layerSame: true,
    });
  },
});

/** Finds the `bun` binary; outside CI a missing Bun skips the test with a
 * notice, in CI it is a failure. */
async function findBun(): Promise<string | undefined> {
  try {
    const probe = await new Deno.Command("bun", { args: ["--version"] })
      .output();
    if (probe.success) return "bun";
  } catch {
    // Not installed: decided below.
  }
  if (Deno.env.get("CI") === "true") {
    throw new Error("bun is not installed; .ci/run installs it from npm");
  }
  console.log("notice: bun is not installed, skipping the Bun test");
  return undefined;
}
