import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { generateKeyPair } from "jose";
import { formatBasicAuthorization } from "../../src/auth/basic_header.ts";
import { tokenAuthWithServer } from "../../src/auth/token_with_server.ts";
import { userTable } from "../../src/auth/users.ts";

const users = () =>
  userTable({
    users: { alice: { password: "alice-pw" } },
    anonymous: ["pull"],
  });

async function tokenFor(
  handle: (request: Request) => unknown,
  query: string,
  credentials?: [string, string],
): Promise<string> {
  const headers = new Headers();
  if (credentials) {
    headers.set("Authorization", formatBasicAuthorization(...credentials));
  }
  const request = new Request(`http://127.0.0.1:5000/token?${query}`, {
    headers,
  });
  const response = await handle(request) as Response;
  assert.equal(response.status, 200);
  return (await response.json()).token;
}

function withToken(token: string, method = "GET") {
  return new Request("http://127.0.0.1:5000/v2/app/manifests/latest", {
    method,
    headers: { Authorization: `Bearer ${token}` },
  });
}

Deno.test("tokenAuthWithServer() accepts the tokens it issues", async () => {
  const auth = await tokenAuthWithServer({ authenticate: users() });
  const token = await tokenFor(
    auth.handle!,
    "service=registry&scope=repository:app:pull,push",
    ["alice", "alice-pw"],
  );
  const identity = await auth.authenticate(withToken(token, "PUT"));
  assert.equal(identity?.name, "alice");
  assert.deepEqual([...await auth.permissions(identity, "app")], [
    "pull",
    "push",
  ]);
  assert.equal(auth.anonymousBase, false);
});

Deno.test("tokenAuthWithServer() points clients at its own token endpoint", async () => {
  const auth = await tokenAuthWithServer({ authenticate: users() });
  const challenge = await auth.challenge(
    new Request("http://127.0.0.1:5000/v2/app/manifests/latest"),
    { type: "repository", name: "app", actions: ["pull"] },
  );
  assert.equal(
    challenge,
    'Bearer realm="http://127.0.0.1:5000/token",service="registry",' +
      'scope="repository:app:pull"',
  );
});

Deno.test("tokenAuthWithServer() takes a realm, path, service and key", async () => {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const auth = await tokenAuthWithServer({
    authenticate: users(),
    privateKey: rsa.privateKey.export({
      type: "pkcs1",
      format: "pem",
    }) as string,
    realm: "https://registry.example.test/auth/token",
    path: "/auth/token",
    service: "registry.example.test",
    issuer: "me",
  });
  assert.equal(
    await auth.challenge(new Request("http://127.0.0.1:5000/v2/")),
    'Bearer realm="https://registry.example.test/auth/token",' +
      'service="registry.example.test"',
  );
  assert.equal(
    await auth.handle!(new Request("http://127.0.0.1:5000/token")),
    undefined,
  );
  const headers = {
    Authorization: formatBasicAuthorization("alice", "alice-pw"),
  };
  const response = await auth.handle!(
    new Request("http://127.0.0.1:5000/auth/token?scope=registry:catalog:*", {
      headers,
    }),
  );
  const { token } = await response!.json();
  const identity = await auth.authenticate(withToken(token));
  assert.equal(await auth.catalog?.(identity), true);
});

Deno.test("tokenAuthWithServer() rejects tokens of another instance", async () => {
  const first = await tokenAuthWithServer({ authenticate: users() });
  const second = await tokenAuthWithServer({ authenticate: users() });
  const token = await tokenFor(first.handle!, "scope=repository:app:pull");
  await assert.rejects(
    async () => await second.authenticate(withToken(token)),
    /signature/,
  );
});

Deno.test("tokenAuthWithServer() needs a public key for a locked private key", async () => {
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  await assert.rejects(
    tokenAuthWithServer({ authenticate: users(), privateKey }),
    /publicKey/,
  );
  const auth = await tokenAuthWithServer({
    authenticate: users(),
    privateKey,
    publicKey,
  });
  const token = await tokenFor(auth.handle!, "scope=repository:app:pull");
  assert.deepEqual(
    [
      ...await auth.permissions(
        await auth.authenticate(withToken(token)),
        "app",
      ),
    ],
    ["pull"],
  );
});
