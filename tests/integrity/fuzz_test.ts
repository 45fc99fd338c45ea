/**
 * Fuzzing the handler: a bounded number of random requests (see
 * `_fuzz_requests.ts`) against a registry on a file storage. No request
 * may get a 500; every error must be the spec's JSON with a known code;
 * and afterwards the store must be consistent: nothing corrupt, every tag
 * resolving to a manifest, and nothing missing that the fuzzer did not
 * delete itself through the API. Set `FUZZ_SEED` to replay a run and
 * `FUZZ_CASES` to change its length.
 *
 * @module
 */

import assert from "node:assert/strict";
import { specCodes } from "../_spec_codes.ts";
import { collectGarbage } from "../../src/maintenance/gc.ts";
import {
  type MissingContent,
  verifyStore,
} from "../../src/maintenance/verify.ts";
import { createRegistry } from "../../src/registry.ts";
import { FileStorage } from "../../src/storage/filesystem.ts";
import { Client, prng, sha256, uniqueBytes } from "./_client.ts";
import { fuzzCase, type FuzzState } from "./_fuzz_requests.ts";

const seed = Number(Deno.env.get("FUZZ_SEED") ?? 7);
const cases = Number(Deno.env.get("FUZZ_CASES") ?? 2000);

/** What the fuzzer removed through the API, as `repository digest`. */
interface Deletions {
  links: Set<string>;
  manifests: Set<string>;
}

async function seedStore(client: Client): Promise<FuzzState> {
  const state: FuzzState = {
    repositories: ["fuzz", "fuzz/nested", "other-repo"],
    blobs: new Map(),
    manifests: new Map(),
    sessions: [],
    bytes: new Map(),
  };
  for (const repository of state.repositories) {
    const layers = [uniqueBytes(300), uniqueBytes(40)];
    for (const layer of layers) state.bytes.set(sha256(layer), layer);
    const image = await client.pushImage(repository, "v1", layers);
    state.blobs.set(repository, [image.config, ...image.layers]);
    state.manifests.set(repository, [image.manifest]);
  }
  return state;
}

/** Learns from a response what the fuzzer may use or must tolerate. */
async function learn(
  client: Client,
  request: Request,
  response: Response,
  state: FuzzState,
  deletions: Deletions,
): Promise<void> {
  // Only answers the registry accepted teach anything, and it decoded
  // their paths without trouble.
  if (response.status >= 300) return;
  const path = decodeURIComponent(new URL(request.url).pathname);
  const location = response.headers.get("Location");
  const blob = path.match(/^\/v2\/(.+)\/blobs\/([^/]+)$/);
  const manifest = path.match(/^\/v2\/(.+)\/manifests\/([^/]+)$/);
  if (request.method === "DELETE" && response.status === 202) {
    if (blob) deletions.links.add(`${blob[1]} ${blob[2]}`);
    if (manifest) deletions.manifests.add(`${manifest[1]} ${manifest[2]}`);
  }
  if (response.status === 202 && location?.includes("/blobs/uploads/")) {
    state.sessions.push(location);
  }

  const digest = response.headers.get("Docker-Content-Digest");
  const uploaded = location?.match(/^\/v2\/(.+)\/blobs\/(sha[^/]+)$/);
  if (response.status !== 201 || !digest) return;
  const [repository, kind, known] = manifest
    ? [manifest[1], "manifests", state.manifests]
    : [uploaded?.[1], "blobs", state.blobs];
  if (!repository) return;
  const list = known.get(repository) ?? [];
  if (list.some((d) => d.digest === digest)) return;
  // Fetched back for its size and type, so later manifests can name it
  // correctly (or, mutated, incorrectly).
  const stored = await client.request(
    "HEAD",
    `/v2/${repository}/${kind}/${digest}`,
  );
  await stored.body?.cancel();
  if (stored.status !== 200) return;
  list.push({
    mediaType: stored.headers.get("Content-Type") ?? "",
    digest,
    size: Number(stored.headers.get("Content-Length")),
  });
  known.set(repository, list);
}

/** Throws unless the response is a well-formed answer. */
async function checkResponse(
  request: Request,
  response: Response,
  description: string,
): Promise<void> {
  const where = `case ${description} (FUZZ_SEED=${seed})`;
  assert.ok(response.status < 500, `${response.status} for ${where}`);
  if (response.status < 400) {
    await response.body?.cancel();
    return;
  }
  assert.equal(
    response.headers.get("Content-Type"),
    "application/json",
    where,
  );
  if (request.method === "HEAD") {
    assert.equal(response.body, null, where);
    return;
  }
  const body = await response.json();
  assert.ok(Array.isArray(body.errors) && body.errors.length > 0, where);
  for (const error of body.errors) {
    assert.ok(specCodes.has(error.code), `code ${error.code} for ${where}`);
    assert.equal(typeof error.message, "string", where);
  }
}

/** Every tag of every repository names a manifest that is served whole. */
async function assertTagsResolve(client: Client): Promise<void> {
  const catalog = await client.request("GET", "/v2/_catalog");
  for (const repository of (await catalog.json()).repositories) {
    const list = await client.request("GET", `/v2/${repository}/tags/list`);
    for (const tag of (await list.json()).tags ?? []) {
      const response = await client.request(
        "GET",
        `/v2/${repository}/manifests/${tag}`,
      );
      assert.equal(response.status, 200, `${repository}:${tag}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      assert.equal(
        response.headers.get("Docker-Content-Digest"),
        sha256(bytes),
      );
    }
  }
}

/** Missing content that the fuzzer did not cause by deleting. */
function unexplained(
  missing: MissingContent[],
  deletions: Deletions,
): MissingContent[] {
  return missing.filter((m) => {
    const key = `${m.repository} ${m.digest}`;
    if (m.kind === "link") return !deletions.links.has(key);
    if (m.kind === "manifest" && m.referencedBy.startsWith("manifest ")) {
      return !deletions.manifests.has(key);
    }
    return true;
  });
}

Deno.test("random requests never get a 500, get OCI errors, and leave the store consistent", async () => {
  const dir = await Deno.makeTempDir({ prefix: "integrity_fuzz_" });
  try {
    const storage = new FileStorage(dir);
    const registry = createRegistry({ storage });
    const client = new Client((request) => registry.fetch(request));
    const state = await seedStore(client);
    const deletions: Deletions = { links: new Set(), manifests: new Set() };
    const random = prng(seed);

    for (let i = 0; i < cases; i++) {
      const { request, description } = fuzzCase(random, state);
      const response = await registry.fetch(request);
      await learn(client, request, response, state, deletions);
      await checkResponse(request, response, `#${i} ${description}`);
    }

    await assertTagsResolve(client);
    const report = await verifyStore(storage);
    assert.deepEqual(report.corrupt, []);
    assert.deepEqual(unexplained(report.missing, deletions), []);
    assert.deepEqual(report.warnings, []);

    const collected = await collectGarbage(storage, {
      now: new Date(Date.now() + 48 * 60 * 60 * 1000),
      deleteUntagged: true,
    });
    assert.deepEqual(collected.warnings, []);
    await assertTagsResolve(client);
    const after = await verifyStore(storage);
    assert.deepEqual(after.corrupt, []);
    assert.deepEqual(unexplained(after.missing, deletions), []);
    assert.equal(after.uploadSessions, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
