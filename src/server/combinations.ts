/**
 * Rejects settings that are each valid but make no sense together: a TLS
 * certificate without its key, two ways of checking passwords at once,
 * token settings without a token mode, anonymous permissions with nobody
 * able to log in. Refusing them at start is kinder than a registry that
 * quietly ignores half of what the operator wrote.
 *
 * @module
 */

import { flagName, passwordEnv, type Settings } from "./settings.ts";
import { ConfigError } from "./values.ts";

/** Throws {@linkcode ConfigError} for the first bad combination;
 * `hasPassword` tells whether the master password is in the environment. */
export function checkCombination(s: Settings, hasPassword: boolean): void {
  const fail = (message: string): never => {
    throw new ConfigError(message);
  };
  const password = hasPassword || s.passwordFile !== undefined;

  if (!!s.tlsCert !== !!s.tlsKey) fail("--tls-cert and --tls-key go together");
  if (s.gcGrace !== undefined && s.gcInterval === undefined) {
    fail("--gc-grace needs --gc-interval");
  }
  if (hasPassword && s.passwordFile) {
    fail(`set ${passwordEnv} or --password-file, not both`);
  }
  if (password && s.htpasswd) {
    fail("use a master password or --htpasswd, not both");
  }

  if (s.tokenIssue && s.tokenVerify) {
    fail("--token-issue and --token-verify exclude each other");
  }
  if (s.tokenKey && !s.tokenIssue) fail("--token-key needs --token-issue");
  for (const key of ["tokenPublicKey", "tokenJwks"] as const) {
    if (s[key] && !s.tokenVerify) fail(`${flagName(key)} needs --token-verify`);
  }
  for (const key of ["tokenIssuer", "tokenService", "tokenRealm"] as const) {
    if (s[key] && !s.tokenIssue && !s.tokenVerify) {
      fail(`${flagName(key)} needs --token-issue or --token-verify`);
    }
  }
  if (s.tokenIssue && !password && !s.htpasswd) {
    fail(
      `--token-issue needs a way to check logins: ${passwordEnv}, ` +
        "--password-file or --htpasswd",
    );
  }
  if (s.tokenVerify) checkTokenVerify(s, password, fail);

  if (s.anonymous && !password && !s.htpasswd) {
    fail(
      "--anonymous limits callers without credentials, but no way to log in " +
        `is set: add ${passwordEnv}, --password-file or --htpasswd ` +
        "(or use --read-only for a registry nobody can push to)",
    );
  }
  if (s.anonymous && s.policy) {
    fail(
      "--anonymous and --policy exclude each other: give anonymous callers " +
        "access with a policy rule that has anonymous: true",
    );
  }
}

/** With an external token server, the tokens alone decide who may do
 * what, so local logins and permissions have no place. */
function checkTokenVerify(
  s: Settings,
  password: boolean,
  fail: (message: string) => never,
): void {
  if (!s.tokenPublicKey === !s.tokenJwks) {
    fail("--token-verify needs one of --token-public-key and --token-jwks");
  }
  for (const key of ["tokenIssuer", "tokenService", "tokenRealm"] as const) {
    if (!s[key]) fail(`--token-verify needs ${flagName(key)}`);
  }
  const local = password
    ? "a master password"
    : s.htpasswd
    ? "--htpasswd"
    : s.anonymous
    ? "--anonymous"
    : s.policy
    ? "--policy"
    : undefined;
  if (local) {
    fail(
      `--token-verify and ${local} exclude each other: the token server ` +
        "decides who may do what",
    );
  }
}
