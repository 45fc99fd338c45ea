import assert from "node:assert/strict";
import { allowAll } from "../../src/auth/open.ts";
import { compilePolicy, withPolicy } from "../../src/auth/policy.ts";

const alice = { name: "alice" };
const bob = { name: "bob", groups: ["team-b"] };

Deno.test("compilePolicy() lets the first matching rule decide", () => {
  const policy = compilePolicy({
    rules: [
      { repositories: "team-a/*", users: ["alice"], actions: ["pull", "push"] },
      { repositories: "*", users: ["alice"], actions: ["pull"] },
      { repositories: "team-a/*", users: ["alice"], actions: ["delete"] },
    ],
  });
  assert.deepEqual(policy.permissions(alice, "team-a/app"), ["pull", "push"]);
  assert.deepEqual(policy.permissions(alice, "other"), ["pull"]);
});

Deno.test("compilePolicy() skips rules that do not apply to the caller", () => {
  const policy = compilePolicy({
    rules: [
      { repositories: "*", users: ["bob"], actions: ["pull", "push"] },
      { repositories: "*", actions: ["pull"] },
    ],
  });
  assert.deepEqual(policy.permissions(bob, "x"), ["pull", "push"]);
  assert.deepEqual(policy.permissions(alice, "x"), ["pull"]);
});

Deno.test("compilePolicy() gives nothing when no rule matches", () => {
  const policy = compilePolicy({
    rules: [{ repositories: "team-a/*", actions: ["pull"] }],
  });
  assert.deepEqual(policy.permissions(alice, "team-b/app"), []);
  assert.deepEqual(policy.permissions(undefined, "team-a/app"), []);
});

Deno.test("compilePolicy() globs: * matches any characters, / included", () => {
  const policy = compilePolicy({
    rules: [
      { repositories: "team-a/*", actions: ["pull"] },
      { repositories: "exact/name", actions: ["push"] },
      { repositories: ["lib*.x", "*-mirror"], actions: ["delete"] },
    ],
  });
  const on = (repository: string) => policy.permissions(alice, repository);
  assert.deepEqual(on("team-a/app"), ["pull"]);
  assert.deepEqual(on("team-a/tools/app"), ["pull"]);
  assert.deepEqual(on("team-a"), []);
  assert.deepEqual(on("team-ab/app"), []);
  assert.deepEqual(on("exact/name"), ["push"]);
  assert.deepEqual(on("exact/name2"), []);
  assert.deepEqual(on("libfoo.x"), ["delete"]);
  assert.deepEqual(on("libfooax"), [], "a dot matches only a dot");
  assert.deepEqual(on("docker/hub-mirror"), ["delete"]);
});

Deno.test("compilePolicy() matches anonymous callers only with anonymous: true", () => {
  const policy = compilePolicy({
    rules: [
      { repositories: "private/*", actions: ["pull", "push"] },
      { repositories: "public/*", anonymous: true, actions: ["pull"] },
    ],
  });
  assert.deepEqual(policy.permissions(undefined, "private/x"), []);
  assert.deepEqual(policy.permissions(undefined, "public/x"), ["pull"]);
  assert.deepEqual(policy.permissions(alice, "private/x"), ["pull", "push"]);
  assert.deepEqual(policy.permissions(alice, "public/x"), ["pull"]);
  assert.equal(policy.anonymousAccess, true);
});

Deno.test("compilePolicy() reads groups from the policy and the identity", () => {
  const policy = compilePolicy({
    groups: { "team-a": ["alice"] },
    rules: [
      { repositories: "a/*", groups: ["team-a"], actions: ["push"] },
      { repositories: "b/*", groups: ["team-b"], actions: ["push"] },
    ],
  });
  assert.deepEqual(policy.permissions(alice, "a/x"), ["push"]);
  assert.deepEqual(policy.permissions(alice, "b/x"), []);
  assert.deepEqual(policy.permissions(bob, "b/x"), ["push"]);
  assert.deepEqual(policy.permissions(bob, "a/x"), []);
});

Deno.test("compilePolicy() with an empty list of users skips authenticated callers", () => {
  const policy = compilePolicy({
    rules: [
      { repositories: "*", users: [], anonymous: true, actions: ["pull"] },
      { repositories: "*", actions: ["push"] },
    ],
  });
  assert.deepEqual(policy.permissions(undefined, "x"), ["pull"]);
  assert.deepEqual(policy.permissions(alice, "x"), ["push"]);
});

Deno.test("compilePolicy() reports no anonymous access when none is given", () => {
  const policy = compilePolicy({
    rules: [
      { repositories: "*", anonymous: true, actions: [] },
      { repositories: "*", actions: ["pull"] },
    ],
  });
  assert.equal(policy.anonymousAccess, false);
});

Deno.test("compilePolicy() rejects bad policies naming the entry", () => {
  const cases: [unknown, RegExp][] = [
    [null, /^policy: expected an object/],
    [{}, /policy\.rules: expected a list/],
    [{ rules: [], extra: 1 }, /policy: unknown key 'extra'/],
    [
      { rules: [{ repository: "*", actions: [] }] },
      /policy\.rules\[0\]: unknown key 'repository'/,
    ],
    [
      { rules: [{ repositories: "*", actions: ["pull", "write"] }] },
      /policy\.rules\[0\]\.actions\[1\]: unknown action 'write'/,
    ],
    [
      { rules: [{ repositories: "*" }] },
      /policy\.rules\[0\]\.actions: missing/,
    ],
    [
      { rules: [{ repositories: "Team/*", actions: [] }] },
      /policy\.rules\[0\]\.repositories\[0\]: 'Team\/\*' can never match/,
    ],
    [
      { rules: [{ repositories: [], actions: [] }] },
      /policy\.rules\[0\]\.repositories: expected a pattern/,
    ],
    [
      { rules: [{ repositories: "*", users: "alice", actions: [] }] },
      /policy\.rules\[0\]\.users: expected a list of names/,
    ],
    [
      { rules: [{ repositories: "*", anonymous: "yes", actions: [] }] },
      /policy\.rules\[0\]\.anonymous: expected true or false/,
    ],
    [
      { groups: { ops: "alice" }, rules: [] },
      /policy\.groups\.ops: expected a list of names/,
    ],
  ];
  for (const [policy, message] of cases) {
    assert.throws(() => compilePolicy(policy), { name: "TypeError", message });
  }
});

Deno.test("compilePolicy() tells whether a login can add access", () => {
  const same = compilePolicy({
    rules: [{ repositories: "*", anonymous: true, actions: ["pull"] }],
  });
  assert.equal(same.loginGrantsMore, false);
  const more = compilePolicy({
    rules: [
      { repositories: "*", users: ["alice"], actions: ["push"] },
      { repositories: "*", anonymous: true, actions: ["pull"] },
    ],
  });
  assert.equal(more.loginGrantsMore, true);
});

Deno.test("withPolicy() challenges at GET /v2/ when a login can add access", () => {
  const auth = withPolicy(allowAll(), {
    rules: [
      { repositories: "*", users: ["alice"], actions: ["push"] },
      { repositories: "*", anonymous: true, actions: ["pull"] },
    ],
  });
  assert.equal(auth.anonymousBase, false);
});

Deno.test("withPolicy() keeps the authenticator and replaces permissions", async () => {
  const auth = withPolicy(allowAll(), {
    rules: [{ repositories: "public/*", anonymous: true, actions: ["pull"] }],
  });
  const request = new Request("http://127.0.0.1/v2/");
  assert.equal(await auth.authenticate(request), undefined);
  assert.deepEqual([...await auth.permissions(undefined, "public/a")], [
    "pull",
  ]);
  assert.deepEqual([...await auth.permissions(undefined, "private/a")], []);
  assert.equal(auth.anonymousBase, true);
  assert.equal(auth.catalog, undefined);
  assert.equal(await auth.challenge(request), 'Basic realm="registry"');
});
