import assert from "node:assert/strict";
import {
  Counter,
  Gauge,
  Histogram,
  renderLabels,
} from "../../src/server/prometheus.ts";

Deno.test("Counter.render() writes HELP, TYPE and one sample per label set", () => {
  const counter = new Counter("x_total", "Things counted.");
  counter.inc({ route: "blob", status: "200" });
  counter.inc({ route: "blob", status: "200" }, 2);
  counter.inc({ route: "tags", status: "404" });
  assert.equal(
    counter.render(),
    "# HELP x_total Things counted.\n" +
      "# TYPE x_total counter\n" +
      'x_total{route="blob",status="200"} 3\n' +
      'x_total{route="tags",status="404"} 1\n',
  );
});

Deno.test("Gauge.render() shows its value, up and down", () => {
  const gauge = new Gauge("g", "A gauge.");
  gauge.add(3);
  gauge.add(-1);
  assert.ok(gauge.render().endsWith("\ng 2\n"));
});

Deno.test("Histogram.render() writes cumulative buckets, +Inf, sum and count", () => {
  const histogram = new Histogram("h_seconds", "Latency.", [0.1, 1]);
  histogram.observe({ op: "read" }, 0.05);
  histogram.observe({ op: "read" }, 0.5);
  histogram.observe({ op: "read" }, 5);
  assert.equal(
    histogram.render(),
    "# HELP h_seconds Latency.\n" +
      "# TYPE h_seconds histogram\n" +
      'h_seconds_bucket{op="read",le="0.1"} 1\n' +
      'h_seconds_bucket{op="read",le="1"} 2\n' +
      'h_seconds_bucket{op="read",le="+Inf"} 3\n' +
      'h_seconds_sum{op="read"} 5.55\n' +
      'h_seconds_count{op="read"} 3\n',
  );
});

Deno.test("renderLabels() escapes backslashes, quotes and newlines", () => {
  assert.equal(renderLabels({ a: 'x"y\\z\nw' }), '{a="x\\"y\\\\z\\nw"}');
  assert.equal(renderLabels({}), "");
});
