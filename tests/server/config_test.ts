import assert from "node:assert/strict";
import { readConfigFile, resolveConfig } from "../../src/server/config.ts";
import type { Settings } from "../../src/server/settings.ts";
import { ConfigError } from "../../src/server/values.ts";

async function withFile(
  name: string,
  text: string,
  use: (path: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/${name}`;
    await Deno.writeTextFile(path, text);
    await use(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("resolveConfig() fills defaults when nothing is given", async () => {
  const config = await resolveConfig([], {});
  assert.equal(config.help, false);
  assert.equal(config.settings.host, "127.0.0.1");
  assert.equal(config.settings.port, 5000);
  assert.equal(config.settings.storage, "./registry-data");
  assert.equal(config.settings.logFormat, "text");
  assert.equal(config.settings.metrics, false);
  assert.equal(config.password, undefined);
});

Deno.test("resolveConfig() ranks flags over environment over config file", async () => {
  const file = JSON.stringify({ port: 1111, host: "10.0.0.1", readOnly: true });
  await withFile("c.json", file, async (path) => {
    const env = { REGISTRY_PORT: "2222", REGISTRY_HOST: "10.0.0.2" };
    const config = await resolveConfig(
      ["--config", path, "--port", "3333"],
      env,
    );
    assert.equal(config.settings.port, 3333);
    assert.equal(config.settings.host, "10.0.0.2");
    assert.equal(config.settings.readOnly, true);
  });
});

Deno.test("resolveConfig() finds the config file through REGISTRY_CONFIG", async () => {
  await withFile("c.yaml", "port: 4444\n", async (path) => {
    const config = await resolveConfig([], { REGISTRY_CONFIG: path });
    assert.equal(config.settings.port, 4444);
  });
});

Deno.test("resolveConfig() lets an environment variable set false over a file's true", async () => {
  await withFile("c.yml", "readOnly: true\n", async (path) => {
    const env = { REGISTRY_READ_ONLY: "false" };
    const config = await resolveConfig(["--config", path], env);
    assert.equal(config.settings.readOnly, false);
  });
});

Deno.test("resolveConfig() treats an empty environment variable as unset", async () => {
  const config = await resolveConfig([], { REGISTRY_PORT: "" });
  assert.equal(config.settings.port, 5000);
});

Deno.test("resolveConfig() rejects a bad environment value, naming the variable", async () => {
  await assert.rejects(
    () => resolveConfig([], { REGISTRY_PORT: "http" }),
    { name: "ConfigError", message: /REGISTRY_PORT: 'http' is not valid/ },
  );
});

Deno.test("resolveConfig() reports unknown REGISTRY_ variables without failing", async () => {
  const config = await resolveConfig([], {
    REGISTRY_READONLY: "true",
    REGISTRY_PASSWORD: "secret",
    HOME: "/root",
  });
  assert.deepEqual(config.unknownEnv, ["REGISTRY_READONLY"]);
  assert.equal(config.password, "secret");
});

Deno.test("resolveConfig() turns metrics on when a metrics address is set", async () => {
  const config = await resolveConfig(
    ["--metrics-address", "127.0.0.1:9090"],
    {},
  );
  assert.equal(config.settings.metrics, true);
});

Deno.test("resolveConfig() returns help without checking other flags", async () => {
  const config = await resolveConfig(["--help"], { REGISTRY_PORT: "bad" });
  assert.equal(config.help, true);
});

Deno.test("readConfigFile() reads YAML and JSON into the same settings", async () => {
  const yaml = "host: 0.0.0.0\nport: 6000\nanonymous: pull\nmetrics: true\n";
  const json = JSON.stringify({
    host: "0.0.0.0",
    port: 6000,
    anonymous: "pull",
    metrics: true,
  });
  let fromYaml: Partial<Settings> = {};
  await withFile("a.yaml", yaml, async (p) => {
    fromYaml = await readConfigFile(p);
  });
  await withFile("a.json", json, async (p) => {
    assert.deepEqual(await readConfigFile(p), fromYaml);
  });
  assert.deepEqual(fromYaml.anonymous, ["pull"]);
});

Deno.test("readConfigFile() takes anonymous permissions as a YAML list too", async () => {
  await withFile("a.yaml", "anonymous: [pull, push]\n", async (path) => {
    assert.deepEqual((await readConfigFile(path)).anonymous, ["pull", "push"]);
  });
  await withFile("b.yaml", "anonymous: []\n", async (path) => {
    assert.deepEqual((await readConfigFile(path)).anonymous, []);
  });
});

Deno.test("readConfigFile() rejects an unknown key, naming it and the file", async () => {
  await withFile("c.json", '{"prot": 5000}', async (path) => {
    await assert.rejects(() => readConfigFile(path), {
      name: "ConfigError",
      message: new RegExp(`'${path}'.*unknown key 'prot'`),
    });
  });
});

Deno.test("readConfigFile() rejects a value of the wrong type", async () => {
  await withFile("c.json", '{"port": "5000"}', async (path) => {
    await assert.rejects(() => readConfigFile(path), /key 'port'/);
  });
  await withFile("c.yaml", "readOnly: yes please\n", async (path) => {
    await assert.rejects(() => readConfigFile(path), /key 'readOnly'/);
  });
});

Deno.test("readConfigFile() rejects the config key itself, a list, bad syntax and other extensions", async () => {
  const cases: [string, string][] = [
    ["c.json", '{"config": "other.json"}'],
    ["c.json", "[1, 2]"],
    ["c.json", "{port: 1"],
    ["c.yaml", "port: [1\n"],
    ["c.toml", "port = 1"],
  ];
  for (const [name, text] of cases) {
    await withFile(name, text, async (path) => {
      await assert.rejects(() => readConfigFile(path), ConfigError, text);
    });
  }
});

Deno.test("readConfigFile() names a missing file", async () => {
  await assert.rejects(
    () => readConfigFile("/nonexistent/registry.json"),
    /config file '\/nonexistent\/registry.json'/,
  );
});

Deno.test("resolveConfig() checks the combination of all sources", async () => {
  await assert.rejects(
    () => resolveConfig(["--tls-cert", "c.pem"], {}),
    /--tls-cert and --tls-key go together/,
  );
  await assert.rejects(
    () => resolveConfig(["--anonymous", "pull"], {}),
    /no way to log in/,
  );
  const config = await resolveConfig(["--anonymous", "pull"], {
    REGISTRY_PASSWORD: "secret",
  });
  assert.deepEqual(config.settings.anonymous, ["pull"]);
});

Deno.test("resolveConfig() reads upload limits and the GC schedule from file and environment", async () => {
  const yaml = "maxUploads: 64\ngcInterval: 6h\ngcGrace: 0\n";
  await withFile("c.yaml", yaml, async (path) => {
    const config = await resolveConfig(["--config", path], {
      REGISTRY_MAX_UPLOADS_PER_CLIENT: "8",
    });
    assert.equal(config.settings.maxUploads, 64);
    assert.equal(config.settings.maxUploadsPerClient, 8);
    assert.equal(config.settings.gcInterval, 6 * 60 * 60 * 1000);
    assert.equal(config.settings.gcGrace, 0);
  });
  await withFile("c.json", '{"gcInterval": 30}', async (path) => {
    await assert.rejects(
      resolveConfig(["--config", path], {}),
      /key 'gcInterval': 30 is not valid; expected a duration/,
    );
  });
});

Deno.test("resolveConfig() refuses a GC grace period without a GC interval", async () => {
  await assert.rejects(
    resolveConfig(["--gc-grace", "0"], {}),
    /--gc-grace needs --gc-interval/,
  );
  const off = await resolveConfig(["--gc-grace", "0", "--gc-interval=0"], {});
  assert.equal(off.settings.gcInterval, 0);
});
