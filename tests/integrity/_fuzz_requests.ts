/**
 * Random requests for the fuzz test, drawn from a seeded PRNG: methods,
 * paths built from valid and invalid names, tags, digests and upload ids
 * (with `..`, percent-encoding, NUL and overlong parts), random headers,
 * and bodies that range from random bytes to manifests with one thing
 * wrong. Valid parts come from what the test has pushed, so a fair share
 * of requests reach deep into the handlers instead of stopping at
 * validation.
 *
 * @module
 */

import {
  type Descriptor,
  encode,
  imageIndex,
  imageManifest,
  ociIndex,
  ociManifest,
  sha256,
} from "./_client.ts";
import {
  badDigests,
  badIds,
  badTags,
  brokenJson,
  contentRanges,
  contentTypes,
  invalidNames,
  malformed,
  methods,
  pageSizes,
  ranges,
  validDigests,
  validTags,
} from "./_fuzz_values.ts";

/** What the fuzzer knows of the store, to build plausible requests. */
export interface FuzzState {
  repositories: string[];
  /** Blobs pushed, by repository. */
  blobs: Map<string, Descriptor[]>;
  /** Manifests pushed, by repository. */
  manifests: Map<string, Descriptor[]>;
  /** Upload session locations handed out. */
  sessions: string[];
  /** Bytes of blobs pushed, by digest, to push again. */
  bytes: Map<string, Uint8Array<ArrayBuffer>>;
}

/** A request and a one-line description to replay it by. */
export interface FuzzCase {
  request: Request;
  description: string;
}

type Random = () => number;

/** Draws one request. */
export function fuzzCase(random: Random, state: FuzzState): FuzzCase {
  const pick = <T>(items: readonly T[]): T =>
    items[Math.floor(random() * items.length)];
  const chance = (p: number) => random() < p;

  const repository = () =>
    chance(0.75) ? pick(state.repositories) : pick(invalidNames);
  const knownDigest = (repo: string) => {
    const known = [
      ...(state.blobs.get(repo) ?? []),
      ...(state.manifests.get(repo) ?? []),
    ];
    return known.length > 0 && chance(0.6) ? pick(known).digest : undefined;
  };
  const digest = (repo: string) =>
    knownDigest(repo) ?? (chance(0.5) ? pick(validDigests) : pick(badDigests));
  const reference = (repo: string) =>
    chance(0.5) ? digest(repo) : pick([...validTags, ...badTags]);
  const query = () =>
    chance(0.5) ? "" : `?n=${pick(pageSizes)}&last=${pick(validTags)}`;

  const name = repository();
  const uploadQuery = (repo: string) =>
    pick([
      "",
      `?digest=${digest(repo)}`,
      `?mount=${digest(repo)}&from=${repository()}`,
      `?mount=${digest(repo)}`,
      "?digest=",
    ]);
  const session = (repo: string) => {
    if (state.sessions.length > 0 && chance(0.7)) {
      const location = pick(state.sessions);
      return chance(0.8)
        ? location
        : location.replace(/\/v2\/.+\/blobs/, `/v2/${repo}/blobs`);
    }
    return `/v2/${repo}/blobs/uploads/${pick(badIds)}`;
  };
  const anyBody = () => fuzzBody(random, state, name, pick, chance);

  const pushManifest = (): [string, string, Uint8Array<ArrayBuffer>] => {
    const body = chance(0.5)
      ? wellFormed(state, name, pick, chance)
      : anyBody() ?? encode({});
    const target = chance(0.4)
      ? sha256(body)
      : chance(0.6)
      ? pick(validTags)
      : reference(name);
    return ["PUT", `/v2/${name}/manifests/${target}`, body];
  };

  // Each route with the methods it takes, and a body that often makes
  // sense for it: most requests get past validation into the handlers.
  const routes: (() => [string, string, Uint8Array<ArrayBuffer>?])[] = [
    () => [
      pick(["GET", "HEAD"]),
      pick(["/v2/", "/v2", "/", "/v1/", "/v2/_catalog/x", "/v2/%"]),
    ],
    () => ["GET", `/v2/_catalog${query()}`],
    () => ["GET", `/v2/${name}/tags/list${query()}`],
    () => [pick(["GET", "HEAD"]), `/v2/${name}/manifests/${reference(name)}`],
    pushManifest,
    pushManifest,
    () => ["DELETE", `/v2/${name}/manifests/${reference(name)}`],
    () => [pick(["GET", "HEAD"]), `/v2/${name}/blobs/${digest(name)}`],
    () => ["DELETE", `/v2/${name}/blobs/${digest(name)}`],
    () => {
      const bytes = state.bytes.size > 0 && chance(0.5)
        ? pick([...state.bytes.values()])
        : fresh(random);
      return chance(0.5)
        ? ["POST", `/v2/${name}/blobs/uploads/?digest=${sha256(bytes)}`, bytes]
        : ["POST", `/v2/${name}/blobs/uploads/${uploadQuery(name)}`, anyBody()];
    },
    () => [pick(["GET", "DELETE"]), session(name)],
    () => ["PATCH", session(name), chance(0.7) ? fresh(random) : anyBody()],
    () => {
      const bytes = fresh(random);
      return chance(0.5)
        ? ["PUT", `${session(name)}?digest=${sha256(bytes)}`, bytes]
        : ["PUT", `${session(name)}?digest=${digest(name)}`, anyBody()];
    },
    () => [
      "GET",
      `/v2/${name}/referrers/${digest(name)}${
        chance(0.3) ? "?artifactType=application/x" : ""
      }`,
    ],
  ];
  let [method, path, body] = pick(routes)();
  if (chance(0.1)) method = pick(methods);
  if (method === "GET" || method === "HEAD") body = undefined;
  else if (chance(0.1)) body = anyBody();

  const headers = new Headers();
  // A manifest's own mediaType decides when no Content-Type is sent, so
  // most manifest pushes leave it out and more of them get through.
  const manifestPush = method === "PUT" && path.includes("/manifests/");
  if (chance(manifestPush ? 0.25 : 0.5)) {
    headers.set("Content-Type", pick(contentTypes));
  }
  if (chance(0.3)) headers.set("Content-Range", pick(contentRanges));
  if (chance(0.3)) headers.set("Range", pick(ranges));
  if (chance(0.1)) headers.set("Content-Length", pick(["abc", "-1", "1e9"]));
  if (chance(0.1)) headers.set("Authorization", pick(["Basic !!", "Bearer x"]));
  if (chance(0.1)) headers.set("X-Request-Id", pick(["a b", "x".repeat(90)]));

  const request = new Request(`http://registry.test${path}`, {
    method,
    headers,
    body,
  });
  const size = body === undefined ? "none" : `${body.byteLength} bytes`;
  const headerText = [...headers].map(([k, v]) => `${k}: ${v}`).join("; ");
  return {
    request,
    description: `${method} ${path} [${headerText}] body ${size}${
      body && body.byteLength < 400
        ? ` ${JSON.stringify(new TextDecoder().decode(body))}`
        : ""
    }`,
  };
}

/** A few random bytes. */
function fresh(random: Random): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(Math.floor(random() * 3000));
  crypto.getRandomValues(bytes);
  return bytes;
}

function fuzzBody(
  random: Random,
  state: FuzzState,
  repository: string,
  pick: <T>(items: readonly T[]) => T,
  chance: (p: number) => boolean,
): Uint8Array<ArrayBuffer> | undefined {
  const manifests = state.manifests.get(repository) ?? [];
  switch (Math.floor(random() * 8)) {
    case 0:
      return undefined;
    case 1:
      return fresh(random);
    case 2:
      return state.bytes.size > 0 ? pick([...state.bytes.values()]) : undefined;
    case 3:
      return encode(pick(malformed));
    case 4:
      return new TextEncoder().encode(pick(brokenJson));
    case 5:
      if (manifests.length > 0) {
        return encode(mutate(imageIndex([pick(manifests)]), random, pick));
      }
      return undefined;
    default: {
      const manifest = wellFormed(state, repository, pick, chance);
      if (chance(0.5)) return manifest;
      const parsed = JSON.parse(new TextDecoder().decode(manifest));
      return encode(mutate(parsed, random, pick));
    }
  }
}

/** A manifest that names only what the repository holds, with the right
 * sizes: an image manifest (sometimes with a subject) or an index. */
function wellFormed(
  state: FuzzState,
  repository: string,
  pick: <T>(items: readonly T[]) => T,
  chance: (p: number) => boolean,
): Uint8Array<ArrayBuffer> {
  const blobs = state.blobs.get(repository) ?? [];
  const manifests = state.manifests.get(repository) ?? [];
  if (manifests.length > 0 && chance(0.25)) {
    return encode(imageIndex(manifests.filter(() => chance(0.5))));
  }
  if (blobs.length === 0) return encode({ schemaVersion: 2 });
  const layers = blobs.filter(() => chance(0.5));
  const subject = manifests.length > 0 && chance(0.3)
    ? pick(manifests)
    : undefined;
  return encode(imageManifest(pick(blobs), layers, subject));
}

/** Makes one thing wrong in a manifest. */
function mutate(
  manifest: Record<string, unknown>,
  random: Random,
  pick: <T>(items: readonly T[]) => T,
): Record<string, unknown> {
  const copy = structuredClone(manifest);
  const descriptors = [
    copy.config,
    ...((copy.layers as unknown[]) ?? []),
    ...((copy.manifests as unknown[]) ?? []),
  ].filter(Boolean) as Record<string, unknown>[];
  const target = descriptors.length > 0 ? pick(descriptors) : copy;
  switch (Math.floor(random() * 12)) {
    case 0:
      target.size = (target.size as number) + 1;
      break;
    case 1:
      target.size = pick([-1, 1.5, "10", 2 ** 60, null]);
      break;
    case 2:
      target.digest = pick([...validDigests, ...badDigests]);
      break;
    case 3:
      delete copy.config;
      break;
    case 4:
      copy.layers = pick(["x", {}, [1], [null]]);
      break;
    case 5:
      copy.schemaVersion = pick([1, "2", 3]);
      break;
    case 6:
      copy.mediaType = pick([ociIndex, ociManifest, 7, "text/plain"]);
      break;
    case 7:
      copy.subject = pick([
        { mediaType: ociManifest, digest: pick(validDigests), size: 10 },
        { digest: "sha256:x" },
        "subject",
      ]);
      break;
    case 8:
      target.urls = ["http://example.invalid/layer"];
      target.mediaType =
        "application/vnd.oci.image.layer.nondistributable.v1.tar";
      target.digest = pick(validDigests);
      break;
    case 9:
      copy.annotations = pick([{ a: 1 }, { "": "" }, "x", {
        a: "x".repeat(5000),
      }]);
      break;
    case 10:
      copy.artifactType = pick([5, "", "application/x", null]);
      break;
    default:
      copy.manifests = pick([[{
        mediaType: ociManifest,
        digest: pick(validDigests),
        size: 5,
      }], 5]);
  }
  return copy;
}
