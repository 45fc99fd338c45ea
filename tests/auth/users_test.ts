import assert from "node:assert/strict";
import bcrypt from "bcryptjs";
import { formatBasicAuthorization } from "../../src/auth/basic_header.ts";
import type { Auth } from "../../src/auth/types.ts";
import { anonymousWithMaster, userTable } from "../../src/auth/users.ts";
import { RegistryError } from "../../src/protocol/errors.ts";

function request(
  method: string,
  path: string,
  credentials?: [string, string],
): Request {
  const headers = new Headers();
  if (credentials) {
    headers.set("Authorization", formatBasicAuthorization(...credentials));
  }
  return new Request(`http://127.0.0.1${path}`, { method, headers });
}

async function actions(auth: Auth, req: Request, repository = "app") {
  const identity = await auth.authenticate(req);
  return [...await auth.permissions(identity, repository)].sort();
}

async function refusal(promise: unknown): Promise<RegistryError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof RegistryError);
    return error;
  }
  assert.fail("expected the credentials to be refused");
}

const table = () =>
  userTable({
    users: {
      alice: { password: "alice-pw" },
      bob: { password: "bob-pw", permissions: ["pull"] },
      carol: { passwordHash: bcrypt.hashSync("carol-pw", 4) },
    },
    anonymous: ["pull"],
    realm: "test realm",
  });

Deno.test("userTable() gives a user with no permissions listed everything", async () => {
  const auth = table();
  const req = request("PUT", "/v2/app/manifests/v1", ["alice", "alice-pw"]);
  assert.deepEqual((await auth.authenticate(req))?.name, "alice");
  assert.deepEqual(await actions(auth, req), ["delete", "pull", "push"]);
});

Deno.test("userTable() limits a user to the permissions listed", async () => {
  const req = request("GET", "/v2/app/tags/list", ["bob", "bob-pw"]);
  assert.deepEqual(await actions(table(), req), ["pull"]);
});

Deno.test("userTable() checks bcrypt password hashes", async () => {
  const auth = table();
  const req = request("GET", "/v2/", ["carol", "carol-pw"]);
  assert.deepEqual(await actions(auth, req), ["delete", "pull", "push"]);
  const wrong = request("GET", "/v2/", ["carol", "alice-pw"]);
  assert.equal((await refusal(auth.authenticate(wrong))).status, 401);
});

Deno.test("userTable() gives anonymous callers the anonymous actions", async () => {
  const auth = table();
  assert.deepEqual(await actions(auth, request("GET", "/v2/")), ["pull"]);
  assert.equal(await auth.catalog?.(undefined), true);
});

Deno.test("userTable() challenges at GET /v2/ when a login gains something", () => {
  // Clients send credentials only after a challenge at GET /v2/, so an
  // open base would keep users who may push from ever sending them.
  assert.equal(table().anonymousBase, false);
  const readers = userTable({
    users: { bob: { password: "pw", permissions: ["pull"] } },
    anonymous: ["pull"],
  });
  assert.equal(readers.anonymousBase, true);
});

Deno.test("userTable() treats empty Basic credentials as anonymous", async () => {
  const auth = table();
  const req = request("GET", "/v2/app/manifests/v1", ["", ""]);
  assert.equal(await auth.authenticate(req), undefined);
  assert.deepEqual(await actions(auth, req), ["pull"]);
});

Deno.test("userTable() denies anonymous callers by default", async () => {
  const auth = userTable({ users: { alice: { password: "pw" } } });
  assert.deepEqual(await actions(auth, request("GET", "/v2/")), []);
  assert.equal(auth.anonymousBase, false);
  assert.equal(await auth.catalog?.(undefined), false);
});

Deno.test("userTable() refuses a wrong password with a Basic challenge", async () => {
  const auth = table();
  const error = await refusal(
    auth.authenticate(request("GET", "/v2/", ["alice", "bob-pw"])),
  );
  assert.equal(error.code, "UNAUTHORIZED");
  assert.equal(error.status, 401);
  assert.equal(
    error.headers.get("WWW-Authenticate"),
    'Basic realm="test realm"',
  );
  assert.equal(
    await auth.challenge(request("GET", "/v2/")),
    'Basic realm="test realm"',
  );
});

Deno.test("userTable() refuses an unknown user", async () => {
  const auth = table();
  const error = await refusal(
    auth.authenticate(request("GET", "/v2/", ["mallory", "alice-pw"])),
  );
  assert.equal(error.code, "UNAUTHORIZED");
  const proto = request("GET", "/v2/", ["constructor", "x"]);
  assert.equal((await refusal(auth.authenticate(proto))).code, "UNAUTHORIZED");
});

Deno.test("userTable() rejects bad configuration naming the entry", () => {
  const bad: [Parameters<typeof userTable>[0], RegExp][] = [
    [{ users: { alice: {} } }, /users\.alice: give exactly one/],
    [
      { users: { alice: { password: "a", passwordHash: "$2y$..." } } },
      /users\.alice: give exactly one/,
    ],
    [{ users: { alice: { password: "" } } }, /users\.alice: empty password/],
    [{ users: { "a:b": { password: "x" } } }, /users\.a:b: a user name/],
    [
      { users: { alice: { passwordHash: "$apr1$salt$hash" } } },
      /users\.alice\.passwordHash: an MD5 \(\$apr1\$\) hash/,
    ],
    [
      // @ts-expect-error: an unknown action, as a JSON file might hold
      { users: { alice: { password: "x", permissions: ["write"] } } },
      /users\.alice\.permissions\[0\]: unknown action 'write'/,
    ],
    [
      {
        users: { alice: { password: "x" } },
        anonymous: ["pull"],
        policy: { rules: [] },
      },
      /anonymous: not allowed with a policy/,
    ],
    [
      {
        users: { alice: { password: "x", permissions: ["pull"] } },
        policy: { rules: [] },
      },
      /users\.alice\.permissions: not allowed with a policy/,
    ],
  ];
  for (const [options, message] of bad) {
    assert.throws(() => userTable(options), { name: "TypeError", message });
  }
});

Deno.test("userTable() with a policy takes permissions and groups from it", async () => {
  const auth = userTable({
    users: {
      alice: { password: "alice-pw", groups: ["dev"] },
      bob: { password: "bob-pw" },
    },
    policy: {
      rules: [
        { repositories: "dev/*", groups: ["dev"], actions: ["pull", "push"] },
        { repositories: "*", anonymous: true, actions: ["pull"] },
      ],
    },
  });
  const alice = request("GET", "/v2/", ["alice", "alice-pw"]);
  const bob = request("GET", "/v2/", ["bob", "bob-pw"]);
  assert.deepEqual(await actions(auth, alice, "dev/app"), ["pull", "push"]);
  assert.deepEqual(await actions(auth, bob, "dev/app"), ["pull"]);
  assert.deepEqual(await actions(auth, request("GET", "/v2/"), "x"), ["pull"]);
  assert.equal(auth.anonymousBase, false);
  assert.equal(auth.catalog, undefined);
});

Deno.test("anonymousWithMaster() accepts the password on every kind of request", async () => {
  const auth = anonymousWithMaster({ anonymous: ["pull"], password: "master" });
  const requests = [
    request("GET", "/v2/", ["docker", "master"]),
    request("HEAD", "/v2/team/app/blobs/sha256:" + "a".repeat(64), [
      "x",
      "master",
    ]),
    request("POST", "/v2/team/app/blobs/uploads/", ["docker", "master"]),
    request("PATCH", "/v2/team/app/blobs/uploads/some-id", [
      "docker",
      "master",
    ]),
    request("PUT", "/v2/team/app/manifests/latest", ["someone", "master"]),
    request("DELETE", "/v2/team/app/manifests/latest", ["docker", "master"]),
    request("GET", "/v2/_catalog", ["docker", "master"]),
  ];
  for (const req of requests) {
    assert.deepEqual(
      await actions(auth, req, "team/app"),
      ["delete", "pull", "push"],
      `${req.method} ${req.url}`,
    );
  }
  const identity = await auth.authenticate(requests[0]);
  assert.equal(await auth.catalog?.(identity), true);
});

Deno.test("anonymousWithMaster() gives anonymous callers the given actions", async () => {
  const pull = anonymousWithMaster({ anonymous: ["pull"], password: "m" });
  assert.deepEqual(await actions(pull, request("GET", "/v2/")), ["pull"]);
  assert.deepEqual(await actions(pull, request("GET", "/v2/", ["", ""])), [
    "pull",
  ]);

  const none = anonymousWithMaster({ anonymous: [], password: "m" });
  assert.deepEqual(await actions(none, request("GET", "/v2/")), []);
  assert.equal(none.anonymousBase, false);
  assert.equal(await none.catalog?.(undefined), false);
});

Deno.test("anonymousWithMaster() challenges at GET /v2/ so clients send the password", () => {
  const pull = anonymousWithMaster({ anonymous: ["pull"], password: "m" });
  assert.equal(pull.anonymousBase, false);
  const open = anonymousWithMaster({
    anonymous: ["pull", "push", "delete"],
    password: "m",
  });
  assert.equal(open.anonymousBase, true);
});

Deno.test("anonymousWithMaster() refuses a wrong password with a challenge", async () => {
  const auth = anonymousWithMaster({ anonymous: ["pull"], password: "master" });
  const error = await refusal(
    auth.authenticate(
      request("PUT", "/v2/app/manifests/v1", ["docker", "guess"]),
    ),
  );
  assert.equal(error.code, "UNAUTHORIZED");
  assert.equal(error.headers.get("WWW-Authenticate"), 'Basic realm="registry"');
});

Deno.test("anonymousWithMaster() with a user name accepts only that name", async () => {
  const auth = anonymousWithMaster({
    anonymous: [],
    password: "master",
    user: "admin",
  });
  const admin = request("GET", "/v2/", ["admin", "master"]);
  assert.equal((await auth.authenticate(admin))?.name, "admin");
  const other = request("GET", "/v2/", ["docker", "master"]);
  assert.equal((await refusal(auth.authenticate(other))).code, "UNAUTHORIZED");
});

Deno.test("anonymousWithMaster() rejects an empty password", () => {
  assert.throws(
    () => anonymousWithMaster({ anonymous: [], password: "" }),
    TypeError,
  );
});

Deno.test("userTable() answers 429 after repeated wrong passwords for a user", async () => {
  const auth = table();
  for (let i = 0; i < 5; i++) {
    const wrong = request("GET", "/v2/", ["alice", `guess-${i}`]);
    assert.equal(
      (await refusal(auth.authenticate(wrong))).code,
      "UNAUTHORIZED",
    );
  }

  // Even the right password waits now, so guessing gains nothing.
  const right = request("GET", "/v2/", ["alice", "alice-pw"]);
  const limited = await refusal(auth.authenticate(right));
  assert.equal(limited.code, "TOOMANYREQUESTS");
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get("Retry-After")) >= 1);

  // Other users are not affected.
  const other = request("GET", "/v2/", ["bob", "bob-pw"]);
  assert.equal((await auth.authenticate(other))?.name, "bob");
});
