/**
 * What one serving process saw of a variant since its revision went live: requests, failures and
 * the latencies of the last 1,024 answers. O(1) per request; read by the traffic guardrails.
 */
const WINDOW = 1024;

export class VariantStats {
  requests = 0;
  errors = 0;
  private latencies = new Float64Array(WINDOW);
  private answered = 0;

  ok(ms: number) {
    this.requests++;
    this.latencies[this.answered++ % WINDOW] = ms;
  }

  failed() {
    this.requests++;
    this.errors++;
  }

  /** The 99th percentile of the recent answers' latency (null before any). */
  p99Ms(): number | null {
    const n = Math.min(this.answered, WINDOW);
    if (!n) return null;
    const sorted = this.latencies.slice(0, n).sort();
    return sorted[Math.min(n - 1, Math.ceil(0.99 * n) - 1)]!;
  }
}
