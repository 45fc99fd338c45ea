import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { exportJWK, generateKeyPair } from "jose";
import { importPrivateKey, importPublicKey } from "../../src/auth/keys.ts";

const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });

Deno.test("importPrivateKey() reads EC keys in PKCS#8 and SEC1 PEM", async () => {
  const pkcs8 = ec.privateKey.export({
    type: "pkcs8",
    format: "pem",
  }) as string;
  const sec1 = ec.privateKey.export({ type: "sec1", format: "pem" }) as string;
  assert.match(sec1, /BEGIN EC PRIVATE KEY/);
  const a = await importPrivateKey(pkcs8);
  const b = await importPrivateKey(sec1);
  assert.equal(a.algorithm, "ES256");
  assert.equal(a.key.type, "private");
  assert.equal(a.kid, b.kid);
  assert.deepEqual(Object.keys(a.publicJwk!).sort(), ["crv", "kty", "x", "y"]);
});

Deno.test("importPrivateKey() reads RSA keys in PKCS#1 PEM as RS256", async () => {
  const pem = rsa.privateKey.export({ type: "pkcs1", format: "pem" }) as string;
  assert.match(pem, /BEGIN RSA PRIVATE KEY/);
  const key = await importPrivateKey(pem);
  assert.equal(key.algorithm, "RS256");
  assert.deepEqual(Object.keys(key.publicJwk!).sort(), ["e", "kty", "n"]);
});

Deno.test("importPrivateKey() reads JWKs and CryptoKeys", async () => {
  const pair = await generateKeyPair("ES256", { extractable: true });
  const fromKey = await importPrivateKey(pair.privateKey);
  const fromJwk = await importPrivateKey(await exportJWK(pair.privateKey));
  assert.equal(fromKey.kid, fromJwk.kid);
  assert.ok(fromKey.kid);

  const locked = await generateKeyPair("ES256");
  const fromLocked = await importPrivateKey(locked.privateKey);
  assert.equal(fromLocked.algorithm, "ES256");
  assert.equal(fromLocked.publicJwk, undefined);
});

Deno.test("importPublicKey() reads SPKI, certificates and private keys", async () => {
  const spki = ec.publicKey.export({ type: "spki", format: "pem" }) as string;
  const pkcs8 = ec.privateKey.export({
    type: "pkcs8",
    format: "pem",
  }) as string;
  const expected = (await importPrivateKey(pkcs8)).kid;
  assert.equal((await importPublicKey(spki)).kid, expected);
  assert.equal((await importPublicKey(pkcs8)).key.type, "public");

  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/key.pem`, pkcs8);
    const output = await new Deno.Command("openssl", {
      args: [
        "req",
        "-new",
        "-x509",
        "-key",
        `${dir}/key.pem`,
        "-subj",
        "/CN=t",
        "-days",
        "1",
      ],
    }).output();
    assert.equal(output.code, 0);
    const certificate = new TextDecoder().decode(output.stdout);
    assert.equal((await importPublicKey(certificate)).kid, expected);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("importPrivateKey() refuses unusable keys clearly", async () => {
  const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" });
  const pem = p384.privateKey.export({
    type: "pkcs8",
    format: "pem",
  }) as string;
  await assert.rejects(
    importPrivateKey(pem),
    /unsupported token key \(EC P-384\)/,
  );
  const spki = ec.publicKey.export({ type: "spki", format: "pem" }) as string;
  await assert.rejects(importPrivateKey(spki), /cannot read the private key/);
  const publicJwk = await exportJWK(ec.publicKey);
  await assert.rejects(importPrivateKey(publicJwk), /expected a private key/);
  await assert.rejects(
    importPrivateKey("not a key"),
    /cannot read the private key/,
  );
  const { publicKey } = await generateKeyPair("ES256");
  await assert.rejects(importPrivateKey(publicKey), /expected a private key/);
});
