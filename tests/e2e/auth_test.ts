/**
 * Auth with real clients against `main.ts`: an htpasswd file with an
 * access policy, the master password, and token auth with the registry
 * issuing its own tokens. Each test starts the server with its own auth
 * flags, and every client run is pointed at an auth file inside the
 * test's directory, so logins never leak between tests or into the
 * machine's own client configuration.
 *
 * @module
 */

import assert from "node:assert/strict";
import { podman, skopeo } from "./_clients.ts";
import { multiLayerImage } from "./_fixtures.ts";
import { blobPath, sha256 } from "./_layout.ts";
import { mustFail, mustRun, onPath, type RunResult } from "./_process.ts";
import {
  type RunningServer,
  serverKind,
  type ServerOptions,
  startServer,
} from "./_server.ts";

/** What an auth test works with. */
interface AuthContext {
  /** Makes a fresh directory inside the test's temporary directory. */
  dir(name: string): Promise<string>;
  /** Starts `main.ts` with the given flags and environment. */
  start(options: ServerOptions): Promise<RunningServer>;
  /** The auth file every client of the test reads and writes. */
  authFile: string;
}

/** Alice pushes to team-a/*, bob to team-b/*; anyone pulls public/*, which
 * alice fills. */
const policy = {
  rules: [
    { repositories: "team-a/*", users: ["alice"], actions: ["pull", "push"] },
    { repositories: "team-b/*", users: ["bob"], actions: ["pull", "push"] },
    { repositories: "public/*", users: ["alice"], actions: ["pull", "push"] },
    { repositories: "public/*", anonymous: true, actions: ["pull"] },
  ],
};

/** Declares a test that needs `programs` and starts its own server. Like
 * the other end-to-end tests, it is skipped with a notice when a program
 * is missing, except in CI. The auth flags are this server's own, so
 * against the reference registry the test is skipped. */
function authTest(
  name: string,
  programs: string[],
  fn: (context: AuthContext) => Promise<void>,
): void {
  const missing = programs.filter((program) => !onPath(program));
  if (missing.length > 0 && Deno.env.get("CI") === "true") {
    Deno.test(name, () => {
      throw new Error(`not installed, and CI needs it: ${missing.join(", ")}`);
    });
    return;
  }
  const skip = missing.length > 0
    ? `${missing.join(", ")} not installed`
    : serverKind() === "reference"
    ? "auth flags apply to main.ts only"
    : undefined;
  if (skip) {
    console.log(`skipping "${name}": ${skip}`);
    Deno.test({ name, ignore: true, fn: () => {} });
    return;
  }
  Deno.test(name, () => withServer(fn));
}

async function withServer(fn: (context: AuthContext) => Promise<void>) {
  const root = await Deno.makeTempDir({ prefix: "e2e_auth_" });
  let server: RunningServer | undefined;
  try {
    await fn({
      authFile: `${root}/auth.json`,
      dir: async (name) => {
        const path = `${root}/${name}`;
        await Deno.mkdir(path);
        return path;
      },
      start: async (options) => {
        assert.equal(server, undefined, "one server per test");
        const storage = `${root}/storage`;
        await Deno.mkdir(storage);
        server = await startServer(storage, options);
        return server;
      },
    });
  } catch (error) {
    if (server === undefined || !(error instanceof Error)) throw error;
    error.message += `\n--- registry output (tail) ---\n` +
      server.output().slice(-8000);
    throw error;
  } finally {
    await server?.stop();
    await Deno.remove(root, { recursive: true });
  }
}

/** Writes an htpasswd file (bcrypt, as `htpasswd -B` makes) and the
 * policy; returns the flags that use them. */
async function htpasswdFlags(dir: string): Promise<string[]> {
  const file = `${dir}/users.htpasswd`;
  await mustRun("htpasswd", ["-B", "-c", "-b", file, "alice", "alice-pw"]);
  await mustRun("htpasswd", ["-B", "-b", file, "bob", "bob-pw"]);
  await Deno.writeTextFile(`${dir}/policy.json`, JSON.stringify(policy));
  return ["--htpasswd", file, "--policy", `${dir}/policy.json`];
}

/** skopeo copy to or from the registry, reading logins from `authFile`
 * only. */
function copy(authFile: string, args: string[]) {
  return [
    "copy",
    "--src-tls-verify=false",
    "--dest-tls-verify=false",
    "--src-authfile",
    authFile,
    "--dest-authfile",
    authFile,
    ...args,
  ];
}

function failSkopeo(args: string[]): Promise<RunResult> {
  return mustFail("skopeo", ["--insecure-policy", ...args]);
}

/** Checks that a client failed for the reason expected, as it words it. */
function assertRefused(result: RunResult, pattern: RegExp) {
  assert.match(result.stderr, pattern, result.stderr);
}

authTest(
  "htpasswd + policy: podman login takes the right password and refuses a wrong one",
  ["podman", "htpasswd"],
  async ({ dir, start, authFile }) => {
    const work = await dir("podman");
    const server = await start({ args: await htpasswdFlags(work) });
    const tool = await podman(work);
    const login = ["login", "--tls-verify=false", "--authfile", authFile];

    await tool.run([...login, "-u", "alice", "-p", "alice-pw", server.host]);
    const saved = JSON.parse(await Deno.readTextFile(authFile));
    assert.ok(saved.auths[server.host], "the login was saved");

    const wrong = await tool.fail([
      ...login,
      "-u",
      "alice",
      "-p",
      "wrong",
      server.host,
    ]);
    assertRefused(wrong, /invalid username\/password/i);
  },
);

authTest(
  "htpasswd + policy: skopeo pushes where the policy allows, is refused elsewhere, and pulls anonymously only from public/*",
  ["skopeo", "htpasswd"],
  async ({ dir, start, authFile }) => {
    const work = await dir("work");
    const server = await start({ args: await htpasswdFlags(work) });
    const source = await dir("source");
    const image = await multiLayerImage(source);
    const alice = ["--dest-creds", "alice:alice-pw"];

    for (const name of ["team-a/app", "public/app"]) {
      await skopeo(
        copy(authFile, [
          ...alice,
          `oci:${source}:v1`,
          `docker://${server.host}/${name}:v1`,
        ]),
      );
    }
    const refused = await failSkopeo(
      copy(authFile, [
        ...alice,
        `oci:${source}:v1`,
        `docker://${server.host}/team-b/app:v1`,
      ]),
    );
    assertRefused(refused, /403|denied/i);

    const pulled = await dir("pulled");
    await skopeo(
      copy(authFile, [
        `docker://${server.host}/public/app:v1`,
        `oci:${pulled}:v1`,
      ]),
    );
    const index = JSON.parse(await Deno.readTextFile(`${pulled}/index.json`));
    assert.equal(index.manifests[0].digest, image.digest);
    const anonymous = await failSkopeo(
      copy(authFile, [
        `docker://${server.host}/team-a/app:v1`,
        `oci:${await dir("refused")}:v1`,
      ]),
    );
    assertRefused(anonymous, /unauthorized/i);
  },
);

authTest(
  "master password: skopeo pushes with it, pulls anonymously, and may not push anonymously",
  ["skopeo"],
  async ({ dir, start, authFile }) => {
    const server = await start({
      args: ["--anonymous", "pull"],
      env: { REGISTRY_PASSWORD: "master-pw" },
    });
    const source = await dir("source");
    const image = await multiLayerImage(source);
    const target = `docker://${server.host}/team/app:v1`;

    await skopeo(
      copy(authFile, [
        "--dest-creds",
        "anyone:master-pw",
        `oci:${source}:v1`,
        target,
      ]),
    );
    const pulled = await dir("pulled");
    await skopeo(copy(authFile, [target, `oci:${pulled}:v1`]));
    const index = JSON.parse(await Deno.readTextFile(`${pulled}/index.json`));
    assert.equal(index.manifests[0].digest, image.digest);

    const anonymous = await failSkopeo(
      copy(authFile, [
        `oci:${source}:v1`,
        `docker://${server.host}/team/other:v1`,
      ]),
    );
    assertRefused(anonymous, /unauthorized/i);
    const wrong = await failSkopeo(
      copy(authFile, [
        "--dest-creds",
        "anyone:wrong",
        `oci:${source}:v1`,
        `docker://${server.host}/team/other:v1`,
      ]),
    );
    assertRefused(wrong, /unauthorized/i);
  },
);

authTest(
  "token auth: podman logs in, pushes and pulls back with tokens",
  ["podman", "skopeo", "htpasswd"],
  async ({ dir, start, authFile }) => {
    const work = await dir("podman");
    const server = await start({
      args: [...await htpasswdFlags(work), "--token-issue"],
    });
    const source = await dir("source");
    const image = await multiLayerImage(source);
    const tool = await podman(work);
    const remote = `${server.host}/team-a/app:v1`;
    const auth = ["--tls-verify=false", "--authfile", authFile];

    await tool.run([
      "login",
      ...auth,
      "-u",
      "alice",
      "-p",
      "alice-pw",
      server.host,
    ]);
    // podman's image id is the digest of the image's config.
    const manifest = JSON.parse(
      await Deno.readTextFile(blobPath(source, image.digest)),
    );
    const id = manifest.config.digest.slice("sha256:".length);
    await tool.run(["pull", `oci:${source}:v1`]);
    await tool.run(["tag", id, remote]);
    await tool.run(["push", ...auth, remote]);
    await tool.run(["rmi", "--force", id]);
    await tool.run(["pull", ...auth, remote]);

    const inspect = ["image", "inspect", "--format", "{{.Id}}", remote];
    assert.equal(await tool.text(inspect), id);
    const served = await skopeo([
      "inspect",
      "--raw",
      "--tls-verify=false",
      "--authfile",
      authFile,
      `docker://${remote}`,
    ]);
    assert.equal(
      JSON.parse(new TextDecoder().decode(served)).config.digest,
      manifest.config.digest,
    );
  },
);

authTest(
  "token auth: skopeo pushes with credentials and is refused where the policy says so",
  ["skopeo", "htpasswd"],
  async ({ dir, start, authFile }) => {
    const work = await dir("work");
    const server = await start({
      args: [...await htpasswdFlags(work), "--token-issue"],
    });
    const source = await dir("source");
    const image = await multiLayerImage(source);
    const push = (creds: string, name: string) =>
      copy(authFile, [
        "--dest-creds",
        creds,
        `oci:${source}:v1`,
        `docker://${server.host}/${name}:v1`,
      ]);

    await skopeo(push("alice:alice-pw", "team-a/app"));
    await skopeo(push("bob:bob-pw", "team-b/app"));
    const served = await skopeo([
      "inspect",
      "--raw",
      "--tls-verify=false",
      "--creds",
      "alice:alice-pw",
      `docker://${server.host}/team-a/app:v1`,
    ]);
    assert.equal(sha256(served), image.digest);

    assertRefused(
      await failSkopeo(push("alice:alice-pw", "team-b/app")),
      /denied/i,
    );
    assertRefused(
      await failSkopeo(push("alice:wrong", "team-a/app")),
      /invalid user/i,
    );
    const anonymousPull = await failSkopeo(
      copy(authFile, [
        `docker://${server.host}/team-a/app:v1`,
        `oci:${await dir("refused")}:v1`,
      ]),
    );
    assertRefused(anonymousPull, /denied|unauthorized/i);
  },
);
