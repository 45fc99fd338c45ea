/**
 * The command-line server's settings, as one table. Each row names a
 * setting once and derives its three spellings from that name: the flag
 * (`--max-manifest-size`), the config-file key (`maxManifestSize`) and the
 * environment variable (`REGISTRY_MAX_MANIFEST_SIZE`). The flag parser, the
 * config-file reader, the environment reader and `--help` all read this
 * table, so a setting cannot exist in one place and be missing in another.
 *
 * @module
 */

import type { Action } from "../auth/types.ts";
import type { LogLevel } from "../log.ts";

/** Every setting of the server, after defaults are filled in. */
export interface Settings {
  host: string;
  port: number;
  storage: string;
  config?: string;
  readOnly: boolean;
  noDelete: boolean;
  maxManifestSize?: number;
  maxPageSize?: number;
  maxUploads?: number;
  maxUploadsPerClient?: number;
  gcInterval?: number;
  gcGrace?: number;
  passwordFile?: string;
  anonymous?: Action[];
  htpasswd?: string;
  policy?: string;
  tokenIssue: boolean;
  tokenKey?: string;
  tokenVerify: boolean;
  tokenPublicKey?: string;
  tokenJwks?: string;
  tokenIssuer?: string;
  tokenService?: string;
  tokenRealm?: string;
  tlsCert?: string;
  tlsKey?: string;
  logFormat: "text" | "json";
  logLevel: LogLevel;
  metrics: boolean;
  metricsAddress?: string;
}

/** The kinds of value a setting holds; each knows how to read itself from
 * text (flags, environment) and from a parsed config file. */
export type Kind =
  | "string"
  | "boolean"
  | "port"
  | "size"
  | "duration"
  | "address"
  | "anonymous"
  | "logFormat"
  | "logLevel";

/** One row of the settings table. */
export interface Setting {
  /** The key in a config file and in {@linkcode Settings}. */
  key: keyof Settings;
  /** The kind of value. */
  kind: Kind;
  /** What `--help` shows as the value, such as `<file>`. */
  value?: string;
  /** One line for `--help`. */
  help: string;
  /** False for settings that only make sense on the command line. */
  inFile?: boolean;
}

/** The table. Order is the order of `--help`. */
export const settings: readonly Setting[] = [
  {
    key: "host",
    kind: "string",
    value: "<host>",
    help: "address to listen on (default 127.0.0.1)",
  },
  {
    key: "port",
    kind: "port",
    value: "<port>",
    help: "port to listen on; 0 picks a free one (default 5000)",
  },
  {
    key: "storage",
    kind: "string",
    value: "<dir>",
    help: "directory for all registry data (default ./registry-data)",
  },
  {
    key: "config",
    kind: "string",
    value: "<file>",
    help: "config file: .json, .yaml or .yml",
    inFile: false,
  },
  { key: "readOnly", kind: "boolean", help: "refuse every write" },
  {
    key: "noDelete",
    kind: "boolean",
    help: "refuse DELETE of manifests, tags and blobs",
  },
  {
    key: "maxManifestSize",
    kind: "size",
    value: "<bytes>",
    help: "largest manifest accepted (default 4194304)",
  },
  {
    key: "maxPageSize",
    kind: "size",
    value: "<n>",
    help:
      "most entries in one page of tags, catalog or referrers (default 1000)",
  },
  {
    key: "maxUploads",
    kind: "size",
    value: "<n>",
    help: "most blob uploads received at once from all clients; more get " +
      "429 (default 256)",
  },
  {
    key: "maxUploadsPerClient",
    kind: "size",
    value: "<n>",
    help: "most blob uploads received at once from one user, or from one " +
      "address when anonymous (default 32)",
  },
  {
    key: "gcInterval",
    kind: "duration",
    value: "<dur>",
    help: "collect garbage in the server this often, such as 6h; 0 turns " +
      "it off (default off)",
  },
  {
    key: "gcGrace",
    kind: "duration",
    value: "<dur>",
    help: "what --gc-interval collection keeps regardless: anything younger " +
      "than this; keep it longer than any push takes (default 1h)",
  },
  {
    key: "passwordFile",
    kind: "string",
    value: "<file>",
    help: "file holding the master password (or set REGISTRY_PASSWORD)",
  },
  {
    key: "anonymous",
    kind: "anonymous",
    value: "<perm>",
    help:
      "what callers without credentials may do with a login set: none (default), pull or pull,push",
  },
  {
    key: "htpasswd",
    kind: "string",
    value: "<file>",
    help: "htpasswd file of users (bcrypt entries)",
  },
  {
    key: "policy",
    kind: "string",
    value: "<file>",
    help: "JSON access policy: who may pull, push and delete where",
  },
  {
    key: "tokenIssue",
    kind: "boolean",
    help: "serve a token endpoint and accept the bearer tokens it issues",
  },
  {
    key: "tokenKey",
    kind: "string",
    value: "<pem>",
    help:
      "private key (PEM) that signs issued tokens; generated at start if absent",
  },
  {
    key: "tokenVerify",
    kind: "boolean",
    help: "accept bearer tokens from an external token server",
  },
  {
    key: "tokenPublicKey",
    kind: "string",
    value: "<pem>",
    help: "public key (PEM) that verifies tokens",
  },
  {
    key: "tokenJwks",
    kind: "string",
    value: "<file>",
    help: "JWKS file of keys that verify tokens",
  },
  {
    key: "tokenIssuer",
    kind: "string",
    value: "<iss>",
    help: "required token issuer (iss)",
  },
  {
    key: "tokenService",
    kind: "string",
    value: "<name>",
    help: "service name: the token audience (aud)",
  },
  {
    key: "tokenRealm",
    kind: "string",
    value: "<url>",
    help: "token endpoint URL sent to clients in the challenge",
  },
  {
    key: "tlsCert",
    kind: "string",
    value: "<pem>",
    help: "TLS certificate chain (PEM); needs --tls-key",
  },
  {
    key: "tlsKey",
    kind: "string",
    value: "<pem>",
    help: "TLS private key (PEM); needs --tls-cert",
  },
  {
    key: "logFormat",
    kind: "logFormat",
    value: "<fmt>",
    help: "text or json (default text)",
  },
  {
    key: "logLevel",
    kind: "logLevel",
    value: "<level>",
    help: "debug, info, warn or error (default info)",
  },
  {
    key: "metrics",
    kind: "boolean",
    help: "serve Prometheus metrics at GET /metrics",
  },
  {
    key: "metricsAddress",
    kind: "address",
    value: "<host:port>",
    help: "serve /metrics on a separate listener instead (implies --metrics)",
  },
];

/** The defaults of the settings that have one. */
export const defaults = {
  host: "127.0.0.1",
  port: 5000,
  storage: "./registry-data",
  readOnly: false,
  noDelete: false,
  tokenIssue: false,
  tokenVerify: false,
  logFormat: "text",
  logLevel: "info",
  metrics: false,
} as const satisfies Partial<Settings>;

/** The flag of a setting: `maxManifestSize` → `--max-manifest-size`. */
export function flagName(key: string): string {
  return "--" + key.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
}

/** The environment variable of a setting: `maxManifestSize` →
 * `REGISTRY_MAX_MANIFEST_SIZE`. */
export function envName(key: string): string {
  return "REGISTRY_" + key.replace(/[A-Z]/g, (c) => "_" + c).toUpperCase();
}

/** The environment variable holding the master password itself. It is
 * read only from the environment: a password in a flag would show in the
 * process list, and one in a config file is better kept in its own file. */
export const passwordEnv = "REGISTRY_PASSWORD";
