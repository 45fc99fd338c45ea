import assert from "node:assert/strict";
import bcrypt from "bcryptjs";
import { formatBasicAuthorization } from "../../src/auth/basic_header.ts";
import { htpasswd, parseHtpasswd } from "../../src/auth/htpasswd.ts";
import { RegistryError } from "../../src/protocol/errors.ts";

async function htpasswdLine(user: string, password: string) {
  const output = await new Deno.Command("htpasswd", {
    args: ["-B", "-b", "-n", user, password],
  }).output();
  assert.equal(output.code, 0);
  return new TextDecoder().decode(output.stdout).trim();
}

function login(user: string, password: string) {
  return new Request("http://127.0.0.1/v2/", {
    headers: { Authorization: formatBasicAuthorization(user, password) },
  });
}

async function loginFails(promise: unknown) {
  await assert.rejects(
    async () => await promise,
    (error) => error instanceof RegistryError && error.code === "UNAUTHORIZED",
  );
}

Deno.test("parseHtpasswd() reads a line made by htpasswd -B", async () => {
  const line = await htpasswdLine("alice", "s3cret");
  assert.match(line, /^alice:\$2y\$/);
  const users = parseHtpasswd(line + "\n");
  assert.equal(await bcrypt.compare("s3cret", users.get("alice")!), true);
});

Deno.test("parseHtpasswd() reads $2a$ and $2b$ hashes, comments and CRLF", () => {
  const b = bcrypt.hashSync("x", 4);
  const a = b.replace(/^\$2b\$/, "$2a$");
  const users = parseHtpasswd(`# team\r\n\r\nbob:${b}\r\ncarol:${a}\r\n`);
  assert.deepEqual([...users.keys()], ["bob", "carol"]);
  assert.equal(users.get("bob"), b);
});

Deno.test("parseHtpasswd() rejects other hash kinds naming line and user", () => {
  const cases: [string, RegExp][] = [
    ["dave:$apr1$Vb8kkz2y$Jw9xYzH2fWRJt0h0Q0f4e/", /MD5 \(\$apr1\$\)/],
    ["dave:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=", /SHA-1/],
    ["dave:abJnggxhB/yWI", /DES crypt/],
    ["dave:$6$salt$abcdefghijklmnop", /crypt\(3\)/],
    ["dave:password", /plain-text/],
  ];
  for (const [line, kind] of cases) {
    assert.throws(
      () => parseHtpasswd(`# users\n${line}\n`),
      (error: Error) =>
        kind.test(error.message) &&
        error.message.includes("line 2") &&
        error.message.includes("'dave'") &&
        error.message.includes("htpasswd -B"),
      line,
    );
  }
});

Deno.test("parseHtpasswd() rejects lines without a colon and repeated users", () => {
  const hash = bcrypt.hashSync("x", 4);
  assert.throws(() => parseHtpasswd("alice\n"), /line 1: expected 'user:hash'/);
  assert.throws(
    () => parseHtpasswd(`alice:${hash}\nalice:${hash}\n`),
    /line 2: user 'alice' is listed twice/,
  );
});

Deno.test("htpasswd() accepts the right password and refuses a wrong one", async () => {
  const line = await htpasswdLine("alice", "s3cret");
  const auth = await htpasswd({ load: () => Promise.resolve(line) });
  const identity = await auth.authenticate(login("alice", "s3cret"));
  assert.equal(identity?.name, "alice");
  assert.deepEqual([...await auth.permissions(identity, "app")].sort(), [
    "delete",
    "pull",
    "push",
  ]);
  await loginFails(auth.authenticate(login("alice", "wrong")));
  await loginFails(auth.authenticate(login("bob", "s3cret")));
  assert.equal(auth.anonymousBase, false);
  assert.deepEqual([...await auth.permissions(undefined, "app")], []);
});

Deno.test("htpasswd() fails at load time on an unsupported hash", async () => {
  await assert.rejects(
    htpasswd({ load: () => Promise.resolve("eve:{SHA}abc=\n") }),
    /line 1 \(user 'eve'\)/,
  );
});

Deno.test("htpasswd() reads the file again once it may have changed", async () => {
  let text = `alice:${bcrypt.hashSync("one", 4)}\n`;
  let reads = 0;
  const auth = await htpasswd({
    load: () => (reads++, Promise.resolve(text)),
    reloadInterval: 0,
  });
  assert.equal((await auth.authenticate(login("alice", "one")))?.name, "alice");

  text = `bob:${bcrypt.hashSync("two", 4)}\n`;
  assert.equal((await auth.authenticate(login("bob", "two")))?.name, "bob");
  await loginFails(auth.authenticate(login("alice", "one")));
  assert.ok(reads >= 3);
});

Deno.test("htpasswd() reads the file at most once per interval", async () => {
  let reads = 0;
  const text = `alice:${bcrypt.hashSync("one", 4)}\n`;
  const auth = await htpasswd({
    load: () => (reads++, Promise.resolve(text)),
    reloadInterval: 60,
  });
  for (let i = 0; i < 5; i++) await auth.authenticate(login("alice", "one"));
  assert.equal(reads, 1);
});

Deno.test("htpasswd() keeps the users it had when a reload fails", async () => {
  let text = `alice:${bcrypt.hashSync("one", 4)}\n`;
  const problems: unknown[] = [];
  const auth = await htpasswd({
    load: () => Promise.resolve(text),
    reloadInterval: 0,
    onReloadError: (error) => problems.push(error),
  });
  text = "alice:$apr1$broken$entry\n";
  assert.equal((await auth.authenticate(login("alice", "one")))?.name, "alice");
  assert.equal(problems.length, 1);
  assert.match(String(problems[0]), /\$apr1\$/);
});

Deno.test("htpasswd() takes anonymous and user permissions", async () => {
  const text = `alice:${bcrypt.hashSync("one", 4)}\n`;
  const auth = await htpasswd({
    load: () => Promise.resolve(text),
    anonymous: ["pull"],
    permissions: ["pull", "push"],
  });
  const alice = await auth.authenticate(login("alice", "one"));
  assert.deepEqual([...await auth.permissions(alice, "x")], ["pull", "push"]);
  assert.deepEqual([...await auth.permissions(undefined, "x")], ["pull"]);
  assert.equal(auth.anonymousBase, false, "a login adds push");
  const readers = await htpasswd({
    load: () => Promise.resolve(text),
    anonymous: ["pull"],
    permissions: ["pull"],
  });
  assert.equal(readers.anonymousBase, true, "a login adds nothing");
});

Deno.test("htpasswd() with a policy gives group members their rule", async () => {
  const hash = bcrypt.hashSync("pw", 4);
  const auth = await htpasswd({
    load: () => Promise.resolve(`alice:${hash}\nbob:${hash}\n`),
    policy: {
      groups: { ops: ["alice"] },
      rules: [
        { repositories: "*", groups: ["ops"], actions: ["pull", "delete"] },
        { repositories: "*", actions: ["pull"] },
      ],
    },
  });
  const alice = await auth.authenticate(login("alice", "pw"));
  const bob = await auth.authenticate(login("bob", "pw"));
  assert.deepEqual([...await auth.permissions(alice, "a/b")], [
    "pull",
    "delete",
  ]);
  assert.deepEqual([...await auth.permissions(bob, "a/b")], ["pull"]);
  assert.deepEqual([...await auth.permissions(undefined, "a/b")], []);
  assert.equal(auth.anonymousBase, false);
});
