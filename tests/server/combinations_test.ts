import assert from "node:assert/strict";
import { checkCombination } from "../../src/server/combinations.ts";
import { defaults, type Settings } from "../../src/server/settings.ts";

const base: Settings = { ...defaults };

const verify: Partial<Settings> = {
  tokenVerify: true,
  tokenJwks: "jwks.json",
  tokenIssuer: "auth",
  tokenService: "registry",
  tokenRealm: "https://auth.example.com/token",
};

Deno.test("checkCombination() rejects settings that make no sense together", () => {
  const cases: [Partial<Settings>, boolean, RegExp][] = [
    [{ tlsCert: "c.pem" }, false, /--tls-cert and --tls-key/],
    [{ tlsKey: "k.pem" }, false, /--tls-cert and --tls-key/],
    [{ passwordFile: "p" }, true, /not both/],
    [{ htpasswd: "h" }, true, /master password or --htpasswd/],
    [{ htpasswd: "h", passwordFile: "p" }, false, /--htpasswd/],
    [{ tokenIssue: true, tokenVerify: true }, true, /exclude/],
    [{ tokenKey: "k.pem" }, true, /--token-key needs --token-issue/],
    [{ tokenJwks: "k.json" }, false, /--token-jwks needs --token-verify/],
    [{ tokenPublicKey: "k.pem" }, false, /--token-public-key needs/],
    [{ tokenIssuer: "me" }, true, /--token-issuer needs/],
    [{ tokenIssue: true }, false, /check logins/],
    [{ ...verify, tokenJwks: undefined }, false, /one of --token-public-key/],
    [{ ...verify, tokenPublicKey: "k.pem" }, false, /one of/],
    [{ ...verify, tokenRealm: undefined }, false, /--token-realm/],
    [{ ...verify, tokenIssuer: undefined }, false, /--token-issuer/],
    [{ ...verify }, true, /master password exclude/],
    [{ ...verify, htpasswd: "h" }, false, /--htpasswd exclude/],
    [{ ...verify, policy: "p.json" }, false, /--policy exclude/],
    [{ anonymous: ["pull"] }, false, /no way to log in/],
    [{ anonymous: ["pull"], policy: "p.json" }, true, /exclude/],
  ];
  for (const [settings, hasPassword, message] of cases) {
    assert.throws(
      () => checkCombination({ ...base, ...settings }, hasPassword),
      message,
      JSON.stringify(settings),
    );
  }
});

Deno.test("checkCombination() accepts consistent settings", () => {
  const cases: [Partial<Settings>, boolean][] = [
    [{}, false],
    [{ anonymous: ["pull"] }, true],
    [{ anonymous: [], htpasswd: "h" }, false],
    [{ tlsCert: "c", tlsKey: "k" }, false],
    [{ policy: "p.json" }, false],
    [{ policy: "p.json", htpasswd: "h" }, false],
    [{ tokenIssue: true, tokenKey: "k.pem", tokenService: "r" }, true],
    [{ tokenIssue: true, htpasswd: "h", anonymous: ["pull"] }, false],
    [verify, false],
  ];
  for (const [settings, hasPassword] of cases) {
    checkCombination({ ...base, ...settings }, hasPassword);
  }
});
