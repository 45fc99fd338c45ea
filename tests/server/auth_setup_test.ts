import assert from "node:assert/strict";
import bcrypt from "bcryptjs";
import { SignJWT } from "jose";
import { createRegistry } from "../../src/registry.ts";
import { MemoryStorage } from "../../src/storage/memory.ts";
import type { Auth } from "../../src/auth/types.ts";
import { setupAuth } from "../../src/server/auth_setup.ts";
import { defaults, type Settings } from "../../src/server/settings.ts";
import { ConfigError } from "../../src/server/values.ts";

const base: Settings = { ...defaults };

/** Runs `use` with a fresh directory, removed afterwards. */
async function inTempDir(use: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await use(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The status of `GET path` on a registry with `auth`. */
async function status(
  auth: Auth | undefined,
  path: string,
  headers: HeadersInit = {},
): Promise<number> {
  const registry = createRegistry({ storage: new MemoryStorage(), auth });
  const response = await registry.fetch(
    new Request(`http://registry.test${path}`, { headers }),
  );
  await response.body?.cancel();
  return response.status;
}

const basic = (user: string, password: string) => ({
  Authorization: `Basic ${btoa(`${user}:${password}`)}`,
});

Deno.test("setupAuth() leaves the registry open when no login is set", async () => {
  const setup = await setupAuth(base, undefined, () => {});
  assert.equal(setup.auth, undefined);
  assert.equal(setup.mode, "none");
});

Deno.test("setupAuth() with a master password refuses anonymous callers by default", async () => {
  const setup = await setupAuth(base, "s3cret", () => {});
  assert.equal(setup.mode, "master-password");
  assert.equal(setup.anonymous, "none");
  assert.equal(await status(setup.auth, "/v2/"), 401);
  assert.equal(await status(setup.auth, "/v2/", basic("any", "s3cret")), 200);
  assert.equal(await status(setup.auth, "/v2/", basic("any", "wrong")), 401);
});

Deno.test("setupAuth() reads the master password from a file without its newline", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/password`, "from-file\n");
    const setup = await setupAuth(
      { ...base, passwordFile: `${dir}/password`, anonymous: ["pull"] },
      undefined,
      () => {},
    );
    assert.equal(setup.anonymous, "pull");
    assert.equal(
      await status(setup.auth, "/v2/", basic("u", "from-file")),
      200,
    );
    // Anonymous callers may pull: an unknown repository is a 404, not 401.
    assert.equal(await status(setup.auth, "/v2/app/tags/list"), 404);
  });
});

Deno.test("setupAuth() names the flag and path of a missing or empty file", async () => {
  await assert.rejects(
    () =>
      setupAuth(
        { ...base, passwordFile: "/nonexistent/pw" },
        undefined,
        () => {},
      ),
    { name: "ConfigError", message: /--password-file '\/nonexistent\/pw'/ },
  );
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/empty`, "\n");
    await assert.rejects(
      () =>
        setupAuth(
          { ...base, passwordFile: `${dir}/empty` },
          undefined,
          () => {},
        ),
      /the file is empty/,
    );
  });
});

Deno.test("setupAuth() checks users against an htpasswd file", async () => {
  await inTempDir(async (dir) => {
    const path = `${dir}/htpasswd`;
    await Deno.writeTextFile(
      path,
      `alice:${bcrypt.hashSync("wonderland", 4)}\n`,
    );
    const setup = await setupAuth(
      { ...base, htpasswd: path },
      undefined,
      () => {},
    );
    assert.equal(setup.mode, "htpasswd");
    assert.equal(
      await status(setup.auth, "/v2/", basic("alice", "wonderland")),
      200,
    );
    assert.equal(await status(setup.auth, "/v2/", basic("alice", "nope")), 401);
    assert.equal(await status(setup.auth, "/v2/"), 401);
  });
});

Deno.test("setupAuth() refuses an htpasswd file with unsupported hashes", async () => {
  await inTempDir(async (dir) => {
    const path = `${dir}/htpasswd`;
    await Deno.writeTextFile(path, "bob:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n");
    await assert.rejects(
      () => setupAuth({ ...base, htpasswd: path }, undefined, () => {}),
      (error: Error) =>
        error instanceof ConfigError && error.message.includes("--htpasswd"),
    );
  });
});

Deno.test("setupAuth() applies a policy file on top of the master password", async () => {
  await inTempDir(async (dir) => {
    const path = `${dir}/policy.json`;
    await Deno.writeTextFile(
      path,
      JSON.stringify({
        rules: [
          { repositories: "public/*", anonymous: true, actions: ["pull"] },
          { repositories: "*", actions: ["pull", "push", "delete"] },
        ],
      }),
    );
    const setup = await setupAuth({ ...base, policy: path }, "pw", () => {});
    assert.equal(setup.mode, "master-password+policy");
    assert.equal(await status(setup.auth, "/v2/public/app/tags/list"), 404);
    assert.equal(await status(setup.auth, "/v2/private/app/tags/list"), 401);
  });
});

Deno.test("setupAuth() refuses a malformed policy, naming --policy", async () => {
  await inTempDir(async (dir) => {
    const path = `${dir}/policy.json`;
    await Deno.writeTextFile(
      path,
      JSON.stringify({ rules: [{ repositories: "*" }] }),
    );
    await assert.rejects(
      () => setupAuth({ ...base, policy: path }, "pw", () => {}),
      /--policy: .*actions/,
    );
    await Deno.writeTextFile(path, "{not json");
    await assert.rejects(
      () => setupAuth({ ...base, policy: path }, "pw", () => {}),
      /--policy '.*policy.json'/,
    );
  });
});

Deno.test("setupAuth() with --token-issue and no key warns and serves working tokens", async () => {
  const setup = await setupAuth({ ...base, tokenIssue: true }, "pw", () => {});
  assert.equal(setup.mode, "token-issue (master-password)");
  assert.equal(setup.warnings.length, 1);
  assert.match(setup.warnings[0], /--token-key/);

  const registry = createRegistry({
    storage: new MemoryStorage(),
    auth: setup.auth,
  });
  const challenge = await registry.fetch(
    new Request("http://registry.test/v2/"),
  );
  await challenge.body?.cancel();
  assert.equal(challenge.status, 401);
  assert.match(
    challenge.headers.get("WWW-Authenticate")!,
    /^Bearer realm="http:\/\/registry.test\/token"/,
  );

  const tokenResponse = await registry.fetch(
    new Request(
      "http://registry.test/token?service=registry&scope=repository:a:pull,push",
      {
        headers: basic("me", "pw"),
      },
    ),
  );
  const { token } = await tokenResponse.json();
  assert.equal(
    await status(setup.auth, "/v2/", { Authorization: `Bearer ${token}` }),
    200,
  );
});

async function pemOf(
  key: CryptoKey,
  kind: "PRIVATE" | "PUBLIC",
): Promise<string> {
  const der = await crypto.subtle.exportKey(
    kind === "PRIVATE" ? "pkcs8" : "spki",
    key,
  );
  const base64 = btoa(String.fromCharCode(...new Uint8Array(der)));
  return `-----BEGIN ${kind} KEY-----\n${
    base64.match(/.{1,64}/g)!.join("\n")
  }\n-----END ${kind} KEY-----\n`;
}

Deno.test("setupAuth() with --token-issue and --token-key signs with that key, without a warning", async () => {
  const pair = await crypto.subtle.generateKey(
    { name: "ECDSA", namedCurve: "P-256" },
    true,
    ["sign", "verify"],
  ) as CryptoKeyPair;
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/key.pem`,
      await pemOf(pair.privateKey, "PRIVATE"),
    );
    const setup = await setupAuth(
      {
        ...base,
        tokenIssue: true,
        tokenKey: `${dir}/key.pem`,
        tokenService: "reg",
      },
      "pw",
      () => {},
    );
    assert.deepEqual(setup.warnings, []);
  });
});

Deno.test("setupAuth() with --token-verify accepts tokens signed by the given public key", async () => {
  const pair = await crypto.subtle.generateKey(
    { name: "ECDSA", namedCurve: "P-256" },
    true,
    ["sign", "verify"],
  ) as CryptoKeyPair;
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/pub.pem`,
      await pemOf(pair.publicKey, "PUBLIC"),
    );
    const setup = await setupAuth(
      {
        ...base,
        tokenVerify: true,
        tokenPublicKey: `${dir}/pub.pem`,
        tokenIssuer: "auth.example.com",
        tokenService: "registry.example.com",
        tokenRealm: "https://auth.example.com/token",
      },
      undefined,
      () => {},
    );
    assert.equal(setup.mode, "token-verify");

    const token = await new SignJWT({ access: [] })
      .setProtectedHeader({ alg: "ES256" })
      .setIssuer("auth.example.com")
      .setAudience("registry.example.com")
      .setExpirationTime("5m")
      .sign(pair.privateKey);
    assert.equal(
      await status(setup.auth, "/v2/", { Authorization: `Bearer ${token}` }),
      200,
    );
    assert.equal(await status(setup.auth, "/v2/"), 401);
  });
});

Deno.test("setupAuth() refuses a token key that is not a key", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/pub.pem`, "not a key");
    await assert.rejects(
      () =>
        setupAuth(
          {
            ...base,
            tokenVerify: true,
            tokenPublicKey: `${dir}/pub.pem`,
            tokenIssuer: "i",
            tokenService: "s",
            tokenRealm: "https://x/token",
          },
          undefined,
          () => {},
        ),
      ConfigError,
    );
  });
});
