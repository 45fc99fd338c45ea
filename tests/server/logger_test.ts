import assert from "node:assert/strict";
import {
  createLogger,
  formatJson,
  formatText,
  redact,
} from "../../src/server/logger.ts";

const time = new Date("2026-12-03T18:00:00.123Z");

const request = {
  level: "info" as const,
  msg: "request",
  method: "GET",
  path: "/v2/",
  status: 200,
  bytesOut: 2,
  durationMs: 1.5,
  requestId: "abc",
  user: "alice",
};

Deno.test("formatText() writes time, level, message and fields in order", () => {
  assert.equal(
    formatText(request, time),
    "2026-12-03T18:00:00Z INFO request method=GET path=/v2/ status=200 " +
      "bytesOut=2 durationMs=1.5 requestId=abc user=alice",
  );
});

Deno.test("formatJson() writes one JSON object with time, level and msg first", () => {
  const line = formatJson(request, time);
  assert.ok(!line.includes("\n"));
  const parsed = JSON.parse(line);
  assert.deepEqual(Object.keys(parsed).slice(0, 3), ["time", "level", "msg"]);
  assert.equal(parsed.time, "2026-12-03T18:00:00.123Z");
  assert.equal(parsed.status, 200);
  assert.equal(parsed.user, "alice");
});

Deno.test("formatText() quotes values with spaces, quotes or newlines", () => {
  const line = formatText({
    level: "warn",
    msg: "storage not ready",
    error: "disk full\nsecond line",
    name: 'a"b',
    empty: "",
  }, time);
  assert.equal(
    line,
    '2026-12-03T18:00:00Z WARN storage not ready error="disk full\\nsecond line" ' +
      'name="a\\"b" empty=""',
  );
});

Deno.test("formatText() shows errors by message and objects as JSON", () => {
  const line = formatText({
    level: "error",
    msg: "internal error",
    error: new Error("boom"),
    detail: { a: 1 },
  }, time);
  assert.ok(line.endsWith('error=boom detail="{\\"a\\":1}"'), line);
});

Deno.test("formatText() leaves out fields that are undefined", () => {
  const line = formatText({ level: "info", msg: "x", user: undefined }, time);
  assert.equal(line, "2026-12-03T18:00:00Z INFO x");
});

Deno.test("redact() strips query strings from paths and URLs", () => {
  assert.equal(
    redact("path", "/v2/a/blobs/uploads/1?_state=x&token=secret"),
    "/v2/a/blobs/uploads/1",
  );
  assert.equal(
    redact("url", "https://user:pw@example.com/token?password=p#x"),
    "https://example.com/token",
  );
  assert.equal(redact("status", "?not a location"), "?not a location");
});

Deno.test("redact() masks fields named like credentials", () => {
  for (const key of ["password", "token", "Authorization", "access_token"]) {
    assert.equal(redact(key, "hunter2"), "[redacted]", key);
  }
  assert.equal(redact("user", "alice"), "alice");
});

Deno.test("createLogger() never writes a secret an event carries", () => {
  const lines: string[] = [];
  for (const format of ["text", "json"] as const) {
    const log = createLogger({
      format,
      level: "debug",
      write: (l) => lines.push(l),
    });
    log({
      level: "info",
      msg: "request",
      path: "/v2/?password=hunter2",
      authorization: "Basic aHVudGVyMg==",
      token: "hunter2",
    });
  }
  assert.equal(lines.length, 2);
  for (const line of lines) {
    assert.ok(!line.includes("hunter2"), line);
    assert.ok(!line.includes("aHVudGVyMg"), line);
  }
});

Deno.test("createLogger() drops events below its level", () => {
  const lines: string[] = [];
  const log = createLogger({
    format: "text",
    level: "warn",
    write: (l) => lines.push(l),
    now: () => time,
  });
  log({ level: "debug", msg: "a" });
  log({ level: "info", msg: "b" });
  log({ level: "warn", msg: "c" });
  log({ level: "error", msg: "d" });
  assert.deepEqual(lines, [
    "2026-12-03T18:00:00Z WARN c",
    "2026-12-03T18:00:00Z ERROR d",
  ]);
});

Deno.test("createLogger() writes JSON lines when asked", () => {
  const lines: string[] = [];
  const log = createLogger({
    format: "json",
    level: "info",
    write: (l) => lines.push(l),
    now: () => time,
  });
  log(request);
  assert.equal(JSON.parse(lines[0]).msg, "request");
});
