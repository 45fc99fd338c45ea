import assert from "node:assert/strict";
import { helpText, parseArgs } from "../../src/server/args.ts";
import { envName, flagName, settings } from "../../src/server/settings.ts";
import { ConfigError } from "../../src/server/values.ts";

Deno.test("parseArgs() reads values given as separate words and after =", () => {
  const { values } = parseArgs([
    "--host",
    "0.0.0.0",
    "--port=8080",
    "--max-manifest-size",
    "1024",
    "--anonymous",
    "pull",
  ]);
  assert.deepEqual(values, {
    host: "0.0.0.0",
    port: 8080,
    maxManifestSize: 1024,
    anonymous: ["pull"],
  });
});

Deno.test("parseArgs() sets a boolean flag given alone and reads =false", () => {
  assert.deepEqual(parseArgs(["--read-only", "--no-delete=false"]).values, {
    readOnly: true,
    noDelete: false,
  });
});

Deno.test("parseArgs() lets a later flag override an earlier one", () => {
  assert.equal(parseArgs(["--port", "1", "--port", "2"]).values.port, 2);
});

Deno.test("parseArgs() recognises --help and -h", () => {
  assert.equal(parseArgs(["--help"]).help, true);
  assert.equal(parseArgs(["-h"]).help, true);
  assert.equal(parseArgs([]).help, false);
});

Deno.test("parseArgs() accepts port 0, for a free port", () => {
  assert.equal(parseArgs(["--port", "0"]).values.port, 0);
});

Deno.test("parseArgs() rejects an unknown flag, naming it", () => {
  assert.throws(() => parseArgs(["--prot", "5000"]), {
    name: "ConfigError",
    message: /unknown flag '--prot'/,
  });
});

Deno.test("parseArgs() rejects a positional argument", () => {
  assert.throws(() => parseArgs(["serve"]), ConfigError);
});

Deno.test("parseArgs() rejects a flag missing its value", () => {
  assert.throws(() => parseArgs(["--port"]), /--port needs a value/);
  assert.throws(() => parseArgs(["--storage", "--read-only"]), /--storage/);
});

Deno.test("parseArgs() refuses a password flag and points to the safe ways", () => {
  assert.throws(
    () => parseArgs(["--password", "hunter2"]),
    (error: Error) =>
      /REGISTRY_PASSWORD/.test(error.message) &&
      /--password-file/.test(error.message) &&
      !error.message.includes("hunter2"),
  );
});

Deno.test("parseArgs() rejects bad values instead of using defaults", () => {
  for (
    const args of [
      ["--port", "50000x"],
      ["--port", "70000"],
      ["--port", "-1"],
      ["--max-manifest-size", "0"],
      ["--max-manifest-size", "4MB"],
      ["--read-only=maybe"],
      ["--log-format", "xml"],
      ["--log-level", "verbose"],
      ["--anonymous", "push"],
      ["--anonymous", "pull,delete"],
      ["--metrics-address", "9090"],
      ["--storage="],
    ]
  ) {
    assert.throws(() => parseArgs(args), ConfigError, args.join(" "));
  }
});

Deno.test("parseArgs() reads every anonymous permission spelling", () => {
  const read = (text: string) => parseArgs(["--anonymous", text]).values;
  assert.deepEqual(read("none").anonymous, []);
  assert.deepEqual(read("pull").anonymous, ["pull"]);
  assert.deepEqual(read("pull,push").anonymous, ["pull", "push"]);
});

Deno.test("helpText() lists every flag with its environment variable and config key", () => {
  const text = helpText();
  for (const setting of settings) {
    assert.ok(text.includes(flagName(setting.key)), setting.key);
    assert.ok(text.includes(envName(setting.key)), setting.key);
    if (setting.inFile !== false) {
      assert.ok(text.includes(`config key "${setting.key}"`), setting.key);
    }
  }
  assert.ok(text.includes("REGISTRY_PASSWORD"));
});

Deno.test("flagName() and envName() derive from the config key", () => {
  assert.equal(flagName("maxManifestSize"), "--max-manifest-size");
  assert.equal(envName("maxManifestSize"), "REGISTRY_MAX_MANIFEST_SIZE");
  assert.equal(envName("tlsCert"), "REGISTRY_TLS_CERT");
});

Deno.test("parseArgs() reads the upload limits and the garbage collection schedule", () => {
  const { values } = parseArgs([
    "--max-uploads",
    "100",
    "--max-uploads-per-client=4",
    "--gc-interval",
    "1h30m",
    "--gc-grace=10m",
  ]);
  assert.deepEqual(values, {
    maxUploads: 100,
    maxUploadsPerClient: 4,
    gcInterval: 90 * 60 * 1000,
    gcGrace: 10 * 60 * 1000,
  });
  assert.equal(parseArgs(["--gc-interval", "0"]).values.gcInterval, 0);
});

Deno.test("parseArgs() rejects upload limits that are not positive and durations without a unit", () => {
  assert.throws(() => parseArgs(["--max-uploads", "0"]), /--max-uploads/);
  assert.throws(
    () => parseArgs(["--max-uploads-per-client", "-1"]),
    /--max-uploads-per-client/,
  );
  assert.throws(
    () => parseArgs(["--gc-interval", "30"]),
    /--gc-interval: '30' is not valid; expected a duration/,
  );
  assert.throws(() => parseArgs(["--gc-grace", "1 h"]), ConfigError);
});
