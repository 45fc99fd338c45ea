import assert from "node:assert/strict";
import { specCodes } from "../_spec_codes.ts";
import type { LogEvent } from "../../src/log.ts";
import { MemoryStorage } from "../../src/storage/memory.ts";
import {
  allKeys,
  assertError,
  bytes,
  digestOf,
  testRegistry,
  types,
} from "./_helpers.ts";

const failing: [string, string, BodyInit?][] = [
  ["GET", `/v2/app/blobs/${digestOf("x")}`],
  ["GET", "/v2/app/blobs/sha256:bad"],
  ["GET", "/v2/app/manifests/missing"],
  ["PUT", "/v2/app/manifests/v1", "not json"],
  ["GET", "/v2/missing/tags/list"],
  ["GET", `/v2/app/blobs/uploads/${crypto.randomUUID()}`],
  ["GET", "/v2/UPPER/tags/list"],
  ["DELETE", "/v2/"],
  ["GET", "/not/an/api/route"],
  ["PUT", "/v2/app/manifests/-bad", "{}"],
];

Deno.test("every error is an OCI JSON body with a code from the specification", async () => {
  const t = testRegistry();
  for (const [method, path, body] of failing) {
    const response = await t.send(method, path, { body });
    assert.ok(response.status >= 400 && response.status < 500, path);
    assert.equal(response.headers.get("Content-Type"), "application/json");
    const json = await response.json();
    assert.equal(json.errors.length, 1, path);
    const [error] = json.errors;
    assert.ok(specCodes.has(error.code), `${path}: ${error.code}`);
    assert.equal(typeof error.message, "string");
    assert.ok(error.message.length > 0);
  }
});

Deno.test("a HEAD that fails has the error's status and headers but no body", async () => {
  const t = testRegistry();
  for (
    const path of [
      `/v2/app/blobs/${digestOf("x")}`,
      "/v2/app/manifests/missing",
      "/v2/missing/tags/list",
    ]
  ) {
    const response = await t.send("HEAD", path);
    assert.equal(response.status, 404, path);
    assert.equal(response.headers.get("Content-Type"), "application/json");
    assert.equal(response.body, null);
  }
});

Deno.test("an unknown route answers 404 with an OCI error body", async () => {
  const t = testRegistry();
  for (const path of ["/", "/v1/", "/v2/app", "/v2/app/unknown/thing"]) {
    const response = await t.send("GET", path);
    await assertError(response, 404, "UNSUPPORTED");
  }
});

Deno.test("names that try to escape or abuse the path answer 400 NAME_INVALID and store nothing", async () => {
  const t = testRegistry();
  const names = [
    "a/..%2F..%2Fetc",
    "%2e%2e%2Fx",
    "..%2Fx",
    "a%2F.%2Fb",
    "a%00b",
    "a%5C..%5Cb",
    "_catalog%2Fx",
    "a%2F_layers",
    "a%20b",
    `${"a".repeat(300)}`,
    `${"a/".repeat(130)}a`,
    "a%zz",
  ];
  for (const name of names) {
    for (
      const [method, path, body] of [
        ["POST", `/v2/${name}/blobs/uploads/?digest=${digestOf("x")}`, "x"],
        ["PUT", `/v2/${name}/manifests/latest`, "{}"],
        ["GET", `/v2/${name}/tags/list`],
      ] as [string, string, string?][]
    ) {
      const response = await t.send(method, path, {
        body: body === undefined ? undefined : bytes(body),
        headers: { "Content-Type": types.manifest },
      });
      await assertError(response, 400, "NAME_INVALID");
    }
  }
  assert.deepEqual(await allKeys(t.storage), []);
});

Deno.test("dot segments are resolved by URL parsing before routing, so they cannot climb out", async () => {
  const t = testRegistry();
  for (
    const path of [
      "/v2/a/../../../etc/blobs/uploads/",
      "/v2/%2e%2e/%2e%2e/etc/blobs/uploads/",
    ]
  ) {
    const response = await t.send("POST", path);
    await assertError(response, 404, "UNSUPPORTED");
  }
  assert.deepEqual(await allKeys(t.storage), []);
});

Deno.test("tags, digests and session ids that try to escape store nothing", async () => {
  const t = testRegistry();
  const attempts: [string, string, number, string][] = [
    ["PUT", "/v2/app/manifests/..%2F..%2Fx", 400, "TAG_INVALID"],
    ["PUT", "/v2/app/manifests/a%00b", 400, "TAG_INVALID"],
    ["PUT", "/v2/app/manifests/sha256:..%2F..%2Fx", 400, "DIGEST_INVALID"],
    ["GET", "/v2/app/blobs/sha256:..%2F..%2Fx", 400, "DIGEST_INVALID"],
    [
      "PATCH",
      "/v2/app/blobs/uploads/..%2F..%2Fblobs",
      404,
      "BLOB_UPLOAD_UNKNOWN",
    ],
    [
      "PUT",
      `/v2/app/blobs/uploads/..%2Fx?digest=${digestOf("x")}`,
      404,
      "BLOB_UPLOAD_UNKNOWN",
    ],
  ];
  for (const [method, path, status, code] of attempts) {
    const response = await t.send(method, path, {
      body: method === "GET" ? undefined : bytes("x"),
    });
    await assertError(response, status, code);
  }
  assert.deepEqual(await allKeys(t.storage), []);
});

Deno.test("a storage failure answers 500 UNKNOWN without details and is logged", async () => {
  class BrokenStorage extends MemoryStorage {
    override stat(): never {
      throw new Error("disk on fire at /secret/path");
    }
  }
  const logged: LogEvent[] = [];
  const t = testRegistry({
    storage: new BrokenStorage(),
    log: (event) => logged.push(event),
  });
  const response = await t.send("GET", `/v2/app/blobs/${digestOf("x")}`);
  assert.equal(response.status, 500);
  const body = await response.json();
  assert.equal(body.errors[0].code, "UNKNOWN");
  assert.ok(!JSON.stringify(body).includes("secret"));
  const internal = logged.find((e) => e.msg === "internal error");
  assert.match(String(internal?.error), /disk on fire/);
});
