/**
 * A variant's live window in one serving process: counts per reference bin of each feature (as
 * the model read it, after its fitted steps) and of the predictions, since the last flush. O(1)
 * per feature per row — one binary search over at most ten edges or one map lookup — and memory
 * that depends on the bins, never on the traffic. The runtime flushes it every few seconds into
 * per-minute rows (`monitor_counts`), which every process adds to; windows by time or by request
 * count are sums of those rows.
 */
import type { Label } from "~/workflows/model/model-file";
import type { Observer } from "~/workflows/model/predictor";
import { lowerBound } from "~/workflows/model/binning";
import { binner, type ReferenceProfile } from "~/workflows/model/profile";
import { LATENCY_BOUNDS, type WindowCounts } from "~/lib/monitoring";

export class LiveWindow {
  private readonly names: string[];
  private readonly bins: ((v: unknown) => number)[];
  private readonly predictionBin: (v: unknown) => number;
  private counts: Int32Array[];
  private prediction: Int32Array;
  private rows = 0;
  private requests = 0;
  private failed = 0;
  private latency = new Int32Array(LATENCY_BOUNDS.length + 1);
  /** The observer the predictor calls: made once, so a request allocates nothing for monitoring. */
  readonly observe: Observer;

  /** `profile`: the model's reference profile; without one (a model trained before profiles) only requests are counted. */
  constructor(readonly profile: ReferenceProfile | undefined) {
    const features = profile?.features ?? [];
    this.names = features.map((f) => f.name);
    this.bins = features.map(binner);
    this.predictionBin = profile ? binner(profile.prediction) : () => 0;
    this.counts = features.map((f) => new Int32Array(f.counts.length));
    this.prediction = new Int32Array(profile ? profile.prediction.counts.length : 0);
    this.observe = (prepared, predictions) => this.add(prepared, predictions);
  }

  private add(prepared: Record<string, unknown>[], predictions: Label[]) {
    const { names, bins, counts } = this;
    for (let r = 0; r < prepared.length; r++) {
      const row = prepared[r]!;
      for (let f = 0; f < names.length; f++) counts[f]![bins[f]!(row[names[f]!])]!++;
      this.prediction[this.predictionBin(predictions[r])]!++;
    }
    this.rows += prepared.length;
  }

  /** One request answered (`ok`) or refused, and how long it took. */
  request(ms: number, ok: boolean) {
    this.requests++;
    if (!ok) this.failed++;
    this.latency[lowerBound(LATENCY_BOUNDS, ms)]!++;
  }

  get pending() {
    return this.requests + this.rows;
  }

  /** Counts taken but not written (the database was away): added back, to go with the next flush. */
  putBack(c: WindowCounts) {
    this.requests += c.requests;
    this.failed += c.failed;
    this.rows += c.rows;
    c.latency.forEach((n, i) => (this.latency[i]! += n));
    c.prediction.forEach((n, i) => (this.prediction[i]! += n));
    this.names.forEach((name, f) => c.features[name]?.forEach((n, i) => (this.counts[f]![i]! += n)));
  }

  /** What was counted since the last call, and a fresh start. */
  take(): WindowCounts {
    const out: WindowCounts = {
      requests: this.requests,
      failed: this.failed,
      latency: Array.from(this.latency),
      rows: this.rows,
      features: Object.fromEntries(this.names.map((n, f) => [n, Array.from(this.counts[f]!)])),
      prediction: Array.from(this.prediction),
    };
    this.counts = this.counts.map((c) => new Int32Array(c.length));
    this.prediction = new Int32Array(this.prediction.length);
    this.latency = new Int32Array(this.latency.length);
    this.rows = this.requests = this.failed = 0;
    return out;
  }
}
