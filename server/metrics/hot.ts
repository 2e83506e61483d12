/**
 * Counters and histograms for the prediction path, exposed through the same prom-client registry
 * as every other metric (its `registerMetric` takes any object with prom-client's metric shape,
 * as the node-duration histogram in registry.ts does).
 *
 * Why not prom-client's own: its `observe` and `inc` validate and hash the labels and look a
 * bucket up by its bound as a property name on every call, even on a child bound to its labels;
 * at tens of thousands of requests a second those were about 5% of the serving process's CPU.
 * Here a child is resolved once per label set and an observation is a loop over a Float64Array.
 * The exposition is prom-client's (cumulative `le` buckets, `+Inf`, `_sum`, `_count`).
 */
import type client from "prom-client";

type Labels<L extends string> = Record<L, string>;

/** One label set of a histogram: a count per bucket (the last one is +Inf), the sum and count. */
export class HistogramSeries {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(
    readonly labels: Record<string, string>,
    private readonly bounds: Float64Array,
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }
  observe(value: number) {
    // prom-client throws on a non-finite value; a metric must never fail a request, so it is dropped.
    if (!Number.isFinite(value)) return;
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
  zero() {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

/** One label set of a counter. */
export class CounterSeries {
  value = 0;
  constructor(readonly labels: Record<string, string>) {}
  inc(by = 1) {
    if (by > 0) this.value += by;
  }
}

abstract class HotMetric<L extends string, S extends { labels: Record<string, string> }> {
  readonly aggregator = "sum";
  private readonly series = new Map<string, S>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly L[],
    registry: client.Registry,
  ) {
    registry.registerMetric(this as unknown as client.Metric);
  }

  protected abstract make(labels: Record<string, string>): S;

  /** The series of one label set (keep it: this is the only call that looks labels up). */
  labels(labels: Labels<L>): S {
    let key = "";
    for (const n of this.labelNames) {
      const v = labels[n];
      if (typeof v !== "string") throw new TypeError(`metric ${this.name} needs label '${n}'`);
      key += `${v}\u0000`;
    }
    const names = Object.keys(labels);
    if (names.length !== this.labelNames.length) {
      const extra = names.find((n) => !this.labelNames.includes(n as L));
      throw new TypeError(`metric ${this.name} has no label '${extra}'`);
    }
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = this.make({ ...labels })));
    return s;
  }

  /** The series of a metric without labels. */
  protected unlabelled(): S {
    if (this.labelNames.length) throw new TypeError(`metric ${this.name} needs labels ${this.labelNames.join(", ")}`);
    return this.labels({} as Labels<L>);
  }

  /** Every series; a metric without labels shows its zeros before its first observation, as prom-client's do. */
  protected all() {
    if (!this.labelNames.length) this.unlabelled();
    return this.series.values();
  }
}

export class HotHistogram<L extends string = never> extends HotMetric<L, HistogramSeries> {
  readonly type = "histogram";
  private readonly bounds: Float64Array;

  constructor(config: { name: string; help: string; labelNames?: readonly L[]; buckets: number[]; registers: [client.Registry] }) {
    super(config.name, config.help, config.labelNames ?? [], config.registers[0]);
    this.bounds = Float64Array.from([...config.buckets].sort((a, b) => a - b));
  }

  protected make(labels: Record<string, string>) {
    return new HistogramSeries(labels, this.bounds);
  }

  observe(value: number): void;
  observe(labels: Labels<L>, value: number): void;
  observe(a: number | Labels<L>, b?: number) {
    if (typeof a === "number") this.unlabelled().observe(a);
    else this.labels(a).observe(b!);
  }

  reset() {
    for (const s of this.all()) s.zero();
  }

  async get() {
    const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
    const bucket = `${this.name}_bucket`;
    for (const s of this.all()) {
      let cumulative = 0;
      for (let i = 0; i < s.counts.length; i++) {
        cumulative += s.counts[i]!;
        values.push({ metricName: bucket, labels: { le: i < this.bounds.length ? this.bounds[i]! : "+Inf", ...s.labels }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_sum`, labels: s.labels, value: s.sum });
      values.push({ metricName: `${this.name}_count`, labels: s.labels, value: s.count });
    }
    return { name: this.name, help: this.help, type: this.type as unknown as client.MetricType, values, aggregator: this.aggregator };
  }
}

export class HotCounter<L extends string = never> extends HotMetric<L, CounterSeries> {
  readonly type = "counter";

  constructor(config: { name: string; help: string; labelNames?: readonly L[]; registers: [client.Registry] }) {
    super(config.name, config.help, config.labelNames ?? [], config.registers[0]);
  }

  protected make(labels: Record<string, string>) {
    return new CounterSeries(labels);
  }

  inc(by?: number): void;
  inc(labels: Labels<L>, by?: number): void;
  inc(a?: number | Labels<L>, b?: number) {
    if (a === undefined || typeof a === "number") this.unlabelled().inc(a);
    else this.labels(a).inc(b);
  }

  reset() {
    for (const s of this.all()) s.value = 0;
  }

  async get() {
    const values = [...this.all()].map((s) => ({ labels: s.labels, value: s.value }));
    return { name: this.name, help: this.help, type: this.type as unknown as client.MetricType, values, aggregator: this.aggregator };
  }
}
