/**
 * The three metric types the server exposes (counter, gauge, histogram),
 * kept in memory and written in the Prometheus text exposition format.
 * Label sets are few and fixed (route classes, methods, statuses, storage
 * operations), so each metric is a plain map from its rendered label set
 * to its value; no client library is needed for that.
 *
 * @module
 */

/** Label names and values of one series. */
export type Labels = Readonly<Record<string, string>>;

/** A metric that can write itself in the text format. */
export interface Metric {
  /** The `# HELP`, `# TYPE` and sample lines. */
  render(): string;
}

abstract class Family implements Metric {
  protected readonly name: string;
  readonly #help: string;
  readonly #type: string;

  constructor(name: string, help: string, type: string) {
    this.name = name;
    this.#help = help;
    this.#type = type;
  }

  render(): string {
    const header = `# HELP ${this.name} ${this.#help}\n` +
      `# TYPE ${this.name} ${this.#type}\n`;
    return header + this.samples().map((line) => line + "\n").join("");
  }

  protected abstract samples(): string[];
}

/** A value that only goes up, per label set. */
export class Counter extends Family {
  readonly #values = new Map<string, number>();

  constructor(name: string, help: string) {
    super(name, help, "counter");
  }

  /** Adds `amount` (default 1) to the series of `labels`. */
  inc(labels: Labels = {}, amount = 1): void {
    const key = renderLabels(labels);
    this.#values.set(key, (this.#values.get(key) ?? 0) + amount);
  }

  /** The current value of a series, 0 if it was never bumped. */
  value(labels: Labels = {}): number {
    return this.#values.get(renderLabels(labels)) ?? 0;
  }

  protected samples(): string[] {
    return [...this.#values].map(([key, v]) => `${this.name}${key} ${v}`);
  }
}

/** A value that goes up and down; one series, always shown. */
export class Gauge extends Family {
  #value = 0;

  constructor(name: string, help: string) {
    super(name, help, "gauge");
  }

  /** Adds `amount`, which may be negative. */
  add(amount: number): void {
    this.#value += amount;
  }

  /** The current value. */
  value(): number {
    return this.#value;
  }

  protected samples(): string[] {
    return [`${this.name} ${this.#value}`];
  }
}

interface Buckets {
  counts: number[];
  sum: number;
  count: number;
}

/** Counts observations into cumulative buckets, per label set. */
export class Histogram extends Family {
  readonly #bounds: readonly number[];
  readonly #series = new Map<string, { labels: Labels; data: Buckets }>();

  constructor(name: string, help: string, bounds: readonly number[]) {
    super(name, help, "histogram");
    this.#bounds = bounds;
  }

  /** Records one observation in the series of `labels`. */
  observe(labels: Labels, value: number): void {
    const key = renderLabels(labels);
    let series = this.#series.get(key);
    if (!series) {
      const counts = this.#bounds.map(() => 0);
      series = { labels, data: { counts, sum: 0, count: 0 } };
      this.#series.set(key, series);
    }
    const { data } = series;
    this.#bounds.forEach((bound, i) => {
      if (value <= bound) data.counts[i]++;
    });
    data.sum += value;
    data.count++;
  }

  /** How many observations a series holds. */
  count(labels: Labels): number {
    return this.#series.get(renderLabels(labels))?.data.count ?? 0;
  }

  protected samples(): string[] {
    const lines: string[] = [];
    for (const { labels, data } of this.#series.values()) {
      this.#bounds.forEach((bound, i) => {
        const le = renderLabels({ ...labels, le: String(bound) });
        lines.push(`${this.name}_bucket${le} ${data.counts[i]}`);
      });
      const inf = renderLabels({ ...labels, le: "+Inf" });
      lines.push(`${this.name}_bucket${inf} ${data.count}`);
      lines.push(`${this.name}_sum${renderLabels(labels)} ${data.sum}`);
      lines.push(`${this.name}_count${renderLabels(labels)} ${data.count}`);
    }
    return lines;
  }
}

/** `{a="1",b="2"}`, or nothing for no labels; values escaped as the
 * format requires. */
export function renderLabels(labels: Labels): string {
  const pairs = Object.entries(labels).map(([name, value]) => {
    const escaped = value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')
      .replace(/\n/g, "\\n");
    return `${name}="${escaped}"`;
  });
  return pairs.length ? `{${pairs.join(",")}}` : "";
}
